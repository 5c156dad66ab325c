package com.packcheck.reports;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The stored customer sets ({@code customer_sets}): rolled up from the ledger a step at a time, by UTC
 * hour, day and month, and read back, with the ledger's rows the sets do not cover, as a period's exact
 * {@link CustomerSet}.
 */
final class CustomerSets {
  /**
   * The facets of some interactions (the %s subquery: manufacturer_id, at, channel, customer_id) by
   * manufacturer and UTC hour: (manufacturer, hour, facet, customer numbers, first and last check).
   */
  private static final String FACETS = """
      with per as (
        select i.manufacturer_id as m, date_trunc('hour', i.at at time zone 'UTC') at time zone 'UTC' as hour,
               i.channel, coalesce(c.region, p.region, 'unknown') as region, c.seq, count(*) as n,
               min(i.at) as first_at, max(i.at) as last_at
        from (%s) i
        join customers c on c.id = i.customer_id
        left join pharmacies p on p.id = c.pharmacy_id
        group by 1, 2, 3, 4, 5
      )
      select m, hour, 'channel:' || channel, array_agg(seq), min(first_at), max(last_at)
      from per group by m, hour, channel
      union all
      select m, hour, 'region:' || region, array_agg(distinct seq), min(first_at), max(last_at)
      from per group by m, hour, region
      union all
      select m, hour, 'repeat', array_agg(seq), min(first_at), max(last_at)
      from (select m, hour, seq, min(first_at) as first_at, max(last_at) as last_at
            from per group by m, hour, seq having sum(n) > 1) twice
      group by m, hour
      """;
  /** A roll-up step's interactions: ids in ($1, $2]. */
  private static final String STEP_FACETS = FACETS.formatted("""
      select manufacturer_id, at, channel, customer_id from interactions
      where id > $1 and id <= $2 and manufacturer_id is not null
      """);
  /**
   * A period's interactions ($2 to $3) of manufacturer $1 that the stored sets do not hold: those after
   * the watermark $4, and those of the hours at either end whose sets reach outside the period ($2 to $5,
   * $6 to $3).
   */
  private static final String LOOSE_FACETS = FACETS.formatted("""
      select manufacturer_id, at, channel, customer_id from interactions
      where id > $4 and manufacturer_id = $1 and at >= $2 and at < $3
      union all
      select manufacturer_id, at, channel, customer_id from interactions
      where manufacturer_id = $1 and at >= $2 and at < $5 and id <= $4
      union all
      select manufacturer_id, at, channel, customer_id from interactions
      where manufacturer_id = $1 and at >= $6 and at < $3 and id <= $4
      """);
  private static final String STORED = """
      select s.manufacturer_id, s.span, s.start, s.facet, s.members, s.first_at, s.last_at
      from unnest($1::bigint[], $2::text[], $3::timestamptz[]) as k(m, span, start)
      join customer_sets s on s.manufacturer_id = k.m and s.span = k.span and s.start = k.start
      """;
  /** When the stored sets of some hours, days and months begin and end (their first and last check). */
  private static final String EXTENTS = """
      select s.span, s.start, min(s.first_at), max(s.last_at)
      from unnest($1::bigint[], $2::text[], $3::timestamptz[]) as k(m, span, start)
      join customer_sets s on s.manufacturer_id = k.m and s.span = k.span and s.start = k.start
      group by s.span, s.start
      """;
  private static final String STORE = """
      insert into customer_sets (manufacturer_id, span, start, facet, members, first_at, last_at)
      select * from unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::text[], $5::bytea[],
                           $6::timestamptz[], $7::timestamptz[])
      on conflict (manufacturer_id, span, start, facet) do update
        set members = excluded.members, first_at = excluded.first_at, last_at = excluded.last_at
      """;

  /** A stretch of UTC time that has stored sets: an hour, a day or a month. */
  private enum Span {
    HOUR(ChronoUnit.HOURS), DAY(ChronoUnit.DAYS), MONTH(ChronoUnit.MONTHS);

    final ChronoUnit unit;

    Span(ChronoUnit unit) {
      this.unit = unit;
    }

    OffsetDateTime start(OffsetDateTime t) {
      OffsetDateTime utc = t.withOffsetSameInstant(ZoneOffset.UTC);
      return this == MONTH ? utc.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1) : utc.truncatedTo(unit);
    }

    /** As {@code customer_sets.span} spells it. */
    String column() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    static Span of(String column) {
      return valueOf(column.toUpperCase(java.util.Locale.ROOT));
    }
  }

  /** Which stretch of whose customers a set is. */
  private record Key(long manufacturerId, Span span, OffsetDateTime start) {
    Key(long manufacturerId, Span span, OffsetDateTime start) {
      this.manufacturerId = manufacturerId;
      this.span = span;
      this.start = span.start(start);
    }

    OffsetDateTime end() {
      return start.plus(1, span.unit);
    }
  }

  private final Vertx vertx;

  CustomerSets(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Adds the interactions with ids in (fromId, toId] to the stored hour, day and month sets. */
  Future<Void> roll(SqlConnection conn, long fromId, long toId) {
    return conn.preparedQuery(STEP_FACETS).execute(Tuple.of(fromId, toId)).compose(rows -> {
      Map<Key, CustomerSet> step = new HashMap<>();
      read(rows, (m, hour) -> step.computeIfAbsent(new Key(m, Span.HOUR, hour), k -> new CustomerSet()));
      if (step.isEmpty()) {
        return Future.succeededFuture();
      }
      for (Key hour : new ArrayList<>(step.keySet())) {
        for (Span wider : List.of(Span.DAY, Span.MONTH)) {
          step.computeIfAbsent(new Key(hour.manufacturerId(), wider, hour.start()), k -> new CustomerSet())
              .absorb(step.get(hour));
        }
      }
      return conn.preparedQuery(STORED).execute(keys(step.keySet()))
          .compose(stored -> vertx.executeBlocking(() -> merged(step, stored)))
          .compose(merged -> conn.preparedQuery(STORE).execute(merged))
          .mapEmpty();
    });
  }

  /**
   * The customers of manufacturer {@code manufacturerId} from {@code from} to {@code to}: the stored sets
   * of the months, days and hours whose checks all lie in the period (the month so far, when the period
   * ends now), and the ledger's rows they do not hold. Read in the caller's snapshot, with its watermark.
   */
  Future<CustomerSet> period(SqlConnection conn, long manufacturerId, Instant from, Instant to, long watermark) {
    if (!from.isBefore(to)) {
      return Future.succeededFuture(new CustomerSet());
    }
    OffsetDateTime start = utc(from);
    OffsetDateTime end = utc(to);
    OffsetDateTime lastInstant = end.minus(1, ChronoUnit.MICROS);
    // the months and days the period touches, and the hours of its first and last day
    OffsetDateTime firstDayEnd = Span.DAY.start(start).plusDays(1);
    OffsetDateTime lastDayStart = Span.DAY.start(lastInstant);
    List<Key> candidates = new ArrayList<>();
    stretches(candidates, manufacturerId, Span.MONTH, start, end);
    stretches(candidates, manufacturerId, Span.DAY, start, end);
    stretches(candidates, manufacturerId, Span.HOUR, start, firstDayEnd.isBefore(end) ? firstDayEnd : end);
    stretches(candidates, manufacturerId, Span.HOUR, lastDayStart.isAfter(firstDayEnd) ? lastDayStart : firstDayEnd, end);
    return conn.preparedQuery(EXTENTS).execute(keys(candidates)).compose(extents -> {
      Map<Key, OffsetDateTime[]> stored = new HashMap<>();
      for (Row r : extents) {
        stored.put(new Key(manufacturerId, Span.of(r.getString(0)),
            r.getOffsetDateTime(1)), new OffsetDateTime[] {r.getOffsetDateTime(2), r.getOffsetDateTime(3)});
      }
      // a set may stand for its stretch when every check it holds is in the period (none: nothing to add)
      Predicate<Key> inside = key -> {
        OffsetDateTime[] extent = stored.get(key);
        return extent == null || !extent[0].isBefore(start) && extent[1].isBefore(end);
      };
      List<Key> pieces = new ArrayList<>();
      OffsetDateTime headTo = start;
      OffsetDateTime tailFrom = end;
      // widest first: a month, else its days, else (at either end) their hours, else the ledger's rows
      OffsetDateTime t = start;
      while (t.isBefore(end)) {
        Key piece = null;
        for (Span span : List.of(Span.MONTH, Span.DAY, Span.HOUR)) {
          Key k = new Key(manufacturerId, span, t);
          boolean aligned = k.start().equals(t) || t.equals(start);
          if (aligned && inside.test(k)) {
            piece = k;
            break;
          }
        }
        if (piece == null) {
          // only the hours at either end can hold checks outside the period: read from the ledger
          Key hour = new Key(manufacturerId, Span.HOUR, t);
          if (t.equals(start)) {
            headTo = hour.end().isBefore(end) ? hour.end() : end;
          } else {
            tailFrom = hour.start();
          }
          t = hour.end();
          continue;
        }
        if (stored.containsKey(piece)) {
          pieces.add(piece);
        }
        t = piece.end();
      }
      Tuple loose = Tuple.of(manufacturerId, start, end, watermark, headTo, tailFrom.isBefore(headTo) ? headTo : tailFrom);
      return conn.preparedQuery(STORED).execute(keys(pieces))
          .compose(sets -> conn.preparedQuery(LOOSE_FACETS).execute(loose).compose(rows ->
              vertx.executeBlocking(() -> {
                CustomerSet period = new CustomerSet();
                byKey(sets).values().forEach(period::absorb);
                Map<OffsetDateTime, CustomerSet> looseHours = new HashMap<>();
                read(rows, (m, hour) -> looseHours.computeIfAbsent(hour, h -> new CustomerSet()));
                looseHours.values().forEach(period::absorb);
                return period;
              })));
    });
  }

  /** The keys of the {@code span}s that overlap [from, to). */
  private static void stretches(List<Key> keys, long manufacturerId, Span span, OffsetDateTime from, OffsetDateTime to) {
    for (Key k = new Key(manufacturerId, span, from); k.start().isBefore(to); k = new Key(manufacturerId, span, k.end())) {
      keys.add(k);
    }
  }

  /** Stored facet rows as one set per manufacturer, span and start. */
  private static Map<Key, CustomerSet> byKey(RowSet<Row> stored) {
    Map<Key, CustomerSet> sets = new HashMap<>();
    for (Row r : stored) {
      sets.computeIfAbsent(new Key(r.getLong(0), Span.of(r.getString(1)),
              r.getOffsetDateTime(2)), k -> new CustomerSet())
          .add(r.getString(3), CustomerSet.members(r.getBuffer(4).getBytes()), r.getOffsetDateTime(5),
              r.getOffsetDateTime(6));
    }
    return sets;
  }

  private interface Stretch {
    CustomerSet of(long manufacturerId, OffsetDateTime hour);
  }

  private static void read(RowSet<Row> facets, Stretch stretch) {
    for (Row r : facets) {
      stretch.of(r.getLong(0), r.getOffsetDateTime(1))
          .add(r.getString(2), CustomerSet.members(r.getArrayOfIntegers(3)), r.getOffsetDateTime(4),
              r.getOffsetDateTime(5));
    }
  }

  private static Tuple merged(Map<Key, CustomerSet> step, RowSet<Row> stored) {
    Map<Key, CustomerSet> sets = byKey(stored);
    List<Long> makers = new ArrayList<>();
    List<String> spans = new ArrayList<>();
    List<OffsetDateTime> starts = new ArrayList<>();
    List<String> facets = new ArrayList<>();
    List<Buffer> members = new ArrayList<>();
    List<OffsetDateTime> firsts = new ArrayList<>();
    List<OffsetDateTime> lasts = new ArrayList<>();
    step.forEach((key, added) -> {
      CustomerSet set = sets.computeIfAbsent(key, k -> new CustomerSet());
      set.absorb(added);
      set.serialize((facet, bytes) -> {
        makers.add(key.manufacturerId());
        spans.add(key.span().column());
        starts.add(key.start());
        facets.add(facet);
        members.add(Buffer.buffer(bytes));
        firsts.add(set.firstCheck());
        lasts.add(set.lastCheck());
      });
    });
    return Tuple.of(makers.toArray(Long[]::new), spans.toArray(String[]::new),
        starts.toArray(OffsetDateTime[]::new), facets.toArray(String[]::new), members.toArray(Buffer[]::new),
        firsts.toArray(OffsetDateTime[]::new), lasts.toArray(OffsetDateTime[]::new));
  }

  private static Tuple keys(java.util.Collection<Key> keys) {
    return Tuple.of(keys.stream().map(Key::manufacturerId).toArray(Long[]::new),
        keys.stream().map(k -> k.span().column()).toArray(String[]::new),
        keys.stream().map(Key::start).toArray(OffsetDateTime[]::new));
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
