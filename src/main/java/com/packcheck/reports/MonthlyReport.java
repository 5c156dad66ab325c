package com.packcheck.reports;

import com.packcheck.batch.NotFoundException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;

/**
 * A manufacturer's month (UTC) from the ledger: the bill by channel, outcome and day, as JSON or as a
 * CSV a spreadsheet opens. Each check at the price it recorded, like {@link UsageReport}.
 */
public final class MonthlyReport {
  private static final String MANUFACTURER = "select currency, price_per_check from manufacturers where id = $1";
  /**
   * The month by day, channel and outcome: the roll-up up to the watermark ($4), the ledger itself after
   * it (a range of the primary key: the last minutes' checks).
   */
  private static final String BY_DAY = """
      select day, channel, outcome, sum(checks)::bigint, sum(amount)::bigint from (
        select d.day, d.channel, d.outcome, d.checks, d.amount
        from ledger_days d
        where d.manufacturer_id = $1 and d.day >= $2::timestamptz::date and d.day < $3::timestamptz::date
        union all
        select (i.at at time zone 'UTC')::date, i.channel, i.outcome, count(*), sum(i.price)
        from interactions i
        where i.id > $4 and i.manufacturer_id = $1 and i.at >= $2 and i.at < $3
        group by 1, 2, 3
      ) month
      group by 1, 2, 3
      """;

  private final Pool pool;

  public MonthlyReport(Pool pool) {
    this.pool = pool;
  }

  /** A month's bill; its figures are read-only once made. */
  public record Month(YearMonth month, String currency, long pricePerCheck, Tally total,
      Map<LocalDate, Tally> days) {
    public JsonObject toJson() {
      JsonArray byDay = new JsonArray();
      days.forEach((day, f) -> byDay.add(new JsonObject().put("date", day.toString()).put("checks", f.checks)
          .put("amount", f.amount)));
      return new JsonObject().put("month", month.toString()).put("currency", currency)
          .put("pricePerCheck", pricePerCheck).put("checks", total.checks).put("amount", total.amount)
          .put("byChannel", total.byChannel).put("byOutcome", total.byOutcome).put("byDay", byDay);
    }

    /** One line a day of the month, then the total: date, checks by channel and outcome, amount. */
    public String toCsv() {
      StringBuilder csv = new StringBuilder("date,checks");
      Tally.CHANNELS.forEach(c -> csv.append(',').append(c));
      Tally.OUTCOMES.forEach(o -> csv.append(',').append(o));
      csv.append(",amount,currency\r\n");
      days.forEach((day, f) -> line(csv, day.toString(), f));
      line(csv, "total " + month, total);
      return csv.toString();
    }

    private void line(StringBuilder csv, String label, Tally f) {
      csv.append(label).append(',').append(f.checks);
      Tally.CHANNELS.forEach(c -> csv.append(',').append(f.byChannel.getLong(c)));
      Tally.OUTCOMES.forEach(o -> csv.append(',').append(f.byOutcome.getLong(o)));
      csv.append(',').append(f.amount).append(',').append(currency).append("\r\n");
    }
  }

  public Future<Month> month(long manufacturerId, YearMonth month) {
    var from = month.atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC);
    var to = month.plusMonths(1).atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC);
    return pool.withTransaction((SqlConnection conn) -> LedgerRollup.snapshot(conn)
        .compose(watermark -> conn.preparedQuery(MANUFACTURER).execute(Tuple.of(manufacturerId))
            .compose(maker -> maker.size() == 0
                ? Future.failedFuture(new NotFoundException("manufacturer " + manufacturerId + " not found"))
                : conn.preparedQuery(BY_DAY).execute(Tuple.of(manufacturerId, from, to, watermark))
                    .map(rows -> tally(month, maker.iterator().next(), rows)))));
  }

  private static Month tally(YearMonth month, Row maker, RowSet<Row> rows) {
    Tally total = new Tally();
    Map<LocalDate, Tally> days = new TreeMap<>();
    for (LocalDate d = month.atDay(1); !d.isAfter(month.atEndOfMonth()); d = d.plusDays(1)) {
      days.put(d, new Tally());
    }
    for (Row r : rows) {
      days.get(r.getLocalDate(0)).add(r.getString(1), r.getString(2), r.getLong(3), r.getLong(4));
      total.add(r.getString(1), r.getString(2), r.getLong(3), r.getLong(4));
    }
    return new Month(month, maker.getString(0), maker.getLong(1), total, days);
  }


}
