package com.packcheck.postgres;

/** The ledger could not confirm a check: it failed, or its outcome is unknown. The caller must retry. */
public final class LedgerUnavailableException extends RuntimeException {
  public LedgerUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
