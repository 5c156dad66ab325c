package com.packcheck.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.SimpleValidationReportFormat;
import com.atlassian.oai.validator.report.ValidationReport;
import com.packcheck.support.Client;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Calls one instance and checks every exchange against the openapi.yaml it serves: the request, and
 * the response's status, Content-Type, headers and body against the operation's schemas.
 */
final class ContractClient {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final String base;
  private final OpenApiInteractionValidator contract;

  ContractClient(Client instance) {
    this.base = instance.baseUrl();
    this.contract = OpenApiInteractionValidator
        .createForInlineApiSpecification(instance.get("/openapi.yaml", null).body()).build();
  }

  Client.Response get(String path, String token) {
    return exchange("GET", path, token, null, null);
  }

  /** A JSON body, or none for {@code json == null}; {@code headers} as name, value, name, value… */
  Client.Response post(String path, String token, Object json, String... headers) {
    return json == null ? exchange("POST", path, token, null, null, headers)
        : exchange("POST", path, token, "application/json", json.toString().getBytes(StandardCharsets.UTF_8), headers);
  }

  Client.Response postRaw(String path, String token, String contentType, byte[] body) {
    return exchange("POST", path, token, contentType, body);
  }

  private Client.Response exchange(String method, String path, String token, String contentType, byte[] body,
      String... headers) {
    HttpRequest.Builder http = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    int query = path.indexOf('?');
    SimpleRequest.Builder request = new SimpleRequest.Builder(method, query < 0 ? path : path.substring(0, query));
    if (query >= 0) {
      for (String pair : path.substring(query + 1).split("&")) {
        String[] kv = pair.split("=", 2);
        request.withQueryParam(decode(kv[0]), kv.length > 1 ? decode(kv[1]) : "");
      }
    }
    if (token != null) {
      http.header("Authorization", "Bearer " + token);
      request.withAuthorization("Bearer " + token);
    }
    if (contentType != null) {
      http.header("Content-Type", contentType);
      request.withContentType(contentType);
    }
    if (body != null) {
      request.withBody(body);
    }
    for (int i = 0; i < headers.length; i += 2) {
      http.header(headers[i], headers[i + 1]);
      request.withHeader(headers[i], headers[i + 1]);
    }
    HttpResponse<String> r = HTTP.sendAsync(http.build(), HttpResponse.BodyHandlers.ofString()).join();
    SimpleResponse.Builder response = SimpleResponse.Builder.status(r.statusCode()).withBody(r.body());
    r.headers().map().forEach(response::withHeader);
    r.headers().firstValue("Content-Type").ifPresent(response::withContentType);
    ValidationReport report = contract.validate(request.build(), response.build());
    assertThat(report.getMessages()).as("%s %s answered %d %s against openapi.yaml:%n%s", method, path,
        r.statusCode(), r.body(), SimpleValidationReportFormat.getInstance().apply(report)).isEmpty();
    return new Client.Response(r.statusCode(), r.body());
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
