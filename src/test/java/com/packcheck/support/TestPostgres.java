package com.packcheck.support;

import com.packcheck.config.Config;
import com.packcheck.postgres.Database;
import com.packcheck.postgres.PgUrl;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * The PostgreSQL tests run against: the one named by {@code PACKCHECK_TEST_PG_URL} (or the system
 * property {@code packcheck.test.pg.url}), else a Testcontainers one where Docker runs, else an
 * embedded one. Each caller gets a schema of its own.
 */
public final class TestPostgres {
  private static String url;

  private TestPostgres() {
  }

  public static synchronized String url() {
    if (url == null) {
      url = resolve();
    }
    return url;
  }

  /** A reactive pool on {@code schema}, set up as an instance sets up its own (the default reply timeout). */
  public static Pool pool(Vertx vertx, String schema, int size) {
    return pool(vertx, PgUrl.parse(url()), schema, size);
  }

  /** The same through {@code pg}: this PostgreSQL, or a proxy in front of it. */
  public static Pool pool(Vertx vertx, PgUrl pg, String schema, int size) {
    return new Database(pg, schema).pool(vertx, size, Config.from(Map.of()).pgReplyTimeout());
  }

  /** A fresh, empty schema name; PackCheck migrates it on start. */
  public static String freshSchema() {
    return "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  public static Connection connect(String schema) throws Exception {
    PgUrl pg = PgUrl.parse(url());
    return DriverManager.getConnection(pg.jdbcUrl(schema), pg.user(), pg.password());
  }

  /** The first column of the first row of {@code sql} in {@code schema}, or null without a row. */
  public static String value(String schema, String sql) throws Exception {
    try (Connection c = connect(schema); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /** {@link #value} as a number: counts and sums. */
  public static long number(String schema, String sql) throws Exception {
    return Long.parseLong(value(schema, sql));
  }

  public static void dropSchema(String schema) {
    try (Connection c = connect("public"); Statement s = c.createStatement()) {
      s.execute("drop schema if exists " + schema + " cascade");
    } catch (Exception e) {
      // leftover schemas are harmless; they only take disk
    }
  }

  private static String resolve() {
    String configured = System.getProperty("packcheck.test.pg.url", System.getenv("PACKCHECK_TEST_PG_URL"));
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    if (dockerAvailable()) {
      PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:16-alpine");
      container.start();
      return "postgresql://" + container.getUsername() + ":" + container.getPassword() + "@"
          + container.getHost() + ":" + container.getMappedPort(5432) + "/" + container.getDatabaseName();
    }
    try {
      EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          pg.close();
        } catch (Exception e) {
          // the JVM is exiting
        }
      }));
      return "postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres";
    } catch (Exception e) {
      throw new IllegalStateException("No PostgreSQL for the tests: set PACKCHECK_TEST_PG_URL "
          + "(the embedded one cannot run as root)", e);
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable t) {
      return false;
    }
  }
}
