package com.packcheck.sms;

import com.packcheck.check.Action;
import com.packcheck.check.Answer;
import com.packcheck.check.LedgerWriter;
import com.packcheck.check.Verifier;
import com.packcheck.code.Hmac;
import com.packcheck.codecache.HotLane;
import com.packcheck.codecache.HotState;
import com.packcheck.config.Config;
import com.packcheck.postgres.Database;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.concurrent.CompletableFuture;

/**
 * The shoppers' checks on an event loop of their own, with their own ledger writer: SMPP threads hand
 * checks in and wait for the committed answer, the event loop never waits for them.
 */
public final class SmsVerticle extends VerticleBase {
  private static final int MAX_GROUP = 512;

  private final Config config;
  private final Database db;
  private final Hmac hmac;
  private final HotState hot;
  private final MeterRegistry metrics;
  private LedgerWriter ledger;
  private HotLane lane;
  private Verifier verifier;
  private Context loop;

  public SmsVerticle(Config config, Database db, Hmac hmac, HotState hot, MeterRegistry metrics) {
    this.config = config;
    this.db = db;
    this.hmac = hmac;
    this.hot = hot;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    loop = context;
    ledger = new LedgerWriter(vertx, db.ledgerConnectOptions(), config.commitTimeout(), config.clock(), MAX_GROUP,
        config.ledgerConnections(), metrics, "sms");
    return hot.lane(context).onSuccess(hotLane -> {
      lane = hotLane;
      verifier = new Verifier(hmac, ledger, lane);
    });
  }

  @Override
  public Future<?> stop() {
    return ledger.drain().eventually(() -> lane.close());
  }

  /** A shopper's check, from any thread; completes once its interaction is committed. */
  CompletableFuture<Answer> check(String code, byte[] customerId, String idempotencyKey) {
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    loop.runOnContext(v -> verifier.check(code, Action.CHECK, customerId, null, "sms", idempotencyKey)
        .onComplete(ar -> {
          if (ar.succeeded()) {
            answer.complete(ar.result());
          } else {
            answer.completeExceptionally(ar.cause());
          }
        }));
    return answer;
  }
}
