package com.packcheck.load;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The machine's ceiling for any check: the same clients as {@link ChecksSimulation}, on the same kind
 * of keep-alive connections, looping {@code GET /health}, which touches neither Redis nor PostgreSQL.
 * What the load generator and PackCheck's HTTP layer alone cost, so no check can go faster here.
 *
 * <p>System properties: {@code baseUrl}, {@code users} (64), {@code duration} and {@code warmup}
 * (seconds), {@code summaryFile} (the measured window, as key=value lines).
 */
public class CeilingSimulation extends Simulation {
  private final String baseUrl = System.getProperty("baseUrl", "http://127.0.0.1:18080");
  private final int users = Integer.getInteger("users", 64);
  private final int durationSeconds = Integer.getInteger("duration", 30);
  private final int warmupSeconds = Integer.getInteger("warmup", 10);
  private final String summaryFile = System.getProperty("summaryFile");
  private final AtomicLong measureStart = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong measureEnd = new AtomicLong(Long.MIN_VALUE);

  {
    HttpProtocolBuilder protocol = http.baseUrl(baseUrl).disableWarmUp().disableCaching().disableFollowRedirect()
        .acceptHeader("application/json");
    ScenarioBuilder health = scenario("ceiling")
        .during(Duration.ofSeconds(warmupSeconds)).on(http("warm-up").get("/health").check(status().is(200)).silent())
        .exec(session -> {
          measureStart.accumulateAndGet(System.currentTimeMillis(), Math::min);
          return session;
        })
        .during(Duration.ofSeconds(durationSeconds)).on(http("health").get("/health").check(status().is(200)))
        .exec(session -> {
          measureEnd.accumulateAndGet(System.currentTimeMillis(), Math::max);
          return session;
        });
    setUp(health.injectClosed(constantConcurrentUsers(users).during(Duration.ofSeconds(warmupSeconds + durationSeconds))))
        .protocols(protocol)
        .maxDuration(Duration.ofSeconds(warmupSeconds + durationSeconds + 60));
  }

  @Override
  public void after() {
    String summary = String.format(java.util.Locale.ROOT, "measureStartMs=%d%nmeasureEndMs=%d%nwindowSeconds=%.3f%n",
        measureStart.get(), measureEnd.get(), (measureEnd.get() - measureStart.get()) / 1000.0);
    if (summaryFile != null) {
      try {
        Files.writeString(Path.of(summaryFile), summary, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
