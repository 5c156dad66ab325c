package com.packcheck.batch;

import com.packcheck.store.Database;
import com.packcheck.store.HotState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Activation: the batch's codes go into Redis before the batch answers as active, under the batch
 * row's lock (no upload can add codes meanwhile). Blocking: runs on a worker thread.
 */
public final class BatchActivation {
  private static final String LOCK = """
      select state, exists (select 1 from codes where batch_id = b.id)
      from batches b where id = ? and manufacturer_id = ? for update
      """;
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
  public String activate(long manufacturerId, long batchId) throws SQLException {
    try (Connection conn = db.jdbc()) {
      conn.setAutoCommit(false);
      try {
        String state;
        boolean hasCodes;
        try (PreparedStatement ps = conn.prepareStatement(LOCK)) {
          ps.setLong(1, batchId);
          ps.setLong(2, manufacturerId);
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              throw new NotFoundException("batch " + batchId + " not found");
            }
            state = rs.getString(1);
            hasCodes = rs.getBoolean(2);
          }
        }
        if (state.equals("active")) {
          conn.rollback();
          return state;
        }
        if (state.equals("recalled")) {
          throw new ConflictException("batch_recalled", "the batch is recalled and cannot become active");
        }
        if (!hasCodes) {
          throw new ConflictException("batch_empty", "upload or generate codes before activating");
        }
        boolean loaded = hot.loadBatch(conn, batchId);
        long activation;
        try (PreparedStatement ps = conn.prepareStatement(ACTIVATE)) {
          ps.setLong(1, batchId);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            activation = rs.getLong(1);
          }
        }
        conn.commit();
        if (loaded) {
          hot.advanceAfterActivation(activation);
        }
        return "active";
      } catch (SQLException | RuntimeException e) {
        conn.rollback();
        throw e;
      }
    }
  }
}
