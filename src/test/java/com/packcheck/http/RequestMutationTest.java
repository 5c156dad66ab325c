package com.packcheck.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.support.Client;
import com.packcheck.support.OneInstanceTest;
import com.packcheck.support.Stack;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Valid requests mutated at random (seeded) never get a 5xx, and checks are answered correctly after")
class RequestMutationTest extends OneInstanceTest {
  private static final long SEED = 20_261_203L;
  private static final int MUTANTS = 400;
  private static final List<String> BAD_ESCAPES = List.of("%", "%z", "%1p", "%g0", "%%", "%4", "%zz", "%%%", "%\u00e9");

  record Sample(String method, String target, String token, String type, String body) {
    byte[] bytes() {
      return body == null ? null : body.getBytes(StandardCharsets.ISO_8859_1);
    }
  }

  static RawHttp http;
  static List<String> codes;
  static List<Sample> samples;

  @BeforeAll
  static void start() {
    http = new RawHttp(api.baseUrl());
    codes = world.activeCodes(2);
    long batch = world.stack.activeBatch(api, world.maker, world.product, Stack.codes(1));
    String maker = world.maker.token();
    String json = "application/json";
    samples = List.of(
        new Sample("POST", "/v1/verifications", world.pharmacyA.token(), json,
            new JsonObject().put("code", codes.get(0)).put("action", "verify").encode()),
        new Sample("GET", "/v1/usage?from=2026-11-01&to=2026-11-30", maker, null, null),
        new Sample("GET", "/v1/batches/" + batch, maker, null, null),
        new Sample("GET", "/v1/customers?from=2026-11-01T00:00:00Z&to=2026-11-30&limit=10", maker, null, null),
        new Sample("GET", "/v1/customers/summary?from=2026-11-01", maker, null, null),
        new Sample("GET", "/v1/alerts?state=open", maker, null, null),
        new Sample("GET", "/v1/reports/monthly?month=2026-11", maker, null, null),
        new Sample("POST", "/v1/products", maker, json, "{\"name\":\"Mutant\",\"gtin\":\"05012345678900\"}"),
        new Sample("GET", "/v1/admin/reports/fakes?from=2026-11-01&to=2026-11-30", world.stack.adminToken, null, null));
  }

  @Test
  @DisplayName("a few hundred mutated paths, queries and bodies get no 5xx; every JSON error has error and message")
  void mutants() {
    for (Sample s : samples) {
      assertThat(send(s).status()).as("unmutated %s", s).isBetween(200, 299);
    }
    Random random = new Random(SEED);
    for (int i = 0; i < MUTANTS; i++) {
      Sample mutant = mutate(samples.get(random.nextInt(samples.size())), random);
      RawHttp.Response r = send(mutant);
      assertThat(r.status()).as("%s", mutant).isLessThan(500);
      if (r.status() >= 400 && r.contentType().startsWith("application/json")) {
        assertThat(r.json().getString("error")).as("%s", mutant).isNotBlank();
        assertThat(r.json().getString("message")).as("%s", mutant).isNotBlank();
      }
    }

    Client.Response verified = world.check(api, world.pharmacyA, codes.get(0), "verify");
    assertThat(verified.status()).isEqualTo(200);
    assertThat(verified.json().getString("outcome")).isEqualTo("genuine");
    Client.Response dispensed = world.check(api, world.pharmacyA, codes.get(1), "dispense");
    assertThat(dispensed.json().getMap()).containsEntry("outcome", "genuine").containsEntry("firstCheck", true);
  }

  private static RawHttp.Response send(Sample s) {
    return http.send(s.method(), s.target(), s.token(), s.type(), s.bytes());
  }

  /** One mutation of the target, the body or its type: '%' in place of a character, a bad escape, a stray byte. */
  private static Sample mutate(Sample s, Random random) {
    int kind = random.nextInt(s.body() == null ? 3 : 6);
    return switch (kind) {
      case 0 -> new Sample(s.method(), replace(s.target(), random, '%'), s.token(), s.type(), s.body());
      case 1 -> new Sample(s.method(), insertEscape(s.target(), random), s.token(), s.type(), s.body());
      // printable, so the request line stays one line; '?' and '#' and ' ' included
      case 2 -> new Sample(s.method(), replace(s.target(), random, (char) (0x20 + random.nextInt(0x5f))),
          s.token(), s.type(), s.body());
      case 3 -> new Sample(s.method(), s.target(), s.token(), s.type(), replace(s.body(), random, (char) random.nextInt(256)));
      case 4 -> new Sample(s.method(), s.target(), s.token(), s.type(), insertEscape(s.body(), random));
      default -> new Sample(s.method(), s.target(), s.token(), "application/x-www-form-urlencoded",
          "code=" + insertEscape(s.body(), random));
    };
  }

  /** Keeps the leading '/' so the request stays routable. */
  private static String replace(String s, Random random, char c) {
    int at = 1 + random.nextInt(s.length() - 1);
    return s.substring(0, at) + c + s.substring(at + 1);
  }

  private static String insertEscape(String s, Random random) {
    int at = 1 + random.nextInt(s.length());
    return s.substring(0, at) + BAD_ESCAPES.get(random.nextInt(BAD_ESCAPES.size())) + s.substring(at);
  }
}
