package com.packcheck.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The code secret: from PACKCHECK_CODE_SECRET, else generated once and kept in the data directory. */
public final class Secrets {
  private static final Logger LOG = LoggerFactory.getLogger(Secrets.class);
  private static final String FILE = "code-secret";

  private Secrets() {
  }

  public static byte[] codeSecret(Config config) throws IOException {
    if (config.codeSecret().isPresent()) {
      return config.codeSecret().get().getBytes(StandardCharsets.UTF_8);
    }
    Path file = config.dataDir().resolve(FILE);
    if (!Files.exists(file)) {
      Files.createDirectories(config.dataDir());
      byte[] secret = new byte[32];
      new SecureRandom().nextBytes(secret);
      Files.writeString(file, Base64.getEncoder().encodeToString(secret) + "\n");
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        LOG.debug("no POSIX permissions on this file system");
      }
      LOG.warn("Generated a new code secret in {}. BACK IT UP: without it every code answers \"fake\".", file);
    } else {
      LOG.info("Code secret read from {} (keep a backup of it)", file);
    }
    return Files.readString(file).trim().getBytes(StandardCharsets.UTF_8);
  }
}
