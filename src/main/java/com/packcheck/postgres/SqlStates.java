package com.packcheck.postgres;

import io.vertx.pgclient.PgException;

/** What a PostgreSQL error says about where its cause lies. */
public final class SqlStates {
  private SqlStates() {
  }

  /** A deadlock or serialization failure: the same statement may succeed if run again. */
  public static boolean isRetryable(Throwable failure) {
    return failure instanceof PgException pg && ("40P01".equals(pg.getSqlState()) || "40001".equals(pg.getSqlState()));
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
