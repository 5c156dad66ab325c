package com.packcheck.check;

/**
 * One check on its way to the ledger.
 *
 * @param codeHash       HMAC of the normalized code
 * @param length         length of the normalized code (to tell typos from fakes)
 * @param traits         {@link com.packcheck.code.CodeTraits} of the normalized code
 * @param customerId     HMAC key of the customer (a pharmacy, or an MSISDN)
 * @param pharmacyId     the pharmacy for HTTP checks, else null
 * @param channel        {@code http} or {@code sms}
 * @param idempotencyKey the caller's key, or null
 * @param light          no state change is expected (Redis saw a settled state, or the action is
 *                       verify): PostgreSQL reads the code without locking it unless it finds a change due
 */
public record CheckRequest(
    byte[] codeHash,
    int length,
    int traits,
    Action action,
    byte[] customerId,
    Long pharmacyId,
    String channel,
    String idempotencyKey,
    boolean light) {
}
