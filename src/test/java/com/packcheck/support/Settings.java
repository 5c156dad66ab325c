package com.packcheck.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The PACKCHECK_* settings the main code reads, from its source: each complete {@code "PACKCHECK_…"}
 * string literal, and each prefix literal ending in {@code _} that SmsSettings completes with the setting
 * names it reads for one SMSC (the same names are the keys of the PACKCHECK_SMPP_CONFIG file).
 */
public final class Settings {
  public static final Path MAIN = Path.of("src/main/java");
  public static final Path SMS_SETTINGS = MAIN.resolve("com/packcheck/config/SmsSettings.java");
  public static final String TEST_ONLY = "PACKCHECK_TEST_";
  public static final Pattern NAME = Pattern.compile("\"(PACKCHECK_[A-Z0-9_]*[A-Z0-9])\"");
  private static final Pattern PREFIX = Pattern.compile("\"(PACKCHECK_[A-Z0-9_]*_)\"\\s*\\+");
  private static final Pattern SMSC_SETTING = Pattern.compile("(?:setting\\.apply\\(|required\\(setting,\\s*)\"([a-z_]+)\"");

  private Settings() {
  }

  /** Every setting src/main/java reads, test-only ones aside. */
  public static Set<String> readByTheCode() {
    Set<String> read = new TreeSet<>();
    Map<String, Path> prefixes = new TreeMap<>();
    for (Path file : javaFiles(MAIN)) {
      String source = read(file);
      read.addAll(matches(NAME, source));
      matches(PREFIX, source).forEach(prefix -> prefixes.put(prefix, file));
    }
    prefixes.forEach((prefix, file) -> {
      assertThat(file).as("%s is completed with setting names only SmsSettings is known to read; teach "
          + "support/Settings how %s builds its names", prefix, file).isEqualTo(SMS_SETTINGS);
      smscSettings().forEach(setting -> read.add(prefix + setting.toUpperCase(Locale.ROOT)));
    });
    read.removeIf(name -> name.startsWith(TEST_ONLY));
    assertThat(read).as("settings read in src/main/java").contains("PACKCHECK_PG_URL", "PACKCHECK_SMPP_HOST");
    return read;
  }

  /** Whether a deployment's variable is a setting PackCheck reads: NAME, or NAME_FILE for a secret NAME. */
  public static boolean isRead(String variable, Set<String> read) {
    return read.contains(variable)
        || (variable.endsWith("_FILE") && read.contains(variable.substring(0, variable.length() - "_FILE".length())));
  }

  /** The setting names SmsSettings reads for one SMSC, from the environment or the file alike. */
  public static Set<String> smscSettings() {
    Set<String> settings = matches(SMSC_SETTING, read(SMS_SETTINGS));
    assertThat(settings).as("SMSC settings found in %s", SMS_SETTINGS).contains("host", "port", "password");
    return settings;
  }

  public static Set<String> matches(Pattern pattern, String text) {
    Set<String> found = new TreeSet<>();
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }

  public static List<Path> javaFiles(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(f -> f.toString().endsWith(".java")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
