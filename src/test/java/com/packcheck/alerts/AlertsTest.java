package com.packcheck.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.packcheck.code.Sealer;
import com.packcheck.support.Client;
import com.packcheck.support.SparePort;
import com.packcheck.support.Stack;
import com.packcheck.support.TestPostgres;
import com.packcheck.support.World;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Alerts: cloned codes, recalled checks and fake bursts, as cases, and by signed webhook")
class AlertsTest {
  static World world;
  static Client api;
  static Stack.Account pharmacyC;
  static Vertx vertx = Vertx.vertx();

  @BeforeAll
  static void start() {
    world = new World(5, Map.of("PACKCHECK_ALERT_SCAN_MS", "200", "PACKCHECK_WEBHOOK_BACKOFF_MS", "200",
        "PACKCHECK_ALERT_BURST_FAKES", "5"));
    api = world.instance(0);
    pharmacyC = world.stack.pharmacy(api);
  }

  @AfterAll
  static void stop() throws Exception {
    world.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static JsonArray alerts(Stack.Account who, String path) {
    Client.Response r = api.get(path, who.token());
    assertThat(r.status()).isEqualTo(200);
    return new JsonArray(r.body());
  }

  private static JsonObject awaitAlert(Supplier<JsonArray> list, String kind) {
    return awaitAlert(list, kind, alert -> true);
  }

  /** Until {@code list} holds an alert of {@code kind} that {@code which} accepts: the scanner runs every 200 ms. */
  private static JsonObject awaitAlert(Supplier<JsonArray> list, String kind, Predicate<JsonObject> which) {
    AtomicReference<JsonObject> found = new AtomicReference<>();
    await("a " + kind + " alert").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> {
          JsonArray alerts = list.get();
          found.set(alerts.stream().map(JsonObject.class::cast)
              .filter(a -> a.getString("kind").equals(kind) && which.test(a)).findFirst().orElse(null));
          assertThat(found.get()).as("a %s alert among %s", kind, alerts).isNotNull();
        });
    return found.get();
  }

  @Test
  @DisplayName("a code checked by three customers is a cloned code; the case is acknowledged, then closed, by its manufacturer only")
  void clonedCode() throws Exception {
    String code = world.activeCodes(1).get(0);
    world.check(api, world.pharmacyA, code, "dispense");
    world.check(api, world.pharmacyB, code, "dispense");
    assertThat(alerts(world.maker, "/v1/alerts?state=open")).noneMatch(a -> ((JsonObject) a).getString("kind").equals("cloned_code"));
    world.check(api, pharmacyC, code, "dispense");
    JsonObject alert = awaitAlert(() -> alerts(world.maker, "/v1/alerts?state=open"), "cloned_code");
    assertThat(alert.getJsonObject("details").getInteger("customers")).isEqualTo(3);
    assertThat(alert.getJsonObject("details").getString("lot")).startsWith("LOT-");
    long id = alert.getLong("id");

    Stack.Account other = world.stack.manufacturer(api, 1);
    assertThat(alerts(other, "/v1/alerts")).isEmpty();
    assertThat(api.post("/v1/alerts/" + id + "/acknowledge", other.token(), null).status()).isEqualTo(404);
    assertThat(api.post("/v1/alerts/" + id + "/acknowledge", world.maker.token(), null).json().getString("state"))
        .isEqualTo("acknowledged");
    assertThat(api.post("/v1/alerts/" + id + "/close", world.maker.token(), null).json().getString("state"))
        .isEqualTo("closed");
    assertThat(api.post("/v1/alerts/" + id + "/acknowledge", world.maker.token(), null).status()).isEqualTo(409);
    assertThat(alerts(world.maker, "/v1/alerts?state=closed")).anyMatch(a -> ((JsonObject) a).getLong("id") == id);
    assertThat(api.get("/v1/alerts?state=gone", world.maker.token()).status()).isEqualTo(400);
  }

  @Test
  @DisplayName("checks of a recalled batch raise a recalled_check alert; the scans are timed in /metrics")
  void recalledCheck() throws Exception {
    List<String> codes = Stack.codes(1);
    long batch = world.stack.activeBatch(api, world.maker, world.product, codes);
    api.post("/v1/batches/" + batch + "/recall", world.maker.token(), new JsonObject().put("reason", "contamination"));
    assertThat(world.check(api, world.pharmacyA, codes.get(0), "verify").json().getString("outcome")).isEqualTo("recalled");
    JsonObject alert = awaitAlert(() -> alerts(world.maker, "/v1/alerts?state=open"), "recalled_check");
    assertThat(alert.getJsonObject("details").getLong("batchId")).isEqualTo(batch);
    assertThat(api.get("/metrics", null).body()).as("the scans' time, for operators")
        .containsPattern("(?m)^packcheck_alert_scan_seconds_count [1-9]");
  }

  @Test
  @DisplayName("bursts of fakes from one customer and from one region are the operator's alerts; the operator sees fakes by region and day")
  void fakeBurst() throws Exception {
    world.activeCodes(1);  // a released 16-digit format: unknown 16-digit codes are fakes, not typos
    // 5 fakes an hour make a sender's burst, 25 a region's (five times as many)
    for (int i = 0; i < 25; i++) {
      String unknown = "9" + String.format("%015d", System.nanoTime() % 1_000_000_000_000_000L);
      assertThat(world.check(api, pharmacyC, unknown, "verify").json().getString("outcome")).isEqualTo("fake");
    }
    Stack.Account admin = new Stack.Account(0, world.stack.adminToken);
    JsonObject alert = awaitAlert(() -> alerts(admin, "/v1/admin/alerts?state=open"), "fake_burst");
    assertThat(alert.getJsonObject("details").getInteger("fakesLastHour")).isGreaterThanOrEqualTo(5);
    JsonObject region = awaitAlert(() -> alerts(admin, "/v1/admin/alerts?state=open"), "fake_burst",
        a -> a.getJsonObject("details").containsKey("region"));
    assertThat(region.getJsonObject("details").getString("region")).isEqualTo("Accra");
    assertThat(region.getJsonObject("details").getInteger("fakesLastHour")).isGreaterThanOrEqualTo(25);
    assertThat(alerts(world.maker, "/v1/alerts")).noneMatch(a -> ((JsonObject) a).getString("kind").equals("fake_burst"));
    JsonArray fakes = alerts(admin, "/v1/admin/reports/fakes");
    assertThat(fakes).anySatisfy(f -> {
      assertThat(((JsonObject) f).getString("region")).isEqualTo("Accra");
      assertThat(((JsonObject) f).getLong("fakes")).isGreaterThanOrEqualTo(5);
    });
    assertThat(api.get("/v1/admin/reports/fakes", world.maker.token()).status()).isEqualTo(403);
  }

  @Test
  @DisplayName("a webhook down for a while gets each alert once it is back, signed, with the alert id to drop repeats")
  void webhook() throws Exception {
    Stack.Account maker = world.stack.manufacturer(api, 2);
    long product = world.stack.product(api, maker, "Webhook product");
    int port = SparePort.belowEphemeralRange();
    String secret = "whsec-" + System.nanoTime();
    assertThat(api.put("/v1/webhook", maker.token(), new JsonObject().put("url", "ftp://x").put("secret", secret))
        .status()).isEqualTo(400);
    assertThat(api.put("/v1/webhook", maker.token(), new JsonObject()
        .put("url", "http://127.0.0.1:" + port + "/hooks/packcheck").put("secret", secret)).status()).isEqualTo(200);
    assertThat(query("select (secret is null and position(convert_to('" + secret + "', 'UTF8') in secret_sealed) = 0)"
        + "::text from webhooks where manufacturer_id = " + maker.id())).as("stored sealed, not in plain").isEqualTo("true");
    // the receiver is down: nothing listens on the port yet
    List<String> codes = Stack.codes(1);
    long batch = world.stack.activeBatch(api, maker, product, codes);
    api.post("/v1/batches/" + batch + "/recall", maker.token(), new JsonObject());
    world.check(api, world.pharmacyA, codes.get(0), "verify");
    long alertId = awaitAlert(() -> alerts(maker, "/v1/alerts"), "recalled_check").getLong("id");
    await("tried while the receiver was down").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertThat(attempts(alertId)).as("attempts").isGreaterThanOrEqualTo(2));

    Map<String, Integer> deliveries = new ConcurrentHashMap<>();
    Map<String, Boolean> signed = new ConcurrentHashMap<>();
    HttpServer receiver = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      String id = req.getHeader("X-PackCheck-Delivery");
      deliveries.merge(id, 1, Integer::sum);
      signed.put(id, ("sha256=" + WebhookSender.signature(secret, body.getBytes()))
          .equals(req.getHeader("X-PackCheck-Signature")) && new JsonObject(body).getLong("id") == Long.parseLong(id));
      req.response().setStatusCode(204).end();
    }));
    receiver.listen(port).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    try {
      await("the alert delivered").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
          .until(() -> deliveries.containsKey(Long.toString(alertId)));
      // and delivered once: no second send within the next second
      await("one delivery only").during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
          .untilAsserted(() -> assertThat(deliveries).containsEntry(Long.toString(alertId), 1));
      assertThat(signed).containsEntry(Long.toString(alertId), true);
      assertThat(state(alertId)).isEqualTo("delivered");
    } finally {
      receiver.close();
    }
  }

  @Test
  @DisplayName("a webhook secret an earlier version stored in plain is sealed when an instance starts")
  void plainSecretSealedAtStart() throws Exception {
    Stack.Account maker = world.stack.manufacturer(api, 2);
    String secret = "plain-whsec-" + System.nanoTime();
    try (Connection c = TestPostgres.connect(world.stack.schema); PreparedStatement insert = c.prepareStatement(
        "insert into webhooks (manufacturer_id, url, secret) values (?, 'http://127.0.0.1:9/hooks', ?)")) {
      insert.setLong(1, maker.id());
      insert.setString(2, secret);
      insert.executeUpdate();
    }
    Client restarted = world.stack.start();
    try (Connection c = TestPostgres.connect(world.stack.schema); PreparedStatement select = c.prepareStatement(
        "select secret, secret_sealed from webhooks where manufacturer_id = ?")) {
      select.setLong(1, maker.id());
      try (ResultSet row = select.executeQuery()) {
        assertThat(row.next()).isTrue();
        assertThat(row.getString(1)).as("plain secret left").isNull();
        assertThat(Sealer.forWebhookSecrets(Stack.SECRET.getBytes(StandardCharsets.UTF_8)).decrypt(row.getBytes(2)))
            .isEqualTo(secret);
      }
    } finally {
      world.stack.stop(restarted);
    }
  }

  @Test
  @DisplayName("a webhook secret sealed under another code secret is never sent unsigned: the delivery waits, saying why")
  void secretSealedElsewhere() throws Exception {
    Stack.Account maker = world.stack.manufacturer(api, 2);
    long product = world.stack.product(api, maker, "Foreign secret product");
    byte[] foreign = Sealer.forWebhookSecrets("another-code-secret".getBytes(StandardCharsets.UTF_8))
        .encrypt("whsec-from-elsewhere-1234");
    try (Connection c = TestPostgres.connect(world.stack.schema); PreparedStatement insert = c.prepareStatement(
        "insert into webhooks (manufacturer_id, url, secret_sealed) values (?, 'http://127.0.0.1:9/hooks', ?)")) {
      insert.setLong(1, maker.id());
      insert.setBytes(2, foreign);
      insert.executeUpdate();
    }
    List<String> codes = Stack.codes(1);
    long batch = world.stack.activeBatch(api, maker, product, codes);
    api.post("/v1/batches/" + batch + "/recall", maker.token(), new JsonObject());
    world.check(api, world.pharmacyA, codes.get(0), "verify");
    long alertId = awaitAlert(() -> alerts(maker, "/v1/alerts"), "recalled_check").getLong("id");
    String where = " from webhook_deliveries where alert_id = " + alertId;
    await("the attempt's error recorded").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertThat(query("select last_error" + where)).contains("sealed under another code secret"));
    assertThat(query("select state" + where)).isEqualTo("pending");
  }

  private static int attempts(long alertId) throws Exception {
    return Integer.parseInt(query("select coalesce(max(attempts), 0) from webhook_deliveries where alert_id = " + alertId));
  }

  private static String state(long alertId) throws Exception {
    return query("select state from webhook_deliveries where alert_id = " + alertId);
  }

  private static String query(String sql) throws Exception {
    return TestPostgres.value(world.stack.schema, sql);
  }
}
