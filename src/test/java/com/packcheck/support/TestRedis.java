package com.packcheck.support;

import com.packcheck.embedded.EmbeddedRedis;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.file.Files;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

/**
 * The Redis tests run against: the one named by {@code PACKCHECK_TEST_REDIS_URL} (or the system
 * property {@code packcheck.test.redis.url}), else a Testcontainers one where Docker runs, else an
 * embedded one. Each stack isolates itself with a key prefix of its own.
 */
public final class TestRedis {
  private static String url;

  private TestRedis() {
  }

  public static synchronized String url() {
    if (url == null) {
      url = resolve();
    }
    return url;
  }

  private static String resolve() {
    String configured = System.getProperty("packcheck.test.redis.url", System.getenv("PACKCHECK_TEST_REDIS_URL"));
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    if (dockerAvailable()) {
      GenericContainer<?> redis = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
      redis.start();
      return "redis://" + redis.getHost() + ":" + redis.getMappedPort(6379);
    }
    try {
      EmbeddedRedis redis = EmbeddedRedis.start(Files.createTempDirectory("packcheck-test-redis"));
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          redis.close();
        } catch (Exception e) {
          // the JVM is exiting
        }
      }));
      return redis.url();
    } catch (Exception e) {
      throw new IllegalStateException("No Redis for the tests: set PACKCHECK_TEST_REDIS_URL", e);
    }
  }

  /** Removes a stack's keys from a shared Redis (never a FLUSHALL: others use it too). */
  public static void deleteKeys(String redisUrl, String prefix) {
    RedisClient client = RedisClient.create(redisUrl);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      RedisCommands<String, String> redis = c.sync();
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(prefix + ":*").limit(1000));
        if (!page.getKeys().isEmpty()) {
          redis.unlink(page.getKeys().toArray(String[]::new));
        }
        cursor = page;
      } while (!cursor.isFinished());
    } catch (RuntimeException e) {
      // a Redis the test already stopped, say: nothing to clean
    } finally {
      client.shutdown();
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
