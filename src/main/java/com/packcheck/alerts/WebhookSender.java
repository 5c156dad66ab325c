package com.packcheck.alerts;

import com.packcheck.store.Periodic;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
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
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers alerts to manufacturers' webhooks, at least once: each POST carries the alert as JSON,
 * {@code X-PackCheck-Delivery: <alert id>} (to drop repeats) and
 * {@code X-PackCheck-Signature: sha256=<hex HMAC-SHA256(secret, body)>}. A delivery is taken with a
 * lease (instances never send the same one at once), and retried with a doubling backoff, capped at
 * an hour, until it is a day and an hour old.
 */
public final class WebhookSender {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
  private static final int BATCH = 20;
  private static final String TAKE = """
      update webhook_deliveries set attempts = attempts + 1, next_attempt_at = now() + interval '1 minute'
      where alert_id in (select alert_id from webhook_deliveries where state = 'pending' and next_attempt_at <= now()
                         order by next_attempt_at limit $1 for update skip locked)
      returning alert_id, attempts
      """;
  private static final String ALERT = """
      select a.id, a.kind, a.state, a.created_at, a.details::text, h.url, h.secret
      from alerts a join webhooks h on h.manufacturer_id = a.manufacturer_id
      where a.id = $1
      """;
  private static final String DELIVERED =
      "update webhook_deliveries set state = 'delivered', delivered_at = now(), last_error = null where alert_id = $1";
  private static final String RETRY = """
      update webhook_deliveries d set last_error = $2,
        next_attempt_at = now() + make_interval(secs => $3),
        state = case when (select created_at from alerts a where a.id = d.alert_id) < now() - interval '25 hours'
                     then 'failed' else 'pending' end
      where alert_id = $1
      """;

  private final Vertx vertx;
  private final Pool pool;
  private final Duration backoff;
  private final HttpClient http;
  private Periodic timer;

  public WebhookSender(Vertx vertx, Pool pool, Duration backoff) {
    this.vertx = vertx;
    this.pool = pool;
    this.backoff = backoff;
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5000).setIdleTimeout(10));
  }

  public void start(Duration every) {
    timer = Periodic.every(vertx, every, this::sendDue, LOG, "Webhook deliveries failed; due ones are tried again");
  }

  public void stop() {
    timer.stop();
    http.close();
  }

  private Future<Void> sendDue() {
    return pool.preparedQuery(TAKE).execute(Tuple.of(BATCH)).compose(rows -> {
      List<Future<Void>> sends = new ArrayList<>();
      for (Row r : rows) {
        sends.add(deliver(r.getLong(0), r.getInteger(1)));
      }
      return Future.join(sends).mapEmpty();
    });
  }

  private Future<Void> deliver(long alertId, int attempt) {
    return pool.preparedQuery(ALERT).execute(Tuple.of(alertId)).compose(rows -> {
      if (rows.size() == 0) {
        return retry(alertId, attempt, "no webhook configured");
      }
      Row r = rows.iterator().next();
      Buffer body = Buffer.buffer(new JsonObject().put("id", r.getLong(0)).put("kind", r.getString(1))
          .put("state", r.getString(2)).put("createdAt", r.getOffsetDateTime(3).toInstant().toString())
          .put("details", new JsonObject(r.getString(4))).encode());
      return post(r.getString(5), r.getString(6), alertId, body).compose(status -> status / 100 == 2
          ? pool.preparedQuery(DELIVERED).execute(Tuple.of(alertId)).<Void>mapEmpty()
          : retry(alertId, attempt, "HTTP " + status), failure -> retry(alertId, attempt, failure.toString()));
    });
  }

  private Future<Integer> post(String url, String secret, long alertId, Buffer body) {
    return http.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url).setTimeout(10_000)
            .putHeader("Content-Type", "application/json")
            .putHeader("X-PackCheck-Delivery", Long.toString(alertId))
            .putHeader("X-PackCheck-Signature", "sha256=" + signature(secret, body.getBytes())))
        .compose(request -> request.send(body))
        .compose(response -> response.body().map(ignored -> response.statusCode()));
  }

  private Future<Void> retry(long alertId, int attempt, String error) {
    double wait = Math.min(3600, backoff.toMillis() / 1000.0 * Math.pow(2, Math.min(attempt - 1, 20)));
    LOG.info("Webhook for alert {} not delivered ({}); again in {} s", alertId, error, Math.round(wait));
    return pool.preparedQuery(RETRY).execute(Tuple.of(alertId, error, wait)).mapEmpty();
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
