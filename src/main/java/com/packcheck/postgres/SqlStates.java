package com.packcheck.postgres;

import io.vertx.pgclient.PgException;

/** What a PostgreSQL error says about where its cause lies. */
public final class SqlStates {
  private SqlStates() {
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
