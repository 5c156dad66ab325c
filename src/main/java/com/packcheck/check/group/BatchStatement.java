package com.packcheck.check.group;

import com.packcheck.postgres.SqlStates;
import io.vertx.core.Future;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One statement with a row of parameters per request, the whole group sent as one batch (one implicit
 * transaction, one commit). A group that fails on a bad row is written again row by row, so the row
 * fails alone.
 */
public final class BatchStatement implements GroupStatement<Tuple, Void> {
  private static final Logger LOG = LoggerFactory.getLogger(BatchStatement.class);
  private static final Future<Void> DONE = Future.succeededFuture();
  private final String sql;

  public BatchStatement(String sql) {
    this.sql = sql;
  }

  @Override
  public Future<List<Future<Void>>> write(PgConnection conn, List<Tuple> group) {
    return conn.preparedQuery(sql).executeBatch(group).<List<Future<Void>>>map(rows -> Collections.nCopies(group.size(), DONE))
        .recover(failure -> {
          if (group.size() < 2 || !SqlStates.isRowProblem(failure)) {
            return Future.failedFuture(failure);
          }
          LOG.warn("Batch of {} failed ({}); running its rows one by one", group.size(), failure.getMessage());
          List<Future<Void>> alone = group.stream()
              .map(row -> conn.preparedQuery(sql).execute(row).<Void>mapEmpty())
              .toList();
          return Future.join(alone).transform(ignored -> Future.succeededFuture(alone));
        });
  }
}
