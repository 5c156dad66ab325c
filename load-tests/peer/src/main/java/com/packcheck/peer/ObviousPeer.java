package com.packcheck.peer;

import io.vertx.core.Future;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;

/**
 * The check service a team would ship first, as the reference for PackCheck's benchmark: POST
 * /v1/verifications with a pharmacy's bearer token and {"code", "action": "dispense"}; one autocommitted
 * statement per check marks the code (guarded by its state and its batch) and records the interaction;
 * the answer is {"outcome": genuine | already_used | fake | inactive}. No Redis, no group commit.
 *
 * <p>Settings: PEER_PG_URL, PEER_SCHEMA, PEER_PORT (18090), PEER_POOL (32), PEER_VERTICLES (cores).
 */
public final class ObviousPeer extends VerticleBase {
  /**
   * One statement per check. {@code code} reads the row as it was when the statement began; {@code changed}
   * is the guarded UPDATE (it waits for a concurrent change of the same code and re-checks the guard);
   * the outcome follows from the two (a checkable code this statement did not change was changed by
   * someone else first), and the interaction is inserted in the same statement.
   */
  static final String CHECK = """
      with code as (
        select c.batch_id, c.dispensed_by, b.manufacturer_id, b.price,
               b.state = 'active' and b.expiry >= current_date as checkable
        from codes c join batches b on b.id = c.batch_id where c.hash = $1
      ),
      changed as (
        update codes c set state = 1, dispensed_by = $2, dispensed_at = now()
        from batches b
        where c.hash = $1 and c.state = 0 and b.id = c.batch_id and b.state = 'active' and b.expiry >= current_date
        returning c.hash
      ),
      answer as (
        select case when code.batch_id is null then 'fake'
                    when exists (select 1 from changed) or code.dispensed_by = $2 then 'genuine'
                    when not code.checkable then 'inactive'
                    else 'already_used' end as outcome,
               exists (select 1 from changed) as first_check, code.manufacturer_id, coalesce(code.price, 0) as price
        from (select 1) one left join code on true
      )
      insert into interactions (pharmacy_id, code_hash, manufacturer_id, outcome, first_check, price)
      select $2, $1, manufacturer_id, outcome, first_check, price from answer
      returning outcome
      """;

  private final PgConnectOptions database;
  private final int poolSize;
  private final int port;
  private final Map<String, Integer> pharmacies;
  private Pool pool;

  ObviousPeer(PgConnectOptions database, int poolSize, int port, Map<String, Integer> pharmacies) {
    this.database = database;
    this.poolSize = poolSize;
    this.port = port;
    this.pharmacies = pharmacies;
  }

  public static void main(String[] args) throws Exception {
    PgConnectOptions database = PgConnectOptions.fromUri(env("PEER_PG_URL", "postgresql://postgres@127.0.0.1:5432/test"))
        .setCachePreparedStatements(true)
        .setPipeliningLimit(1)
        .addProperty("search_path", env("PEER_SCHEMA", "public"));
    int verticles = Integer.parseInt(env("PEER_VERTICLES", String.valueOf(Runtime.getRuntime().availableProcessors())));
    int poolSize = Integer.parseInt(env("PEER_POOL", "32"));
    int port = Integer.parseInt(env("PEER_PORT", "18090"));
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    Map<String, Integer> pharmacies = loadPharmacies(vertx, database).toCompletionStage().toCompletableFuture().get();
    vertx.deployVerticle(() -> new ObviousPeer(database, poolSize, port, pharmacies),
            new DeploymentOptions().setInstances(verticles))
        .onSuccess(id -> System.out.println("peer listening on " + port))
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }

  @Override
  public Future<?> start() {
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(poolSize).setShared(true).setName("peer"))
        .connectingTo(database).using(vertx).build();
    return vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true))
        .requestHandler(this::handle).listen(port);
  }

  private void handle(HttpServerRequest request) {
    if (request.method() != HttpMethod.POST || !"/v1/verifications".equals(request.path())) {
      request.response().setStatusCode(404).end();
      return;
    }
    String auth = request.getHeader("Authorization");
    Integer pharmacy = auth != null && auth.startsWith("Bearer ") ? pharmacies.get(hex(sha256(auth.substring(7)))) : null;
    if (pharmacy == null) {
      request.response().setStatusCode(401).end();
      return;
    }
    request.body().onSuccess(body -> check(request, pharmacy, body)).onFailure(e -> request.response().setStatusCode(400).end());
  }

  private void check(HttpServerRequest request, int pharmacy, Buffer body) {
    String code;
    try {
      JsonObject json = body.toJsonObject();
      code = json.getString("code");
      if (code == null || !"dispense".equals(json.getString("action"))) {
        throw new IllegalArgumentException("code and action dispense required");
      }
    } catch (RuntimeException e) {
      request.response().setStatusCode(400).end();
      return;
    }
    byte[] hash = sha256(code.replaceAll("[\\s-]", "").toUpperCase());
    pool.preparedQuery(CHECK).execute(Tuple.of(Buffer.buffer(hash), pharmacy)).onComplete(ar -> {
      if (ar.succeeded()) {
        Row row = ar.result().iterator().next();
        request.response().putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("outcome", row.getString("outcome")).toBuffer());
      } else {
        request.response().setStatusCode(503).end();
      }
    });
  }

  private static Future<Map<String, Integer>> loadPharmacies(Vertx vertx, PgConnectOptions database) {
    Pool once = PgBuilder.pool().connectingTo(database).using(vertx).build();
    return once.query("select id, encode(token_hash, 'hex') as token from pharmacies").execute()
        .map(rows -> {
          Map<String, Integer> byToken = new HashMap<>();
          rows.forEach(row -> byToken.put(row.getString("token"), row.getInteger("id")));
          return byToken;
        })
        .eventually(once::close);
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] bytes) {
    StringBuilder s = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      s.append(Character.forDigit((b >> 4) & 15, 16)).append(Character.forDigit(b & 15, 16));
    }
    return s.toString();
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
