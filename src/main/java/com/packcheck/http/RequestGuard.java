package com.packcheck.http;

import io.vertx.ext.web.RoutingContext;

/**
 * Refuses, before any route decodes them, the requests Vert.x cannot decode: a path or query with a
 * malformed percent-escape (Vert.x throws while matching routes or reading parameters) and form bodies
 * (the server decodes those itself and throws on a bad escape). PackCheck reads JSON and text/plain only.
 */
final class RequestGuard {
  private RequestGuard() {
  }

  static void check(RoutingContext ctx) {
    String uri = ctx.request().uri();
    int bad = malformedEscape(uri);
    if (bad >= 0) {
      throw ApiException.badRequest("the request's path or query has a malformed percent-escape at character "
          + (bad + 1) + ": '%' must be followed by two hexadecimal digits (send '%' itself as %25)");
    }
    String type = ctx.request().getHeader("Content-Type");
    if (type != null && isForm(type.trim().toLowerCase())) {
      throw new ApiException(415, "unsupported_media_type",
          "form bodies are not accepted: send JSON as Content-Type: application/json (codes uploads: text/plain)");
    }
    ctx.next();
  }

  /** The index of the first '%' not followed by two hexadecimal digits, or -1. */
  private static int malformedEscape(String uri) {
    for (int i = uri.indexOf('%'); i >= 0; i = uri.indexOf('%', i + 1)) {
      if (i + 2 >= uri.length() || !isHex(uri.charAt(i + 1)) || !isHex(uri.charAt(i + 2))) {
        return i;
      }
    }
    return -1;
  }

  /** ASCII only: Vert.x decodes no other digits. */
  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static boolean isForm(String type) {
    return type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/");
  }
}
