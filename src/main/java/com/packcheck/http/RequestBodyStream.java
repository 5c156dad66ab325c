package com.packcheck.http;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A request body as a blocking {@link InputStream} for a worker thread, with back-pressure: the
 * request is paused while the worker is behind, so an upload of any size holds a few chunks at most.
 */
final class RequestBodyStream extends InputStream {
  private static final int HIGH_WATER = 32;
  private static final int LOW_WATER = 8;
  private static final Buffer END = Buffer.buffer();

  private final LinkedBlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
  private final HttpServerRequest request;
  private final Context context;
  private boolean paused;
  private Buffer current;
  private int pos;
  private boolean ended;

  RequestBodyStream(HttpServerRequest request, Context context) {
    this.request = request;
    this.context = context;
    request.handler(chunk -> {
      chunks.add(chunk);
      if (chunks.size() >= HIGH_WATER && !paused) {
        paused = true;
        request.pause();
      }
    });
    request.endHandler(v -> chunks.add(END));
    request.exceptionHandler(e -> chunks.add(new IOException("the upload was interrupted: " + e.getMessage(), e)));
    // The route paused the request while it authenticated the caller.
    request.resume();
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    while (current == null || pos == current.length()) {
      if (ended) {
        return -1;
      }
      Object next;
      try {
        next = chunks.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      if (next instanceof IOException failure) {
        ended = true;
        throw failure;
      }
      if (next == END) {
        ended = true;
        return -1;
      }
      current = (Buffer) next;
      pos = 0;
      if (chunks.size() <= LOW_WATER) {
        context.runOnContext(v -> {
          if (paused) {
            paused = false;
            request.resume();
          }
        });
      }
    }
    int n = Math.min(len, current.length() - pos);
    current.getBytes(pos, pos + n, b, off);
    pos += n;
    return n;
  }
}
