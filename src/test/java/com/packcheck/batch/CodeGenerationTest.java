package com.packcheck.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.packcheck.code.CodeGenerator;
import com.packcheck.code.CodeNormalizer;
import com.packcheck.code.Crockford;
import com.packcheck.code.Damm32;
import com.packcheck.code.Hmac;
import com.packcheck.postgres.Database;
import com.packcheck.postgres.PgUrl;
import com.packcheck.support.Client;
import com.packcheck.support.OneInstanceTest;
import com.packcheck.support.Stack;
import com.packcheck.support.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Generating codes: shown once, stored hashed, typos answered 'please re-check'")
class CodeGenerationTest extends OneInstanceTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static long newBatch() {
    return api.post("/v1/batches", world.maker.token(), new JsonObject().put("productId", world.product)
        .put("lot", "G" + System.nanoTime()).put("expiry", "2031-01-01")).json().getLong("id");
  }

  private static HttpRequest generateRequest(long batch, Object count) {
    return HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/batches/" + batch + "/codes/generate"))
        .header("Authorization", "Bearer " + world.maker.token()).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("count", count).encode())).build();
  }

  private static String baseUrl() {
    return api.baseUrl();
  }

  private static long storedCodes(long batch) {
    return api.get("/v1/batches/" + batch, world.maker.token()).json().getLong("codes");
  }

  private static String outcome(String code, String action) {
    return world.check(api, world.pharmacyA, code, action).json().getString("outcome");
  }

  /** Seeds in the order given, so a test can choose one whose first code is already stored. */
  private static Random seeds(byte[]... given) {
    Deque<byte[]> queue = new ArrayDeque<>(List.of(given));
    return new Random() {
      @Override
      public void nextBytes(byte[] bytes) {
        System.arraycopy(queue.pop(), 0, bytes, 0, bytes.length);
      }
    };
  }

  private static byte[] seed(int fill) {
    byte[] seed = new byte[32];
    Arrays.fill(seed, (byte) fill);
    return seed;
  }

  /** Stores the first code {@code seed} makes in another batch, as if a manufacturer had uploaded it. */
  private static void storeFirstCode(byte[] seed, long otherBatch) throws Exception {
    byte[] hash = new Hmac(Stack.SECRET.getBytes(StandardCharsets.UTF_8)).code(new CodeGenerator(seed).next());
    try (Connection c = TestPostgres.connect(world.stack.schema);
        PreparedStatement insert = c.prepareStatement("insert into codes (hash, batch_id) values (?, ?)")) {
      insert.setBytes(1, hash);
      insert.setLong(2, otherBatch);
      insert.executeUpdate();
    }
  }

  private static String printed(byte[] seed, int count) {
    CodeGenerator codes = new CodeGenerator(seed);
    byte[] out = new byte[count * CodeGenerator.PRINTED_LENGTH];
    for (int i = 0; i < count; i++) {
      codes.nextPrinted(out, i * CodeGenerator.PRINTED_LENGTH);
    }
    return new String(out, StandardCharsets.US_ASCII);
  }

  private static CodeGeneration generation(Random random) {
    return new CodeGeneration(new Database(PgUrl.parse(TestPostgres.url()), world.stack.schema),
        new Hmac(Stack.SECRET.getBytes(StandardCharsets.UTF_8)), random);
  }

  /** The printed codes, as the caller would read them. */
  private static final class Collected implements CodeGeneration.Sink {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @Override
    public void begin(int count) {
    }

    @Override
    public void write(byte[] bytes, int length) {
      out.write(bytes, 0, length);
    }

    @Override
    public void flush() {
    }
  }

  @Test
  @DisplayName("a drawn code that meets a stored one makes the whole batch drawn again: the caller gets the second draw, stored")
  void clashDrawsAgain() throws Exception {
    long batch = newBatch();
    byte[] clashing = seed(1);
    byte[] fresh = seed(2);
    storeFirstCode(clashing, newBatch());
    Collected caller = new Collected();
    generation(seeds(clashing, fresh)).generate(world.maker.id(), batch, 50, caller);
    assertThat(caller.out.toString(StandardCharsets.US_ASCII)).isEqualTo(printed(fresh, 50));
    assertThat(storedCodes(batch)).isEqualTo(50);
    String first = CodeNormalizer.normalize(printed(fresh, 1).strip());
    api.post("/v1/batches/" + batch + "/activate", world.maker.token(), new JsonObject());
    assertThat(outcome(first, "verify")).isEqualTo("genuine");
  }

  @Test
  @DisplayName("three draws that all meet stored codes fail the generation, and the batch keeps no code of any draw")
  void clashesEveryTime() throws Exception {
    long batch = newBatch();
    long other = newBatch();
    byte[][] clashing = {seed(3), seed(4), seed(5)};
    for (byte[] s : clashing) {
      storeFirstCode(s, other);
    }
    Collected caller = new Collected();
    assertThatThrownBy(() -> generation(seeds(clashing)).generate(world.maker.id(), batch, 50, caller))
        .isInstanceOf(SQLException.class).extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("23505");
    assertThat(caller.out.size()).as("nothing printed").isZero();
    assertThat(storedCodes(batch)).isZero();
    assertThat(storedCodes(other)).isEqualTo(3);
  }

  @Test
  @DisplayName("generated codes come back once, grouped, distinct, and check as genuine once the batch is active")
  void generateAndCheck() throws Exception {
    long batch = newBatch();
    HttpResponse<String> r = HTTP.send(generateRequest(batch, 2000), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("X-PackCheck-Codes")).hasValue("2000");
    List<String> printed = r.body().lines().toList();
    assertThat(printed).hasSize(2000).allMatch(l -> l.matches("[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]"));
    Set<String> distinct = new HashSet<>(printed);
    assertThat(distinct).hasSize(2000);
    assertThat(storedCodes(batch)).isEqualTo(2000);

    assertThat(api.post("/v1/batches/" + batch + "/activate", world.maker.token(), null).status()).isEqualTo(200);
    String code = printed.get(0);
    assertThat(outcome(code, "dispense")).isEqualTo("genuine");
    assertThat(outcome(printed.get(1).toLowerCase().replace("-", " "), "verify")).isEqualTo("genuine");
  }

  @Test
  @DisplayName("a mistyped or swapped generated code answers 'please re-check', an unknown well-formed one 'fake'")
  void typosAreNotFakes() throws Exception {
    long batch = newBatch();
    String code = CodeNormalizer.normalize(
        HTTP.send(generateRequest(batch, 10), HttpResponse.BodyHandlers.ofString()).body().lines().findFirst().orElseThrow());
    api.post("/v1/batches/" + batch + "/activate", world.maker.token(), null);

    char wrong = code.charAt(5) == 'X' ? 'Y' : 'X';
    String typo = code.substring(0, 5) + wrong + code.substring(6);
    int i = 0;
    while (code.charAt(i) == code.charAt(i + 1)) {
      i++;
    }
    String swapped = code.substring(0, i) + code.charAt(i + 1) + code.charAt(i) + code.substring(i + 2);
    Client.Response typoAnswer = world.check(api, world.pharmacyA, typo, "dispense");
    assertThat(typoAnswer.status()).isEqualTo(422);
    assertThat(typoAnswer.json().getString("message")).contains("re-check");
    assertThat(world.check(api, world.pharmacyA, swapped, "dispense").status()).isEqualTo(422);

    String unknown = unstoredNeighbour(code);
    assertThat(unknown).isNotEqualTo(code);
    assertThat(Damm32.valid(unknown)).as("the unknown code is well-formed").isTrue();
    assertThat(outcome(unknown, "dispense")).isEqualTo("fake");
    assertThat(outcome(code, "dispense")).as("the typos consumed nothing").isEqualTo("genuine");
    assertThat(Crockford.ALPHABET).contains(String.valueOf(code.charAt(12)));
  }

  /**
   * A well-formed code that differs from {@code code} in its first symbol (and so its check symbol)
   * and is stored nowhere: what a counterfeiter who guessed the scheme would print.
   */
  private static String unstoredNeighbour(String code) throws Exception {
    Hmac hmac = new Hmac(Stack.SECRET.getBytes(StandardCharsets.UTF_8));
    try (Connection c = TestPostgres.connect(world.stack.schema);
        PreparedStatement stored = c.prepareStatement("select 1 from codes where hash = ?")) {
      for (char first : Crockford.ALPHABET.toCharArray()) {
        String payload = first + code.substring(1, 12);
        String candidate = payload + Damm32.checkSymbol(payload);
        stored.setBytes(1, hmac.code(candidate));
        try (ResultSet rs = stored.executeQuery()) {
          if (first != code.charAt(0) && !rs.next()) {
            return candidate;
          }
        }
      }
    }
    throw new IllegalStateException("every neighbour of " + code + " is stored");
  }

  @Test
  @DisplayName("a client that stops reading half-way leaves the batch without any of the codes")
  void brokenDownloadStoresNothing() throws Exception {
    long batch = newBatch();
    HttpResponse<InputStream> r = HTTP.send(generateRequest(batch, 1_000_000), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    try (InputStream body = r.body()) {
      assertThat(body.readNBytes(100_000)).hasSize(100_000);
    }
    awaitGeneration(batch);
    assertThat(storedCodes(batch)).isZero();
    // the batch is still a usable draft
    HttpResponse<String> again = HTTP.send(generateRequest(batch, 5), HttpResponse.BodyHandlers.ofString());
    assertThat(again.body().lines()).hasSize(5);
    assertThat(storedCodes(batch)).isEqualTo(5);
  }

  /** The generation holds the batch row until it commits or rolls back: an empty upload waits for it. */
  private static void awaitGeneration(long batch) {
    Client.Response probe = api.postRaw("/v1/batches/" + batch + "/codes", world.maker.token(), "text/plain",
        new byte[0]);
    assertThat(probe.status()).isEqualTo(200);
  }

  @Test
  @DisplayName("generation is refused for a count out of range and for a batch that is no longer draft")
  void refusals() throws Exception {
    long batch = newBatch();
    assertThat(HTTP.send(generateRequest(batch, 0), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(400);
    assertThat(HTTP.send(generateRequest(batch, 10_000_001), HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(400);
    assertThat(HTTP.send(generateRequest(batch, "many"), HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(400);
    HTTP.send(generateRequest(batch, 3), HttpResponse.BodyHandlers.ofString());
    api.post("/v1/batches/" + batch + "/activate", world.maker.token(), null);
    HttpResponse<String> late = HTTP.send(generateRequest(batch, 3), HttpResponse.BodyHandlers.ofString());
    assertThat(late.statusCode()).isEqualTo(409);
    assertThat(new JsonObject(late.body()).getString("error")).isEqualTo("batch_active");
    assertThat(storedCodes(batch)).isEqualTo(3);
    assertThat(HTTP.send(generateRequest(999_999, 3), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
  }
}
