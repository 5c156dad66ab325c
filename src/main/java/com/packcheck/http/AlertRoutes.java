package com.packcheck.http;

import com.packcheck.account.Role;
import com.packcheck.alerts.AlertRepository;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.util.Set;

/** Alerts as cases for manufacturers (and the operator's: fake bursts, fakes by region and day). */
final class AlertRoutes {
  private static final Set<String> STATES = Set.of("open", "acknowledged", "closed");
  private final AlertRepository alerts;

  AlertRoutes(AlertRepository alerts) {
    this.alerts = alerts;
  }

  void mount(Router router, BodyHandler bodies, Auth auth) {
    var manufacturer = auth.require(Role.MANUFACTURER);
    var admin = auth.require(Role.ADMIN);
    router.get("/v1/alerts").handler(manufacturer).handler(ctx ->
        Replies.respond(ctx, 200, alerts.list(Auth.principal(ctx).id(), state(ctx))));
    router.post("/v1/alerts/:id/acknowledge").handler(bodies).handler(manufacturer).handler(ctx ->
        Replies.respond(ctx, 200, alerts.transition(Auth.principal(ctx).id(), Bodies.pathId(ctx), "acknowledged")));
    router.post("/v1/alerts/:id/close").handler(bodies).handler(manufacturer).handler(ctx ->
        Replies.respond(ctx, 200, alerts.transition(Auth.principal(ctx).id(), Bodies.pathId(ctx), "closed")));
    router.put("/v1/webhook").handler(bodies).handler(manufacturer).handler(this::setWebhook);
    router.get("/v1/admin/alerts").handler(admin).handler(ctx -> Replies.respond(ctx, 200, alerts.list(null, state(ctx))));
    router.post("/v1/admin/alerts/:id/acknowledge").handler(bodies).handler(admin).handler(ctx ->
        Replies.respond(ctx, 200, alerts.transition(null, Bodies.pathId(ctx), "acknowledged")));
    router.post("/v1/admin/alerts/:id/close").handler(bodies).handler(admin).handler(ctx ->
        Replies.respond(ctx, 200, alerts.transition(null, Bodies.pathId(ctx), "closed")));
    router.get("/v1/admin/reports/fakes").handler(admin).handler(ctx -> {
      Period period = Period.of(ctx);
      Replies.respond(ctx, 200, alerts.fakes(period.from(), period.to()));
    });
  }

  private static String state(RoutingContext ctx) {
    String state = ctx.queryParams().get("state");
    if (state == null || state.isEmpty()) {
      return null;
    }
    if (!STATES.contains(state)) {
      throw ApiException.badRequest("'state' must be open, acknowledged or closed");
    }
    return state;
  }

  private void setWebhook(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx);
    String url = Bodies.string(body, "url", 2000);
    String secret = Bodies.string(body, "secret", 200);
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("'url' is not a URL");
    }
    if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
      throw ApiException.badRequest("'url' must be an absolute http(s) URL");
    }
    if (secret.length() < 16) {
      throw ApiException.badRequest("'secret' must be at least 16 characters: it signs every delivery");
    }
    Replies.respond(ctx, 200, alerts.setWebhook(Auth.principal(ctx).id(), url, secret)
        .map(v -> new JsonObject().put("url", url)));
  }
}
