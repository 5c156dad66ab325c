package com.packcheck.postgres;

import com.packcheck.postgres.LedgerUnavailableException;
import io.vertx.core.VertxException;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Which failures mean "PostgreSQL is unavailable, retry": a connection refused, lost or timed out, a
 * statement cancelled by a timeout, PostgreSQL shutting down or out of resources, a serialization
 * failure or deadlock that was retried and failed again. Those are 503 with Retry-After. Anything else
 * (a statement PostgreSQL rejects, a constraint, a bug) is not cured by retrying: 500, logged with a
 * reference.
 */
public final class Unavailable {
  /**
   * SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57 operator intervention
   * (admin shutdown, statement_timeout's 57014 query_canceled); and the two retryable 40s.
   */
  private static final Set<String> CLASSES = Set.of("08", "53", "57");
  private static final Set<String> STATES = Set.of("40001", "40P01");
  /**
   * The sql client's pool fails a wait for a connection with a bare VertxException (a query on the pool)
   * or a bare Throwable (a connection asked of it); their messages are all that tells them apart, so
   * UnavailableTest guards both across upgrades.
   */
  static final String POOL_QUERY_WAIT = "Timeout waiting for connection";
  static final String POOL_CONNECTION_WAIT = "Timeout";

  private Unavailable() {
  }

  public static boolean is(Throwable failure) {
    for (Throwable f = failure; f != null; f = f.getCause() == f ? null : f.getCause()) {
      if (f instanceof LedgerUnavailableException || f instanceof ConnectException
          || f instanceof ClosedConnectionException || f instanceof TimeoutException
          || isPoolWait(f)
          || (f instanceof PgException pg && isUnavailable(pg.getSqlState()))
          || (f instanceof SQLException sql && isUnavailable(sql.getSQLState()))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isPoolWait(Throwable f) {
    return (f instanceof VertxException && POOL_QUERY_WAIT.equals(f.getMessage()))
        || (f instanceof NoStackTraceThrowable && POOL_CONNECTION_WAIT.equals(f.getMessage()));
  }

  private static boolean isUnavailable(String state) {
    return state != null && state.length() == 5 && (CLASSES.contains(state.substring(0, 2)) || STATES.contains(state));
  }
}
