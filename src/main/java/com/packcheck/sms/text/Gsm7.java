package com.packcheck.sms.text;

/**
 * The GSM 03.38 (3GPP TS 23.038) default alphabet and its extension table, one septet per octet
 * (unpacked), which is how SMPP carries data_coding 0 on most SMSCs.
 */
public final class Gsm7 {
  /** The escape to the extension table; as a second escape it means a space (23.038 §6.2.1.1). */
  static final int ESCAPE = 0x1B;

  /** Position = septet. 0x09 is the capital C-cedilla the standard shows, 0x1B the escape (never a char). */
  static final String BASIC =
      "@£$¥èéùìòÇ\nØø\rÅå"
      + "Δ_ΦΓΛΩΠΨΣΘΞ\u001BÆæßÉ"
      + " !\"#¤%&'()*+,-./"
      + "0123456789:;<=>?"
      + "¡ABCDEFGHIJKLMNO"
      + "PQRSTUVWXYZÄÖÑÜ§"
      + "¿abcdefghijklmno"
      + "pqrstuvwxyzäöñüà";

  /** Extension septets and their characters, each sent after {@link #ESCAPE}. */
  static final String EXTENSION_SEPTETS = "\n\u0014()/<=>@e";
  static final String EXTENSION_CHARS = "\f^{}\\[~]|€";

  private static final short[] BASIC_OF = new short[0x10000];
  private static final short[] EXTENSION_OF = new short[0x10000];

  static {
    java.util.Arrays.fill(BASIC_OF, (short) -1);
    java.util.Arrays.fill(EXTENSION_OF, (short) -1);
    for (int septet = 0; septet < BASIC.length(); septet++) {
      if (septet != ESCAPE) {
        BASIC_OF[BASIC.charAt(septet)] = (short) septet;
      }
    }
    for (int i = 0; i < EXTENSION_CHARS.length(); i++) {
      EXTENSION_OF[EXTENSION_CHARS.charAt(i)] = (short) EXTENSION_SEPTETS.charAt(i);
    }
  }

  private Gsm7() {
  }

  /** Septets the character takes: 1 (basic), 2 (escape + extension), 0 if it has no GSM-7 form. */
  public static int septets(char c) {
    if (BASIC_OF[c] >= 0) {
      return 1;
    }
    return EXTENSION_OF[c] >= 0 ? 2 : 0;
  }

  /** Septets the whole text takes, or -1 if some character has no GSM-7 form. */
  public static int length(CharSequence text) {
    int n = 0;
    for (int i = 0; i < text.length(); i++) {
      int s = septets(text.charAt(i));
      if (s == 0) {
        return -1;
      }
      n += s;
    }
    return n;
  }

  /** One septet per octet; the caller has checked that {@link #length} is not -1. */
  public static byte[] encode(CharSequence text) {
    byte[] out = new byte[length(text)];
    int pos = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      short basic = BASIC_OF[c];
      if (basic >= 0) {
        out[pos++] = (byte) basic;
      } else {
        out[pos++] = ESCAPE;
        out[pos++] = (byte) EXTENSION_OF[c];
      }
    }
    return out;
  }

  /**
   * Never fails: an octet above 0x7F becomes U+FFFD, an unknown extension septet shows its basic
   * character (as 23.038 asks of handsets), a trailing lone escape is dropped.
   */
  public static String decode(byte[] octets) {
    StringBuilder out = new StringBuilder(octets.length);
    int end = octets.length;
    for (int i = 0; i < end; i++) {
      int septet = octets[i] & 0xFF;
      if (septet > 0x7F) {
        out.append('\uFFFD');
      } else if (septet != ESCAPE) {
        out.append(BASIC.charAt(septet));
      } else if (i + 1 < end) {
        out.append(extension(octets[++i] & 0xFF));
      }
    }
    return out.toString();
  }

  private static char extension(int septet) {
    if (septet == ESCAPE) {
      return ' ';
    }
    int at = EXTENSION_SEPTETS.indexOf(septet);
    if (at >= 0) {
      return EXTENSION_CHARS.charAt(at);
    }
    return septet > 0x7F ? '\uFFFD' : BASIC.charAt(septet);
  }
}
