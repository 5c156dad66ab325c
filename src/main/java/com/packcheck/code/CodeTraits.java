package com.packcheck.code;

/**
 * What a normalized code looks like, as bits. A batch format requires some traits per code length;
 * an unknown code that lacks the required traits of every released format of its length is a typo.
 */
public final class CodeTraits {
  /** Only ASCII digits. */
  public static final int DIGITS = 1;
  /** Only Crockford Base32 symbols (after normalization, every code but those containing U). */
  public static final int BASE32 = 2;

  private CodeTraits() {
  }

  public static int of(String normalized) {
    boolean digits = true;
    boolean base32 = true;
    for (int i = 0; i < normalized.length(); i++) {
      char c = normalized.charAt(i);
      if (c < '0' || c > '9') {
        digits = false;
      }
      if (c == 'U') {
        base32 = false;
      }
    }
    return (digits ? DIGITS : 0) | (base32 ? BASE32 : 0);
  }

  /** The traits an uploaded code's format requires: its alphabet, no check scheme. */
  public static int uploadedFormat(int traits) {
    return traits & DIGITS;
  }
}
