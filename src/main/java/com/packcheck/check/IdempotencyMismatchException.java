package com.packcheck.check;

/** An idempotency key reused for a different code or action: replaying the stored answer would mislead. */
public final class IdempotencyMismatchException extends RuntimeException {
  public IdempotencyMismatchException() {
    super("this Idempotency-Key was already used for a different code or action");
  }
}
