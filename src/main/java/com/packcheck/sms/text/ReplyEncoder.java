package com.packcheck.sms.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Encodes a reply as GSM-7 when every character allows it (160 per message), else UCS-2 (70), and
 * splits longer texts into concatenated parts with an 8-bit-reference UDH. Limits count what the
 * handset receives: septets for GSM-7 (an extension character takes two), UTF-16 units for UCS-2.
 */
public final class ReplyEncoder {
  public static final int GSM7_SINGLE = 160;
  public static final int GSM7_PART = 153;
  public static final int UCS2_SINGLE = 70;
  public static final int UCS2_PART = 67;
  private static final int MAX_PARTS = 255;

  private final DefaultAlphabet defaultAlphabet;

  public ReplyEncoder(DefaultAlphabet defaultAlphabet) {
    this.defaultAlphabet = defaultAlphabet;
  }

  /**
   * @param reference the concatenation reference (low 8 bits used); the caller varies it per
   *     recipient so parts of two replies to one handset are not mixed
   * @throws IllegalArgumentException past 255 parts, which no reply should reach
   */
  public EncodedReply encode(String text, int reference) {
    if (fitsDefaultAlphabet(text)) {
      List<String> chunks = split(text, GSM7_SINGLE, GSM7_PART, true);
      return assemble((byte) SmsCharset.DC_DEFAULT, chunks, reference, this::defaultOctets);
    }
    List<String> chunks = split(text, UCS2_SINGLE, UCS2_PART, false);
    return assemble((byte) SmsCharset.DC_UCS2, chunks, reference, s -> s.getBytes(StandardCharsets.UTF_16BE));
  }

  /** The handset gets GSM-7 either way; an octet-charset SMSC also needs each character in its charset. */
  private boolean fitsDefaultAlphabet(String text) {
    return Gsm7.length(text) >= 0
        && (defaultAlphabet.charset == null || defaultAlphabet.charset.newEncoder().canEncode(text));
  }

  private byte[] defaultOctets(String chunk) {
    return defaultAlphabet.charset == null ? Gsm7.encode(chunk) : chunk.getBytes(defaultAlphabet.charset);
  }

  /**
   * Greedy split by the handset's units; a unit is one character, and never split: an escape pair in
   * GSM-7 ({@code gsm}), a surrogate pair in UCS-2.
   */
  private static List<String> split(String text, int single, int part, boolean gsm) {
    if (size(text, 0, text.length(), gsm) <= single) {
      return List.of(text);
    }
    List<String> chunks = new ArrayList<>();
    int start = 0;
    int used = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int chars = Character.charCount(cp);
      int weight = size(text, i, i + chars, gsm);
      if (used + weight > part) {
        chunks.add(text.substring(start, i));
        start = i;
        used = 0;
      }
      used += weight;
      i += chars;
    }
    chunks.add(text.substring(start));
    return chunks;
  }

  private static int size(String text, int from, int to, boolean gsm) {
    return gsm ? Gsm7.length(text.subSequence(from, to)) : to - from;
  }

  private static EncodedReply assemble(byte dataCoding, List<String> chunks, int reference,
      Function<String, byte[]> octets) {
    if (chunks.size() == 1) {
      return new EncodedReply(dataCoding, false, List.of(octets.apply(chunks.get(0))));
    }
    if (chunks.size() > MAX_PARTS) {
      throw new IllegalArgumentException("a reply of " + chunks.size() + " parts exceeds " + MAX_PARTS);
    }
    List<byte[]> parts = new ArrayList<>(chunks.size());
    for (int i = 0; i < chunks.size(); i++) {
      byte[] payload = octets.apply(chunks.get(i));
      byte[] part = new byte[6 + payload.length];
      part[0] = 5;        // UDH length
      part[1] = Udh.IEI_CONCAT_8;
      part[2] = 3;        // element length
      part[3] = (byte) reference;
      part[4] = (byte) chunks.size();
      part[5] = (byte) (i + 1);
      System.arraycopy(payload, 0, part, 6, payload.length);
      parts.add(part);
    }
    return new EncodedReply(dataCoding, true, parts);
  }
}
