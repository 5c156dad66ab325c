package com.packcheck.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

import com.packcheck.support.Settings;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;
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
  private static final Path TESTS = Path.of("src/test/java");
  private static final Path DOC = Path.of("docs/configuration.md");

  private static final Pattern DOC_NAME = Pattern.compile("`(PACKCHECK_[A-Z0-9_]+|smsc\\.<name>\\.[a-z_]+)`");

  @Test
  @DisplayName("every PACKCHECK_* variable the code reads has a row, and every row is a variable the code reads")
  void environmentVariables() {
    assertSameNames(Settings.readByTheCode(),
        documented(name -> name.startsWith("PACKCHECK_") && !name.startsWith(Settings.TEST_ONLY)));
  }

  @Test
  @DisplayName("every key of the PACKCHECK_SMPP_CONFIG file has a row, and every row is a key SmsSettings reads")
  void smscFileKeys() {
    assertThat(Settings.read(Settings.SMS_SETTINGS)).as("SmsSettings reads smsc.<name>.<setting> keys")
        .contains("\"smsc.\" + name + \".\"");
    Set<String> keys = new TreeSet<>();
    Settings.smscSettings().forEach(setting -> keys.add("smsc.<name>." + setting));

    assertSameNames(keys, documented(name -> name.startsWith("smsc.")));
  }

  @Test
  @DisplayName("the tests' own PACKCHECK_TEST_* variables have rows, and no row names one the tests do not read")
  void testOnlyVariables() {
    Set<String> read = new TreeSet<>();
    Settings.javaFiles(TESTS).forEach(file -> Settings.matches(Settings.NAME, Settings.read(file)).stream()
        .filter(name -> name.startsWith(Settings.TEST_ONLY)).forEach(read::add));
    assertThat(read).as("settings read in src/test/java").contains("PACKCHECK_TEST_PG_URL");

    assertSameNames(read, documented(name -> name.startsWith(Settings.TEST_ONLY)));
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

  /** The names in the first column of the document's table rows that the filter keeps. */
  private static Set<String> documented(Predicate<String> keep) {
    Set<String> names = new TreeSet<>();
    Settings.read(DOC).lines().filter(line -> line.startsWith("|")).forEach(line -> {
      String firstColumn = line.substring(1, Math.max(1, line.indexOf('|', 1)));
      Settings.matches(DOC_NAME, firstColumn).stream().filter(keep).forEach(names::add);
    });
    return names;
  }
}
