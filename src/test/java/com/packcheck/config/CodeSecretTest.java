package com.packcheck.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.packcheck.support.Client;
import com.packcheck.support.Stack;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The code secret")
class CodeSecretTest {

  @Test
  @DisplayName("an instance with another code secret than the database's refuses to start, instead of answering fake")
  void wrongSecretRefused() {
    try (Stack stack = new Stack()) {
      Client first = stack.start();
      assertThat(first.get("/health", null).status()).isEqualTo(200);
      assertThatThrownBy(() -> stack.start(Map.of("PACKCHECK_CODE_SECRET", "not-the-secret")))
          .hasStackTraceContaining("PACKCHECK_CODE_SECRET differs");
      assertThat(stack.start().get("/health", null).status()).as("the right secret still starts").isEqualTo(200);
    }
  }
}
