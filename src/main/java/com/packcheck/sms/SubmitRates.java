package com.packcheck.sms;

import com.packcheck.codecache.RedisClients;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The Redis side of the SMSCs' submit rates: one connection (on Lettuce's own threads) holding a token
 * bucket per SMSC under the instance's key prefix, which every instance with the same SMSC shares.
 */
final class SubmitRates implements AutoCloseable {
  /** An idle bucket is full again within a second; its key then lingers this long before Redis drops it. */
  private static final Duration KEPT_WHEN_FULL = Duration.ofSeconds(10);

  private final RedisClient client;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final AsyncProxyManager<byte[]> buckets;
  private final String prefix;

  SubmitRates(String url, String prefix, Duration timeout) {
    // commands fail at once while disconnected, and after the Redis timeout: the local bucket takes over
    this.client = RedisClients.create(url, RedisClients.smallest().ioThreadPoolSize(1), timeout);
    this.connection = client.connect(ByteArrayCodec.INSTANCE);
    this.buckets = Bucket4jLettuce.casBasedBuilder(connection)
        .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEPT_WHEN_FULL))
        .build()
        .asAsync();
    this.prefix = prefix;
  }

  /**
   * The rate of submits to an SMSC of {@code maxTps}. The key names the rate too, so an instance
   * configured with another rate never reads a bucket made for this one.
   */
  SubmitRate forSmsc(String smsc, int maxTps) {
    byte[] key = (prefix + ":tps:" + smsc + ":" + maxTps).getBytes(StandardCharsets.UTF_8);
    return new SubmitRate(buckets.builder().build(key, SubmitRate.configuration(maxTps)), maxTps);
  }

  /** Closes and waits: at shutdown. */
  @Override
  public void close() {
    closeAsync().toCompletableFuture().join();
  }

  /** Closes without blocking: from an event loop. */
  CompletionStage<Void> closeAsync() {
    return connection.closeAsync()
        .thenCompose(v -> client.shutdownAsync())
        .thenRun(() -> client.getResources().shutdown(0, 2, TimeUnit.SECONDS));
  }
}
