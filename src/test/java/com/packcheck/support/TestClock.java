package com.packcheck.support;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that ticks like the real one from an instant the test sets, and that the test can only move
 * forward: give it to an instance ({@link Stack#start(java.util.Map, Clock)}) to run its traffic on
 * days of the test's choosing, across a month boundary.
 */
public final class TestClock extends Clock {
  /** Read by the instance's event loops while the test moves it: one field, so never half set. */
  private volatile Anchor anchor;

  private record Anchor(Instant at, long nanos) {
  }

  public TestClock(Instant start) {
    set(start);
  }

  /** From now on the clock reads {@code instant}, then ticks on. */
  public synchronized void set(Instant instant) {
    if (anchor != null && instant.isBefore(instant())) {
      throw new IllegalArgumentException("a ledger clock only moves forward: " + instant + " is before " + instant());
    }
    anchor = new Anchor(instant, System.nanoTime());
  }

  @Override
  public Instant instant() {
    Anchor a = anchor;
    return a.at().plusNanos(System.nanoTime() - a.nanos());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("the ledger's clock is UTC");
  }
}
