package com.packcheck.check;

import com.packcheck.code.Crockford;
import com.packcheck.codecache.CodeState;
import com.packcheck.postgres.SqlFile;
import com.packcheck.postgres.SqlStates;
import com.packcheck.postgres.Unavailable;
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
import java.time.Instant;
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

  /** The group's statement: one step per comment in the file. */
  static final String CHECK_GROUP = SqlFile.load("check/check-group.sql");

  /** An idempotent replay: the stored answer, under the group statement's column names. */
  static final String REPLAY = SqlFile.load("check/replay.sql");

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
  /** Groups whose write failed or timed out: their checks were answered 503 (or 500 for a fault of ours). */
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
        .description("groups of checks the ledger did not confirm (their checks answered 503, or 500 when PostgreSQL "
            + "was reachable but refused the statement)").register(metrics);
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
        failAll(group, unavailableOrNot(ar.cause()));
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
    Tuple columns = groupTuple(group.stream().map(Pending::request).toList(), clock.instant());
    return conn.preparedQuery(CHECK_GROUP).execute(columns).compose(rows -> {
      commits.record(System.nanoTime() - sent, TimeUnit.NANOSECONDS);
      groupSizes.record(group.size());
      List<Answered> answers = new ArrayList<>(group.size());
      List<Future<Void>> replays = new ArrayList<>();
      for (Row row : rows) {
        Pending p = group.get(row.getInteger("idx"));
        if (row.getString("outcome") == null) {
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
          } else if (!Arrays.equals(row.getBuffer("code_hash").getBytes(), r.codeHash())
              || !row.getString("action").equals(r.action().wire())) {
            p.promise.tryFail(new IdempotencyMismatchException());
          } else {
            p.promise.tryComplete(answer(row));
          }
          return (Void) null;
        })
        .onFailure(e -> p.promise.tryFail(unavailableOrNot(e)));
  }

  /** PostgreSQL unavailable: the caller is told to retry; anything else reaches it as it is (a 500). */
  private static Throwable unavailableOrNot(Throwable failure) {
    return Unavailable.is(failure) ? new LedgerUnavailableException("the ledger could not confirm the check", failure)
        : failure;
  }

  private static void failAll(List<Pending> group, Throwable error) {
    group.forEach(p -> p.promise.tryFail(error));
  }

  /** The group's columns ($1-$10) and its time ($11), read once for the whole group. */
  static Tuple groupTuple(List<CheckRequest> group, Instant at) {
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
      CheckRequest r = group.get(i);
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
        .addValue(traits).addValue(light).addValue(OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
  }

  private static Answer answer(Row row) {
    Short state = row.getShort("code_state");
    return new Answer(
        Outcome.fromWire(row.getString("outcome")),
        row.getBoolean("first_check"),
        row.getOffsetDateTime("first_verified_at"),
        row.getOffsetDateTime("dispensed_at"),
        row.getString("product"),
        row.getString("gtin"),
        row.getString("lot"),
        row.getLocalDate("expiry"),
        reference(row.getLong("interaction_id")),
        state == null ? null : CodeState.ofNumber(state),
        row.getLong("manufacturer_id"));
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
