package com.packcheck.reports;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.support.Client;
import com.packcheck.support.OneInstanceTest;
import com.packcheck.support.Stack;
import com.packcheck.support.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("GET /v1/usage: a manufacturer's bill, from the ledger")
class UsageTest extends OneInstanceTest {
  private static final long PRICE = 25;

  /** Each test bills a manufacturer of its own, so no test sees another's checks. */
  private record Maker(Stack.Account account, long product) {
    String token() {
      return account.token();
    }
  }

  @Test
  @DisplayName("the bill counts exactly this manufacturer's checks by channel and outcome, a replay once, fakes and typos never")
  void billOfAMixOfChecks() throws Exception {
    Maker maker = maker(PRICE);
    List<String> codes = activeCodes(maker, 3);
    long fakesBefore = scalar("select count(*) from interactions where manufacturer_id is null and outcome = 'fake'");

    assertThat(outcome(world.check(api, world.pharmacyA, codes.get(0), "dispense"))).isEqualTo("genuine");
    assertThat(outcome(world.check(api, world.pharmacyA, codes.get(0), "dispense"))).isEqualTo("genuine");
    assertThat(outcome(world.check(api, world.pharmacyB, codes.get(0), "dispense"))).isEqualTo("already_used");
    assertThat(outcome(world.check(api, world.pharmacyB, codes.get(1), "verify"))).isEqualTo("genuine");
    assertThat(outcome(world.check(api, world.pharmacyA, Stack.codes(1).get(0), "dispense"))).isEqualTo("fake");
    assertThat(world.check(api, world.pharmacyA, codes.get(2).substring(0, 9), "dispense").status()).isEqualTo(422);
    String key = "sale-" + System.nanoTime();
    Client.Response sale = world.check(api, world.pharmacyA, codes.get(2), "dispense", "Idempotency-Key", key);
    Client.Response replay = world.check(api, world.pharmacyA, codes.get(2), "dispense", "Idempotency-Key", key);
    assertThat(replay.body()).as("the replay is the same answer").isEqualTo(sale.body());

    JsonObject bill = usage(maker, around(Instant.now()));
    assertThat(bill.getLong("checks")).as("3 dispenses of one code, a verify, a sale and not its replay").isEqualTo(5);
    assertThat(bill.getJsonObject("byChannel").getMap()).isEqualTo(Map.of("http", 5, "sms", 0));
    assertThat(bill.getJsonObject("byOutcome").getMap()).isEqualTo(
        Map.of("genuine", 4, "already_used", 1, "inactive", 0, "recalled", 0, "expired", 0));
    assertThat(bill.getLong("amount")).isEqualTo(5 * PRICE);
    assertThat(bill.getString("currency")).isEqualTo("GHS");
    assertThat(bill.getLong("amount")).as("the bill agrees with the ledger").isEqualTo(ledgerAmount(maker));
    assertThat(scalar("select count(*) from interactions where manufacturer_id is null and outcome = 'fake'") - fakesBefore)
        .as("the fake is in the ledger, billed to no one").isEqualTo(1);
  }

  @Test
  @DisplayName("each check is billed at the price in force when it was answered, not today's")
  void priceAtCheckTime() throws Exception {
    Maker maker = maker(PRICE);
    List<String> codes = activeCodes(maker, 2);
    assertThat(outcome(world.check(api, world.pharmacyA, codes.get(0), "dispense"))).isEqualTo("genuine");
    setPrice(maker, 40);
    assertThat(outcome(world.check(api, world.pharmacyA, codes.get(1), "dispense"))).isEqualTo("genuine");
    assertThat(outcome(world.check(api, world.pharmacyB, codes.get(0), "verify"))).isEqualTo("already_used");
    setPrice(maker, 7);

    JsonObject bill = usage(maker, around(Instant.now()));
    assertThat(bill.getLong("checks")).isEqualTo(3);
    assertThat(bill.getLong("amount")).as("25 before the change, 40 twice after it; today's 7 plays no part")
        .isEqualTo(25 + 40 + 40);
  }

  @Test
  @DisplayName("another manufacturer sees none of these checks, only its own")
  void eachSeesItsOwn() {
    Maker first = maker(PRICE);
    Maker second = maker(10);
    List<String> codes = activeCodes(first, 2);
    world.check(api, world.pharmacyA, codes.get(0), "dispense");
    world.check(api, world.pharmacyB, codes.get(1), "verify");
    String period = around(Instant.now());

    JsonObject nothing = usage(second, period);
    assertThat(nothing.getLong("checks")).isZero();
    assertThat(nothing.getLong("amount")).isZero();
    assertThat(nothing.getString("currency")).isEqualTo("GHS");
    assertThat(nothing.getJsonObject("byChannel").getMap()).isEqualTo(Map.of("http", 0, "sms", 0));
    assertThat(nothing.getJsonObject("byOutcome").getMap().values()).containsOnly(0);

    world.check(api, world.pharmacyA, activeCodes(second, 1).get(0), "dispense");
    JsonObject own = usage(second, period);
    assertThat(own.getLong("checks")).isEqualTo(1);
    assertThat(own.getLong("amount")).isEqualTo(10);
    assertThat(usage(first, period).getLong("checks")).as("the first's bill is unchanged").isEqualTo(2);
    assertThat(usage(first, period).getLong("amount")).isEqualTo(2 * PRICE);
  }

  @Test
  @DisplayName("from is inclusive and to exclusive, to as a date covers that whole UTC day, and a past period is empty")
  void periodBounds() {
    Maker maker = maker(PRICE);
    String code = activeCodes(maker, 1).get(0);
    Instant at = Instant.parse(world.check(api, world.pharmacyA, code, "dispense").json().getString("dispensedAt"));
    Instant next = at.plus(1, ChronoUnit.MICROS);
    LocalDate day = at.atOffset(ZoneOffset.UTC).toLocalDate();

    assertThat(checks(maker, "?from=" + at + "&to=" + next)).as("[at, at + 1 µs)").isEqualTo(1);
    assertThat(checks(maker, "?from=" + next + "&to=" + next.plus(1, ChronoUnit.HOURS))).isZero();
    assertThat(checks(maker, "?from=" + at.minus(1, ChronoUnit.HOURS) + "&to=" + at)).as("to is exclusive").isZero();
    assertThat(checks(maker, "?from=" + day + "&to=" + day)).as("one UTC day").isEqualTo(1);
    assertThat(checks(maker, "?from=" + day.minusDays(30) + "&to=" + day.minusDays(1))).isZero();

    JsonObject past = usage(maker, "?from=2020-01-01&to=2020-12-31");
    assertThat(past.getLong("checks")).isZero();
    assertThat(past.getLong("amount")).isZero();
    assertThat(past.getString("from")).isEqualTo("2020-01-01T00:00:00Z");
    assertThat(past.getString("to")).as("the end of 31 December").isEqualTo("2021-01-01T00:00:00Z");
    assertThat(usage(maker, "?from=2024-01-01&to=2024-12-31").getString("to"))
        .as("a leap year is 366 days, the longest period").isEqualTo("2025-01-01T00:00:00Z");
  }

  @Test
  @DisplayName("without from and to the bill runs from the first of the UTC month to now; to alone is the bill of its month")
  void defaults() {
    Maker maker = maker(PRICE);
    String code = activeCodes(maker, 1).get(0);
    Instant at = Instant.parse(world.check(api, world.pharmacyA, code, "dispense").json().getString("dispensedAt"));
    Instant before = Instant.now();
    JsonObject bill = usage(maker, "");
    Instant after = Instant.now();

    Instant from = Instant.parse(bill.getString("from"));
    Instant to = Instant.parse(bill.getString("to"));
    assertThat(to).isBetween(before.truncatedTo(ChronoUnit.MICROS), after);
    assertThat(from).isEqualTo(YearMonth.from(to.atOffset(ZoneOffset.UTC)).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    assertThat(bill.getLong("checks")).as("this month's check").isEqualTo(at.isBefore(from) ? 0 : 1);

    JsonObject january = usage(maker, "?to=2026-01-31");
    assertThat(january.getString("from")).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(january.getString("to")).isEqualTo("2026-02-01T00:00:00Z");
    JsonObject emptyValues = usage(maker, "?from=&to=");
    assertThat(Instant.parse(emptyValues.getString("from"))).as("empty values count as absent")
        .isEqualTo(YearMonth.from(Instant.parse(emptyValues.getString("to")).atOffset(ZoneOffset.UTC)).atDay(1)
            .atStartOfDay(ZoneOffset.UTC).toInstant());
  }

  @Test
  @DisplayName("unparseable dates, from after to and periods over 366 days are 400 with a message")
  void badPeriods() {
    Maker maker = maker(PRICE);
    for (String query : List.of("?from=2026-13-01", "?from=2026-02-30", "?from=yesterday", "?to=1700000000",
        "?from=2026-11-01T00:00:00", "?from=2026-11-1", "?to=" + encode("+99999-01-01T00:00:00Z"),
        "?from=2026-11-02&to=2026-11-01T00:00:00Z", "?from=2026-12-02&to=2026-11-30",
        "?from=2024-01-01&to=2025-01-01T00:00:00.000001Z", "?from=2023-01-01T00:00:00Z&to=2024-01-02T00:00:00.000001Z",
        "?from=2023-01-01&to=2024-01-02")) {
      Client.Response r = api.get("/v1/usage" + query, maker.token());
      assertThat(r.status()).as(query).isEqualTo(400);
      assertThat(r.json().getString("error")).as(query).isEqualTo("bad_request");
      assertThat(r.json().getString("message")).as(query).isNotBlank();
    }
    assertThat(usage(maker, "?from=2023-01-01&to=2024-01-01").getLong("checks"))
        .as("exactly 366 days is allowed").isZero();
    assertThat(usage(maker, "?from=2026-11-01T01:00:00%2B01:00&to=2026-11-01").getString("from"))
        .as("an instant with an offset").isEqualTo("2026-11-01T00:00:00Z");
  }

  @Test
  @DisplayName("the bill is for manufacturers only: no token 401, a pharmacy's or the admin's 403")
  void manufacturersOnly() {
    assertThat(api.get("/v1/usage", null).status()).isEqualTo(401);
    assertThat(api.get("/v1/usage", "pcm_not-a-token").status()).isEqualTo(401);
    Client.Response pharmacy = api.get("/v1/usage", world.pharmacyA.token());
    assertThat(pharmacy.status()).isEqualTo(403);
    assertThat(pharmacy.json().getString("error")).isEqualTo("forbidden");
    assertThat(api.get("/v1/usage", world.stack.adminToken).status()).isEqualTo(403);
  }

  private static Maker maker(long price) {
    Stack.Account account = world.stack.manufacturer(api, price);
    return new Maker(account, world.stack.product(api, account, "Product " + System.nanoTime()));
  }

  private static List<String> activeCodes(Maker maker, int n) {
    List<String> codes = Stack.codes(n);
    world.stack.activeBatch(api, maker.account(), maker.product(), codes);
    return codes;
  }

  private static String outcome(Client.Response r) {
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().getString("outcome");
  }

  /** A day either side of {@code t}: wide enough for any clock skew, and only this test's maker is asked. */
  private static String around(Instant t) {
    return "?from=" + t.minus(1, ChronoUnit.DAYS) + "&to=" + t.plus(1, ChronoUnit.DAYS);
  }

  private static JsonObject usage(Maker maker, String query) {
    Client.Response r = api.get("/v1/usage" + query, maker.token());
    assertThat(r.status()).as("%s → %s", query, r.body()).isEqualTo(200);
    return r.json();
  }

  private static long checks(Maker maker, String query) {
    return usage(maker, query).getLong("checks");
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** There is no endpoint to change a price yet, so the test changes it where the ledger reads it. */
  private static void setPrice(Maker maker, long price) throws Exception {
    try (Connection c = TestPostgres.connect(world.stack.schema);
        PreparedStatement s = c.prepareStatement("update manufacturers set price_per_check = ? where id = ?")) {
      s.setLong(1, price);
      s.setLong(2, maker.account().id());
      assertThat(s.executeUpdate()).isEqualTo(1);
    }
  }

  private static long ledgerAmount(Maker maker) throws Exception {
    return scalar("select coalesce(sum(price), 0) from interactions where manufacturer_id = " + maker.account().id());
  }

  private static long scalar(String sql) throws Exception {
    return TestPostgres.number(world.stack.schema, sql);
  }
}
