package com.packcheck.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

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
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md lists every setting the code reads, and only those. The names come from the
 * source itself: each complete {@code "PACKCHECK_…"} string literal, and each prefix literal ending in
 * {@code _} that is concatenated with the SMSC setting names SmsSettings reads (the same names are the
 * keys of the PACKCHECK_SMPP_CONFIG file, {@code smsc.<name>.<setting>}). The table rows name one
 * setting each, in backquotes, in the first column.
 */
@DisplayName("docs/configuration.md names every setting the code reads, and none it does not")
class ConfigurationDocsTest {
  private static final Path MAIN = Path.of("src/main/java");
  private static final Path TESTS = Path.of("src/test/java");
  private static final Path DOC = Path.of("docs/configuration.md");
  private static final Path SMS_SETTINGS = MAIN.resolve("com/packcheck/config/SmsSettings.java");
  private static final String TEST_ONLY = "PACKCHECK_TEST_";

  private static final Pattern NAME = Pattern.compile("\"(PACKCHECK_[A-Z0-9_]*[A-Z0-9])\"");
  private static final Pattern PREFIX = Pattern.compile("\"(PACKCHECK_[A-Z0-9_]*_)\"\\s*\\+");
  private static final Pattern SMSC_SETTING = Pattern.compile("(?:setting\\.apply\\(|required\\(setting,\\s*)\"([a-z_]+)\"");
  private static final Pattern DOC_NAME = Pattern.compile("`(PACKCHECK_[A-Z0-9_]+|smsc\\.<name>\\.[a-z_]+)`");

  @Test
  @DisplayName("every PACKCHECK_* variable the code reads has a row, and every row is a variable the code reads")
  void environmentVariables() {
    Set<String> read = new TreeSet<>();
    Map<String, Path> prefixes = new TreeMap<>();
    for (Path file : javaFiles(MAIN)) {
      String source = read(file);
      read.addAll(matches(NAME, source));
      matches(PREFIX, source).forEach(prefix -> prefixes.put(prefix, file));
    }
    prefixes.forEach((prefix, file) -> {
      assertThat(file).as("%s is completed with setting names only SmsSettings is known to read; teach this test "
          + "how %s builds its names", prefix, file).isEqualTo(SMS_SETTINGS);
      smscSettings().forEach(setting -> read.add(prefix + setting.toUpperCase(Locale.ROOT)));
    });
    read.removeIf(name -> name.startsWith(TEST_ONLY));
    assertThat(read).as("settings read in src/main/java").contains("PACKCHECK_PG_URL", "PACKCHECK_SMPP_HOST");

    assertSameNames(read, documented(name -> name.startsWith("PACKCHECK_") && !name.startsWith(TEST_ONLY)));
  }

  @Test
  @DisplayName("every key of the PACKCHECK_SMPP_CONFIG file has a row, and every row is a key SmsSettings reads")
  void smscFileKeys() {
    assertThat(read(SMS_SETTINGS)).as("SmsSettings reads smsc.<name>.<setting> keys").contains("\"smsc.\" + name + \".\"");
    Set<String> keys = new TreeSet<>();
    smscSettings().forEach(setting -> keys.add("smsc.<name>." + setting));

    assertSameNames(keys, documented(name -> name.startsWith("smsc.")));
  }

  @Test
  @DisplayName("the tests' own PACKCHECK_TEST_* variables have rows, and no row names one the tests do not read")
  void testOnlyVariables() {
    Set<String> read = new TreeSet<>();
    javaFiles(TESTS).forEach(file -> matches(NAME, read(file)).stream()
        .filter(name -> name.startsWith(TEST_ONLY)).forEach(read::add));
    assertThat(read).as("settings read in src/test/java").contains("PACKCHECK_TEST_PG_URL");

    assertSameNames(read, documented(name -> name.startsWith(TEST_ONLY)));
  }

  private static void assertSameNames(Set<String> read, Set<String> documented) {
    Set<String> missing = new TreeSet<>(read);
    missing.removeAll(documented);
    Set<String> stale = new TreeSet<>(documented);
    stale.removeAll(read);
    assertSoftly(soft -> {
      soft.assertThat(missing).as("read by the code but missing from %s", DOC).isEmpty();
      soft.assertThat(stale).as("in %s but no longer read by the code", DOC).isEmpty();
    });
  }

  /** The setting names SmsSettings reads for one SMSC, from the environment or the file alike. */
  private static Set<String> smscSettings() {
    Set<String> settings = matches(SMSC_SETTING, read(SMS_SETTINGS));
    assertThat(settings).as("SMSC settings found in %s", SMS_SETTINGS).contains("host", "port", "password");
    return settings;
  }

  /** The names in the first column of the document's table rows that the filter keeps. */
  private static Set<String> documented(Predicate<String> keep) {
    Set<String> names = new TreeSet<>();
    read(DOC).lines().filter(line -> line.startsWith("|")).forEach(line -> {
      String firstColumn = line.substring(1, Math.max(1, line.indexOf('|', 1)));
      matches(DOC_NAME, firstColumn).stream().filter(keep).forEach(names::add);
    });
    return names;
  }

  private static Set<String> matches(Pattern pattern, String text) {
    Set<String> found = new TreeSet<>();
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }

  private static List<Path> javaFiles(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(f -> f.toString().endsWith(".java")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
