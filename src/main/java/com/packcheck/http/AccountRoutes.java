package com.packcheck.http;

import com.packcheck.account.AccountRepository;
import com.packcheck.account.Role;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.regex.Pattern;

/** The admin's endpoints: manufacturers and pharmacies, each with the token it will call with. */
final class AccountRoutes {
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
  private final AccountRepository accounts;

  AccountRoutes(AccountRepository accounts) {
    this.accounts = accounts;
  }

  void mount(Router router, BodyHandler bodies, Auth auth) {
    router.post("/v1/manufacturers").handler(bodies).handler(auth.require(Role.ADMIN)).handler(this::createManufacturer);
    router.post("/v1/pharmacies").handler(bodies).handler(auth.require(Role.ADMIN)).handler(this::createPharmacy);
  }

  private void createManufacturer(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx);
    String name = Bodies.string(body, "name", 200);
    long price = Bodies.wholeNumber(body, "pricePerCheck", 0, 1_000_000_000L);
    String currency = Bodies.string(body, "currency", 3);
    if (!CURRENCY.matcher(currency).matches()) {
      throw ApiException.badRequest("'currency' must be an ISO 4217 code such as EUR or GHS");
    }
    Replies.respond(ctx, 201, accounts.createManufacturer(name, price, currency)
        .map(c -> new JsonObject().put("id", c.id()).put("token", c.token())));
  }

  private void createPharmacy(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx);
    String name = Bodies.string(body, "name", 200);
    String region = Bodies.optionalString(body, "region", 100);
    Replies.respond(ctx, 201, accounts.createPharmacy(name, region)
        .map(c -> new JsonObject().put("id", c.id()).put("token", c.token())));
  }
}
