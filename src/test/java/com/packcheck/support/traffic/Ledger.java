package com.packcheck.support.traffic;

import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Every check the generator caused that PackCheck records, in the order sent, and the figures they add up to. */
public final class Ledger {
  private final List<Check> checks;

  Ledger() {
    this(new ArrayList<>());
  }

  private Ledger(List<Check> checks) {
    this.checks = checks;
  }

  void add(Check check) {
    checks.add(check);
  }

  /** The checks so far, kept as they are while the traffic goes on. */
  public Ledger copy() {
    return new Ledger(new ArrayList<>(checks));
  }

  public Stream<Check> stream() {
    return checks.stream();
  }

  public int size() {
    return checks.size();
  }

  /** The checks of any maker's codes in {@code month}. */
  public long checks(YearMonth month) {
    return checks.stream().filter(x -> x.maker() != null && x.month().equals(month)).count();
  }

  public Totals totals(Maker m, Predicate<Check> which) {
    Totals t = new Totals();
    checks.stream().filter(x -> x.maker() == m && which.test(x)).forEach(t::add);
    return t;
  }

  /** Each customer of {@code m} in [from, to) with their number of checks. */
  public Map<Customer, Long> perCustomer(Maker m, Instant from, Instant to) {
    return checks.stream().filter(x -> x.maker() == m && !x.at().isBefore(from) && x.at().isBefore(to))
        .collect(Collectors.groupingBy(Check::customer, Collectors.counting()));
  }
}
