package com.packcheck.sms;

import com.packcheck.check.group.BatchStatement;
import com.packcheck.check.group.GroupCommit;
import com.packcheck.check.group.GroupMetrics;
import com.packcheck.check.group.Grouping;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The SMS channel's rows: customers by number, MO claims and parts, and the outbox of replies. */
final class SmsStore {
  /** Rows a grouped statement takes at once: a backlog of MOs commits in a few groups, not one huge one. */
  private static final int MAX_GROUP = 512;
  private static final String REPORT = "insert into sms_reports (customer_id, reference) values ($1, $2)";
  private static final String OPT_IN = "update customers set opted_in_at = now(), opted_out_at = null where id = $1";
  private static final String OPT_OUT = "update customers set opted_out_at = now(), opted_in_at = null where id = $1";
  /**
   * Claims an MO: a new claim, or one older than a day (the same text again is a new check), returns
   * its time; a claim younger than a day returns nothing: this MO is the same text again, a redelivery
   * or a shopper sending it again, answered from the claim.
   */
  private static final String CLAIM = """
      with customer as (
        insert into customers (id, kind, msisdn_enc, region) values ($2, 'msisdn', $3, $4)
        on conflict (id) do nothing
      )
      insert into sms_claims (dedupe_key, claimed_at) values ($1, now())
      on conflict (dedupe_key) do update set claimed_at = excluded.claimed_at
        where sms_claims.claimed_at < now() - interval '24 hours'
      returning claimed_at
      """;
  private static final String CLAIMED = "select claimed_at from sms_claims where dedupe_key = $1";
  private static final String STORE_PART = """
      insert into sms_parts (part_key, total, seq, body) values ($1, $2, $3, $4)
      on conflict (part_key, seq) do nothing
      """;
  private static final String PARTS = "select seq, total, body from sms_parts where part_key = $1 order by seq";
  private static final String DROP_PARTS = "delete from sms_parts where part_key = $1";
  private static final String ENQUEUE = """
      insert into sms_outbox (claim_key, smsc, source, destination_enc, kind, body, language)
      values ($1, $2, $3, $4, $5, $6, $7)
      on conflict (claim_key, reply_no) do nothing
      """;
  /**
   * The same MO again, once its claim has a reply: queues a copy of the last reply (from the short code
   * this MO was sent to), unless a reply of the claim is still queued or in flight, or went out less
   * than $3 seconds ago: that MO is the SMSC redelivering, and the reply on its way is the answer.
   * Returns whether the claim has a reply, and whether a copy was queued.
   */
  private static final String REPLY_AGAIN = """
      with replies as (
        select reply_no, state, greatest(created_at, taken_at, sent_at) as last_at, smsc, destination_enc, kind,
          body, language
        from sms_outbox where claim_key = $1
      ), last as (
        select * from replies order by reply_no desc limit 1
      ), again as (
        insert into sms_outbox (claim_key, reply_no, smsc, source, destination_enc, kind, body, language)
        select $1, reply_no + 1, smsc, $2, destination_enc, kind, body, language from last
        where not exists (select 1 from replies
                          where state in ('pending', 'sending') or last_at > now() - make_interval(secs => $3))
        on conflict (claim_key, reply_no) do nothing
        returning id
      )
      select (select count(*) from last), (select count(*) from again)
      """;
  /** The due replies of one SMSC, taken by this instance (skipping rows another instance holds). */
  private static final String TAKE_DUE = """
      update sms_outbox set state = 'sending', attempts = attempts + 1, taken_at = now()
      where id in (select id from sms_outbox where smsc = $1 and state = 'pending' and next_attempt_at <= now()
                   order by id limit $2 for update skip locked)
      returning id, source, destination_enc, body
      """;
  private static final String SENT = """
      update sms_outbox set state = 'sent', sent_at = now(), message_ids = $2, last_status = 'ok' where id = $1
      """;
  private static final String RETRY = """
      update sms_outbox set state = 'pending', next_attempt_at = now() + make_interval(secs => $2), last_status = $3
      where id = $1
      """;
  /**
   * Replies taken over $1 seconds ago and never settled: their instance died (or lost PostgreSQL) between
   * taking and recording them. Most were never submitted; sending one twice beats leaving a shopper without
   * an answer.
   */
  private static final String RELEASE_ABANDONED = """
      update sms_outbox set state = 'pending', next_attempt_at = now(),
        last_status = 'taken ' || to_char(taken_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ' and never settled: sent again'
      where state = 'sending' and taken_at < now() - make_interval(secs => $1)
      """;
  private static final String GIVE_UP = "update sms_outbox set state = $2, last_status = $3 where id = $1";
  private static final String DELIVERED = """
      update sms_outbox set state = case when $3 then 'delivered' else 'failed' end, last_status = $4
      where smsc = $1 and message_ids @> array[$2::text]
      """;
  private static final String BACKLOG = """
      select count(*), extract(epoch from now() - min(created_at))::float8
      from sms_outbox where state = 'pending'
      """;

  private final Pool pool;
  /** Replies queued and replies sent go in groups: many MOs, one commit. */
  private final GroupCommit<Tuple, Void> enqueue;
  private final GroupCommit<Tuple, Void> sent;

  /** {@code groups}: the connection options and commit timeout of the grouped statements' own connections. */
  SmsStore(Vertx vertx, Pool pool, PgConnectOptions groups, Duration commitTimeout) {
    this.pool = pool;
    this.enqueue = grouped(vertx, groups, commitTimeout, ENQUEUE, "SMS reply queue");
    this.sent = grouped(vertx, groups, commitTimeout, SENT, "SMS replies sent");
  }

  private static GroupCommit<Tuple, Void> grouped(Vertx vertx, PgConnectOptions options, Duration timeout, String sql,
      String name) {
    return new GroupCommit<>(vertx, options, 1, timeout, MAX_GROUP, Grouping.any(), new BatchStatement(sql),
        GroupMetrics.NONE, name, "sms");
  }

  /** Lets the grouped statements finish what is queued; nothing is taken after. */
  Future<Void> drain() {
    return Future.join(enqueue.drain(), sent.drain()).mapEmpty();
  }

  Future<Void> optIn(byte[] id, boolean in) {
    return pool.preparedQuery(in ? OPT_IN : OPT_OUT).execute(Tuple.of(Buffer.buffer(id))).mapEmpty();
  }

  Future<Void> report(byte[] customerId, String reference) {
    return pool.preparedQuery(REPORT).execute(Tuple.of(Buffer.buffer(customerId), reference)).mapEmpty();
  }

  /** The claim's time, and whether it is new (false: a redelivery of a claimed MO). */
  record Claim(OffsetDateTime at, boolean fresh) {
  }

  /** Claims an MO, making its sender a customer on the way (one statement, one commit). */
  Future<Claim> claim(byte[] dedupeKey, byte[] customerId, byte[] sealedNumber, String region) {
    Tuple key = Tuple.of(Buffer.buffer(dedupeKey));
    return pool.preparedQuery(CLAIM).execute(Tuple.of(Buffer.buffer(dedupeKey), Buffer.buffer(customerId),
            Buffer.buffer(sealedNumber), region)).compose(rows -> rows.size() > 0
        ? Future.succeededFuture(new Claim(rows.iterator().next().getOffsetDateTime(0), true))
        : pool.preparedQuery(CLAIMED).execute(key)
            .map(again -> new Claim(again.iterator().next().getOffsetDateTime(0), false)));
  }

  /** Stores one part; returns every part's body in order once all are there, else empty. */
  Future<Optional<List<byte[]>>> addPart(byte[] partKey, int total, int seq, byte[] body) {
    Tuple key = Tuple.of(Buffer.buffer(partKey));
    return pool.preparedQuery(STORE_PART).execute(Tuple.of(Buffer.buffer(partKey), (short) total, (short) seq,
            Buffer.buffer(body)))
        .compose(v -> pool.preparedQuery(PARTS).execute(key))
        .map(rows -> {
          List<byte[]> bodies = new ArrayList<>();
          for (Row r : rows) {
            bodies.add(r.getBuffer(2).getBytes());
          }
          return bodies.size() == total ? Optional.of(bodies) : Optional.<List<byte[]>>empty();
        });
  }

  Future<Void> dropParts(byte[] partKey) {
    return pool.preparedQuery(DROP_PARTS).execute(Tuple.of(Buffer.buffer(partKey))).mapEmpty();
  }

  record Reply(byte[] claimKey, String smsc, String source, byte[] sealedDestination, String kind, String body,
      String language) {
  }

  Future<Void> enqueue(Reply r) {
    return Future.fromCompletionStage(enqueue.submitFromAnyThread(Tuple.of(r.claimKey() == null ? null : Buffer.buffer(r.claimKey()),
        r.smsc(), r.source(), Buffer.buffer(r.sealedDestination()), r.kind(), r.body(), r.language())));
  }

  /** What became of an MO claimed before: whether its claim has a reply, and whether it was queued again. */
  record Again(boolean replied, boolean queued) {
  }

  /** For an MO claimed before: its claim's last reply again, unless one is on its way or just went out. */
  Future<Again> replyAgain(byte[] claimKey, String source, Duration redeliveryWindow) {
    return pool.preparedQuery(REPLY_AGAIN)
        .execute(Tuple.of(Buffer.buffer(claimKey), source, redeliveryWindow.toMillis() / 1000.0))
        .map(rows -> {
          Row r = rows.iterator().next();
          return new Again(r.getLong(0) > 0, r.getLong(1) > 0);
        });
  }

  record Due(long id, String source, byte[] sealedDestination, String body) {
  }

  Future<List<Due>> takeDue(String smsc, int limit) {
    return pool.preparedQuery(TAKE_DUE).execute(Tuple.of(smsc, limit)).map(SmsStore::dues);
  }

  private static List<Due> dues(RowSet<Row> rows) {
    List<Due> due = new ArrayList<>();
    for (Row r : rows) {
      due.add(new Due(r.getLong(0), r.getString(1), r.getBuffer(2).getBytes(), r.getString(3)));
    }
    return due;
  }

  Future<Void> sent(long id, List<String> messageIds) {
    return Future.fromCompletionStage(
        sent.submitFromAnyThread(Tuple.tuple().addLong(id).addArrayOfString(messageIds.toArray(String[]::new))));
  }

  Future<Void> retry(long id, double afterSeconds, String status) {
    return pool.preparedQuery(RETRY).execute(Tuple.of(id, afterSeconds, status)).mapEmpty();
  }

  /** Puts replies back in the queue that an instance took over {@code after} ago and never settled: how many. */
  Future<Integer> releaseAbandoned(Duration after) {
    return pool.preparedQuery(RELEASE_ABANDONED).execute(Tuple.of(after.toMillis() / 1000.0)).map(RowSet::rowCount);
  }

  /** A reply that must not be sent again: failed for good, or its fate unknown (the receipt will tell). */
  Future<Void> giveUp(long id, String state, String status) {
    return pool.preparedQuery(GIVE_UP).execute(Tuple.of(id, state, status)).mapEmpty();
  }

  Future<Integer> receipt(String smsc, String messageId, boolean delivered, String status) {
    return pool.preparedQuery(DELIVERED).execute(Tuple.of(smsc, messageId, delivered, status)).map(RowSet::rowCount);
  }

  /** Replies waiting, and the age in seconds of the oldest (0 when none). */
  Future<double[]> backlog() {
    return pool.query(BACKLOG).execute().map(rows -> {
      Row r = rows.iterator().next();
      Double age = r.getDouble(1);
      return new double[] {r.getLong(0), age == null ? 0 : age};
    });
  }
}
