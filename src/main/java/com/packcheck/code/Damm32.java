package com.packcheck.code;

/**
 * Damm's check scheme over the 32 Crockford symbols: the quasigroup x∘y = 2·x + y in GF(32) (modulus
 * x⁵ + x² + 1) is totally anti-symmetric, so one check symbol catches every single-symbol substitution
 * and every transposition of two adjacent symbols, the check symbol included.
 */
public final class Damm32 {
  private static final int[] VALUE = new int[128];

  static {
    java.util.Arrays.fill(VALUE, -1);
    for (int i = 0; i < Crockford.ALPHABET.length(); i++) {
      VALUE[Crockford.ALPHABET.charAt(i)] = i;
    }
  }

  private Damm32() {
  }

  /** The symbol that makes {@code payload} + symbol valid; the payload must be Crockford Base32. */
  public static char checkSymbol(CharSequence payload) {
    int interim = interim(payload);
    if (interim < 0) {
      throw new IllegalArgumentException("not Crockford Base32");
    }
    // interim ∘ c = 2·interim + c = 0 in characteristic 2
    return Crockford.ALPHABET.charAt(times2(interim));
  }

  /** Whether a normalized code ends in its right check symbol. */
  public static boolean valid(CharSequence code) {
    return interim(code) == 0;
  }

  /** The running value over the symbols, or -1 if one is not Crockford Base32. */
  private static int interim(CharSequence symbols) {
    int r = 0;
    for (int i = 0; i < symbols.length(); i++) {
      char c = symbols.charAt(i);
      int v = c < 128 ? VALUE[c] : -1;
      if (v < 0) {
        return -1;
      }
      r = times2(r) ^ v;
    }
    return r;
  }

  private static int times2(int x) {
    return (x & 0x10) != 0 ? ((x << 1) ^ 0x25) : x << 1;
  }
}
