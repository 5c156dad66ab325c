package com.packcheck.support;

import static org.awaitility.Awaitility.await;

import com.packcheck.embedded.EmbeddedRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * A redis-server of the test's own, on a spare port, that the test may flush, snapshot and restart
 * from an old snapshot without touching the machine's shared Redis.
 */
public final class OwnRedis implements AutoCloseable {
  private final Path dir;
  private final int port;
  private Process process;

  public OwnRedis() throws Exception {
    dir = Files.createTempDirectory("packcheck-own-redis");
    port = startOnSparePort();
  }

  /** A port found spare may be taken by another process before redis-server binds it: then another is tried. */
  private int startOnSparePort() throws Exception {
    for (int attempt = 1; ; attempt++) {
      int candidate;
      try (ServerSocket s = new ServerSocket(0)) {
        candidate = s.getLocalPort();
      }
      try {
        start(candidate);
        return candidate;
      } catch (ConditionTimeoutException | TerminalFailureException taken) {
        kill();
        if (attempt == 3) {
          throw taken;
        }
      }
    }
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  private void start(int port) throws Exception {
    String binary = EmbeddedRedis.executable(dir).get().getAbsolutePath();
    Process started = new ProcessBuilder(List.of(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--dir", dir.toString(), "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no"))
        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
    process = started;
    await("redis-server listening on " + port).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
        .failFast("redis-server exited (see " + dir.resolve("redis.log") + ")", () -> !started.isAlive())
        .ignoreExceptionsInstanceOf(IOException.class)
        .until(() -> {
          try (Socket s = new Socket("127.0.0.1", port)) {
            return started.isAlive();
          }
        });
  }

  /** Runs commands against this server. */
  public <T> T with(java.util.function.Function<RedisCommands<String, String>, T> work) {
    RedisClient client = RedisClient.create(url());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      return work.apply(c.sync());
    } finally {
      client.shutdown();
    }
  }

  public void flushAll() {
    with(RedisCommands::flushall);
  }

  /** Saves an RDB snapshot now and keeps a copy of it. */
  public Path snapshot() throws IOException {
    with(RedisCommands::save);
    Path copy = dir.resolve("snapshot-" + System.nanoTime() + ".rdb");
    Files.copy(dir.resolve("dump.rdb"), copy);
    return copy;
  }

  /** Stops the server without saving and starts it again from {@code snapshot}, on the same port. */
  public void restartFrom(Path snapshot) throws Exception {
    kill();
    Files.copy(snapshot, dir.resolve("dump.rdb"), StandardCopyOption.REPLACE_EXISTING);
    start(port);
  }

  private void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() throws Exception {
    kill();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
