package com.packcheck.ledger;

import com.packcheck.batch.NotFoundException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

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

  /** Every key appears, with zero when nothing happened, so a bill always has the same shape. */
  private static final List<String> CHANNELS = List.of("http", "sms");
  /** The outcomes a manufacturer pays for; "fake" and "invalid" checks have no manufacturer. */
  private static final List<String> OUTCOMES = List.of("genuine", "already_used", "inactive", "recalled", "expired");

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
    JsonObject byChannel = zeros(CHANNELS);
    JsonObject byOutcome = zeros(OUTCOMES);
    long checks = 0;
    long amount = 0;
    String currency = null;
    for (Row r : rows) {
      currency = r.getString(0);
      long count = r.getLong(3);
      if (count == 0) {
        continue;
      }
      // Adding rather than putting: a channel or outcome unknown today still shows, and still adds up.
      add(byChannel, r.getString(1), count);
      add(byOutcome, r.getString(2), count);
      checks += count;
      amount += r.getLong(4);
    }
    return new JsonObject().put("from", from.toString()).put("to", to.toString()).put("checks", checks)
        .put("byChannel", byChannel).put("byOutcome", byOutcome).put("amount", amount).put("currency", currency);
  }

  private static JsonObject zeros(List<String> keys) {
    JsonObject counts = new JsonObject();
    keys.forEach(k -> counts.put(k, 0L));
    return counts;
  }

  private static void add(JsonObject counts, String key, long n) {
    counts.put(key, counts.getLong(key, 0L) + n);
  }
}
