package com.packcheck.sms.text;

import com.packcheck.check.Answer;
import java.time.LocalDate;
import java.time.OffsetDateTime;

/**
 * The values a template may use; any may be null where its reply does not use it. {@code date} is
 * when the code was first verified, {@code dispensed} when a pharmacy dispensed the pack.
 */
public record ReplyValues(String product, String lot, LocalDate expiry, String ref, OffsetDateTime date,
    OffsetDateTime dispensed) {

  public static final ReplyValues NONE = new ReplyValues(null, null, null, null, null, null);

  public static ReplyValues of(Answer a) {
    return new ReplyValues(a.productName(), a.lot(), a.expiry(), a.reference(), a.firstVerifiedAt(), a.dispensedAt());
  }

  /** For replies that only quote a reference (a report's acknowledgement). */
  public static ReplyValues ref(String ref) {
    return new ReplyValues(null, null, null, ref, null, null);
  }
}
