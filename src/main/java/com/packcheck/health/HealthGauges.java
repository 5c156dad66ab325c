package com.packcheck.health;

import com.packcheck.codecache.HotState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * What an operator's alerts watch, sampled for /metrics: whether PostgreSQL and Redis answer, whether
 * Redis holds every active code, and how far alert webhooks lag (the SMS outbox's backlog is sampled by
 * the SMS channel, which exists only where it runs).
 */
public final class HealthGauges {
  /** The pending deliveries only, through their partial index; doubles as the PostgreSQL probe. */
  private static final String BACKLOGS = """
      select (select count(*) from webhook_deliveries where state = 'pending') as webhooks_pending,
             (select coalesce(extract(epoch from now() - min(a.created_at)), 0)
                from webhook_deliveries d join alerts a on a.id = d.alert_id where d.state = 'pending') as webhooks_oldest
      """;

  private final Vertx vertx;
  private final Pool pool;
  private final Sample postgresUp = new Sample();
  private final Sample webhooksPending = new Sample();
  private final Sample webhooksOldest = new Sample();
  private long timer;

  public HealthGauges(Vertx vertx, Pool pool, HotState hot, MeterRegistry metrics) {
    this.vertx = vertx;
    this.pool = pool;
    gauge(metrics, "packcheck.postgres.up", "1 while PostgreSQL answered the last probe", postgresUp, Sample::value);
    gauge(metrics, "packcheck.redis.up", "1 while Redis answers", hot, h -> h.redisUp() ? 1 : 0);
    gauge(metrics, "packcheck.redis.codes.complete", "1 while Redis holds every active code (its misses are trusted)",
        hot, h -> h.codesComplete() ? 1 : 0);
    gauge(metrics, "packcheck.webhook.pending", "alerts not yet delivered to their manufacturer's webhook",
        webhooksPending, Sample::value);
    gauge(metrics, "packcheck.webhook.oldest.pending.seconds", "age of the oldest alert not yet delivered (0: none)",
        webhooksOldest, Sample::value);
  }

  public void start(Duration every) {
    sample();
    timer = vertx.setPeriodic(every.toMillis(), id -> sample());
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  private void sample() {
    pool.query(BACKLOGS).execute().timeout(2, TimeUnit.SECONDS).onComplete(ar -> {
      postgresUp.set(ar.succeeded() ? 1 : 0);
      if (ar.succeeded()) {
        Row row = ar.result().iterator().next();
        webhooksPending.set(row.getLong("webhooks_pending"));
        webhooksOldest.set(row.getNumeric("webhooks_oldest").doubleValue());
      }
    });
  }

  private static <T> void gauge(MeterRegistry metrics, String name, String description, T source,
      ToDoubleFunction<T> value) {
    Gauge.builder(name, source, value).description(description).strongReference(true).register(metrics);
  }

  /** A sampled value, read by the scrape on another thread. */
  private static final class Sample {
    private final AtomicLong bits = new AtomicLong(Double.doubleToLongBits(0));

    void set(double value) {
      bits.set(Double.doubleToLongBits(value));
    }

    double value() {
      return Double.longBitsToDouble(bits.get());
    }
  }
}
