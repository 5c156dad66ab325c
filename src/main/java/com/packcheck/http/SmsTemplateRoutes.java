package com.packcheck.http;

import com.packcheck.account.Role;
import com.packcheck.sms.ManufacturerTemplates;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/** A manufacturer's own wording of the SMS replies about its codes. */
final class SmsTemplateRoutes {
  private static final int MAX_TEMPLATE = 500;
  private final ManufacturerTemplates templates;

  SmsTemplateRoutes(ManufacturerTemplates templates) {
    this.templates = templates;
  }

  void mount(Router router, BodyHandler bodies, Auth auth) {
    var manufacturer = auth.require(Role.MANUFACTURER);
    router.get("/v1/sms/templates").handler(manufacturer).handler(ctx ->
        Replies.respond(ctx, 200, templates.overrides(Auth.principal(ctx).id()).map(SmsTemplateRoutes::json)));
    router.put("/v1/sms/templates").handler(bodies).handler(manufacturer).handler(this::replace);
  }

  private static JsonObject json(Map<String, String> overrides) {
    JsonObject json = new JsonObject();
    overrides.forEach(json::put);
    return json;
  }

  private void replace(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx);
    Map<String, String> overrides = new LinkedHashMap<>();
    for (String key : body.fieldNames()) {
      if (!(body.getValue(key) instanceof String text) || text.isBlank() || text.length() > MAX_TEMPLATE) {
        throw ApiException.badRequest("'" + key + "' must be a text of 1 to " + MAX_TEMPLATE + " characters");
      }
      overrides.put(key, text);
    }
    try {
      Replies.respond(ctx, 200, templates.replace(Auth.principal(ctx).id(), overrides).map(SmsTemplateRoutes::json));
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new ApiException(422, "invalid_template", e.getMessage());
    }
  }
}
