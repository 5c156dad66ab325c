package com.packcheck.vertxinternals;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.impl.SocketConnectionBase;
import io.vertx.sqlclient.internal.Connection;
import io.vertx.sqlclient.internal.SqlConnectionInternal;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a PostgreSQL connection that has sent something and heard nothing back for the reply timeout,
 * with nothing more sent meanwhile. Vert.x 5.0's PostgreSQL connections hand the transport's idle
 * events to the pool, which ignores them, so its idle timeouts cannot do this. An idle connection (its
 * last reply read) is left alone.
 */
final class ReplyWatch extends ChannelDuplexHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ReplyWatch.class);

  private final long timeoutNanos;
  private long lastWrite;
  private long lastRead;
  private ScheduledFuture<?> check;

  private ReplyWatch(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
  }

  /** Watches the socket under {@code conn}, a connection just opened. */
  static void install(SqlConnection conn, Duration timeout) {
    Connection c = ((SqlConnectionInternal) conn).unwrap();
    while (!(c instanceof SocketConnectionBase) && c.unwrap() != c) {
      c = c.unwrap();
    }
    if (c instanceof SocketConnectionBase socket) {
      socket.socket().channelHandlerContext().pipeline().addFirst("packcheck-reply-watch", new ReplyWatch(timeout));
    } else {
      LOG.warn("No socket under {}: its lost replies are not watched", c.getClass().getName());
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    lastRead = System.nanoTime();
    lastWrite = lastRead;
    long period = Math.max(TimeUnit.NANOSECONDS.toMillis(timeoutNanos) / 4, 10);
    check = ctx.executor().scheduleAtFixedRate(() -> expire(ctx), period, period, TimeUnit.MILLISECONDS);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    check.cancel(false);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    check.cancel(false);
    super.channelInactive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    lastRead = System.nanoTime();
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    lastWrite = System.nanoTime();
    super.write(ctx, msg, promise);
  }

  private void expire(ChannelHandlerContext ctx) {
    boolean awaiting = lastWrite - lastRead > 0;
    if (awaiting && System.nanoTime() - lastWrite > timeoutNanos) {
      LOG.warn("PostgreSQL sent no reply for {} ms on {}: closing the connection",
          TimeUnit.NANOSECONDS.toMillis(timeoutNanos), ctx.channel().remoteAddress());
      check.cancel(false);
      ctx.close();
    }
  }
}
