package com.packcheck.ledger;

import com.packcheck.store.Periodic;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rolls the ledger up into {@code ledger_days}, a step at a time, on one instance at a time (the
 * watermark row's lock). An interaction is rolled up only once every interaction with a smaller id has
 * surely committed or failed: ids are drawn when a check's transaction starts, and a check is answered
 * or abandoned within seconds, so interactions older than {@link #SETTLED} are final. The watermark
 * moves in the same transaction as the sums, so nothing is counted twice or lost.
 */
public final class LedgerRollup {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerRollup.class);
  static final String WATERMARK = "select value::bigint from settings where name = 'ledger_days_watermark'";
  /** $1: ids a step looks at; $2: seconds after which an interaction is final. */
  private static final String STEP = """
      with w as (
        select value::bigint as from_id from settings where name = 'ledger_days_watermark' for update skip locked
      ),
      upto as (
        select coalesce(max(i.id), (select from_id from w)) as id
        from interactions i, w
        where i.id > w.from_id and i.id <= w.from_id + $1 and i.at < now() - make_interval(secs => $2)
      ),
      rolled as (
        insert into ledger_days (manufacturer_id, day, channel, outcome, checks, amount)
        select i.manufacturer_id, (i.at at time zone 'UTC')::date, i.channel, i.outcome, count(*), sum(i.price)
        from interactions i, w, upto
        where i.id > w.from_id and i.id <= upto.id and i.manufacturer_id is not null
        group by 1, 2, 3, 4
        on conflict (manufacturer_id, day, channel, outcome) do update
          set checks = ledger_days.checks + excluded.checks, amount = ledger_days.amount + excluded.amount
        returning 1
      )
      update settings set value = (select id from upto)::text
      where name = 'ledger_days_watermark' and exists (select 1 from w)
      returning value::bigint - (select from_id from w), (select count(*) from rolled)
      """;
  /** How old an interaction must be to be final: far beyond the commit timeout. */
  public static final Duration SETTLED = Duration.ofMinutes(2);
  private static final int STEP_IDS = 500_000;

  private final Vertx vertx;
  private final Pool pool;
  private final Duration settled;
  private Periodic timer;

  public LedgerRollup(Vertx vertx, Pool pool, Duration settled) {
    this.vertx = vertx;
    this.pool = pool;
    this.settled = settled;
  }

  public void start(Duration every) {
    timer = Periodic.every(vertx, every, this::catchUp, LOG, "Ledger roll-up failed; the reports read the ledger meanwhile");
  }

  public void stop() {
    timer.stop();
  }

  /** Steps until the roll-up has caught up with the settled ledger. */
  Future<Void> catchUp() {
    return pool.withTransaction((SqlConnection conn) -> conn.preparedQuery(STEP)
            .execute(Tuple.of(STEP_IDS, (double) settled.toSeconds())))
        .compose(rows -> rows.size() > 0 && rows.iterator().next().getLong(0) > 0 ? catchUp()
            : Future.succeededFuture());
  }
}
