package com.packcheck.http;

/** A request PackCheck refuses, with the HTTP status and the JSON error code to answer it with. */
final class ApiException extends RuntimeException {
  final int status;
  final String code;

  ApiException(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  static ApiException badRequest(String message) {
    return new ApiException(400, "bad_request", message);
  }
}
