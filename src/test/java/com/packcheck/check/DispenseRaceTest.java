package com.packcheck.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.support.Client;
import com.packcheck.support.Stack;
import com.packcheck.support.World;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Dispense races through two instances sharing PostgreSQL")
class DispenseRaceTest {
  static World world;

  @BeforeAll
  static void start() {
    world = new World(10, Map.of(), Map.of());
  }

  @AfterAll
  static void stop() {
    world.close();
  }

  @Test
  @DisplayName("500 concurrent dispenses of one fresh code give exactly one firstCheck, for each of 12 codes")
  void exactlyOneFirstCheckPerCode() throws Exception {
    List<String> codes = world.activeCodes(12);
    for (String code : codes) {
      List<CompletableFuture<Client.Response>> calls = new ArrayList<>();
      List<Stack.Account> callers = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        Client instance = world.instance(i % 2);
        Stack.Account pharmacy = (i / 2) % 2 == 0 ? world.pharmacyA : world.pharmacyB;
        callers.add(pharmacy);
        calls.add(instance.postAsync("/v1/verifications", pharmacy.token(),
            new JsonObject().put("code", code).put("action", "dispense")));
      }
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();

      JsonObject first = null;
      Stack.Account winner = null;
      for (int i = 0; i < calls.size(); i++) {
        Client.Response r = calls.get(i).join();
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        world.answers.record(code, "dispense", r);
        if (r.json().getBoolean("firstCheck")) {
          assertThat(first).as("a second firstCheck for %s", code).isNull();
          first = r.json();
          winner = callers.get(i);
        }
      }
      assertThat(first).as("a firstCheck for %s", code).isNotNull();
      for (int i = 0; i < calls.size(); i++) {
        JsonObject r = calls.get(i).join().json();
        if (r.getBoolean("firstCheck")) {
          continue;
        }
        assertThat(r.getString("outcome")).isEqualTo(callers.get(i) == winner ? "genuine" : "already_used");
        assertThat(r.getString("firstVerifiedAt")).isEqualTo(first.getString("dispensedAt"));
      }
    }
    world.checkInvariants(codes);
  }
}
