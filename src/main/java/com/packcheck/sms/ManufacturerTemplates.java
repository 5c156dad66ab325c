package com.packcheck.sms;

import com.packcheck.sms.text.Templates;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Manufacturers' own wording of the replies about their codes: stored per manufacturer, validated
 * like the defaults (one GSM-7 message with the longest values) before they are stored, and cached
 * for a short while on the SMS path.
 */
public final class ManufacturerTemplates {
  private static final String SELECT = "select key, body from sms_templates where manufacturer_id = $1 order by key";
  private static final String DELETE = "delete from sms_templates where manufacturer_id = $1";
  private static final String INSERT = "insert into sms_templates (manufacturer_id, key, body) values ($1, $2, $3)";
  private static final long CACHE_MILLIS = 30_000;

  private final Pool pool;
  private final Templates defaults;
  private final Map<Long, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(Templates templates, long loadedAt) {
  }

  public ManufacturerTemplates(Pool pool, Templates defaults) {
    this.pool = pool;
    this.defaults = defaults;
  }

  public Future<Map<String, String>> overrides(long manufacturerId) {
    return pool.preparedQuery(SELECT).execute(Tuple.of(manufacturerId)).map(rows -> {
      Map<String, String> map = new TreeMap<>();
      for (Row r : rows) {
        map.put(r.getString(0), r.getString(1));
      }
      return map;
    });
  }

  /**
   * Replaces the manufacturer's overrides; fails with {@link IllegalStateException} or
   * {@link IllegalArgumentException} naming the template that does not fit, storing nothing.
   */
  public Future<Map<String, String>> replace(long manufacturerId, Map<String, String> overrides) {
    defaults.withOverrides(overrides);
    List<Tuple> rows = new ArrayList<>();
    overrides.forEach((key, body) -> rows.add(Tuple.of(manufacturerId, key, body.strip())));
    return pool.withTransaction((SqlConnection conn) -> conn.preparedQuery(DELETE).execute(Tuple.of(manufacturerId))
            .compose(v -> rows.isEmpty() ? Future.succeededFuture() : conn.preparedQuery(INSERT).executeBatch(rows)))
        .compose(v -> {
          cache.remove(manufacturerId);
          return overrides(manufacturerId);
        });
  }

  /** The templates for replies about a manufacturer's code (the defaults for unknown codes). Blocking. */
  Templates forManufacturer(Long manufacturerId) {
    if (manufacturerId == null) {
      return defaults;
    }
    Cached cached = cache.get(manufacturerId);
    if (cached == null || System.currentTimeMillis() - cached.loadedAt() > CACHE_MILLIS) {
      Templates loaded;
      try {
        Map<String, String> map = overrides(manufacturerId).toCompletionStage().toCompletableFuture()
            .get(1, TimeUnit.SECONDS);
        loaded = map.isEmpty() ? defaults : defaults.withOverrides(map);
      } catch (Exception e) {
        // the defaults rather than no reply
        loaded = cached == null ? defaults : cached.templates();
      }
      cached = new Cached(loaded, System.currentTimeMillis());
      cache.put(manufacturerId, cached);
    }
    return cached.templates();
  }
}
