package com.packcheck.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything PackCheck reads from its environment, read once at start-up.
 *
 * @param pgUrl        external PostgreSQL ({@code postgresql://user:pass@host:port/db}); empty → embedded
 * @param pgSchema     schema to work in (tests isolate themselves with one each)
 * @param redisUrl     external Redis ({@code redis://host:port/db}); empty → embedded
 * @param redisPrefix  prefix of every Redis key (tests isolate themselves with one each)
 * @param redisBucketBits how many buckets (2^bits) codes are spread over; ~128 codes a bucket at most
 *                     keeps Redis's compact encoding
 * @param pgReplyTimeout how long a pool connection may wait for PostgreSQL's reply, with nothing heard either
 *                     way, before it counts as lost and is closed (longer than any statement should run)
 * @param commitTimeout how long a ledger group may wait for PostgreSQL before its outcome counts as unknown
 * @param ledgerConnections groups in flight per event loop, each on a connection of its own
 * @param ledgerRollup how often the ledger is rolled up for the reports
 * @param ledgerSettled how long after its id was drawn a check is surely committed or abandoned: must
 *                     exceed the commit timeout
 * @param uploadMaxBytes the most an upload may hold once decompressed
 * @param sms          the SMS channel (disabled when no SMSC is configured)
 * @param alertScan    how often the ledger is scanned for alerts
 * @param cloneCustomers distinct customers of one code that make it a cloned code
 * @param burstFakes   fake checks an hour from one sender that make a burst (five times that for a region)
 * @param webhookBackoff the first wait before a failed webhook delivery is retried (it doubles, up to an hour)
 * @param webhookTimeout the most one webhook POST may take, connecting and the whole answer included
 * @param clock        the time of each check in the ledger (and of the alert scan over it): the system's UTC
 *                     clock; not read from the environment, tests give an instance another one
 */
public record Config(
    int httpPort,
    Optional<String> pgUrl,
    String pgSchema,
    Optional<String> redisUrl,
    String redisPrefix,
    int redisBucketBits,
    Duration redisTimeout,
    Path dataDir,
    Optional<String> adminToken,
    Optional<String> codeSecret,
    int pgPoolSize,
    Duration pgReplyTimeout,
    Duration commitTimeout,
    int verticles,
    int ledgerConnections,
    Duration ledgerRollup,
    Duration ledgerSettled,
    long uploadMaxBytes,
    SmsSettings sms,
    Duration alertScan,
    int cloneCustomers,
    int burstFakes,
    Duration webhookBackoff,
    Duration webhookTimeout,
    Clock clock) {

  public Config {
    if (ledgerSettled.compareTo(commitTimeout) <= 0) {
      throw new IllegalArgumentException("PACKCHECK_LEDGER_SETTLED_MS must exceed PACKCHECK_COMMIT_TIMEOUT_MS: "
          + "a check may still commit until its timeout");
    }
  }

  public static Config fromEnvironment() {
    return from(System.getenv());
  }

  public static Config from(Map<String, String> env) {
    // read by logback.xml itself, before any of this runs: checked here so a typo stops the start
    oneOf(env, "PACKCHECK_LOG_FORMAT", Set.of("plain", "json"));
    oneOf(env, "PACKCHECK_LOG_LEVEL", Set.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE"));
    if (!value(env, "PACKCHECK_EMBEDDED").map(Boolean::parseBoolean).orElse(true)) {
      // an image or a cluster must never fall back to stores, or a code secret, that vanish with the container
      for (String store : new String[] {"PACKCHECK_PG_URL", "PACKCHECK_REDIS_URL"}) {
        if (secret(env, store).isEmpty()) {
          throw new IllegalArgumentException(store + " is required: PACKCHECK_EMBEDDED=false rules out the embedded stores");
        }
      }
      if (secret(env, "PACKCHECK_CODE_SECRET").isEmpty()) {
        throw new IllegalArgumentException("PACKCHECK_CODE_SECRET (or _FILE) is required with PACKCHECK_EMBEDDED=false: "
            + "a secret generated into the container would be lost with it");
      }
    }
    return new Config(
        intValue(env, "PACKCHECK_HTTP_PORT", 8080),
        secret(env, "PACKCHECK_PG_URL"),
        value(env, "PACKCHECK_PG_SCHEMA").orElse("public"),
        value(env, "PACKCHECK_REDIS_URL"),
        value(env, "PACKCHECK_REDIS_PREFIX").orElse("pc"),
        intValue(env, "PACKCHECK_REDIS_BUCKET_BITS", 17),
        Duration.ofMillis(intValue(env, "PACKCHECK_REDIS_TIMEOUT_MS", 250)),
        value(env, "PACKCHECK_DATA_DIR").map(Path::of)
            .orElse(Path.of(System.getProperty("user.home"), ".packcheck")),
        secret(env, "PACKCHECK_ADMIN_TOKEN"),
        secret(env, "PACKCHECK_CODE_SECRET"),
        intValue(env, "PACKCHECK_PG_POOL_SIZE", 8),
        Duration.ofMillis(intValue(env, "PACKCHECK_PG_REPLY_TIMEOUT_MS", 60_000)),
        Duration.ofMillis(intValue(env, "PACKCHECK_COMMIT_TIMEOUT_MS", 5000)),
        intValue(env, "PACKCHECK_VERTICLES", Runtime.getRuntime().availableProcessors()),
        intValue(env, "PACKCHECK_LEDGER_CONNECTIONS", 1),
        Duration.ofMillis(intValue(env, "PACKCHECK_LEDGER_ROLLUP_MS", 10_000)),
        Duration.ofMillis(intValue(env, "PACKCHECK_LEDGER_SETTLED_MS", 120_000)),
        intValue(env, "PACKCHECK_UPLOAD_MAX_MB", 1024) * 1024L * 1024L,
        SmsSettings.from(env),
        Duration.ofMillis(intValue(env, "PACKCHECK_ALERT_SCAN_MS", 5000)),
        intValue(env, "PACKCHECK_ALERT_CLONE_CUSTOMERS", 3),
        intValue(env, "PACKCHECK_ALERT_BURST_FAKES", 10),
        Duration.ofMillis(intValue(env, "PACKCHECK_WEBHOOK_BACKOFF_MS", 5000)),
        Duration.ofMillis(intValue(env, "PACKCHECK_WEBHOOK_TIMEOUT_MS", 10_000)),
        Clock.systemUTC());
  }

  public Config withPgUrl(String url) {
    return new Config(httpPort, Optional.of(url), pgSchema, redisUrl, redisPrefix, redisBucketBits, redisTimeout,
        dataDir, adminToken, codeSecret, pgPoolSize, pgReplyTimeout, commitTimeout, verticles, ledgerConnections, ledgerRollup, ledgerSettled,
        uploadMaxBytes, sms, alertScan, cloneCustomers, burstFakes, webhookBackoff, webhookTimeout, clock);
  }

  public Config withRedisUrl(String url) {
    return new Config(httpPort, pgUrl, pgSchema, Optional.of(url), redisPrefix, redisBucketBits, redisTimeout,
        dataDir, adminToken, codeSecret, pgPoolSize, pgReplyTimeout, commitTimeout, verticles, ledgerConnections, ledgerRollup, ledgerSettled,
        uploadMaxBytes, sms, alertScan, cloneCustomers, burstFakes, webhookBackoff, webhookTimeout, clock);
  }

  public Config withClock(Clock other) {
    return new Config(httpPort, pgUrl, pgSchema, redisUrl, redisPrefix, redisBucketBits, redisTimeout,
        dataDir, adminToken, codeSecret, pgPoolSize, pgReplyTimeout, commitTimeout, verticles, ledgerConnections, ledgerRollup, ledgerSettled,
        uploadMaxBytes, sms, alertScan, cloneCustomers, burstFakes, webhookBackoff, webhookTimeout, other);
  }

  private static Optional<String> value(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty());
  }

  /**
   * NAME's value, or the content of the file NAME_FILE names (a container secret), never both. The
   * PostgreSQL URL is read this way too: it may hold the password.
   */
  private static Optional<String> secret(Map<String, String> env, String name) {
    Optional<String> file = value(env, name + "_FILE");
    if (file.isEmpty()) {
      return value(env, name);
    }
    if (value(env, name).isPresent()) {
      throw new IllegalArgumentException("set " + name + " or " + name + "_FILE, not both");
    }
    String content;
    try {
      content = Files.readString(Path.of(file.get()), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException(name + "_FILE: cannot read " + file.get() + " (" + e.getMessage() + ")");
    }
    if (content.isEmpty()) {
      throw new IllegalArgumentException(name + "_FILE: " + file.get() + " is empty");
    }
    return Optional.of(content);
  }

  private static void oneOf(Map<String, String> env, String name, Set<String> allowed) {
    value(env, name).filter(v -> !allowed.contains(v)).ifPresent(v -> {
      throw new IllegalArgumentException(name + " must be one of " + new TreeSet<>(allowed) + ", got '" + v + "'");
    });
  }

  private static int intValue(Map<String, String> env, String name, int fallback) {
    return value(env, name).map(v -> {
      try {
        return Integer.parseInt(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + " must be a whole number, got '" + v + "'");
      }
    }).orElse(fallback);
  }
}
