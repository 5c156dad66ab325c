package com.packcheck.http;

import com.packcheck.account.Principal;
import com.packcheck.account.Role;
import com.packcheck.check.Action;
import com.packcheck.check.Answer;
import com.packcheck.check.Messages;
import com.packcheck.check.Outcome;
import com.packcheck.check.Verifier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code POST /v1/verifications}: a pharmacy verifies or dispenses a pack. */
final class VerificationRoutes {
  private static final int MAX_KEY_LENGTH = 200;
  private final Verifier verifier;
  /** Looked up once, not in the registry at every check. */
  private final Map<Outcome, Counter> checks = new EnumMap<>(Outcome.class);
  /** The server's share of a check's latency, to set beside what a client measures. */
  private final Timer answered;

  VerificationRoutes(Verifier verifier, MeterRegistry metrics) {
    this.verifier = verifier;
    this.answered = Timer.builder("packcheck.check").tag("channel", "http")
        .description("an answered check: request read and authenticated to answer written")
        .publishPercentiles(0.5, 0.99, 0.999).register(metrics);
    for (Outcome o : Outcome.values()) {
      checks.put(o, metrics.counter("packcheck.checks", "channel", "http", "outcome", o.wire()));
    }
  }

  void mount(Router router, BodyHandler bodies, Auth auth) {
    router.post("/v1/verifications").handler(bodies).handler(auth.require(Role.PHARMACY)).handler(this::verify);
  }

  private void verify(RoutingContext ctx) {
    long started = System.nanoTime();
    JsonObject body = Bodies.object(ctx);
    // An empty or blank code was typed wrong like any other unreadable one: 422, "please re-check".
    String code = Bodies.presentString(body, "code", 400);
    String actionName = Bodies.optionalString(body, "action", 20);
    Action action = actionName == null ? Action.VERIFY : switch (actionName) {
      case "verify" -> Action.VERIFY;
      case "dispense" -> Action.DISPENSE;
      default -> throw ApiException.badRequest("'action' must be \"verify\" or \"dispense\"");
    };
    String key = ctx.request().getHeader("Idempotency-Key");
    if (key != null && (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(c -> c > 32 && c < 127))) {
      throw ApiException.badRequest("Idempotency-Key must be 1 to " + MAX_KEY_LENGTH + " visible ASCII characters");
    }
    Principal pharmacy = Auth.principal(ctx);
    verifier.check(code, action, pharmacy.customerId(), pharmacy.id(), "http", key).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      Answer a = ar.result();
      checks.get(a.outcome()).increment();
      Replies.json(ctx, 200, toJson(a, action));
      answered.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    });
  }

  static JsonObject toJson(Answer a, Action action) {
    JsonObject product = null;
    JsonObject batch = null;
    if (a.lot() != null) {
      product = new JsonObject().put("name", a.productName()).put("gtin", a.gtin());
      batch = new JsonObject().put("lot", a.lot()).put("expiry", a.expiry().toString());
    }
    return new JsonObject()
        .put("outcome", a.outcome().wire())
        .put("firstCheck", a.firstCheck())
        .put("firstVerifiedAt", a.firstVerifiedAt() == null ? null : a.firstVerifiedAt().toInstant().toString())
        .put("dispensedAt", a.dispensedAt() == null ? null : a.dispensedAt().toInstant().toString())
        .put("product", product)
        .put("batch", batch)
        .put("reference", a.reference())
        .put("message", Messages.forPharmacy(a, action));
  }
}
