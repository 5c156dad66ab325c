package com.packcheck.reports;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.support.OneInstanceTest;
import com.packcheck.support.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The ledger by month: months made ahead, a check beyond them still lands, an archived month still billed")
class LedgerMonthsTest extends OneInstanceTest {
  static final Duration SETTLED = Duration.ofSeconds(2);
  static final String INSERT = """
      insert into interactions (id, at, channel, customer_id, action, code_hash, manufacturer_id, outcome,
                                first_check, price, currency)
      values (nextval('interactions_id_seq'), ?, 'http', ?, 'verify', ?, ?, 'genuine', false, 5, 'GHS')
      """;

  @Test
  @DisplayName("the migration and every start leave the next two months ready; asking again creates nothing, asking further creates the rest")
  void monthsAhead() throws Exception {
    YearMonth now = YearMonth.now(ZoneOffset.UTC);
    assertThat(partitions()).contains("interactions_before_months", "interactions_default",
        name(now.plusMonths(1)), name(now.plusMonths(2)));
    assertThat(TestPostgres.number(world.stack.schema, "select ledger_months_ahead(2)")).isZero();
    assertThat(TestPostgres.number(world.stack.schema, "select ledger_months_ahead(24)")).isPositive();
    assertThat(partitions()).contains(name(now.plusMonths(23)), name(now.plusMonths(24)));
    assertThat(TestPostgres.number(world.stack.schema, "select ledger_months_ahead(24)")).isZero();
  }

  @Test
  @DisplayName("a check timed past every month made lands in the default partition instead of failing")
  void beyondTheMonths() throws Exception {
    insert(Instant.now().plus(Duration.ofDays(5 * 365)), 1);
    assertThat(TestPostgres.number(world.stack.schema, "select count(*) from interactions_default")).isEqualTo(1);
    assertThat(TestPostgres.number(world.stack.schema, "select count(*) from interactions where at > now() + interval '4 years'"))
        .isEqualTo(1);
  }

  @Test
  @DisplayName("a month detached for archive leaves the ledger, and its bill answers the same from the roll-up")
  void archivedMonthStillBilled() throws Exception {
    // a month of its own, a year ahead, whatever else the class's tests created or detached
    TestPostgres.number(world.stack.schema, "select ledger_months_ahead(12)");
    YearMonth month = YearMonth.now(ZoneOffset.UTC).plusMonths(12);
    Instant inMonth = month.atDay(2).atStartOfDay().toInstant(ZoneOffset.UTC);
    for (int i = 0; i < 3; i++) {
      insert(inMonth, i);
    }
    RollUp.catchUp(world.stack.schema, SETTLED);
    Thread.sleep(SETTLED.toMillis() + 200);
    RollUp.catchUp(world.stack.schema, SETTLED);
    JsonObject before = bill(month);
    assertThat(before.getLong("checks")).isEqualTo(3);
    assertThat(before.getLong("amount")).isEqualTo(15);

    try (Connection c = TestPostgres.connect(world.stack.schema); Statement s = c.createStatement()) {
      s.execute("alter table interactions detach partition " + name(month));
    }
    assertThat(TestPostgres.number(world.stack.schema, "select count(*) from interactions where at >= '"
        + month.atDay(1) + "' and at < '" + month.plusMonths(1).atDay(1) + "'")).as("the month's rows in the ledger").isZero();
    assertThat(TestPostgres.number(world.stack.schema, "select count(*) from " + name(month)))
        .as("the archived table").isEqualTo(3);
    JsonObject after = bill(month);
    assertThat(after.getLong("checks")).isEqualTo(3);
    assertThat(after.getLong("amount")).isEqualTo(15);
    assertThat(after.getJsonArray("byDay")).isEqualTo(before.getJsonArray("byDay"));
  }

  private static JsonObject bill(YearMonth month) {
    return api.get("/v1/reports/monthly?month=" + month, world.maker.token()).json();
  }

  private static String name(YearMonth month) {
    return String.format("interactions_y%04dm%02d", month.getYear(), month.getMonthValue());
  }

  private static List<String> partitions() throws Exception {
    List<String> names = new ArrayList<>();
    try (Connection c = TestPostgres.connect(world.stack.schema); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid "
            + "where i.inhparent = 'interactions'::regclass")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  private static void insert(Instant at, int n) throws Exception {
    try (Connection c = TestPostgres.connect(world.stack.schema); PreparedStatement ps = c.prepareStatement(INSERT)) {
      ps.setTimestamp(1, Timestamp.from(at));
      ps.setBytes(2, HexFormat.of().parseHex(String.format("%064x", 7L)));
      ps.setBytes(3, HexFormat.of().parseHex(String.format("%064x", System.nanoTime() + n)));
      ps.setLong(4, world.maker.id());
      ps.executeUpdate();
    }
  }
}
