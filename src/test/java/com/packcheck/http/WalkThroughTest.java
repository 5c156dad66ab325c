package com.packcheck.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.support.Answers;
import com.packcheck.support.Client;
import com.packcheck.support.Invariants;
import com.packcheck.support.Stack;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The README walk-through, every field of every answer, each answer as openapi.yaml describes it")
class WalkThroughTest {
  static Stack stack;
  static ContractClient api;

  @BeforeAll
  static void start() {
    stack = new Stack();
    api = new ContractClient(stack.start());
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @Test
  @DisplayName("an admin sets up a manufacturer and a pharmacy, codes are uploaded, activated, verified, dispensed (and replayed), billed and recalled")
  void walkThrough() throws Exception {
    Answers answers = new Answers();
    Client.Response m = api.post("/v1/manufacturers", stack.adminToken,
        new JsonObject().put("name", "Acme Pharma").put("pricePerCheck", 25).put("currency", "GHS"));
    assertThat(m.status()).isEqualTo(201);
    assertThat(m.json().fieldNames()).containsExactlyInAnyOrder("id", "token");
    String maker = m.json().getString("token");

    Client.Response p = api.post("/v1/pharmacies", stack.adminToken,
        new JsonObject().put("name", "Osu Pharmacy").put("region", "Greater Accra"));
    assertThat(p.status()).isEqualTo(201);
    assertThat(p.json().getLong("id")).isPositive();
    String pharmacy = p.json().getString("token");
    assertThat(pharmacy).isNotEqualTo(maker);

    Client.Response product = api.post("/v1/products", maker,
        new JsonObject().put("name", "Amoxicillin 500 mg").put("gtin", "05012345678900"));
    assertThat(product.status()).isEqualTo(201);
    long productId = product.json().getLong("id");
    JsonArray products = new JsonArray(api.get("/v1/products", maker).body());
    assertThat(products).hasSize(1);
    assertThat(products.getJsonObject(0).getMap())
        .containsEntry("id", (int) productId).containsEntry("name", "Amoxicillin 500 mg")
        .containsEntry("gtin", "05012345678900");

    Client.Response batch = api.post("/v1/batches", maker,
        new JsonObject().put("productId", productId).put("lot", "L2026-01").put("expiry", "2028-06-30"));
    assertThat(batch.status()).isEqualTo(201);
    long batchId = batch.json().getLong("id");
    assertThat(batch.json().getString("state")).isEqualTo("draft");

    List<String> codes = List.of("4821-7730-1956", "5930 1184 2270", "7719-0023-4468");
    Client.Response upload = api.postRaw("/v1/batches/" + batchId + "/codes", maker, "text/plain",
        String.join("\n", codes).concat("\n").getBytes());
    assertThat(upload.status()).isEqualTo(200);
    assertThat(upload.json().getMap()).containsEntry("received", 3).containsEntry("accepted", 3)
        .containsEntry("alreadyPresent", 0).containsEntry("duplicates", 0).containsEntry("invalid", 0);
    assertThat(upload.json().getJsonArray("invalidLines")).isEmpty();

    JsonObject inactive = verify(pharmacy, codes.get(0), "verify", answers).json();
    assertThat(inactive.getString("outcome")).isEqualTo("inactive");
    assertThat(inactive.getBoolean("firstCheck")).isFalse();

    assertThat(api.post("/v1/batches/" + batchId + "/activate", maker, null).json().getString("state"))
        .isEqualTo("active");

    Instant before = Instant.now().minusSeconds(5);
    JsonObject verified = verify(pharmacy, codes.get(0), "verify", answers).json();
    assertThat(verified.fieldNames()).containsExactlyInAnyOrder("outcome", "firstCheck", "firstVerifiedAt",
        "dispensedAt", "product", "batch", "reference", "message");
    assertThat(verified.getString("outcome")).isEqualTo("genuine");
    assertThat(verified.getBoolean("firstCheck")).isFalse();
    assertThat(verified.getValue("firstVerifiedAt")).isNull();
    assertThat(verified.getValue("dispensedAt")).isNull();
    assertThat(verified.getJsonObject("product").getMap())
        .containsEntry("name", "Amoxicillin 500 mg").containsEntry("gtin", "05012345678900");
    assertThat(verified.getJsonObject("batch").getMap())
        .containsEntry("lot", "L2026-01").containsEntry("expiry", "2028-06-30");
    assertThat(verified.getString("reference")).matches("[0-9A-Z]{6,}");
    assertThat(verified.getString("message")).startsWith("Genuine").contains("Not dispensed yet");

    Client.Response sale = verify(pharmacy, codes.get(0), "dispense", answers, "Idempotency-Key", "sale-1001");
    JsonObject dispensed = sale.json();
    assertThat(dispensed.getString("outcome")).isEqualTo("genuine");
    assertThat(dispensed.getBoolean("firstCheck")).isTrue();
    Instant at = Instant.parse(dispensed.getString("dispensedAt"));
    assertThat(at).isAfter(before).isBefore(Instant.now().plusSeconds(5));
    assertThat(dispensed.getString("firstVerifiedAt")).isEqualTo(dispensed.getString("dispensedAt"));
    assertThat(dispensed.getString("reference")).isNotEqualTo(verified.getString("reference"));
    assertThat(dispensed.getString("message")).contains("Recorded as dispensed by you");

    Client.Response replayed = api.post("/v1/verifications", pharmacy,
        new JsonObject().put("code", codes.get(0)).put("action", "dispense"), "Idempotency-Key", "sale-1001");
    assertThat(replayed.status()).isEqualTo(200);
    assertThat(replayed.body()).as("a replay gets the identical answer").isEqualTo(sale.body());

    JsonObject again = verify(pharmacy, codes.get(0), "verify", answers).json();
    assertThat(again.getString("outcome")).isEqualTo("genuine");
    assertThat(again.getBoolean("firstCheck")).isFalse();
    assertThat(again.getString("dispensedAt")).isEqualTo(dispensed.getString("dispensedAt"));
    assertThat(again.getString("message")).contains("You dispensed this pack on");

    JsonObject fake = verify(pharmacy, "1111-2222-3333", "verify", answers).json();
    assertThat(fake.getString("outcome")).isEqualTo("fake");
    assertThat(fake.getBoolean("firstCheck")).isFalse();
    assertThat(fake.getValue("product")).isNull();
    assertThat(fake.getValue("batch")).isNull();
    assertThat(fake.getValue("firstVerifiedAt")).isNull();
    assertThat(fake.getString("message")).startsWith("Not recognised").contains(fake.getString("reference"));

    Client.Response typo = verify(pharmacy, "4821-7730", "verify", answers);
    assertThat(typo.status()).isEqualTo(422);
    assertThat(typo.json().getMap()).containsEntry("error", "invalid_code").containsEntry("outcome", "invalid");
    assertThat(typo.json().getString("message")).contains("re-check");

    // the bill: each check at its price (the inactive one before activation too); the replay, the typo and
    // the fake (no manufacturer's) are not billed
    JsonObject usage = api.get("/v1/usage", maker).json();
    assertThat(usage.getMap()).containsEntry("checks", 4).containsEntry("amount", 100).containsEntry("currency", "GHS");
    assertThat(usage.getJsonObject("byChannel").getMap()).containsEntry("http", 4).containsEntry("sms", 0);
    assertThat(usage.getJsonObject("byOutcome").getMap()).containsEntry("genuine", 3).containsEntry("inactive", 1);

    JsonObject batchView = api.get("/v1/batches/" + batchId, maker).json();
    assertThat(batchView.getMap()).containsEntry("id", (int) batchId).containsEntry("productId", (int) productId)
        .containsEntry("lot", "L2026-01").containsEntry("expiry", "2028-06-30").containsEntry("state", "active")
        .containsEntry("codes", 3).containsEntry("dispensed", 1).containsEntry("consumed", 0);
    assertThat(new JsonArray(api.get("/v1/batches", maker).body())).hasSize(1);

    Client.Response recall = api.post("/v1/batches/" + batchId + "/recall", maker,
        new JsonObject().put("reason", "contamination"));
    assertThat(recall.status()).isEqualTo(200);
    assertThat(recall.json().getString("state")).isEqualTo("recalled");
    JsonObject recalled = verify(pharmacy, codes.get(1), "dispense", answers).json();
    assertThat(recalled.getString("outcome")).isEqualTo("recalled");
    assertThat(recalled.getBoolean("firstCheck")).isFalse();
    assertThat(recalled.getJsonObject("batch").getString("lot")).isEqualTo("L2026-01");
    assertThat(recalled.getString("message")).startsWith("Recalled");

    Invariants.check(stack, codes, answers);
  }

  private static Client.Response verify(String token, String code, String action, Answers answers, String... headers) {
    Client.Response r = api.post("/v1/verifications", token, new JsonObject().put("code", code).put("action", action),
        headers);
    answers.record(code, action, r);
    return r;
  }
}
