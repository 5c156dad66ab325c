package com.packcheck.verify;

import com.packcheck.code.CodeNormalizer;
import com.packcheck.code.CodeTraits;
import com.packcheck.code.Hmac;
import com.packcheck.ledger.LedgerWriter;
import io.vertx.core.Future;

/** The verification path: normalize → HMAC → the ledger writer, where PostgreSQL decides. */
public final class Verifier {
  private final Hmac hmac;
  private final LedgerWriter ledger;

  public Verifier(Hmac hmac, LedgerWriter ledger) {
    this.hmac = hmac;
    this.ledger = ledger;
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
    CheckRequest request = new CheckRequest(hmac.code(code), code.length(), CodeTraits.of(code), action,
        customerId, pharmacyId, channel, idempotencyKey);
    return ledger.submit(request).compose(answer -> answer.outcome() == Outcome.INVALID
        ? Future.failedFuture(new MalformedCodeException())
        : Future.succeededFuture(answer));
  }
}
