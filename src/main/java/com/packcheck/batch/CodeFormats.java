package com.packcheck.batch;

import com.packcheck.code.CodeTraits;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The code formats of batches (length and required traits) and how full each format's space is: a
 * counterfeiter who guesses codes of a format hits a valid one with the share of its space in use.
 */
final class CodeFormats {
  /** Past this share of a format's space in use, codes are too easy to guess: refused (the EU FMD bound). */
  static final double REFUSED_SHARE = 1e-4;
  /** Past this share the manufacturer is warned. */
  static final double WARNED_SHARE = 1e-6;

  private static final String REQUIRED = "select required_traits from batch_formats where batch_id = ? and length = ?";
  private static final String IN_USE = """
      select coalesce(sum(codes), 0) from batch_formats
      where length = ? and (required_traits = ? or batch_id = ?)
      """;
  private static final String RECORD = """
      insert into batch_formats (batch_id, length, required_traits, codes) values (?, ?, ?, ?)
      on conflict (batch_id, length) do update
        set required_traits = batch_formats.required_traits & excluded.required_traits,
            codes = batch_formats.codes + excluded.codes
      """;

  private CodeFormats() {
  }

  /** The share of the format's space in use once {@code adding} more codes of it join the batch. */
  static double shareAfter(Connection conn, long batchId, int length, int traits, long adding) throws SQLException {
    int required = traits;
    try (PreparedStatement ps = conn.prepareStatement(REQUIRED)) {
      ps.setLong(1, batchId);
      ps.setInt(2, length);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          required &= rs.getInt(1);
        }
      }
    }
    long inUse;
    try (PreparedStatement ps = conn.prepareStatement(IN_USE)) {
      ps.setInt(1, length);
      ps.setInt(2, required);
      ps.setLong(3, batchId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        inUse = rs.getLong(1);
      }
    }
    return (inUse + adding) / CodeTraits.space(length, required);
  }

  /** Records {@code added} codes of a format in the batch; the batch's format keeps the traits all share. */
  static void record(Connection conn, long batchId, int length, int traits, long added) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(RECORD)) {
      ps.setLong(1, batchId);
      ps.setInt(2, length);
      ps.setInt(3, traits);
      ps.setLong(4, added);
      ps.executeUpdate();
    }
  }

  /** A sentence for the manufacturer about a format's density, or null if it is sparse enough. */
  static String warning(int length, double share) {
    if (share <= WARNED_SHARE) {
      return null;
    }
    return String.format("codes of length %d fill 1 in %,.0f of their format's space: counterfeiters guess "
        + "valid codes more easily; prefer longer codes or generated ones", length, 1 / share);
  }
}
