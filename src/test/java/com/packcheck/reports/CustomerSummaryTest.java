package com.packcheck.reports;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.code.Hmac;
import com.packcheck.support.OneInstanceTest;
import com.packcheck.support.Stack;
import com.packcheck.support.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.roaringbitmap.RoaringBitmap;

@DisplayName("The customers summary from the rolled-up customer sets equals a count over the ledger itself")
class CustomerSummaryTest extends OneInstanceTest {
  /** Two months ago and last month: days the roll-up takes at once. */
  static final YearMonth EARLIER = YearMonth.now(ZoneOffset.UTC).minusMonths(2);
  static final YearMonth LATER = EARLIER.plusMonths(1);
  static final String[] REGIONS = {"GH", "NG", "KE"};
  static Stack.Account other;
  static final Random random = new Random(7);
  static int code;
  static final Hmac HMAC = new Hmac(Stack.SECRET.getBytes(StandardCharsets.UTF_8));

  /**
   * The summary counted straight from the ledger, the way it was before the roll-up: what the sets
   * must give for any period, rolled up or not.
   */
  static final String LEDGER_COUNT = """
      with cur as (
        select i.customer_id, i.channel, count(*) as n from interactions i
        where i.manufacturer_id = ? and i.at >= ? and i.at < ? group by 1, 2
      ),
      per_customer as (select customer_id, sum(n) as n from cur group by customer_id),
      prev as (
        select distinct i.customer_id from interactions i
        where i.manufacturer_id = ? and i.at >= ? and i.at < ?
      )
      select 'customers', count(*) from per_customer
      union all select 'repeatCustomers', count(*) from per_customer where n > 1
      union all select 'previousCustomers', count(*) from prev
      union all select 'returning', count(*) from prev where customer_id in (select customer_id from cur)
      union all select 'channel:' || channel, count(distinct customer_id) from cur group by channel
      union all select 'region:' || coalesce(c.region, p.region, 'unknown'), count(*) from per_customer pc
        join customers c on c.id = pc.customer_id left join pharmacies p on p.id = c.pharmacy_id group by 1
      """;

  @BeforeAll
  static void ledger() throws Exception {
    other = world.stack.manufacturer(api, 3);
    try (Connection c = TestPostgres.connect(world.stack.schema);
        PreparedStatement ps = c.prepareStatement(
            "insert into customers (id, kind, region) values (?, 'msisdn', ?)")) {
      for (int i = 0; i < 40; i++) {
        ps.setBytes(1, shopper(i));
        ps.setString(2, REGIONS[i % REGIONS.length]);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    write(1500);
  }

  /** A shopper's customer id: 32 bytes, as an HMAC of a number would be. */
  static byte[] shopper(int i) {
    byte[] id = new byte[32];
    id[0] = (byte) 0xC5;
    id[31] = (byte) i;
    return id;
  }

  /** Interactions at random times of both months, of 40 shoppers and the world's pharmacies, for two makers. */
  static void write(int count) throws Exception {
    Instant start = EARLIER.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    long seconds = Duration.between(start, LATER.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC)).toSeconds();
    List<byte[]> pharmacies = new ArrayList<>();
    try (Connection c = TestPostgres.connect(world.stack.schema)) {
      try (ResultSet rs = c.createStatement().executeQuery("select id from customers where kind = 'pharmacy'")) {
        while (rs.next()) {
          pharmacies.add(rs.getBytes(1));
        }
      }
      try (PreparedStatement ps = c.prepareStatement("""
          insert into interactions (id, at, channel, customer_id, action, code_hash, manufacturer_id, outcome,
                                    first_check, price, currency)
          values (nextval('interactions_id_seq'), ?, ?, ?, 'check', ?, ?, 'genuine', false, 5, 'GHS')
          """)) {
        for (int i = 0; i < count; i++) {
          boolean pharmacy = random.nextInt(5) == 0;
          ps.setTimestamp(1, Timestamp.from(start.plusSeconds((long) (random.nextDouble() * seconds))));
          ps.setString(2, pharmacy ? "http" : random.nextInt(10) == 0 ? "http" : "sms");
          ps.setBytes(3, pharmacy ? pharmacies.get(random.nextInt(pharmacies.size())) : shopper(random.nextInt(40)));
          ps.setBytes(4, HMAC.code("SUMMARY-" + code++));
          ps.setLong(5, random.nextInt(4) == 0 ? other.id() : world.maker.id());
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
  }

  /** Periods of whole months, days and hours, and partial hours at either end, and their previous ones. */
  static List<String[]> periods() {
    String earlier = EARLIER.atDay(1).toString();
    String later = LATER.atDay(1).toString();
    return List.of(
        new String[] {later, LATER.atEndOfMonth().toString()},
        new String[] {earlier, LATER.atEndOfMonth().toString()},
        new String[] {EARLIER.atDay(11).toString(), LATER.atDay(9).toString()},
        new String[] {EARLIER.atDay(20) + "T13:45:10Z", LATER.atDay(3) + "T06:00:00.5Z"},
        new String[] {LATER.atDay(2) + "T01:00:00Z", LATER.atDay(2) + "T23:00:00Z"},
        new String[] {LATER.atDay(5) + "T00:00:00Z", LATER.atDay(5) + "T00:00:00Z"},
        new String[] {LATER.atDay(7) + "T10:05:00Z", LATER.atDay(7) + "T10:55:00Z"},
        new String[] {LATER.atDay(1) + "T12:00:00Z", LATER.plusMonths(1).atDay(1) + "T00:00:00Z"},
        // ending, or starting, just inside a month: its set stands for it if every check it holds is inside
        new String[] {later + "T00:00:00Z", LATER.atEndOfMonth() + "T23:59:59.999Z"},
        new String[] {earlier + "T00:00:00.000001Z", later + "T00:00:00Z"});
  }

  static void summariesMatchTheLedger(String when) throws Exception {
    for (Stack.Account maker : List.of(world.maker, other)) {
      for (String[] p : periods()) {
        JsonObject summary = api.get("/v1/customers/summary?from=" + p[0] + "&to=" + p[1], maker.token()).json();
        Instant from = Instant.parse(summary.getString("from"));
        Instant to = Instant.parse(summary.getString("to"));
        JsonObject counted = ledgerCount(maker.id(), from, to, from.minus(Duration.between(from, to)));
        assertThat(summary.getLong("customers")).as(when + " customers " + from + "–" + to)
            .isEqualTo(counted.getLong("customers"));
        assertThat(summary.getLong("repeatCustomers")).as(when + " repeat " + from + "–" + to)
            .isEqualTo(counted.getLong("repeatCustomers"));
        assertThat(summary.getLong("previousCustomers")).as(when + " previous " + from + "–" + to)
            .isEqualTo(counted.getLong("previousCustomers"));
        long previous = counted.getLong("previousCustomers");
        assertThat(summary.getDouble("retention")).as(when + " retention " + from + "–" + to)
            .isEqualTo(previous == 0 ? null : Math.round(1000.0 * counted.getLong("returning") / previous) / 1000.0);
        assertThat(summary.getJsonObject("byChannel")).as(when + " channels " + from + "–" + to)
            .isEqualTo(new JsonObject().put("http", counted.getLong("channel:http", 0L))
                .put("sms", counted.getLong("channel:sms", 0L)));
        JsonObject regions = new JsonObject();
        counted.forEach(e -> {
          if (e.getKey().startsWith("region:")) {
            regions.put(e.getKey().substring(7), e.getValue());
          }
        });
        assertThat(summary.getJsonObject("byRegion")).as(when + " regions " + from + "–" + to).isEqualTo(regions);
      }
    }
  }

  static JsonObject ledgerCount(long maker, Instant from, Instant to, Instant previous) throws Exception {
    JsonObject counted = new JsonObject();
    try (Connection c = TestPostgres.connect(world.stack.schema);
        PreparedStatement ps = c.prepareStatement(LEDGER_COUNT)) {
      ps.setLong(1, maker);
      ps.setTimestamp(2, Timestamp.from(from));
      ps.setTimestamp(3, Timestamp.from(to));
      ps.setLong(4, maker);
      ps.setTimestamp(5, Timestamp.from(previous));
      ps.setTimestamp(6, Timestamp.from(from));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          counted.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    return counted;
  }

  @Test
  @DisplayName("before the roll-up, after it, and with new checks on days already rolled up, for partial and whole days and months")
  void summaryEqualsTheLedger() throws Exception {
    summariesMatchTheLedger("ledger only");
    RollUp.catchUp(world.stack.schema, Duration.ZERO);
    assertThat(TestPostgres.number(world.stack.schema, "select count(*) from customer_sets where span = 'month'"))
        .isPositive();
    summariesMatchTheLedger("rolled up");
    write(300);
    summariesMatchTheLedger("rolled up, then new checks");
    RollUp.catchUp(world.stack.schema, Duration.ZERO);
    summariesMatchTheLedger("rolled up again");
  }

  @Test
  @DisplayName("customer sets of separate stretches combine: a customer of both is a repeat customer")
  void setsCombine() {
    CustomerSet monday = new CustomerSet();
    monday.add("channel:sms", RoaringBitmap.bitmapOf(1, 2, 3), null, null);
    monday.add("repeat", RoaringBitmap.bitmapOf(3), null, null);
    CustomerSet tuesday = new CustomerSet();
    tuesday.add("channel:http", RoaringBitmap.bitmapOf(2, 9), null, null);
    monday.absorb(tuesday);
    assertThat(monday.customers().toArray()).containsExactly(1, 2, 3, 9);
    assertThat(monday.repeatCustomers()).isEqualTo(2);
    assertThat(monday.counts(CustomerSet.CHANNEL)).isEqualTo(new JsonObject().put("http", 2L).put("sms", 3L));
  }
}
