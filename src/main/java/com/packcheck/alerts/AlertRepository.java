package com.packcheck.alerts;

import com.packcheck.batch.ConflictException;
import com.packcheck.batch.NotFoundException;
import com.packcheck.code.Sealer;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Alerts as cases, the webhook they are sent to, and the operator's view of fakes. */
public final class AlertRepository {
  private static final String COLUMNS = "id, kind, state, created_at, details::text";
  /** A manufacturer's alerts ($1), or the operator's (null): fake bursts belong to no manufacturer. */
  private static final String LIST = "select " + COLUMNS + """
       from alerts
      where manufacturer_id is not distinct from $1 and ($2::text is null or state = $2)
      order by id desc limit 500
      """;
  /** acknowledge: open → acknowledged (again: unchanged); close: anything → closed. */
  private static final String TRANSITION = """
      update alerts set state = $3, updated_at = now()
      where id = $2 and manufacturer_id is not distinct from $1
        and (state = $3 or state = 'open' or $3 = 'closed')
      returning
      """ + COLUMNS;
  private static final String EXISTS = "select state from alerts where id = $2 and manufacturer_id is not distinct from $1";
  /** A new URL or secret is a receiver worth trying now: its pending deliveries stop waiting out their backoff. */
  private static final String SET_WEBHOOK = """
      with hook as (
        insert into webhooks (manufacturer_id, url, secret_sealed) values ($1, $2, $3)
        on conflict (manufacturer_id) do update
          set url = excluded.url, secret = null, secret_sealed = excluded.secret_sealed, updated_at = now()
        returning manufacturer_id
      )
      update webhook_deliveries set next_attempt_at = now()
      where manufacturer_id = (select manufacturer_id from hook) and state = 'pending' and next_attempt_at > now()
      """;
  private static final String PLAIN_SECRETS = "select manufacturer_id, secret from webhooks where secret is not null";
  /** Only if the plain secret is still the one read: another instance may have sealed or replaced it. */
  private static final String SEAL = """
      update webhooks set secret_sealed = $3, secret = null where manufacturer_id = $1 and secret = $2
      """;
  private static final String FAKES = """
      select (i.at at time zone 'UTC')::date, coalesce(c.region, p.region, 'unknown'), i.channel, count(*)
      from interactions i left join customers c on c.id = i.customer_id left join pharmacies p on p.id = c.pharmacy_id
      where i.outcome = 'fake' and i.at >= $1 and i.at < $2
      group by 1, 2, 3 order by 1, 2, 3
      """;

  private final Pool pool;
  private final Sealer webhookSecrets;

  public AlertRepository(Pool pool, Sealer webhookSecrets) {
    this.pool = pool;
    this.webhookSecrets = webhookSecrets;
  }

  public Future<JsonArray> list(Long manufacturerId, String state) {
    return pool.preparedQuery(LIST).execute(Tuple.of(manufacturerId, state)).map(rows -> {
      JsonArray list = new JsonArray();
      rows.forEach(r -> list.add(json(r)));
      return list;
    });
  }

  /** Moves an alert to {@code state} (acknowledged or closed); a closed alert cannot be acknowledged. */
  public Future<JsonObject> transition(Long manufacturerId, long alertId, String state) {
    Tuple args = Tuple.of(manufacturerId, alertId, state);
    return pool.preparedQuery(TRANSITION).execute(args).compose(rows -> rows.size() > 0
        ? Future.succeededFuture(json(rows.iterator().next()))
        : pool.preparedQuery(EXISTS).execute(Tuple.of(manufacturerId, alertId)).compose(current ->
            Future.failedFuture(current.size() == 0
                ? new NotFoundException("alert " + alertId + " not found")
                : new ConflictException("alert_closed", "a closed alert cannot be acknowledged"))));
  }

  public Future<Void> setWebhook(long manufacturerId, String url, String secret) {
    Buffer sealed = Buffer.buffer(webhookSecrets.encrypt(secret));
    return pool.preparedQuery(SET_WEBHOOK).execute(Tuple.of(manufacturerId, url, sealed)).mapEmpty();
  }

  /** Seals the webhook secrets stored in plain (by a version before migration 15); how many. */
  public Future<Integer> sealPlainSecrets() {
    return pool.query(PLAIN_SECRETS).execute().compose(rows -> {
      List<Future<Integer>> sealed = new ArrayList<>();
      for (Row r : rows) {
        Tuple args = Tuple.of(r.getLong(0), r.getString(1), Buffer.buffer(webhookSecrets.encrypt(r.getString(1))));
        sealed.add(pool.preparedQuery(SEAL).execute(args).map(RowSet::rowCount));
      }
      return Future.all(sealed).map(all -> sealed.stream().mapToInt(Future::result).sum());
    });
  }

  /** Checks of unknown codes by day, region and channel: the operator's map of counterfeits. */
  public Future<JsonArray> fakes(Instant from, Instant to) {
    return pool.preparedQuery(FAKES).execute(Tuple.of(from.atOffset(ZoneOffset.UTC), to.atOffset(ZoneOffset.UTC)))
        .map(rows -> {
          JsonArray list = new JsonArray();
          rows.forEach(r -> list.add(new JsonObject().put("date", r.getLocalDate(0).toString())
              .put("region", r.getString(1)).put("channel", r.getString(2)).put("fakes", r.getLong(3))));
          return list;
        });
  }

  private static JsonObject json(Row r) {
    return new JsonObject().put("id", r.getLong(0)).put("kind", r.getString(1)).put("state", r.getString(2))
        .put("createdAt", r.getOffsetDateTime(3).toInstant().toString()).put("details", new JsonObject(r.getString(4)));
  }
}
