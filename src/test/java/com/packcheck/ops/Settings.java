package com.packcheck.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The PACKCHECK_* names the main code reads, from its source: what a deployment may set. */
final class Settings {
  private static final Pattern NAME = Pattern.compile("\"(PACKCHECK_[A-Z0-9_]*[A-Z0-9])\"");
  /** One SMSC's settings, read as PACKCHECK_SMPP_<NAME> (or smsc.<smsc>.<name> in PACKCHECK_SMPP_CONFIG). */
  private static final Pattern SMSC_SETTING = Pattern.compile("(?:setting\\.apply\\(|required\\(setting, )\"([a-z_]+)\"");

  private Settings() {}

  static Set<String> readByTheCode() {
    Set<String> names = new TreeSet<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String source = Files.readString(file);
        Matcher m = NAME.matcher(source);
        while (m.find()) {
          names.add(m.group(1));
        }
        Matcher smsc = SMSC_SETTING.matcher(source);
        while (smsc.find()) {
          names.add("PACKCHECK_SMPP_" + smsc.group(1).toUpperCase(Locale.ROOT));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names;
  }

  /** Whether {@code env}, as a deployment sets it, is a setting PackCheck reads (NAME_FILE for a secret NAME). */
  static boolean isRead(String env, Set<String> read) {
    return read.contains(env) || (env.endsWith("_FILE") && read.contains(env.substring(0, env.length() - 5)));
  }
}
