package com.packcheck.sms;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An SMSC's submits per second, as a token bucket shared by every bind and instance through Redis; with
 * Redis unreachable, a bucket of this instance's own keeps the rate for it alone.
 *
 * <p>The SMSC counts submit_sm in any second, not in the seconds of our clock. A bucket of capacity C
 * refilled at R a second lets C + R·t through in any span t, so a full bucket of max_tps refilled at
 * max_tps a second lets 2·max_tps through in the second where it is drained and refilled. Capacity 1,
 * refilled greedily at one token per 1/max_tps s, keeps consecutive submits at least 1/max_tps s apart:
 * max_tps + 1 of them span at least a second, so no second holds more than max_tps. But the SMSC counts
 * arrivals: a submit held up between its token and the socket (its thread not scheduled, the bind's
 * write lock, the network) while the next is not squeezes the gap between them. So max_tps tokens take
 * 1 s + {@link #JITTER}: max_tps + 1 submits then still arrive over a second apart unless one of them
 * was held up that much longer than another. The price is a rate of {@code max_tps / (1 s + JITTER)}:
 * about 18 a second for 20.
 *
 * <p>Blocks its caller (an outbox submitter thread, never an event loop) until a submit may go.
 */
final class SubmitRate {
  /** Slack, per second of tokens, for the varying time between taking a token and the SMSC reading the submit. */
  static final Duration JITTER = Duration.ofMillis(100);
  /** A Redis call (a few compare-and-swaps under contention) past this, and this instance keeps the rate alone. */
  private static final Duration SHARED_TIMEOUT = Duration.ofSeconds(1);

  private final AsyncBucketProxy shared;
  private final Bucket local;

  SubmitRate(AsyncBucketProxy shared, int maxTps) {
    this.shared = shared;
    this.local = Bucket.builder().addLimit(bandwidth(maxTps)).build();
  }

  static BucketConfiguration configuration(int maxTps) {
    return BucketConfiguration.builder().addLimit(bandwidth(maxTps)).build();
  }

  private static Bandwidth bandwidth(int maxTps) {
    return Bandwidth.builder().capacity(1).refillGreedy(1, interval(maxTps)).build();
  }

  /** The least time between two submits: (1 s + jitter) / max_tps, rounded up. */
  static Duration interval(int maxTps) {
    long nanos = Duration.ofSeconds(1).plus(JITTER).toNanos();
    return Duration.ofNanos((nanos + maxTps - 1) / maxTps);
  }

  /** Waits until one more submit fits within the rate, and takes it. */
  void acquire() throws InterruptedException {
    while (true) {
      ConsumptionProbe probe = probe();
      if (probe.isConsumed()) {
        return;
      }
      TimeUnit.NANOSECONDS.sleep(Math.max(probe.getNanosToWaitForRefill(), 1));
    }
  }

  private ConsumptionProbe probe() throws InterruptedException {
    try {
      return shared.tryConsumeAndReturnRemaining(1).get(SHARED_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // Redis unreachable or slow: this instance keeps the rate alone
      return local.tryConsumeAndReturnRemaining(1);
    }
  }
}
