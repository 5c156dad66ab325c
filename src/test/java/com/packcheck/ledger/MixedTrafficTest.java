package com.packcheck.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.code.Hmac;
import com.packcheck.support.Answers;
import com.packcheck.support.Client;
import com.packcheck.support.Invariants;
import com.packcheck.support.Phones;
import com.packcheck.support.Stack;
import com.packcheck.support.TestClock;
import com.packcheck.support.TestPostgres;
import com.packcheck.support.TestSmsc;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A traffic generator: three manufacturers, three pharmacies in three regions and shoppers in three
 * countries check codes by HTTP (verify, dispense) and by SMS through an SMSC: first checks, repeats,
 * codes already used, fakes, typos, codes of draft, recalled and expired batches, and a batch that
 * expires at the month boundary. The instance's ledger clock starts last month and crosses into this
 * one during the run. The generator predicts every answer and keeps every check it caused; each report
 * must give the figures those checks add up to, before the ledger roll-up caught up and after.
 */
@DisplayName("Mixed SMS and HTTP traffic across a month boundary: every report agrees with the generator's own totals")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MixedTrafficTest {
  static final String SHORT_CODE = "1393";
  static final long SEED = Long.getLong("packcheck.seed", 6L);
  /** Checks are sent before the boundary only while this much clock time is left, so each lands on a known side. */
  static final Duration MARGIN = Duration.ofMillis(1500);
  static final Hmac HMAC = new Hmac(Stack.SECRET.getBytes(StandardCharsets.UTF_8));

  static TestSmsc smsc;
  static Stack stack;
  static Client api;
  static TestClock clock;
  /** The first instant of {@link #after}: the month boundary the traffic crosses. */
  static Instant boundary;
  static YearMonth before;
  static YearMonth after;
  static Generator gen;

  @BeforeAll
  static void start() throws Exception {
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
    long deadline = System.currentTimeMillis() + 15_000;
    while (!smsc.isBound() && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertThat(smsc.isBound()).as("PackCheck bound to the SMSC").isTrue();
    gen = new Generator(new Random(SEED));
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
  @Order(1)
  @DisplayName("last month's first days: every report already agrees mid-run")
  void lastMonthsFirstDays() throws Exception {
    clock.set(before.atDay(1).atTime(12, 0).toInstant(ZoneOffset.UTC));
    gen.run(40);
    clock.set(before.atDay(14).atTime(9, 30).toInstant(ZoneOffset.UTC));
    gen.run(40);
    assertReports("mid-run");
  }

  @Test
  @Order(2)
  @DisplayName("the clock crosses into this month during the traffic; the reports agree on both sides before the roll-up caught up")
  void acrossTheBoundary() throws Exception {
    clock.set(boundary.minusSeconds(8));
    int sent = gen.runWhile(() -> clock.instant().isBefore(boundary.minus(MARGIN)), 150);
    assertThat(clock.instant()).as("every check before the boundary was answered before it").isBefore(boundary);
    while (clock.instant().isBefore(boundary)) {
      Thread.sleep(20);
    }
    gen.optIn(gen.shoppers.get(3));
    gen.run(60);
    assertThat(sent).as("checks in last month's last seconds").isPositive();
    assertThat(gen.checks(m -> true, after)).as("checks on this month's side").isPositive();
    for (YearMonth month : List.of(before, after)) {
      assertThat(gen.ledger.stream().filter(x -> month(x.at).equals(month)).map(Check::channel).distinct())
          .as("channels in " + month).containsExactlyInAnyOrder("http", "sms");
    }
    assertThat(gen.ledger.stream().map(Check::outcome).distinct()).as("outcomes")
        .containsExactlyInAnyOrder("genuine", "already_used", "fake", "inactive", "recalled", "expired");
    assertThat(gen.ledger.stream().filter(x -> x.code != null && x.code.kind == Kind.EXPIRES_AT_BOUNDARY)
        .map(x -> x.outcome + " " + month(x.at)).distinct())
        .as("a batch expiring on last month's last day, checked on both sides of the boundary")
        .contains("genuine " + before, "expired " + after);
    assertReports("before the roll-up caught up");
  }

  @Test
  @Order(3)
  @DisplayName("once the roll-up has caught up the figures are the same, to the unit; each code's dispensing and consuming times are its first check's")
  void afterTheRollup() throws Exception {
    long last = TestPostgres.number(stack.schema, "select max(id) from interactions");
    long deadline = System.currentTimeMillis() + 25_000;
    while (watermark() < last && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    assertThat(watermark()).as("ledger_days_watermark").isGreaterThanOrEqualTo(last);
    assertReports("after the roll-up");
    Invariants.check(stack, List.of(), new Answers());
  }

  @Test
  @Order(4)
  @DisplayName("a customer's history holds exactly their checks of that maker's codes; another maker gets 404; numbers masked until YES")
  void customerHistories() {
    List<Customer> everyone = new ArrayList<>(gen.pharmacies);
    everyone.addAll(gen.shoppers);
    for (Maker m : gen.makers) {
      for (Customer c : everyone) {
        List<Check> theirs = gen.ledger.stream().filter(x -> x.maker == m && x.customer == c).toList();
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
          expected.add(x.channel + " " + x.action + " " + x.outcome + " " + x.first + " " + month(x.at));
        }
        List<String> actual = history.getJsonArray("interactions").stream().map(o -> (JsonObject) o)
            .map(j -> j.getString("channel") + " " + j.getString("action") + " " + j.getString("outcome") + " "
                + j.getBoolean("firstCheck") + " " + month(Instant.parse(j.getString("at"))))
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
        && gen.ledger.stream().anyMatch(x -> x.customer == c && x.maker != null));
  }

  @Test
  @Order(5)
  @DisplayName("each maker sees its own cloned-code and recalled-check alerts only, and cannot touch another's")
  void alerts() throws Exception {
    Map<Maker, List<JsonObject>> seen = new HashMap<>();
    for (Maker m : gen.makers) {
      // a code with an "already used" when 3 customers had checked it surely makes an alert; one that got
      // its third customer only after its last "already used" does if a scan saw both: that depends on timing
      long surely = m.codes.stream().filter(c -> c.clonedWhenUsed).count();
      long atMost = m.codes.stream().filter(c -> c.customers.size() >= 3 && c.alreadyUsed).count();
      Set<String> recalled = gen.ledger.stream().filter(x -> x.maker == m && x.outcome.equals("recalled"))
          .map(x -> x.code.batch + "@" + day(x.at)).collect(Collectors.toSet());
      long deadline = System.currentTimeMillis() + 15_000;
      List<JsonObject> list = alerts(m);
      while (list.size() < surely + recalled.size() && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
        list = alerts(m);
      }
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
  @Order(6)
  @DisplayName("every shopper got one reply per text, each saying what the generator predicted")
  void smsReplies() throws Exception {
    for (Customer shopper : gen.shoppers) {
      if (!shopper.replies.isEmpty()) {
        Phones.awaitReply(smsc, shopper.phone, shopper.replies.size());
      }
      assertThat(Phones.replies(smsc, shopper.phone).stream().map(MixedTrafficTest::replyKind).toList())
          .as("replies to " + shopper.name).containsExactlyInAnyOrderElementsOf(shopper.replies);
    }
  }

  @Test
  @Order(7)
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
  @Order(8)
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

  private static long watermark() throws Exception {
    return TestPostgres.number(stack.schema, "select value::bigint from settings where name = 'ledger_days_watermark'");
  }

  // ---------------------------------------------------------------------------------------------
  // The reports against the generator's totals

  /** Every report of both months, for every maker, against the generator; {@code when} names the moment. */
  private static void assertReports(String when) throws Exception {
    String state = when + " (roll-up watermark " + watermark() + ", last interaction "
        + TestPostgres.number(stack.schema, "select coalesce(max(id), 0) from interactions") + ")";
    System.out.println("MixedTrafficTest: reports checked " + state + ", " + gen.ledger.size() + " checks sent");
    for (YearMonth month : List.of(before, after)) {
      for (Maker m : gen.makers) {
        String as = m.name + ", " + month + ", " + state;
        JsonObject monthly = api.get("/v1/reports/monthly?month=" + month, m.account.token()).json();
        assertThat(normal(monthly)).as("monthly report of " + as).isEqualTo(normal(expectedMonth(m, month)));
        assertThat(csv(m, month)).as("CSV of " + as).isEqualTo(expectedCsv(m, month));
        JsonObject usage = api.get("/v1/usage?from=" + month.atDay(1) + "&to=" + month.atEndOfMonth(),
            m.account.token()).json();
        assertThat(normal(usage)).as("usage of " + as).isEqualTo(normal(expectedUsage(m, month)));
        assertSummary(m, month, as);
        JsonArray customers = new JsonArray(api.get("/v1/customers?from=" + month.atDay(1) + "&to="
            + month.atEndOfMonth() + "&limit=1000", m.account.token()).body());
        assertThat(customers.stream().map(o -> (JsonObject) o)
            .collect(Collectors.toMap(c -> c.getString("id"), c -> c.getString("kind") + " " + c.getLong("checks")
                + " " + YearMonth.from(Instant.parse(c.getString("lastCheckAt")).atOffset(ZoneOffset.UTC)))))
            .as("customers of " + as).isEqualTo(gen.ledger.stream().filter(x -> x.maker == m && month(x.at).equals(month))
                .collect(Collectors.groupingBy(x -> x.customer, LinkedHashMap::new, Collectors.counting()))
                .entrySet().stream().collect(Collectors.toMap(e -> e.getKey().id,
                    e -> e.getKey().kind() + " " + e.getValue() + " " + month)));
      }
      JsonArray fakes = new JsonArray(api.get("/v1/admin/reports/fakes?from=" + month.atDay(1) + "&to="
          + month.atEndOfMonth(), stack.adminToken).body());
      assertThat(fakes.stream().map(o -> (JsonObject) o).map(f -> f.getString("date") + " " + f.getString("region")
              + " " + f.getString("channel") + " " + f.getLong("fakes")).toList())
          .as("the operator's fakes of " + month + ", " + state)
          .containsExactlyInAnyOrderElementsOf(gen.ledger.stream()
              .filter(x -> x.maker == null && month(x.at).equals(month))
              .collect(Collectors.groupingBy(x -> day(x.at) + " " + x.customer.region + " " + x.channel,
                  TreeMap::new, Collectors.counting()))
              .entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList());
    }
  }

  private static void assertSummary(Maker m, YearMonth month, String as) {
    JsonObject s = api.get("/v1/customers/summary?from=" + month.atDay(1) + "&to=" + month.atEndOfMonth(),
        m.account.token()).json();
    Instant from = start(month);
    Instant to = start(month.plusMonths(1));
    Instant previous = from.minus(Duration.between(from, to));
    Map<Customer, Long> current = gen.perCustomer(m, from, to);
    Set<Customer> earlier = gen.perCustomer(m, previous, from).keySet();
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

  private static JsonObject expectedMonth(Maker m, YearMonth month) {
    Totals total = gen.totals(m, x -> month(x.at).equals(month));
    JsonArray byDay = new JsonArray();
    for (LocalDate d = month.atDay(1); !d.isAfter(month.atEndOfMonth()); d = d.plusDays(1)) {
      LocalDate day = d;
      Totals t = gen.totals(m, x -> day(x.at).equals(day));
      byDay.add(new JsonObject().put("date", day.toString()).put("checks", t.checks).put("amount", t.amount));
    }
    return new JsonObject().put("month", month.toString()).put("currency", "GHS").put("pricePerCheck", m.price)
        .put("checks", total.checks).put("amount", total.amount).put("byChannel", total.byChannel())
        .put("byOutcome", total.byOutcome()).put("byDay", byDay);
  }

  private static JsonObject expectedUsage(Maker m, YearMonth month) {
    Totals total = gen.totals(m, x -> month(x.at).equals(month));
    return new JsonObject().put("from", start(month).toString()).put("to", start(month.plusMonths(1)).toString())
        .put("checks", total.checks).put("byChannel", total.byChannel()).put("byOutcome", total.byOutcome())
        .put("amount", total.amount).put("currency", "GHS");
  }

  private static String expectedCsv(Maker m, YearMonth month) {
    StringBuilder csv = new StringBuilder("date,checks,http,sms,genuine,already_used,inactive,recalled,expired,amount,currency\r\n");
    for (LocalDate d = month.atDay(1); !d.isAfter(month.atEndOfMonth()); d = d.plusDays(1)) {
      LocalDate day = d;
      csv.append(gen.totals(m, x -> day(x.at).equals(day)).csvLine(day.toString()));
    }
    return csv.append(gen.totals(m, x -> month(x.at).equals(month)).csvLine("total " + month)).toString();
  }

  private static String csv(Maker m, YearMonth month) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(api.baseUrl() + "/v1/reports/monthly?month=" + month))
        .header("Authorization", "Bearer " + m.account.token()).header("Accept", "text/csv").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/csv"));
    return r.body();
  }

  /** The same JSON whatever number types it was built with. */
  private static JsonObject normal(JsonObject json) {
    return new JsonObject(json.encode());
  }

  static YearMonth month(Instant at) {
    return YearMonth.from(at.atOffset(ZoneOffset.UTC));
  }

  static LocalDate day(Instant at) {
    return at.atOffset(ZoneOffset.UTC).toLocalDate();
  }

  /** What a shopper's phone shows, reduced to the answer it gives. */
  static String replyKind(String text) {
    if (text.startsWith("GENUINE")) {
      return text.contains("You first verified") ? "genuine" : "genuine first";
    }
    for (var kind : Map.of("ALREADY USED", "already_used", "NOT GENUINE", "fake", "NOT RELEASED", "inactive",
        "RECALLED", "recalled", "EXPIRED", "expired", "We could not read", "invalid", "Thank you", "yes").entrySet()) {
      if (text.startsWith(kind.getKey())) {
        return kind.getValue();
      }
    }
    return text;
  }

  // ---------------------------------------------------------------------------------------------
  // The generator

  /** A batch's kind: what its codes answer, whatever their state. */
  enum Kind { ACTIVE, DRAFT, RECALLED, EXPIRED, EXPIRES_AT_BOUNDARY }

  static final class Code {
    final String text;
    final Maker maker;
    final Kind kind;
    final long batch;
    /** 0 active, 1 dispensed by {@link #holder}, 2 consumed by {@link #holder}: the generator's model. */
    int state;
    Customer holder;
    final Set<Customer> customers = new HashSet<>();
    boolean alreadyUsed;
    /** An "already used" answered when three or more customers had checked the code: a clone any scan sees. */
    boolean clonedWhenUsed;
    /** The texts each shopper sent with this code: the SMSC's claims make a text from a phone count once a day. */
    final Map<Customer, Integer> texts = new HashMap<>();

    Code(String text, Maker maker, Kind kind, long batch) {
      this.text = text;
      this.maker = maker;
      this.kind = kind;
      this.batch = batch;
    }
  }

  static final class Maker {
    final String name;
    final Stack.Account account;
    final long price;
    final List<Code> codes = new ArrayList<>();
    final Set<Long> batches = new HashSet<>();

    Maker(String name, Stack.Account account, long price) {
      this.name = name;
      this.account = account;
      this.price = price;
    }
  }

  static final class Customer {
    final String name;
    final String id;
    final String region;
    final Stack.Account account;
    final String phone;
    /** A shopper who checks only this maker's codes (null: any maker's). */
    final Maker loyalTo;
    final List<String> replies = new ArrayList<>();
    boolean optedIn;

    Customer(String name, String id, String region, Stack.Account account, String phone, Maker loyalTo) {
      this.name = name;
      this.id = id;
      this.region = region;
      this.account = account;
      this.phone = phone;
      this.loyalTo = loyalTo;
    }

    String channel() {
      return phone == null ? "http" : "sms";
    }

    String kind() {
      return phone == null ? "pharmacy" : "msisdn";
    }
  }

  /** One check as the generator sent it: {@code at} is when it was sent, on the instance's clock. */
  record Check(Instant at, Maker maker, Customer customer, String channel, String action, String outcome,
      boolean first, long price, Code code) {
  }

  /** Checks and amounts by channel and outcome, as the reports show them. */
  static final class Totals {
    long checks;
    long amount;
    final Map<String, Long> channels = new LinkedHashMap<>();
    final Map<String, Long> outcomes = new LinkedHashMap<>();

    Totals() {
      List.of("http", "sms").forEach(c -> channels.put(c, 0L));
      List.of("genuine", "already_used", "inactive", "recalled", "expired").forEach(o -> outcomes.put(o, 0L));
    }

    JsonObject byChannel() {
      return new JsonObject(new LinkedHashMap<>(channels));
    }

    JsonObject byOutcome() {
      return new JsonObject(new LinkedHashMap<>(outcomes));
    }

    String csvLine(String label) {
      return label + "," + checks + "," + channels.values().stream().map(String::valueOf).collect(Collectors.joining(","))
          + "," + outcomes.values().stream().map(String::valueOf).collect(Collectors.joining(",")) + "," + amount
          + ",GHS\r\n";
    }
  }

  static final class Generator {
    final Random random;
    int typos;
    final List<Maker> makers = new ArrayList<>();
    final List<Customer> pharmacies = new ArrayList<>();
    final List<Customer> shoppers = new ArrayList<>();
    /** Every check the generator caused that PackCheck records, in the order sent. */
    final List<Check> ledger = new ArrayList<>();

    Generator(Random random) {
      this.random = random;
      long[] prices = {7, 11, 13};
      for (int i = 0; i < 3; i++) {
        String name = "maker " + (char) ('A' + i);
        Maker m = new Maker(name, stack.manufacturer(api, prices[i]), prices[i]);
        long product = stack.product(api, m.account, "Product of " + name);
        batch(m, product, Kind.ACTIVE, 30);
        makers.add(m);
      }
      Maker a = makers.get(0);
      Maker b = makers.get(1);
      Maker c = makers.get(2);
      batch(a, stack.product(api, a.account, "Not yet released"), Kind.DRAFT, 2);
      batch(b, stack.product(api, b.account, "Long expired"), Kind.EXPIRED, 2);
      batch(b, stack.product(api, b.account, "Expires at the boundary"), Kind.EXPIRES_AT_BOUNDARY, 6);
      batch(c, stack.product(api, c.account, "Recalled"), Kind.RECALLED, 3);
      for (String region : List.of("Greater Accra", "Ashanti", "Lagos")) {
        Stack.Account p = stack.pharmacy(api, region);
        pharmacies.add(new Customer("pharmacy in " + region, HexFormat.of().formatHex(HMAC.pharmacy(p.id())), region,
            p, null, null));
      }
      String[][] phones = {
          {"+233244100001", "GH"}, {"+2348031000002", "NG"}, {"+254712100003", "KE"}, {"+233209100004", "GH"},
          {"+2348051000005", "NG"}, {"+254722100006", "KE"}, {"+233554100007", "GH"}, {"+2347061000008", "NG"}};
      for (int i = 0; i < phones.length; i++) {
        shoppers.add(new Customer("shopper " + phones[i][0], HexFormat.of().formatHex(HMAC.msisdn(phones[i][0])),
            phones[i][1], null, phones[i][0], i < makers.size() ? makers.get(i) : null));
      }
    }

    private void batch(Maker m, long product, Kind kind, int n) {
      List<String> texts = Stack.codes(n);
      String expiry = switch (kind) {
        case EXPIRED -> "2020-01-31";
        case EXPIRES_AT_BOUNDARY -> before.atEndOfMonth().toString();
        default -> "2099-12-31";
      };
      long id = stack.draftBatch(api, m.account, product, expiry, texts);
      if (kind != Kind.DRAFT) {
        assertThat(api.post("/v1/batches/" + id + "/activate", m.account.token(), null).status()).isEqualTo(200);
      }
      if (kind == Kind.RECALLED) {
        assertThat(api.post("/v1/batches/" + id + "/recall", m.account.token(), new JsonObject().put("reason", "test"))
            .status()).isEqualTo(200);
      }
      m.batches.add(id);
      texts.forEach(t -> m.codes.add(new Code(t, m, kind, id)));
    }

    void run(int n) throws Exception {
      for (int i = 0; i < n; i++) {
        step();
      }
    }

    /** Steps while {@code go} holds, at most {@code max}; returns how many. */
    int runWhile(java.util.function.BooleanSupplier go, int max) throws Exception {
      int n = 0;
      while (n < max && go.getAsBoolean()) {
        step();
        n++;
      }
      return n;
    }

    void optIn(Customer shopper) {
      assertThat(smsc.deliverMo(shopper.phone, SHORT_CODE, "YES")).isZero();
      shopper.replies.add("yes");
      shopper.optedIn = true;
    }

    /** One check, chosen at random: a fake, a typo, or a code of some maker by a pharmacy or a shopper. */
    void step() {
      int roll = random.nextInt(100);
      boolean sms = random.nextInt(100) < 55;
      Customer who = sms ? pick(shoppers) : pick(pharmacies);
      String action = sms ? "check" : random.nextInt(100) < 65 ? "dispense" : "verify";
      if (roll < 10) {
        send(who, action, null, String.format("%016d", random.nextLong(1_000_000_000_000_000L, 10_000_000_000_000_000L)));
      } else if (roll < 14) {
        send(who, action, null, String.valueOf(1000 + typos++)); // too short to be a code; a new text each time
      } else {
        Maker m = who.loyalTo != null ? who.loyalTo : pick(makers);
        Code code = code(m, who, roll);
        send(who, action, code, code.text);
      }
    }

    private Code code(Maker m, Customer who, int roll) {
      List<Code> usable = m.codes.stream().filter(c -> who.phone == null || c.texts.getOrDefault(who, 0) < VARIANTS)
          .toList();
      List<Code> special = usable.stream().filter(c -> c.kind != Kind.ACTIVE).toList();
      List<Code> touched = usable.stream().filter(c -> c.kind == Kind.ACTIVE && !c.customers.isEmpty()).toList();
      List<Code> fresh = usable.stream().filter(c -> c.kind == Kind.ACTIVE && c.customers.isEmpty()).toList();
      if (roll < 24 && !special.isEmpty()) {
        return pick(special);
      }
      if ((roll < 60 || fresh.isEmpty()) && !touched.isEmpty()) {
        return pick(touched);
      }
      return pick(fresh);
    }

    private static final int VARIANTS = 6;

    /** The n-th way a shopper writes a code (each text from a phone is claimed once a day). */
    private static String variant(String code, int n) {
      String dashed = code.replaceAll("(.{4})(?!$)", "$1-");
      return switch (n) {
        case 0 -> code;
        case 1 -> "CHECK " + code;
        case 2 -> "VERIFY " + code;
        case 3 -> dashed;
        case 4 -> "check " + dashed;
        default -> code.replaceAll("(.{4})(?!$)", "$1 ");
      };
    }

    /** Sends one check, predicts its answer, checks what can be checked at once, and records it. */
    private void send(Customer who, String action, Code code, String text) {
      Instant sent = clock.instant();
      String outcome = code == null && text.length() < 6 ? "invalid" : predict(code, who, action, sent);
      boolean first = "genuine".equals(outcome) && code.state != 2 && (code.state == 0 || action.equals("check"))
          && !action.equals("verify");
      if (who.phone != null) {
        int n = code == null ? 0 : code.texts.merge(who, 1, Integer::sum) - 1;
        assertThat(smsc.deliverMo(who.phone, SHORT_CODE, code == null ? text : variant(text, n)))
            .as("deliver_sm_resp").isZero();
        who.replies.add(first ? "genuine first" : outcome);
      } else {
        Client.Response r = api.post("/v1/verifications", who.account.token(),
            new JsonObject().put("code", text).put("action", action));
        if (outcome.equals("invalid")) {
          assertThat(r.status()).as("a typo by " + who.name).isEqualTo(422);
        } else {
          assertThat(r.status()).as(action + " by " + who.name).isEqualTo(200);
          assertThat(r.json().getString("outcome") + " " + r.json().getBoolean("firstCheck"))
              .as(action + " of a " + (code == null ? "fake" : code.kind + " code in state " + code.state) + " by " + who.name)
              .isEqualTo(outcome + " " + first);
        }
      }
      if (outcome.equals("invalid")) {
        return;
      }
      Maker maker = code == null ? null : code.maker;
      ledger.add(new Check(sent, maker, who, who.channel(), action, outcome, first, maker == null ? 0 : maker.price,
          code));
      if (code != null) {
        code.customers.add(who);
        code.alreadyUsed |= outcome.equals("already_used");
        code.clonedWhenUsed |= outcome.equals("already_used") && code.customers.size() >= 3;
        if (first) {
          code.state = action.equals("dispense") ? 1 : 2;
          code.holder = who;
        }
      }
    }

    /** The answer PackCheck owes, from the generator's model of the code. */
    private static String predict(Code code, Customer who, String action, Instant at) {
      if (code == null) {
        return "fake";
      }
      switch (code.kind) {
        case DRAFT:
          return "inactive";
        case RECALLED:
          return "recalled";
        case EXPIRED:
          return "expired";
        case EXPIRES_AT_BOUNDARY:
          if (!at.isBefore(boundary)) {
            return "expired";
          }
          break;
        default:
          break;
      }
      return switch (code.state) {
        case 0 -> "genuine";
        case 1 -> action.equals("check") || code.holder == who ? "genuine" : "already_used";
        default -> action.equals("check") && code.holder == who ? "genuine" : "already_used";
      };
    }

    private <T> T pick(List<T> list) {
      return list.get(random.nextInt(list.size()));
    }

    long checks(Predicate<Maker> maker, YearMonth month) {
      return ledger.stream().filter(x -> x.maker != null && maker.test(x.maker) && month(x.at).equals(month)).count();
    }

    Totals totals(Maker m, Predicate<Check> which) {
      Totals t = new Totals();
      ledger.stream().filter(x -> x.maker == m && which.test(x)).forEach(x -> {
        t.checks++;
        t.amount += x.price;
        t.channels.merge(x.channel, 1L, Long::sum);
        t.outcomes.merge(x.outcome, 1L, Long::sum);
      });
      return t;
    }

    /** Each customer of {@code m} in [from, to) with their number of checks. */
    Map<Customer, Long> perCustomer(Maker m, Instant from, Instant to) {
      return ledger.stream().filter(x -> x.maker == m && !x.at.isBefore(from) && x.at.isBefore(to))
          .collect(Collectors.groupingBy(Check::customer, Collectors.counting()));
    }
  }
}
