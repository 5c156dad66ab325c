package com.packcheck.codecache;

import io.vertx.core.Context;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A verticle's own way through Redis on the verification path: a connection whose I/O runs on the
 * verticle's event loop, so a check reaches Redis and comes back without a thread hand-over.
 * Confined to that event loop.
 */
public final class HotLane {
  private static final Logger LOG = LoggerFactory.getLogger(HotLane.class);

  private final HotState state;
  private final HotCodes codes;
  private final Context context;

  HotLane(HotState state, HotCodes codes, Context context) {
    this.state = state;
    this.codes = codes;
    this.context = context;
  }

  /** See {@link HotCodes#checkAndMark}: {@link Mark#ASK_POSTGRES} when Redis fails or is slow. */
  public Future<Mark> checkAndMark(byte[] hash, Change change, String requestId) {
    return Future.fromCompletionStage(codes.checkAndMark(hash, change, requestId), context);
  }

  /** See {@link HotState#light}. */
  public boolean light(Mark mark) {
    return state.light(mark);
  }

  /** Writes PostgreSQL's committed state back; a failure is harmless: the next check or a rebuild repairs it. */
  public void settle(byte[] hash, CodeState committed) {
    codes.settle(hash, committed).exceptionally(e -> {
      LOG.debug("settle failed; the next check or a rebuild repairs it: {}", e.toString());
      return null;
    });
  }

  public Future<Void> close() {
    return Future.fromCompletionStage(codes.closeAsync(), context);
  }
}
