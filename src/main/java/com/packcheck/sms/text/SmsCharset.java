package com.packcheck.sms.text;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Decodes an MO's short_message by its SMPP data_coding, for one SMSC's default alphabet. */
public final class SmsCharset {
  public static final int DC_DEFAULT = 0x00;
  public static final int DC_IA5 = 0x01;
  public static final int DC_LATIN1 = 0x03;
  public static final int DC_UCS2 = 0x08;

  private final DefaultAlphabet defaultAlphabet;

  public SmsCharset(DefaultAlphabet defaultAlphabet) {
    this.defaultAlphabet = defaultAlphabet;
  }

  /**
   * The text, or empty when the coding is binary or one we do not read (the message is unreadable).
   * Undecodable octets become U+FFFD rather than failing: a garbled code is answered "re-check".
   */
  public Optional<String> decode(int dataCoding, byte[] octets) {
    return Optional.ofNullable(switch (dataCoding & 0xFF) {
      case DC_DEFAULT -> defaultAlphabet == DefaultAlphabet.GSM7
          ? Gsm7.decode(octets)
          : lenient(octets, octets.length, defaultAlphabet.charset);
      case DC_IA5 -> lenient(octets, octets.length, StandardCharsets.US_ASCII);
      case DC_LATIN1 -> new String(octets, StandardCharsets.ISO_8859_1);
      // A handset or SMSC bug can leave half a UTF-16 unit at the end: drop it, keep the rest.
      case DC_UCS2 -> lenient(octets, octets.length & ~1, StandardCharsets.UTF_16BE);
      default -> null;
    });
  }

  private static String lenient(byte[] octets, int length, Charset charset) {
    try {
      return charset.newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE)
          .decode(ByteBuffer.wrap(octets, 0, length))
          .toString();
    } catch (CharacterCodingException e) {
      throw new AssertionError("REPLACE never throws", e);
    }
  }
}
