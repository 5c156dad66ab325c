package com.packcheck.sms;

import com.packcheck.postgres.SqlStates;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One statement run for many callers at once: rows that arrive while a batch is in PostgreSQL go
 * together in the next one, a single implicit transaction, so hundreds of MOs share one commit (one
 * WAL flush) instead of one each. Each caller's future completes when its batch has committed. A
 * batch that fails on a bad row is run again row by row, so the row fails alone. Safe from any thread.
 */
final class GroupedStatement {
  private static final Logger LOG = LoggerFactory.getLogger(GroupedStatement.class);
  private final Pool pool;
  private final String sql;
  private List<Tuple> rows = new ArrayList<>();
  private List<Promise<Void>> waiting = new ArrayList<>();
  private boolean inFlight;

  GroupedStatement(Pool pool, String sql) {
    this.pool = pool;
    this.sql = sql;
  }

  Future<Void> run(Tuple row) {
    Promise<Void> done = Promise.promise();
    boolean start;
    synchronized (this) {
      rows.add(row);
      waiting.add(done);
      start = !inFlight;
      inFlight = true;
    }
    if (start) {
      flush();
    }
    return done.future();
  }

  private void flush() {
    List<Tuple> batch;
    List<Promise<Void>> promises;
    synchronized (this) {
      if (rows.isEmpty()) {
        inFlight = false;
        return;
      }
      batch = rows;
      promises = waiting;
      rows = new ArrayList<>();
      waiting = new ArrayList<>();
    }
    pool.preparedQuery(sql).executeBatch(batch).onComplete(ar -> {
      if (ar.failed() && batch.size() > 1 && SqlStates.isRowProblem(ar.cause())) {
        LOG.warn("Batch of {} failed ({}); running its rows one by one", batch.size(), ar.cause().getMessage());
        List<Future<?>> alone = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
          Promise<Void> p = promises.get(i);
          alone.add(pool.preparedQuery(sql).execute(batch.get(i)).onComplete(r -> settle(p, r)));
        }
        Future.join(alone).onComplete(v -> flush());
        return;
      }
      promises.forEach(p -> settle(p, ar));
      flush();
    });
  }

  private static void settle(Promise<Void> p, AsyncResult<?> result) {
    if (result.succeeded()) {
      p.tryComplete();
    } else {
      p.tryFail(result.cause());
    }
  }
}
