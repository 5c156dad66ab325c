package com.packcheck.sms;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.support.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Grouped statements: callers share a commit, and a row PostgreSQL refuses fails alone")
class GroupedStatementTest {
  static final Vertx vertx = Vertx.vertx();
  static final String schema = TestPostgres.freshSchema();
  static Pool pool;

  @BeforeAll
  static void start() throws Exception {
    try (Connection c = TestPostgres.connect("public"); Statement s = c.createStatement()) {
      s.execute("create schema " + schema);
      s.execute("create table " + schema + ".readings (v int not null check (v > 0))");
    }
    pool = TestPostgres.pool(vertx, schema, 2);
  }

  @AfterAll
  static void stop() throws Exception {
    pool.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close();
    TestPostgres.dropSchema(schema);
  }

  @Test
  @DisplayName("rows sent while a batch is in PostgreSQL go in the next one; when one of them breaks a constraint, "
      + "it alone fails and the others are stored")
  void badRowFailsAlone() throws Exception {
    GroupedStatement insert = new GroupedStatement(pool, "insert into readings (v) values ($1)");
    List<Future<Void>> results = new ArrayList<>();
    for (int v : new int[] {1, 2, -3, 4, 5}) {
      results.add(insert.run(Tuple.of(v)));  // 1 goes at once; the rest wait for it, as one batch
    }
    Future.join(results).otherwiseEmpty().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(results.get(2).failed()).as("the refused row").isTrue();
    assertThat(results.get(2).cause()).isInstanceOfSatisfying(PgException.class,
        e -> assertThat(e.getSqlState()).isEqualTo("23514"));
    assertThat(List.of(results.get(0), results.get(1), results.get(3), results.get(4)))
        .as("its neighbours").allMatch(Future::succeeded);
    List<Integer> stored = new ArrayList<>();
    for (Row row : pool.query("select v from readings order by v").execute()
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)) {
      stored.add(row.getInteger(0));
    }
    assertThat(stored).containsExactly(1, 2, 4, 5);
  }
}
