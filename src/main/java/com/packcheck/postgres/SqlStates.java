package com.packcheck.postgres;

import io.vertx.pgclient.PgException;

/** What a PostgreSQL error says about where its cause lies. */
public final class SqlStates {
  private SqlStates() {
  }

  /** A deadlock or serialization failure: the same statement may succeed if run again. */
  public static boolean isRetryable(Throwable failure) {
    return failure instanceof PgException pg && isRetryable(pg.getSqlState());
  }

  /** The SQLSTATEs of a deadlock (40P01) and a serialization failure (40001). */
  public static boolean isRetryable(String state) {
    return "40P01".equals(state) || "40001".equals(state);
  }

  /** Data and constraint errors (classes 22 and 23) belong to a row, not to PostgreSQL's health. */
  public static boolean isRowProblem(Throwable failure) {
    if (!(failure instanceof PgException pg) || pg.getSqlState() == null) {
      return false;
    }
    String state = pg.getSqlState();
    return state.startsWith("22") || state.startsWith("23");
  }
}
