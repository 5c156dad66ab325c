package com.packcheck.check.group;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/** What a group commit reports: its commits, their sizes, each request's wait, and the groups it lost. */
public interface GroupMetrics {
  void committed(long nanos, int requests);

  void answered(long waitedNanos);

  void failed();

  /** For a group commit nobody watches. */
  GroupMetrics NONE = new GroupMetrics() {
    @Override
    public void committed(long nanos, int requests) {
    }

    @Override
    public void answered(long waitedNanos) {
    }

    @Override
    public void failed() {
    }
  };

  /** The ledger's series ({@code packcheck_ledger_*}), by channel; the rules and the dashboard read them. */
  static GroupMetrics ledger(MeterRegistry registry, String channel) {
    Timer commits = Timer.builder("packcheck.ledger.commit").tag("channel", channel)
        .description("a group of checks: statement sent to commit confirmed")
        .publishPercentiles(0.5, 0.99, 0.999).register(registry);
    DistributionSummary sizes = DistributionSummary.builder("packcheck.ledger.group.checks").tag("channel", channel)
        .description("checks in a committed group").register(registry);
    Timer waits = Timer.builder("packcheck.ledger.wait").tag("channel", channel)
        .description("a check: queued for the ledger to answered from it")
        .publishPercentiles(0.5, 0.99, 0.999).register(registry);
    Counter failures = Counter.builder("packcheck.ledger.failures").tag("channel", channel)
        .description("groups of checks the ledger did not confirm (their checks answered 503, or 500 when PostgreSQL "
            + "was reachable but refused the statement)").register(registry);
    return new GroupMetrics() {
      @Override
      public void committed(long nanos, int requests) {
        commits.record(nanos, TimeUnit.NANOSECONDS);
        sizes.record(requests);
      }

      @Override
      public void answered(long waitedNanos) {
        waits.record(waitedNanos, TimeUnit.NANOSECONDS);
      }

      @Override
      public void failed() {
        failures.increment();
      }
    };
  }
}
