package com.packcheck.support;

import com.packcheck.PackCheck;
import com.packcheck.config.Config;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * PackCheck instances on a schema of their own in the test PostgreSQL, sharing one code secret and
 * admin token like a real deployment, plus helpers to set up accounts, products and batches.
 */
public final class Stack implements AutoCloseable {
  public static final String SECRET = "test-secret-" + UUID.randomUUID();
  /** Lots are unique per product: numbered, not drawn, so two batches of a product never clash. */
  private static final AtomicLong LOTS = new AtomicLong();
  public final String schema = TestPostgres.freshSchema();
  public final String adminToken = "admin-" + UUID.randomUUID();
  public final String redisPrefix = "t" + UUID.randomUUID().toString().substring(0, 8);
  private final Map<Client, PackCheck> instances = new java.util.LinkedHashMap<>();
  private final Path dataDir;

  public Stack() {
    try {
      dataDir = Files.createTempDirectory("packcheck-test");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Starts an instance talking to the test PostgreSQL and Redis directly. */
  public Client start() {
    return start(Map.of());
  }

  /**
   * Starts an instance; {@code overrides} may name other stores ({@code PACKCHECK_PG_URL},
   * {@code PACKCHECK_REDIS_URL}: a proxy, say) or settings.
   */
  public Client start(Map<String, String> overrides) {
    return start(overrides, Clock.systemUTC());
  }

  /** Starts an instance whose ledger times its checks by {@code clock} (a month boundary of the test's choosing). */
  public Client start(Map<String, String> overrides, Clock clock) {
    Map<String, String> env = environment();
    env.putAll(overrides);
    try {
      PackCheck app = PackCheck.start(Config.from(env).withClock(clock));
      Client client = new Client(app.port());
      instances.put(client, app);
      return client;
    } catch (Exception e) {
      throw new IllegalStateException("PackCheck did not start", e);
    }
  }

  /** The environment of this stack's instances. */
  public Map<String, String> environment() {
    Map<String, String> env = new HashMap<>();
    env.put("PACKCHECK_HTTP_PORT", "0");
    env.put("PACKCHECK_PG_URL", TestPostgres.url());
    env.put("PACKCHECK_REDIS_URL", TestRedis.url());
    env.put("PACKCHECK_REDIS_PREFIX", redisPrefix);
    env.put("PACKCHECK_PG_SCHEMA", schema);
    env.put("PACKCHECK_DATA_DIR", dataDir.toString());
    env.put("PACKCHECK_ADMIN_TOKEN", adminToken);
    env.put("PACKCHECK_CODE_SECRET", SECRET);
    env.put("PACKCHECK_VERTICLES", "2");
    return env;
  }

  /** Stops one instance gracefully, as SIGTERM would. */
  public void stop(Client instance) {
    instances.remove(instance).close();
  }

  public record Account(long id, String token) {
  }

  public Account manufacturer(Client c, long pricePerCheck) {
    JsonObject r = c.post("/v1/manufacturers", adminToken,
        new JsonObject().put("name", "Maker " + UUID.randomUUID()).put("pricePerCheck", pricePerCheck)
            .put("currency", "GHS")).json();
    return new Account(r.getLong("id"), r.getString("token"));
  }

  public Account pharmacy(Client c) {
    return pharmacy(c, "Accra");
  }

  public Account pharmacy(Client c, String region) {
    JsonObject r = c.post("/v1/pharmacies", adminToken,
        new JsonObject().put("name", "Pharmacy " + UUID.randomUUID()).put("region", region)).json();
    return new Account(r.getLong("id"), r.getString("token"));
  }

  public long product(Client c, Account maker, String name) {
    return c.post("/v1/products", maker.token(), new JsonObject().put("name", name).put("gtin", "05012345678900"))
        .json().getLong("id");
  }

  /** A draft batch holding {@code codes}. */
  public long draftBatch(Client c, Account maker, long productId, String expiry, List<String> codes) {
    long batch = c.post("/v1/batches", maker.token(), new JsonObject().put("productId", productId)
        .put("lot", "LOT-" + LOTS.incrementAndGet()).put("expiry", expiry)).json().getLong("id");
    Client.Response up = c.postRaw("/v1/batches/" + batch + "/codes", maker.token(), "text/plain",
        String.join("\n", codes).getBytes());
    if (up.status() != 200) {
      throw new IllegalStateException("upload failed: " + up);
    }
    return batch;
  }

  public long activeBatch(Client c, Account maker, long productId, List<String> codes) {
    long batch = draftBatch(c, maker, productId, "2099-12-31", codes);
    Client.Response r = c.post("/v1/batches/" + batch + "/activate", maker.token(), null);
    if (r.status() != 200) {
      throw new IllegalStateException("activation failed: " + r);
    }
    return batch;
  }

  /** Random 16-digit codes, unique with overwhelming probability. */
  public static List<String> codes(int n) {
    List<String> codes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      codes.add(String.format("%016d", ThreadLocalRandom.current().nextLong(1_000_000_000_000_000L,
          10_000_000_000_000_000L)));
    }
    return codes;
  }

  @Override
  public void close() {
    instances.values().forEach(PackCheck::close);
    TestPostgres.dropSchema(schema);
    TestRedis.deleteKeys(TestRedis.url(), redisPrefix);
    dataDir.toFile().delete();
  }
}
