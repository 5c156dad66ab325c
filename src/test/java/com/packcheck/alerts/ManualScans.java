package com.packcheck.alerts;

import com.packcheck.postgres.PgUrl;
import com.packcheck.support.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * An alert scanner that a test runs itself, scan by scan, on a schema's ledger (the instance's own
 * scanner is set to wait an hour): 3 customers make a clone, {@code burstFakes} fakes an hour a burst.
 */
final class ManualScans implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final Pool pool;
  private final AlertScanner scanner;

  /** {@code pg}: where the scanner reaches PostgreSQL (the test's own URL, or a proxy in front of it). */
  ManualScans(PgUrl pg, String schema, int burstFakes, Clock clock) {
    pool = TestPostgres.pool(vertx, pg, schema, 2);
    scanner = new AlertScanner(vertx, pool, 3, burstFakes, clock, Duration.ofSeconds(5), new SimpleMeterRegistry());
  }

  /** One scan at the clock's time; throws if it failed. */
  void scan() throws Exception {
    scanner.scan().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    pool.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
