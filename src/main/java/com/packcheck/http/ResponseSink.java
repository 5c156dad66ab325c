package com.packcheck.http;

import com.packcheck.batch.CodeGeneration;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A chunked text response written from a worker thread, with back-pressure: at most {@link #WINDOW}
 * chunks are on their way to the socket, so a slow reader holds the writer, not the heap.
 */
final class ResponseSink implements CodeGeneration.Sink {
  private static final int WINDOW = 8;
  /** A reader that takes nothing for this long has gone. */
  private static final long STALL_SECONDS = 120;

  private final HttpServerResponse response;
  private final Context context;
  private final Semaphore window = new Semaphore(WINDOW);
  private volatile String failure;
  private volatile boolean begun;

  ResponseSink(HttpServerResponse response, Context context) {
    this.response = response;
    this.context = context;
    response.closeHandler(v -> failure = "the client closed the connection");
  }

  boolean begun() {
    return begun;
  }

  @Override
  public void begin(int count) throws IOException {
    check();
    begun = true;
    context.runOnContext(v -> response.setStatusCode(200).setChunked(true)
        .putHeader("Content-Type", "text/plain; charset=utf-8")
        .putHeader("X-PackCheck-Codes", Integer.toString(count))
        .putHeader("Cache-Control", "no-store"));
  }

  @Override
  public void write(byte[] bytes, int length) throws IOException {
    acquire(1);
    Buffer chunk = Buffer.buffer(Arrays.copyOf(bytes, length));
    context.runOnContext(v -> response.write(chunk).onComplete(ar -> {
      if (ar.failed()) {
        failure = "the response could not be written: " + ar.cause();
      }
      window.release();
    }));
  }

  @Override
  public void flush() throws IOException {
    acquire(WINDOW);
    window.release(WINDOW);
    check();
  }

  private void acquire(int permits) throws IOException {
    check();
    try {
      if (!window.tryAcquire(permits, STALL_SECONDS, TimeUnit.SECONDS)) {
        failure = "the client stopped reading";
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = "interrupted";
    }
    check();
  }

  private void check() throws IOException {
    if (failure != null) {
      throw new IOException(failure);
    }
  }
}
