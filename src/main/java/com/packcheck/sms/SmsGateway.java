package com.packcheck.sms;

import com.packcheck.code.Hmac;
import com.packcheck.code.Sealer;
import com.packcheck.codecache.HotCodes;
import com.packcheck.codecache.HotState;
import com.packcheck.config.Config;
import com.packcheck.config.SmsSettings;
import com.packcheck.postgres.Database;
import com.packcheck.sms.smpp.SmppLink;
import com.packcheck.sms.smpp.SmscConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The SMS channel: binds to each SMSC, the MO handler behind them, and an outbox sender per SMSC. */
public final class SmsGateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SmsGateway.class);

  private final Vertx vertx;
  private final String deployment;
  private final List<SmppLink> links;
  private final List<OutboxSender> senders;
  private final SubmitRates rates;
  private final long backlogTimer;
  private final SmsStore store;

  private SmsGateway(Vertx vertx, String deployment, SmsStore store, List<SmppLink> links,
      List<OutboxSender> senders, SubmitRates rates, long backlogTimer) {
    this.vertx = vertx;
    this.store = store;
    this.deployment = deployment;
    this.links = links;
    this.senders = senders;
    this.rates = rates;
    this.backlogTimer = backlogTimer;
  }

  /**
   * Starts the channel; the binds come up in the background (and come back after any loss). Connects
   * to Redis for the submit rates first: call it where blocking is allowed, not on an event loop.
   */
  public static Future<SmsGateway> start(Vertx vertx, Config config, Database db, Pool pool, Hmac hmac,
      Sealer cipher, HotState hot, HotCodes redis, ManufacturerTemplates templates, MeterRegistry metrics) {
    SmsSettings settings = config.sms();
    SmsVerticle checks = new SmsVerticle(config, db, hmac, hot, metrics);
    SubmitRates rates = new SubmitRates(config.redisUrl().orElseThrow(), config.redisPrefix(), config.redisTimeout());
    return vertx.deployVerticle(checks).onFailure(e -> rates.closeAsync()).map(deployment -> {
      SmsStore store = new SmsStore(vertx, pool, db.ledgerConnectOptions(), config.commitTimeout());
      Map<String, SmscConfig> byName = new LinkedHashMap<>();
      settings.smscs().forEach(s -> byName.put(s.name(), s));
      SmsService service = new SmsService(byName, store, checks, hmac, cipher, redis, templates, settings.budget(),
          settings.maxBadPerHour(), settings.language(), settings.redeliveryWindow(), metrics);
      List<SmppLink> links = new ArrayList<>();
      List<OutboxSender> senders = new ArrayList<>();
      for (SmscConfig smsc : settings.smscs()) {
        List<SmppLink> binds = new ArrayList<>();
        for (int i = 0; i < settings.binds(); i++) {
          SmppLink link = new SmppLink(smsc, service);
          binds.add(link);
          link.start();
        }
        links.addAll(binds);
        Gauge.builder("packcheck.smpp.binds", binds, List::size).tag("smsc", smsc.name())
            .description("binds configured to the SMSC").register(metrics);
        Gauge.builder("packcheck.smpp.binds.up", binds, b -> b.stream().filter(SmppLink::isBound).count())
            .tag("smsc", smsc.name()).description("binds to the SMSC bound now").register(metrics);
        senders.add(new OutboxSender(smsc, binds, store, cipher, rates.forSmsc(smsc.name(), smsc.maxTps()), metrics));
        LOG.info("SMS: {} bind(s) to {}", settings.binds(), smsc);
      }
      AtomicReference<double[]> backlog = new AtomicReference<>(new double[2]);
      Gauge.builder("packcheck.sms.outbox.pending", () -> backlog.get()[0]).register(metrics);
      Gauge.builder("packcheck.sms.outbox.oldest.seconds", () -> backlog.get()[1]).register(metrics);
      long timer = vertx.setPeriodic(1000, id -> store.backlog().onSuccess(backlog::set));
      return new SmsGateway(vertx, deployment, store, links, senders, rates, timer);
    });
  }

  /** Each bind's state, for /ready. */
  public JsonObject readiness() {
    JsonObject binds = new JsonObject();
    Map<String, Integer> seen = new LinkedHashMap<>();
    for (SmppLink link : links) {
      int n = seen.merge(link.name(), 1, Integer::sum);
      binds.put(link.name() + "#" + n, link.state());
    }
    return new JsonObject().put("smpp", binds);
  }

  /** Stops sending, unbinds, then lets in-flight checks finish. Blocking. */
  @Override
  public void close() {
    vertx.cancelTimer(backlogTimer);
    senders.forEach(OutboxSender::close);
    rates.close();
    links.forEach(SmppLink::close);
    try {
      vertx.undeploy(deployment).compose(v -> store.drain())
          .toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("SMS checks did not stop cleanly: {}", e.toString());
    }
  }
}
