package com.packcheck.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.packcheck.support.Answers;
import com.packcheck.support.Client;
import com.packcheck.support.Invariants;
import com.packcheck.support.Stack;
import com.packcheck.support.TestPostgres;
import com.packcheck.support.World;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    Map<String, CompletableFuture<Client.Response>> calls = new LinkedHashMap<>();
    for (String code : codes) {
      calls.put(code, leaving.postAsync("/v1/verifications", pharmacy.token(),
          new JsonObject().put("code", code).put("action", "dispense"), "Idempotency-Key", key(code)));
    }
    // stop once the instance is answering, so that the rest are in flight when it is told to stop
    await().atMost(Duration.ofSeconds(15)).until(() -> calls.values().stream().anyMatch(CompletableFuture::isDone));
    long doneBeforeStop = calls.values().stream().filter(CompletableFuture::isDone).count();
    stack.stop(leaving);
    Set<String> committed = committedKeys();

    Answers answers = new Answers();
    Map<String, String> answeredReferences = new LinkedHashMap<>();
    for (Map.Entry<String, CompletableFuture<Client.Response>> call : calls.entrySet()) {
      String code = call.getKey();
      try {
        Client.Response r = call.getValue().join();
        assertThat(r.status()).as(r.body()).isIn(200, 503);
        answers.record(code, "dispense", r);
        if (r.status() == 200) {
          assertThat(r.json().getString("outcome") + " " + r.json().getBoolean("firstCheck"))
              .as("the leaving instance's answer for fresh code %s", code).isEqualTo("genuine true");
          assertThat(committed).as("the answered dispense of %s is in the ledger once the instance stopped", code)
              .contains(key(code));
          answeredReferences.put(code, r.json().getString("reference"));
        }
      } catch (CompletionException refusedOrClosed) {
        // never accepted, or closed before a reply: the retry below tells the truth
      }
    }
    assertThat(answeredReferences.size()).as("checks the leaving instance answered of %d", codes.size())
        .isPositive()
        .as("checks answered after the stop began (%d were answered before it)", doneBeforeStop)
        .isGreaterThan((int) doneBeforeStop);

    // A retry with the same key replays the committed answer, or makes the first one: every code once, none lost.
    for (String code : codes) {
      Client.Response r = survivor.post("/v1/verifications", pharmacy.token(),
          new JsonObject().put("code", code).put("action", "dispense"), "Idempotency-Key", key(code));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().getBoolean("firstCheck")).isTrue();
      if (answeredReferences.containsKey(code)) {
        assertThat(r.json().getString("reference")).as("the survivor replays the answer given for %s", code)
            .isEqualTo(answeredReferences.get(code));
      }
      answers.record(code, "dispense", r);
    }
    for (String code : codes) {
      assertThat(answers.firstChecks(code, "dispense")).as(code).isEqualTo(1);
    }
    Invariants.check(stack, codes, answers);
  }

  private static String key(String code) {
    return "k-" + code;
  }

  /** The idempotency keys of the first dispenses in the ledger. */
  private static Set<String> committedKeys() throws Exception {
    Set<String> keys = new HashSet<>();
    try (Connection c = TestPostgres.connect(stack.schema); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select idempotency_key from interactions where action = 'dispense' and first_check")) {
      while (rs.next()) {
        keys.add(rs.getString(1));
      }
    }
    return keys;
  }
}
