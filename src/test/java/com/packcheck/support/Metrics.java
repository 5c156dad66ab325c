package com.packcheck.support;

import java.util.Optional;

/** Reading an instance's {@code /metrics} (Prometheus exposition) as a test does. */
public final class Metrics {
  private Metrics() {
  }

  /** The one sample {@code series} (name and labels as exported), if the exposition has it. */
  public static Optional<Double> sample(String exposition, String series) {
    return exposition.lines().filter(line -> line.startsWith(series + " ")).findFirst()
        .map(line -> Double.parseDouble(line.substring(series.length() + 1).trim()));
  }

  /** The sample, failing the test when the exposition lacks it. */
  public static double value(String exposition, String series) {
    return sample(exposition, series).orElseThrow(() -> new AssertionError("no sample " + series + " in:\n" + exposition));
  }
}
