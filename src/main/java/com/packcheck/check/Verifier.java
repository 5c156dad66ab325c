package com.packcheck.check;

import com.packcheck.code.CodeNormalizer;
import com.packcheck.code.CodeTraits;
import com.packcheck.code.Hmac;
import com.packcheck.codecache.Change;
import com.packcheck.codecache.HotLane;
import com.packcheck.codecache.Mark;
import io.vertx.core.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The verification path: normalize → HMAC → Redis check-and-mark → the ledger writer, where
 * PostgreSQL decides → Redis set to the committed state.
 */
public final class Verifier {
  /** Request ids: unique per process (random prefix) and per request (counter). */
  private static final String INSTANCE = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
  private static final AtomicLong REQUESTS = new AtomicLong();

  private final Hmac hmac;
  private final LedgerWriter ledger;
  private final HotLane hot;

  public Verifier(Hmac hmac, LedgerWriter ledger, HotLane hot) {
    this.hmac = hmac;
    this.ledger = ledger;
    this.hot = hot;
  }

  /**
   * Checks a code as typed. A malformed code fails with {@link MalformedCodeException} and touches
   * nothing; everything else is answered after its interaction is committed.
   */
  public Future<Answer> check(String rawCode, Action action, byte[] customerId, Long pharmacyId, String channel,
      String idempotencyKey) {
    String code = CodeNormalizer.normalize(rawCode);
    if (code == null) {
      return Future.failedFuture(new MalformedCodeException());
    }
    byte[] hash = hmac.code(code);
    // verify changes nothing, so it never needs Redis's mark nor a row lock
    Future<Mark> mark = action == Action.VERIFY
        ? Future.succeededFuture(Mark.NOT_ASKED)
        : hot.checkAndMark(hash, action == Action.DISPENSE ? Change.DISPENSE : Change.CONSUME,
            INSTANCE + "." + REQUESTS.incrementAndGet());
    return mark.compose(m -> {
      CheckRequest request = new CheckRequest(hash, code.length(), CodeTraits.of(code), action, customerId,
          pharmacyId, channel, idempotencyKey, hot.light(m));
      return ledger.submit(request).onSuccess(answer -> {
        if (m != Mark.NOT_ASKED && answer.codeState() != null && answer.codeState() != m.settled()) {
          hot.settle(hash, answer.codeState());
        }
      });
    }).compose(answer -> answer.outcome() == Outcome.INVALID
        ? Future.failedFuture(new MalformedCodeException())
        : Future.succeededFuture(answer));
  }
}
