package com.packcheck.http;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/** The manufacturer's dashboard: static files from the classpath that call the API with the token. */
final class DashboardRoutes {
  /** The page loads only its own files and talks only to this origin; no one may frame it. */
  private static final String POLICY =
      "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  void mount(Router router) {
    // Relative URLs in the page (app.js, app.css) resolve only under the trailing slash.
    router.get("/dashboard").handler(ctx -> {
      if (ctx.request().path().equals("/dashboard")) {
        ctx.response().setStatusCode(301).putHeader("Location", "/dashboard/").end();
      } else {
        ctx.next();
      }
    });
    router.get("/dashboard/*").handler(DashboardRoutes::headers)
        .handler(StaticHandler.create("dashboard").setCachingEnabled(false).setDirectoryListing(false));
  }

  /** A new release's files are picked up at once; the page shows figures, so it is never cached stale. */
  private static void headers(RoutingContext ctx) {
    ctx.response().putHeader("Cache-Control", "no-cache")
        .putHeader("Content-Security-Policy", POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer");
    ctx.next();
  }
}
