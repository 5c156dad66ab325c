package com.packcheck.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.code.CodeNormalizer;
import com.packcheck.code.Hmac;
import com.packcheck.store.HotCodes;
import com.packcheck.support.Answers;
import com.packcheck.support.Client;
import com.packcheck.support.Invariants;
import com.packcheck.support.Stack;
import com.packcheck.support.World;
import com.packcheck.support.TestRedis;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("An instance killed with SIGKILL in the middle of a load of dispenses")
class KilledInstanceTest {
  static World world;
  static Stack stack;

  @BeforeAll
  static void start() {
    world = new World(4, Map.of());
    stack = world.stack;
  }

  @AfterAll
  static void stop() {
    world.close();
  }

  @Test
  @DisplayName("the surviving instance answers every affected code consistently, and nothing stays pending")
  void survivorAnswersConsistently() throws Exception {
    Client survivor = world.instance(0);
    Stack.Account pharmacy = world.pharmacyA;
    List<String> codes = world.activeCodes(400);

    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    File log = Files.createTempFile("packcheck-child", ".log").toFile();
    ProcessBuilder child = new ProcessBuilder(
        System.getProperty("java.home") + "/bin/java", "-cp", System.getProperty("java.class.path"),
        "com.packcheck.PackCheck").redirectErrorStream(true).redirectOutput(log);
    child.environment().putAll(stack.environment());
    child.environment().put("PACKCHECK_HTTP_PORT", Integer.toString(port));
    Process process = child.start();
    Client doomed = new Client(port);
    awaitReady(doomed, process);

    List<CompletableFuture<Client.Response>> calls = new ArrayList<>();
    for (String code : codes) {
      calls.add(doomed.postAsync("/v1/verifications", pharmacy.token(),
          new JsonObject().put("code", code).put("action", "dispense"), "Idempotency-Key", "kill-" + code));
    }
    while (calls.stream().filter(CompletableFuture::isDone).count() < 50) {
      Thread.sleep(1);
    }
    process.destroyForcibly();
    process.waitFor();

    Answers answers = new Answers();
    int answeredBeforeKill = 0;
    for (int i = 0; i < codes.size(); i++) {
      try {
        Client.Response r = calls.get(i).join();
        answers.record(codes.get(i), "dispense", r);
        answeredBeforeKill += r.status() == 200 ? 1 : 0;
      } catch (CompletionException lostWithTheProcess) {
        // the retry below reads the truth
      }
    }
    assertThat(answeredBeforeKill).isBetween(1, codes.size() - 1);

    for (String code : codes) {
      Client.Response r = survivor.post("/v1/verifications", pharmacy.token(),
          new JsonObject().put("code", code).put("action", "dispense"), "Idempotency-Key", "kill-" + code);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.json().getBoolean("firstCheck")).isTrue();
      answers.record(code, "dispense", r);
      assertThat(answers.firstChecks(code, "dispense")).as(code).isEqualTo(1);
    }
    Invariants.check(stack, codes, answers);

    Hmac hmac = new Hmac(Stack.SECRET.getBytes(StandardCharsets.UTF_8));
    try (HotCodes redis = new HotCodes(TestRedis.url(), stack.redisPrefix, 17, Duration.ofSeconds(1))) {
      for (String code : codes) {
        byte[] hash = hmac.code(CodeNormalizer.normalize(code));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        // the retry's write-back to Redis follows its answer
        while (!"D".equals(redis.rawState(hash).join()) && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertThat(redis.rawState(hash).join()).as("no pending mark left for %s", code).isEqualTo("D");
      }
    }
  }

  private static void awaitReady(Client child, Process process) throws Exception {
    for (int i = 0; i < 600; i++) {
      assertThat(process.isAlive()).as("the child JVM runs").isTrue();
      try {
        if (child.get("/ready", null).status() == 200) {
          return;
        }
      } catch (CompletionException notYet) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the child JVM never became ready");
  }
}
