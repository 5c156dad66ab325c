package com.packcheck.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.support.SparePort;
import com.packcheck.support.TestPostgres;
import com.packcheck.vertxinternals.PoolFailures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Real failures from PostgreSQL and the sql client, told apart as a client must see them: retry, or not. */
@DisplayName("Which failures mean 'PostgreSQL unavailable, retry'")
class UnavailableTest {
  static Vertx vertx;
  static String schema;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    schema = TestPostgres.freshSchema();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  @Test
  @DisplayName("a statement PostgreSQL rejects (undefined table, division by zero) is not an outage")
  void rejectedStatements() {
    Pool pool = TestPostgres.pool(vertx, schema, 1);
    try {
      Throwable undefined = failure(pool.query("select * from no_such_table").execute());
      assertThat(Unavailable.is(undefined)).as(undefined.toString()).isFalse();
      Throwable division = failure(pool.query("select 1 / 0").execute());
      assertThat(Unavailable.is(division)).as(division.toString()).isFalse();
    } finally {
      pool.close();
    }
  }

  @Test
  @DisplayName("a statement cancelled by statement_timeout, and waits for a pool's connection that timed out (a query's, a connection's), are")
  void timeouts() throws Exception {
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1).setConnectionTimeout(1000)
            .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
        .connectingTo(new Database(PgUrl.parse(TestPostgres.url()), schema).ledgerConnectOptions())
        .using(vertx).build();
    try {
      SqlConnection held = pool.getConnection().await();
      held.query("set statement_timeout = 50").execute().await();
      Throwable cancelled = failure(held.query("select pg_sleep(1)").execute());
      assertThat(Unavailable.is(cancelled)).as(String.valueOf(cancelled)).isTrue();

      Throwable queryWait = failure(pool.query("select 1").execute());
      assertThat(queryWait).as("a query's wait for a connection").isNotNull();
      assertThat(queryWait.getMessage()).isEqualTo(PoolFailures.QUERY_WAIT);
      assertThat(Unavailable.is(queryWait)).isTrue();
      Throwable connectionWait = failure(pool.getConnection());
      assertThat(connectionWait).as("a wait for a connection").isNotNull();
      assertThat(connectionWait.getMessage()).isEqualTo(PoolFailures.CONNECTION_WAIT);
      assertThat(Unavailable.is(connectionWait)).isTrue();
      held.close().await();
    } finally {
      pool.close();
    }
  }

  @Test
  @DisplayName("JDBC: a lost or refused connection is; a constraint PostgreSQL enforces is not")
  void jdbc() throws Exception {
    SQLException refused = null;
    try {
      DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + SparePort.belowEphemeralRange()
          + "/test?connectTimeout=2", "postgres", "");
    } catch (SQLException e) {
      refused = e;
    }
    assertThat((Throwable) refused).isNotNull();
    assertThat(Unavailable.is(refused)).as(refused.toString()).isTrue();

    try (Connection c = TestPostgres.connect("public"); Statement s = c.createStatement()) {
      s.execute("create temp table t (x int check (x > 0))");
      SQLException check = null;
      try {
        s.execute("insert into t values (-1)");
      } catch (SQLException e) {
        check = e;
      }
      assertThat((Throwable) check).isNotNull();
      assertThat(Unavailable.is(check)).as(check.toString()).isFalse();
    }
  }

  /** The failure {@code result} ends with, or null if it succeeds. */
  private static Throwable failure(Future<?> result) {
    return result.transform(ar -> Future.succeededFuture(ar.cause())).await();
  }
}
