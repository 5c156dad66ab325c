package com.packcheck.support;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Every answer the test's callers received: how many said {@code firstCheck: true}, per code and action. */
public final class Answers {
  private final Map<String, AtomicInteger> firsts = new ConcurrentHashMap<>();
  private final Map<String, Boolean> uncertain = new ConcurrentHashMap<>();

  /** Records a response to {@code action} on {@code code}; a 503 leaves the outcome unknown. */
  public void record(String code, String action, Client.Response r) {
    if (r.status() == 503) {
      uncertain.put(key(code, action), true);
      return;
    }
    if (r.status() == 200 && new JsonObject(r.body()).getBoolean("firstCheck")) {
      firsts.computeIfAbsent(key(code, action), k -> new AtomicInteger()).incrementAndGet();
    }
  }

  public int firstChecks(String code, String action) {
    AtomicInteger n = firsts.get(key(code, action));
    return n == null ? 0 : n.get();
  }

  /** True if some answer for this code and action was a 503 whose retry may not have been recorded. */
  public boolean uncertain(String code, String action) {
    return uncertain.containsKey(key(code, action));
  }

  public Iterable<String> keys() {
    return firsts.keySet();
  }

  private static String key(String code, String action) {
    return code + "/" + action;
  }
}
