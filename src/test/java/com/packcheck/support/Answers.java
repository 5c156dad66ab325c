package com.packcheck.support;

import com.packcheck.code.CodeNormalizer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every answer the test's callers received: how many distinct answers (by reference; an idempotent
 * replay is the same answer) said {@code firstCheck: true}, per normalized code and action.
 */
public final class Answers {
  private final Map<String, Set<String>> firsts = new ConcurrentHashMap<>();
  private final Map<String, Boolean> uncertain = new ConcurrentHashMap<>();

  /** Records a response to {@code action} on {@code code}; a 503 leaves the outcome unknown. */
  public void record(String code, String action, Client.Response r) {
    if (r.status() == 503) {
      uncertain.put(key(code, action), true);
      return;
    }
    JsonObject answer = r.status() == 200 ? new JsonObject(r.body()) : null;
    if (answer != null && answer.getBoolean("firstCheck")) {
      firsts.computeIfAbsent(key(code, action), k -> ConcurrentHashMap.newKeySet()).add(answer.getString("reference"));
    }
  }

  public int firstChecks(String code, String action) {
    Set<String> references = firsts.get(key(code, action));
    return references == null ? 0 : references.size();
  }

  /** True if some answer for this code and action was a 503 whose retry may not have been recorded. */
  public boolean uncertain(String code, String action) {
    return uncertain.containsKey(key(code, action));
  }

  private static String key(String code, String action) {
    return CodeNormalizer.normalize(code) + "/" + action;
  }
}
