package com.packcheck.codecache;

import com.packcheck.postgres.Database;
import com.packcheck.vertxinternals.EventLoops;
import io.lettuce.core.EpollProvider;
import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redis's place on the verification path, and whether it can be trusted: a Redis miss counts as
 * "not a code of an active batch" only while Redis's load marker equals PostgreSQL's activation
 * sequence, loaded by the Redis process running now. Otherwise (flushed, restarted, an old snapshot, an activation it missed) Redis is rebuilt
 * in the background from PostgreSQL, and PostgreSQL decides meanwhile.
 */
public final class HotState {
  private static final Logger LOG = LoggerFactory.getLogger(HotState.class);
  private static final String ACTIVATION_SEQ = "select case when is_called then last_value else 0 end from activation_seq";
  private static final String BATCH_CODES = "select hash from codes where batch_id = ?";
  private static final String RELEASED_CODES = """
      select c.hash, c.state from codes c join batches b on b.id = c.batch_id where b.state <> 'draft'
      """;
  private static final int CHUNK = 20_000;

  private final Vertx vertx;
  private final HotCodes codes;
  private final Pool pool;
  private final Database db;
  private final String owner = UUID.randomUUID().toString();
  private volatile boolean redisUp;
  private volatile boolean trusted;
  private volatile boolean rebuilding;
  private long timer = -1;

  public HotState(Vertx vertx, HotCodes codes, Pool pool, Database db) {
    this.vertx = vertx;
    this.codes = codes;
    this.pool = pool;
    this.db = db;
  }

  /** Starts watching the load marker (and rebuilding when it is behind). */
  public void start(Duration every) {
    timer = vertx.setPeriodic(0, every.toMillis(), id -> poll());
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  /**
   * A lane for the verticle of {@code context}, on its event loop when Lettuce and Vert.x run the same
   * transport (Lettuce picks epoll whenever Netty's native library loads, whatever Vert.x runs), else
   * on Lettuce's own threads. Call from that verticle's start.
   */
  public Future<HotLane> lane(Context context) {
    EventLoop loop = vertx.isNativeTransportEnabled() == EpollProvider.isAvailable()
        ? EventLoops.of(context)
        : null;
    return Future.fromCompletionStage(codes.onLoop(loop), context).map(laneCodes -> new HotLane(this, laneCodes, context));
  }

  /**
   * Whether the check can skip locking: Redis saw a settled state, or it is a verify, or a miss while
   * Redis holds every active code. PostgreSQL still locks any row in which it finds a state change due.
   */
  public boolean light(Mark mark) {
    return switch (mark) {
      case NOT_ASKED, ACTIVE, DISPENSED, CONSUMED -> true;
      case MISS -> trusted;
      case YOURS, ASK_POSTGRES -> false;
    };
  }

  public boolean redisUp() {
    return redisUp;
  }

  /** Whether Redis holds every active code, so that its misses skip PostgreSQL's locks. */
  public boolean codesComplete() {
    return trusted;
  }

  public JsonObject readiness() {
    return new JsonObject().put("redis", redisUp ? "up" : "down")
        .put("redisCodes", trusted ? "complete" : rebuilding ? "rebuilding" : "behind (PostgreSQL decides)");
  }

  private void poll() {
    Future<String> marker = Future.fromCompletionStage(codes.marker(), vertx.getOrCreateContext());
    Future<String> expected = pool.query(ACTIVATION_SEQ).execute()
        .compose(rows -> Future.fromCompletionStage(codes.markerFor(rows.iterator().next().getLong(0)),
            vertx.getOrCreateContext()));
    Future.join(marker, expected).onComplete(ar -> {
      redisUp = marker.succeeded();
      if (marker.failed() || expected.failed()) {
        trusted = false;
        return;
      }
      trusted = expected.result().equals(marker.result());
      if (!trusted && !rebuilding) {
        // One lease per Redis run: a lease restored from a snapshot must not hold off the rebuild.
        String lease = "rebuild@" + expected.result().substring(expected.result().indexOf('@') + 1);
        Future.fromCompletionStage(codes.tryLease(lease, owner, Duration.ofMinutes(2)), vertx.getOrCreateContext())
            .onSuccess(leased -> {
              if (leased && !rebuilding) {
                rebuilding = true;
                vertx.executeBlocking(() -> {
                  rebuild();
                  return null;
                }, false).onComplete(done -> {
                  rebuilding = false;
                  codes.release(lease);
                  if (done.failed()) {
                    LOG.warn("Redis rebuild failed; PostgreSQL decides until the next one: {}", done.cause().toString());
                  }
                });
              }
            });
      }
    });
  }

  /** Reloads every released code's committed state from PostgreSQL, then moves the marker. Blocking. */
  void rebuild() throws SQLException {
    long started = System.nanoTime();
    String before = codes.marker().join();
    long count = 0;
    long sequence;
    String target;
    try (Connection conn = db.jdbc()) {
      conn.setAutoCommit(false);
      conn.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try (PreparedStatement seq = conn.prepareStatement(ACTIVATION_SEQ); ResultSet rs = seq.executeQuery()) {
        rs.next();
        sequence = rs.getLong(1);
      }
      // named before loading: if Redis restarts meanwhile, the marker names the run that lost the load
      target = codes.markerFor(sequence).join();
      try (PreparedStatement ps = conn.prepareStatement(RELEASED_CODES)) {
        ps.setFetchSize(CHUNK);
        try (ResultSet rs = ps.executeQuery()) {
          count = load(rs, false);
        }
      }
      conn.commit();
    }
    codes.advanceMarker(before, target).join();
    LOG.info("Redis rebuilt from PostgreSQL: {} codes up to activation {} in {} ms", count, sequence,
        (System.nanoTime() - started) / 1_000_000);
  }

  /**
   * Loads a batch's codes as active, on the caller's connection and transaction (which holds the batch
   * row, so no upload can slip in). Blocking. Redis failing here is logged, not fatal: the marker stays
   * behind and PostgreSQL decides until a rebuild.
   */
  public boolean loadBatch(Connection conn, long batchId) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(BATCH_CODES)) {
      ps.setFetchSize(CHUNK);
      ps.setLong(1, batchId);
      try (ResultSet rs = ps.executeQuery()) {
        load(rs, true);
      }
      return true;
    } catch (RuntimeException e) {
      LOG.warn("Could not load batch {} into Redis: {}", batchId, e.toString());
      return false;
    }
  }

  /** Moves the marker from the activation before ours to ours, if nobody else moved it. Blocking. */
  public void advanceAfterActivation(long activation) {
    try {
      codes.advanceMarker(codes.markerFor(activation - 1).join(), codes.markerFor(activation).join()).join();
    } catch (RuntimeException e) {
      LOG.warn("Could not move the Redis load marker: {}", e.toString());
    }
  }

  /**
   * Streams codes to Redis in chunks, one chunk in flight while the next is read: as active (a batch
   * being activated) or at their committed state (a rebuild).
   */
  private long load(ResultSet rs, boolean activating) throws SQLException {
    long count = 0;
    CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);
    List<byte[]> hashes = new ArrayList<>(CHUNK);
    List<CodeState> states = new ArrayList<>(CHUNK);
    boolean more = true;
    while (more) {
      more = rs.next();
      if (more) {
        hashes.add(rs.getBytes(1));
        if (!activating) {
          states.add(CodeState.ofNumber(rs.getShort(2)));
        }
      }
      if (hashes.size() == CHUNK || (!more && !hashes.isEmpty())) {
        inFlight.join();
        inFlight = activating ? codes.addActive(hashes) : codes.settleAll(hashes, states);
        count += hashes.size();
        hashes = new ArrayList<>(CHUNK);
        states = new ArrayList<>(CHUNK);
      }
    }
    inFlight.join();
    return count;
  }

}
