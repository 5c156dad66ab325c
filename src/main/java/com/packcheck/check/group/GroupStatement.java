package com.packcheck.check.group;

import io.vertx.core.Future;
import io.vertx.pgclient.PgConnection;
import java.util.List;

/**
 * What a group commit writes: one statement (one implicit transaction) for a whole group, on the
 * group's own connection.
 *
 * @param <R> a request
 * @param <A> its answer
 */
public interface GroupStatement<R, A> {
  /**
   * Writes {@code group}. The future completes once the group is committed, with one answer per request
   * in the group's order; an answer may still be on its way (an idempotent replay reads its stored
   * answer afterwards) and may fail alone. A failed future fails the whole group.
   */
  Future<List<Future<A>>> write(PgConnection connection, List<R> group);
}
