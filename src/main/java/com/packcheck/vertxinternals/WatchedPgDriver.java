package com.packcheck.vertxinternals;

import io.vertx.core.Completable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.spi.PgDriver;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.spi.ConnectionFactory;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * PostgreSQL's driver for the pool, with no wait for a reply left unbounded: a connection whose start-up
 * has not finished within the reply timeout counts as failed (the pool's slot is freed; should it finish
 * later, it is closed), and every connection it opens is watched by {@link ReplyWatch}.
 */
public final class WatchedPgDriver extends PgDriver {
  private final Duration replyTimeout;

  public WatchedPgDriver(Duration replyTimeout) {
    this.replyTimeout = replyTimeout;
  }

  @Override
  public ConnectionFactory<PgConnectOptions> createConnectionFactory(Vertx vertx, NetClientOptions transport) {
    ConnectionFactory<PgConnectOptions> connections = super.createConnectionFactory(vertx, transport);
    return new ConnectionFactory<>() {
      @Override
      public Future<SqlConnection> connect(Context context, PgConnectOptions options) {
        Promise<SqlConnection> started = Promise.promise();
        long timer = vertx.setTimer(replyTimeout.toMillis(), id -> started.tryFail(new TimeoutException(
            "PostgreSQL did not finish a connection's start-up within " + replyTimeout.toMillis() + " ms")));
        connections.connect(context, options).onComplete(ar -> {
          vertx.cancelTimer(timer);
          if (ar.failed()) {
            started.tryFail(ar.cause());
          } else if (started.tryComplete(ar.result())) {
            ReplyWatch.install(ar.result(), replyTimeout);
          } else {
            ar.result().close();
          }
        });
        return started.future();
      }

      @Override
      public void close(Completable<Void> completion) {
        connections.close(completion);
      }
    };
  }
}
