package com.packcheck.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.postgres.Database;
import com.packcheck.postgres.PgUrl;
import com.packcheck.support.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnection;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The shape of the group statement's plan, as the ledger's connections run it (the generic plan): a
 * group of 512 checks must cost per check what a small group does, so no step may pair every check
 * with every other (a nested loop over two of the statement's own sets did, 512 × 512 rows).
 */
@DisplayName("The group statement's plan stays linear in the group's size")
class GroupStatementPlanTest {
  static final int CODES = 2_000;
  static final int GROUP = 512;
  static String schema;
  static Vertx vertx;

  @BeforeAll
  static void schema() throws Exception {
    schema = TestPostgres.freshSchema();
    new Database(PgUrl.parse(TestPostgres.url()), schema).migrate();
    try (Connection c = TestPostgres.connect(schema); Statement s = c.createStatement()) {
      s.execute("insert into manufacturers (name, price_per_check, currency) values ('m', 5, 'GHS')");
      s.execute("insert into products (manufacturer_id, name) values (1, 'p')");
      s.execute("insert into batches (manufacturer_id, product_id, lot, expiry, state) values (1, 1, 'L', '2099-01-01', 'active')");
      s.execute("insert into codes (hash, batch_id) select sha256(int8send(i)), 1 from generate_series(1, " + CODES + ") i");
      s.execute("analyze");
    }
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void drop() {
    vertx.close();
    TestPostgres.dropSchema(schema);
  }

  @Test
  @DisplayName("512 dispenses, some of them twice: every join is hashed or an index lookup, and no join filter discards more rows than the group holds")
  void linear() throws Exception {
    List<CheckRequest> group = new ArrayList<>();
    for (int i = 1; i <= GROUP; i++) {
      // every eighth check repeats the code of the one before it, as a busy queue does
      long code = i % 8 == 0 ? i - 1 : i;
      group.add(new CheckRequest(sha256(code), 16, 0, Action.DISPENSE, sha256(-1 - (i % 2)), 1L + (i % 2), "http",
          null, false));
    }
    JsonObject plan = explain(group);

    List<JsonObject> nodes = new ArrayList<>();
    collect(plan.getJsonObject("Plan"), nodes);
    assertThat(nodes).as("the plan's nodes").hasSizeGreaterThan(10);
    assertThat(nodes).allSatisfy(node -> assertThat(node.getLong("Rows Removed by Join Filter", 0L))
        .as("rows a %s discarded", node.getString("Node Type")).isLessThanOrEqualTo(GROUP));
    assertThat(nodes.stream().filter(n -> "Nested Loop".equals(n.getString("Node Type"))))
        .allSatisfy(loop -> assertThat(loop.getJsonArray("Plans").stream().map(JsonObject.class::cast)
            .map(child -> child.getString("Node Type")))
            .as("a nested loop's two sides").doesNotContainSequence("CTE Scan", "CTE Scan"));
    assertThat(plan.getJsonObject("Plan").getLong("Actual Rows")).as("one answer per check").isEqualTo(GROUP);
  }

  private static JsonObject explain(List<CheckRequest> group) throws Exception {
    PgConnection conn = PgConnection.connect(vertx, new Database(PgUrl.parse(TestPostgres.url()), schema)
        .ledgerConnectOptions()).await();
    try {
      conn.query("begin").execute().await();
      Object json = conn.preparedQuery("explain (analyze, format json) " + CheckStatement.CHECK_GROUP)
          .execute(CheckStatement.groupTuple(group, Instant.now())).await().iterator().next().getValue(0);
      conn.query("rollback").execute().await();
      JsonArray plans = json instanceof JsonArray a ? a : new JsonArray(json.toString());
      return plans.getJsonObject(0);
    } finally {
      conn.close().await();
    }
  }

  private static void collect(JsonObject node, List<JsonObject> into) {
    into.add(node);
    JsonArray children = node.getJsonArray("Plans");
    if (children != null) {
      IntStream.range(0, children.size()).forEach(i -> collect(children.getJsonObject(i), into));
    }
  }

  private static byte[] sha256(long n) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(ByteBuffer.allocate(8).putLong(n).array());
  }
}
