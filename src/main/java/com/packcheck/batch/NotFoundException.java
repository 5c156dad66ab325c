package com.packcheck.batch;

/** The resource does not exist, or belongs to another manufacturer (who must not learn it exists). */
public final class NotFoundException extends RuntimeException {
  public NotFoundException(String message) {
    super(message, null, false, false);
  }
}
