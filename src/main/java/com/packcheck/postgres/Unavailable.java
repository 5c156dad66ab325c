package com.packcheck.postgres;

import com.packcheck.vertxinternals.PoolFailures;
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
   * (admin shutdown, statement_timeout's 57014 query_canceled); and the retryable 40s, which reach a
   * caller only once the retry failed too.
   */
  private static final Set<String> CLASSES = Set.of("08", "53", "57");
  private Unavailable() {
  }

  public static boolean is(Throwable failure) {
    for (Throwable f = failure; f != null; f = f.getCause() == f ? null : f.getCause()) {
      if (f instanceof LedgerUnavailableException || f instanceof ConnectException
          || f instanceof ClosedConnectionException || f instanceof TimeoutException
          || PoolFailures.isWaitTimeout(f)
          || (f instanceof PgException pg && isUnavailable(pg.getSqlState()))
          || (f instanceof SQLException sql && isUnavailable(sql.getSQLState()))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isUnavailable(String state) {
    return state != null && state.length() == 5 && (CLASSES.contains(state.substring(0, 2)) || SqlStates.isRetryable(state));
  }
}
