package com.packcheck.alerts;

import com.packcheck.postgres.Periodic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds alerts in the ledger every few seconds, on one instance at a time (an advisory lock): a code
 * checked by three or more customers (cloned), checks of a recalled batch, and bursts of fake checks
 * from one sender or region. Each scan reads the interactions since the last one, with an overlap for
 * checks that committed late; an alert's dedupe key makes a second sighting change nothing. New alerts
 * of a manufacturer with a webhook are queued for delivery in the same transaction.
 *
 * <p>A scan reads only the answers an alert can come from, through the partial index
 * {@code interactions_alertable}: already used, recalled and fake. A code already alerted as cloned is
 * not counted again, nor is one counted before ({@code clone_counted}) unless it may have gained a
 * customer since the window began: one answered already used who had not checked it before, or a new
 * holder (dispensed or consumed in the window). Anyone else who checks a code that is no longer fresh
 * is answered already used, and whoever checked it while it was fresh was counted the first time.
 */
public final class AlertScanner {
  private static final Logger LOG = LoggerFactory.getLogger(AlertScanner.class);
  private static final long LOCK = 7363103;
  /** How far past the commit timeout a check may still commit late: slack for the instances' clocks. */
  private static final Duration CLOCK_SLACK = Duration.ofSeconds(5);

  /** fake_counts' stretches, as in the statement's date_bin; 2000-01-01Z is a whole number of them after 1970. */
  private static final long STRETCH_SECONDS = 10;

  private static final String TRY_LOCK = "select pg_try_advisory_xact_lock(" + LOCK + ")";
  /**
   * Planned for each scan's own window: a generic plan, made once while the ledger was small, may read
   * all of it every time. Planning costs milliseconds every few seconds.
   */
  private static final String CUSTOM_PLANS = "set local plan_cache_mode = force_custom_plan";
  /**
   * $1: scan from; $2: distinct customers that make a clone; $3: fakes an hour that make a burst; $4: the
   * scan's time, on the ledger's clock (the interactions' {@code at} come from it, not from PostgreSQL's);
   * $5, $6: the 10-second stretches of {@code fake_counts} that $1 and the hour before $4 fall in.
   * In {@code recount}, whether an asker checked the code before is looked up by the code alone (the
   * coalesce keeps PostgreSQL off interactions_customer_at: a pharmacy has millions of checks).
   */
  private static final String SCAN = """
      with window_ as materialized (
        select code_hash, manufacturer_id, batch_id, outcome, at, customer_id
        from interactions where at >= $5
          and outcome in ('already_used', 'recalled', 'fake')
      ),
      cloned as (
        select w.code_hash, w.manufacturer_id, min(w.batch_id) as batch_id
        from window_ w
        where w.outcome = 'already_used' and w.at >= $1 and w.manufacturer_id is not null
          and not exists (select 1 from alerts a where a.kind = 'cloned_code' and a.dedupe_key = encode(w.code_hash, 'hex'))
        group by w.code_hash, w.manufacturer_id
      ),
      askers as (
        select distinct w.code_hash, w.customer_id from window_ w where w.outcome = 'already_used' and w.at >= $1
      ),
      recount as (
        select c.* from cloned c
        where not exists (select 1 from clone_counted k where k.code_hash = c.code_hash)
          or exists (select 1 from codes o where o.hash = c.code_hash
                     and (o.dispensed_at >= $1 or o.consumed_at >= $1))
          or exists (select 1 from askers a where a.code_hash = c.code_hash
                     and not exists (select 1 from interactions j where j.code_hash = a.code_hash
                                     and coalesce(j.customer_id = a.customer_id and j.at < $1, false)))
      ),
      counted as (
        insert into clone_counted (code_hash) select code_hash from recount on conflict do nothing
      ),
      cloned_counts as (
        select c.code_hash, c.manufacturer_id, c.batch_id, count(distinct i.customer_id) as customers,
               array_agg(distinct i.channel) as channels
        from recount c join interactions i on i.code_hash = c.code_hash
        group by c.code_hash, c.manufacturer_id, c.batch_id
        having count(distinct i.customer_id) >= $2
      ),
      recalled as (
        select w.manufacturer_id, w.batch_id, (w.at at time zone 'UTC')::date as day, count(*) as checks
        from window_ w where w.outcome = 'recalled'
        group by 1, 2, 3
      ),
      recounted as (
        insert into fake_counts (by_, who, since, fakes)
        select 'sender', encode(w.customer_id, 'hex'), date_bin('10 seconds', w.at, timestamptz '2000-01-01Z'), count(*)
        from window_ w where w.outcome = 'fake'
        group by 2, 3
        union all
        select 'region', coalesce(c.region, p.region, 'unknown'), date_bin('10 seconds', w.at, timestamptz '2000-01-01Z'), count(*)
        from window_ w left join customers c on c.id = w.customer_id left join pharmacies p on p.id = c.pharmacy_id
        where w.outcome = 'fake'
        group by 2, 3
        on conflict (by_, who, since) do update set fakes = excluded.fakes
        returning by_, who, since, fakes
      ),
      bursts as (
        select x.by_, x.who, sum(x.fakes) as fakes
        from (
          select by_, who, since, fakes from recounted
          union all
          select f.by_, f.who, f.since, f.fakes from fake_counts f
          where f.since < $5
            and (f.by_, f.who) in (select by_, who from recounted)
        ) x
        where x.since >= $6
        group by x.by_, x.who
        having sum(x.fakes) >= case when x.by_ = 'sender' then $3 else $3 * 5 end
      ),
      forgotten as (
        delete from fake_counts
        where since < least($5, $6)
      ),
      found as (
        insert into alerts (manufacturer_id, kind, dedupe_key, details)
        select c.manufacturer_id, 'cloned_code', encode(c.code_hash, 'hex'),
               jsonb_build_object('batchId', c.batch_id, 'lot', b.lot, 'customers', c.customers,
                                  'channels', to_jsonb(c.channels))
        from cloned_counts c left join batches b on b.id = c.batch_id
        union all
        select r.manufacturer_id, 'recalled_check', r.batch_id || '@' || r.day,
               jsonb_build_object('batchId', r.batch_id, 'lot', b.lot, 'date', r.day, 'checks', r.checks)
        from recalled r left join batches b on b.id = r.batch_id
        union all
        select null, 'fake_burst',
               by_ || ':' || who || '@' || to_char($4::timestamptz at time zone 'UTC', 'YYYY-MM-DD"T"HH24'),
               jsonb_build_object(by_, case when by_ = 'sender' then left(who, 16) else who end,
                                  'fakesLastHour', fakes)
        from bursts
        on conflict (kind, dedupe_key) do nothing
        returning id, manufacturer_id, kind
      ),
      queued as (
        insert into webhook_deliveries (alert_id, manufacturer_id)
        select f.id, f.manufacturer_id from found f join webhooks h on h.manufacturer_id = f.manufacturer_id
        returning alert_id
      )
      -- per kind: the alerts raised, and how many of them went to a webhook
      select f.kind, count(*) as raised, count(q.alert_id) as queued
      from found f left join queued q on q.alert_id = f.id
      group by f.kind
      """;

  private final Vertx vertx;
  private final Pool pool;
  private final int cloneCustomers;
  private final int burstFakes;
  private final Clock clock;
  /** How far back of the last scan a scan reads again, for checks that committed late. */
  private final Duration overlap;
  /** The scan statement's time on the instance holding the lock: what the scan costs PostgreSQL. */
  private final Timer scans;
  /** New alerts by kind, each registered at start so a dashboard sees 0 rather than nothing. */
  private final Map<String, Counter> raised = new HashMap<>();
  private OffsetDateTime scannedTo;
  private Periodic timer;

  /**
   * A check is stamped when its group is sent and committed within {@code commitTimeout} or abandoned,
   * so a scan rereads that much before its last one, plus slack for the instances' clocks.
   */
  public AlertScanner(Vertx vertx, Pool pool, int cloneCustomers, int burstFakes, Clock clock,
      Duration commitTimeout, MeterRegistry metrics) {
    this.vertx = vertx;
    this.pool = pool;
    this.cloneCustomers = cloneCustomers;
    this.burstFakes = burstFakes;
    this.clock = clock;
    this.overlap = commitTimeout.plus(CLOCK_SLACK);
    this.scans = Timer.builder("packcheck.alert.scan").description("alert scan statements run by this instance")
        .register(metrics);
    for (String kind : List.of("cloned_code", "recalled_check", "fake_burst")) {
      raised.put(kind, Counter.builder("packcheck.alerts.raised").tag("kind", kind)
          .description("alerts raised by this instance's scans").register(metrics));
    }
    this.scannedTo = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC).minusHours(1);
  }

  public void start(Duration every) {
    timer = Periodic.every(vertx, every, this::scan, LOG, "Alert scan failed; the next one covers the same checks");
  }

  public void stop() {
    timer.stop();
  }

  /** One scan; completes with how many alerts were queued for webhooks (0 if another instance scans). */
  Future<Integer> scan() {
    OffsetDateTime started = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    OffsetDateTime from = scannedTo.minus(overlap);
    return pool.withTransaction((SqlConnection conn) -> conn.query(TRY_LOCK).execute().compose(locked ->
        !locked.iterator().next().getBoolean(0)
            ? Future.succeededFuture(0)
            : conn.query(CUSTOM_PLANS).execute()
                .compose(v -> timed(() -> conn.preparedQuery(SCAN).execute(Tuple.of(from, cloneCustomers, burstFakes,
                    started, stretch(from), stretch(started.minusHours(1))))))
                .map(this::countRaised)))
        .onSuccess(n -> scannedTo = started);
  }

  /** Counts the scan's new alerts by kind; returns how many were queued for webhooks. */
  private int countRaised(RowSet<Row> kinds) {
    int queued = 0;
    for (Row kind : kinds) {
      raised.get(kind.getString("kind")).increment(kind.getLong("raised"));
      queued += kind.getInteger("queued");
    }
    return queued;
  }

  /** The 10-second stretch of {@code fake_counts} that {@code t} falls in (stretches start at 2000-01-01Z). */
  private static OffsetDateTime stretch(OffsetDateTime t) {
    long seconds = t.toEpochSecond();
    return Instant.ofEpochSecond(seconds - Math.floorMod(seconds, STRETCH_SECONDS)).atOffset(ZoneOffset.UTC);
  }

  private <T> Future<T> timed(Supplier<Future<T>> statement) {
    long begun = System.nanoTime();
    return statement.get().onComplete(ar -> scans.record(System.nanoTime() - begun, TimeUnit.NANOSECONDS));
  }
}
