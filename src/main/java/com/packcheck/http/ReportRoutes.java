package com.packcheck.http;

import com.packcheck.account.Role;
import com.packcheck.reports.CustomerReport;
import com.packcheck.reports.MonthlyReport;
import com.packcheck.reports.UsageReport;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;

/** What a manufacturer reads from its ledger: the bill, the month, its customers. */
final class ReportRoutes {
  private static final int MAX_LISTED = 1000;

  private final UsageReport usage;
  private final MonthlyReport monthly;
  private final CustomerReport customers;

  ReportRoutes(UsageReport usage, MonthlyReport monthly, CustomerReport customers) {
    this.usage = usage;
    this.monthly = monthly;
    this.customers = customers;
  }

  void mount(Router router, Auth auth) {
    var manufacturer = auth.require(Role.MANUFACTURER);
    router.get("/v1/usage").handler(manufacturer).handler(ctx -> {
      Period period = Period.of(ctx);
      Replies.respond(ctx, 200, usage.usage(id(ctx), period.from(), period.to()));
    });
    router.get("/v1/reports/monthly").handler(manufacturer).handler(this::monthly);
    router.get("/v1/customers/summary").handler(manufacturer).handler(ctx -> {
      Period period = Period.of(ctx);
      Replies.respond(ctx, 200, customers.summary(id(ctx), period.from(), period.to()));
    });
    router.get("/v1/customers").handler(manufacturer).handler(ctx -> {
      Period period = Period.of(ctx);
      Replies.respond(ctx, 200, customers.list(id(ctx), period.from(), period.to(), limit(ctx)));
    });
    router.get("/v1/customers/:id/interactions").handler(manufacturer).handler(ctx ->
        Replies.respond(ctx, 200, customers.interactions(id(ctx), customerId(ctx))));
  }

  private static long id(RoutingContext ctx) {
    return Auth.principal(ctx).id();
  }

  /** JSON, or CSV for {@code Accept: text/csv} (a spreadsheet's import). */
  private void monthly(RoutingContext ctx) {
    YearMonth month = month(ctx.queryParams().get("month"));
    boolean csv = String.valueOf(ctx.request().getHeader("Accept")).contains("text/csv");
    monthly.month(id(ctx), month).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (csv) {
        ctx.response().putHeader("Content-Type", "text/csv; charset=utf-8")
            .putHeader("Content-Disposition", "attachment; filename=\"packcheck-" + month + ".csv\"")
            .end(ar.result().toCsv());
      } else {
        Replies.json(ctx, 200, ar.result().toJson());
      }
    });
  }

  private static YearMonth month(String value) {
    if (value == null || value.isEmpty()) {
      return YearMonth.now(ZoneOffset.UTC);
    }
    try {
      YearMonth month = YearMonth.parse(value);
      if (month.getYear() < 1 || month.getYear() > 9999) {
        throw ApiException.badRequest("'month' must be between the years 1 and 9999");
      }
      return month;
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest("'month' must be YYYY-MM, such as 2026-11");
    }
  }

  private static int limit(RoutingContext ctx) {
    String value = ctx.queryParams().get("limit");
    if (value == null || value.isEmpty()) {
      return 100;
    }
    try {
      int limit = Integer.parseInt(value);
      if (limit >= 1 && limit <= MAX_LISTED) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw ApiException.badRequest("'limit' must be a whole number from 1 to " + MAX_LISTED);
  }

  private static byte[] customerId(RoutingContext ctx) {
    String hex = ctx.pathParam("id");
    if (hex == null || !hex.matches("[0-9a-fA-F]{64}")) {
      throw ApiException.badRequest("a customer id is 64 hexadecimal characters, as GET /v1/customers lists them");
    }
    return HexFormat.of().parseHex(hex);
  }
}
