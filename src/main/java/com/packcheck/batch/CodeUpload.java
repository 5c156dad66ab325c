package com.packcheck.batch;

import com.packcheck.code.CodeNormalizer;
import com.packcheck.code.CodeTraits;
import com.packcheck.code.Hmac;
import com.packcheck.store.Database;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * A codes upload, streamed line by line into a temporary table with binary COPY and then merged in
 * one transaction: all or nothing (unless partial), retried uploads harmless. Blocking: runs on a
 * worker thread, never on an event loop.
 */
public final class CodeUpload {
  /** A line longer than this cannot hold a code; it is skipped without being buffered. */
  static final int MAX_LINE_BYTES = 1024;
  private static final int LISTED_INVALID_LINES = 100;

  private static final String LOCK_UPLOADS = "select pg_advisory_xact_lock(7363102)";
  private static final String CREATE_STAGING =
      "create temporary table upload_codes (hash bytea not null, line int4 not null) on commit drop";
  private static final String COPY_STAGING = "copy upload_codes (hash, line) from stdin (format binary)";
  private static final String COUNT = """
      with u as (select hash, count(*) as n from upload_codes group by hash)
      select count(*), coalesce(sum(u.n), 0) - count(*),
             count(c.hash) filter (where c.batch_id = ?),
             count(c.hash) filter (where c.batch_id <> ?)
      from u left join codes c on c.hash = u.hash
      """;
  private static final String MERGE = """
      insert into codes (hash, batch_id)
      select distinct u.hash, ? from upload_codes u
      where not exists (select 1 from codes c where c.hash = u.hash)
      """;
  private static final String MERGE_FORMAT = """
      insert into batch_formats (batch_id, length, required_traits) values (?, ?, ?)
      on conflict (batch_id, length) do update
        set required_traits = batch_formats.required_traits & excluded.required_traits
      """;

  private static final byte[] COPY_HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0,
      0, 0, 0, 0, 0, 0, 0, 0};

  private final Database db;
  private final Hmac hmac;

  public CodeUpload(Database db, Hmac hmac) {
    this.db = db;
    this.hmac = hmac;
  }

  /** The upload's counts; {@code stored} tells whether anything was written. */
  public record Result(long received, long accepted, long alreadyPresent, long duplicates, long inOtherBatches,
      long invalid, JsonArray invalidLines, boolean stored) {
    public JsonObject toJson() {
      return new JsonObject().put("received", received).put("accepted", accepted)
          .put("alreadyPresent", alreadyPresent).put("duplicates", duplicates).put("inOtherBatches", inOtherBatches)
          .put("invalid", invalid).put("invalidLines", invalidLines);
    }
  }

  public Result upload(long manufacturerId, long batchId, InputStream body, boolean partial)
      throws SQLException, IOException {
    // A refused upload wrote only to its temporary table, which the commit drops.
    return db.inTransaction(conn -> uploadInTransaction(conn, manufacturerId, batchId, body, partial));
  }

  private Result uploadInTransaction(Connection conn, long manufacturerId, long batchId, InputStream body,
      boolean partial) throws SQLException, IOException {
    // Uploads are rare and large: one at a time keeps "already in another batch" exact.
    execute(conn, LOCK_UPLOADS);
    String state = BatchLock.lock(conn, manufacturerId, batchId);
    if (!"draft".equals(state)) {
      throw new ConflictException("batch_" + state, "codes can be added to a draft batch only");
    }
    execute(conn, CREATE_STAGING);
    Staged staged = stage(conn, body);

    long distinct;
    long duplicates;
    long alreadyPresent;
    long elsewhere;
    try (PreparedStatement ps = conn.prepareStatement(COUNT)) {
      ps.setLong(1, batchId);
      ps.setLong(2, batchId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        distinct = rs.getLong(1);
        duplicates = rs.getLong(2);
        alreadyPresent = rs.getLong(3);
        elsewhere = rs.getLong(4);
      }
    }
    long accepted = distinct - alreadyPresent - elsewhere;
    boolean refused = !partial && (staged.invalid > 0 || elsewhere > 0);
    if (!refused && accepted > 0) {
      try (PreparedStatement ps = conn.prepareStatement(MERGE)) {
        ps.setLong(1, batchId);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = conn.prepareStatement(MERGE_FORMAT)) {
        for (Map.Entry<Integer, Integer> format : staged.formats.entrySet()) {
          ps.setLong(1, batchId);
          ps.setInt(2, format.getKey());
          ps.setInt(3, format.getValue());
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
    return new Result(staged.received, refused ? 0 : accepted, alreadyPresent, duplicates, elsewhere,
        staged.invalid, staged.invalidLines, !refused);
  }

  private record Staged(long received, long invalid, JsonArray invalidLines, Map<Integer, Integer> formats) {
  }

  /** Reads the body line by line, hashing each valid code into the staging table. */
  private Staged stage(Connection conn, InputStream body) throws SQLException, IOException {
    CopyIn copy = conn.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_STAGING);
    long received = 0;
    long invalid = 0;
    JsonArray invalidLines = new JsonArray();
    Map<Integer, Integer> formats = new HashMap<>();
    try {
      CopyWriter out = new CopyWriter(copy);
      out.write(COPY_HEADER, COPY_HEADER.length);
      LineReader lines = new LineReader(body, MAX_LINE_BYTES);
      int lineNo = 0;
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
        formats.merge(code.length(), CodeTraits.uploadedFormat(CodeTraits.of(code)), (a, b) -> a & b);
        out.row(hmac.code(code), lineNo);
      }
      out.trailer();
      copy.endCopy();
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

  /** Binary COPY tuples (hash bytea, line int4), buffered into large writes. */
  private static final class CopyWriter {
    private final CopyIn copy;
    private final byte[] buf = new byte[1 << 16];
    private int pos;

    CopyWriter(CopyIn copy) {
      this.copy = copy;
    }

    void row(byte[] hash, int line) throws SQLException {
      ensure(2 + 4 + hash.length + 4 + 4);
      putShort(2);
      putInt(hash.length);
      System.arraycopy(hash, 0, buf, pos, hash.length);
      pos += hash.length;
      putInt(4);
      putInt(line);
    }

    void trailer() throws SQLException {
      ensure(2);
      putShort(-1);
      copy.writeToCopy(buf, 0, pos);
      pos = 0;
    }

    void write(byte[] bytes, int len) throws SQLException {
      ensure(len);
      System.arraycopy(bytes, 0, buf, pos, len);
      pos += len;
    }

    private void ensure(int n) throws SQLException {
      if (pos + n > buf.length) {
        copy.writeToCopy(buf, 0, pos);
        pos = 0;
      }
    }

    private void putShort(int v) {
      buf[pos++] = (byte) (v >>> 8);
      buf[pos++] = (byte) v;
    }

    private void putInt(int v) {
      buf[pos++] = (byte) (v >>> 24);
      buf[pos++] = (byte) (v >>> 16);
      buf[pos++] = (byte) (v >>> 8);
      buf[pos++] = (byte) v;
    }
  }
}
