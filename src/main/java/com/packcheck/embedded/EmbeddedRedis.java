package com.packcheck.embedded;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * The embedded Redis of a configuration-free start: a {@code redis-server} found on the PATH if there
 * is one, else the one bundled with embedded-redis. It keeps nothing on disk: PackCheck rebuilds it
 * from PostgreSQL at start.
 */
public final class EmbeddedRedis implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedis.class);
  private final RedisServer server;
  private final int port;

  private EmbeddedRedis(RedisServer server, int port) {
    this.server = server;
    this.port = port;
  }

  public static EmbeddedRedis start(Path dataDir) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path dir = Files.createDirectories(dataDir.resolve("redis"));
    RedisServer server = RedisServer.newRedisServer()
        .executableProvider(executable(dir))
        .bind("127.0.0.1")
        .port(port)
        .setting("save \"\"")
        .setting("appendonly no")
        .setting("dir " + dir)
        .build();
    server.start();
    LOG.info("Embedded Redis running on port {}", port);
    return new EmbeddedRedis(server, port);
  }

  /** {@code redis-server} from the PATH, else the binary bundled with embedded-redis (unpacked into dir). */
  public static ExecutableProvider executable(Path dir) {
    try {
      return ExecutableProvider.newExecutableInPath("redis-server");
    } catch (IOException notOnPath) {
      return ExecutableProvider.newJarResourceProvider(dir.toFile());
    }
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() throws IOException {
    server.stop();
  }
}
