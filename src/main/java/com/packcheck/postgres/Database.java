package com.packcheck.postgres;

import com.packcheck.vertxinternals.WatchedPgDriver;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.ClientBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

/** PostgreSQL, the system of record: the reactive pool for requests, JDBC for migrations and COPY. */
public final class Database {
  private final PgUrl url;
  private final String schema;
  private final PGSimpleDataSource dataSource;

  public Database(PgUrl url, String schema) {
    this.url = url;
    this.schema = schema;
    this.dataSource = new PGSimpleDataSource();
    dataSource.setURL(url.jdbcUrl(schema));
    dataSource.setUser(url.user());
    dataSource.setPassword(url.password());
    dataSource.setApplicationName("packcheck");
    // binary transfer from the first execution: code hashes travel as bytes, not as hex text
    dataSource.setPrepareThreshold(-1);
  }

  /** Applies the SQL files of {@code db/migration}; safe to run from several instances at once. */
  public void migrate() {
    Flyway.configure()
        .dataSource(dataSource)
        .schemas(schema)
        .createSchemas(true)
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }

  /**
   * The reactive pool. None of its connections waits longer than {@code replyTimeout} for PostgreSQL
   * with nothing heard ({@link WatchedPgDriver}): a reply lost on a link that stays up would otherwise
   * hold the connection, or its place in the pool while it starts, and with enough of them the pool,
   * for good.
   */
  public Pool pool(Vertx vertx, int size, Duration replyTimeout) {
    return ClientBuilder.pool(new WatchedPgDriver(replyTimeout))
        .with(new PoolOptions().setMaxSize(size).setConnectionTimeout(5).setConnectionTimeoutUnit(TimeUnit.SECONDS)
            .setName("packcheck-" + schema).setShared(false))
        .with(new NetClientOptions().setConnectTimeout(3000))
        .connectingTo(url.connectOptions(schema))
        .using(vertx)
        .build();
  }

  /**
   * For the ledger writer's connections, which must be closed for real when a reply is late. They run
   * the group statement on its generic plan from the first group: its arrays' lengths are all a custom
   * plan could learn, and planning it afresh took 1.4-2.6 ms a group where running it takes about one.
   */
  public PgConnectOptions ledgerConnectOptions() {
    PgConnectOptions options = url.connectOptions(schema);
    options.getProperties().put("plan_cache_mode", "force_generic_plan");
    return options;
  }

  /** Work on one JDBC connection, in a transaction. */
  public interface Transaction<T> {
    T run(Connection conn) throws SQLException, java.io.IOException;
  }

  /** Runs {@code work} in a transaction: committed if it returns, rolled back if it throws. Blocking. */
  public <T> T inTransaction(Transaction<T> work) throws SQLException, java.io.IOException {
    try (Connection conn = jdbc()) {
      conn.setAutoCommit(false);
      try {
        T result = work.run(conn);
        conn.commit();
        return result;
      } catch (SQLException | java.io.IOException | RuntimeException e) {
        conn.rollback();
        throw e;
      }
    }
  }

  public Connection jdbc() throws SQLException {
    return dataSource.getConnection();
  }
}
