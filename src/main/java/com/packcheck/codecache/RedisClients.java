package com.packcheck.codecache;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** How PackCheck opens every Lettuce client: nothing on the check path may wait for Redis. */
public final class RedisClients {
  private RedisClients() {
  }

  /**
   * A client that reconnects within a second of Redis coming back, not after Lettuce's default 30 s
   * backoff; records no per-command latencies; and fails commands at once while disconnected and after
   * {@code commandTimeout}, so that its callers can do without Redis.
   */
  public static RedisClient create(String url, DefaultClientResources.Builder resources, Duration commandTimeout) {
    RedisClient client = RedisClient.create(resources
        .commandLatencyRecorder(CommandLatencyRecorder.disabled())
        .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .build(), RedisURI.create(url));
    client.setOptions(ClientOptions.builder()
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
        .build());
    return client;
  }

  /** Lettuce's smallest computation pool: it raises anything lower to 2, and says so in the log. */
  public static DefaultClientResources.Builder smallest() {
    return DefaultClientResources.builder().computationThreadPoolSize(2);
  }
}
