package com.packcheck.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.support.Answers;
import com.packcheck.support.Client;
import com.packcheck.support.Invariants;
import com.packcheck.support.Stack;
import com.packcheck.support.World;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Graceful shutdown")
class GracefulShutdownTest {
  static World world;
  static Stack stack;

  @BeforeAll
  static void start() {
    world = new World(3, Map.of());
    stack = world.stack;
  }

  @AfterAll
  static void stop() {
    world.close();
  }

  @Test
  @DisplayName("stopping an instance mid-load answers every accepted check after its commit, and loses none")
  void inFlightChecksFinish() throws Exception {
    Client survivor = world.instance(0);
    Client leaving = stack.start();
    Stack.Account pharmacy = world.pharmacyA;
    List<String> codes = world.activeCodes(300);

    List<CompletableFuture<Client.Response>> calls = new ArrayList<>();
    for (String code : codes) {
      calls.add(leaving.postAsync("/v1/verifications", pharmacy.token(),
          new JsonObject().put("code", code).put("action", "dispense"), "Idempotency-Key", "k-" + code));
    }
    stack.stop(leaving);

    Answers answers = new Answers();
    int answered = 0;
    for (int i = 0; i < codes.size(); i++) {
      try {
        Client.Response r = calls.get(i).join();
        assertThat(r.status()).as(r.body()).isIn(200, 503);
        answers.record(codes.get(i), "dispense", r);
        answered += r.status() == 200 ? 1 : 0;
      } catch (CompletionException refusedOrClosed) {
        // never accepted, or closed before a reply: the retry below tells the truth
      }
    }
    // Every code answered by the leaving instance is committed: the survivor replays that same answer.
    for (int i = 0; i < codes.size(); i++) {
      Client.Response r = survivor.post("/v1/verifications", pharmacy.token(),
          new JsonObject().put("code", codes.get(i)).put("action", "dispense"), "Idempotency-Key", "k-" + codes.get(i));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().getBoolean("firstCheck")).isTrue();
      answers.record(codes.get(i), "dispense", r);
    }
    for (String code : codes) {
      assertThat(answers.firstChecks(code, "dispense")).as(code).isEqualTo(1);
    }
    Invariants.check(stack, codes, answers);
    System.out.println("answered before shutdown: " + answered + " of " + codes.size());
  }
}
