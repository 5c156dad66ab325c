package com.packcheck.ledger;

import com.packcheck.code.Crockford;
import com.packcheck.store.SqlStates;
import com.packcheck.verify.Action;
import com.packcheck.verify.Answer;
import com.packcheck.verify.CheckRequest;
import com.packcheck.verify.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: the checks that arrive while a group is in PostgreSQL form the next group, written as
 * one statement (one implicit transaction). PostgreSQL decides every outcome: rows are locked in hash
 * order (no deadlocks between instances), the first request per code is the candidate for the guarded
 * UPDATE, and every answer's interaction is inserted in the same statement. Nothing is answered before
 * that statement has committed.
 *
 * <p>The group's time ({@code $11}: the interactions' {@code at}, the dispensing and consuming times, the
 * day expiry is judged on) is read once from {@link #clock}, not PostgreSQL's {@code now()}, so a test can
 * run traffic across a month boundary it chose.
 *
 * <p>Confined to the event loop of the verticle that owns it: no locks.
 */
public final class LedgerWriter {
  private static final Logger LOG = LoggerFactory.getLogger(LedgerWriter.class);

  static final String CHECK_GROUP = """
      with input as materialized (
        select r.idx, r.hash, r.action, r.customer, r.pharmacy, r.channel, r.ikey, r.len, r.traits, r.light,
               nextval('interactions_id_seq') as iid
        from unnest($1::int4[], $2::bytea[], $3::text[], $4::bytea[], $5::int8[], $6::text[], $7::text[],
                    $8::int4[], $9::int4[], $10::bool[])
          as r(idx, hash, action, customer, pharmacy, channel, ikey, len, traits, light)
      ),
      claimed as (
        insert into idempotency_keys (customer_id, key, interaction_id)
        select customer, ikey, iid from input where ikey is not null order by customer, ikey
        on conflict do nothing
        returning interaction_id
      ),
      live as materialized (
        select * from input where ikey is null or iid in (select interaction_id from claimed)
      ),
      peeked as materialized (
        select c.hash, c.batch_id, c.state, c.dispensed_by, c.dispensed_at, c.consumed_by, c.consumed_at
        from codes c
        where c.hash = any(array(select hash from live where light))
      ),
      locked as materialized (
        select c.hash, c.batch_id, c.state, c.dispensed_by, c.dispensed_at, c.consumed_by, c.consumed_at
        from codes c
        where c.hash = any(array(
          select hash from live where not light
          union
          select p.hash from peeked p join live i on i.hash = p.hash
          where i.action <> 'verify' and (p.state = 0 or (i.action = 'check' and p.state = 1))))
        order by c.hash
        for no key update
      ),
      present as (
        select * from locked
        union all
        select * from peeked where hash not in (select hash from locked)
      ),
      candidate as (
        select distinct on (l.hash) l.hash, i.idx, i.action, i.customer, i.pharmacy
        from live i
        join locked l on l.hash = i.hash
        join batches b on b.id = l.batch_id
        where i.action in ('dispense', 'check')
          and (l.state = 0 or (i.action = 'check' and l.state = 1))
          and b.state = 'active' and b.expiry >= ($11::timestamptz at time zone 'utc')::date
        order by l.hash, i.idx
      ),
      changed as (
        update codes c set
          state        = case when x.action = 'dispense' then 1 else 2 end,
          dispensed_by = case when x.action = 'dispense' then x.pharmacy else c.dispensed_by end,
          dispensed_at = case when x.action = 'dispense' then $11::timestamptz else c.dispensed_at end,
          consumed_by  = case when x.action = 'check' then x.customer else c.consumed_by end,
          consumed_at  = case when x.action = 'check' then $11::timestamptz else c.consumed_at end
        from candidate x
        where c.hash = x.hash and (c.state = 0 or (x.action = 'check' and c.state = 1))
        returning c.hash, c.batch_id, c.state, c.dispensed_by, c.dispensed_at, c.consumed_by, c.consumed_at,
                  x.idx as changer
      ),
      post as (
        select l.*, null::int4 as changer from present l where l.hash not in (select hash from changed)
        union all
        select * from changed
      ),
      judged as (
        select i.idx, i.iid, i.hash, i.action, i.customer, i.channel, i.ikey,
               p.batch_id, b.manufacturer_id, b.product_id, b.lot, b.expiry,
               coalesce(p.changer = i.idx, false) as first_check,
               case
                 when p.hash is null then
                   case when exists (select 1 from batch_formats f join batches fb on fb.id = f.batch_id
                                     where f.length = i.len and fb.state <> 'draft'
                                       and (i.traits & f.required_traits) = f.required_traits)
                        then 'fake' else 'invalid' end
                 when b.state = 'draft' then 'inactive'
                 when b.state = 'recalled' then 'recalled'
                 when b.expiry < ($11::timestamptz at time zone 'utc')::date then 'expired'
                 when p.state = 0
                   or (p.state = 1 and (i.action = 'check' or p.dispensed_by = i.pharmacy))
                   or (p.state = 2 and i.action = 'check' and p.consumed_by = i.customer) then 'genuine'
                 else 'already_used'
               end as outcome,
               p.state, p.dispensed_at, p.consumed_at
        from live i
        left join post p on p.hash = i.hash
        left join batches b on b.id = p.batch_id
      ),
      answered as (
        select j.*,
               case when j.outcome not in ('genuine', 'already_used') then null
                    when j.action = 'check' then j.consumed_at
                    else coalesce(j.dispensed_at, j.consumed_at) end as first_verified_at,
               case when j.outcome in ('genuine', 'already_used') then j.dispensed_at end as shown_dispensed_at
        from judged j
      ),
      recorded as (
        insert into interactions (id, at, channel, customer_id, action, code_hash, batch_id, manufacturer_id,
                                  outcome, first_check, first_verified_at, dispensed_at, price, currency,
                                  idempotency_key)
        select a.iid, $11::timestamptz, a.channel, a.customer, a.action, a.hash, a.batch_id, a.manufacturer_id,
               a.outcome, a.first_check, a.first_verified_at, a.shown_dispensed_at,
               coalesce(m.price_per_check, 0), m.currency, a.ikey
        from answered a left join manufacturers m on m.id = a.manufacturer_id
      )
      select i.idx, a.outcome, a.first_check, a.first_verified_at, a.shown_dispensed_at, i.iid,
             pr.name, pr.gtin, a.lot, a.expiry, a.state, a.manufacturer_id
      from input i
      left join answered a on a.idx = i.idx
      left join products pr on pr.id = a.product_id
      """;

  /** An idempotent replay: the stored answer, in the same column order as {@link #CHECK_GROUP}. */
  static final String REPLAY = """
      select 0, i.outcome, i.first_check, i.first_verified_at, i.dispensed_at, i.id,
             pr.name, pr.gtin, b.lot, b.expiry, (select c.state from codes c where c.hash = i.code_hash),
             i.manufacturer_id, i.code_hash, i.action
      from idempotency_keys k
      join interactions i on i.id = k.interaction_id
      left join batches b on b.id = i.batch_id
      left join products pr on pr.id = b.product_id
      where k.customer_id = $1 and k.key = $2
      """;

  private static final Set<String> RETRYABLE = Set.of("40P01", "40001");

  private final Vertx vertx;
  private final PgConnectOptions options;
  private final Duration commitTimeout;
  private final Clock clock;
  private final int maxGroup;
  /**
   * One dedicated connection per group in flight. Not a pool: a connection whose reply is late must be
   * closed for real, or the late reply would be read as the answer to the next statement.
   */
  private final PgConnection[] connections;
  private final boolean[] busy;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  /** From a group's statement sent to its commit confirmed: most of a check's time is one or two of these. */
  private final Timer commits;
  private final DistributionSummary groupSizes;
  /** From a check queued to its answer: the group in flight, if any, then its own. */
  private final Timer waits;
  /** Groups whose write failed or timed out: each such check was answered 503. */
  private final Counter failures;
  private final String channel;
  private boolean draining;

  public LedgerWriter(Vertx vertx, PgConnectOptions options, Duration commitTimeout, Clock clock, int maxGroup,
      int maxInFlight, MeterRegistry metrics, String channel) {
    this.vertx = vertx;
    this.options = options;
    this.commitTimeout = commitTimeout;
    this.clock = clock;
    this.maxGroup = maxGroup;
    this.connections = new PgConnection[maxInFlight];
    this.busy = new boolean[maxInFlight];
    this.commits = Timer.builder("packcheck.ledger.commit").tag("channel", channel)
        .description("a group of checks: statement sent to commit confirmed")
        .publishPercentiles(0.5, 0.99, 0.999).register(metrics);
    this.groupSizes = DistributionSummary.builder("packcheck.ledger.group.checks").tag("channel", channel)
        .description("checks in a committed group").register(metrics);
    this.waits = Timer.builder("packcheck.ledger.wait").tag("channel", channel)
        .description("a check: queued for the ledger to answered from it")
        .publishPercentiles(0.5, 0.99, 0.999).register(metrics);
    this.failures = Counter.builder("packcheck.ledger.failures").tag("channel", channel)
        .description("groups of checks the ledger did not confirm (their checks answered 503)").register(metrics);
    this.channel = channel;
  }

  /** Queues a check; the future completes after its interaction is committed. */
  public Future<Answer> submit(CheckRequest request) {
    if (draining) {
      return Future.failedFuture(new LedgerUnavailableException("shutting down", null));
    }
    long queued = System.nanoTime();
    Promise<Answer> promise = Promise.promise();
    queue.add(new Pending(request, promise));
    flush();
    return promise.future().onSuccess(answer -> waits.record(System.nanoTime() - queued, TimeUnit.NANOSECONDS));
  }

  /** Stops taking checks; completes once every queued and in-flight group has finished. */
  public Future<Void> drain() {
    draining = true;
    Promise<Void> done = Promise.promise();
    awaitIdle(done);
    return done.future().onComplete(v -> {
      for (PgConnection c : connections) {
        if (c != null) {
          c.close();
        }
      }
    });
  }

  private void awaitIdle(Promise<Void> done) {
    boolean idle = queue.isEmpty();
    for (boolean b : busy) {
      idle &= !b;
    }
    if (idle) {
      done.complete();
    } else {
      vertx.setTimer(5, id -> awaitIdle(done));
    }
  }

  private void flush() {
    for (int slot = 0; slot < busy.length && !queue.isEmpty(); slot++) {
      if (!busy[slot]) {
        int s = slot;
        busy[s] = true;
        List<Pending> group = nextGroup();
        guarded(s, group, conn -> write(conn, group, true)).onComplete(ar -> {
          busy[s] = false;
          // The checks queued meanwhile leave first: answering a large group's callers (their HTTP
          // replies, Redis settles) keeps the loop busy for milliseconds that they would wait on.
          flush();
          if (ar.succeeded()) {
            ar.result().forEach(Answered::deliver);
          }
        });
      }
    }
  }

  /**
   * Takes the next group off the queue. A request stays queued for the next group when its
   * idempotency key or, for a different state change, its code is already in this one: one
   * statement changes a code at most once and claims a key at most once.
   */
  private List<Pending> nextGroup() {
    List<Pending> group = new ArrayList<>(Math.min(queue.size(), maxGroup));
    Set<String> keys = new HashSet<>();
    Map<ByteBuffer, Action> changes = new HashMap<>();
    ArrayDeque<Pending> deferred = new ArrayDeque<>();
    while (group.size() < maxGroup && !queue.isEmpty()) {
      Pending p = queue.poll();
      CheckRequest r = p.request;
      boolean keyTaken = r.idempotencyKey() != null
          && !keys.add(Arrays.toString(r.customerId()) + '\0' + r.idempotencyKey());
      boolean otherChange = false;
      if (!keyTaken && r.action().changesState()) {
        Action first = changes.putIfAbsent(ByteBuffer.wrap(r.codeHash()), r.action());
        otherChange = first != null && first != r.action();
      }
      if (keyTaken || otherChange) {
        deferred.add(p);
      } else {
        group.add(p);
      }
    }
    while (!deferred.isEmpty()) {
      queue.addFirst(deferred.pollLast());
    }
    return group;
  }

  /**
   * Runs {@code work} on the slot's connection (connecting if needed). If it has not finished within
   * the commit timeout, the connection is closed and the outcome counts as unknown: every caller still
   * waiting is told to retry, and a retry reads the truth from PostgreSQL. The answers it returns are
   * the caller's to deliver.
   */
  private Future<List<Answered>> guarded(int slot, List<Pending> group,
      Function<PgConnection, Future<List<Answered>>> work) {
    Promise<List<Answered>> done = Promise.promise();
    long timer = vertx.setTimer(commitTimeout.toMillis(), id -> {
      if (done.tryComplete(List.of())) {
        failures.increment();
        closeSlot(slot);
        failAll(group, new LedgerUnavailableException("PostgreSQL did not answer in time", null));
      }
    });
    connection(slot).compose(work).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.failed()) {
        failures.increment();
        LOG.atWarn().addKeyValue("channel", channel).addKeyValue("checks", group.size())
            .log("Ledger write failed: {}", ar.cause().toString());
        failAll(group, new LedgerUnavailableException("the ledger could not confirm the check", ar.cause()));
      }
      done.tryComplete(ar.succeeded() ? ar.result() : List.of());
    });
    return done.future();
  }

  private Future<PgConnection> connection(int slot) {
    PgConnection existing = connections[slot];
    if (existing != null) {
      return Future.succeededFuture(existing);
    }
    return PgConnection.connect(vertx, options).onSuccess(conn -> {
      connections[slot] = conn;
      conn.closeHandler(v -> {
        if (connections[slot] == conn) {
          connections[slot] = null;
        }
      });
    });
  }

  private void closeSlot(int slot) {
    PgConnection conn = connections[slot];
    connections[slot] = null;
    if (conn != null) {
      conn.close();
    }
  }

  /**
   * Writes one group; its answers are for the caller to deliver (replays of a used idempotency key are
   * answered here). A failed future means the callers are told to retry.
   */
  private Future<List<Answered>> write(PgConnection conn, List<Pending> group, boolean mayRetry) {
    long sent = System.nanoTime();
    return conn.preparedQuery(CHECK_GROUP).execute(groupTuple(group, clock)).compose(rows -> {
      commits.record(System.nanoTime() - sent, TimeUnit.NANOSECONDS);
      groupSizes.record(group.size());
      List<Answered> answers = new ArrayList<>(group.size());
      List<Future<Void>> replays = new ArrayList<>();
      for (Row row : rows) {
        Pending p = group.get(row.getInteger(0));
        if (row.getString(1) == null) {
          replays.add(replay(conn, p));
        } else {
          answers.add(new Answered(p, answer(row)));
        }
      }
      // a replay that fails has told its own caller; the group's answers stand, committed as they are
      return Future.join(replays).transform(ignored -> Future.succeededFuture(answers));
    }, failure -> {
      if (mayRetry && isSql(failure, RETRYABLE)) {
        return write(conn, group, false);
      }
      if (group.size() > 1 && SqlStates.isRowProblem(failure)) {
        // One bad row must not fail its neighbours: write each on its own.
        LOG.warn("Group of {} failed ({}); writing its checks one by one", group.size(), failure.getMessage());
        return Future.join(group.stream()
            .map(p -> write(conn, List.of(p), true).onSuccess(single -> single.forEach(Answered::deliver)))
            .toList()).map(List.of());
      }
      return Future.failedFuture(failure);
    });
  }

  /** Answers a request whose idempotency key was already used: the stored answer, if it is the same request. */
  private Future<Void> replay(PgConnection conn, Pending p) {
    CheckRequest r = p.request;
    return conn.preparedQuery(REPLAY).execute(Tuple.of(Buffer.buffer(r.customerId()), r.idempotencyKey()))
        .map(rows -> {
          Row row = rows.iterator().hasNext() ? rows.iterator().next() : null;
          if (row == null) {
            p.promise.tryFail(new LedgerUnavailableException("idempotency key claimed but not readable", null));
          } else if (!Arrays.equals(row.getBuffer(12).getBytes(), r.codeHash())
              || !row.getString(13).equals(r.action().wire())) {
            p.promise.tryFail(new IdempotencyMismatchException());
          } else {
            p.promise.tryComplete(answer(row));
          }
          return (Void) null;
        })
        .onFailure(e -> p.promise.tryFail(new LedgerUnavailableException("the ledger could not confirm the check", e)));
  }

  private static void failAll(List<Pending> group, Throwable error) {
    group.forEach(p -> p.promise.tryFail(error));
  }

  /** The group's columns ($1-$10) and its time ($11), read once for the whole group. */
  private static Tuple groupTuple(List<Pending> group, Clock clock) {
    int n = group.size();
    Integer[] idx = new Integer[n];
    Buffer[] hashes = new Buffer[n];
    String[] actions = new String[n];
    Buffer[] customers = new Buffer[n];
    Long[] pharmacies = new Long[n];
    String[] channels = new String[n];
    String[] keys = new String[n];
    Integer[] lengths = new Integer[n];
    Integer[] traits = new Integer[n];
    Boolean[] light = new Boolean[n];
    for (int i = 0; i < n; i++) {
      CheckRequest r = group.get(i).request;
      idx[i] = i;
      hashes[i] = Buffer.buffer(r.codeHash());
      actions[i] = r.action().wire();
      customers[i] = Buffer.buffer(r.customerId());
      pharmacies[i] = r.pharmacyId();
      channels[i] = r.channel();
      keys[i] = r.idempotencyKey();
      lengths[i] = r.length();
      traits[i] = r.traits();
      light[i] = r.light();
    }
    return Tuple.of(idx, hashes, actions, customers, pharmacies, channels, keys, lengths)
        .addValue(traits).addValue(light).addValue(OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
  }

  private static Answer answer(Row row) {
    return new Answer(
        Outcome.fromWire(row.getString(1)),
        row.getBoolean(2),
        row.getOffsetDateTime(3),
        row.getOffsetDateTime(4),
        row.getString(6),
        row.getString(7),
        row.getString(8),
        row.getLocalDate(9),
        reference(row.getLong(5)),
        codeState(row.getShort(10)),
        row.getLong(11));
  }

  /** PostgreSQL's state of the code after the check, as Redis spells it; null if unknown. */
  private static Character codeState(Short state) {
    if (state == null) {
      return null;
    }
    return switch (state) {
      case 0 -> 'A';
      case 1 -> 'D';
      default -> 'C';
    };
  }

  /** The short id of an interaction that people read out and type back. */
  public static String reference(long interactionId) {
    return Crockford.encode(interactionId, 6);
  }

  private static boolean isSql(Throwable failure, Set<String> states) {
    return failure instanceof PgException pg && states.contains(pg.getSqlState());
  }

  private record Pending(CheckRequest request, Promise<Answer> promise) {
  }

  /** A committed check's answer, not yet given to its caller. */
  private record Answered(Pending pending, Answer answer) {
    void deliver() {
      pending.promise.tryComplete(answer);
    }
  }
}
