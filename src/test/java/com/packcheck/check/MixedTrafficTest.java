package com.packcheck.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.packcheck.support.Answers;
import com.packcheck.support.Client;
import com.packcheck.support.Invariants;
import com.packcheck.support.Phones;
import com.packcheck.support.Stack;
import com.packcheck.support.TestClock;
import com.packcheck.support.TestPostgres;
import com.packcheck.support.TestSmsc;
import com.packcheck.support.Waits;
import com.packcheck.support.traffic.Check;
import com.packcheck.support.traffic.Customer;
import com.packcheck.support.traffic.Generator;
import com.packcheck.support.traffic.Kind;
import com.packcheck.support.traffic.Ledger;
import com.packcheck.support.traffic.Maker;
import com.packcheck.support.traffic.Reports;
import com.packcheck.support.traffic.Totals;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One run of {@link Generator}'s traffic, shared by the tests: the instance's ledger clock starts last
 * month and crosses into this one during the run. The run reads every report twice on the way (mid-run,
 * and once the traffic is over, before the roll-up caught up); each test holds what it looks at against
 * the generator's own ledger, and none needs another to have run.
 */
@DisplayName("Mixed SMS and HTTP traffic across a month boundary: every report agrees with the generator's own totals")
class MixedTrafficTest {
  static final String SHORT_CODE = "1393";
  static final long SEED = Long.getLong("packcheck.seed", 6L);
  /** Checks are sent before the boundary only while this much clock time is left, so each lands on a known side. */
  static final Duration MARGIN = Duration.ofMillis(1500);

  static TestSmsc smsc;
  static Stack stack;
  static Client api;
  static TestClock clock;
  /** The first instant of {@link #after}: the month boundary the traffic crosses. */
  static Instant boundary;
  static YearMonth before;
  static YearMonth after;
  static Generator gen;
  /** The reports read after the traffic of last month's first days, and the ledger then. */
  static Reports midRun;
  static Ledger midRunLedger;
  /** The reports read as soon as the traffic was over. */
  static Reports beforeRollup;
  /** Checks sent in last month's last seconds, and the clock once the last of them was answered. */
  static int sentBeforeBoundary;
  static Instant lastAnsweredBeforeBoundary;

  @BeforeAll
  static void traffic() throws Exception {
    Instant now = Instant.now();
    after = YearMonth.now(ZoneOffset.UTC);
    if (now.isBefore(start(after).plus(Duration.ofMinutes(10)))) {
      after = after.minusMonths(1); // this month's traffic must be old enough for the roll-up
    }
    before = after.minusMonths(1);
    boundary = start(after);
    clock = new TestClock(before.atDay(1).atTime(11, 0).toInstant(ZoneOffset.UTC));
    smsc = TestSmsc.start("packcheck", "s3cret", 100);
    stack = new Stack();
    Map<String, String> settings = new HashMap<>(Map.of("PACKCHECK_SMPP_HOST", smsc.host(),
        "PACKCHECK_SMPP_PORT", "" + smsc.port(), "PACKCHECK_SMPP_SYSTEM_ID", "packcheck",
        "PACKCHECK_SMPP_PASSWORD", "s3cret", "PACKCHECK_SMPP_SHORT_CODE", SHORT_CODE,
        "PACKCHECK_SMPP_MAX_TPS", "500", "PACKCHECK_SMS_MAX_BAD_PER_HOUR", "1000",
        "PACKCHECK_ALERT_SCAN_MS", "300", "PACKCHECK_ALERT_BURST_FAKES", "1000"));
    // the roll-up every half second, taking ids drawn 6 s ago (past the 5 s commit timeout), not 2 minutes
    settings.putAll(Map.of("PACKCHECK_LEDGER_ROLLUP_MS", "500", "PACKCHECK_LEDGER_SETTLED_MS", "6000"));
    api = stack.start(settings, clock);
    Waits.bound(smsc);
    gen = new Generator(new Random(SEED), stack, api, smsc, SHORT_CODE, clock, boundary);

    clock.set(before.atDay(1).atTime(12, 0).toInstant(ZoneOffset.UTC));
    gen.run(40);
    clock.set(before.atDay(14).atTime(9, 30).toInstant(ZoneOffset.UTC));
    gen.run(40);
    midRun = Reports.read("mid-run", api, stack, gen.makers, List.of(before, after));
    midRunLedger = gen.ledger.copy();

    clock.set(boundary.minusSeconds(8));
    sentBeforeBoundary = gen.runWhile(() -> clock.instant().isBefore(boundary.minus(MARGIN)), 150);
    lastAnsweredBeforeBoundary = clock.instant();
    // the 150 checks may take less than the 8 s to the boundary: wait out whatever is left of them
    await("the ledger clock past the boundary").atMost(Duration.ofSeconds(8).plus(MARGIN))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !clock.instant().isBefore(boundary));
    gen.optIn(gen.shoppers.get(3));
    gen.run(60);
    beforeRollup = Reports.read("before the roll-up caught up", api, stack, gen.makers, List.of(before, after));
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
    if (smsc != null) {
      smsc.close();
    }
  }

  private static Instant start(YearMonth month) {
    return month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
  }

  @Test
  @DisplayName("last month's first days: every report already agrees mid-run")
  void lastMonthsFirstDays() {
    assertReports(midRun, midRunLedger);
  }

  @Test
  @DisplayName("the clock crosses into this month during the traffic; the reports agree on both sides before the roll-up caught up")
  void acrossTheBoundary() {
    assertThat(lastAnsweredBeforeBoundary).as("every check before the boundary was answered before it").isBefore(boundary);
    assertThat(sentBeforeBoundary).as("checks in last month's last seconds").isPositive();
    assertThat(gen.ledger.checks(after)).as("checks on this month's side").isPositive();
    for (YearMonth month : List.of(before, after)) {
      assertThat(gen.ledger.stream().filter(x -> x.month().equals(month)).map(Check::channel).distinct())
          .as("channels in " + month).containsExactlyInAnyOrder("http", "sms");
    }
    assertThat(gen.ledger.stream().map(Check::outcome).distinct()).as("outcomes")
        .containsExactlyInAnyOrder("genuine", "already_used", "fake", "inactive", "recalled", "expired");
    assertThat(gen.ledger.stream().filter(x -> x.code() != null && x.code().kind == Kind.EXPIRES_AT_BOUNDARY)
        .map(x -> x.outcome() + " " + x.month()).distinct())
        .as("a batch expiring on last month's last day, checked on both sides of the boundary")
        .contains("genuine " + before, "expired " + after);
    assertReports(beforeRollup, gen.ledger);
  }

  @Test
  @DisplayName("once the roll-up has caught up the figures are the same, to the unit; each code's dispensing and consuming times are its first check's")
  void afterTheRollup() throws Exception {
    long last = TestPostgres.number(stack.schema, "select max(id) from interactions");
    await("the roll-up caught up").atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(Reports.watermark(stack)).as("ledger_days_watermark")
            .isGreaterThanOrEqualTo(last));
    assertReports(Reports.read("after the roll-up", api, stack, gen.makers, List.of(before, after)), gen.ledger);
    Invariants.check(stack, List.of(), new Answers());
  }

  @Test
  @DisplayName("a customer's history holds exactly their checks of that maker's codes; another maker gets 404; numbers masked until YES")
  void customerHistories() {
    List<Customer> everyone = new ArrayList<>(gen.pharmacies);
    everyone.addAll(gen.shoppers);
    for (Maker m : gen.makers) {
      for (Customer c : everyone) {
        List<Check> theirs = gen.ledger.stream().filter(x -> x.maker() == m && x.customer() == c).toList();
        Client.Response r = api.get("/v1/customers/" + c.id + "/interactions", m.account.token());
        if (theirs.isEmpty()) {
          assertThat(r.status()).as(m.name + " asks for " + c.name + ", never its customer").isEqualTo(404);
          continue;
        }
        assertThat(r.status()).as(m.name + " asks for " + c.name).isEqualTo(200);
        JsonObject history = r.json();
        List<String> expected = new ArrayList<>();
        for (int i = theirs.size() - 1; i >= 0; i--) {
          Check x = theirs.get(i);
          expected.add(x.channel() + " " + x.action() + " " + x.outcome() + " " + x.first() + " " + x.month());
        }
        List<String> actual = history.getJsonArray("interactions").stream().map(o -> (JsonObject) o)
            .map(j -> j.getString("channel") + " " + j.getString("action") + " " + j.getString("outcome") + " "
                + j.getBoolean("firstCheck") + " " + Check.month(Instant.parse(j.getString("at"))))
            .toList();
        assertThat(actual).as(m.name + "'s history of " + c.name + ", newest first").isEqualTo(expected);
        JsonObject who = history.getJsonObject("customer");
        assertThat(who.getString("kind")).isEqualTo(c.phone == null ? "pharmacy" : "msisdn");
        if (c.phone != null) {
          assertThat(who.getString("msisdn")).as("the number of " + c.name)
              .isEqualTo(c.optedIn ? c.phone
                  : c.phone.substring(0, 6) + "*".repeat(c.phone.length() - 8) + c.phone.substring(c.phone.length() - 2));
        }
      }
    }
    assertThat(gen.shoppers).as("a shopper who sent YES saw their number").anyMatch(c -> c.optedIn
        && gen.ledger.stream().anyMatch(x -> x.customer() == c && x.maker() != null));
  }

  @Test
  @DisplayName("each maker sees its own cloned-code and recalled-check alerts only, and cannot touch another's")
  void alerts() {
    Map<Maker, List<JsonObject>> seen = new HashMap<>();
    for (Maker m : gen.makers) {
      // a code with an "already used" when 3 customers had checked it surely makes an alert; one that got
      // its third customer only after its last "already used" does if a scan saw both: that depends on timing
      long surely = m.codes.stream().filter(c -> c.clonedWhenUsed).count();
      long atMost = m.codes.stream().filter(c -> c.customers.size() >= 3 && c.alreadyUsed).count();
      Set<String> recalled = gen.ledger.stream().filter(x -> x.maker() == m && x.outcome().equals("recalled"))
          .map(x -> x.code().batch + "@" + x.day()).collect(Collectors.toSet());
      // the scans, every 300 ms, raise them a little after the checks
      List<JsonObject> list = await(m.name + "'s alerts").atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(200)).until(() -> alerts(m), l -> l.size() >= surely + recalled.size());
      assertThat(list.stream().filter(a -> a.getString("kind").equals("cloned_code")).count())
          .as(m.name + "'s cloned codes: 3 or more customers and an 'already used'").isBetween(surely, atMost);
      assertThat(list.stream().filter(a -> a.getString("kind").equals("recalled_check"))
          .map(a -> a.getJsonObject("details").getLong("batchId") + "@" + a.getJsonObject("details").getString("date"))
          .collect(Collectors.toSet())).as(m.name + "'s recalled checks, one a batch a day").isEqualTo(recalled);
      assertThat(list).as(m.name + "'s alerts name only its batches")
          .allSatisfy(a -> assertThat(m.batches).contains(a.getJsonObject("details").getLong("batchId")));
      seen.put(m, list);
    }
    assertThat(seen.values().stream().mapToInt(List::size).sum()).as("alerts at all").isPositive();
    for (Maker m : gen.makers) {
      for (Maker other : gen.makers) {
        for (JsonObject a : other == m ? List.<JsonObject>of() : seen.get(other)) {
          assertThat(api.post("/v1/alerts/" + a.getLong("id") + "/acknowledge", m.account.token(), null).status())
              .as(m.name + " acknowledging " + other.name + "'s alert").isEqualTo(404);
        }
      }
    }
  }

  private static List<JsonObject> alerts(Maker m) {
    Client.Response r = api.get("/v1/alerts", m.account.token());
    assertThat(r.status()).isEqualTo(200);
    return new JsonArray(r.body()).stream().map(o -> (JsonObject) o).toList();
  }

  @Test
  @DisplayName("every shopper got one reply per text, each saying what the generator predicted")
  void smsReplies() {
    for (Customer shopper : gen.shoppers) {
      if (!shopper.replies.isEmpty()) {
        Phones.awaitReply(smsc, shopper.phone, shopper.replies.size());
      }
      assertThat(Phones.replies(smsc, shopper.phone).stream().map(Generator::replyKind).toList())
          .as("replies to " + shopper.name).containsExactlyInAnyOrderElementsOf(shopper.replies);
    }
  }

  @Test
  @DisplayName("reports refuse a bad month, a pharmacy's token and a malformed customer id")
  void refusals() {
    Stack.Account maker = gen.makers.get(0).account;
    assertThat(api.get("/v1/reports/monthly?month=2026-13", maker.token()).status()).isEqualTo(400);
    assertThat(api.get("/v1/reports/monthly", gen.pharmacies.get(0).account.token()).status()).isEqualTo(403);
    assertThat(api.get("/v1/customers/nothex/interactions", maker.token()).status()).isEqualTo(400);
    assertThat(api.get("/v1/customers/" + HexFormat.of().formatHex(new byte[32]) + "/interactions", maker.token())
        .status()).isEqualTo(404);
  }

  @Test
  @DisplayName("/metrics times each channel's group commits and each check's wait for them, with their percentiles,"
      + " counts the checks in a group, and times the HTTP checks answered")
  void commitMetrics() {
    String metrics = api.get("/metrics", null).body();
    for (String channel : List.of("http", "sms")) {
      String tag = "\\{channel=\"" + channel + "\"";
      assertThat(metrics).as(channel + " commits")
          .containsPattern("(?m)^packcheck_ledger_commit_seconds_count" + tag + "\\} [1-9]")
          .containsPattern("(?m)^packcheck_ledger_commit_seconds" + tag + ",quantile=\"0.99\"\\} \\d")
          .containsPattern("(?m)^packcheck_ledger_group_checks_sum" + tag + "\\} [1-9]")
          .containsPattern("(?m)^packcheck_ledger_wait_seconds_count" + tag + "\\} [1-9]")
          .containsPattern("(?m)^packcheck_ledger_wait_seconds" + tag + ",quantile=\"0.99\"\\} \\d");
    }
    assertThat(metrics).as("HTTP checks answered")
        .containsPattern("(?m)^packcheck_check_seconds_count\\{channel=\"http\"\\} [1-9]")
        .containsPattern("(?m)^packcheck_check_seconds\\{channel=\"http\",quantile=\"0.99\"\\} \\d");
  }

  // ---------------------------------------------------------------------------------------------
  // The reports against the generator's totals

  /** Every report of both months, for every maker, read at one moment, against the ledger of that moment. */
  private static void assertReports(Reports reports, Ledger ledger) {
    String state = reports.state;
    for (YearMonth month : List.of(before, after)) {
      for (Maker m : gen.makers) {
        String as = m.name + ", " + month + ", " + state;
        assertThat(normal(reports.monthly(m, month))).as("monthly report of " + as)
            .isEqualTo(normal(expectedMonth(ledger, m, month)));
        HttpResponse<String> csv = reports.csv(m, month);
        assertThat(csv.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/csv"));
        assertThat(csv.body()).as("CSV of " + as).isEqualTo(expectedCsv(ledger, m, month));
        assertThat(normal(reports.usage(m, month))).as("usage of " + as)
            .isEqualTo(normal(expectedUsage(ledger, m, month)));
        assertSummary(reports.summary(m, month), ledger, m, month, as);
        assertThat(reports.customers(m, month).stream().map(o -> (JsonObject) o)
            .collect(Collectors.toMap(c -> c.getString("id"), c -> c.getString("kind") + " " + c.getLong("checks")
                + " " + Check.month(Instant.parse(c.getString("lastCheckAt"))))))
            .as("customers of " + as).isEqualTo(ledger.stream().filter(x -> x.maker() == m && x.month().equals(month))
                .collect(Collectors.groupingBy(Check::customer, LinkedHashMap::new, Collectors.counting()))
                .entrySet().stream().collect(Collectors.toMap(e -> e.getKey().id,
                    e -> e.getKey().kind() + " " + e.getValue() + " " + month)));
      }
      assertThat(reports.fakes(month).stream().map(o -> (JsonObject) o).map(f -> f.getString("date") + " "
              + f.getString("region") + " " + f.getString("channel") + " " + f.getLong("fakes")).toList())
          .as("the operator's fakes of " + month + ", " + state)
          .containsExactlyInAnyOrderElementsOf(ledger.stream()
              .filter(x -> x.maker() == null && x.month().equals(month))
              .collect(Collectors.groupingBy(x -> x.day() + " " + x.customer().region + " " + x.channel(),
                  TreeMap::new, Collectors.counting()))
              .entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList());
    }
  }

  private static void assertSummary(JsonObject s, Ledger ledger, Maker m, YearMonth month, String as) {
    Instant from = start(month);
    Instant to = start(month.plusMonths(1));
    Instant previous = from.minus(Duration.between(from, to));
    Map<Customer, Long> current = ledger.perCustomer(m, from, to);
    Set<Customer> earlier = ledger.perCustomer(m, previous, from).keySet();
    long back = earlier.stream().filter(current::containsKey).count();
    assertThat(s.getLong("customers")).as("customers, " + as).isEqualTo(current.size());
    assertThat(s.getLong("repeatCustomers")).as("repeat customers, " + as)
        .isEqualTo(current.values().stream().filter(n -> n > 1).count());
    assertThat(s.getLong("previousCustomers")).as("previous period's customers, " + as).isEqualTo(earlier.size());
    assertThat(s.getValue("retention")).as("retention, " + as)
        .isEqualTo(earlier.isEmpty() ? null : Math.round(1000.0 * back / earlier.size()) / 1000.0);
    JsonObject byChannel = new JsonObject().put("http", 0).put("sms", 0);
    JsonObject byRegion = new JsonObject();
    current.keySet().forEach(c -> {
      byChannel.put(c.channel(), byChannel.getInteger(c.channel()) + 1);
      byRegion.put(c.region, byRegion.getInteger(c.region, 0) + 1);
    });
    assertThat(normal(s.getJsonObject("byChannel"))).as("customers by channel, " + as).isEqualTo(normal(byChannel));
    assertThat(normal(s.getJsonObject("byRegion"))).as("customers by region, " + as).isEqualTo(normal(byRegion));
  }

  private static JsonObject expectedMonth(Ledger ledger, Maker m, YearMonth month) {
    Totals total = ledger.totals(m, x -> x.month().equals(month));
    JsonArray byDay = new JsonArray();
    for (LocalDate d = month.atDay(1); !d.isAfter(month.atEndOfMonth()); d = d.plusDays(1)) {
      LocalDate day = d;
      Totals t = ledger.totals(m, x -> x.day().equals(day));
      byDay.add(new JsonObject().put("date", day.toString()).put("checks", t.checks).put("amount", t.amount));
    }
    return new JsonObject().put("month", month.toString()).put("currency", "GHS").put("pricePerCheck", m.price)
        .put("checks", total.checks).put("amount", total.amount).put("byChannel", total.byChannel())
        .put("byOutcome", total.byOutcome()).put("byDay", byDay);
  }

  private static JsonObject expectedUsage(Ledger ledger, Maker m, YearMonth month) {
    Totals total = ledger.totals(m, x -> x.month().equals(month));
    return new JsonObject().put("from", start(month).toString()).put("to", start(month.plusMonths(1)).toString())
        .put("checks", total.checks).put("byChannel", total.byChannel()).put("byOutcome", total.byOutcome())
        .put("amount", total.amount).put("currency", "GHS");
  }

  private static String expectedCsv(Ledger ledger, Maker m, YearMonth month) {
    StringBuilder csv = new StringBuilder("date,checks,http,sms,genuine,already_used,inactive,recalled,expired,amount,currency\r\n");
    for (LocalDate d = month.atDay(1); !d.isAfter(month.atEndOfMonth()); d = d.plusDays(1)) {
      LocalDate day = d;
      csv.append(ledger.totals(m, x -> x.day().equals(day)).csvLine(day.toString()));
    }
    return csv.append(ledger.totals(m, x -> x.month().equals(month)).csvLine("total " + month)).toString();
  }

  /** The same JSON whatever number types it was built with. */
  private static JsonObject normal(JsonObject json) {
    return new JsonObject(json.encode());
  }
}
