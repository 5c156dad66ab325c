package com.packcheck.codecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.packcheck.code.CodeNormalizer;
import com.packcheck.code.Hmac;
import com.packcheck.support.Answers;
import com.packcheck.support.Client;
import com.packcheck.support.OwnRedis;
import com.packcheck.support.Stack;
import com.packcheck.support.TcpProxy;
import com.packcheck.support.World;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Redis flushed, rolled back, losing keys or replies: answers stay right")
class RedisFaultTest {
  static OwnRedis redis;
  static TcpProxy redisProxy;
  static World world;
  static Stack stack;
  static Client one;
  static Client two;
  static Client viaProxy;
  static HotCodes inspect;
  static Stack.Account pharmacyA;
  static Stack.Account pharmacyB;
  final Answers answers = world.answers;

  @BeforeAll
  static void start() throws Exception {
    redis = new OwnRedis();
    redisProxy = new TcpProxy("127.0.0.1", redis.port());
    world = new World(7, Map.of("PACKCHECK_REDIS_URL", redis.url()), Map.of("PACKCHECK_REDIS_URL", redis.url()),
        Map.of("PACKCHECK_REDIS_URL", "redis://127.0.0.1:" + redisProxy.port()));
    stack = world.stack;
    one = world.instance(0);
    two = world.instance(1);
    viaProxy = world.instance(2);
    inspect = new HotCodes(redis.url(), stack.redisPrefix, 17, Duration.ofSeconds(1));
    pharmacyA = world.pharmacyA;
    pharmacyB = world.pharmacyB;
  }

  @AfterEach
  void heal() {
    redisProxy.heal();
  }

  @AfterAll
  static void stop() throws Exception {
    inspect.close();
    world.close();
    redisProxy.close();
    redis.close();
  }

  @Test
  @DisplayName("after FLUSHALL between checks every answer stays right, and Redis is rebuilt from PostgreSQL")
  void flushBetweenChecks() throws Exception {
    List<String> codes = world.activeCodes(3);
    awaitRedis("complete");
    assertThat(dispense(one, pharmacyA, codes.get(0)).getBoolean("firstCheck")).isTrue();
    redis.flushAll();

    assertThat(dispense(two, pharmacyB, codes.get(0)).getString("outcome")).isEqualTo("already_used");
    JsonObject again = dispense(one, pharmacyA, codes.get(0));
    assertThat(again.getString("outcome")).isEqualTo("genuine");
    assertThat(again.getBoolean("firstCheck")).isFalse();
    assertThat(dispense(two, pharmacyB, codes.get(1)).getBoolean("firstCheck")).isTrue();
    assertThat(dispense(one, pharmacyA, Stack.codes(1).get(0)).getString("outcome")).isEqualTo("fake");

    // the flush took the marker with it: a rebuild brings back even the codes nobody checked since
    awaitCondition(() -> "A".equals(state(codes.get(2))), () -> state(codes.get(2)) + " " + readiness());
    awaitRedis("complete");
    assertThat(state(codes.get(0))).isEqualTo("D");
    assertThat(state(codes.get(1))).isEqualTo("D");
    world.checkInvariants(codes);
  }

  @Test
  @DisplayName("FLUSHALL again and again during a race of 200 dispenses per code: still exactly one first check")
  void flushDuringRace() throws Exception {
    List<String> codes = world.activeCodes(8);
    AtomicBoolean racing = new AtomicBoolean(true);
    Thread flusher = new Thread(() -> {
      while (racing.get()) {
        redis.flushAll();
        sleep(15);
      }
    });
    flusher.start();
    try {
      race(codes, 200);
    } finally {
      racing.set(false);
      flusher.join();
    }
    world.checkInvariants(codes);
  }

  @Test
  @DisplayName("Redis restarted from an older snapshot: answers stay right and newer states are never overwritten")
  void olderSnapshot() throws Exception {
    List<String> codes = world.activeCodes(3);
    awaitRedis("complete");
    Path beforeDispenses = redis.snapshot();
    assertThat(dispense(one, pharmacyA, codes.get(0)).getBoolean("firstCheck")).isTrue();
    assertThat(dispense(one, pharmacyA, codes.get(1)).getBoolean("firstCheck")).isTrue();

    // No activation since the snapshot, but another Redis run: its marker no longer matches; until
    // the rebuild, PostgreSQL gives the right answers whatever the old states say.
    redis.restartFrom(beforeDispenses);
    assertThat(dispense(two, pharmacyB, codes.get(0)).getString("outcome")).isEqualTo("already_used");
    JsonObject repeat = dispense(two, pharmacyA, codes.get(1));
    assertThat(repeat.getString("outcome")).isEqualTo("genuine");
    assertThat(repeat.getBoolean("firstCheck")).isFalse();
    awaitCondition(() -> "D".equals(state(codes.get(0))) && "D".equals(state(codes.get(1))),
        () -> state(codes.get(0)) + " " + state(codes.get(1)));
    assertThat(state(codes.get(2))).isEqualTo("A");

    // An activation after the snapshot: the marker is behind, Redis is rebuilt from PostgreSQL.
    Path beforeActivation = redis.snapshot();
    List<String> later = world.activeCodes(2);
    redis.restartFrom(beforeActivation);
    assertThat(dispense(one, pharmacyB, later.get(0)).getBoolean("firstCheck")).isTrue();
    awaitCondition(() -> "A".equals(state(later.get(1))), () -> state(later.get(1)) + " " + readiness());
    awaitRedis("complete");
    assertThat(state(codes.get(0))).as("the rebuild never writes an older state").isEqualTo("D");
    // a rebuild that read PostgreSQL just before a check committed leaves that code behind, never
    // ahead; the code's next check writes the committed state back
    awaitCondition(() -> {
      assertThat(dispense(one, pharmacyB, later.get(0)).getBoolean("firstCheck")).isFalse();
      return "D".equals(state(later.get(0)));
    }, () -> state(later.get(0)));
    List<String> all = new ArrayList<>(codes);
    all.addAll(later);
    world.checkInvariants(all);
  }

  @Test
  @DisplayName("code keys deleted while the load marker stays: a used code is still used, a fresh one dispensed once")
  void keysDeletedUnderTheMarker() throws Exception {
    List<String> codes = world.activeCodes(3);
    awaitRedis("complete");
    assertThat(dispense(one, pharmacyA, codes.get(0)).getBoolean("firstCheck")).isTrue();
    // Redis is set to the committed state as the answer goes out, not before: wait for it, or the
    // deletion below could reach Redis first and the state be written back after it
    awaitCondition(() -> "D".equals(state(codes.get(0))), () -> state(codes.get(0)));
    redis.with(r -> {
      r.keys(stack.redisPrefix + ":{*").forEach(r::del);
      return null;
    });
    assertThat(state(codes.get(0))).isNull();

    assertThat(dispense(two, pharmacyB, codes.get(0)).getString("outcome")).isEqualTo("already_used");
    assertThat(dispense(two, pharmacyA, codes.get(0)).getBoolean("firstCheck")).isFalse();
    race(codes.subList(1, 3), 100);
    world.checkInvariants(codes);
  }

  @Test
  @DisplayName("a swallowed script reply, then a cut link (Lettuce replays): right answers, nothing left pending")
  void lostRedisReply() throws Exception {
    List<String> codes = world.activeCodes(2);
    awaitRedis("complete");
    redisProxy.swallowReplies();
    JsonObject first = dispense(viaProxy, pharmacyA, codes.get(0));
    assertThat(first.getBoolean("firstCheck")).isTrue();
    redisProxy.cut();
    assertThat(dispense(viaProxy, pharmacyB, codes.get(0)).getString("outcome")).isEqualTo("already_used");
    assertThat(dispense(viaProxy, pharmacyB, codes.get(1)).getBoolean("firstCheck")).isTrue();
    redisProxy.heal();
    awaitCondition(() -> "up".equals(viaProxy.get("/ready", null).json().getString("redis")));

    // once Redis answers again, checks of each code write PostgreSQL's state back
    awaitCondition(() -> {
      assertThat(dispense(viaProxy, pharmacyA, codes.get(0)).getBoolean("firstCheck")).isFalse();
      assertThat(dispense(viaProxy, pharmacyB, codes.get(1)).getBoolean("firstCheck")).isFalse();
      return "D".equals(state(codes.get(0))) && "D".equals(state(codes.get(1)));
    }, () -> state(codes.get(0)) + " " + state(codes.get(1)));
    world.checkInvariants(codes);
  }

  @Test
  @DisplayName("a batch activated while Redis is unreachable still answers, and Redis catches up once rebuilt")
  void activationWithoutRedis() throws Exception {
    awaitRedis("complete");
    List<String> codes = Stack.codes(2);
    redisProxy.cut();
    stack.activeBatch(viaProxy, world.maker, world.product, codes);
    assertThat(dispense(viaProxy, pharmacyA, codes.get(0)).getBoolean("firstCheck")).isTrue();
    assertThat(dispense(viaProxy, pharmacyB, codes.get(0)).getString("outcome")).isEqualTo("already_used");
    redisProxy.heal();
    // the marker stayed behind the activation: a rebuild loads the batch with PostgreSQL's states
    awaitCondition(() -> "A".equals(state(codes.get(1))) && "D".equals(state(codes.get(0))),
        () -> state(codes.get(0)) + " " + state(codes.get(1)) + " " + readiness());
    awaitRedis("complete");
    world.checkInvariants(codes);
  }

  private void race(List<String> codes, int perCode) {
    for (String code : codes) {
      List<CompletableFuture<Client.Response>> calls = new ArrayList<>();
      for (int i = 0; i < perCode; i++) {
        Stack.Account who = i % 4 < 2 ? pharmacyA : pharmacyB;
        calls.add((i % 2 == 0 ? one : two).postAsync("/v1/verifications", who.token(),
            new JsonObject().put("code", code).put("action", "dispense")));
      }
      int firsts = 0;
      for (CompletableFuture<Client.Response> call : calls) {
        Client.Response r = call.join();
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        answers.record(code, "dispense", r);
        firsts += r.json().getBoolean("firstCheck") ? 1 : 0;
      }
      assertThat(firsts).as("first checks of %s", code).isEqualTo(1);
    }
  }

  private JsonObject dispense(Client via, Stack.Account pharmacy, String code) {
    Client.Response r = world.check(via, pharmacy, code, "dispense");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  private static String state(String code) {
    byte[] hash = new Hmac(Stack.SECRET.getBytes(StandardCharsets.UTF_8)).code(CodeNormalizer.normalize(code));
    // the inspecting connection reconnects after a restart of the test's Redis
    return await("Redis reachable again").atMost(Duration.ofSeconds(5)).pollInSameThread().pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(50)).ignoreExceptionsInstanceOf(RuntimeException.class)
        .until(() -> Optional.ofNullable(inspect.rawState(hash).join()), read -> true).orElse(null);
  }

  private static String readiness() {
    return one.get("/ready", null).body();
  }

  private static void awaitRedis(String status) {
    awaitCondition(() -> status.equals(one.get("/ready", null).json().getString("redisCodes")), RedisFaultTest::readiness);
  }

  private static void awaitCondition(java.util.function.BooleanSupplier condition) {
    awaitCondition(condition, () -> "");
  }

  /** Until {@code condition} holds; an assertion inside it fails at once, not after the wait. */
  private static void awaitCondition(java.util.function.BooleanSupplier condition,
      java.util.function.Supplier<String> seen) {
    try {
      await().atMost(Duration.ofSeconds(20)).pollInSameThread().pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(50)).until(condition::getAsBoolean);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("waited 20 s for the condition; saw " + seen.get(), e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
