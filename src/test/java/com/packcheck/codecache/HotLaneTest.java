package com.packcheck.codecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.packcheck.support.OwnRedis;
import com.packcheck.support.TestRedis;
import io.lettuce.core.EpollProvider;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.ContextInternal;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A Redis connection on a verticle's event loop. Its timeout is long on purpose: a lost write (a flush
 * that never happens) would answer Q after it, so the answers below can only come from Redis.
 */
@DisplayName("A verticle's Redis connection on its own event loop")
class HotLaneTest {
  static Vertx vertx;
  final String prefix = "lane-" + UUID.randomUUID();
  HotCodes shared;
  Context context;
  HotCodes lane;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().await();
  }

  @BeforeEach
  void connect() {
    assumeThat(vertx.isNativeTransportEnabled()).as("Vert.x and Lettuce on the same transport")
        .isEqualTo(EpollProvider.isAvailable());
    shared = new HotCodes(TestRedis.url(), prefix, 17, Duration.ofSeconds(30));
    context = vertx.getOrCreateContext();
    lane = onContext(() -> shared.onLoop(((ContextInternal) context).nettyEventLoop()).toCompletableFuture());
  }

  @AfterEach
  void close() {
    if (lane != null) {
      onContext(() -> lane.closeAsync().toCompletableFuture());
    }
    TestRedis.deleteKeys(TestRedis.url(), prefix);
    shared.close();
  }

  @Test
  @DisplayName("replies come back on the event loop itself, and a fresh code is marked for the request that asked")
  void repliesOnTheLoop() {
    byte[] code = hash("fresh");
    shared.addActive(List.of(code)).join();
    CompletableFuture<String> thread = new CompletableFuture<>();
    Mark mark = onContext(() -> lane.checkAndMark(code, Change.DISPENSE, "req-1").whenComplete((m, e) ->
        thread.complete(Thread.currentThread().getName())));

    assertThat(mark).isEqualTo(Mark.YOURS);
    assertThat(thread.join()).startsWith("vert.x-eventloop-thread");
    assertThat(shared.rawState(code).join()).startsWith("Preq-1:");
    onContext(() -> lane.settle(code, CodeState.DISPENSED));
    assertThat(shared.rawState(code).join()).isEqualTo("D");
  }

  @Test
  @DisplayName("two hundred checks sent in one turn of the loop all get their own answer")
  void manyInOneTurn() {
    List<byte[]> fresh = new ArrayList<>();
    List<byte[]> used = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      fresh.add(hash("fresh-" + i));
      used.add(hash("used-" + i));
    }
    shared.addActive(fresh).join();
    shared.settleAll(used, used.stream().map(h -> CodeState.DISPENSED).toList()).join();

    List<Mark> marks = onContext(() -> {
      List<CompletableFuture<Mark>> calls = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        calls.add(lane.checkAndMark(fresh.get(i), Change.DISPENSE, "req-" + i));
        calls.add(lane.checkAndMark(used.get(i), Change.DISPENSE, "other-" + i));
      }
      return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
          .thenApply(v -> calls.stream().map(CompletableFuture::join).toList());
    });

    for (int i = 0; i < 100; i++) {
      assertThat(marks.get(2 * i)).as("fresh code %d", i).isEqualTo(Mark.YOURS);
      assertThat(marks.get(2 * i + 1)).as("dispensed code %d", i).isEqualTo(Mark.DISPENSED);
    }
  }

  @Test
  @DisplayName("without an event loop to run on, a lane uses Lettuce's own threads and answers the same")
  void onLettuceThreads() {
    HotCodes own = onContext(() -> shared.onLoop(null).toCompletableFuture());
    try {
      // A listener added after the reply came runs on the thread adding it, not on the one that
      // completed the check: such a try says nothing and another is made.
      String completer = null;
      for (int attempt = 1; attempt <= 20 && completer == null; attempt++) {
        byte[] code = hash("fresh-" + attempt);
        shared.addActive(List.of(code)).join();
        CompletableFuture<String> thread = new CompletableFuture<>();
        CompletableFuture<Mark> mark = own.checkAndMark(code, Change.DISPENSE, "req-" + attempt);
        mark.whenComplete((m, e) -> thread.complete(Thread.currentThread().getName()));

        assertThat(mark.join()).isEqualTo(Mark.YOURS);
        if (!thread.join().equals(Thread.currentThread().getName())) {
          completer = thread.join();
        }
      }
      assertThat(completer).as("the thread that completed a check").startsWith("lettuce-");
    } finally {
      own.close();
    }
  }

  @Test
  @DisplayName("a lane to a Redis that has gone fails to open (the verticle does not start) rather than hang")
  void redisGone() throws Exception {
    OwnRedis gone = new OwnRedis();
    HotCodes toGone = new HotCodes(gone.url(), prefix, 17, Duration.ofSeconds(30));
    try {
      gone.close();
      CompletableFuture<HotCodes> opened = new CompletableFuture<>();
      context.runOnContext(v -> toGone.onLoop(((ContextInternal) context).nettyEventLoop())
          .whenComplete((c, e) -> {
            if (e != null) {
              opened.completeExceptionally(e);
            } else {
              opened.complete(c);
            }
          }));

      assertThatThrownBy(opened::join).hasRootCauseInstanceOf(java.net.ConnectException.class);
    } finally {
      toGone.close();
    }
  }

  /** Runs {@code work} on the test's event loop and waits for what it starts. */
  private <T> T onContext(java.util.function.Supplier<CompletableFuture<T>> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> work.get().whenComplete((r, e) -> {
      if (e != null) {
        result.completeExceptionally(e);
      } else {
        result.complete(r);
      }
    }));
    return result.join();
  }

  private static byte[] hash(String code) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(code.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
