package com.packcheck.check;

import com.packcheck.check.group.Grouping;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One statement changes a code at most once and claims an idempotency key at most once: a check whose
 * key is already in the group, or that asks for a different change of a code the group already changes,
 * waits for the next group.
 */
final class OneChangePerCode implements Grouping<CheckRequest> {
  @Override
  public Predicate<CheckRequest> next() {
    Set<String> keys = new HashSet<>();
    Map<ByteBuffer, Action> changes = new HashMap<>();
    return r -> {
      if (r.idempotencyKey() != null && !keys.add(Arrays.toString(r.customerId()) + '\0' + r.idempotencyKey())) {
        return false;
      }
      if (!r.action().changesState()) {
        return true;
      }
      Action first = changes.putIfAbsent(ByteBuffer.wrap(r.codeHash()), r.action());
      return first == null || first == r.action();
    };
  }
}
