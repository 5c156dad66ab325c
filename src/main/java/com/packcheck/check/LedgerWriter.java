package com.packcheck.check;

import com.packcheck.check.group.GroupCommit;
import com.packcheck.check.group.GroupMetrics;
import com.packcheck.code.Crockford;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import java.time.Clock;
import java.time.Duration;

/**
 * The ledger: checks written by group commit ({@link GroupCommit}), at most one change per code and one
 * claim per idempotency key in a group ({@link OneChangePerCode}), by the group statement
 * ({@link CheckStatement}), where PostgreSQL decides every outcome. Nothing is answered before the
 * statement has committed. Confined to the event loop of the verticle that owns it.
 */
public final class LedgerWriter {
  private final GroupCommit<CheckRequest, Answer> commit;

  public LedgerWriter(Vertx vertx, PgConnectOptions options, Duration commitTimeout, Clock clock, int maxGroup,
      int maxInFlight, MeterRegistry metrics, String channel) {
    this.commit = new GroupCommit<>(vertx, options, maxInFlight, commitTimeout, maxGroup, new OneChangePerCode(),
        new CheckStatement(clock), GroupMetrics.ledger(metrics, channel), "Ledger", channel);
  }

  /** Queues a check; the future completes after its interaction is committed. */
  public Future<Answer> submit(CheckRequest request) {
    return commit.submit(request);
  }

  /** Stops taking checks; completes once every queued and in-flight group has finished. */
  public Future<Void> drain() {
    return commit.drain();
  }

  /** The short id of an interaction that people read out and type back. */
  public static String reference(long interactionId) {
    return Crockford.encode(interactionId, 6);
  }
}
