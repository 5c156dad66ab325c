package com.packcheck.code;

import java.text.Normalizer;

/**
 * Turns what a person typed or printed into the canonical code, the same way for uploads and checks:
 * NFKC, any Unicode decimal digit to ASCII, upper case, spaces and dashes dropped, O→0 and I/L→1.
 */
public final class CodeNormalizer {
  public static final int MIN_LENGTH = 6;
  public static final int MAX_LENGTH = 40;
  /** Longer raw input cannot normalize to a valid code and is not worth normalizing. */
  private static final int MAX_RAW_LENGTH = 400;

  private CodeNormalizer() {
  }

  /** The canonical code, or {@code null} if the input is malformed. */
  public static String normalize(CharSequence raw) {
    if (raw == null || raw.length() > MAX_RAW_LENGTH) {
      return null;
    }
    String s = Normalizer.normalize(raw, Normalizer.Form.NFKC);
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == '-' || Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
        continue;
      }
      char c;
      if (cp >= '0' && cp <= '9') {
        c = (char) cp;
      } else if (Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER) {
        c = (char) ('0' + Character.digit(cp, 10));
      } else if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
        c = Character.toUpperCase((char) cp);
      } else {
        return null;
      }
      switch (c) {
        case 'O' -> c = '0';
        case 'I', 'L' -> c = '1';
        default -> { }
      }
      out.append(c);
      if (out.length() > MAX_LENGTH) {
        return null;
      }
    }
    return out.length() >= MIN_LENGTH ? out.toString() : null;
  }

  /**
   * A digest of how a code was spelled, ignoring only case, spaces and dashes: two lines with the same
   * normalized code but different spellings (O and 0, I, L and 1) were two different printed codes.
   */
  public static int spelling(CharSequence raw) {
    int h = 1;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c != '-' && !Character.isWhitespace(c) && !Character.isSpaceChar(c)) {
        h = 31 * h + Character.toUpperCase(c);
      }
    }
    return h;
  }
}
