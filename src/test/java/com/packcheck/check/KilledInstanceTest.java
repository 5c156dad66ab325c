package com.packcheck.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.packcheck.codecache.HotCodes;
import com.packcheck.support.Answers;
import com.packcheck.support.ChildPackCheck;
import com.packcheck.support.Client;
import com.packcheck.support.Invariants;
import com.packcheck.support.Stack;
import com.packcheck.support.TestRedis;
import com.packcheck.support.Waits;
import com.packcheck.support.World;
import io.vertx.core.json.JsonObject;
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

    ChildPackCheck child = ChildPackCheck.start(stack.environment());
    Client doomed = child.awaitReady(Duration.ofSeconds(30));

    List<CompletableFuture<Client.Response>> calls = new ArrayList<>();
    for (String code : codes) {
      calls.add(doomed.postAsync("/v1/verifications", pharmacy.token(),
          new JsonObject().put("code", code).put("action", "dispense"), "Idempotency-Key", "kill-" + code));
    }
    // killed as soon as some are answered, so that most are in flight
    await("50 checks answered").atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
        .until(() -> calls.stream().filter(CompletableFuture::isDone).count() >= 50);
    child.kill();
    child.close();

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

    try (HotCodes redis = new HotCodes(TestRedis.url(), stack.redisPrefix, 17, Duration.ofSeconds(1))) {
      for (String code : codes) {
        Waits.dispensedInRedis(redis, code);
      }
    }
  }
}
