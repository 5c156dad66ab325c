package com.packcheck.postgres;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the ledger's monthly partitions ahead of the clock (migration V17's ledger_months_ahead): at
 * start and every hour, on every instance, the months up to {@link #AHEAD} past the current one. A check
 * whose month has no partition yet still lands, in the default partition.
 */
public final class LedgerMonths {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerMonths.class);
  static final int AHEAD = 2;
  private static final String AHEAD_SQL = "select ledger_months_ahead($1) as created";

  private final Vertx vertx;
  private final Pool pool;
  private Periodic timer;

  public LedgerMonths(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  public void start(Duration every) {
    ensure().onFailure(e -> LOG.warn("Creating the ledger's next months failed at start: {}", e.toString()));
    timer = Periodic.every(vertx, every, this::ensure, LOG, "Creating the ledger's next months failed; checks land in "
        + "the default partition meanwhile");
  }

  public void stop() {
    timer.stop();
  }

  /** Creates the missing months; completes with how many it created. */
  public Future<Integer> ensure() {
    return pool.preparedQuery(AHEAD_SQL).execute(Tuple.of(AHEAD)).map(rows -> {
      int created = rows.iterator().next().getInteger("created");
      if (created > 0) {
        LOG.info("Ledger: {} month(s) created ahead", created);
      }
      return created;
    });
  }
}
