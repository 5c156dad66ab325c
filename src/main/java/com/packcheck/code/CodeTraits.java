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
  /** Crockford Base32 ending in its Damm check symbol ({@link Damm32}). */
  public static final int DAMM32 = 4;
  /** The traits of every generated code. */
  public static final int GENERATED = BASE32 | DAMM32;

  /**
   * An uploaded format requires the check scheme only when this many codes of it all pass it: by
   * chance one code in 32 does, so a small upload proves nothing.
   */
  static final long CHECK_SCHEME_EVIDENCE = 64;

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
    int traits = (digits ? DIGITS : 0) | (base32 ? BASE32 : 0);
    return base32 && Damm32.valid(normalized) ? traits | DAMM32 : traits;
  }

  /**
   * The traits an uploaded format requires, given the traits all its {@code codes} share: its
   * alphabet if digits only, and the check scheme if enough codes show it is used.
   */
  public static int uploadedFormat(int sharedTraits, long codes) {
    int required = sharedTraits & DIGITS;
    return codes >= CHECK_SCHEME_EVIDENCE ? required | (sharedTraits & DAMM32) : required;
  }

  /**
   * How many codes of {@code length} with {@code required} traits there can be: the guessing space
   * that the share of codes in use is measured against.
   */
  public static double space(int length, int required) {
    // after normalization: 10 digits, 32 Crockford symbols, or 33 (Crockford plus U)
    double alphabet = (required & DIGITS) != 0 ? 10 : (required & BASE32) != 0 ? 32 : 33;
    double all = Math.pow(alphabet, length);
    return (required & DAMM32) != 0 ? all / 32 : all;
  }
}
