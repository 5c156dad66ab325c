package com.packcheck.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Counts the bytes of FILE as the upload reads them and reports on stderr: a bar redrawn in place on
 * a terminal, a plain line every few seconds in a log (where redrawn bars would be noise).
 */
final class Progress extends FilterInputStream {
  private static final long TERMINAL_EVERY_NANOS = 200_000_000L;
  private static final long LOG_EVERY_NANOS = 5_000_000_000L;
  private static final int BAR_WIDTH = 30;

  private final PrintStream err;
  private final boolean terminal;
  /** FILE's size, or -1 when it is not known (stdin). */
  private final long total;
  private final long started = System.nanoTime();
  private long read;
  private long lastReport = started;
  private boolean barOnScreen;
  private boolean finished;
  private IOException failure;

  Progress(InputStream file, long total, PrintStream err, boolean terminal) {
    super(file);
    this.total = total;
    this.err = err;
    this.terminal = terminal;
  }

  synchronized long bytesRead() {
    return read;
  }

  /** Why reading FILE itself failed, if it did: that is no reason to retry, unlike a failing link. */
  synchronized IOException failure() {
    return failure;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n;
    try {
      n = super.read(b, off, len);
    } catch (IOException e) {
      synchronized (this) {
        failure = e;
      }
      throw e;
    }
    counted(n);
    return n;
  }

  // The HTTP client reads on its own threads while the command may print from the main one.
  private synchronized void counted(int n) {
    if (n < 0) {
      finish();
      return;
    }
    read += n;
    long now = System.nanoTime();
    if (now - lastReport >= (terminal ? TERMINAL_EVERY_NANOS : LOG_EVERY_NANOS)) {
      lastReport = now;
      report(now);
    }
  }

  /** The whole of FILE was read: the last report, then the wait while PackCheck stores the codes. */
  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    report(System.nanoTime());
    endLine();
    err.println("Sent; waiting for PackCheck to store the codes...");
  }

  /** Ends a bar left mid-line, so that what is printed next starts on a line of its own. */
  synchronized void endLine() {
    if (barOnScreen) {
      err.println();
      barOnScreen = false;
    }
  }

  private void report(long now) {
    double seconds = Math.max((now - started) / 1e9, 1e-3);
    double bytesPerSecond = read / seconds;
    String mb = String.format(Locale.ROOT, "%.1f", read / 1e6);
    String rate = String.format(Locale.ROOT, "%.1f MB/s", bytesPerSecond / 1e6);
    if (total <= 0) {
      print((terminal ? "" : "upload: ") + mb + " MB read at " + rate);
      return;
    }
    double fraction = Math.min(1.0, (double) read / total);
    String of = String.format(Locale.ROOT, "%s/%.1f MB", mb, total / 1e6);
    String eta = "ETA " + (bytesPerSecond > 0 ? duration((total - read) / bytesPerSecond) : "?");
    int percent = (int) (fraction * 100);
    if (terminal) {
      int filled = (int) (fraction * BAR_WIDTH);
      print(String.format(Locale.ROOT, "[%s%s] %3d%%  %s  %s  %s", "#".repeat(filled),
          ".".repeat(BAR_WIDTH - filled), percent, of, rate, eta));
    } else {
      print(String.format(Locale.ROOT, "upload: %d%% (%s) at %s, %s", percent, of, rate, eta));
    }
  }

  private void print(String line) {
    if (terminal) {
      // Trailing spaces wipe what a longer previous line left behind.
      err.print("\r" + line + "    ");
      err.flush();
      barOnScreen = true;
    } else {
      err.println(line);
    }
  }

  private static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
