package com.packcheck.sms.text;

import static com.packcheck.sms.text.Field.DATE;
import static com.packcheck.sms.text.Field.DISPENSED;
import static com.packcheck.sms.text.Field.EXPIRY;
import static com.packcheck.sms.text.Field.LOT;
import static com.packcheck.sms.text.Field.PRODUCT;
import static com.packcheck.sms.text.Field.REF;

import com.packcheck.check.Answer;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Each reply PackCheck texts, with the placeholders its template may use (only those have values). */
public enum Reply {
  GENUINE_FIRST(PRODUCT, LOT, EXPIRY, REF),
  GENUINE_FIRST_DISPENSED(PRODUCT, LOT, EXPIRY, REF, DISPENSED),
  GENUINE_REPEAT(PRODUCT, LOT, EXPIRY, REF, DATE),
  ALREADY_USED(PRODUCT, LOT, EXPIRY, REF, DATE),
  FAKE(REF),
  INACTIVE(PRODUCT, LOT, EXPIRY, REF),
  RECALLED(PRODUCT, LOT, EXPIRY, REF),
  EXPIRED(PRODUCT, LOT, EXPIRY, REF),
  INVALID,
  HELP,
  STOP,
  YES,
  REPORT(REF),
  TOO_MANY;

  private final Set<Field> fields;
  /** The key in the templates files, and after "en." or "fr." in overrides. */
  public final String key = name().toLowerCase(Locale.ROOT);

  Reply(Field... fields) {
    this.fields = fields.length == 0 ? EnumSet.noneOf(Field.class) : EnumSet.of(fields[0], fields);
  }

  boolean allows(Field field) {
    return fields.contains(field);
  }

  /** The reply to a check's answer; a genuine first check names the dispensing date if a pharmacy dispensed it. */
  public static Reply of(Answer a) {
    return switch (a.outcome()) {
      case GENUINE -> !a.firstCheck() ? GENUINE_REPEAT
          : a.dispensedAt() != null ? GENUINE_FIRST_DISPENSED : GENUINE_FIRST;
      case ALREADY_USED -> ALREADY_USED;
      case FAKE -> FAKE;
      case INACTIVE -> INACTIVE;
      case RECALLED -> RECALLED;
      case EXPIRED -> EXPIRED;
      case INVALID -> INVALID;
    };
  }
}
