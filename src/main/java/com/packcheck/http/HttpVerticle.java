package com.packcheck.http;

import com.packcheck.account.AccountRepository;
import com.packcheck.alerts.AlertRepository;
import com.packcheck.batch.BatchActivation;
import com.packcheck.batch.BatchRepository;
import com.packcheck.batch.CodeGeneration;
import com.packcheck.batch.CodeUpload;
import com.packcheck.check.LedgerWriter;
import com.packcheck.check.Verifier;
import com.packcheck.code.Hmac;
import com.packcheck.code.Sealer;
import com.packcheck.codecache.HotLane;
import com.packcheck.codecache.HotState;
import com.packcheck.config.Config;
import com.packcheck.postgres.Database;
import com.packcheck.reports.CustomerReport;
import com.packcheck.reports.MonthlyReport;
import com.packcheck.reports.UsageReport;
import com.packcheck.sms.ManufacturerTemplates;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** One event loop's HTTP server, with its own ledger writer. Several share the port. */
public final class HttpVerticle extends VerticleBase {
  /** JSON bodies are small; anything larger is refused with 413 before it is buffered. */
  private static final long MAX_JSON_BODY = 64 * 1024;
  private static final int MAX_GROUP = 512;

  private final Config config;
  private final Database db;
  private final Pool pool;
  private final Hmac hmac;
  private final Sealer phoneNumbers;
  private final Sealer webhookSecrets;
  private final PrometheusMeterRegistry metrics;
  private final HotState hot;
  private final Supplier<JsonObject> smsReadiness;
  private final ManufacturerTemplates templates;
  private LedgerWriter ledger;
  private HotLane lane;
  private HttpServer server;

  public HttpVerticle(Config config, Database db, Pool pool, Hmac hmac, Sealer phoneNumbers, Sealer webhookSecrets,
      PrometheusMeterRegistry metrics, HotState hot, ManufacturerTemplates templates,
      Supplier<JsonObject> smsReadiness) {
    this.config = config;
    this.db = db;
    this.pool = pool;
    this.hmac = hmac;
    this.phoneNumbers = phoneNumbers;
    this.webhookSecrets = webhookSecrets;
    this.metrics = metrics;
    this.hot = hot;
    this.smsReadiness = smsReadiness;
    this.templates = templates;
  }

  @Override
  public Future<?> start() {
    return hot.lane(context).compose(this::serve);
  }

  private Future<HttpServer> serve(HotLane hotLane) {
    lane = hotLane;
    ledger = new LedgerWriter(vertx, db.ledgerConnectOptions(), config.commitTimeout(), config.clock(), MAX_GROUP,
        config.ledgerConnections(), metrics, "http");
    AccountRepository accounts = new AccountRepository(pool, hmac);
    Auth auth = new Auth(accounts, config.adminToken());
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(MAX_JSON_BODY);

    Router router = Router.router(vertx);
    router.route().handler(new ResponseCounts(metrics)::count);
    router.route().handler(RequestGuard::check);
    // the check path first: the router tries routes in order, and each one before it costs a check a match
    new VerificationRoutes(new Verifier(hmac, ledger, lane), metrics).mount(router, bodies, auth);
    new AccountRoutes(accounts).mount(router, bodies, auth);
    new CatalogRoutes(vertx, new BatchRepository(pool), new CodeUpload(db, hmac), new CodeGeneration(db, hmac),
        new BatchActivation(db, hot), config.uploadMaxBytes()).mount(router, bodies, auth);
    new ReportRoutes(new UsageReport(pool), new MonthlyReport(pool), new CustomerReport(vertx, pool, phoneNumbers))
        .mount(router, auth);
    new AlertRoutes(new AlertRepository(pool, webhookSecrets)).mount(router, bodies, auth);
    new SmsTemplateRoutes(templates).mount(router, bodies, auth);
    new OpsRoutes(pool, metrics, hot, smsReadiness).mount(router);
    new DashboardRoutes().mount(router);
    router.route().failureHandler(Replies::failure);
    router.route().last().handler(ctx -> Replies.error(ctx, 404, "not_found", "no such endpoint; see /openapi.yaml"));
    for (int status : new int[] {400, 404, 405, 413, 415, 500}) {
      router.errorHandler(status, Replies::failure);
    }

    server = vertx.createHttpServer(new HttpServerOptions()
        .setPort(config.httpPort())
        .setIdleTimeout(120)
        .setIdleTimeoutUnit(TimeUnit.SECONDS));
    return server.requestHandler(router).listen();
  }

  /** Graceful: stop accepting, let in-flight requests finish, then flush the ledger. */
  @Override
  public Future<?> stop() {
    return server.shutdown(10, TimeUnit.SECONDS).eventually(() -> ledger.drain()).eventually(() -> lane.close());
  }

  public int actualPort() {
    return server.actualPort();
  }
}
