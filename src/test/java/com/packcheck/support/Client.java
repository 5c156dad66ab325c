package com.packcheck.support;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A plain HTTP client for one PackCheck instance, as a pharmacy's or manufacturer's software would be. */
public final class Client {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private final String base;

  public Client(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  public String baseUrl() {
    return base;
  }

  public record Response(int status, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  public Response post(String path, String token, Object json, String... headers) {
    return postAsync(path, token, json, headers).join();
  }

  public CompletableFuture<Response> postAsync(String path, String token, Object json, String... headers) {
    HttpRequest.Builder b = request(path, token, headers).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json == null ? "" : json.toString()));
    return send(b);
  }

  public Response postRaw(String path, String token, String contentType, byte[] body, String... headers) {
    HttpRequest.Builder b = request(path, token, headers).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return send(b).join();
  }

  public Response put(String path, String token, Object json) {
    return send(request(path, token).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(json.toString()))).join();
  }

  public Response get(String path, String token) {
    return send(request(path, token).GET()).join();
  }

  private HttpRequest.Builder request(String path, String token, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b;
  }

  private static CompletableFuture<Response> send(HttpRequest.Builder b) {
    return HTTP.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> new Response(r.statusCode(), r.body()));
  }
}
