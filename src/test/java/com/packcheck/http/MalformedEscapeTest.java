package com.packcheck.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.support.OneInstanceTest;
import com.packcheck.support.Stack;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Malformed percent-escapes and form bodies are the client's mistake: 4xx in PackCheck's error shape")
class MalformedEscapeTest extends OneInstanceTest {
  static RawHttp http;
  static Stack.Account maker;
  static Stack.Account pharmacy;
  static long batch;

  @BeforeAll
  static void start() {
    http = new RawHttp(api.baseUrl());
    maker = world.maker;
    pharmacy = world.pharmacyA;
    batch = world.stack.activeBatch(api, maker, world.product, Stack.codes(1));
  }

  @Test
  @DisplayName("a path or query with a malformed percent-escape is 400 bad_request naming the escape")
  void malformedEscapes() {
    List<String> targets = List.of("/v1/w%bho/k", "/v1/usage?from=%1p-11-01", "/v1/usage?from=2026-11-01&to=%",
        "/v1/batches/%zz", "/v1/batches/" + batch + "%4", "/v1/customers?limit=%%31", "/v1/alerts?state=open%",
        "/health%2", "/v1/customers/%g0/interactions");
    for (String target : targets) {
      RawHttp.Response r = http.send("GET", target, maker.token(), null, null);
      assertThat(r.status()).as(target).isEqualTo(400);
      assertThat(r.contentType()).as(target).startsWith("application/json");
      assertThat(r.json().getString("error")).as(target).isEqualTo("bad_request");
      assertThat(r.json().getString("message")).as(target).contains("malformed percent-escape");
    }
  }

  @Test
  @DisplayName("a form body, even one with a bad escape, is 415 on the JSON endpoints and never parsed")
  void formBodies() {
    byte[] form = "code=%zz&action=verify".getBytes(StandardCharsets.US_ASCII);
    List<String[]> calls = List.of(new String[] {"/v1/verifications", pharmacy.token()},
        new String[] {"/v1/products", maker.token()}, new String[] {"/v1/batches/" + batch + "/recall", maker.token()},
        new String[] {"/v1/manufacturers", world.stack.adminToken});
    for (String[] call : calls) {
      for (String type : new String[] {"application/x-www-form-urlencoded", "multipart/form-data; boundary=x"}) {
        RawHttp.Response r = http.send("POST", call[0], call[1], type, form);
        assertThat(r.status()).as("%s %s", call[0], type).isEqualTo(415);
        assertThat(r.json().getString("error")).isEqualTo("unsupported_media_type");
        assertThat(r.json().getString("message")).contains("application/json");
      }
    }
    assertThat(api.get("/v1/batches/" + batch, maker.token()).json().getString("state")).isEqualTo("active");
  }

  @Test
  @DisplayName("a correctly escaped path and query are still decoded and answered")
  void wellFormedEscapes() {
    assertThat(http.send("GET", "/v1/usage?from=2026%2D11%2D01&to=2026-11-30", maker.token(), null, null).status())
        .isEqualTo(200);
    String id = Long.toString(batch);
    String escapedDigit = "/v1/batches/%3" + id.charAt(0) + id.substring(1);
    assertThat(http.send("GET", escapedDigit, maker.token(), null, null).json().getLong("id")).isEqualTo(batch);
  }
}
