package com.packcheck.batch;

import com.packcheck.codecache.HotState;
import com.packcheck.postgres.Database;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Activation: the batch's codes go into Redis before the batch answers as active, under the batch
 * row's lock (no upload can add codes meanwhile). Blocking: runs on a worker thread.
 */
public final class BatchActivation {
  private static final String HAS_CODES = "select exists (select 1 from codes where batch_id = ?)";
  private static final String ACTIVATE = """
      update batches set state = 'active', activated_at = now(), activation = nextval('activation_seq')
      where id = ? returning activation
      """;

  private final Database db;
  private final HotState hot;

  public BatchActivation(Database db, HotState hot) {
    this.db = db;
    this.hot = hot;
  }

  /** Draft → active; activating an active batch again is harmless. A batch with no codes stays draft. */
  public String activate(long manufacturerId, long batchId) throws SQLException, IOException {
    Long activation = db.inTransaction(conn -> {
      String state = BatchLock.lock(conn, manufacturerId, batchId);
      if (state.equals("active")) {
        return null;
      }
      if (state.equals("recalled")) {
        throw new ConflictException("batch_recalled", "the batch is recalled and cannot become active");
      }
      if (!hasCodes(conn, batchId)) {
        throw new ConflictException("batch_empty", "upload or generate codes before activating");
      }
      boolean loaded = hot.loadBatch(conn, batchId);
      try (PreparedStatement ps = conn.prepareStatement(ACTIVATE)) {
        ps.setLong(1, batchId);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return loaded ? rs.getLong(1) : -1L;
        }
      }
    });
    if (activation != null && activation > 0) {
      hot.advanceAfterActivation(activation);
    }
    return "active";
  }

  private static boolean hasCodes(Connection conn, long batchId) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(HAS_CODES)) {
      ps.setLong(1, batchId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }
}
