package com.packcheck.ledger;

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
 * The stored customer sets ({@code customer_sets}): rolled up from the ledger a step at a time, and read
 * back, with the ledger's rows the sets do not cover, as a period's exact {@link CustomerSet}.
 */
final class CustomerSets {
  /**
   * The facets of some interactions (the %s subquery: manufacturer_id, at, channel, customer_id) by
   * manufacturer and UTC day: (manufacturer, day, facet, customer numbers, first and last check).
   */
  private static final String FACETS = """
      with per as (
        select i.manufacturer_id as m, (i.at at time zone 'UTC')::date as day, i.channel,
               coalesce(c.region, p.region, 'unknown') as region, c.seq, count(*) as n,
               min(i.at) as first_at, max(i.at) as last_at
        from (%s) i
        join customers c on c.id = i.customer_id
        left join pharmacies p on p.id = c.pharmacy_id
        group by 1, 2, 3, 4, 5
      )
      select m, day, 'channel:' || channel, array_agg(seq), min(first_at), max(last_at)
      from per group by m, day, channel
      union all
      select m, day, 'region:' || region, array_agg(distinct seq), min(first_at), max(last_at)
      from per group by m, day, region
      union all
      select m, day, 'repeat', array_agg(seq), min(first_at), max(last_at)
      from (select m, day, seq, min(first_at) as first_at, max(last_at) as last_at
            from per group by m, day, seq having sum(n) > 1) twice
      group by m, day
      """;
  /** A roll-up step's interactions: ids in ($1, $2]. */
  private static final String STEP_FACETS = FACETS.formatted("""
      select manufacturer_id, at, channel, customer_id from interactions
      where id > $1 and id <= $2 and manufacturer_id is not null
      """);
  /**
   * A period's interactions ($2 to $3) of manufacturer $1 that the stored sets do not hold: those after
   * the watermark $4, and those of the days at either end whose sets reach outside the period ($2 to $5,
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
      from unnest($1::bigint[], $2::text[], $3::date[]) as k(m, span, start)
      join customer_sets s on s.manufacturer_id = k.m and s.span = k.span and s.start = k.start
      """;
  /** When the stored sets of some days and months begin and end (their first and last check). */
  private static final String EXTENTS = """
      select s.span, s.start, min(s.first_at), max(s.last_at)
      from unnest($1::bigint[], $2::text[], $3::date[]) as k(m, span, start)
      join customer_sets s on s.manufacturer_id = k.m and s.span = k.span and s.start = k.start
      group by s.span, s.start
      """;
  private static final String STORE = """
      insert into customer_sets (manufacturer_id, span, start, facet, members, first_at, last_at)
      select * from unnest($1::bigint[], $2::text[], $3::date[], $4::text[], $5::bytea[],
                           $6::timestamptz[], $7::timestamptz[])
      on conflict (manufacturer_id, span, start, facet) do update
        set members = excluded.members, first_at = excluded.first_at, last_at = excluded.last_at
      """;
  private static final String DAY = "day";
  private static final String MONTH = "month";

  /** Which stretch of whose customers a set is. */
  private record Key(long manufacturerId, String span, LocalDate start) {}

  private final Vertx vertx;

  CustomerSets(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Adds the interactions with ids in (fromId, toId] to the stored day and month sets. */
  Future<Void> roll(SqlConnection conn, long fromId, long toId) {
    return conn.preparedQuery(STEP_FACETS).execute(Tuple.of(fromId, toId)).compose(rows -> {
      Map<Key, CustomerSet> step = new HashMap<>();
      read(rows, (m, day) -> step.computeIfAbsent(new Key(m, DAY, day), k -> new CustomerSet()));
      if (step.isEmpty()) {
        return Future.succeededFuture();
      }
      List<Key> days = new ArrayList<>(step.keySet());
      for (Key day : days) {
        step.computeIfAbsent(new Key(day.manufacturerId(), MONTH, day.start().withDayOfMonth(1)),
            k -> new CustomerSet()).absorb(step.get(day));
      }
      return conn.preparedQuery(STORED).execute(keys(step.keySet()))
          .compose(stored -> vertx.executeBlocking(() -> merged(step, stored)))
          .compose(merged -> conn.preparedQuery(STORE).execute(merged))
          .mapEmpty();
    });
  }

  /**
   * The customers of manufacturer {@code manufacturerId} from {@code from} to {@code to}: the stored sets
   * of the months and days whose checks all lie in the period (the month so far, when the period ends
   * now), and the ledger's rows they do not hold. Read in the caller's snapshot, with its watermark.
   */
  Future<CustomerSet> period(SqlConnection conn, long manufacturerId, Instant from, Instant to, long watermark) {
    if (!from.isBefore(to)) {
      return Future.succeededFuture(new CustomerSet());
    }
    LocalDate first = day(from);
    LocalDate last = day(to.minus(1, ChronoUnit.MICROS));
    List<Key> candidates = new ArrayList<>();
    for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
      candidates.add(new Key(manufacturerId, DAY, d));
      if (d.equals(first) || d.getDayOfMonth() == 1) {
        candidates.add(new Key(manufacturerId, MONTH, d.withDayOfMonth(1)));
      }
    }
    return conn.preparedQuery(EXTENTS).execute(keys(candidates)).compose(extents -> {
      Map<Key, OffsetDateTime[]> stored = new HashMap<>();
      for (Row r : extents) {
        stored.put(new Key(manufacturerId, r.getString(0), r.getLocalDate(1)),
            new OffsetDateTime[] {r.getOffsetDateTime(2), r.getOffsetDateTime(3)});
      }
      // a set may stand for its month or day when every check it holds is in the period (none: nothing to add)
      Predicate<Key> inside = key -> {
        OffsetDateTime[] extent = stored.get(key);
        return extent == null || !extent[0].toInstant().isBefore(from) && extent[1].toInstant().isBefore(to);
      };
      List<Key> pieces = new ArrayList<>();
      boolean firstLoose = false;
      boolean lastLoose = false;
      for (LocalDate d = first; !d.isAfter(last); ) {
        Key month = new Key(manufacturerId, MONTH, d.withDayOfMonth(1));
        Key piece = (d.equals(first) || d.getDayOfMonth() == 1) && inside.test(month) ? month
            : new Key(manufacturerId, DAY, d);
        if (inside.test(piece)) {
          if (stored.containsKey(piece)) {
            pieces.add(piece);
          }
        } else {
          // only the days at either end can hold checks outside the period: those are read from the ledger
          firstLoose |= d.equals(first);
          lastLoose |= d.equals(last);
        }
        d = piece == month ? d.withDayOfMonth(1).plusMonths(1) : d.plusDays(1);
      }
      Instant firstEnd = first.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
      Instant headTo = firstLoose ? (firstEnd.isBefore(to) ? firstEnd : to) : from;
      Instant tailFrom = lastLoose && !last.equals(first) ? last.atStartOfDay(ZoneOffset.UTC).toInstant() : to;
      Tuple loose = Tuple.of(manufacturerId, utc(from), utc(to), watermark, utc(headTo), utc(tailFrom));
      return conn.preparedQuery(STORED).execute(keys(pieces))
          .compose(sets -> conn.preparedQuery(LOOSE_FACETS).execute(loose).compose(rows ->
              vertx.executeBlocking(() -> {
                CustomerSet period = new CustomerSet();
                byKey(sets).values().forEach(period::absorb);
                Map<LocalDate, CustomerSet> looseDays = new HashMap<>();
                read(rows, (m, day) -> looseDays.computeIfAbsent(day, d -> new CustomerSet()));
                looseDays.values().forEach(period::absorb);
                return period;
              })));
    });
  }

  /** Stored facet rows as one set per manufacturer, span and start. */
  private static Map<Key, CustomerSet> byKey(RowSet<Row> stored) {
    Map<Key, CustomerSet> sets = new HashMap<>();
    for (Row r : stored) {
      sets.computeIfAbsent(new Key(r.getLong(0), r.getString(1), r.getLocalDate(2)), k -> new CustomerSet())
          .add(r.getString(3), CustomerSet.members(r.getBuffer(4).getBytes()), r.getOffsetDateTime(5),
              r.getOffsetDateTime(6));
    }
    return sets;
  }

  private interface Stretch {
    CustomerSet of(long manufacturerId, LocalDate day);
  }

  private static void read(RowSet<Row> facets, Stretch stretch) {
    for (Row r : facets) {
      stretch.of(r.getLong(0), r.getLocalDate(1))
          .add(r.getString(2), CustomerSet.members(r.getArrayOfIntegers(3)), r.getOffsetDateTime(4),
              r.getOffsetDateTime(5));
    }
  }

  private static Tuple merged(Map<Key, CustomerSet> step, RowSet<Row> stored) {
    Map<Key, CustomerSet> sets = byKey(stored);
    List<Long> makers = new ArrayList<>();
    List<String> spans = new ArrayList<>();
    List<LocalDate> starts = new ArrayList<>();
    List<String> facets = new ArrayList<>();
    List<Buffer> members = new ArrayList<>();
    List<OffsetDateTime> firsts = new ArrayList<>();
    List<OffsetDateTime> lasts = new ArrayList<>();
    step.forEach((key, added) -> {
      CustomerSet set = sets.computeIfAbsent(key, k -> new CustomerSet());
      set.absorb(added);
      set.serialize((facet, bytes) -> {
        makers.add(key.manufacturerId());
        spans.add(key.span());
        starts.add(key.start());
        facets.add(facet);
        members.add(Buffer.buffer(bytes));
        firsts.add(set.firstCheck());
        lasts.add(set.lastCheck());
      });
    });
    return Tuple.of(makers.toArray(Long[]::new), spans.toArray(String[]::new), starts.toArray(LocalDate[]::new),
        facets.toArray(String[]::new), members.toArray(Buffer[]::new), firsts.toArray(OffsetDateTime[]::new),
        lasts.toArray(OffsetDateTime[]::new));
  }

  private static Tuple keys(java.util.Collection<Key> keys) {
    return Tuple.of(keys.stream().map(Key::manufacturerId).toArray(Long[]::new),
        keys.stream().map(Key::span).toArray(String[]::new),
        keys.stream().map(Key::start).toArray(LocalDate[]::new));
  }

  private static LocalDate day(Instant instant) {
    return LocalDate.ofInstant(instant, ZoneOffset.UTC);
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
