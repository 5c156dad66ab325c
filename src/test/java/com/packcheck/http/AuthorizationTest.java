package com.packcheck.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.support.Client;
import com.packcheck.support.OneInstanceTest;
import com.packcheck.support.Stack;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Authorization: 401 without a valid token, 403 for the wrong role, 404 for another manufacturer's batch")
class AuthorizationTest extends OneInstanceTest {
  static Stack.Account makerA;
  static Stack.Account makerB;
  static Stack.Account pharmacy;
  static long batchOfA;

  @BeforeAll
  static void start() {
    makerA = world.maker;
    makerB = world.stack.manufacturer(api, 5);
    pharmacy = world.pharmacyA;
    batchOfA = world.stack.activeBatch(api, makerA, world.product, Stack.codes(2));
  }

  record Call(String method, String path, JsonObject body) {
  }

  static final List<Call> ADMIN = List.of(
      new Call("POST", "/v1/manufacturers", new JsonObject().put("name", "X").put("pricePerCheck", 1).put("currency", "EUR")),
      new Call("POST", "/v1/pharmacies", new JsonObject().put("name", "Y")));

  static List<Call> manufacturerCalls() {
    return List.of(
        new Call("POST", "/v1/products", new JsonObject().put("name", "Z")),
        new Call("GET", "/v1/products", null),
        new Call("POST", "/v1/batches", new JsonObject().put("productId", 1).put("lot", "L").put("expiry", "2030-01-01")),
        new Call("GET", "/v1/batches", null),
        new Call("GET", "/v1/batches/" + batchOfA, null),
        new Call("POST", "/v1/batches/" + batchOfA + "/activate", null),
        new Call("POST", "/v1/batches/" + batchOfA + "/recall", new JsonObject()));
  }

  static final Call PHARMACY = new Call("POST", "/v1/verifications", new JsonObject().put("code", "123456789012"));

  @Test
  @DisplayName("no token, a malformed header or an unknown token is 401 on every protected endpoint")
  void unauthenticated() {
    List<Call> all = new java.util.ArrayList<>(ADMIN);
    all.addAll(manufacturerCalls());
    all.add(PHARMACY);
    for (Call call : all) {
      for (String token : new String[] {null, "not-a-token", ""}) {
        Client.Response r = send(call, token);
        assertThat(r.status()).as("%s %s with %s", call.method(), call.path(), token).isEqualTo(401);
        assertThat(r.json().getString("error")).isEqualTo("unauthorized");
      }
    }
  }

  @Test
  @DisplayName("every role is refused with 403 outside its own endpoints")
  void wrongRole() {
    for (Call call : ADMIN) {
      assertForbidden(call, makerA.token());
      assertForbidden(call, pharmacy.token());
    }
    for (Call call : manufacturerCalls()) {
      assertForbidden(call, world.stack.adminToken);
      assertForbidden(call, pharmacy.token());
    }
    assertForbidden(PHARMACY, world.stack.adminToken);
    assertForbidden(PHARMACY, makerA.token());
  }

  @Test
  @DisplayName("another manufacturer's batch and product are 404, as if they did not exist")
  void otherManufacturer() {
    for (Call call : manufacturerCalls()) {
      if (!call.path().contains("/batches/")) {
        continue;
      }
      Client.Response r = send(call, makerB.token());
      assertThat(r.status()).as("%s %s", call.method(), call.path()).isEqualTo(404);
      assertThat(r.json().getString("error")).isEqualTo("not_found");
    }
    Client.Response upload = api.postRaw("/v1/batches/" + batchOfA + "/codes", makerB.token(), "text/plain",
        "123456789012\n".getBytes());
    assertThat(upload.status()).isEqualTo(404);
    long productOfA = new io.vertx.core.json.JsonArray(api.get("/v1/products", makerA.token()).body())
        .getJsonObject(0).getLong("id");
    Client.Response batch = api.post("/v1/batches", makerB.token(),
        new JsonObject().put("productId", productOfA).put("lot", "STOLEN").put("expiry", "2030-01-01"));
    assertThat(batch.status()).isEqualTo(404);
    assertThat(new io.vertx.core.json.JsonArray(api.get("/v1/batches", makerB.token()).body())).isEmpty();
    assertThat(api.get("/v1/batches/" + batchOfA, makerA.token()).status()).isEqualTo(200);
  }

  private static void assertForbidden(Call call, String token) {
    Client.Response r = send(call, token);
    assertThat(r.status()).as("%s %s", call.method(), call.path()).isEqualTo(403);
    assertThat(r.json().getString("error")).isEqualTo("forbidden");
  }

  private static Client.Response send(Call call, String token) {
    return call.method().equals("GET") ? api.get(call.path(), token) : api.post(call.path(), token, call.body());
  }
}
