package com.packcheck.postgres;

import com.packcheck.account.Tokens;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** Start-up checks against PostgreSQL, before any request is served. */
public final class Bootstrap {
  private static final String READ_SETTING = "select value from settings where name = ?";
  private static final String WRITE_SETTING = "insert into settings (name, value) values (?, ?) on conflict do nothing";
  private static final String ADMIN_EXISTS = "select 1 from api_tokens where role = 'admin'";
  private static final String INSERT_ADMIN = "insert into api_tokens (token_hash, role) values (?, 'admin')";
  private static final String LOCK = "select pg_advisory_xact_lock(7363101)";

  private Bootstrap() {
  }

  /**
   * Refuses to start with a code secret other than the one the stored codes were hashed with: that
   * would silently answer "fake" for every genuine pack.
   */
  public static void checkSecret(Database db, String fingerprint) throws SQLException {
    try (Connection conn = db.jdbc()) {
      try (PreparedStatement ps = conn.prepareStatement(WRITE_SETTING)) {
        ps.setString(1, "code_secret_fingerprint");
        ps.setString(2, fingerprint);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = conn.prepareStatement(READ_SETTING)) {
        ps.setString(1, "code_secret_fingerprint");
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (!rs.getString(1).equals(fingerprint)) {
            throw new IllegalStateException("PACKCHECK_CODE_SECRET differs from the secret this database's codes "
                + "were hashed with; every code would answer \"fake\". Restore the original secret.");
          }
        }
      }
    }
  }

  /** Creates the admin token at first start when none is configured; returns it to be shown once. */
  public static Optional<String> firstAdminToken(Database db) throws SQLException {
    try (Connection conn = db.jdbc()) {
      conn.setAutoCommit(false);
      try (PreparedStatement lock = conn.prepareStatement(LOCK); PreparedStatement exists = conn.prepareStatement(ADMIN_EXISTS)) {
        lock.execute();
        try (ResultSet rs = exists.executeQuery()) {
          if (rs.next()) {
            conn.commit();
            return Optional.empty();
          }
        }
      }
      String token = Tokens.generate("pca_");
      try (PreparedStatement ps = conn.prepareStatement(INSERT_ADMIN)) {
        ps.setBytes(1, Tokens.digest(token));
        ps.executeUpdate();
      }
      conn.commit();
      return Optional.of(token);
    }
  }
}
