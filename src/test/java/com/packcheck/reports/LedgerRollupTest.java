package com.packcheck.reports;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.support.OneInstanceTest;
import com.packcheck.support.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The ledger roll-up never passes over a check that commits after a later one")
class LedgerRollupTest extends OneInstanceTest {
  static final Duration SETTLED = Duration.ofSeconds(3);
  static final String INSERT = """
      insert into interactions (id, at, channel, customer_id, action, code_hash, manufacturer_id, outcome,
                                first_check, price, currency)
      values (nextval('interactions_id_seq'), ?, 'http', ?, 'verify', ?, ?, 'genuine', false, 5, 'GHS')
      returning id
      """;

  @Test
  @DisplayName("a check still committing keeps the watermark below it, however long its transaction runs and even when a later one is timed long ago by a slow clock")
  void lateCommit() throws Exception {
    byte[] customer = TestPostgres.value(world.stack.schema,
        "select encode(id, 'hex') from customers where kind = 'pharmacy' limit 1").transform(LedgerRollupTest::bytes);
    try (Connection slow = TestPostgres.connect(world.stack.schema);
        Connection other = TestPostgres.connect(world.stack.schema)) {
      slow.setAutoCommit(false);
      long early = insert(slow, Instant.now(), customer, 1);
      // an instance whose clock is a month behind commits a later id at once
      long late = insert(other, Instant.now().minus(30, ChronoUnit.DAYS), customer, 2);
      assertThat(late).isGreaterThan(early);

      RollUp.catchUp(world.stack.schema, SETTLED);
      assertThat(watermark()).as("the watermark while id %d is still committing", early).isLessThan(early);
      // a transaction running past the settling time (an import, say) still holds the watermark back
      Thread.sleep(SETTLED.toMillis() + 200);
      RollUp.catchUp(world.stack.schema, SETTLED);
      assertThat(watermark()).as("the watermark while id %d's transaction runs on", early).isLessThan(early);

      slow.commit();
      Thread.sleep(SETTLED.toMillis() + 200);
      RollUp.catchUp(world.stack.schema, SETTLED);
      long watermark = watermark();
      assertThat(watermark).isGreaterThanOrEqualTo(late);
      assertThat(TestPostgres.number(world.stack.schema,
          "select coalesce(sum(checks), 0) from ledger_days where manufacturer_id = " + world.maker.id()))
          .as("checks rolled up")
          .isEqualTo(TestPostgres.number(world.stack.schema, "select count(*) from interactions where manufacturer_id = "
              + world.maker.id() + " and id <= " + watermark));
    }
  }

  private static long insert(Connection c, Instant at, byte[] customer, int n) throws Exception {
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      ps.setTimestamp(1, Timestamp.from(at));
      ps.setBytes(2, customer);
      ps.setBytes(3, bytes(String.format("%064x", System.nanoTime() + n)));
      ps.setLong(4, world.maker.id());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static long watermark() throws Exception {
    return TestPostgres.number(world.stack.schema, "select value::bigint from settings where name = 'ledger_days_watermark'");
  }

  private static byte[] bytes(String hex) {
    return java.util.HexFormat.of().parseHex(hex);
  }
}
