package com.packcheck.http;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/** Reading JSON request bodies strictly: every mistake becomes a 4xx that says what to fix. */
final class Bodies {
  private Bodies() {
  }

  static JsonObject object(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.toLowerCase().startsWith("application/json")) {
      throw new ApiException(415, "unsupported_media_type", "send the body as Content-Type: application/json");
    }
    Object parsed;
    try {
      parsed = ctx.body().buffer() == null ? null : ctx.body().buffer().toJsonValue();
    } catch (DecodeException e) {
      throw ApiException.badRequest("the body is not valid JSON");
    }
    if (!(parsed instanceof JsonObject object)) {
      throw ApiException.badRequest("the body must be a JSON object");
    }
    return object;
  }

  static String string(JsonObject body, String field, int maxLength) {
    String value = presentString(body, field, maxLength);
    if (value.isBlank()) {
      throw ApiException.badRequest("'" + field + "' is required");
    }
    return value;
  }

  /** A string that must be sent but may be empty or blank, for a field whose caller judges its content. */
  static String presentString(JsonObject body, String field, int maxLength) {
    String value = optionalString(body, field, maxLength);
    if (value == null) {
      throw ApiException.badRequest("'" + field + "' is required");
    }
    return value;
  }

  static String optionalString(JsonObject body, String field, int maxLength) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s)) {
      throw ApiException.badRequest("'" + field + "' must be a string");
    }
    if (s.length() > maxLength) {
      throw ApiException.badRequest("'" + field + "' is longer than " + maxLength + " characters");
    }
    return s;
  }

  static long wholeNumber(JsonObject body, String field, long min, long max) {
    Object value = body.getValue(field);
    if (!(value instanceof Number n) || value instanceof Double || value instanceof Float
        || n.longValue() < min || n.longValue() > max) {
      throw ApiException.badRequest("'" + field + "' must be a whole number from " + min + " to " + max);
    }
    return n.longValue();
  }

  static LocalDate date(JsonObject body, String field) {
    String value = string(body, field, 10);
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest("'" + field + "' must be a date as YYYY-MM-DD");
    }
  }

  static long pathId(RoutingContext ctx) {
    try {
      return Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      throw new ApiException(404, "not_found", "no such resource");
    }
  }
}
