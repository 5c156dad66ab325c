package com.packcheck.reports;

import com.packcheck.batch.NotFoundException;
import com.packcheck.check.LedgerWriter;
import com.packcheck.code.Sealer;
import com.packcheck.sms.text.PhoneNumbers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import org.roaringbitmap.RoaringBitmap;

/**
 * A manufacturer's customers, from its ledger: the shoppers (by number) and pharmacies who checked
 * its codes. Each manufacturer sees only the customers of its own codes; numbers are shown masked
 * unless the shopper opted in (YES) and has not opted out since.
 */
public final class CustomerReport {
  private static final String LIST = """
      select i.customer_id, c.kind, count(*), max(i.at)
      from interactions i left join customers c on c.id = i.customer_id
      where i.manufacturer_id = $1 and i.at >= $2 and i.at < $3
      group by i.customer_id, c.kind
      order by max(i.at) desc
      limit $4
      """;
  private static final String CUSTOMER = """
      select c.kind, c.msisdn_enc, coalesce(c.region, p.region), c.opted_in_at, c.opted_out_at, p.name
      from customers c left join pharmacies p on p.id = c.pharmacy_id
      where c.id = $1
      """;
  private static final String INTERACTIONS = """
      select i.at, i.channel, i.action, i.outcome, i.first_check, i.id, b.lot, pr.name
      from interactions i
      left join batches b on b.id = i.batch_id
      left join products pr on pr.id = b.product_id
      where i.customer_id = $1 and i.manufacturer_id = $2
      order by i.at desc
      limit 500
      """;

  private final Pool pool;
  private final Sealer cipher;
  private final CustomerSets sets;

  public CustomerReport(Vertx vertx, Pool pool, Sealer cipher) {
    this.pool = pool;
    this.cipher = cipher;
    this.sets = new CustomerSets(vertx);
  }

  /**
   * {@code {"customers","repeatCustomers","retention","byChannel","byRegion"}}; retention is the
   * share of the previous period's customers (same length, just before) who checked again in this
   * one, null when there were none.
   */
  public Future<JsonObject> summary(long manufacturerId, Instant from, Instant to) {
    Instant previous = from.minus(java.time.Duration.between(from, to));
    // the roll-up's sets and the ledger after its watermark, in one snapshot
    return pool.withTransaction((SqlConnection conn) -> LedgerRollup.snapshot(conn).compose(watermark ->
        sets.period(conn, manufacturerId, from, to, watermark).compose(current ->
            sets.period(conn, manufacturerId, previous, from, watermark).map(before -> {
              long returning = RoaringBitmap.andCardinality(before.customers(), current.customers());
              long previousCustomers = before.customers().getLongCardinality();
              return new JsonObject().put("from", from.toString()).put("to", to.toString())
                  .put("customers", current.customers().getLongCardinality())
                  .put("repeatCustomers", current.repeatCustomers())
                  .put("previousCustomers", previousCustomers)
                  .put("retention", previousCustomers == 0 ? null
                      : Math.round(1000.0 * returning / previousCustomers) / 1000.0)
                  .put("byChannel", new JsonObject().put("http", 0L).put("sms", 0L)
                      .mergeIn(current.counts(CustomerSet.CHANNEL)))
                  .put("byRegion", current.counts(CustomerSet.REGION));
            }))));
  }

  /** The customers of a period, most recent first: their ids (for {@link #interactions}), kind, checks. */
  public Future<JsonArray> list(long manufacturerId, Instant from, Instant to, int limit) {
    return pool.preparedQuery(LIST).execute(Tuple.of(manufacturerId, utc(from), utc(to), limit)).map(rows -> {
      JsonArray list = new JsonArray();
      for (Row r : rows) {
        list.add(new JsonObject().put("id", HexFormat.of().formatHex(r.getBuffer(0).getBytes()))
            .put("kind", r.getString(1)).put("checks", r.getLong(2))
            .put("lastCheckAt", r.getOffsetDateTime(3).toInstant().toString()));
      }
      return list;
    });
  }

  /** A customer's checks of this manufacturer's codes; 404 for a customer who made none. */
  public Future<JsonObject> interactions(long manufacturerId, byte[] customerId) {
    Buffer id = Buffer.buffer(customerId);
    return pool.preparedQuery(INTERACTIONS).execute(Tuple.of(id, manufacturerId)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(new NotFoundException("no such customer of yours"));
      }
      JsonArray checks = new JsonArray();
      for (Row r : rows) {
        checks.add(new JsonObject().put("at", r.getOffsetDateTime(0).toInstant().toString())
            .put("channel", r.getString(1)).put("action", r.getString(2)).put("outcome", r.getString(3))
            .put("firstCheck", r.getBoolean(4)).put("reference", LedgerWriter.reference(r.getLong(5)))
            .put("lot", r.getString(6)).put("product", r.getString(7)));
      }
      return pool.preparedQuery(CUSTOMER).execute(Tuple.of(id)).map(c -> new JsonObject()
          .put("customer", describe(customerId, c.size() == 0 ? null : c.iterator().next()))
          .put("interactions", checks));
    });
  }

  private JsonObject describe(byte[] customerId, Row c) {
    JsonObject customer = new JsonObject().put("id", HexFormat.of().formatHex(customerId));
    if (c == null) {
      return customer;
    }
    customer.put("kind", c.getString(0)).put("region", c.getString(2));
    if ("msisdn".equals(c.getString(0))) {
      boolean optedIn = c.getOffsetDateTime(3) != null && c.getOffsetDateTime(4) == null;
      String number = cipher.decrypt(c.getBuffer(1).getBytes());
      customer.put("msisdn", optedIn ? number : PhoneNumbers.mask(number)).put("optedIn", optedIn);
    } else {
      customer.put("pharmacy", c.getString(5));
    }
    return customer;
  }

  private static java.time.OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
