package com.packcheck.check.group;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.postgres.Database;
import com.packcheck.postgres.PgUrl;
import com.packcheck.support.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Tuple;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Group commit: callers share a commit, and a row PostgreSQL refuses fails alone")
class GroupCommitTest {
  static final Vertx vertx = Vertx.vertx();
  static final String schema = TestPostgres.freshSchema();

  @BeforeAll
  static void start() throws Exception {
    try (Connection c = TestPostgres.connect("public"); Statement s = c.createStatement()) {
      s.execute("create schema " + schema);
      s.execute("create table " + schema + ".readings (v int not null check (v > 0))");
    }
  }

  @AfterAll
  static void stop() {
    vertx.close();
    TestPostgres.dropSchema(schema);
  }

  @Test
  @DisplayName("rows sent while a group is in PostgreSQL go in the next one; when one of them breaks a constraint, "
      + "it alone fails, with PostgreSQL's error, and the others are stored")
  void badRowFailsAlone() throws Exception {
    List<Integer> groups = new CopyOnWriteArrayList<>();
    GroupMetrics sizes = new GroupMetrics() {
      @Override
      public void committed(long nanos, int requests) {
        groups.add(requests);
      }

      @Override
      public void answered(long waitedNanos) {
      }

      @Override
      public void failed() {
      }
    };
    GroupCommit<Tuple, Void> insert = new GroupCommit<>(vertx,
        new Database(PgUrl.parse(TestPostgres.url()), schema).ledgerConnectOptions(), 1, Duration.ofSeconds(10), 512,
        Grouping.any(), new BatchStatement("insert into readings (v) values ($1)"), sizes, "Readings", "test");
    List<CompletableFuture<Void>> results = new ArrayList<>();
    for (int v : new int[] {1, 2, -3, 4, 5}) {
      results.add(insert.submitFromAnyThread(Tuple.of(v)));  // 1 goes at once; the rest wait for it, as one group
    }
    CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();

    assertThat(results.get(2)).as("the refused row").isCompletedExceptionally();
    assertThat(catching(results.get(2))).isInstanceOfSatisfying(PgException.class,
        e -> assertThat(e.getSqlState()).isEqualTo("23514"));
    assertThat(List.of(results.get(0), results.get(1), results.get(3), results.get(4)))
        .as("its neighbours").allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    assertThat(groups).as("rows per commit").contains(1).anyMatch(n -> n > 1);
    List<Integer> stored = new ArrayList<>();
    try (Connection c = TestPostgres.connect(schema); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select v from readings order by v")) {
      while (rs.next()) {
        stored.add(rs.getInt(1));
      }
    }
    assertThat(stored).containsExactly(1, 2, 4, 5);
    insert.drain().toCompletionStage().toCompletableFuture().join();
    assertThat(catching(insert.submitFromAnyThread(Tuple.of(6)))).as("after a drain")
        .hasMessageContaining("shutting down");
  }

  private static Throwable catching(CompletableFuture<?> f) {
    try {
      f.join();
      return null;
    } catch (CompletionException e) {
      return e.getCause();
    }
  }
}
