package com.packcheck.alerts;

import com.packcheck.code.Sealer;
import com.packcheck.postgres.Periodic;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers alerts to manufacturers' webhooks, at least once: each POST carries the alert as JSON,
 * {@code X-PackCheck-Delivery: <alert id>} (to drop repeats) and
 * {@code X-PackCheck-Signature: sha256=<hex HMAC-SHA256(secret, body)>}.
 *
 * <p>A delivery is taken with a lease of three timeouts, and its POST is cut off one timeout after
 * the take began (connecting, sending and the whole answer included, however slowly the receiver
 * trickles it), so no two instances ever send the same alert at once. Only the holder of the latest
 * lease (its attempt number) may schedule a retry, and a success by anyone marks it delivered. A
 * failed attempt is retried with a doubling backoff, capped at an hour, until the alert is 25 hours
 * old ({@link #nextWait}). A 2xx from a manufacturer's receiver means it is back: its other pending
 * deliveries are brought forward instead of each waiting out its own backoff.
 */
public final class WebhookSender {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
  private static final int BATCH = 20;
  static final Duration MAX_WAIT = Duration.ofHours(1);
  static final Duration GIVE_UP_AGE = Duration.ofHours(25);
  /** $1: how many; $2: lease in seconds. */
  private static final String TAKE = """
      update webhook_deliveries set attempts = attempts + 1, leased_until = now() + make_interval(secs => $2)
      where alert_id in (select alert_id from webhook_deliveries
                         where state = 'pending' and next_attempt_at <= now()
                           and (leased_until is null or leased_until <= now())
                         order by next_attempt_at limit $1 for update skip locked)
      returning alert_id, attempts
      """;
  private static final String ALERT = """
      select a.id, a.kind, a.state, a.created_at, a.details::text, h.url, h.secret,
             extract(epoch from now() - a.created_at)::float8, h.secret_sealed
      from alerts a left join webhooks h on h.manufacturer_id = a.manufacturer_id
      where a.id = $1
      """;
  /** Delivered, whoever's attempt it was; the manufacturer's other pending deliveries are due now. */
  private static final String DELIVERED = """
      with done as (
        update webhook_deliveries set state = 'delivered', delivered_at = now(), last_error = null, leased_until = null
        where alert_id = $1 and state = 'pending'
        returning alert_id, manufacturer_id
      )
      update webhook_deliveries d set next_attempt_at = now()
      from done where d.manufacturer_id = done.manufacturer_id and d.alert_id <> done.alert_id
        and d.state = 'pending' and d.next_attempt_at > now()
      """;
  /**
   * $1 alert, $2 error, $3 wait in seconds, $4 the attempt (only its lease holder), $5 pending/failed,
   * $6 the lease in seconds. An attempt that failed at a URL the manufacturer has replaced since it
   * was taken tries the new one at once.
   */
  private static final String RETRY = """
      update webhook_deliveries d set last_error = $2, state = $5, leased_until = null,
        next_attempt_at = case when (select h.updated_at from webhooks h where h.manufacturer_id = d.manufacturer_id)
                                    > d.leased_until - make_interval(secs => $6)
                               then now() else now() + make_interval(secs => $3) end
      where alert_id = $1 and attempts = $4 and state = 'pending'
      """;

  private final Vertx vertx;
  private final Pool pool;
  private final Sealer webhookSecrets;
  private final Duration backoff;
  private final Duration timeout;
  private final HttpClient http;
  private Periodic timer;

  public WebhookSender(Vertx vertx, Pool pool, Sealer webhookSecrets, Duration backoff, Duration timeout) {
    this.vertx = vertx;
    this.pool = pool;
    this.webhookSecrets = webhookSecrets;
    this.backoff = backoff;
    this.timeout = timeout;
    // a whole take in parallel: queued behind a hung receiver, requests would spend their time waiting
    this.http = vertx.createHttpClient(new HttpClientOptions().setIdleTimeout(10), new PoolOptions().setHttp1MaxSize(BATCH));
  }

  /** Looks for due deliveries five times per first backoff, at most every second, at least every 10 ms. */
  public void start() {
    long every = Math.max(10, Math.min(1000, backoff.toMillis() / 5));
    timer = Periodic.every(vertx, Duration.ofMillis(every), this::sendDue, LOG,
        "Webhook deliveries failed; due ones are tried again");
  }

  public void stop() {
    timer.stop();
    http.close();
  }

  /**
   * The wait after failed attempt {@code attempt} (1, 2, …) of an alert {@code age} old: the backoff
   * doubled for each earlier attempt, at most an hour; none (give up) once the alert is 25 hours old.
   */
  static Optional<Duration> nextWait(Duration backoff, int attempt, Duration age) {
    if (age.compareTo(GIVE_UP_AGE) >= 0) {
      return Optional.empty();
    }
    int doublings = Math.min(attempt - 1, 30);
    Duration wait = backoff.toMillis() > MAX_WAIT.toMillis() >> doublings ? MAX_WAIT : backoff.multipliedBy(1L << doublings);
    return Optional.of(wait);
  }

  private Future<Void> sendDue() {
    long deadline = System.nanoTime() + timeout.toNanos();  // before the lease starts: it ends later
    return pool.preparedQuery(TAKE).execute(Tuple.of(BATCH, leaseSeconds())).compose(rows -> {
      List<Future<Void>> sends = new ArrayList<>();
      for (Row r : rows) {
        sends.add(deliver(r.getLong(0), r.getInteger(1), deadline));
      }
      return Future.join(sends).mapEmpty();
    });
  }

  private double leaseSeconds() {
    return timeout.toMillis() * 3 / 1000.0;
  }

  private Future<Void> deliver(long alertId, int attempt, long deadline) {
    return pool.preparedQuery(ALERT).execute(Tuple.of(alertId)).compose(rows -> {
      Row r = rows.iterator().next();
      Duration age = Duration.ofMillis(Math.round(r.getDouble(7) * 1000));
      if (r.getString(5) == null) {
        return retry(alertId, attempt, age, "no webhook configured");
      }
      String secret;
      try {
        // a plain secret is one an older version wrote after this one sealed the rest: it is the newer
        secret = r.getString(6) != null ? r.getString(6) : webhookSecrets.decrypt(r.getBuffer(8).getBytes());
      } catch (IllegalArgumentException e) {
        return retry(alertId, attempt, age, "the webhook secret was sealed under another code secret");
      }
      Buffer body = Buffer.buffer(new JsonObject().put("id", r.getLong(0)).put("kind", r.getString(1))
          .put("state", r.getString(2)).put("createdAt", r.getOffsetDateTime(3).toInstant().toString())
          .put("details", new JsonObject(r.getString(4))).encode());
      return post(r.getString(5), secret, alertId, body, deadline).compose(status -> status / 100 == 2
          ? pool.preparedQuery(DELIVERED).execute(Tuple.of(alertId)).<Void>mapEmpty()
          : retry(alertId, attempt, age, "HTTP " + status), failure -> retry(alertId, attempt, age, failure.toString()));
    });
  }

  /** The receiver's status, or a failure: refused, reset, or no whole answer by the deadline. */
  private Future<Integer> post(String url, String secret, long alertId, Buffer body, long deadline) {
    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (left <= 0) {
      return Future.failedFuture(new TimeoutException("no time left to send within " + timeout.toMillis() + " ms"));
    }
    Promise<Integer> status = Promise.promise();
    AtomicReference<HttpClientRequest> sending = new AtomicReference<>();
    long cutOff = vertx.setTimer(left, t -> {
      if (status.tryFail(new TimeoutException("no whole answer within " + timeout.toMillis() + " ms"))) {
        HttpClientRequest request = sending.get();
        if (request != null) {
          request.reset();
        }
      }
    });
    http.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url).setConnectTimeout(left)
            .putHeader("Content-Type", "application/json")
            .putHeader("X-PackCheck-Delivery", Long.toString(alertId))
            .putHeader("X-PackCheck-Signature", "sha256=" + signature(secret, body.getBytes())))
        .compose(request -> {
          sending.set(request);
          if (status.future().isComplete()) {
            request.reset();
            return Future.failedFuture("cut off");
          }
          return request.send(body);
        })
        .compose(response -> response.handler(ignored -> { }).end().map(ignored -> response.statusCode()))
        .onComplete(ar -> {
          vertx.cancelTimer(cutOff);
          if (ar.succeeded()) {
            status.tryComplete(ar.result());
          } else {
            status.tryFail(ar.cause());
          }
        });
    return status.future();
  }

  private Future<Void> retry(long alertId, int attempt, Duration age, String error) {
    Optional<Duration> wait = nextWait(backoff, attempt, age);
    if (wait.isPresent()) {
      LOG.info("Webhook for alert {} not delivered ({}, attempt {}); again in {} ms", alertId, error, attempt,
          wait.get().toMillis());
    } else {
      LOG.warn("Webhook for alert {} given up after {} attempts over {} h: {}", alertId, attempt, age.toHours(), error);
    }
    return pool.preparedQuery(RETRY).execute(Tuple.of(alertId, error, wait.orElse(Duration.ZERO).toMillis() / 1000.0,
        attempt, wait.isPresent() ? "pending" : "failed", leaseSeconds())).mapEmpty();
  }

  /** Hex HMAC-SHA256 of the raw body under the manufacturer's secret: what receivers verify. */
  public static String signature(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
