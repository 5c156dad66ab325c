package com.packcheck.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.holdFor;
import static io.gatling.javaapi.core.CoreDsl.reachRps;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.core.CoreDsl.substring;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.CheckBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pharmacies checking packs over HTTP, as fast as a fixed number of clients can go (closed model).
 *
 * <p>Each virtual user holds one keep-alive connection and loops {@code POST /v1/verifications}: first
 * for the warm-up (silent: not in the report), then for the measured duration. Every request picks
 * its kind at random:
 *
 * <ul>
 *   <li>40 % {@code dispense fresh}: pharmacy A dispenses a code nobody has touched → genuine, first check.
 *       Each fresh code is used once (a wrap-around is counted and reported, and fails its check).
 *   <li>25 % {@code dispense repeat}: pharmacy A dispenses a code it already dispensed → genuine, not first.
 *   <li>15 % {@code dispense already_used}: pharmacy B dispenses a code A dispensed → already_used.
 *   <li>10 % {@code verify}: pharmacy A verifies a code it dispensed (read-only) → genuine.
 *   <li>10 % {@code dispense fake}: a random well-formed 16-digit code in no batch → fake.
 * </ul>
 *
 * <p>System properties: {@code baseUrl}, {@code tokenA}, {@code tokenB}, {@code freshCodes} and
 * {@code usedCodes} (files, one code a line; the used ones already dispensed by A), {@code duration}
 * and {@code warmup} (seconds), {@code users} (64), {@code checkOutcomes} (true: check the outcome in
 * the body, not only the status), {@code summaryFile} (where the measured window and the fresh-code
 * accounting are written, as key=value lines).
 */
public class ChecksSimulation extends Simulation {

  static final String FRESH = "dispense fresh";
  static final String REPEAT = "dispense repeat";
  static final String ALREADY_USED = "dispense already_used";
  static final String VERIFY = "verify";
  static final String FAKE = "dispense fake";

  private final String baseUrl = System.getProperty("baseUrl", "http://127.0.0.1:18080");
  private final String tokenA = required("tokenA");
  private final String tokenB = required("tokenB");
  private final int users = Integer.getInteger("users", 64);
  private final int durationSeconds = Integer.getInteger("duration", 30);
  private final int warmupSeconds = Integer.getInteger("warmup", 5);
  /** Checks per second to hold the load at (0: as fast as the users go). */
  private final int rate = Integer.getInteger("rate", 0);
  private final boolean checkOutcomes = Boolean.parseBoolean(System.getProperty("checkOutcomes", "true"));
  private final String summaryFile = System.getProperty("summaryFile");

  private final CodePool fresh = new CodePool(lines(required("freshCodes")));
  private final String[] used = lines(required("usedCodes"));

  /** The measured window: the first user entering it, the last one leaving it (epoch millis). */
  private final AtomicLong measureStart = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong measureEnd = new AtomicLong(Long.MIN_VALUE);
  /** Each user's own measured time, summed: users may start a little apart on a busy machine. */
  private final AtomicLong userNanos = new AtomicLong();
  private final AtomicInteger usersMeasured = new AtomicInteger();

  {
    if (used.length == 0) {
      throw new IllegalArgumentException("usedCodes is empty: pre-dispense some codes with pharmacy A first");
    }
    System.out.printf("ChecksSimulation: %s, %d users, warm-up %d s, measured %d s, %d fresh codes, %d used codes%n",
        baseUrl, users, warmupSeconds, durationSeconds, fresh.size(), used.length);
    System.out.println("Traffic mix: 40% dispense fresh (A), 25% dispense repeat (A again), "
        + "15% dispense already_used (B after A), 10% verify (A, read-only), 10% dispense fake (random 16 digits)");

    HttpProtocolBuilder protocol = http.baseUrl(baseUrl)
        .disableWarmUp()
        .disableCaching()
        .disableFollowRedirect()
        .contentTypeHeader("application/json")
        .acceptHeader("application/json");

    ScenarioBuilder checks = scenario("checks")
        .during(Duration.ofSeconds(warmupSeconds)).on(oneCheck(true))
        .exec(session -> {
          measureStart.accumulateAndGet(System.currentTimeMillis(), Math::min);
          return session.set("measuredFrom", System.nanoTime());
        })
        .during(Duration.ofSeconds(durationSeconds)).on(oneCheck(false))
        .exec(session -> {
          measureEnd.accumulateAndGet(System.currentTimeMillis(), Math::max);
          userNanos.addAndGet(System.nanoTime() - session.getLong("measuredFrom"));
          usersMeasured.incrementAndGet();
          return session;
        });

    // Closed model: a constant number of users in the system, each looping over checks on its own
    // connection. Users only leave after warm-up + duration, so none is ever replaced mid-run.
    // With a rate, Gatling throttles the same users to that many requests a second: latency at a load
    // the server keeps up with, rather than at saturation.
    var setUp = setUp(checks.injectClosed(constantConcurrentUsers(users).during(Duration.ofSeconds(warmupSeconds + durationSeconds))))
        .protocols(protocol)
        .maxDuration(Duration.ofSeconds(warmupSeconds + durationSeconds + 60));
    if (rate > 0) {
      setUp.throttle(reachRps(rate).in(Duration.ofSeconds(1)), holdFor(Duration.ofSeconds(warmupSeconds + durationSeconds + 60)));
    }
  }

  @Override
  public void after() {
    long start = measureStart.get();
    long end = measureEnd.get();
    double window = start == Long.MAX_VALUE || end == Long.MIN_VALUE ? durationSeconds : (end - start) / 1000.0;
    int measured = usersMeasured.get();
    // checks/s = all measured checks ÷ the mean time a user spent measuring (sum over users of n_i / t_i)
    double userSeconds = measured == 0 ? durationSeconds : userNanos.get() / 1e9 / measured;
    String summary = String.format(java.util.Locale.ROOT,
        "users=%d%nusersMeasured=%d%nwarmupSeconds=%d%ndurationSeconds=%d%nwindowSeconds=%.3f%nuserSeconds=%.3f%n"
            + "measureStartMs=%d%nmeasureEndMs=%d%nfreshProvided=%d%nfreshUsed=%d%nfreshReused=%d%n",
        users, measured, warmupSeconds, durationSeconds, window, userSeconds, start, end, fresh.size(),
        fresh.taken(), fresh.reused());
    System.out.print("ChecksSimulation summary:\n" + summary);
    if (fresh.reused() > 0) {
      System.out.printf("WARNING: %d fresh codes were used twice (only %d provided): size the fresh codes file up%n",
          fresh.reused(), fresh.size());
    }
    if (summaryFile != null) {
      try {
        Files.writeString(Path.of(summaryFile), summary, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** One check of a random kind; silent ones (the warm-up) stay out of the report. */
  private ChainBuilder oneCheck(boolean silent) {
    return randomSwitch().on(
        percent(40.0).then(exec(session -> session.set("code", fresh.next()))
            .exec(check(FRESH, tokenA, "dispense", silent, "genuine", true))),
        percent(25.0).then(exec(session -> session.set("code", randomUsed()))
            .exec(check(REPEAT, tokenA, "dispense", silent, "genuine", false))),
        percent(15.0).then(exec(session -> session.set("code", randomUsed()))
            .exec(check(ALREADY_USED, tokenB, "dispense", silent, "already_used", false))),
        percent(10.0).then(exec(session -> session.set("code", randomUsed()))
            .exec(check(VERIFY, tokenA, "verify", silent, "genuine", false))),
        percent(10.0).then(exec(session -> session.set("code", randomFake()))
            .exec(check(FAKE, tokenA, "dispense", silent, "fake", false))));
  }

  private HttpRequestActionBuilder check(String name, String token, String action, boolean silent, String outcome,
      boolean firstCheck) {
    List<CheckBuilder> checks = new ArrayList<>();
    checks.add(status().is(200));
    if (checkOutcomes) {
      // plain substrings of Vert.x's compact JSON: far cheaper for the load generator than parsing
      checks.add(substring("\"outcome\":\"" + outcome + "\"").exists());
      checks.add(substring("\"firstCheck\":" + firstCheck).exists());
    }
    HttpRequestActionBuilder request = http(silent ? "warm-up" : name)
        .post("/v1/verifications")
        .header("Authorization", "Bearer " + token)
        .body(StringBody("{\"code\":\"#{code}\",\"action\":\"" + action + "\"}"))
        .check(checks);
    return silent ? request.silent() : request;
  }

  private String randomUsed() {
    return used[ThreadLocalRandom.current().nextInt(used.length)];
  }

  /** 16 random digits: well-formed for the batch's format, and (with 10^16 of them) in no batch. */
  private static String randomFake() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return String.format("%08d%08d", r.nextInt(100_000_000), r.nextInt(100_000_000));
  }

  private static String required(String name) {
    String value = System.getProperty(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("system property '" + name + "' is required");
    }
    return value;
  }

  private static String[] lines(String file) {
    try (var lines = Files.lines(Path.of(file), StandardCharsets.US_ASCII)) {
      return lines.map(String::trim).filter(l -> !l.isEmpty()).toArray(String[]::new);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Hands out each code once, in order; past the end it wraps around and counts the reuse. */
  static final class CodePool {
    private final String[] codes;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLong reused = new AtomicLong();

    CodePool(String[] codes) {
      if (codes.length == 0) {
        throw new IllegalArgumentException("freshCodes is empty");
      }
      this.codes = codes;
    }

    String next() {
      int i = next.getAndIncrement();
      if (i >= codes.length || i < 0) {
        reused.incrementAndGet();
        return codes[Math.floorMod(i, codes.length)];
      }
      return codes[i];
    }

    int size() {
      return codes.length;
    }

    long taken() {
      return next.get();
    }

    long reused() {
      return reused.get();
    }
  }
}
