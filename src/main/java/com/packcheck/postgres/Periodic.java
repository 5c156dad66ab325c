package com.packcheck.postgres;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * Background work on the stores, run every so often on an event loop, never two runs at once (a run
 * slower than the period is not piled up on), a failure logged and left to the next run.
 */
public final class Periodic {
  private final Vertx vertx;
  private final long timer;
  private boolean running;

  private Periodic(Vertx vertx, Duration every, Supplier<Future<?>> work, Logger log, String failure) {
    this.vertx = vertx;
    this.timer = vertx.setPeriodic(every.toMillis(), id -> {
      if (running) {
        return;
      }
      running = true;
      work.get().onComplete(ar -> {
        running = false;
        if (ar.failed()) {
          log.warn("{}: {}", failure, ar.cause().toString());
        }
      });
    });
  }

  /** Runs {@code work} every {@code every}; {@code failure} says what a failed run means. */
  public static Periodic every(Vertx vertx, Duration every, Supplier<Future<?>> work, Logger log, String failure) {
    return new Periodic(vertx, every, work, log, failure);
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }
}
