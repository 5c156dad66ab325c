package com.packcheck.check;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.packcheck.codecache.HotCodes;
import com.packcheck.postgres.PgUrl;
import com.packcheck.support.Answers;
import com.packcheck.support.Client;
import com.packcheck.support.Metrics;
import com.packcheck.support.Stack;
import com.packcheck.support.TcpProxy;
import com.packcheck.support.TestPostgres;
import com.packcheck.support.TestRedis;
import com.packcheck.support.Waits;
import com.packcheck.support.World;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@DisplayName("PostgreSQL failing under PackCheck (through a TCP proxy)")
class PostgresFaultTest {
  static TcpProxy proxy;
  static World world;
  static Client direct;
  static Client proxied;
  static Stack.Account pharmacyA;
  static Stack.Account pharmacyB;
  final Answers answers = world.answers;

  @BeforeAll
  static void start() throws Exception {
    PgUrl pg = PgUrl.parse(TestPostgres.url());
    proxy = new TcpProxy(pg.host(), pg.port());
    world = new World(10, Map.of(), Map.of("PACKCHECK_PG_URL", "postgresql://" + pg.user() + ":" + pg.password()
        + "@127.0.0.1:" + proxy.port() + "/" + pg.database(), "PACKCHECK_COMMIT_TIMEOUT_MS", "1000"));
    direct = world.instance(0);
    proxied = world.instance(1);
    pharmacyA = world.pharmacyA;
    pharmacyB = world.pharmacyB;
  }

  @AfterEach
  void heal() {
    proxy.heal();
  }

  @AfterAll
  static void stop() throws Exception {
    world.close();
    proxy.close();
  }

  @Test
  @DisplayName("with the link cut, checks answer 503 with a JSON error and /ready says so; a retry afterwards reads the truth")
  void linkCut() throws Exception {
    List<String> codes = world.activeCodes(1);
    proxy.cut();
    Client.Response refused = dispense(proxied, pharmacyA, codes.get(0), "Idempotency-Key", "cut-1");
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.json().getString("error")).isEqualTo("unavailable");
    assertThat(proxied.get("/ready", null).status()).isEqualTo(503);
    assertThat(proxied.get("/health", null).status()).isEqualTo(200);

    proxy.heal();
    Client.Response retried = dispense(proxied, pharmacyA, codes.get(0), "Idempotency-Key", "cut-1");
    assertThat(retried.status()).isEqualTo(200);
    assertThat(retried.json().getBoolean("firstCheck")).isTrue();
    assertThat(proxied.get("/ready", null).status()).isEqualTo(200);
    world.checkInvariants(codes);
  }

  @Test
  @DisplayName("with the link cut, the monthly report and the customers summary answer 503, then the same figures once it heals")
  void reportsWithoutPostgres() throws Exception {
    // one named month for both, so that a month boundary passing during the test changes neither's period
    java.time.YearMonth month = java.time.YearMonth.now(java.time.ZoneOffset.UTC);
    String summary = "/v1/customers/summary?from=" + month.atDay(1) + "&to=" + month.atEndOfMonth();
    Client.Response before = proxied.get("/v1/reports/monthly?month=" + month, world.maker.token());
    Client.Response customers = proxied.get(summary, world.maker.token());
    assertThat(before.status()).isEqualTo(200);
    assertThat(customers.status()).isEqualTo(200);
    proxy.cut();
    for (String path : List.of("/v1/reports/monthly?month=" + month, summary)) {
      Client.Response refused = proxied.get(path, world.maker.token());
      assertThat(refused.status()).as(path).isEqualTo(503);
      assertThat(refused.json().getString("error")).as(path).isEqualTo("unavailable");
    }
    proxy.heal();
    assertThat(direct.get("/v1/reports/monthly?month=" + month, world.maker.token()).json().getLong("checks"))
        .isEqualTo(before.json().getLong("checks"));
    assertThat(proxied.get(summary, world.maker.token()).json().getLong("customers"))
        .isEqualTo(customers.json().getLong("customers"));
  }

  @Test
  @DisplayName("when the reply to the commit is lost, the caller gets 503 and its retry gets the one committed first answer")
  void commitReplyLost() throws Exception {
    List<String> codes = world.activeCodes(1);
    // a pooled connection exists, so the check reaches PostgreSQL and only the reply is lost
    assertThat(proxied.post("/v1/verifications", pharmacyA.token(), new JsonObject().put("code", codes.get(0)))
        .status()).isEqualTo(200);
    proxy.swallowReplies();
    Client.Response lost = dispense(proxied, pharmacyA, codes.get(0), "Idempotency-Key", "lost-1");
    assertThat(lost.status()).isEqualTo(503);
    assertThat(lost.json().getString("error")).isEqualTo("unavailable");

    proxy.heal();
    Client.Response retried = dispense(proxied, pharmacyA, codes.get(0), "Idempotency-Key", "lost-1");
    assertThat(retried.status()).isEqualTo(200);
    assertThat(retried.json().getString("outcome")).isEqualTo("genuine");
    assertThat(retried.json().getBoolean("firstCheck")).isTrue();
    Client.Response again = dispense(direct, pharmacyA, codes.get(0));
    assertThat(again.json().getBoolean("firstCheck")).isFalse();
    assertThat(again.json().getString("dispensedAt")).isEqualTo(retried.json().getString("dispensedAt"));
    assertThat(dispense(direct, pharmacyB, codes.get(0)).json().getString("outcome")).isEqualTo("already_used");
    assertThat(answers.firstChecks(codes.get(0), "dispense")).isEqualTo(1);
    world.checkInvariants(codes);
    // the lost check left its pending mark in Redis; the retry settled it to the committed state
    try (HotCodes redis = new HotCodes(TestRedis.url(), world.stack.redisPrefix, 17, Duration.ofSeconds(1))) {
      Waits.dispensedInRedis(redis, codes.get(0));
    }
  }

  @Test
  @DisplayName("a cut in the middle of concurrent dispenses leaves every code consistent once retried")
  void cutUnderLoad() throws Exception {
    List<String> codes = world.activeCodes(40);
    List<CompletableFuture<Client.Response>> calls = new ArrayList<>();
    for (int i = 0; i < codes.size(); i++) {
      Stack.Account who = i % 2 == 0 ? pharmacyA : pharmacyB;
      calls.add(proxied.postAsync("/v1/verifications", who.token(),
          new JsonObject().put("code", codes.get(i)).put("action", "dispense"), "Idempotency-Key", "load-" + i));
      if (i == codes.size() / 2) {
        proxy.cut();
      }
    }
    for (int i = 0; i < codes.size(); i++) {
      Client.Response r = calls.get(i).join();
      assertThat(r.status()).as(r.body()).isIn(200, 503);
      answers.record(codes.get(i), "dispense", r);
    }
    proxy.heal();
    for (int i = 0; i < codes.size(); i++) {
      Stack.Account who = i % 2 == 0 ? pharmacyA : pharmacyB;
      Client.Response r = dispense(proxied, who, codes.get(i), "Idempotency-Key", "load-" + i);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().getBoolean("firstCheck")).isTrue();
    }
    for (String code : codes) {
      assertThat(answers.firstChecks(code, "dispense")).as(code).isEqualTo(1);
    }
    world.checkInvariants(codes);
  }

  @Test
  @DisplayName("a statement PostgreSQL refuses (a column gone) answers 500 with a reference that is in the log and counted, not 503 'retry'; repaired, the same code is dispensed")
  void refusedStatementIsOurFault() throws Exception {
    List<String> codes = world.activeCodes(1);
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Logger replies = (Logger) LoggerFactory.getLogger("com.packcheck.http.Replies");
    replies.addAppender(log);
    double before = served500(direct);
    try (Connection c = TestPostgres.connect(world.stack.schema); Statement s = c.createStatement()) {
      s.execute("alter table interactions rename column price to price_gone");
      Client.Response refused = dispense(direct, pharmacyA, codes.get(0));

      assertThat(refused.status()).isEqualTo(500);
      String reference = refused.json().getString("reference");
      assertThat(refused.json().getString("error")).isEqualTo("internal");
      assertThat(refused.json().getString("message")).contains(reference).doesNotContain("retry");
      assertThat(log.list).anySatisfy(event -> {
        assertThat(event.getLevel()).isEqualTo(Level.ERROR);
        assertThat(event.getFormattedMessage()).contains(reference);
        assertThat(event.getThrowableProxy().getMessage()).contains("price");
      });
      assertThat(served500(direct)).isEqualTo(before + 1);
      assertThat(direct.get("/ready", null).status()).as("PostgreSQL itself is up").isEqualTo(200);

      s.execute("alter table interactions rename column price_gone to price");
    } finally {
      replies.detachAppender(log);
    }
    Client.Response repaired = dispense(direct, pharmacyA, codes.get(0));
    assertThat(repaired.status()).isEqualTo(200);
    assertThat(repaired.json().getBoolean("firstCheck")).as("nothing was recorded by the refused check").isTrue();
    world.checkInvariants(codes);
  }

  private static double served500(Client instance) {
    return Metrics.sample(instance.get("/metrics", null).body(), "packcheck_http_responses_total{status=\"500\"}")
        .orElse(0.0);
  }

  private Client.Response dispense(Client via, Stack.Account pharmacy, String code, String... headers) {
    return world.check(via, pharmacy, code, "dispense", headers);
  }
}
