package com.packcheck.sms;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * One statement run for many callers at once: rows that arrive while a batch is in PostgreSQL go
 * together in the next one, a single implicit transaction, so hundreds of MOs share one commit (one
 * WAL flush) instead of one each. Each caller's future completes when its batch has committed. Safe
 * from any thread.
 */
final class GroupedStatement {
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
      for (Promise<Void> p : promises) {
        if (ar.succeeded()) {
          p.tryComplete();
        } else {
          p.tryFail(ar.cause());
        }
      }
      flush();
    });
  }
}
