package com.packcheck.batch;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDate;

/** Products and batches of a manufacturer; every query is scoped to the calling manufacturer. */
public final class BatchRepository {
  private static final String INSERT_PRODUCT =
      "insert into products (manufacturer_id, name, gtin) values ($1, $2, $3) returning id";
  private static final String LIST_PRODUCTS =
      "select id, name, gtin from products where manufacturer_id = $1 order by id";
  private static final String INSERT_BATCH = """
      insert into batches (manufacturer_id, product_id, lot, expiry)
      select $1, p.id, $3, $4 from products p where p.id = $2 and p.manufacturer_id = $1
      on conflict (product_id, lot) do nothing
      returning id
      """;
  private static final String PRODUCT_EXISTS = "select 1 from products where id = $2 and manufacturer_id = $1";
  private static final String BATCH_COLUMNS = "b.id, b.product_id, b.lot, b.expiry, b.state";
  private static final String LIST_BATCHES =
      "select " + BATCH_COLUMNS + " from batches b where b.manufacturer_id = $1 order by b.id";
  private static final String GET_BATCH = "select " + BATCH_COLUMNS + """
      , count(c.hash), count(c.dispensed_at), count(c.consumed_at)
      from batches b left join codes c on c.batch_id = b.id
      where b.id = $2 and b.manufacturer_id = $1
      group by b.id
      """;
  private static final String RECALL = """
      update batches set state = 'recalled', recalled_at = now(), recall_reason = $3
      where id = $2 and manufacturer_id = $1 and state <> 'recalled'
      returning state
      """;
  private static final String STATE = "select state from batches where id = $2 and manufacturer_id = $1";

  private final Pool pool;

  public BatchRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Long> createProduct(long manufacturerId, String name, String gtin) {
    return pool.preparedQuery(INSERT_PRODUCT).execute(Tuple.of(manufacturerId, name, gtin))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  public Future<JsonArray> listProducts(long manufacturerId) {
    return pool.preparedQuery(LIST_PRODUCTS).execute(Tuple.of(manufacturerId)).map(rows -> {
      JsonArray list = new JsonArray();
      rows.forEach(r -> list.add(new JsonObject().put("id", r.getLong(0)).put("name", r.getString(1))
          .put("gtin", r.getString(2))));
      return list;
    });
  }

  /** The new batch's id; fails with {@link NotFoundException} or {@link ConflictException}. */
  public Future<Long> createBatch(long manufacturerId, long productId, String lot, LocalDate expiry) {
    return pool.preparedQuery(INSERT_BATCH).execute(Tuple.of(manufacturerId, productId, lot, expiry))
        .compose(rows -> rows.iterator().hasNext()
            ? Future.succeededFuture(rows.iterator().next().getLong(0))
            : pool.preparedQuery(PRODUCT_EXISTS).execute(Tuple.of(manufacturerId, productId)).compose(p ->
                Future.failedFuture(p.size() == 0
                    ? new NotFoundException("product " + productId + " not found")
                    : new ConflictException("lot_exists", "this product already has a batch with lot " + lot))));
  }

  public Future<JsonArray> listBatches(long manufacturerId) {
    return pool.preparedQuery(LIST_BATCHES).execute(Tuple.of(manufacturerId)).map(rows -> {
      JsonArray list = new JsonArray();
      rows.forEach(r -> list.add(batchJson(r)));
      return list;
    });
  }

  public Future<JsonObject> getBatch(long manufacturerId, long batchId) {
    return pool.preparedQuery(GET_BATCH).execute(Tuple.of(manufacturerId, batchId)).compose(rows -> {
      if (!rows.iterator().hasNext()) {
        return Future.failedFuture(new NotFoundException("batch " + batchId + " not found"));
      }
      Row r = rows.iterator().next();
      return Future.succeededFuture(batchJson(r)
          .put("codes", r.getLong(5)).put("dispensed", r.getLong(6)).put("consumed", r.getLong(7)));
    });
  }

  /** Draft or active → recalled, effective from the next check; recalling again is harmless. */
  public Future<String> recall(long manufacturerId, long batchId, String reason) {
    return pool.preparedQuery(RECALL).execute(Tuple.of(manufacturerId, batchId, reason))
        .compose(rows -> rows.iterator().hasNext()
            ? Future.succeededFuture("recalled")
            : pool.preparedQuery(STATE).execute(Tuple.of(manufacturerId, batchId)).compose(current ->
                current.iterator().hasNext()
                    ? Future.succeededFuture("recalled")
                    : Future.failedFuture(new NotFoundException("batch " + batchId + " not found"))));
  }

  private static JsonObject batchJson(Row r) {
    return new JsonObject().put("id", r.getLong(0)).put("productId", r.getLong(1)).put("lot", r.getString(2))
        .put("expiry", r.getLocalDate(3).toString()).put("state", r.getString(4));
  }
}
