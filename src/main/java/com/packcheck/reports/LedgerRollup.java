package com.packcheck.reports;

import com.packcheck.postgres.Periodic;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rolls the ledger up into {@code ledger_days} and {@code customer_sets}, a step at a time, on one instance
 * at a time (the watermark row's lock). An interaction is rolled up only once every interaction with a
 * smaller id has surely committed or failed: ids are drawn when a check's transaction starts, and a check
 * is answered or abandoned within the commit timeout, so the ids drawn before {@code settled} ago (on
 * PostgreSQL's clock, sampled in {@code ledger_horizon}; not the interactions' {@code at}, which is the
 * instances' clock) are final once every transaction running when they were sampled has ended (a bulk
 * import may run for minutes). The watermark moves in the same transaction as the sums and the customer
 * sets ({@link CustomerSets}), so nothing is counted twice or lost.
 */
public final class LedgerRollup {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerRollup.class);
  private static final String SNAPSHOT = "set transaction isolation level repeatable read, read only";
  private static final String WATERMARK = "select value::bigint from settings where name = 'ledger_days_watermark'";
  /** The watermark, locked for the step; no row when another instance is rolling up. */
  private static final String LOCK = """
      select value::bigint from settings where name = 'ledger_days_watermark' for update skip locked
      """;
  /**
   * How far ids have been drawn now (PostgreSQL's clock), and this transaction's id: every transaction
   * that drew them had its id before, so once all below it have ended, the ids are final. (Not the
   * snapshot's xmax: that is one past the last transaction to complete, and a running import may be newer.)
   */
  private static final String SAMPLE = """
      insert into ledger_horizon (taken_at, last_id, next_xid)
      select now(), case when is_called then last_value else last_value - 1 end,
             pg_current_xact_id()
      from interactions_id_seq
      """;
  /**
   * Where a step from $1 ends: at most $2 ids on, at the ids drawn at least $3 seconds ago by transactions
   * that have all ended since.
   */
  private static final String STEP_END = """
      select greatest($1::bigint, least($1::bigint + $2::int, coalesce(max(last_id), $1::bigint))) from ledger_horizon
      where taken_at <= now() - make_interval(secs => $3) and next_xid <= pg_snapshot_xmin(pg_current_snapshot())
      """;
  /** The checks and amounts of ids in ($1, $2] added to their manufacturer's days. */
  private static final String ROLL_DAYS = """
      insert into ledger_days (manufacturer_id, day, channel, outcome, checks, amount)
      select manufacturer_id, (at at time zone 'UTC')::date, channel, outcome, count(*), sum(price)
      from interactions
      where id > $1 and id <= $2 and manufacturer_id is not null
      group by 1, 2, 3, 4
      on conflict (manufacturer_id, day, channel, outcome) do update
        set checks = ledger_days.checks + excluded.checks, amount = ledger_days.amount + excluded.amount
      """;
  private static final String MOVE = "update settings set value = $1::bigint::text where name = 'ledger_days_watermark'";
  /** Samples the watermark has passed tell later steps nothing. */
  private static final String FORGET = "delete from ledger_horizon where last_id <= $1";
  private static final int STEP_IDS = 500_000;

  private final Vertx vertx;
  private final Pool pool;
  private final Duration settled;
  private final CustomerSets customerSets;
  private Periodic timer;

  public LedgerRollup(Vertx vertx, Pool pool, Duration settled) {
    this.vertx = vertx;
    this.pool = pool;
    this.settled = settled;
    this.customerSets = new CustomerSets(vertx);
  }

  public void start(Duration every) {
    timer = Periodic.every(vertx, every, this::catchUp, LOG, "Ledger roll-up failed; the reports read the ledger meanwhile");
  }

  public void stop() {
    timer.stop();
  }

  /**
   * Starts a report's read-only snapshot and gives its watermark: the roll-ups hold the interactions up to
   * it, the ledger those after it, and a step committing meanwhile is not seen at all.
   */
  static Future<Long> snapshot(SqlConnection conn) {
    return conn.query(SNAPSHOT).execute().compose(v -> conn.query(WATERMARK).execute())
        .map(w -> w.iterator().next().getLong(0));
  }

  /** Steps until the roll-up has caught up with the settled ledger. */
  Future<Void> catchUp() {
    return pool.withTransaction(this::step)
        .compose(moved -> moved ? catchUp() : Future.succeededFuture());
  }

  /** One step, in one transaction with the watermark: whether it moved. */
  private Future<Boolean> step(SqlConnection conn) {
    return conn.query(LOCK).execute().compose(locked -> {
      if (locked.size() == 0) {
        return Future.succeededFuture(false);
      }
      long from = locked.iterator().next().getLong(0);
      return conn.query(SAMPLE).execute()
          .compose(v -> conn.preparedQuery(STEP_END).execute(Tuple.of(from, STEP_IDS, settled.toMillis() / 1000.0)))
          .compose(end -> {
            long to = end.iterator().next().getLong(0);
            if (to == from) {
              return conn.preparedQuery(FORGET).execute(Tuple.of(from)).map(false);
            }
            Tuple step = Tuple.of(from, to);
            return conn.preparedQuery(ROLL_DAYS).execute(step)
                .compose(v -> customerSets.roll(conn, from, to))
                .compose(v -> conn.preparedQuery(MOVE).execute(Tuple.of(to)))
                .compose(v -> conn.preparedQuery(FORGET).execute(Tuple.of(to)))
                .map(true);
          });
    });
  }
}
