package com.packcheck.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.core.util.Yaml;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The served contract as an independent linter reads it (Redocly's recommended rules that matter here). */
@DisplayName("The served openapi.yaml parses cleanly and passes the linter's rules")
class OpenApiContractTest {
  static String text;
  static OpenAPI api;
  static List<String> parseMessages;

  @BeforeAll
  static void read() throws IOException {
    try (InputStream in = OpenApiContractTest.class.getResourceAsStream("/openapi.yaml")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult result = new OpenAPIV3Parser().readContents(text, null, options);
    api = result.getOpenAPI();
    parseMessages = result.getMessages();
  }

  @Test
  @DisplayName("swagger-parser reads it without a single message")
  void parses() {
    assertThat(parseMessages).isEmpty();
    assertThat(api).isNotNull();
  }

  @Test
  @DisplayName("no value is null and every description is text: an unquoted ': ' or ', ' in a flow mapping would make one")
  void noYamlMisparse() throws IOException {
    List<String> wrong = new ArrayList<>();
    walk(Yaml.mapper().readTree(text), "", wrong);
    assertThat(wrong).isEmpty();
  }

  @Test
  @DisplayName("every operation has a unique operationId and at least one 4XX response")
  void operations() {
    List<String> ids = new ArrayList<>();
    api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
      String where = method + " " + path;
      assertThat(op.getOperationId()).as("operationId of %s", where).isNotBlank();
      ids.add(op.getOperationId());
      assertThat(op.getResponses().keySet()).as("responses of %s", where).anyMatch(s -> s.matches("4(\\d\\d|XX)"));
    }));
    assertThat(ids).doesNotHaveDuplicates().isNotEmpty();
  }

  @Test
  @DisplayName("every response has a description, and info has a license")
  void descriptions() {
    assertThat(api.getInfo().getLicense()).isNotNull();
    assertThat(api.getInfo().getLicense().getName()).isNotBlank();
    api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) ->
        responses(op).forEach((status, description) ->
            assertThat(description).as("description of %s %s %s", method, path, status).isNotBlank())));
  }

  /** Each response's description, through its $ref to components when it has one. */
  private static Map<String, String> responses(Operation op) {
    Map<String, String> descriptions = new TreeMap<>();
    op.getResponses().forEach((status, response) -> {
      var resolved = response.get$ref() == null ? response : api.getComponents().getResponses()
          .get(response.get$ref().substring(response.get$ref().lastIndexOf('/') + 1));
      descriptions.put(status, resolved == null ? null : resolved.getDescription());
    });
    return descriptions;
  }

  private static void walk(JsonNode node, String pointer, List<String> wrong) {
    if (node.isNull()) {
      wrong.add(pointer + " is null");
    } else if (node.isObject()) {
      node.fields().forEachRemaining(field -> {
        String at = pointer + "/" + field.getKey();
        if (field.getKey().equals("description") && !field.getValue().isTextual()) {
          wrong.add(at + " is not text");
        }
        walk(field.getValue(), at, wrong);
      });
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), pointer + "/" + i, wrong);
      }
    }
  }
}
