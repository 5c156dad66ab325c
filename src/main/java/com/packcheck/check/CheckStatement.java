package com.packcheck.check;

import com.packcheck.check.group.GroupStatement;
import com.packcheck.codecache.CodeState;
import com.packcheck.postgres.LedgerUnavailableException;
import com.packcheck.postgres.SqlFile;
import com.packcheck.postgres.SqlStates;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger's statement for a group of checks (sql/check/check-group.sql): PostgreSQL decides every
 * outcome and records every interaction in one statement. The group's time ({@code $11}: the
 * interactions' {@code at}, the dispensing and consuming times, the day expiry is judged on) is read
 * once from the clock, not PostgreSQL's {@code now()}, so a test can run traffic across a month
 * boundary it chose.
 */
final class CheckStatement implements GroupStatement<CheckRequest, Answer> {
  private static final Logger LOG = LoggerFactory.getLogger(CheckStatement.class);

  /** The group's statement: one step per comment in the file. */
  static final String CHECK_GROUP = SqlFile.load("check/check-group.sql");

  /** An idempotent replay: the stored answer, under the group statement's column names. */
  static final String REPLAY = SqlFile.load("check/replay.sql");

  private final Clock clock;

  CheckStatement(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Future<List<Future<Answer>>> write(PgConnection conn, List<CheckRequest> group) {
    return write(conn, group, true);
  }

  private Future<List<Future<Answer>>> write(PgConnection conn, List<CheckRequest> group, boolean mayRetry) {
    return conn.preparedQuery(CHECK_GROUP).execute(groupTuple(group, clock.instant())).compose(rows -> {
      List<Future<Answer>> answers = new ArrayList<>(Collections.nCopies(group.size(), null));
      List<Future<Answer>> replays = new ArrayList<>();
      for (Row row : rows) {
        int idx = row.getInteger("idx");
        if (row.getString("outcome") == null) {
          Future<Answer> replay = replay(conn, group.get(idx));
          replays.add(replay);
          answers.set(idx, replay);
        } else {
          answers.set(idx, Future.succeededFuture(answer(row)));
        }
      }
      for (int i = 0; i < answers.size(); i++) {
        if (answers.get(i) == null) {
          answers.set(i, Future.failedFuture(new IllegalStateException("the group statement gave check " + i
              + " no answer")));
        }
      }
      // a replay that fails fails its own caller alone; the group's answers stand, committed as they are
      return Future.join(replays).transform(ignored -> Future.succeededFuture(answers));
    }, failure -> {
      if (mayRetry && SqlStates.isRetryable(failure)) {
        return write(conn, group, false);
      }
      if (group.size() > 1 && SqlStates.isRowProblem(failure)) {
        // One bad row must not fail its neighbours: write each on its own.
        LOG.warn("Group of {} failed ({}); writing its checks one by one", group.size(), failure.getMessage());
        List<Future<Answer>> alone = group.stream()
            .map(r -> write(conn, List.of(r), true).compose(one -> one.get(0)))
            .toList();
        return Future.join(alone).transform(ignored -> Future.succeededFuture(alone));
      }
      return Future.failedFuture(failure);
    });
  }

  /** A request whose idempotency key was already used: the stored answer, if it is the same request. */
  private Future<Answer> replay(PgConnection conn, CheckRequest r) {
    return conn.preparedQuery(REPLAY).execute(Tuple.of(Buffer.buffer(r.customerId()), r.idempotencyKey()))
        .compose(rows -> {
          Row row = rows.iterator().hasNext() ? rows.iterator().next() : null;
          if (row == null) {
            return Future.failedFuture(new LedgerUnavailableException("idempotency key claimed but not readable", null));
          }
          if (!Arrays.equals(row.getBuffer("code_hash").getBytes(), r.codeHash())
              || !row.getString("action").equals(r.action().wire())) {
            return Future.failedFuture(new IdempotencyMismatchException());
          }
          return Future.succeededFuture(answer(row));
        });
  }

  /** The group's columns ($1-$10) and its time ($11), read once for the whole group. */
  static Tuple groupTuple(List<CheckRequest> group, Instant at) {
    int n = group.size();
    Integer[] idx = new Integer[n];
    Buffer[] hashes = new Buffer[n];
    String[] actions = new String[n];
    Buffer[] customers = new Buffer[n];
    Long[] pharmacies = new Long[n];
    String[] channels = new String[n];
    String[] keys = new String[n];
    Integer[] lengths = new Integer[n];
    Integer[] traits = new Integer[n];
    Boolean[] light = new Boolean[n];
    for (int i = 0; i < n; i++) {
      CheckRequest r = group.get(i);
      idx[i] = i;
      hashes[i] = Buffer.buffer(r.codeHash());
      actions[i] = r.action().wire();
      customers[i] = Buffer.buffer(r.customerId());
      pharmacies[i] = r.pharmacyId();
      channels[i] = r.channel();
      keys[i] = r.idempotencyKey();
      lengths[i] = r.length();
      traits[i] = r.traits();
      light[i] = r.light();
    }
    return Tuple.of(idx, hashes, actions, customers, pharmacies, channels, keys, lengths)
        .addValue(traits).addValue(light).addValue(OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
  }

  private static Answer answer(Row row) {
    Short state = row.getShort("code_state");
    return new Answer(
        Outcome.fromWire(row.getString("outcome")),
        row.getBoolean("first_check"),
        row.getOffsetDateTime("first_verified_at"),
        row.getOffsetDateTime("dispensed_at"),
        row.getString("product"),
        row.getString("gtin"),
        row.getString("lot"),
        row.getLocalDate("expiry"),
        LedgerWriter.reference(row.getLong("interaction_id")),
        state == null ? null : CodeState.ofNumber(state),
        row.getLong("manufacturer_id"));
  }

}
