package com.packcheck.vertxinternals;

import io.vertx.core.VertxException;
import io.vertx.core.impl.NoStackTraceThrowable;

/**
 * The sql client's pool fails a wait for a connection with a bare VertxException (a query on the pool)
 * or a bare Throwable (a connection asked of it); their messages are all that tells them apart.
 * UnavailableTest guards both across upgrades.
 */
public final class PoolFailures {
  public static final String QUERY_WAIT = "Timeout waiting for connection";
  public static final String CONNECTION_WAIT = "Timeout";

  private PoolFailures() {
  }

  /** Whether {@code f} is the pool giving up waiting for a free connection. */
  public static boolean isWaitTimeout(Throwable f) {
    return (f instanceof VertxException && QUERY_WAIT.equals(f.getMessage()))
        || (f instanceof NoStackTraceThrowable && CONNECTION_WAIT.equals(f.getMessage()));
  }
}
