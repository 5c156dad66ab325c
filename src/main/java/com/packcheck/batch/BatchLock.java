package com.packcheck.batch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The batch row locked for the caller's transaction: uploads and activation of a batch exclude each other. */
final class BatchLock {
  private static final String LOCK = "select state from batches where id = ? and manufacturer_id = ? for update";

  private BatchLock() {
  }

  /** The batch's state, now locked; {@link NotFoundException} if the manufacturer has no such batch. */
  static String lock(Connection conn, long manufacturerId, long batchId) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(LOCK)) {
      ps.setLong(1, batchId);
      ps.setLong(2, manufacturerId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new NotFoundException("batch " + batchId + " not found");
        }
        return rs.getString(1);
      }
    }
  }
}
