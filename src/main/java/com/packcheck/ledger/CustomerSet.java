package com.packcheck.ledger;

import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
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

  /** Adds the members of a facet of this stretch, as the roll-up's statements list them. */
  void add(String facet, RoaringBitmap members) {
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
    repeat.or(other.repeat);
    repeat.or(RoaringBitmap.and(all, other.all));
    all.or(other.all);
    other.facets.forEach((facet, members) -> facets.merge(facet, members.clone(), (a, b) -> {
      a.or(b);
      return a;
    }));
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
