package com.packcheck.batch;

import com.packcheck.code.CodeGenerator;
import com.packcheck.code.CodeTraits;
import com.packcheck.code.Hmac;
import com.packcheck.postgres.Database;
import java.io.IOException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.Random;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Codes generated into a draft batch, stored only hashed and shown once. All in one transaction: the
 * codes are hashed into PostgreSQL, then the same seed prints them to the caller, and only once the
 * caller has taken every line does the transaction commit. A caller who did not get them all never
 * gets codes that are stored, and no stored code was never shown. Blocking: runs on a worker thread.
 */
public final class CodeGeneration {
  private static final Logger LOG = LoggerFactory.getLogger(CodeGeneration.class);
  public static final int MAX_COUNT = 10_000_000;
  private static final String COPY_CODES = "copy codes (hash, batch_id) from stdin (format binary)";
  private static final int ATTEMPTS = 3;
  private static final int PRINTED_CHUNK = 4096;

  /** Where the printed codes go; blocks while the reader is behind, fails once it is gone. */
  public interface Sink {
    /** Called once, when the codes are stored and printing begins. */
    void begin(int count) throws IOException;

    void write(byte[] bytes, int length) throws IOException;

    /** Returns once everything written has reached the reader. */
    void flush() throws IOException;
  }

  private final Database db;
  private final Hmac hmac;
  /** Draws the seeds: a CSPRNG, except in the test that makes a seed meet a stored code. */
  private final Random random;

  public CodeGeneration(Database db, Hmac hmac) {
    this(db, hmac, new SecureRandom());
  }

  CodeGeneration(Database db, Hmac hmac, Random random) {
    this.db = db;
    this.hmac = hmac;
    this.random = random;
  }

  public void generate(long manufacturerId, long batchId, int count, Sink sink) throws SQLException, IOException {
    db.inTransaction(conn -> {
      String state = BatchLock.lock(conn, manufacturerId, batchId);
      if (!"draft".equals(state)) {
        throw new ConflictException("batch_" + state, "codes can be added to a draft batch only");
      }
      byte[] seed = store(conn, batchId, count);
      CodeFormats.record(conn, batchId, CodeGenerator.SYMBOLS, CodeTraits.GENERATED, count);
      print(seed, count, sink);
      return null;
    });
  }

  /**
   * Hashes {@code count} codes straight into {@code codes}; returns the seed that made them. Two
   * random 60-bit codes meeting is rare but not impossible at millions of codes: the primary key
   * catches it and a new seed is drawn.
   */
  private byte[] store(Connection conn, long batchId, int count) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      byte[] seed = new byte[32];
      random.nextBytes(seed);
      Savepoint before = conn.setSavepoint();
      CopyIn copy = conn.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_CODES);
      try {
        CodeGenerator codes = new CodeGenerator(seed);
        CopyWriter out = new CopyWriter(copy);
        for (int i = 0; i < count; i++) {
          out.row(2).bytes(hmac.code(codes.next())).int8(batchId);
        }
        out.end();
        conn.releaseSavepoint(before);
        return seed;
      } catch (SQLException e) {
        if (copy.isActive()) {
          copy.cancelCopy();
        }
        conn.rollback(before);
        if (!"23505".equals(e.getSQLState()) || attempt == ATTEMPTS) {
          throw e;
        }
        LOG.info("A generated code met an existing one; drawing the batch again");
      }
    }
  }

  private static void print(byte[] seed, int count, Sink sink) throws IOException {
    sink.begin(count);
    CodeGenerator codes = new CodeGenerator(seed);
    byte[] chunk = new byte[PRINTED_CHUNK * CodeGenerator.PRINTED_LENGTH];
    int filled = 0;
    for (int i = 0; i < count; i++) {
      codes.nextPrinted(chunk, filled);
      filled += CodeGenerator.PRINTED_LENGTH;
      if (filled == chunk.length) {
        sink.write(chunk, filled);
        filled = 0;
      }
    }
    if (filled > 0) {
      sink.write(chunk, filled);
    }
    sink.flush();
  }
}
