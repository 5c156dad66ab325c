package com.packcheck.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.packcheck.postgres.PgUrl;
import com.packcheck.support.Client;
import com.packcheck.support.Stack;
import com.packcheck.support.TcpProxy;
import com.packcheck.support.TestClock;
import com.packcheck.support.TestPostgres;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The alert scan with PostgreSQL out of its reach (a TCP proxy cut between the scanner and PostgreSQL;
 * the instance taking the checks reaches PostgreSQL directly): a failed scan must not move the scan on,
 * or the checks it could not read would never be read.
 */
@DisplayName("An alert scan that cannot reach PostgreSQL leaves its checks to the next one")
class AlertScanOutageTest {
  private static final int BURST = 10;
  static TcpProxy proxy;
  static Stack stack;
  static Client api;
  static ManualScans scans;
  static TestClock clock;
  static Stack.Account admin;
  static Stack.Account pharmacy;

  @BeforeAll
  static void start() throws Exception {
    PgUrl pg = PgUrl.parse(TestPostgres.url());
    proxy = new TcpProxy(pg.host(), pg.port());
    clock = new TestClock(Instant.now().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1)));
    stack = new Stack();
    api = stack.start(Map.of("PACKCHECK_ALERT_SCAN_MS", "3600000"), clock);
    PgUrl proxied = new PgUrl("127.0.0.1", proxy.port(), pg.database(), pg.user(), pg.password());
    scans = new ManualScans(proxied, stack.schema, BURST, clock);
    admin = new Stack.Account(0, stack.adminToken);
    Stack.Account maker = stack.manufacturer(api, 1);
    stack.activeBatch(api, maker, stack.product(api, maker, "Outage product"), Stack.codes(1));
    pharmacy = stack.pharmacy(api);
  }

  @AfterAll
  static void stop() throws Exception {
    scans.close();
    stack.close();
    proxy.close();
  }

  private static void scan() throws Exception {
    scans.scan();
  }

  private static List<JsonObject> bursts() {
    return new JsonArray(api.get("/v1/admin/alerts", admin.token()).body()).stream().map(JsonObject.class::cast)
        .filter(a -> a.getString("kind").equals("fake_burst") && a.getJsonObject("details").containsKey("sender"))
        .toList();
  }

  @Test
  @DisplayName("10 fakes while the scanner is cut off, a failed scan a minute later, a good one after: one burst of 10")
  void failedScanMovesNothing() throws Exception {
    scan();
    proxy.cut();
    for (int i = 0; i < BURST; i++) {
      Client.Response r = api.post("/v1/verifications", pharmacy.token(),
          new JsonObject().put("code", String.valueOf(9_100_000_000_000_000L + i)).put("action", "verify"));
      assertThat(r.json().getString("outcome")).isEqualTo("fake");
    }
    clock.set(clock.instant().plus(Duration.ofMinutes(1)));
    assertThatThrownBy(AlertScanOutageTest::scan).isInstanceOf(ExecutionException.class);
    assertThat(bursts()).isEmpty();

    proxy.heal();
    clock.set(clock.instant().plus(Duration.ofMinutes(1)));
    scan();
    assertThat(bursts()).singleElement()
        .satisfies(a -> assertThat(a.getJsonObject("details").getInteger("fakesLastHour")).isEqualTo(BURST));
  }
}
