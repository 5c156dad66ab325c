package com.packcheck.check.group;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;

/**
 * One dedicated connection per group in flight, opened when first needed. Not a pool: a connection
 * whose reply is late must be closed for real, or the late reply would be read as the answer to the
 * next statement. Confined to its group commit's event loop.
 */
final class GroupConnections {
  private final Vertx vertx;
  private final PgConnectOptions options;
  private final PgConnection[] connections;

  GroupConnections(Vertx vertx, PgConnectOptions options, int slots) {
    this.vertx = vertx;
    this.options = options;
    this.connections = new PgConnection[slots];
  }

  int slots() {
    return connections.length;
  }

  Future<PgConnection> get(int slot) {
    PgConnection existing = connections[slot];
    if (existing != null) {
      return Future.succeededFuture(existing);
    }
    return PgConnection.connect(vertx, options).onSuccess(conn -> {
      connections[slot] = conn;
      conn.closeHandler(v -> {
        if (connections[slot] == conn) {
          connections[slot] = null;
        }
      });
    });
  }

  /** Closes the slot's connection (its reply is late); the next group on the slot opens a new one. */
  void close(int slot) {
    PgConnection conn = connections[slot];
    connections[slot] = null;
    if (conn != null) {
      conn.close();
    }
  }

  void closeAll() {
    for (int slot = 0; slot < connections.length; slot++) {
      close(slot);
    }
  }
}
