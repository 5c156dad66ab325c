package com.packcheck.reports;

import com.packcheck.batch.NotFoundException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;

/** A manufacturer's bill for a period, read from the ledger (the interactions it pays for). */
public final class UsageReport {
  /**
   * One row per (channel, outcome) that occurred, or a single row of nulls when none did, so the
   * currency still comes back. The equality on m.id carries over to i.manufacturer_id, which lets
   * PostgreSQL range-scan interactions(manufacturer_id, at). The price summed is the one each
   * interaction recorded when it was answered, so a later price change does not rewrite a bill.
   */
  private static final String USAGE = """
      select m.currency, i.channel, i.outcome, count(i.id), coalesce(sum(i.price), 0)::bigint
      from manufacturers m
      left join interactions i on i.manufacturer_id = m.id and i.at >= $2 and i.at < $3
      where m.id = $1
      group by m.currency, i.channel, i.outcome
      """;

  private final Pool pool;

  public UsageReport(Pool pool) {
    this.pool = pool;
  }

  /**
   * {@code {"from","to","checks","byChannel","byOutcome","amount","currency"}} for the interactions
   * of {@code manufacturerId} with {@code from <= at < to}; amount in minor units.
   */
  public Future<JsonObject> usage(long manufacturerId, Instant from, Instant to) {
    return pool.preparedQuery(USAGE)
        .execute(Tuple.of(manufacturerId, from.atOffset(ZoneOffset.UTC), to.atOffset(ZoneOffset.UTC)))
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(new NotFoundException("manufacturer " + manufacturerId + " not found"))
            : Future.succeededFuture(bill(rows, from, to)));
  }

  private static JsonObject bill(RowSet<Row> rows, Instant from, Instant to) {
    Tally tally = new Tally();
    String currency = null;
    for (Row r : rows) {
      currency = r.getString(0);
      if (r.getLong(3) > 0) {
        tally.add(r.getString(1), r.getString(2), r.getLong(3), r.getLong(4));
      }
    }
    return new JsonObject().put("from", from.toString()).put("to", to.toString()).put("checks", tally.checks)
        .put("byChannel", tally.byChannel).put("byOutcome", tally.byOutcome).put("amount", tally.amount)
        .put("currency", currency);
  }
}
