package com.packcheck.batch;

import com.packcheck.code.CodeNormalizer;
import com.packcheck.code.CodeTraits;
import com.packcheck.code.Hmac;
import com.packcheck.postgres.Database;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.HashMap;
import java.util.Map;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A codes upload, streamed line by line into a temporary table with binary COPY and then merged in
 * one transaction: all or nothing (unless partial), retried uploads harmless. Blocking: runs on a
 * worker thread, never on an event loop.
 */
public final class CodeUpload {
  private static final Logger LOG = LoggerFactory.getLogger(CodeUpload.class);
  /** A line longer than this cannot hold a code; it is skipped without being buffered. */
  static final int MAX_LINE_BYTES = 1024;
  private static final int LISTED_INVALID_LINES = 100;

  private static final String LOCK_UPLOADS = "select pg_advisory_xact_lock(7363102)";
  // spelling: a digest of the line before look-alike symbols were mapped (O→0, I/L→1), to tell a
  // repeated line from two different printed codes that normalize into one
  private static final String CREATE_STAGING = """
      create temporary table upload_codes (hash bytea not null, len int2 not null, spelling int4 not null)
      on commit drop
      """;
  private static final String COPY_STAGING = "copy upload_codes (hash, len, spelling) from stdin (format binary)";
  /** Per code length: distinct codes, repeats, look-alike collisions, already in this batch, in others. */
  private static final String COUNT = """
      with u as (select hash, min(len) as len, count(*) as n, min(spelling) <> max(spelling) as collided
                 from upload_codes group by hash)
      select u.len, count(*), sum(u.n) - count(*), count(*) filter (where u.collided),
             count(c.hash) filter (where c.batch_id = ?),
             count(c.hash) filter (where c.batch_id <> ?)
      from u left join codes c on c.hash = u.hash
      group by u.len
      """;
  /** In hash order: each page of the primary key is visited once, not once per code. */
  private static final String MERGE = """
      insert into codes (hash, batch_id)
      select u.hash, ? from (select distinct hash from upload_codes) u
      where not exists (select 1 from codes c where c.hash = u.hash)
      order by u.hash
      """;
  /** Every staged code, if none is stored yet; in hash order like {@link #MERGE}. */
  private static final String INSERT_ALL_NEW = """
      insert into codes (hash, batch_id)
      select hash, ? from upload_codes order by hash
      on conflict do nothing
      """;
  /** Millions of codes are grouped and sorted in PostgreSQL's memory rather than in files. */
  private static final String UPLOAD_MEMORY = "set local work_mem = '256MB'";

  private final Database db;
  private final Hmac hmac;

  public CodeUpload(Database db, Hmac hmac) {
    this.db = db;
    this.hmac = hmac;
  }

  /**
   * The upload's counts; {@code refusal} is null when the codes were stored, else why nothing was
   * ({@code upload_refused}: invalid lines or codes of other batches; {@code format_too_dense}).
   */
  public record Result(long received, long accepted, long alreadyPresent, long duplicates,
      long normalizedCollisions, long inOtherBatches, long invalid, JsonArray invalidLines, JsonArray warnings,
      String refusal) {
    public boolean stored() {
      return refusal == null;
    }

    public JsonObject toJson() {
      return new JsonObject().put("received", received).put("accepted", accepted)
          .put("alreadyPresent", alreadyPresent).put("duplicates", duplicates)
          .put("normalizedCollisions", normalizedCollisions).put("inOtherBatches", inOtherBatches)
          .put("invalid", invalid).put("invalidLines", invalidLines).put("warnings", warnings);
    }
  }

  public Result upload(long manufacturerId, long batchId, InputStream body, boolean partial)
      throws SQLException, IOException {
    // A refused upload wrote only to its temporary table, which the commit drops.
    long started = System.nanoTime();
    Result result = db.inTransaction(conn -> uploadInTransaction(conn, manufacturerId, batchId, body, partial));
    LOG.info("Upload into batch {} done in {} ms", batchId, (System.nanoTime() - started) / 1_000_000);
    return result;
  }

  private Result uploadInTransaction(Connection conn, long manufacturerId, long batchId, InputStream body,
      boolean partial) throws SQLException, IOException {
    // Uploads are rare and large: one at a time keeps "already in another batch" exact.
    execute(conn, LOCK_UPLOADS);
    String state = BatchLock.lock(conn, manufacturerId, batchId);
    if (!"draft".equals(state)) {
      throw new ConflictException("batch_" + state, "codes can be added to a draft batch only");
    }
    execute(conn, UPLOAD_MEMORY);
    execute(conn, CREATE_STAGING);
    long t0 = System.nanoTime();
    Staged staged = stage(conn, body);
    long t1 = System.nanoTime();

    // Most uploads hold new codes only: insert them all at once, and count in detail only if some
    // were not new (a retry, repeated lines, codes of other batches).
    Savepoint beforeInsert = conn.setSavepoint();
    Counts counts = null;
    if (staged.invalid == 0 || partial) {
      if (update(conn, INSERT_ALL_NEW, batchId) == staged.received - staged.invalid) {
        counts = Counts.allNew(staged);
      } else {
        conn.rollback(beforeInsert);
      }
    }
    boolean inserted = counts != null;
    if (!inserted) {
      counts = count(conn, batchId);
    }
    long t2 = System.nanoTime();

    JsonArray warnings = new JsonArray();
    if (counts.collisions > 0) {
      warnings.add(counts.collisions + " codes were printed in several spellings that read the same (O and 0, "
          + "I, L and 1): shoppers cannot tell them apart, so each is stored once");
    }
    String refusal = !partial && (staged.invalid > 0 || counts.elsewhere > 0) ? "upload_refused" : null;
    for (Map.Entry<Integer, Long> length : counts.acceptedByLength.entrySet()) {
      Format format = staged.formats.get(length.getKey());
      double share = CodeFormats.shareAfter(conn, batchId, length.getKey(), format.required(), length.getValue());
      if (share > CodeFormats.REFUSED_SHARE) {
        refusal = "format_too_dense";
      }
      String warning = CodeFormats.warning(length.getKey(), share);
      if (warning != null) {
        warnings.add(warning);
      }
    }
    long accepted = counts.accepted();
    if (refusal != null && inserted) {
      conn.rollback(beforeInsert);
    } else if (refusal == null && accepted > 0) {
      if (!inserted) {
        update(conn, MERGE, batchId);
      }
      for (Map.Entry<Integer, Long> length : counts.acceptedByLength.entrySet()) {
        CodeFormats.record(conn, batchId, length.getKey(), staged.formats.get(length.getKey()).required(),
            length.getValue());
      }
    }
    LOG.info("Upload into batch {}: {} lines read and hashed in {} ms, {} in {} ms, {} in {} ms", batchId,
        staged.received, (t1 - t0) / 1_000_000, inserted ? "all new, stored" : "counted",
        (t2 - t1) / 1_000_000, refusal == null ? accepted + " codes stored" : "refused (" + refusal + ")",
        (System.nanoTime() - t2) / 1_000_000);
    return new Result(staged.received, refusal == null ? accepted : 0, counts.alreadyPresent, counts.duplicates,
        counts.collisions, counts.elsewhere, staged.invalid, staged.invalidLines, warnings, refusal);
  }

  /** What an upload's codes are, against themselves and the codes stored. */
  private record Counts(Map<Integer, Long> acceptedByLength, long duplicates, long collisions, long alreadyPresent,
      long elsewhere) {
    static Counts allNew(Staged staged) {
      Map<Integer, Long> byLength = new HashMap<>();
      staged.formats.forEach((length, format) -> byLength.put(length, format.codes));
      return new Counts(byLength, 0, 0, 0, 0);
    }

    long accepted() {
      return acceptedByLength.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static Counts count(Connection conn, long batchId) throws SQLException {
    Map<Integer, Long> acceptedByLength = new HashMap<>();
    long duplicates = 0;
    long collisions = 0;
    long alreadyPresent = 0;
    long elsewhere = 0;
    try (PreparedStatement ps = conn.prepareStatement(COUNT)) {
      ps.setLong(1, batchId);
      ps.setLong(2, batchId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long present = rs.getLong(5);
          long inOthers = rs.getLong(6);
          acceptedByLength.put(rs.getInt(1), rs.getLong(2) - present - inOthers);
          duplicates += rs.getLong(3);
          collisions += rs.getLong(4);
          alreadyPresent += present;
          elsewhere += inOthers;
        }
      }
    }
    return new Counts(acceptedByLength, duplicates, collisions, alreadyPresent, elsewhere);
  }

  private static long update(Connection conn, String sql, long batchId) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      ps.setLong(1, batchId);
      return ps.executeLargeUpdate();
    }
  }

  /** The traits all valid codes of one length in the upload share, and how many there are. */
  private static final class Format {
    int shared = -1;
    long codes;

    void add(int traits) {
      shared &= traits;
      codes++;
    }

    int required() {
      return CodeTraits.uploadedFormat(shared, codes);
    }
  }

  private record Staged(long received, long invalid, JsonArray invalidLines, Map<Integer, Format> formats) {
  }

  /** Reads the body line by line, hashing each valid code into the staging table. */
  private Staged stage(Connection conn, InputStream body) throws SQLException, IOException {
    CopyIn copy = conn.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_STAGING);
    long received = 0;
    long invalid = 0;
    JsonArray invalidLines = new JsonArray();
    Map<Integer, Format> formats = new HashMap<>();
    try {
      CopyWriter out = new CopyWriter(copy);
      LineReader lines = new LineReader(body, MAX_LINE_BYTES);
      long lineNo = 0;
      while (lines.next()) {
        lineNo++;
        String raw = lines.tooLong() ? null : new String(lines.bytes(), 0, lines.length(), StandardCharsets.UTF_8);
        if (raw != null && raw.isBlank()) {
          continue;
        }
        received++;
        String code = raw == null ? null : CodeNormalizer.normalize(raw);
        if (code == null) {
          invalid++;
          if (invalidLines.size() < LISTED_INVALID_LINES) {
            invalidLines.add(lineNo);
          }
          continue;
        }
        formats.computeIfAbsent(code.length(), k -> new Format()).add(CodeTraits.of(code));
        out.row(3).bytes(hmac.code(code)).int2(code.length()).int4(CodeNormalizer.spelling(raw));
      }
      out.end();
    } catch (SQLException | IOException | RuntimeException e) {
      if (copy.isActive()) {
        copy.cancelCopy();
      }
      throw e;
    }
    return new Staged(received, invalid, invalidLines, formats);
  }

  private static void execute(Connection conn, String sql) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      ps.execute();
    }
  }
}
