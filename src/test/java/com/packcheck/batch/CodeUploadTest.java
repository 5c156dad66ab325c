package com.packcheck.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.support.Client;
import com.packcheck.support.OneInstanceTest;
import com.packcheck.support.Stack;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Uploading codes: all or nothing, retries harmless, formats learned")
class CodeUploadTest extends OneInstanceTest {
  static Stack.Account maker;
  static Stack.Account pharmacy;
  static long product;

  @BeforeAll
  static void start() {
    maker = world.maker;
    pharmacy = world.pharmacyA;
    product = world.product;
  }

  private static long newBatch() {
    return api.post("/v1/batches", maker.token(), new JsonObject().put("productId", product)
        .put("lot", "U" + System.nanoTime()).put("expiry", "2031-01-01")).json().getLong("id");
  }

  private static Client.Response upload(long batch, String body, String query) {
    return api.postRaw("/v1/batches/" + batch + "/codes" + query, maker.token(), "text/plain", body.getBytes());
  }

  private static long storedCodes(long batch) {
    return api.get("/v1/batches/" + batch, maker.token()).json().getLong("codes");
  }

  @Test
  @DisplayName("one invalid line refuses the whole upload with its counts; ?partial=true stores the valid codes")
  void allOrNothing() {
    long batch = newBatch();
    List<String> codes = Stack.codes(3);
    String body = codes.get(0) + "\n" + codes.get(1) + "\nnot a code!\n" + codes.get(2) + "\n" + codes.get(0) + "\n";
    Client.Response refused = upload(batch, body, "");
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.json().getMap()).containsEntry("received", 5).containsEntry("accepted", 0)
        .containsEntry("duplicates", 1).containsEntry("invalid", 1).containsEntry("error", "upload_refused");
    assertThat(refused.json().getJsonArray("invalidLines")).containsExactly(3);
    assertThat(storedCodes(batch)).isZero();

    Client.Response partial = upload(batch, body, "?partial=true");
    assertThat(partial.status()).isEqualTo(200);
    assertThat(partial.json().getMap()).containsEntry("accepted", 3).containsEntry("invalid", 1)
        .containsEntry("duplicates", 1);
    assertThat(storedCodes(batch)).isEqualTo(3);
  }

  @Test
  @DisplayName("a retried upload counts its codes as alreadyPresent and adds nothing")
  void retryIsHarmless() {
    long batch = newBatch();
    String body = String.join("\r\n", Stack.codes(50)) + "\r\n\r\n";
    assertThat(upload(batch, body, "").json().getInteger("accepted")).isEqualTo(50);
    Client.Response again = upload(batch, body, "");
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().getMap()).containsEntry("received", 50).containsEntry("accepted", 0)
        .containsEntry("alreadyPresent", 50);
    assertThat(storedCodes(batch)).isEqualTo(50);
  }

  @Test
  @DisplayName("a code already in another batch refuses the upload; with ?partial=true the rest is stored")
  void codeInAnotherBatch() {
    List<String> shared = Stack.codes(1);
    long first = newBatch();
    upload(first, shared.get(0), "");
    long second = newBatch();
    List<String> fresh = Stack.codes(2);
    String body = fresh.get(0) + "\n" + shared.get(0) + "\n" + fresh.get(1);
    Client.Response refused = upload(second, body, "");
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.json().getMap()).containsEntry("inOtherBatches", 1).containsEntry("accepted", 0);
    assertThat(storedCodes(second)).isZero();
    Client.Response partial = upload(second, body, "?partial=true");
    assertThat(partial.json().getMap()).containsEntry("inOtherBatches", 1).containsEntry("accepted", 2);
    assertThat(storedCodes(second)).isEqualTo(2);
    assertThat(storedCodes(first)).isEqualTo(1);
  }

  @Test
  @DisplayName("a gzip upload is streamed and decompressed")
  void gzip() throws Exception {
    long batch = newBatch();
    List<String> codes = Stack.codes(5000);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(String.join("\n", codes).getBytes());
    }
    Client.Response r = api.postRaw("/v1/batches/" + batch + "/codes", maker.token(), "text/plain",
        bytes.toByteArray(), "Content-Encoding", "gzip");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getInteger("accepted")).isEqualTo(5000);
  }

  @Test
  @DisplayName("codes go into draft batches only; an empty batch cannot be activated; a second activation is harmless")
  void lifecycle() {
    long batch = newBatch();
    Client.Response empty = api.post("/v1/batches/" + batch + "/activate", maker.token(), null);
    assertThat(empty.status()).isEqualTo(409);
    assertThat(empty.json().getString("error")).isEqualTo("batch_empty");
    upload(batch, Stack.codes(1).get(0), "");
    assertThat(api.post("/v1/batches/" + batch + "/activate", maker.token(), null).status()).isEqualTo(200);
    assertThat(api.post("/v1/batches/" + batch + "/activate", maker.token(), null).json().getString("state"))
        .isEqualTo("active");
    Client.Response late = upload(batch, Stack.codes(1).get(0), "");
    assertThat(late.status()).isEqualTo(409);
    assertThat(late.json().getString("error")).isEqualTo("batch_active");
    Client.Response dup = api.post("/v1/batches", maker.token(), new JsonObject().put("productId", product)
        .put("lot", api.get("/v1/batches/" + batch, maker.token()).json().getString("lot")).put("expiry", "2031-01-01"));
    assertThat(dup.status()).isEqualTo(409);
    api.post("/v1/batches/" + batch + "/recall", maker.token(), null);
    Client.Response reactivate = api.post("/v1/batches/" + batch + "/activate", maker.token(), null);
    assertThat(reactivate.status()).isEqualTo(409);
    assertThat(reactivate.json().getString("error")).isEqualTo("batch_recalled");
  }

  @Test
  @DisplayName("an unknown code is fake only if it fits a released format: length and alphabet")
  void formats() {
    Stack.Account otherMaker = world.stack.manufacturer(api, 1);
    long otherProduct = world.stack.product(api, otherMaker, "Format probe");
    List<String> digits = new ArrayList<>(Stack.codes(3));
    List<String> letters = List.of("AB12CD34EF", "GH56JK78MN");
    world.stack.activeBatch(api, otherMaker, otherProduct, digits);
    world.stack.activeBatch(api, otherMaker, otherProduct, letters);
    String code = digits.get(0);
    String unknown = (code.charAt(0) == '9' ? "8" : "9") + code.substring(1);
    assertThat(outcome(unknown)).isEqualTo("fake");
    assertThat(outcome("A" + digits.get(0).substring(1))).as("letters where the format has digits").isEqualTo("invalid");
    assertThat(outcome("123456789012")).as("a length no format has").isEqualTo("invalid");
    assertThat(outcome("ZZ99ZZ99ZZ")).isEqualTo("fake");
    assertThat(outcome("9999999999")).as("digits fit an alphanumeric format").isEqualTo("fake");
  }

  @Test
  @DisplayName("codes that fill more than 1 in 10,000 of their format's space are refused, past 1 in a million warned")
  void denseFormats() {
    List<String> sixDigits = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      sixDigits.add(String.format("%06d", 500_000 + i * 7));
    }
    long dense = newBatch();
    Client.Response refused = upload(dense, String.join("\n", sixDigits), "?partial=true");
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.json().getString("error")).isEqualTo("format_too_dense");
    assertThat(storedCodes(dense)).isZero();

    Client.Response warned = upload(dense, String.join("\n", sixDigits.subList(0, 3)), "");
    assertThat(warned.status()).isEqualTo(200);
    assertThat(warned.json().getInteger("accepted")).isEqualTo(3);
    assertThat(warned.json().getJsonArray("warnings").encode()).contains("length 6");

    Client.Response sparse = upload(newBatch(), String.join("\n", Stack.codes(3)), "");
    assertThat(sparse.json().getJsonArray("warnings")).isEmpty();
  }

  @Test
  @DisplayName("codes printed in spellings that normalize into one (O/0, I/L/1) are reported, and stored once")
  void normalizedCollisions() {
    long batch = newBatch();
    String body = "AB0C12D3E4\nABOC12D3E4\nab0c-12d3-e4\nXY1Z98W7V6\nXYLZ98W7V6\nQQ22RR33SS\n";
    Client.Response r = upload(batch, body, "");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getMap()).containsEntry("received", 6).containsEntry("accepted", 3)
        .containsEntry("duplicates", 3).containsEntry("normalizedCollisions", 2);
    assertThat(r.json().getJsonArray("warnings").encode()).contains("spellings");
  }

  @Test
  @DisplayName("an upload over the size limit, declared or decompressed (a gzip bomb), is refused with 413 and stores nothing")
  void sizeLimit() throws Exception {
    Client small = world.stack.start(java.util.Map.of("PACKCHECK_UPLOAD_MAX_MB", "1"));
    long batch = newBatch();
    ByteArrayOutputStream bomb = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bomb)) {
      byte[] lines = (String.join("\n", Stack.codes(1000)) + "\n").getBytes();
      for (int i = 0; i < 200; i++) {
        gz.write(lines);
      }
    }
    assertThat(bomb.size()).isLessThan(1024 * 1024);
    Client.Response r = small.postRaw("/v1/batches/" + batch + "/codes", maker.token(), "text/plain",
        bomb.toByteArray(), "Content-Encoding", "gzip");
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.json().getString("error")).isEqualTo("upload_too_large");
    byte[] plain = (String.join("\n", Stack.codes(70_000))).getBytes();
    Client.Response declared = small.postRaw("/v1/batches/" + batch + "/codes", maker.token(), "text/plain", plain);
    assertThat(declared.status()).isEqualTo(413);
    assertThat(statusOfDeclared20GbUpload(small, batch)).isEqualTo("HTTP/1.1 413 Request Entity Too Large");
    assertThat(storedCodes(batch)).isZero();
    world.stack.stop(small);
  }

  /** A client that announces 20 GB is answered at once, before a byte of the body is read. */
  private static String statusOfDeclared20GbUpload(Client instance, long batch) throws Exception {
    java.net.URI base = java.net.URI.create(instance.baseUrl());
    try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("POST /v1/batches/" + batch + "/codes HTTP/1.1\r\nHost: localhost\r\n"
          + "Authorization: Bearer " + maker.token() + "\r\nContent-Type: text/plain\r\n"
          + "Content-Length: 21474836480\r\n\r\n").getBytes());
      return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream())).readLine();
    }
  }

  private static String outcome(String code) {
    Client.Response r = api.post("/v1/verifications", pharmacy.token(), new JsonObject().put("code", code));
    return r.json().getString("outcome");
  }
}
