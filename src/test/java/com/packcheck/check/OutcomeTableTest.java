package com.packcheck.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.codecache.CodeState;
import com.packcheck.postgres.Database;
import com.packcheck.postgres.PgUrl;
import com.packcheck.support.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The outcome rules of docs/design.md ("Code states and actions", "Outcome order") as one table: every
 * kind of code × every action × who asks, each row a fresh code arranged in PostgreSQL and checked
 * through the ledger writer, once locked (Redis marked it for the request) and once read without a lock
 * (Redis saw it settled). Both ways must give the row's answer, first-check flag and state afterwards.
 */
@DisplayName("Every code state × action × asker gets the answer docs/design.md gives")
class OutcomeTableTest {
  /** The pharmacies and shoppers of the table: P1 dispensed the code, C1 consumed it. */
  enum Asker {
    P1(1L), P2(2L), C1(null), C2(null);

    final Long pharmacy;

    Asker(Long pharmacy) {
      this.pharmacy = pharmacy;
    }

    byte[] customer() {
      return sha256("customer " + name());
    }
  }

  /** How the code stands before the check. */
  enum Situation {
    UNKNOWN_OF_A_FORMAT, UNKNOWN_OF_NO_FORMAT, DRAFT_BATCH, RECALLED_DISPENSED, EXPIRED_BATCH, ACTIVE,
    DISPENSED_BY_P1, CONSUMED_BY_C1
  }

  static final int FORMAT_LENGTH = 16;
  static String schema;
  static Vertx vertx;
  static Context loop;
  static LedgerWriter ledger;
  static final AtomicInteger CODES = new AtomicInteger();

  static Stream<Arguments> table() {
    return Stream.of(
        //        situation                         action           asker      outcome                 first  state after
        row(Situation.UNKNOWN_OF_A_FORMAT, Action.VERIFY, Asker.P1, Outcome.FAKE, false, null),
        row(Situation.UNKNOWN_OF_A_FORMAT, Action.DISPENSE, Asker.P1, Outcome.FAKE, false, null),
        row(Situation.UNKNOWN_OF_A_FORMAT, Action.CHECK, Asker.C1, Outcome.FAKE, false, null),
        row(Situation.UNKNOWN_OF_NO_FORMAT, Action.VERIFY, Asker.P1, Outcome.INVALID, false, null),
        row(Situation.UNKNOWN_OF_NO_FORMAT, Action.DISPENSE, Asker.P1, Outcome.INVALID, false, null),
        row(Situation.UNKNOWN_OF_NO_FORMAT, Action.CHECK, Asker.C1, Outcome.INVALID, false, null),
        row(Situation.DRAFT_BATCH, Action.VERIFY, Asker.P1, Outcome.INACTIVE, false, CodeState.ACTIVE),
        row(Situation.DRAFT_BATCH, Action.DISPENSE, Asker.P1, Outcome.INACTIVE, false, CodeState.ACTIVE),
        row(Situation.DRAFT_BATCH, Action.CHECK, Asker.C1, Outcome.INACTIVE, false, CodeState.ACTIVE),
        row(Situation.RECALLED_DISPENSED, Action.VERIFY, Asker.P1, Outcome.RECALLED, false, CodeState.DISPENSED),
        row(Situation.RECALLED_DISPENSED, Action.DISPENSE, Asker.P1, Outcome.RECALLED, false, CodeState.DISPENSED),
        row(Situation.RECALLED_DISPENSED, Action.CHECK, Asker.C1, Outcome.RECALLED, false, CodeState.DISPENSED),
        row(Situation.EXPIRED_BATCH, Action.VERIFY, Asker.P1, Outcome.EXPIRED, false, CodeState.ACTIVE),
        row(Situation.EXPIRED_BATCH, Action.DISPENSE, Asker.P1, Outcome.EXPIRED, false, CodeState.ACTIVE),
        row(Situation.EXPIRED_BATCH, Action.CHECK, Asker.C1, Outcome.EXPIRED, false, CodeState.ACTIVE),
        row(Situation.ACTIVE, Action.VERIFY, Asker.P1, Outcome.GENUINE, false, CodeState.ACTIVE),
        row(Situation.ACTIVE, Action.DISPENSE, Asker.P1, Outcome.GENUINE, true, CodeState.DISPENSED),
        row(Situation.ACTIVE, Action.CHECK, Asker.C1, Outcome.GENUINE, true, CodeState.CONSUMED),
        row(Situation.DISPENSED_BY_P1, Action.VERIFY, Asker.P1, Outcome.GENUINE, false, CodeState.DISPENSED),
        row(Situation.DISPENSED_BY_P1, Action.VERIFY, Asker.P2, Outcome.ALREADY_USED, false, CodeState.DISPENSED),
        row(Situation.DISPENSED_BY_P1, Action.DISPENSE, Asker.P1, Outcome.GENUINE, false, CodeState.DISPENSED),
        row(Situation.DISPENSED_BY_P1, Action.DISPENSE, Asker.P2, Outcome.ALREADY_USED, false, CodeState.DISPENSED),
        row(Situation.DISPENSED_BY_P1, Action.CHECK, Asker.C1, Outcome.GENUINE, true, CodeState.CONSUMED),
        row(Situation.CONSUMED_BY_C1, Action.VERIFY, Asker.P1, Outcome.ALREADY_USED, false, CodeState.CONSUMED),
        row(Situation.CONSUMED_BY_C1, Action.DISPENSE, Asker.P1, Outcome.ALREADY_USED, false, CodeState.CONSUMED),
        row(Situation.CONSUMED_BY_C1, Action.DISPENSE, Asker.P2, Outcome.ALREADY_USED, false, CodeState.CONSUMED),
        row(Situation.CONSUMED_BY_C1, Action.CHECK, Asker.C1, Outcome.GENUINE, false, CodeState.CONSUMED),
        row(Situation.CONSUMED_BY_C1, Action.CHECK, Asker.C2, Outcome.ALREADY_USED, false, CodeState.CONSUMED));
  }

  private static Arguments row(Situation situation, Action action, Asker asker, Outcome outcome, boolean first,
      CodeState after) {
    return Arguments.of(situation, action, asker, outcome, first, after);
  }

  @BeforeAll
  static void start() throws Exception {
    schema = TestPostgres.freshSchema();
    Database db = new Database(PgUrl.parse(TestPostgres.url()), schema);
    db.migrate();
    try (Connection c = TestPostgres.connect(schema); Statement s = c.createStatement()) {
      s.execute("insert into manufacturers (name, price_per_check, currency) values ('m', 5, 'GHS')");
      s.execute("insert into products (manufacturer_id, name) values (1, 'p')");
      // 1 active, 2 draft, 3 recalled, 4 active but expired yesterday
      s.execute("""
          insert into batches (manufacturer_id, product_id, lot, expiry, state) values
            (1, 1, 'ACTIVE', current_date + 365, 'active'), (1, 1, 'DRAFT', current_date + 365, 'draft'),
            (1, 1, 'RECALLED', current_date + 365, 'recalled'), (1, 1, 'EXPIRED', current_date - 1, 'active')
          """);
      s.execute("insert into batch_formats (batch_id, length, required_traits) values (1, " + FORMAT_LENGTH + ", 0)");
    }
    vertx = Vertx.vertx();
    loop = vertx.getOrCreateContext();
    // the writer belongs to the event loop it is made on, as a verticle's does
    CompletableFuture<LedgerWriter> made = new CompletableFuture<>();
    loop.runOnContext(v -> made.complete(new LedgerWriter(vertx, db.ledgerConnectOptions(), Duration.ofSeconds(10),
        Clock.systemUTC(), 512, 1, new SimpleMeterRegistry(), "http")));
    ledger = made.join();
  }

  @AfterAll
  static void stop() {
    CompletableFuture<Void> drained = new CompletableFuture<>();
    loop.runOnContext(v -> ledger.drain().onComplete(ar -> drained.complete(null)));
    drained.join();
    vertx.close();
    TestPostgres.dropSchema(schema);
  }

  @ParameterizedTest(name = "{0}, {1} by {2} → {3}, first check {4}, then {5}")
  @MethodSource("table")
  void outcome(Situation situation, Action action, Asker asker, Outcome outcome, boolean first, CodeState after)
      throws Exception {
    for (boolean light : List.of(false, true)) {
      Answer answer = check(arrange(situation), situation == Situation.UNKNOWN_OF_NO_FORMAT ? 7 : FORMAT_LENGTH,
          action, asker, light);
      String way = light ? "read without a lock" : "locked";
      assertThat(answer.outcome()).as("outcome, %s", way).isEqualTo(outcome);
      assertThat(answer.firstCheck()).as("first check, %s", way).isEqualTo(first);
      assertThat(answer.codeState()).as("state afterwards, %s", way).isEqualTo(after);
    }
  }

  /** A fresh code in {@code situation}; unknown codes are only hashed. */
  private static byte[] arrange(Situation situation) throws Exception {
    byte[] hash = sha256("code " + CODES.incrementAndGet());
    String row = switch (situation) {
      case UNKNOWN_OF_A_FORMAT, UNKNOWN_OF_NO_FORMAT -> null;
      case DRAFT_BATCH -> "2, 0, null, null";
      case RECALLED_DISPENSED -> "3, 1, 1, null";
      case EXPIRED_BATCH -> "4, 0, null, null";
      case ACTIVE -> "1, 0, null, null";
      case DISPENSED_BY_P1 -> "1, 1, 1, null";
      case CONSUMED_BY_C1 -> "1, 2, 1, ?";
    };
    if (row != null) {
      try (Connection c = TestPostgres.connect(schema); PreparedStatement s = c.prepareStatement(
          "insert into codes (hash, batch_id, state, dispensed_by, consumed_by) values (?, " + row + ")")) {
        s.setBytes(1, hash);
        if (situation == Situation.CONSUMED_BY_C1) {
          s.setBytes(2, Asker.C1.customer());
        }
        s.executeUpdate();
      }
    }
    return hash;
  }

  private static Answer check(byte[] hash, int length, Action action, Asker asker, boolean light) {
    CheckRequest request = new CheckRequest(hash, length, 0, action, asker.customer(), asker.pharmacy,
        asker.pharmacy == null ? "sms" : "http", null, light);
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    loop.runOnContext(v -> ledger.submit(request).onComplete(ar -> {
      if (ar.succeeded()) {
        answer.complete(ar.result());
      } else {
        answer.completeExceptionally(ar.cause());
      }
    }));
    return answer.join();
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
