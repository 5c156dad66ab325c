package com.packcheck.code;

/** Crockford Base32 (no I, L, O, U): readable over the phone and on a receipt. */
public final class Crockford {
  public static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

  private Crockford() {
  }

  /** A non-negative number in Crockford Base32, left-padded with zeros to {@code minLength}. */
  public static String encode(long value, int minLength) {
    char[] buf = new char[13];
    int pos = buf.length;
    long v = value;
    do {
      buf[--pos] = ALPHABET.charAt((int) (v & 31));
      v >>>= 5;
    } while (v != 0);
    while (buf.length - pos < minLength) {
      buf[--pos] = '0';
    }
    return new String(buf, pos, buf.length - pos);
  }
}
