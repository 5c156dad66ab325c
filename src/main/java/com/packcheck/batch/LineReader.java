package com.packcheck.batch;

import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a byte stream on '\n' (dropping a trailing '\r') without ever holding more than
 * {@code maxLine} bytes of a line: longer lines are skipped and flagged, so a 20 GB line costs no memory.
 */
final class LineReader {
  private final InputStream in;
  private final byte[] chunk = new byte[1 << 16];
  private final byte[] line;
  private int chunkPos;
  private int chunkLen;
  private int length;
  private boolean tooLong;
  private boolean eof;

  LineReader(InputStream in, int maxLine) {
    this.in = in;
    this.line = new byte[maxLine];
  }

  /** Advances to the next line; false at the end of the stream. */
  boolean next() throws IOException {
    length = 0;
    tooLong = false;
    boolean any = false;
    while (true) {
      if (chunkPos == chunkLen) {
        if (eof || !fill()) {
          return any;
        }
      }
      any = true;
      byte b = chunk[chunkPos++];
      if (b == '\n') {
        if (length > 0 && line[length - 1] == '\r') {
          length--;
        }
        return true;
      }
      if (length < line.length) {
        line[length++] = b;
      } else {
        tooLong = true;
      }
    }
  }

  private boolean fill() throws IOException {
    int n = in.read(chunk, 0, chunk.length);
    if (n < 0) {
      eof = true;
      return false;
    }
    chunkPos = 0;
    chunkLen = n;
    return true;
  }

  byte[] bytes() {
    return line;
  }

  int length() {
    return length;
  }

  boolean tooLong() {
    return tooLong;
  }
}
