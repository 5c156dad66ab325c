package com.packcheck.http;

import com.packcheck.codecache.HotState;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Liveness, readiness, metrics and the contract itself. */
final class OpsRoutes {
  private static final Buffer OPENAPI = resource("/openapi.yaml");
  private final Pool pool;
  private final PrometheusMeterRegistry metrics;
  private final HotState hot;
  private final Supplier<JsonObject> sms;

  OpsRoutes(Pool pool, PrometheusMeterRegistry metrics, HotState hot, Supplier<JsonObject> sms) {
    this.pool = pool;
    this.metrics = metrics;
    this.hot = hot;
    this.sms = sms;
  }

  void mount(Router router) {
    router.get("/health").handler(ctx -> Replies.json(ctx, 200, new JsonObject().put("status", "up")));
    // Ready while PostgreSQL answers: without Redis checks are slower, never wrong; without an SMSC
    // the HTTP service still answers, and the binds' states say why shoppers get no replies.
    router.get("/ready").handler(ctx -> postgres().onComplete(pg -> {
      boolean up = pg.succeeded();
      Replies.json(ctx, up ? 200 : 503, new JsonObject().put("status", up ? "ready" : "not_ready")
          .put("postgres", up ? "up" : "down: " + pg.cause().getMessage())
          .mergeIn(hot.readiness()).mergeIn(sms.get()));
    }));
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape()));
    router.get("/openapi.yaml").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/yaml").end(OPENAPI));
  }

  private Future<Void> postgres() {
    return pool.query("select 1").execute().<Void>mapEmpty().timeout(2, TimeUnit.SECONDS);
  }

  private static Buffer resource(String name) {
    try (InputStream in = OpsRoutes.class.getResourceAsStream(name)) {
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
