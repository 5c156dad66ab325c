package com.packcheck.sms.text;

import java.util.List;

/**
 * A reply ready for submit_sm: the data_coding to send, whether esm_class needs UDHI
 * ({@link #ESM_UDHI}, set when there are several parts), and each part's short_message octets
 * (with its concatenation UDH when there are several).
 */
public record EncodedReply(byte dataCoding, boolean udhi, List<byte[]> parts) {
  public static final byte ESM_UDHI = 0x40;

  public EncodedReply {
    parts = List.copyOf(parts);
  }
}
