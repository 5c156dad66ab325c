package com.packcheck.batch;

/** The request is well-formed but the resource's state refuses it. */
public final class ConflictException extends RuntimeException {
  private final String code;

  public ConflictException(String code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
