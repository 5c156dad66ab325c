package com.packcheck.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.packcheck.support.ChildPackCheck;
import com.packcheck.support.Client;
import com.packcheck.support.SparePort;
import com.packcheck.support.TestPostgres;
import com.packcheck.support.Waits;
import com.packcheck.support.World;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three PackCheck instances (child JVMs on one schema and one Redis) behind a real HAProxy (Debian's
 * package), as operators run them; one killed with SIGKILL under load. The clients do what a pharmacy's
 * software should: send every dispense with an Idempotency-Key and send it again on 502/503/504 or a
 * broken connection.
 */
@DisplayName("Three instances behind HAProxy, one killed under load")
class LoadBalancedInstancesTest {
  static final Path HAPROXY = Path.of("/usr/sbin/haproxy");
  /** What a client sends again: the balancer's "no answer from that instance" and PackCheck's "retry". */
  static final Set<Integer> RETRYABLE = Set.of(502, 503, 504);
  static World world;
  static final List<ChildPackCheck> instances = new ArrayList<>();
  static Process haproxy;
  static Client balancer;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isExecutable(HAPROXY) || "true".equals(System.getenv("CI")),
        "HAProxy (Debian's haproxy) is not installed");
    world = new World(7, Map.of());
    StringBuilder servers = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      ChildPackCheck child = ChildPackCheck.start(world.stack.environment());
      instances.add(child);
      child.awaitReady(Duration.ofSeconds(60));
      servers.append("  server pc").append(i).append(" 127.0.0.1:").append(child.port()).append(" check\n");
    }
    int port = SparePort.belowEphemeralRange();
    Path config = dir.resolve("haproxy.cfg");
    Files.writeString(config, """
        global
          maxconn 2000
        defaults
          mode http
          timeout connect 1s
          timeout client 30s
          timeout server 15s
          # only a request that never reached an instance is sent on by the balancer itself
          retries 2
          option redispatch
          retry-on conn-failure
        frontend checks
          bind 127.0.0.1:%d
          default_backend packcheck
        backend packcheck
          balance roundrobin
          option httpchk GET /ready
          http-check expect status 200
          default-server inter 200ms fall 2 rise 2
        %s""".formatted(port, servers));
    haproxy = new ProcessBuilder(HAPROXY.toString(), "-db", "-f", config.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
    balancer = new Client(port);
    Waits.ready(balancer);
  }

  @AfterAll
  static void stop() throws Exception {
    if (haproxy != null) {
      haproxy.destroyForcibly().waitFor();
    }
    for (ChildPackCheck child : instances) {
      child.close();
    }
    if (world != null) {
      world.close();
    }
  }

  @Test
  @DisplayName("every dispense sent through the balancer is answered, first check once, and billed once, though an instance died with checks in flight")
  void instanceKilledUnderLoad() throws Exception {
    List<String> codes = world.activeCodes(600);
    AtomicInteger answered = new AtomicInteger();
    AtomicInteger retried = new AtomicInteger();
    ExecutorService clients = Executors.newFixedThreadPool(32);
    List<CompletableFuture<Client.Response>> calls = new ArrayList<>();
    try {
      for (String code : codes) {
        calls.add(CompletableFuture.supplyAsync(() -> {
          Client.Response r = dispenseUntilAnswered(code, retried);
          answered.incrementAndGet();
          return r;
        }, clients));
      }
      await("150 dispenses answered").atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(2)).until(() -> answered.get() >= 150);
      instances.get(1).kill();
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
    } finally {
      clients.shutdownNow();
    }

    for (int i = 0; i < codes.size(); i++) {
      Client.Response r = calls.get(i).join();
      assertThat(r.status()).as("%s: %s", codes.get(i), r.body()).isEqualTo(200);
      JsonObject answer = r.json();
      assertThat(answer.getString("outcome")).as(codes.get(i)).isEqualTo("genuine");
      assertThat(answer.getBoolean("firstCheck")).as("%s is the client's own first dispense, replayed or not",
          codes.get(i)).isTrue();
      world.answers.record(codes.get(i), "dispense", r);
    }
    assertThat(answered.get()).isEqualTo(codes.size());
    assertThat(retried.get()).as("requests sent again after the kill").isPositive();
    world.checkInvariants(codes);
    try (Connection c = TestPostgres.connect(world.stack.schema); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("""
            select count(*), count(distinct code_hash), coalesce(sum(price), 0) from interactions
            where action = 'dispense'""")) {
      rs.next();
      assertThat(rs.getLong(1)).as("interactions recorded (billed)").isEqualTo(codes.size());
      assertThat(rs.getLong(2)).as("codes they are for").isEqualTo(codes.size());
      assertThat(rs.getLong(3)).as("the bill").isEqualTo(7L * codes.size());
    }
  }

  /** A pharmacy's client: the same request with the same key until an answer that is not "retry". */
  private static Client.Response dispenseUntilAnswered(String code, AtomicInteger retried) {
    JsonObject body = new JsonObject().put("code", code).put("action", "dispense");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    for (int attempt = 0; ; attempt++) {
      if (attempt > 0) {
        retried.incrementAndGet();
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      try {
        Client.Response r = balancer.post("/v1/verifications", world.pharmacyA.token(), body, "Idempotency-Key",
            "lb-" + code);
        if (!RETRYABLE.contains(r.status()) || System.nanoTime() > deadline) {
          return r;
        }
      } catch (RuntimeException brokenConnection) {
        if (System.nanoTime() > deadline) {
          throw brokenConnection;
        }
      }
    }
  }
}
