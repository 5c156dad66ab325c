package com.packcheck.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Settings read from the environment")
class ConfigTest {

  @Test
  @DisplayName("a secret may come from the file NAME_FILE names, as container secrets are mounted, without its final newline")
  void secretFromFile(@TempDir Path dir) throws Exception {
    Path secret = Files.writeString(dir.resolve("code-secret"), "s3cret-code-secret-of-32-bytes!!\n");
    Path admin = Files.writeString(dir.resolve("admin-token"), "pca_from_a_file");
    Config config = Config.from(Map.of("PACKCHECK_CODE_SECRET_FILE", secret.toString(),
        "PACKCHECK_ADMIN_TOKEN_FILE", admin.toString()));
    assertThat(config.codeSecret()).contains("s3cret-code-secret-of-32-bytes!!");
    assertThat(config.adminToken()).contains("pca_from_a_file");
    assertThat(Config.from(Map.of("PACKCHECK_ADMIN_TOKEN", "pca_plain")).adminToken()).contains("pca_plain");
  }

  @Test
  @DisplayName("a secret file that is missing or empty, or a secret given twice, stops the start with its name")
  void badSecretFiles(@TempDir Path dir) throws Exception {
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    assertThatThrownBy(() -> Config.from(Map.of("PACKCHECK_CODE_SECRET_FILE", dir.resolve("absent").toString())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PACKCHECK_CODE_SECRET_FILE: cannot read");
    assertThatThrownBy(() -> Config.from(Map.of("PACKCHECK_ADMIN_TOKEN_FILE", empty.toString())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is empty");
    assertThatThrownBy(() -> Config.from(Map.of("PACKCHECK_ADMIN_TOKEN_FILE", empty.toString(),
        "PACKCHECK_ADMIN_TOKEN", "pca_x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not both");
  }

  @Test
  @DisplayName("PACKCHECK_EMBEDDED=false demands both stores by URL and the code secret instead of making them")
  void noEmbeddedStores() {
    assertThatThrownBy(() -> Config.from(Map.of("PACKCHECK_EMBEDDED", "false",
        "PACKCHECK_REDIS_URL", "redis://redis:6379")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PACKCHECK_PG_URL is required");
    assertThatThrownBy(() -> Config.from(Map.of("PACKCHECK_EMBEDDED", "false",
        "PACKCHECK_PG_URL", "postgresql://postgres@pg:5432/packcheck")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PACKCHECK_REDIS_URL is required");
    assertThatThrownBy(() -> Config.from(Map.of("PACKCHECK_EMBEDDED", "false",
        "PACKCHECK_PG_URL", "postgresql://postgres@pg:5432/packcheck", "PACKCHECK_REDIS_URL", "redis://redis:6379")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PACKCHECK_CODE_SECRET (or _FILE) is required");
    Config both = Config.from(Map.of("PACKCHECK_EMBEDDED", "false", "PACKCHECK_CODE_SECRET", "a-code-secret",
        "PACKCHECK_PG_URL", "postgresql://postgres@pg:5432/packcheck", "PACKCHECK_REDIS_URL", "redis://redis:6379"));
    assertThat(both.pgUrl()).isPresent();
    assertThat(Config.from(Map.of()).pgUrl()).as("embedded by default").isEmpty();
  }

  @Test
  @DisplayName("a log format or level logback would not understand stops the start with the values allowed")
  void logSettings() {
    assertThatThrownBy(() -> Config.from(Map.of("PACKCHECK_LOG_FORMAT", "xml")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("PACKCHECK_LOG_FORMAT must be one of [json, plain], got 'xml'");
    assertThatThrownBy(() -> Config.from(Map.of("PACKCHECK_LOG_LEVEL", "debug")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PACKCHECK_LOG_LEVEL must be one of");
    assertThat(Config.from(Map.of("PACKCHECK_LOG_FORMAT", "json", "PACKCHECK_LOG_LEVEL", "DEBUG")).httpPort()).isEqualTo(8080);
  }
}
