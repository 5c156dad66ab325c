package com.packcheck.codecache;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Code states in Redis, in front of PostgreSQL. Codes live in hash buckets (the bucket from the first
 * bits of the code hash, in a {@code {…}} hash tag so each script call touches one slot; the field is
 * the next 64 bits), with a one-letter value: {@code A} active, {@code D} dispensed, {@code C}
 * consumed, or {@code P<request>:<millis>:<state>} while a request is trying a state change.
 *
 * <p>States only move forward and only PostgreSQL's committed state is ever written back, so Redis can
 * be flushed, lag behind or come back from an old snapshot: the worst it can do is send a check down
 * the slower path where PostgreSQL decides.
 */
public final class HotCodes implements AutoCloseable {
  /** How long a command on the shared connection may take: a pipelined chunk of a rebuild is big. */
  private static final Duration BULK_TIMEOUT = Duration.ofSeconds(2);

  static final String CHECK_AND_MARK = """
      local v = redis.call('HGET', KEYS[1], ARGV[1])
      if not v then return 'M' end
      local s = string.sub(v, 1, 1)
      if s == 'P' then
        local req, under = string.match(v, '^P([^:]+):%d+:(%a)$')
        if req == ARGV[3] then return 'Y' end
        if ARGV[2] == 'v' then return under end
        return 'Q'
      end
      if (ARGV[2] == 'd' and s == 'A') or (ARGV[2] == 'c' and (s == 'A' or s == 'D')) then
        redis.call('HSET', KEYS[1], ARGV[1], 'P' .. ARGV[3] .. ':' .. ARGV[4] .. ':' .. s)
        return 'Y'
      end
      return s
      """;

  /**
   * Writes PostgreSQL's committed states (pairs of field, state), never over a newer one: a pending
   * mark counts as the state under it and gives way to an equal or newer committed state.
   */
  static final String SETTLE = """
      local rank = {A = 1, D = 2, C = 3}
      for i = 1, #ARGV, 2 do
        local v = redis.call('HGET', KEYS[1], ARGV[i])
        local new = rank[ARGV[i + 1]]
        local write = not v
        if v then
          local s = string.sub(v, 1, 1)
          if s == 'P' then write = new >= rank[string.sub(v, -1)] else write = new > rank[s] end
        end
        if write then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
      end
      return 1
      """;

  /** Adds codes of a batch being activated as active, leaving any field already there alone. */
  static final String ADD_ACTIVE = """
      for i = 1, #ARGV do redis.call('HSETNX', KEYS[1], ARGV[i], 'A') end
      return 1
      """;

  /** Moves the load marker forward only from the value the caller saw. */
  static final String ADVANCE_MARKER = """
      local cur = redis.call('GET', KEYS[1])
      if (cur or '') == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end
      return 0
      """;

  /** The scripts' SHA-1s for EVALSHA: the same for every connection. */
  private static final String CHECK_SHA = sha1(CHECK_AND_MARK);
  private static final String SETTLE_SHA = sha1(SETTLE);
  private static final String MARKER_SHA = sha1(ADVANCE_MARKER);
  private static final String ADD_ACTIVE_SHA = sha1(ADD_ACTIVE);

  private final ClientResources resources;
  private final RedisClient client;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final RedisAsyncCommands<byte[], byte[]> redis;
  private final String url;
  private final String prefix;
  private final int bucketBits;
  private final Duration timeout;
  private final byte[] markerKey;

  /**
   * The shared connection, on Lettuce's own I/O threads: activation loads, rebuilds, counters, leases;
   * its commands may take up to {@link #BULK_TIMEOUT}.
   */
  public HotCodes(String url, String prefix, int bucketBits, Duration timeout) {
    this(url, prefix, bucketBits, timeout, RedisClients.create(url, DefaultClientResources.builder(), BULK_TIMEOUT));
  }

  private HotCodes(String url, String prefix, int bucketBits, Duration timeout, RedisClient client) {
    this(url, prefix, bucketBits, timeout, client, client.connect(ByteArrayCodec.INSTANCE));
  }

  private HotCodes(String url, String prefix, int bucketBits, Duration timeout, RedisClient client,
      StatefulRedisConnection<byte[], byte[]> connection) {
    this.resources = client.getResources();
    this.client = client;
    this.connection = connection;
    this.redis = connection.async();
    this.url = url;
    this.prefix = prefix;
    this.bucketBits = bucketBits;
    this.timeout = timeout;
    this.markerKey = bytes(prefix + ":loaded");
  }

  /**
   * Another connection to the same Redis whose I/O runs on {@code loop}, a verticle's event loop: its
   * checks go to Redis and back without handing over to another thread, and the commands the loop
   * sends in one turn leave in one write (flushes consolidated until the turn ends). With a null
   * {@code loop} it runs on Lettuce's own threads. Its commands fail after the Redis timeout, which is
   * how a slow Redis leaves the decision to PostgreSQL.
   */
  public CompletionStage<HotCodes> onLoop(EventLoop loop) {
    DefaultClientResources.Builder resources = RedisClients.smallest();
    if (loop != null) {
      resources.eventLoopGroupProvider(new OneLoop(loop)).nettyCustomizer(new NettyCustomizer() {
        @Override
        public void afterChannelInitialized(Channel channel) {
          channel.pipeline().addFirst(new FlushConsolidationHandler(
              FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        }
      });
    }
    RedisClient laneClient = RedisClients.create(url, resources, timeout);
    return laneClient.connectAsync(ByteArrayCodec.INSTANCE, RedisURI.create(url))
        .thenApply(conn -> new HotCodes(url, prefix, bucketBits, timeout, laneClient, conn))
        .whenComplete((codes, e) -> {
          if (e != null) {
            laneClient.shutdownAsync().thenRun(() -> laneClient.getResources().shutdown());
          }
        });
  }

  /** EVALSHA, falling back to EVAL when Redis lost its script cache (a restart, SCRIPT FLUSH). */
  private <T> CompletableFuture<T> script(String sha, String script, ScriptOutputType type, byte[][] keys,
      byte[]... args) {
    return redis.<T>evalsha(sha, type, keys, args).toCompletableFuture().exceptionallyCompose(e -> {
      Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
      if (cause != null && String.valueOf(cause.getMessage()).startsWith("NOSCRIPT")) {
        return redis.<T>eval(bytes(script), type, keys, args).toCompletableFuture();
      }
      return CompletableFuture.failedFuture(cause == null ? e : cause);
    });
  }

  private static String sha1(String script) {
    try {
      return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(bytes(script)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Atomically checks a code for action {@code d} (dispense) or {@code c} (check) and, if the action
   * may change it, marks it pending for {@code requestId}. Answers {@code Y} (yours to try; also for a
   * replay of the same request), {@code M} (miss), {@code Q} (pending for another request: ask
   * PostgreSQL), or the settled state {@code A}/{@code D}/{@code C} in which the action changes nothing.
   * Redis failing or slower than this connection's command timeout answers {@code Q}: PostgreSQL
   * decides alone. Meant for a connection {@link #onLoop on the caller's event loop}.
   */
  public CompletableFuture<Mark> checkAndMark(byte[] codeHash, Change change, String requestId) {
    return this.<byte[]>script(CHECK_SHA, CHECK_AND_MARK, ScriptOutputType.VALUE, new byte[][] {bucket(codeHash)},
            field(codeHash), new byte[] {change.letter}, bytes(requestId),
            bytes(Long.toString(System.currentTimeMillis())))
        .thenApply(reply -> Mark.ofReply(reply[0]))
        .exceptionally(e -> Mark.ASK_POSTGRES);
  }

  /** Writes one committed state back; failures are harmless (the next check or a rebuild repairs). */
  public CompletableFuture<Void> settle(byte[] codeHash, CodeState state) {
    return this.<Long>script(SETTLE_SHA, SETTLE, ScriptOutputType.INTEGER, new byte[][] {bucket(codeHash)},
            field(codeHash), new byte[] {state.letter})
        .thenApply(r -> (Void) null);
  }

  /**
   * Writes many committed states, one script call per bucket, all pipelined: how the rebuild loads
   * codes. Completes when Redis has acknowledged every call.
   */
  public CompletableFuture<Void> settleAll(List<byte[]> codeHashes, List<CodeState> states) {
    Map<Integer, List<byte[]>> byBucket = new HashMap<>();
    for (int i = 0; i < codeHashes.size(); i++) {
      byte[] hash = codeHashes.get(i);
      List<byte[]> args = byBucket.computeIfAbsent(bucketNumber(hash), k -> new ArrayList<>());
      args.add(field(hash));
      args.add(new byte[] {states.get(i).letter});
    }
    return perBucket(byBucket, SETTLE_SHA, SETTLE);
  }

  /**
   * Adds a batch's codes as active, one script call per bucket, all pipelined: how activation loads
   * codes. Completes when Redis has acknowledged every call.
   */
  public CompletableFuture<Void> addActive(List<byte[]> codeHashes) {
    Map<Integer, List<byte[]>> byBucket = new HashMap<>();
    for (byte[] hash : codeHashes) {
      byBucket.computeIfAbsent(bucketNumber(hash), k -> new ArrayList<>()).add(field(hash));
    }
    return perBucket(byBucket, ADD_ACTIVE_SHA, ADD_ACTIVE);
  }

  private CompletableFuture<Void> perBucket(Map<Integer, List<byte[]>> byBucket, String sha, String script) {
    List<CompletableFuture<Long>> calls = new ArrayList<>(byBucket.size());
    for (Map.Entry<Integer, List<byte[]>> e : byBucket.entrySet()) {
      calls.add(this.<Long>script(sha, script, ScriptOutputType.INTEGER, new byte[][] {bucketKey(e.getKey())},
          e.getValue().toArray(byte[][]::new)));
    }
    return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));
  }

  /**
   * The load marker: {@code <activation>@<run id>}, the last activation whose codes Redis holds, and
   * the Redis run (process) that loaded them; null if absent. A restart, even from a snapshot whose
   * marker was right when it was taken, changes the run id, so the marker no longer matches.
   */
  public CompletableFuture<String> marker() {
    return redis.get(markerKey).toCompletableFuture()
        .thenApply(v -> v == null ? null : new String(v, StandardCharsets.US_ASCII));
  }

  /** The marker Redis would hold, now, when complete up to {@code activation}. */
  public CompletableFuture<String> markerFor(long activation) {
    return redis.info("server").toCompletableFuture().thenApply(info -> {
      for (String line : info.split("\r?\n")) {
        if (line.startsWith("run_id:")) {
          return activation + "@" + line.substring(7).trim();
        }
      }
      throw new IllegalStateException("Redis INFO has no run_id");
    });
  }

  /** Sets the marker to {@code next} if it still is {@code expected} (null: absent). */
  public CompletableFuture<Boolean> advanceMarker(String expected, String next) {
    return this.<Long>script(MARKER_SHA, ADVANCE_MARKER, ScriptOutputType.INTEGER, new byte[][] {markerKey},
            bytes(expected == null ? "" : expected), bytes(next))
        .thenApply(r -> r == 1L);
  }

  /**
   * Counts an event in a window shared by every instance (the counter lives {@code window} from its
   * first event): how the per-sender limit on bad SMS checks is kept. Like a check,
   * it fails after the Redis timeout rather than hold its caller: the callers then do without Redis.
   */
  public CompletableFuture<Long> count(String name, Duration window) {
    byte[] key = bytes(prefix + ":count:" + name);
    return redis.incr(key).toCompletableFuture().thenCompose(n -> n == 1
        ? redis.pexpire(key, window.toMillis()).toCompletableFuture().thenApply(set -> n)
        : CompletableFuture.completedFuture(n))
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The current value of a {@link #count} counter (0 when absent or expired). */
  public CompletableFuture<Long> peek(String name) {
    return redis.get(bytes(prefix + ":count:" + name)).toCompletableFuture()
        .thenApply(v -> v == null ? 0L : Long.parseLong(new String(v, StandardCharsets.US_ASCII)))
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A lease so that one instance at a time rebuilds. */
  public CompletionStage<Boolean> tryLease(String name, String owner, Duration ttl) {
    return redis.set(bytes(prefix + ":lease:" + name), bytes(owner), SetArgs.Builder.nx().px(ttl.toMillis()))
        .thenApply("OK"::equals);
  }

  /** The raw value Redis holds for a code (A, D, C, P…), or null: for operators and tests. */
  public CompletableFuture<String> rawState(byte[] codeHash) {
    return redis.hget(bucket(codeHash), field(codeHash)).toCompletableFuture()
        .thenApply(v -> v == null ? null : new String(v, StandardCharsets.UTF_8));
  }

  public void release(String name) {
    redis.del(bytes(prefix + ":lease:" + name));
  }

  private byte[] bucket(byte[] hash) {
    return bucketKey(bucketNumber(hash));
  }

  private int bucketNumber(byte[] hash) {
    return ((hash[0] & 0xff) << 16 | (hash[1] & 0xff) << 8 | (hash[2] & 0xff)) >>> (24 - bucketBits);
  }

  private byte[] bucketKey(int bucket) {
    return bytes(prefix + ":{" + Integer.toHexString(bucket) + "}");
  }

  private static byte[] field(byte[] hash) {
    byte[] f = new byte[8];
    System.arraycopy(hash, 3, f, 0, 8);
    return f;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Closes and waits: for the shared connection, at shutdown. */
  @Override
  public void close() {
    closeAsync().toCompletableFuture().join();
  }

  /** Closes without blocking: for a connection on an event loop, from that loop. */
  public CompletionStage<Void> closeAsync() {
    return connection.closeAsync()
        .thenCompose(v -> client.shutdownAsync())
        .thenRun(() -> resources.shutdown(0, 2, TimeUnit.SECONDS));
  }

  /** Lettuce's I/O on one given event loop, which is not Lettuce's to shut down. */
  private record OneLoop(EventLoop loop) implements EventLoopGroupProvider {
    @Override
    @SuppressWarnings("unchecked")
    public <T extends EventLoopGroup> T allocate(Class<T> type) {
      return (T) loop;
    }

    @Override
    public int threadPoolSize() {
      return 1;
    }

    @Override
    public io.netty.util.concurrent.Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout,
        TimeUnit unit) {
      return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }

    @Override
    public io.netty.util.concurrent.Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
      return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }
  }
}
