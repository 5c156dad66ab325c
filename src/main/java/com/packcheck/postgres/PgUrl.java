package com.packcheck.postgres;

import io.vertx.pgclient.PgConnectOptions;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** A PostgreSQL URL ({@code postgresql://user:password@host:port/database}) for both drivers we use. */
public record PgUrl(String host, int port, String database, String user, String password) {

  public static PgUrl parse(String url) {
    URI uri = URI.create(url.startsWith("jdbc:") ? url.substring(5) : url);
    if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
      throw new IllegalArgumentException("PACKCHECK_PG_URL must look like postgresql://user@host:port/db, got " + url);
    }
    String user = "postgres";
    String password = "";
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : "";
    }
    String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
    return new PgUrl(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), db, user, password);
  }

  public String jdbcUrl(String schema) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database + "?currentSchema=" + schema;
  }

  public PgConnectOptions connectOptions(String schema) {
    PgConnectOptions options = new PgConnectOptions()
        .setHost(host).setPort(port).setDatabase(database).setUser(user).setPassword(password)
        .setCachePreparedStatements(true)
        // the ledger's group statement is longer than the 2048-character default: parse it once, not per group
        .setPreparedStatementCacheSqlLimit(16_384)
        .setPipeliningLimit(16);
    options.getProperties().put("search_path", schema);
    options.getProperties().put("application_name", "packcheck");
    return options;
  }

  public String display() {
    return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
