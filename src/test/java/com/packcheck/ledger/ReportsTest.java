package com.packcheck.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.code.Hmac;
import com.packcheck.code.NumberCipher;
import com.packcheck.support.Client;
import com.packcheck.support.OneInstanceTest;
import com.packcheck.support.Stack;
import com.packcheck.support.TestPostgres;
import com.packcheck.store.Database;
import com.packcheck.store.PgUrl;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Reports from the ledger: the month, the bill and the customers agree with the traffic sent")
class ReportsTest extends OneInstanceTest {
  static final YearMonth THIS_MONTH = YearMonth.now(ZoneOffset.UTC);
  static final YearMonth LAST_MONTH = THIS_MONTH.minusMonths(1);
  static Stack.Account other;
  static byte[] shopperX;
  static byte[] shopperY;
  /** What the generator wrote into last month, per day: checks and amount. */
  static final Map<LocalDate, long[]> lastMonth = new TreeMap<>();
  static long liveChecks;

  @BeforeAll
  static void traffic() throws Exception {
    // live traffic this month: 3 first dispenses, 1 repeat, 1 already used (price 5 each)
    List<String> codes = world.activeCodes(3);
    for (String code : codes) {
      world.check(api, world.pharmacyA, code, "dispense");
    }
    world.check(api, world.pharmacyA, codes.get(0), "dispense");
    world.check(api, world.pharmacyB, codes.get(1), "dispense");
    liveChecks = 5;
    // another manufacturer's traffic, never to show in the first one's reports
    other = world.stack.manufacturer(api, 9);
    long product = world.stack.product(api, other, "Other product");
    List<String> theirs = Stack.codes(2);
    world.stack.activeBatch(api, other, product, theirs);
    theirs.forEach(c -> world.check(api, world.pharmacyB, c, "dispense"));

    // the generator: two shoppers by SMS last month (and one of them this month), totals kept here
    Hmac hmac = new Hmac(Stack.SECRET.getBytes(StandardCharsets.UTF_8));
    NumberCipher cipher = new NumberCipher(Stack.SECRET.getBytes(StandardCharsets.UTF_8));
    shopperX = hmac.msisdn("+233244111222");
    shopperY = hmac.msisdn("+2348031234567");
    try (Connection c = TestPostgres.connect(world.stack.schema)) {
      try (PreparedStatement ps = c.prepareStatement(
          "insert into customers (id, kind, msisdn_enc, region) values (?, 'msisdn', ?, ?)")) {
        ps.setBytes(1, shopperX);
        ps.setBytes(2, cipher.encrypt("+233244111222"));
        ps.setString(3, "GH");
        ps.addBatch();
        ps.setBytes(1, shopperY);
        ps.setBytes(2, cipher.encrypt("+2348031234567"));
        ps.setString(3, "NG");
        ps.addBatch();
        ps.executeBatch();
      }
      try (PreparedStatement ps = c.prepareStatement("""
          insert into interactions (id, at, channel, customer_id, action, code_hash, manufacturer_id, outcome,
                                    first_check, price, currency)
          values (nextval('interactions_id_seq'), ?, 'sms', ?, 'check', ?, ?, ?, false, ?, 'GHS')
          """)) {
        for (int i = 0; i < 40; i++) {
          LocalDate day = LAST_MONTH.atDay(12 + i % 6);
          long price = 3 + i % 4;
          ps.setTimestamp(1, Timestamp.from(day.atTime(23, 59, 59).toInstant(ZoneOffset.UTC)));
          ps.setBytes(2, i % 2 == 0 ? shopperX : shopperY);
          ps.setBytes(3, hmac.code("GEN" + i));
          ps.setLong(4, world.maker.id());
          ps.setString(5, i % 5 == 0 ? "already_used" : "genuine");
          ps.setLong(6, price);
          ps.addBatch();
          long[] t = lastMonth.computeIfAbsent(day, d -> new long[2]);
          t[0]++;
          t[1] += price;
        }
        // the month boundary: the first instant of this month belongs to this month
        ps.setTimestamp(1, Timestamp.from(THIS_MONTH.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC)));
        ps.setBytes(2, shopperX);
        ps.setBytes(3, hmac.code("GEN-BOUNDARY"));
        ps.setLong(4, world.maker.id());
        ps.setString(5, "genuine");
        ps.setLong(6, 5);
        ps.addBatch();
        ps.executeBatch();
      }
    }
  }

  private static JsonObject monthly(Stack.Account who, YearMonth month) {
    Client.Response r = api.get("/v1/reports/monthly?month=" + month, who.token());
    assertThat(r.status()).isEqualTo(200);
    return r.json();
  }

  @Test
  @DisplayName("last month's report matches the generator's totals to the unit, day by day")
  void lastMonth() {
    JsonObject report = monthly(world.maker, LAST_MONTH);
    long checks = lastMonth.values().stream().mapToLong(t -> t[0]).sum();
    long amount = lastMonth.values().stream().mapToLong(t -> t[1]).sum();
    assertThat(report.getLong("checks")).isEqualTo(checks);
    assertThat(report.getLong("amount")).isEqualTo(amount);
    assertThat(report.getJsonObject("byChannel").getLong("sms")).isEqualTo(checks);
    assertThat(report.getJsonObject("byOutcome").getLong("already_used")).isEqualTo(8);
    assertThat(report.getJsonArray("byDay")).hasSize(LAST_MONTH.lengthOfMonth());
    for (Object o : report.getJsonArray("byDay")) {
      JsonObject day = (JsonObject) o;
      long[] expected = lastMonth.getOrDefault(LocalDate.parse(day.getString("date")), new long[2]);
      assertThat(day.getLong("checks")).as(day.getString("date")).isEqualTo(expected[0]);
      assertThat(day.getLong("amount")).as(day.getString("date")).isEqualTo(expected[1]);
    }
  }

  @Test
  @DisplayName("this month's report, the bill (/v1/usage) and the CSV give the same figures; another maker sees only its own")
  void thisMonth() throws Exception {
    JsonObject report = monthly(world.maker, THIS_MONTH);
    assertThat(report.getLong("checks")).isEqualTo(liveChecks + 1);
    assertThat(report.getLong("amount")).isEqualTo(5 * liveChecks + 5);
    assertThat(report.getLong("pricePerCheck")).isEqualTo(5);
    assertThat(report.getJsonObject("byChannel").getLong("http")).isEqualTo(5);
    assertThat(report.getJsonObject("byChannel").getLong("sms")).isEqualTo(1);
    JsonObject usage = api.get("/v1/usage?from=" + THIS_MONTH.atDay(1) + "&to=" + THIS_MONTH.atEndOfMonth(),
        world.maker.token()).json();
    assertThat(usage.getLong("checks")).isEqualTo(report.getLong("checks"));
    assertThat(usage.getLong("amount")).isEqualTo(report.getLong("amount"));
    assertThat(usage.getJsonObject("byOutcome")).isEqualTo(report.getJsonObject("byOutcome"));

    HttpResponse<String> csv = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(api.baseUrl() + "/v1/reports/monthly?month=" + THIS_MONTH))
        .header("Authorization", "Bearer " + world.maker.token()).header("Accept", "text/csv").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(csv.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/csv"));
    List<String> lines = csv.body().lines().toList();
    assertThat(lines.get(0)).isEqualTo("date,checks,http,sms,genuine,already_used,inactive,recalled,expired,amount,currency");
    assertThat(lines).hasSize(THIS_MONTH.lengthOfMonth() + 2);
    assertThat(lines.get(lines.size() - 1)).isEqualTo("total " + THIS_MONTH + ",6,5,1,5,1,0,0,0,30,GHS");

    JsonObject theirs = monthly(other, THIS_MONTH);
    assertThat(theirs.getLong("checks")).isEqualTo(2);
    assertThat(theirs.getLong("amount")).isEqualTo(18);
    assertThat(api.get("/v1/reports/monthly?month=2026-13", world.maker.token()).status()).isEqualTo(400);
    assertThat(api.get("/v1/reports/monthly", world.pharmacyA.token()).status()).isEqualTo(403);
  }

  @Test
  @DisplayName("rolling the ledger up by day changes no figure: each check is counted once, before and after")
  void rollupCountsOnce() throws Exception {
    JsonObject last = monthly(world.maker, LAST_MONTH);
    JsonObject now = monthly(world.maker, THIS_MONTH);
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = new Database(PgUrl.parse(TestPostgres.url()), world.stack.schema).pool(vertx, 2);
      // settled at once: everything committed so far is rolled up
      new LedgerRollup(vertx, pool, Duration.ZERO).catchUp().toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      pool.close();
    } finally {
      vertx.close();
    }
    assertThat(Long.parseLong(query("select value from settings where name = 'ledger_days_watermark'"))).isPositive();
    assertThat(Long.parseLong(query("select coalesce(sum(checks), 0) from ledger_days"))).isPositive();
    assertThat(monthly(world.maker, LAST_MONTH)).isEqualTo(last);
    assertThat(monthly(world.maker, THIS_MONTH)).isEqualTo(now);
  }

  private static String query(String sql) throws Exception {
    return TestPostgres.value(world.stack.schema, sql);
  }

  @Test
  @DisplayName("the customers summary counts unique and repeat customers, retention, channels and regions")
  void customers() {
    JsonObject s = api.get("/v1/customers/summary?from=" + THIS_MONTH.atDay(1) + "&to=" + THIS_MONTH.atEndOfMonth(),
        world.maker.token()).json();
    // pharmacy A (4 checks), pharmacy B (1), shopper X (1, by SMS)
    assertThat(s.getLong("customers")).isEqualTo(3);
    assertThat(s.getLong("repeatCustomers")).isEqualTo(1);
    // last month's customers: X and Y; X came back
    assertThat(s.getLong("previousCustomers")).isEqualTo(2);
    assertThat(s.getDouble("retention")).isEqualTo(0.5);
    assertThat(s.getJsonObject("byChannel").getLong("http")).isEqualTo(2);
    assertThat(s.getJsonObject("byChannel").getLong("sms")).isEqualTo(1);
    assertThat(s.getJsonObject("byRegion").getLong("GH")).isEqualTo(1);
    assertThat(s.getJsonObject("byRegion").getLong("Accra")).isEqualTo(2);
    JsonObject theirs = api.get("/v1/customers/summary", other.token()).json();
    assertThat(theirs.getLong("customers")).isEqualTo(1);
  }

  @Test
  @DisplayName("a customer's history shows only this manufacturer's checks, the number masked until the shopper opts in")
  void customerHistory() throws Exception {
    String x = HexFormat.of().formatHex(shopperX);
    assertThat(api.get("/v1/customers?from=" + LAST_MONTH.atDay(1) + "&to=" + THIS_MONTH.atEndOfMonth(),
        world.maker.token()).body()).contains(x);
    JsonObject history = api.get("/v1/customers/" + x + "/interactions", world.maker.token()).json();
    assertThat(history.getJsonObject("customer").getString("msisdn")).isEqualTo("+23324*****22");
    assertThat(history.getJsonArray("interactions")).hasSize(21);
    try (Connection c = TestPostgres.connect(world.stack.schema);
        PreparedStatement ps = c.prepareStatement("update customers set opted_in_at = now() where id = ?")) {
      ps.setBytes(1, shopperX);
      ps.executeUpdate();
    }
    assertThat(api.get("/v1/customers/" + x + "/interactions", world.maker.token()).json()
        .getJsonObject("customer").getString("msisdn")).isEqualTo("+233244111222");
    assertThat(api.get("/v1/customers/" + x + "/interactions", other.token()).status()).isEqualTo(404);
    assertThat(api.get("/v1/customers/nothex/interactions", other.token()).status()).isEqualTo(400);
    String unknown = HexFormat.of().formatHex(new byte[32]);
    assertThat(api.get("/v1/customers/" + unknown + "/interactions", world.maker.token()).status()).isEqualTo(404);
  }
}
