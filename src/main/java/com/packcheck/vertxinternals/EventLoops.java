package com.packcheck.vertxinternals;

import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;

/**
 * The Netty event loop under a Vert.x context, so that a Redis connection can run its I/O on the
 * verticle's own loop. Vert.x 5 offers it only through {@code io.vertx.core.internal}; HotLaneTest
 * ("replies come back on the event loop itself") guards it across upgrades.
 */
public final class EventLoops {
  private EventLoops() {
  }

  public static EventLoop of(Context context) {
    return ((ContextInternal) context).nettyEventLoop();
  }
}
