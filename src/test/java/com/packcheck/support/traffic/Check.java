package com.packcheck.support.traffic;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;

/**
 * One check as the generator sent it: {@code at} is when it was sent, on the instance's clock;
 * {@code maker} and {@code code} are null for a fake.
 */
public record Check(Instant at, Maker maker, Customer customer, String channel, String action, String outcome,
    boolean first, long price, Code code) {

  public YearMonth month() {
    return month(at);
  }

  public LocalDate day() {
    return at.atOffset(ZoneOffset.UTC).toLocalDate();
  }

  /** The UTC month of {@code at}, as the reports count it. */
  public static YearMonth month(Instant at) {
    return YearMonth.from(at.atOffset(ZoneOffset.UTC));
  }
}
