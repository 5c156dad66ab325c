package com.packcheck.reports;

import com.packcheck.support.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Runs the ledger roll-up on a schema, as an instance's timer would, and waits for it. */
final class RollUp {
  private RollUp() {}

  static void catchUp(String schema, Duration settled) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = TestPostgres.pool(vertx, schema, 2);
      new LedgerRollup(vertx, pool, settled).catchUp().toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      pool.close();
    } finally {
      vertx.close();
    }
  }
}
