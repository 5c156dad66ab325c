package com.packcheck.sms.text;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * What an SMSC means by data_coding 0. SMPP leaves it to the SMSC: most send GSM-7 one septet per
 * octet, some Latin-1 or ASCII (and convert to GSM-7 over the air themselves).
 */
public enum DefaultAlphabet {
  GSM7(null), LATIN1(StandardCharsets.ISO_8859_1), ASCII(StandardCharsets.US_ASCII);

  /** The octet charset, or null for GSM-7. */
  final Charset charset;

  DefaultAlphabet(Charset charset) {
    this.charset = charset;
  }
}
