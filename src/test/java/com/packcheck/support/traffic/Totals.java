package com.packcheck.support.traffic;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Checks and amounts by channel and outcome, as the reports show them. */
public final class Totals {
  public long checks;
  public long amount;
  final Map<String, Long> channels = new LinkedHashMap<>();
  final Map<String, Long> outcomes = new LinkedHashMap<>();

  Totals() {
    List.of("http", "sms").forEach(c -> channels.put(c, 0L));
    List.of("genuine", "already_used", "inactive", "recalled", "expired").forEach(o -> outcomes.put(o, 0L));
  }

  void add(Check x) {
    checks++;
    amount += x.price();
    channels.merge(x.channel(), 1L, Long::sum);
    outcomes.merge(x.outcome(), 1L, Long::sum);
  }

  public JsonObject byChannel() {
    return new JsonObject(new LinkedHashMap<>(channels));
  }

  public JsonObject byOutcome() {
    return new JsonObject(new LinkedHashMap<>(outcomes));
  }

  public String csvLine(String label) {
    return label + "," + checks + "," + channels.values().stream().map(String::valueOf).collect(Collectors.joining(","))
        + "," + outcomes.values().stream().map(String::valueOf).collect(Collectors.joining(",")) + "," + amount
        + ",GHS\r\n";
  }
}
