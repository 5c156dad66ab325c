package com.packcheck.reports;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Checks and their amount, by channel and outcome: a bill's figures. Every channel and billed
 * outcome appears, with zero when nothing happened, so a bill always has the same shape.
 */
final class Tally {
  static final List<String> CHANNELS = List.of("http", "sms");
  /** The outcomes a manufacturer pays for; "fake" and "invalid" checks have no manufacturer. */
  static final List<String> OUTCOMES = List.of("genuine", "already_used", "inactive", "recalled", "expired");

  long checks;
  long amount;
  final JsonObject byChannel = zeros(CHANNELS);
  final JsonObject byOutcome = zeros(OUTCOMES);

  void add(String channel, String outcome, long count, long price) {
    checks += count;
    amount += price;
    // adding rather than putting: a channel or outcome unknown today still shows, and still adds up
    byChannel.put(channel, byChannel.getLong(channel, 0L) + count);
    byOutcome.put(outcome, byOutcome.getLong(outcome, 0L) + count);
  }

  private static JsonObject zeros(List<String> keys) {
    JsonObject counts = new JsonObject();
    keys.forEach(k -> counts.put(k, 0L));
    return counts;
  }
}
