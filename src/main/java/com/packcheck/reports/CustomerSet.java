package com.packcheck.reports;

import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.roaringbitmap.RoaringBitmap;

/**
 * The customers of one manufacturer over a stretch of time, exactly: by channel, by region, and those
 * who checked more than once. Stretches that do not overlap combine with {@link #absorb}: a customer
 * of both is a repeat customer of the whole. Customers are their {@code customers.seq} numbers.
 */
final class CustomerSet {
  static final String CHANNEL = "channel:";
  static final String REGION = "region:";
  static final String REPEAT = "repeat";

  /** "channel:…" and "region:…" facets. */
  private final Map<String, RoaringBitmap> facets = new TreeMap<>();
  private final RoaringBitmap repeat = new RoaringBitmap();
  /** Every customer: the union of the channel facets, kept as they are added. */
  private final RoaringBitmap all = new RoaringBitmap();
  /** When the stretch's first and last checks were: null while it holds none. */
  private OffsetDateTime firstCheck;
  private OffsetDateTime lastCheck;

  /** Adds the members of a facet of this stretch, and when they checked, as the statements list them. */
  void add(String facet, RoaringBitmap members, OffsetDateTime first, OffsetDateTime last) {
    extend(first, last);
    if (REPEAT.equals(facet)) {
      repeat.or(members);
      return;
    }
    facets.merge(facet, members, (a, b) -> {
      a.or(b);
      return a;
    });
    if (facet.startsWith(CHANNEL)) {
      all.or(members);
    }
  }

  /** This stretch and a later (or earlier) one that does not overlap it, as one. */
  void absorb(CustomerSet other) {
    extend(other.firstCheck, other.lastCheck);
    repeat.or(other.repeat);
    repeat.or(RoaringBitmap.and(all, other.all));
    all.or(other.all);
    other.facets.forEach((facet, members) -> facets.merge(facet, members.clone(), (a, b) -> {
      a.or(b);
      return a;
    }));
  }

  private void extend(OffsetDateTime first, OffsetDateTime last) {
    if (first != null && (firstCheck == null || first.isBefore(firstCheck))) {
      firstCheck = first;
    }
    if (last != null && (lastCheck == null || last.isAfter(lastCheck))) {
      lastCheck = last;
    }
  }

  OffsetDateTime firstCheck() {
    return firstCheck;
  }

  OffsetDateTime lastCheck() {
    return lastCheck;
  }

  RoaringBitmap customers() {
    return all;
  }

  long repeatCustomers() {
    return repeat.getLongCardinality();
  }

  /** Customers by channel ("http", "sms") and by region, as counts. */
  JsonObject counts(String prefix) {
    JsonObject counts = new JsonObject();
    facets.forEach((facet, members) -> {
      if (facet.startsWith(prefix)) {
        counts.put(facet.substring(prefix.length()), members.getLongCardinality());
      }
    });
    return counts;
  }

  /** Each facet (and "repeat") serialized, compact: what {@code customer_sets.members} holds. */
  void serialize(BiConsumer<String, byte[]> out) {
    facets.forEach((facet, members) -> out.accept(facet, bytes(members)));
    out.accept(REPEAT, bytes(repeat));
  }

  static RoaringBitmap members(byte[] serialized) {
    RoaringBitmap members = new RoaringBitmap();
    try {
      members.deserialize(ByteBuffer.wrap(serialized));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("a stored customer set is unreadable", e);
    }
    return members;
  }

  static RoaringBitmap members(Integer[] seqs) {
    RoaringBitmap members = new RoaringBitmap();
    for (Integer seq : seqs) {
      members.add(seq.intValue());
    }
    return members;
  }

  private static byte[] bytes(RoaringBitmap members) {
    members.runOptimize();
    ByteBuffer out = ByteBuffer.allocate(members.serializedSizeInBytes());
    members.serialize(out);
    return out.array();
  }
}
