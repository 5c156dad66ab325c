package com.packcheck.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.postgres.PgUrl;
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
 * The hour of a fake burst, on a ledger clock the test moves and with scans the test runs itself (the
 * instance's own scanner waits an hour): a scan reads only its window from the ledger and the rest of
 * the hour from its counts per 10 seconds, so fakes far outside the window must still count, and fakes older
 * than the hour must not, even when the window reaches back past the hour.
 */
@DisplayName("Fake bursts count the fakes of the last hour, also those far outside the scan's window, and no older ones")
class FakeBurstHourTest {
  private static final int BURST = 10;
  static Stack stack;
  static Client api;
  static ManualScans scans;
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
    api = stack.start(Map.of("PACKCHECK_ALERT_SCAN_MS", "3600000", "PACKCHECK_ALERT_BURST_FAKES", String.valueOf(BURST)),
        clock);
    scans = new ManualScans(PgUrl.parse(TestPostgres.url()), stack.schema, BURST, clock);
    admin = new Stack.Account(0, stack.adminToken);
    Stack.Account maker = stack.manufacturer(api, 1);
    stack.activeBatch(api, maker, stack.product(api, maker, "Burst product"), Stack.codes(1));
    pharmacy = stack.pharmacy(api, "Volta");
  }

  @AfterAll
  static void stop() throws Exception {
    scans.close();
    stack.close();
  }

  private static void fakes(int n) {
    for (int i = 0; i < n; i++) {
      Client.Response r = api.post("/v1/verifications", pharmacy.token(),
          new JsonObject().put("code", String.valueOf(unknown.incrementAndGet())).put("action", "verify"));
      assertThat(r.json().getString("outcome")).isEqualTo("fake");
    }
  }

  /** Scans once at the clock's time; the sender bursts found so far, oldest first. */
  private static List<JsonObject> scan() throws Exception {
    scans.scan();
    Client.Response r = api.get("/v1/admin/alerts", admin.token());
    assertThat(r.status()).isEqualTo(200);
    return new JsonArray(r.body()).stream().map(JsonObject.class::cast)
        .filter(a -> a.getString("kind").equals("fake_burst") && a.getJsonObject("details").containsKey("sender"))
        .sorted((a, b) -> Long.compare(a.getLong("id"), b.getLong("id")))
        .toList();
  }

  private static long kept() throws Exception {
    return TestPostgres.number(stack.schema, "select coalesce(sum(fakes), 0) from fake_counts where by_ = 'sender'");
  }

  @Test
  @DisplayName("6 fakes, then 4 twenty minutes later: a burst of 10; ninety minutes on, 9 fakes are none, a tenth is")
  void hourOfFakes() throws Exception {
    fakes(6);
    assertThat(scan()).isEmpty();
    assertThat(kept()).isEqualTo(6);

    clock.set(hour.plus(Duration.ofMinutes(21)));
    fakes(BURST - 6 - 1);
    assertThat(scan()).as("9 fakes in the hour are no burst").isEmpty();
    fakes(1);
    List<JsonObject> found = scan();
    assertThat(found).hasSize(1);
    assertThat(found.get(0).getJsonObject("details").getInteger("fakesLastHour")).isEqualTo(BURST);

    // No scan for 70 minutes: the next one's window reaches back to the 4 fakes, now
    // more than an hour old, and must not count them with the new ones.
    clock.set(hour.plus(Duration.ofMinutes(91)));
    fakes(BURST - 1);
    assertThat(scan()).as("fakes older than the hour do not count").hasSize(1);
    fakes(1);
    found = scan();
    assertThat(found).hasSize(2);
    assertThat(found.get(1).getJsonObject("details").getInteger("fakesLastHour")).isEqualTo(BURST);
    assertThat(kept()).as("counts older than the hour forgotten").isEqualTo(BURST);
  }
}
