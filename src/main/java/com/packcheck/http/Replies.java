package com.packcheck.http;

import com.packcheck.batch.ConflictException;
import com.packcheck.batch.NotFoundException;
import com.packcheck.check.IdempotencyMismatchException;
import com.packcheck.check.MalformedCodeException;
import com.packcheck.postgres.Unavailable;
import io.vertx.core.Future;
import io.vertx.core.VertxException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writing answers, and mapping every failure to a status and a JSON error. */
final class Replies {
  private static final Logger LOG = LoggerFactory.getLogger(Replies.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private Replies() {
  }

  static void json(RoutingContext ctx, int status, Object body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(body instanceof JsonObject o ? o.toBuffer() : io.vertx.core.json.Json.encodeToBuffer(body));
  }

  /** Completes the request with the future's value, or routes its failure to {@link #failure}. */
  static <T> void respond(RoutingContext ctx, int status, Future<T> result) {
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        json(ctx, status, ar.result());
      } else {
        ctx.fail(ar.cause());
      }
    });
  }

  static void error(RoutingContext ctx, int status, String code, String message) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    json(ctx, status, new JsonObject().put("error", code).put("message", message));
  }

  /** The router's failure handler. */
  static void failure(RoutingContext ctx) {
    Throwable f = ctx.failure();
    if (f == null) {
      int status = ctx.statusCode() < 400 ? 500 : ctx.statusCode();
      error(ctx, status, statusCode(status), statusMessage(status));
    } else if (f instanceof ApiException api) {
      error(ctx, api.status, api.code, api.getMessage());
    } else if (f instanceof MalformedCodeException) {
      if (!ctx.response().headWritten()) {
        json(ctx, 422, new JsonObject().put("error", "invalid_code").put("outcome", "invalid")
            .put("message", f.getMessage()));
      }
    } else if (f instanceof NotFoundException) {
      error(ctx, 404, "not_found", f.getMessage());
    } else if (f instanceof ConflictException c) {
      error(ctx, 409, c.code(), c.getMessage());
    } else if (f instanceof IdempotencyMismatchException) {
      error(ctx, 422, "idempotency_key_reused", f.getMessage());
    } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      // Vert.x refusing the client's request (no Host header, say): a VertxException, never an outage
      int status = ctx.statusCode();
      error(ctx, status, statusCode(status), f instanceof VertxException ? f.getMessage() : statusMessage(status));
    } else if (Unavailable.is(f)) {
      LOG.atWarn().addKeyValue("channel", "http").addKeyValue("path", ctx.request().path())
          .log("PostgreSQL unavailable: {}", f.toString());
      ctx.response().putHeader("Retry-After", "1");
      error(ctx, 503, "unavailable", "PackCheck could not reach its database; nothing was recorded "
          + "that a retry would not see. Please retry in a moment.");
    } else {
      // not cured by a retry: say so, with a reference that finds the log line
      String reference = Long.toHexString(RANDOM.nextLong() | Long.MIN_VALUE);
      LOG.atError().addKeyValue("channel", "http").addKeyValue("path", ctx.request().path())
          .addKeyValue("reference", reference).setCause(f)
          .log("Unexpected failure on {} {} (reference {})", ctx.request().method(), ctx.request().path(), reference);
      if (!ctx.response().headWritten()) {
        json(ctx, 500, new JsonObject().put("error", "internal").put("reference", reference)
            .put("message", "PackCheck failed unexpectedly; this is a fault on our side, not in the request. "
                + "Quote reference " + reference + " when you report it."));
      } else {
        ctx.response().reset();
      }
    }
  }

  private static String statusCode(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 413 -> "body_too_large";
      case 415 -> "unsupported_media_type";
      default -> status >= 500 ? "internal" : "error";
    };
  }

  private static String statusMessage(int status) {
    return switch (status) {
      case 404 -> "no such endpoint; see /openapi.yaml";
      case 405 -> "method not allowed on this endpoint";
      case 413 -> "the request body is too large";
      default -> "the request could not be processed";
    };
  }
}
