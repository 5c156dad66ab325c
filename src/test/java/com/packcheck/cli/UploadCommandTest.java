package com.packcheck.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.packcheck.PackCheck;
import com.packcheck.config.Config;
import com.packcheck.support.Client;
import com.packcheck.support.SparePort;
import com.packcheck.support.Stack;
import com.packcheck.support.TcpProxy;
import com.packcheck.support.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The upload command streams a file of codes into a draft batch")
class UploadCommandTest {
  static Stack stack;
  static PackCheck app;
  static Client api;
  static String url;
  static Stack.Account maker;
  static long product;
  @TempDir
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    stack = new Stack();
    // Started here rather than by the Stack: the link-cut test puts a proxy in front of this port.
    app = PackCheck.start(Config.from(stack.environment()));
    api = new Client(app.port());
    url = "http://127.0.0.1:" + app.port();
    maker = stack.manufacturer(api, 5);
    product = stack.product(api, maker, "Upload CLI product");
  }

  @AfterAll
  static void stop() {
    app.close();
    stack.close();
  }

  /** What one run of the command left: its exit code and what it printed. */
  record Run(int exit, String out, String err) {
    JsonObject json() {
      return new JsonObject(out);
    }
  }

  private static Run upload(String... args) {
    return uploadReading(InputStream.nullInputStream(), args);
  }

  private static Run uploadReading(InputStream stdin, String... args) {
    return uploadIn(Map.of(), stdin, args);
  }

  /** The command run with {@code env} as its environment. */
  private static Run uploadIn(Map<String, String> env, InputStream stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = UploadCommand.run(args, env, stdin, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Run upload(long batch, Path file, String... more) {
    List<String> args = new ArrayList<>(List.of("--url", url, "--token", maker.token(), "--batch", "" + batch));
    args.addAll(List.of(more));
    args.add(file.toString());
    return upload(args.toArray(String[]::new));
  }

  private static long newBatch() {
    return api.post("/v1/batches", maker.token(), new JsonObject().put("productId", product)
        .put("lot", "CLI" + System.nanoTime()).put("expiry", "2031-01-01")).json().getLong("id");
  }

  private static long storedCodes(long batch) {
    return api.get("/v1/batches/" + batch, maker.token()).json().getLong("codes");
  }

  private static Path codesFile(String name, List<String> lines, boolean gzip) throws Exception {
    Path file = dir.resolve(name);
    try (OutputStream raw = Files.newOutputStream(file);
        OutputStream out = gzip ? new GZIPOutputStream(raw) : raw) {
      for (String line : lines) {
        out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
      }
    }
    return file;
  }

  @Test
  @DisplayName("a plain file and a gzip file of 20,000 codes each are stored whole, and the progress reaches 100 %")
  void uploadsPlainAndGzip() throws Exception {
    for (boolean gzip : new boolean[] {false, true}) {
      long batch = newBatch();
      Path file = codesFile("codes-" + gzip + (gzip ? ".txt.gz" : ".txt"), Stack.codes(20_000), gzip);
      Run run = upload(batch, file);
      assertThat(run.exit()).as(run.err()).isZero();
      assertThat(run.json().getMap()).containsEntry("received", 20_000).containsEntry("accepted", 20_000)
          .containsEntry("invalid", 0);
      assertThat(run.err()).contains("100%").contains("Stored: received 20000, accepted 20000");
      assertThat(storedCodes(batch)).isEqualTo(20_000);
    }
  }

  @Test
  @DisplayName("codes piped on stdin (FILE -) are stored")
  void uploadsStdin() {
    long batch = newBatch();
    byte[] codes = String.join("\n", Stack.codes(1_000)).getBytes(StandardCharsets.US_ASCII);
    Run run = uploadReading(new ByteArrayInputStream(codes),
        "--url", url, "--token", maker.token(), "--batch", "" + batch, "-");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.json().getInteger("accepted")).isEqualTo(1_000);
    assertThat(storedCodes(batch)).isEqualTo(1_000);
  }

  @Test
  @DisplayName("running the same upload again is harmless: nothing new accepted, every code already present")
  void rerunIsHarmless() throws Exception {
    long batch = newBatch();
    Path file = codesFile("rerun.txt", Stack.codes(20_000), false);
    assertThat(upload(batch, file).exit()).isZero();
    Run again = upload(batch, file);
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.json().getMap()).containsEntry("accepted", 0).containsEntry("alreadyPresent", 20_000);
    assertThat(storedCodes(batch)).isEqualTo(20_000);
  }

  @Test
  @DisplayName("a file with an invalid line is refused whole (exit 2, its line told); with --partial the valid codes are stored")
  void invalidLine() throws Exception {
    long batch = newBatch();
    List<String> lines = new ArrayList<>(Stack.codes(1_000));
    lines.add(500, "not a code!");
    Path file = codesFile("invalid.txt", lines, false);

    Run refused = upload(batch, file);
    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.out()).isEmpty();
    assertThat(refused.err()).contains("nothing was stored").contains("invalid 1 (line 501)")
        .contains("add --partial");
    assertThat(storedCodes(batch)).isZero();

    Run partial = upload(batch, file, "--partial");
    assertThat(partial.exit()).as(partial.err()).isZero();
    assertThat(partial.json().getMap()).containsEntry("accepted", 1_000).containsEntry("invalid", 1);
    assertThat(storedCodes(batch)).isEqualTo(1_000);
  }

  @Test
  @DisplayName("the link cut mid-upload: the command retries or exits 3, the batch never holds part of the file, a re-run stores all")
  void linkCut() throws Exception {
    int n = 300_000;
    long batch = newBatch();
    Path file = codesFile("big.txt", Stack.codes(n), false);
    try (TcpProxy proxy = new TcpProxy("127.0.0.1", app.port())) {
      List<String> args = List.of("--url", "http://127.0.0.1:" + proxy.port(), "--token", maker.token(),
          "--batch", "" + batch, file.toString());
      CompletableFuture<Run> running = CompletableFuture.supplyAsync(() -> upload(args.toArray(String[]::new)));
      awaitUploadInProgress(running);
      proxy.cut();
      List<Long> seen = new ArrayList<>();
      seen.add(storedCodes(batch));
      Thread.sleep(300);
      proxy.heal();
      await("the upload ended").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
        seen.add(storedCodes(batch));
        return running.isDone();
      });
      Run run = running.get(60, TimeUnit.SECONDS);
      assertThat(run.exit()).as(run.err()).isIn(0, 3);
      assertThat(run.err()).as("the cut reached the upload").contains("the upload was interrupted");
      int sent = run.err().indexOf("Sent; waiting");
      assertThat(sent < 0 || run.err().indexOf("the upload was interrupted") < sent)
          .as("the cut came while FILE was still being read: %s", run.err()).isTrue();
      seen.add(storedCodes(batch));
      assertThat(seen).as("codes in the batch while and after the link failed").allMatch(c -> c == 0 || c == n);
      if (run.exit() == 0) {
        assertThat(storedCodes(batch)).isEqualTo(n);
      }
    }
    Run rerun = upload(batch, file);
    assertThat(rerun.exit()).as(rerun.err()).isZero();
    JsonObject result = rerun.json();
    assertThat(result.getLong("accepted") + result.getLong("alreadyPresent")).isEqualTo(n);
    assertThat(storedCodes(batch)).isEqualTo(n);
  }

  /** Waits until PackCheck holds an upload's transaction open in this stack's schema: the body is streaming. */
  private static void awaitUploadInProgress(CompletableFuture<Run> running) throws Exception {
    String locked = "select count(*) from pg_locks where relation = '" + stack.schema
        + ".batches'::regclass and mode = 'RowShareLock' and granted";
    try (Connection c = TestPostgres.connect(stack.schema); Statement s = c.createStatement()) {
      await("the upload streaming").atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(5))
          .failFast("the upload ended before it streamed", running::isDone)
          .until(() -> {
            try (ResultSet rs = s.executeQuery(locked)) {
              rs.next();
              return rs.getLong(1) > 0;
            }
          });
    }
  }

  @Test
  @DisplayName("with nothing listening the command retries after 1, 2 and 4 s, then exits 3 saying a re-run is safe")
  void connectionRefused() throws Exception {
    int closedPort = SparePort.belowEphemeralRange();
    Path file = codesFile("refused.txt", Stack.codes(10), false);
    long started = System.nanoTime();
    Run run = upload("--url", "http://127.0.0.1:" + closedPort, "--token", maker.token(), "--batch", "1",
        file.toString());
    assertThat(run.exit()).isEqualTo(3);
    assertThat(run.err()).contains("retry 1 of 3 in 1 s", "retry 2 of 3 in 2 s", "retry 3 of 3 in 4 s")
        .contains("Giving up after 3 retries").contains("safe to re-run");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(7_000);
  }

  @Test
  @DisplayName("the token can come from PACKCHECK_TOKEN instead of the command line, where ps and shell history would show it")
  void tokenFromEnvironment() throws Exception {
    long batch = newBatch();
    Path file = codesFile("env-token.txt", Stack.codes(10), false);
    Run run = uploadIn(Map.of("PACKCHECK_TOKEN", maker.token()), InputStream.nullInputStream(),
        "--url", url, "--batch", "" + batch, file.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.json().getLong("accepted")).isEqualTo(10);
    assertThat(storedCodes(batch)).isEqualTo(10);
    Run wrong = uploadIn(Map.of("PACKCHECK_TOKEN", "pcm_wrong"), InputStream.nullInputStream(),
        "--url", url, "--token", maker.token(), "--batch", "" + batch, file.toString());
    assertThat(wrong.exit()).as("--token wins over the environment").isZero();
  }

  @Test
  @DisplayName("a wrong token, an unknown or active batch exit 2 with PackCheck's reason; missing flags or FILE exit 64 with the usage")
  void refusalsAndUsage() throws Exception {
    long batch = newBatch();
    Path file = codesFile("few.txt", Stack.codes(10), false);

    Run wrongToken = upload("--url", url, "--token", "pcm_wrong", "--batch", "" + batch, file.toString());
    assertThat(wrongToken.exit()).isEqualTo(2);
    assertThat(wrongToken.err()).contains("401").contains("unknown token");
    Run unknownBatch = upload(batch + 1000, file);
    assertThat(unknownBatch.exit()).isEqualTo(2);
    assertThat(unknownBatch.err()).contains("404").contains("not found");
    assertThat(storedCodes(batch)).isZero();

    long active = stack.activeBatch(api, maker, product, Stack.codes(1));
    Run late = upload(active, file);
    assertThat(late.exit()).isEqualTo(2);
    assertThat(late.err()).contains("is active").contains("draft batch only");
    assertThat(storedCodes(active)).isEqualTo(1);

    Run noToken = upload("--url", url, "--batch", "" + batch, file.toString());
    assertThat(noToken.exit()).isEqualTo(64);
    assertThat(noToken.err()).contains("missing --token (or PACKCHECK_TOKEN)").contains("usage: ");
    Run emptyToken = uploadIn(Map.of("PACKCHECK_TOKEN", " "), InputStream.nullInputStream(),
        "--url", url, "--batch", "" + batch, file.toString());
    assertThat(emptyToken.exit()).as("an empty PACKCHECK_TOKEN is a missing token").isEqualTo(64);
    assertThat(emptyToken.err()).contains("missing --token (or PACKCHECK_TOKEN)");
    Run noFile = upload("--url", url, "--token", maker.token(), "--batch", "" + batch);
    assertThat(noFile.exit()).isEqualTo(64);
    assertThat(noFile.err()).contains("missing FILE");
    Run unreadable = upload(batch, dir.resolve("no-such-file.txt"));
    assertThat(unreadable.exit()).isEqualTo(64);
    assertThat(unreadable.err()).contains("cannot read FILE");
    Run badBatch = upload("--url", url, "--token", maker.token(), "--batch", "twelve", file.toString());
    assertThat(badBatch.exit()).isEqualTo(64);
    assertThat(storedCodes(batch)).isZero();
  }
}
