package com.packcheck.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** A statement kept in {@code src/main/resources/sql}, read once when its class loads. */
public final class SqlFile {
  private SqlFile() {
  }

  /** The text of {@code sql/<name>}; a missing file is a packaging bug, so it fails loudly. */
  public static String load(String name) {
    try (InputStream in = SqlFile.class.getClassLoader().getResourceAsStream("sql/" + name)) {
      if (in == null) {
        throw new IllegalStateException("sql/" + name + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
