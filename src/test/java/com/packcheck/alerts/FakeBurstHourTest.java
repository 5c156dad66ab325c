package com.packcheck.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.support.Client;
import com.packcheck.support.Stack;
import com.packcheck.support.TestClock;
import com.packcheck.support.TestPostgres;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The hour of a fake burst, on a ledger clock the test moves: the scan reads only its recent window
 * from the ledger and the rest of the hour from its per-minute counts, so fakes far outside the window
 * must still count, and fakes older than the hour must not.
 */
@DisplayName("Fake bursts count the fakes of the last hour, also those far outside the scan's window, and no older ones")
class FakeBurstHourTest {
  private static final int BURST = 10;
  static Stack stack;
  static Client api;
  static Stack.Account admin;
  static Stack.Account pharmacy;
  static TestClock clock;
  static Instant hour;
  static final AtomicLong unknown = new AtomicLong(9_000_000_000_000_000L);

  @BeforeAll
  static void start() {
    hour = Instant.now().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(2));
    clock = new TestClock(hour.plus(Duration.ofMinutes(1)));
    stack = new Stack();
    api = stack.start(Map.of("PACKCHECK_ALERT_SCAN_MS", "100", "PACKCHECK_ALERT_BURST_FAKES", String.valueOf(BURST)),
        clock);
    admin = new Stack.Account(0, stack.adminToken);
    Stack.Account maker = stack.manufacturer(api, 1);
    stack.activeBatch(api, maker, stack.product(api, maker, "Burst product"), Stack.codes(1));
    pharmacy = stack.pharmacy(api, "Volta");
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  private static void fakes(int n) {
    for (int i = 0; i < n; i++) {
      Client.Response r = api.post("/v1/verifications", pharmacy.token(),
          new JsonObject().put("code", String.valueOf(unknown.incrementAndGet())).put("action", "verify"));
      assertThat(r.json().getString("outcome")).isEqualTo("fake");
    }
  }

  private static List<JsonObject> bursts() {
    Client.Response r = api.get("/v1/admin/alerts", admin.token());
    assertThat(r.status()).isEqualTo(200);
    return new JsonArray(r.body()).stream().map(JsonObject.class::cast)
        .filter(a -> a.getString("kind").equals("fake_burst") && a.getJsonObject("details").containsKey("sender"))
        .toList();
  }

  /** Waits until the scan has counted {@code fakes} fakes of the pharmacy in the minutes it keeps. */
  private static void awaitCounted(long fakes) throws Exception {
    long deadline = System.currentTimeMillis() + 15_000;
    String sql = "select coalesce(sum(fakes), 0) from fake_minutes where by_ = 'sender'";
    while (TestPostgres.number(stack.schema, sql) != fakes) {
      assertThat(System.currentTimeMillis()).as("fakes counted by the scan").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private static JsonObject awaitBurst(int count) throws Exception {
    long deadline = System.currentTimeMillis() + 15_000;
    List<JsonObject> found = bursts();
    while (found.size() < count && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
      found = bursts();
    }
    assertThat(found).hasSize(count);
    return found.stream().max((a, b) -> Long.compare(a.getLong("id"), b.getLong("id"))).orElseThrow();
  }

  @Test
  @DisplayName("6 fakes, then 4 twenty minutes later: a burst of 10; an hour and a half on, 9 fakes are none, a tenth is")
  void hourOfFakes() throws Exception {
    fakes(6);
    awaitCounted(6);

    clock.set(hour.plus(Duration.ofMinutes(21)));
    fakes(BURST - 6 - 1);
    awaitCounted(BURST - 1);
    assertThat(bursts()).as("9 fakes in the hour are no burst").isEmpty();
    fakes(1);
    JsonObject first = awaitBurst(1);
    assertThat(first.getJsonObject("details").getInteger("fakesLastHour")).isEqualTo(BURST);

    // the next hour: the first 10 fakes are more than an hour old, and forgotten
    clock.set(hour.plus(Duration.ofMinutes(91)));
    fakes(BURST - 1);
    awaitCounted(BURST - 1);  // once the minutes of the first hour are forgotten
    Thread.sleep(500);
    assertThat(bursts()).as("fakes older than the hour do not count").hasSize(1);
    fakes(1);
    JsonObject second = awaitBurst(2);
    assertThat(second.getJsonObject("details").getInteger("fakesLastHour")).isEqualTo(BURST);
  }
}
