package com.packcheck.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.support.Client;
import com.packcheck.support.Stack;
import com.packcheck.support.TestPostgres;
import com.packcheck.support.World;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Who gets which answer, and what is billed")
class CheckSemanticsTest {
  static World world;
  static Client one;
  static Client two;
  static Stack.Account maker;
  static Stack.Account pharmacyA;
  static Stack.Account pharmacyB;
  static long product;

  @BeforeAll
  static void start() {
    world = new World(25, Map.of(), Map.of());
    one = world.instance(0);
    two = world.instance(1);
    maker = world.maker;
    pharmacyA = world.pharmacyA;
    pharmacyB = world.pharmacyB;
    product = world.product;
  }

  @AfterAll
  static void stop() {
    world.close();
  }

  @Test
  @DisplayName("the same pharmacy dispensing again is told genuine, not first; another pharmacy is told already used and when")
  void repeatAndReuse() throws Exception {
    List<String> codes = world.activeCodes(1);
    String code = codes.get(0);
    JsonObject first = check(one, pharmacyA, code, "dispense").json();
    JsonObject repeat = check(two, pharmacyA, code, "dispense").json();
    JsonObject other = check(one, pharmacyB, code, "dispense").json();
    JsonObject otherVerify = check(two, pharmacyB, code, "verify").json();

    assertThat(first.getString("outcome")).isEqualTo("genuine");
    assertThat(first.getBoolean("firstCheck")).isTrue();
    assertThat(repeat.getString("outcome")).isEqualTo("genuine");
    assertThat(repeat.getBoolean("firstCheck")).isFalse();
    assertThat(repeat.getString("dispensedAt")).isEqualTo(first.getString("dispensedAt"));
    assertThat(other.getString("outcome")).isEqualTo("already_used");
    assertThat(other.getBoolean("firstCheck")).isFalse();
    assertThat(other.getString("firstVerifiedAt")).isEqualTo(first.getString("dispensedAt"));
    assertThat(other.getString("message")).contains("Already used").contains("first verified on");
    assertThat(otherVerify.getString("outcome")).isEqualTo("already_used");
    world.checkInvariants(codes);
  }

  @Test
  @DisplayName("verify never changes state, however often it is asked")
  void verifyIsReadOnly() throws Exception {
    List<String> codes = world.activeCodes(1);
    for (int i = 0; i < 5; i++) {
      JsonObject v = check(i % 2 == 0 ? one : two, i % 2 == 0 ? pharmacyA : pharmacyB, codes.get(0), "verify").json();
      assertThat(v.getString("outcome")).isEqualTo("genuine");
      assertThat(v.getBoolean("firstCheck")).isFalse();
      assertThat(v.getValue("dispensedAt")).isNull();
    }
    JsonObject dispense = check(one, pharmacyB, codes.get(0), "dispense").json();
    assertThat(dispense.getBoolean("firstCheck")).isTrue();
    world.checkInvariants(codes);
  }

  @Test
  @DisplayName("a replay with the same Idempotency-Key gets the identical body, from either instance, and is billed once")
  void idempotentReplay() throws Exception {
    List<String> codes = world.activeCodes(1);
    long before = billedChecks();
    String key = "order-" + System.nanoTime();
    Client.Response first = check(one, pharmacyA, codes.get(0), "dispense", "Idempotency-Key", key);
    Client.Response replayOne = check(one, pharmacyA, codes.get(0), "dispense", "Idempotency-Key", key);
    Client.Response replayTwo = check(two, pharmacyA, codes.get(0), "dispense", "Idempotency-Key", key);

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.json().getBoolean("firstCheck")).isTrue();
    assertThat(replayOne.body()).isEqualTo(first.body());
    assertThat(replayTwo.body()).isEqualTo(first.body());
    assertThat(billedChecks() - before).isEqualTo(1);
    assertThat(billedAmount()).isEqualTo(25 * billedChecks());

    Client.Response sameKeyOtherPharmacy = check(one, pharmacyB, codes.get(0), "dispense", "Idempotency-Key", key);
    assertThat(sameKeyOtherPharmacy.json().getString("outcome")).as("keys are per caller").isEqualTo("already_used");

    Client.Response misuse = one.post("/v1/verifications", pharmacyA.token(),
        new JsonObject().put("code", Stack.codes(1).get(0)).put("action", "dispense"), "Idempotency-Key", key);
    assertThat(misuse.status()).isEqualTo(422);
    assertThat(misuse.json().getString("error")).isEqualTo("idempotency_key_reused");
    world.checkInvariants(codes);
  }

  @Test
  @DisplayName("malformed codes answer 422 please re-check and change nothing; unknown well-formed codes are fake")
  void typosAreNotFakes() throws Exception {
    List<String> codes = world.activeCodes(1);
    String code = codes.get(0);
    for (String typo : List.of("12345", code.substring(0, 15), code + "7", code.substring(0, 8) + "!" + code.substring(9),
        "", "   ", "ÄÖÜ" + code.substring(3), "1234567890123456789012345678901234567890123")) {
      Client.Response r = check(one, pharmacyA, typo, "dispense");
      // an empty or blank code is unreadable like any other: 422 "please re-check", nothing consumed
      assertThat(r.status()).as("'%s'", typo).isEqualTo(422);
      assertThat(r.json().getString("outcome")).isEqualTo("invalid");
      assertThat(r.json().getString("message")).contains("re-check");
    }
    String unknown = Stack.codes(1).get(0);
    JsonObject fake = check(one, pharmacyA, unknown, "dispense").json();
    assertThat(fake.getString("outcome")).isEqualTo("fake");
    assertThat(fake.getBoolean("firstCheck")).isFalse();

    String spaced = code.substring(0, 4) + " " + code.substring(4, 8) + "-" + code.substring(8);
    String arabicIndic = code.chars().mapToObj(c -> String.valueOf((char) ('\u0660' + (c - '0'))))
        .reduce("", String::concat);
    JsonObject viaArabic = check(one, pharmacyA, arabicIndic, "verify").json();
    assertThat(viaArabic.getString("outcome")).isEqualTo("genuine");
    assertThat(viaArabic.getValue("dispensedAt")).as("nothing consumed by the typos").isNull();
    assertThat(check(two, pharmacyA, spaced, "dispense").json().getBoolean("firstCheck")).isTrue();
    world.checkInvariants(codes);
  }

  @Test
  @DisplayName("a draft batch answers inactive, a recalled one recalled, an expired one expired; none changes state")
  void batchStates() throws Exception {
    List<String> draftCodes = Stack.codes(1);
    world.stack.draftBatch(one, maker, product, "2099-01-01", draftCodes);
    List<String> recalledCodes = Stack.codes(2);
    long recalled = world.stack.activeBatch(one, maker, product, recalledCodes);
    check(one, pharmacyA, recalledCodes.get(1), "dispense");
    one.post("/v1/batches/" + recalled + "/recall", maker.token(), new JsonObject().put("reason", "stability"));
    List<String> expiredCodes = Stack.codes(1);
    long expired = world.stack.draftBatch(one, maker, product, "2020-01-31", expiredCodes);
    one.post("/v1/batches/" + expired + "/activate", maker.token(), null);

    assertThat(check(one, pharmacyA, draftCodes.get(0), "dispense").json().getString("outcome")).isEqualTo("inactive");
    assertThat(check(one, pharmacyA, recalledCodes.get(0), "dispense").json().getString("outcome")).isEqualTo("recalled");
    assertThat(check(one, pharmacyA, recalledCodes.get(1), "dispense").json().getString("outcome"))
        .as("a recall overrides an earlier dispense").isEqualTo("recalled");
    JsonObject old = check(two, pharmacyA, expiredCodes.get(0), "dispense").json();
    assertThat(old.getString("outcome")).isEqualTo("expired");
    assertThat(old.getString("message")).contains("expired on 31 January 2020");
    // No answer was a first check, so the invariant requires all three codes unchanged.
    world.checkInvariants(List.of(draftCodes.get(0), recalledCodes.get(0), expiredCodes.get(0)));
  }

  private Client.Response check(Client via, Stack.Account pharmacy, String code, String action, String... headers) {
    return world.check(via, pharmacy, code, action, headers);
  }

  private static long billedChecks() throws Exception {
    return scalar("select count(*) from interactions where manufacturer_id = " + maker.id());
  }

  private static long billedAmount() throws Exception {
    return scalar("select coalesce(sum(price), 0) from interactions where manufacturer_id = " + maker.id());
  }

  private static long scalar(String sql) throws Exception {
    return TestPostgres.number(world.stack.schema, sql);
  }
}
