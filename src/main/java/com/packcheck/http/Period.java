package com.packcheck.http;

import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;

/** A report's period, [from, to), from the query's {@code from} and {@code to}. */
record Period(Instant from, Instant to) {
  /** Long enough for a leap year, short enough that one request cannot scan the whole ledger. */
  private static final Duration LONGEST_PERIOD = Duration.ofDays(366);
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  /** Far outside these, PostgreSQL's timestamptz would refuse the bound with a 5xx instead of a 400. */
  private static final Instant EARLIEST = LocalDate.of(1, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();
  private static final Instant LATEST = LocalDate.of(10000, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();

  static Period of(RoutingContext ctx) {
    return period(ctx.queryParams().get("from"), ctx.queryParams().get("to"));
  }

  /** [from, to): a date as {@code to} covers that whole UTC day. Empty values count as absent. */
  static Period period(String fromParam, String toParam) {
    // Truncated to PostgreSQL's precision, so the echoed bound is exactly the one queried.
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Instant to = isAbsent(toParam) ? now : bound("to", toParam, true);
    Instant from = isAbsent(fromParam) ? monthStart(isAbsent(toParam) ? now : lastCovered(to))
        : bound("from", fromParam, false);
    if (from.isAfter(to)) {
      throw ApiException.badRequest("'from' (" + from + ") is after 'to' (" + to + ")");
    }
    if (Duration.between(from, to).compareTo(LONGEST_PERIOD) > 0) {
      throw ApiException.badRequest("the period is longer than 366 days; ask for one year at a time");
    }
    return new Period(from, to);
  }

  private static boolean isAbsent(String param) {
    return param == null || param.isEmpty();
  }

  /** A UTC date (its start; for an inclusive end, the start of the next day) or an ISO-8601 instant. */
  private static Instant bound(String name, String value, boolean endOfDay) {
    Instant instant;
    try {
      if (DATE.matcher(value).matches()) {
        LocalDate day = LocalDate.parse(value);
        instant = (endOfDay ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant();
      } else {
        instant = Instant.parse(value);
      }
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest("'" + name + "' must be a date (YYYY-MM-DD, UTC) or an ISO-8601 instant "
          + "such as 2026-11-01T00:00:00Z");
    }
    if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
      throw ApiException.badRequest("'" + name + "' must be between the years 1 and 9999");
    }
    return instant;
  }

  /**
   * The last instant inside [.., to): "?to=2026-01-31" alone is January's bill, where the current
   * month's start would make from after to.
   */
  private static Instant lastCovered(Instant to) {
    return to.minus(1, ChronoUnit.MICROS);
  }

  private static Instant monthStart(Instant instant) {
    return YearMonth.from(instant.atOffset(ZoneOffset.UTC)).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
  }
}
