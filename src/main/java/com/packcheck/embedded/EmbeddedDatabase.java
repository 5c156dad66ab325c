package com.packcheck.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL of a configuration-free start: its data directory lives under
 * {@code PACKCHECK_DATA_DIR/postgres} and survives restarts.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  public static EmbeddedDatabase start(Path dataDir) throws IOException {
    if ("root".equals(System.getProperty("user.name"))) {
      // PostgreSQL's own rule: initdb and postgres refuse to run as root.
      throw new IllegalStateException("The embedded PostgreSQL cannot run as root. Run PackCheck as a normal user, "
          + "or point PACKCHECK_PG_URL at a PostgreSQL server (e.g. postgresql://postgres@127.0.0.1:5432/test).");
    }
    Path pgData = dataDir.resolve("postgres");
    Files.createDirectories(dataDir);
    EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setDataDirectory(pgData)
        .setCleanDataDirectory(false)
        .setOverrideWorkingDirectory(dataDir.resolve("postgres-binaries").toFile())
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("max_connections", "200")
        .start();
    LOG.info("Embedded PostgreSQL running on port {}, data in {}", pg.getPort(), pgData);
    return new EmbeddedDatabase(pg);
  }

  public String url() {
    return "postgresql://postgres@127.0.0.1:" + postgres.getPort() + "/postgres";
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
