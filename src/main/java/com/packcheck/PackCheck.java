package com.packcheck;

import com.packcheck.alerts.AlertRepository;
import com.packcheck.alerts.AlertScanner;
import com.packcheck.alerts.WebhookSender;
import com.packcheck.cli.UploadCommand;
import com.packcheck.code.Hmac;
import com.packcheck.code.Sealer;
import com.packcheck.codecache.HotCodes;
import com.packcheck.codecache.HotState;
import com.packcheck.config.Config;
import com.packcheck.config.Secrets;
import com.packcheck.embedded.EmbeddedDatabase;
import com.packcheck.embedded.EmbeddedRedis;
import com.packcheck.health.HealthGauges;
import com.packcheck.http.HttpVerticle;
import com.packcheck.postgres.Bootstrap;
import com.packcheck.postgres.Database;
import com.packcheck.postgres.PgUrl;
import com.packcheck.reports.LedgerRollup;
import com.packcheck.sms.ManufacturerTemplates;
import com.packcheck.sms.SmsGateway;
import com.packcheck.sms.simulator.SmscCommand;
import com.packcheck.sms.text.Templates;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running PackCheck: {@code java -jar packcheck.jar} starts one, tests start several. */
public final class PackCheck implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PackCheck.class);

  private final Vertx vertx;
  private final Pool pool;
  private final HotCodes redis;
  private final HotState hot;
  private final SmsGateway sms;
  /** Background work stopped first at shutdown: the alert scanner and the webhook sender. */
  private final List<Runnable> background;
  private final List<AutoCloseable> embedded;
  private final int port;

  private PackCheck(Vertx vertx, Pool pool, HotCodes redis, HotState hot, SmsGateway sms, List<Runnable> background,
      List<AutoCloseable> embedded, int port) {
    this.vertx = vertx;
    this.pool = pool;
    this.redis = redis;
    this.hot = hot;
    this.sms = sms;
    this.background = background;
    this.embedded = embedded;
    this.port = port;
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("upload")) {
      System.exit(UploadCommand.run(Arrays.copyOfRange(args, 1, args.length), System.getenv(), System.in,
          System.out, System.err));
    }
    if (args.length > 0 && args[0].equals("smsc")) {
      System.exit(SmscCommand.run(Arrays.copyOfRange(args, 1, args.length), System.in, System.out, System.err));
    }
    PackCheck app;
    try {
      app = start(Config.fromEnvironment());
    } catch (IllegalStateException | IllegalArgumentException refused) {
      // a setting or the machine rules out starting: say why in one line, without a stack trace
      System.err.println("PackCheck did not start: " + refused.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("Shutting down: finishing in-flight checks");
      app.close();
    }, "packcheck-shutdown"));
  }

  /** Starts PackCheck and returns once it serves HTTP. Blocking; call it from a plain thread. */
  public static PackCheck start(Config config) throws Exception {
    List<AutoCloseable> embedded = new ArrayList<>();
    if (config.pgUrl().isEmpty()) {
      EmbeddedDatabase pg = EmbeddedDatabase.start(config.dataDir());
      embedded.add(pg);
      config = config.withPgUrl(pg.url());
    }
    if (config.redisUrl().isEmpty()) {
      EmbeddedRedis redis = EmbeddedRedis.start(config.dataDir());
      embedded.add(0, redis);
      config = config.withRedisUrl(redis.url());
    }
    PgUrl url = PgUrl.parse(config.pgUrl().orElseThrow());
    Database db = new Database(url, config.pgSchema());
    db.migrate();
    byte[] codeSecret = Secrets.codeSecret(config);
    Hmac hmac = new Hmac(codeSecret);
    Sealer phoneNumbers = Sealer.forPhoneNumbers(codeSecret);
    Sealer webhookSecrets = Sealer.forWebhookSecrets(codeSecret);
    Bootstrap.checkSecret(db, hmac.fingerprint());
    Optional<String> generatedAdmin = config.adminToken().isPresent() ? Optional.empty() : Bootstrap.firstAdminToken(db);

    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(metrics);
    Pool pool = db.pool(vertx, config.pgPoolSize(), config.pgReplyTimeout());
    HotCodes redis = new HotCodes(config.redisUrl().orElseThrow(), config.redisPrefix(), config.redisBucketBits(),
        config.redisTimeout());
    HotState hot = new HotState(vertx, redis, pool, db);
    hot.start(Duration.ofMillis(500));
    HealthGauges health = new HealthGauges(vertx, pool, hot, metrics);
    health.start(Duration.ofSeconds(5));
    AlertScanner scanner = new AlertScanner(vertx, pool, config.cloneCustomers(), config.burstFakes(), config.clock(),
        config.commitTimeout(), metrics);
    scanner.start(config.alertScan());
    int sealed = new AlertRepository(pool, webhookSecrets).sealPlainSecrets()
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    if (sealed > 0) {
      LOG.info("Sealed {} webhook secret(s) stored in plain by an earlier version", sealed);
    }
    WebhookSender webhooks = new WebhookSender(vertx, pool, webhookSecrets, config.webhookBackoff(),
        config.webhookTimeout());
    webhooks.start();
    LedgerRollup rollup = new LedgerRollup(vertx, pool, config.ledgerSettled());
    rollup.start(config.ledgerRollup());
    // one instance: a manufacturer's new wording clears the cache the SMS path reads
    ManufacturerTemplates templates = new ManufacturerTemplates(pool, Templates.load());
    SmsGateway sms = config.sms().enabled()
        ? SmsGateway.start(vertx, config, db, pool, hmac, phoneNumbers, hot, redis, templates, metrics)
            .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS)
        : null;
    Supplier<JsonObject> smsReadiness = sms == null ? JsonObject::new : sms::readiness;
    List<HttpVerticle> verticles = new ArrayList<>();
    Config running = config;
    vertx.deployVerticle(() -> {
      HttpVerticle verticle = new HttpVerticle(running, db, pool, hmac, phoneNumbers, webhookSecrets, metrics, hot, templates,
          smsReadiness);
      synchronized (verticles) {
        verticles.add(verticle);
      }
      return verticle;
    }, new DeploymentOptions().setInstances(config.verticles()))
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    int port = verticles.get(0).actualPort();

    LOG.info("PackCheck listening on http://127.0.0.1:{} ({} transport)", port,
        vertx.isNativeTransportEnabled() ? "native" : "NIO");
    LOG.info("PostgreSQL: {} (schema {}){}", url.display(), config.pgSchema(),
        embedded.stream().anyMatch(e -> e instanceof EmbeddedDatabase)
            ? ", embedded, data in " + config.dataDir().resolve("postgres") : "");
    LOG.info("Redis: {} (key prefix {})", config.redisUrl().orElseThrow(), config.redisPrefix());
    generatedAdmin.ifPresent(token -> LOG.warn("""
        First start. Where to go next:
          admin token  {}  (shown once: store it now, or set PACKCHECK_ADMIN_TOKEN)
          API          http://127.0.0.1:{}/v1/...  contract at http://127.0.0.1:{}/openapi.yaml
          dashboard    http://127.0.0.1:{}/dashboard/  (sign in with a manufacturer's token)
          docs         docs/api.md walks through creating a manufacturer, uploading codes and checking a pack""",
        token, port, port, port));
    return new PackCheck(vertx, pool, redis, hot, sms, List.of(health::stop, scanner::stop, webhooks::stop, rollup::stop), embedded, port);
  }

  public int port() {
    return port;
  }

  /** Graceful stop: no new requests, in-flight checks answered, ledger flushed, stores closed. */
  @Override
  public void close() {
    hot.stop();
    background.forEach(Runnable::run);
    if (sms != null) {
      sms.close();
    }
    try {
      vertx.undeploy(vertx.deploymentIDs().iterator().next())
          .eventually(pool::close)
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Unclean shutdown", e);
    }
    redis.close();
    for (AutoCloseable store : embedded) {
      try {
        store.close();
      } catch (Exception e) {
        LOG.warn("Embedded {} did not stop cleanly", store.getClass().getSimpleName(), e);
      }
    }
  }
}
