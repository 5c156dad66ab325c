package com.packcheck.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.support.Client;
import com.packcheck.support.OneInstanceTest;
import com.packcheck.support.Stack;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Hostile input gets a 4xx with a JSON error, never a 5xx")
class HostileInputTest extends OneInstanceTest {
  static Stack.Account maker;
  static Stack.Account pharmacy;
  static long batch;

  @BeforeAll
  static void start() {
    maker = world.maker;
    pharmacy = world.pharmacyA;
    batch = world.stack.activeBatch(api, maker, world.product, Stack.codes(3));
  }

  static final List<String> BAD_BODIES = List.of(
      "", "{", "null", "[]", "\"code\"", "42", "{\"code\": 123456789012}", "{\"code\": null}", "{\"code\": [\"1\"]}",
      "{\"code\": {\"a\": 1}}", "{\"code\": \"123456789012\", \"action\": \"consume\"}",
      "{\"code\": \"123456789012\", \"action\": 7}", "{\"code\":\"\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\"}",
      "{\"code\": \"😀😀😀😀😀😀😀\"}", "{\"code\": \"ＡＢＣ\"}", "{\"code\": \"" + "9".repeat(100_000) + "\"}",
      "\uFEFF{\"code\":\"1\"}", "{\"code\": \"12345678901" + "\\ud800" + "\"}");

  @Test
  @DisplayName("malformed verification bodies are refused with 400 or 422 and a JSON error")
  void verificationBodies() {
    for (String body : BAD_BODIES) {
      Client.Response r = api.postRaw("/v1/verifications", pharmacy.token(), "application/json",
          body.getBytes(StandardCharsets.UTF_8));
      assertThat(r.status()).as(abbreviate(body)).isIn(400, 413, 422);
      assertThat(r.json().getString("error")).as(abbreviate(body)).isNotBlank();
      assertThat(r.json().getString("message")).isNotBlank();
    }
  }

  @Test
  @DisplayName("an empty or blank code is a malformed code (422 invalid_code, please re-check); a missing or non-string one is 400")
  void emptyCode() {
    for (String body : List.of("{\"code\": \"\"}", "{\"code\": \"\", \"action\": \"dispense\"}",
        "{\"code\": \"   \", \"action\": \"verify\"}", "{\"code\": \" - \", \"action\": \"dispense\"}")) {
      Client.Response r = api.postRaw("/v1/verifications", pharmacy.token(), "application/json",
          body.getBytes(StandardCharsets.UTF_8));
      assertThat(r.status()).as(body).isEqualTo(422);
      assertThat(r.json().getMap()).as(body).containsEntry("error", "invalid_code").containsEntry("outcome", "invalid");
      assertThat(r.json().getString("message")).as(body).contains("re-check");
    }
    for (String body : List.of("{}", "{\"action\": \"dispense\"}", "{\"code\": null}")) {
      Client.Response r = api.postRaw("/v1/verifications", pharmacy.token(), "application/json",
          body.getBytes(StandardCharsets.UTF_8));
      assertThat(r.status()).as(body).isEqualTo(400);
      assertThat(r.json().getString("message")).as(body).isEqualTo("'code' is required");
    }
    Client.Response number = api.postRaw("/v1/verifications", pharmacy.token(), "application/json",
        "{\"code\": 0}".getBytes(StandardCharsets.UTF_8));
    assertThat(number.status()).isEqualTo(400);
    assertThat(number.json().getString("message")).isEqualTo("'code' must be a string");
  }

  @Test
  @DisplayName("account, product and batch bodies with wrong types or missing fields are 400")
  void otherBodies() {
    List<Object[]> cases = List.of(
        new Object[] {"/v1/manufacturers", world.stack.adminToken, "{\"name\":\"A\",\"pricePerCheck\":\"5\",\"currency\":\"EUR\"}"},
        new Object[] {"/v1/manufacturers", world.stack.adminToken, "{\"name\":\"A\",\"pricePerCheck\":1.5,\"currency\":\"EUR\"}"},
        new Object[] {"/v1/manufacturers", world.stack.adminToken, "{\"name\":\"A\",\"pricePerCheck\":-1,\"currency\":\"EUR\"}"},
        new Object[] {"/v1/manufacturers", world.stack.adminToken, "{\"name\":\"A\",\"pricePerCheck\":5,\"currency\":\"euro\"}"},
        new Object[] {"/v1/manufacturers", world.stack.adminToken, "{\"pricePerCheck\":5,\"currency\":\"EUR\"}"},
        new Object[] {"/v1/pharmacies", world.stack.adminToken, "{\"name\":\"" + "x".repeat(500) + "\"}"},
        new Object[] {"/v1/pharmacies", world.stack.adminToken, "{\"name\":\"P\",\"region\":5}"},
        new Object[] {"/v1/products", maker.token(), "{\"name\":\"P\",\"gtin\":\"abc\"}"},
        new Object[] {"/v1/products", maker.token(), "{}"},
        new Object[] {"/v1/batches", maker.token(), "{\"productId\":\"1\",\"lot\":\"L\",\"expiry\":\"2030-01-01\"}"},
        new Object[] {"/v1/batches", maker.token(), "{\"productId\":1,\"lot\":\"L\",\"expiry\":\"31/12/2030\"}"},
        new Object[] {"/v1/batches", maker.token(), "{\"productId\":1,\"lot\":\"L\",\"expiry\":\"2030-02-30\"}"},
        new Object[] {"/v1/batches", maker.token(), "{\"productId\":1,\"lot\":\"\",\"expiry\":\"2030-01-01\"}"},
        new Object[] {"/v1/batches/" + batch + "/recall", maker.token(), "{\"reason\": 12}"});
    for (Object[] c : cases) {
      Client.Response r = api.postRaw((String) c[0], (String) c[1], "application/json",
          ((String) c[2]).getBytes(StandardCharsets.UTF_8));
      assertThat(r.status()).as("%s %s", c[0], abbreviate((String) c[2])).isEqualTo(400);
      assertThat(r.json().getString("error")).isEqualTo("bad_request");
    }
  }

  @Test
  @DisplayName("a 10 MB body is refused with 413 before it is buffered")
  void hugeBody() {
    byte[] big = new byte[10 * 1024 * 1024];
    Arrays.fill(big, (byte) 'a');
    Client.Response r = api.postRaw("/v1/verifications", pharmacy.token(), "application/json", big);
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.json().getString("error")).isEqualTo("body_too_large");
  }

  @Test
  @DisplayName("odd content types are 415, unknown paths 404, wrong methods 405, all as JSON")
  void oddRequests() {
    for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
        "application/xml", "image/png"}) {
      Client.Response r = api.postRaw("/v1/verifications", pharmacy.token(), type, "{\"code\":\"123456789012\"}".getBytes());
      assertThat(r.status()).as(type).isEqualTo(415);
      assertThat(r.json().getString("error")).isEqualTo("unsupported_media_type");
    }
    Client.Response noType = api.postRaw("/v1/verifications", pharmacy.token(), null, "{\"code\":\"1\"}".getBytes());
    assertThat(noType.status()).isEqualTo(415);
    assertThat(api.get("/v1/nothing-here", pharmacy.token()).json().getString("error")).isEqualTo("not_found");
    Client.Response wrongMethod = api.get("/v1/verifications", pharmacy.token());
    assertThat(wrongMethod.status()).isIn(404, 405);
    assertThat(wrongMethod.json().getString("error")).isNotBlank();
    assertThat(api.get("/v1/batches/not-a-number", maker.token()).status()).isEqualTo(404);
    assertThat(api.get("/v1/batches/99999999999999999999999", maker.token()).status()).isEqualTo(404);
    Client.Response badKey = api.post("/v1/verifications", pharmacy.token(),
        new JsonObject().put("code", "123456789012"), "Idempotency-Key", "x".repeat(300));
    assertThat(badKey.status()).isEqualTo(400);
  }

  @Test
  @DisplayName("an HTTP/1.1 request without a Host header is 400 naming the header, not a 503")
  void noHost() {
    RawHttp.Response r = new RawHttp(api.baseUrl())
        .exchange("GET /health HTTP/1.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getString("error")).isEqualTo("bad_request");
    assertThat(r.json().getString("message")).contains("'Host' header is required");
  }

  @Test
  @DisplayName("a binary upload, over-long lines and an unknown Content-Encoding are refused and store nothing")
  void hostileUploads() {
    long draft = world.stack.draftBatch(api, maker, world.product, "2030-01-01", Stack.codes(1));
    byte[] binary = new byte[4096];
    new java.util.Random(7).nextBytes(binary);
    Client.Response bin = api.postRaw("/v1/batches/" + draft + "/codes", maker.token(), "text/plain", binary);
    assertThat(bin.status()).isEqualTo(422);
    assertThat(bin.json().getLong("accepted")).isZero();
    assertThat(bin.json().getLong("invalid")).isPositive();

    String longLine = "1".repeat(1024 * 1024) + "\n" + Stack.codes(1).get(0) + "\n";
    Client.Response lng = api.postRaw("/v1/batches/" + draft + "/codes", maker.token(), "text/plain",
        longLine.getBytes());
    assertThat(lng.status()).isEqualTo(422);
    assertThat(lng.json().getJsonArray("invalidLines")).containsExactly(1);

    Client.Response enc = api.postRaw("/v1/batches/" + draft + "/codes", maker.token(), "text/plain",
        "123456789012\n".getBytes(), "Content-Encoding", "br");
    assertThat(enc.status()).isEqualTo(415);
    Client.Response gzipLie = api.postRaw("/v1/batches/" + draft + "/codes", maker.token(), "text/plain",
        "123456789012\n".getBytes(), "Content-Encoding", "gzip");
    assertThat(gzipLie.status()).isBetween(400, 499);
    assertThat(api.get("/v1/batches/" + draft, maker.token()).json().getLong("codes")).isEqualTo(1);
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }
}
