package com.packcheck.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code java -jar packcheck.jar upload --url URL --token TOKEN --batch ID [--partial] FILE}: streams a
 * file of codes (one a line, plain or gzip, or {@code -} for stdin) into a draft batch, gzipped, never
 * holding the file in memory. Without {@code --token} the token is read from {@code PACKCHECK_TOKEN}: a
 * command line is visible to every user of the machine ({@code ps}) and stays in shell history.
 *
 * <p>Exit codes: 0 stored; 2 refused by PackCheck (fix the file, token or batch, then re-run); 3
 * PackCheck or the link failed even after retries (safe to re-run: an upload is stored all or
 * nothing, and codes an earlier attempt stored count as alreadyPresent); 64 usage; 74 FILE could not
 * be read to its end.
 */
public final class UploadCommand {
  static final int STORED = 0;
  static final int REFUSED = 2;
  static final int FAILED_SAFE_TO_RERUN = 3;
  static final int USAGE = 64;
  static final int FILE_UNREADABLE = 74;

  static final String USAGE_LINE = "usage: java -jar packcheck.jar upload --url URL [--token TOKEN] --batch ID"
      + " [--partial] FILE   (FILE: one code a line, plain or gzip; - reads stdin;"
      + " without --token, the token is read from PACKCHECK_TOKEN)";
  static final String TOKEN_VARIABLE = "PACKCHECK_TOKEN";
  private static final String SAFE_TO_RERUN = "It is safe to re-run: PackCheck stores an upload all or nothing,"
      + " and codes an earlier attempt stored count as alreadyPresent.";
  private static final long[] BACKOFF_SECONDS = {1, 2, 4};
  private static final byte[] GZIP_MAGIC = {0x1f, (byte) 0x8b};

  private final Map<String, String> env;
  private final InputStream stdin;
  private final PrintStream out;
  private final PrintStream err;
  private final boolean terminal;
  private final HttpClient http = HttpClient.newBuilder()
      // HTTP/1.1: an h2c upgrade attempt buys nothing for one long streamed request.
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10))
      .build();
  /** Whether stdin was handed to an upload: once read it cannot be sent again. */
  private boolean stdinTaken;

  private UploadCommand(Map<String, String> env, InputStream stdin, PrintStream out, PrintStream err,
      boolean terminal) {
    this.env = env;
    this.stdin = stdin;
    this.out = out;
    this.err = err;
    this.terminal = terminal;
  }

  /** Runs the command with the arguments after {@code upload}; returns the exit code, never exits. */
  public static int run(String[] args, Map<String, String> env, InputStream stdin, PrintStream out,
      PrintStream err) {
    return new UploadCommand(env, stdin, out, err, stderrIsTerminal()).execute(args);
  }

  /**
   * Whether stderr is a terminal, where a bar redrawn in place reads well. System.console() alone would
   * say no whenever stdout is redirected ({@code upload … > result.json}, the usual way to keep the JSON),
   * so on Linux stderr's own file descriptor is asked first.
   */
  private static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return System.console() != null;
    }
  }

  private int execute(String[] args) {
    Options options;
    try {
      options = Options.parse(args, env);
    } catch (UsageException e) {
      err.println("packcheck upload: " + e.getMessage());
      err.println(USAGE_LINE);
      return USAGE;
    }
    try {
      for (int retry = 0; ; retry++) {
        try {
          return attempt(options);
        } catch (Retryable failure) {
          boolean canResend = options.file() == null ? !stdinTaken : Files.isRegularFile(options.file());
          if (retry == BACKOFF_SECONDS.length || !canResend) {
            String why = canResend ? "Giving up after " + retry + " retries." : "Giving up: stdin cannot be sent again.";
            err.println(failure.getMessage() + ". " + why + " " + SAFE_TO_RERUN);
            return FAILED_SAFE_TO_RERUN;
          }
          long wait = BACKOFF_SECONDS[retry];
          err.printf("%s; retry %d of %d in %d s%n", failure.getMessage(), retry + 1, BACKOFF_SECONDS.length, wait);
          Thread.sleep(wait * 1000);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("Interrupted. " + SAFE_TO_RERUN);
      return FAILED_SAFE_TO_RERUN;
    }
  }

  /** One try: ask about the batch, then stream FILE to it. */
  private int attempt(Options options) throws Retryable, InterruptedException {
    // Checked first so that a wrong token, batch or state is told at once, not after streaming the whole file
    // (and not as a broken connection: PackCheck answers those before reading the body, then hangs up).
    HttpResponse<String> batch = send(HttpRequest.newBuilder(options.batchUri()).GET(), options,
        HttpResponse.BodyHandlers.ofString(), "could not reach PackCheck");
    if (batch.statusCode() != 200) {
      return refusedOrRetry(batch);
    }
    String state = json(batch.body()).getString("state");
    if (!"draft".equals(state)) {
      err.printf("Batch %d is %s: codes can be added to a draft batch only.%n", options.batch(), state);
      return REFUSED;
    }

    Opened file;
    try {
      file = open(options);
    } catch (IOException e) {
      err.println("Cannot read " + options.fileName() + ": " + e.getMessage());
      return FILE_UNREADABLE;
    }
    InputStream body = file.gzipped() ? file.progress() : new GzipOnTheFly(file.progress());
    try {
      return uploaded(send(HttpRequest.newBuilder(options.codesUri())
              .header("Content-Type", "text/plain; charset=utf-8")
              .header("Content-Encoding", "gzip")
              // Streamed: the client pulls the body as the connection takes it (chunked, no length).
              .POST(HttpRequest.BodyPublishers.ofInputStream(() -> body)),
          options, HttpResponse.BodyHandlers.ofString(), "the upload was interrupted"));
    } catch (Retryable e) {
      IOException fileFailure = file.progress().failure();
      if (fileFailure != null) {
        err.println("Cannot read " + options.fileName() + ": " + fileFailure.getMessage() + ". Nothing was stored.");
        return FILE_UNREADABLE;
      }
      throw e;
    } finally {
      file.progress().endLine();
      closeQuietly(body);
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // FILE was read or the attempt is over; closing it changes nothing
    }
  }

  private record Opened(Progress progress, boolean gzipped) {
  }

  private Opened open(Options options) throws IOException {
    Path file = options.file();
    InputStream raw;
    if (file == null) {
      stdinTaken = true;
      raw = stdin;
    } else {
      raw = Files.newInputStream(file);
    }
    BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
    // A gzip FILE is sent as it is: compressing it again would only cost time.
    buffered.mark(GZIP_MAGIC.length);
    byte[] head = buffered.readNBytes(GZIP_MAGIC.length);
    buffered.reset();
    boolean gzipped = head.length == 2 && head[0] == GZIP_MAGIC[0] && head[1] == GZIP_MAGIC[1];
    long size = file != null && Files.isRegularFile(file) ? Files.size(file) : -1;
    return new Opened(new Progress(buffered, size, err, terminal), gzipped);
  }

  private <T> HttpResponse<T> send(HttpRequest.Builder request, Options options, HttpResponse.BodyHandler<T> handler,
      String whatFailed) throws Retryable, InterruptedException {
    try {
      return http.send(request.header("Authorization", "Bearer " + options.token()).build(), handler);
    } catch (IOException e) {
      // Refused, reset or cut: nothing partial was stored, since PackCheck commits an upload only once whole.
      throw new Retryable(whatFailed + " (" + describe(e) + ")");
    }
  }

  private int uploaded(HttpResponse<String> answer) throws Retryable {
    if (answer.statusCode() != 200) {
      return refusedOrRetry(answer);
    }
    JsonObject result = json(answer.body());
    out.println(answer.body());
    err.println("Stored: " + counts(result));
    return STORED;
  }

  private int refusedOrRetry(HttpResponse<String> answer) throws Retryable {
    int status = answer.statusCode();
    JsonObject error = json(answer.body());
    String message = error.getString("message", answer.body());
    if (status == 503) {
      throw new Retryable("PackCheck is unavailable (503: " + message + ")");
    }
    if (status == 422 && error.containsKey("received")) {
      err.println("PackCheck refused the upload; nothing was stored: " + counts(error));
      err.println(message);
      err.println("With this command: fix FILE and re-run, or add --partial to store the valid codes and skip the rest.");
      return REFUSED;
    }
    err.printf("PackCheck answered %d %s: %s%n", status, error.getString("error", ""), message);
    return status >= 400 && status < 500 ? REFUSED : FAILED_SAFE_TO_RERUN;
  }

  private static String counts(JsonObject r) {
    String counts = String.format("received %d, accepted %d, already present %d, duplicates %d, in other batches %d,"
            + " invalid %d", r.getLong("received", 0L), r.getLong("accepted", 0L), r.getLong("alreadyPresent", 0L),
        r.getLong("duplicates", 0L), r.getLong("inOtherBatches", 0L), r.getLong("invalid", 0L));
    JsonArray lines = r.getJsonArray("invalidLines", new JsonArray());
    if (lines.isEmpty()) {
      return counts;
    }
    String listed = lines.stream().limit(20).map(String::valueOf).collect(Collectors.joining(", "));
    return counts + " (line" + (lines.size() > 1 ? "s " : " ") + listed
        + (r.getLong("invalid", 0L) > 20 ? ", ..." : "") + ")";
  }

  /** The answer as JSON; a body that is not (a proxy's error page, say) as an object without fields. */
  private static JsonObject json(String body) {
    try {
      return new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      return new JsonObject();
    }
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
  }

  /** A failure that leaves nothing stored and may pass: PackCheck unavailable, the link refused or cut. */
  private static final class Retryable extends Exception {
    Retryable(String message) {
      super(message, null, false, false);
    }
  }

  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message, null, false, false);
    }
  }

  /** The parsed command line; {@code file} is null for stdin. */
  record Options(URI url, String token, long batch, boolean partial, Path file) {
    static Options parse(String[] args, Map<String, String> env) throws UsageException {
      String url = null;
      String token = null;
      String batch = null;
      String file = null;
      boolean partial = false;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--url" -> url = value(args, ++i, "--url");
          case "--token" -> token = value(args, ++i, "--token");
          case "--batch" -> batch = value(args, ++i, "--batch");
          case "--partial" -> partial = true;
          default -> {
            if (args[i].startsWith("--")) {
              throw new UsageException("unknown option " + args[i]);
            }
            if (file != null) {
              throw new UsageException("one FILE only, got " + file + " and " + args[i]);
            }
            file = args[i];
          }
        }
      }
      if (token == null) {
        // an exported but empty variable is a forgotten token, not one to send
        token = Optional.ofNullable(env.get(TOKEN_VARIABLE)).filter(t -> !t.isBlank()).orElse(null);
      }
      if (url == null || token == null || batch == null || file == null) {
        throw new UsageException("missing " + (url == null ? "--url"
            : token == null ? "--token (or " + TOKEN_VARIABLE + ")" : batch == null ? "--batch" : "FILE"));
      }
      return new Options(parseUrl(url), token, parseBatch(batch), partial, parseFile(file));
    }

    URI batchUri() {
      return URI.create(url + "/v1/batches/" + batch);
    }

    URI codesUri() {
      return URI.create(url + "/v1/batches/" + batch + "/codes" + (partial ? "?partial=true" : ""));
    }

    String fileName() {
      return file == null ? "stdin" : file.toString();
    }

    private static String value(String[] args, int i, String option) throws UsageException {
      if (i >= args.length || args[i].startsWith("--")) {
        throw new UsageException(option + " needs a value");
      }
      return args[i];
    }

    private static URI parseUrl(String url) throws UsageException {
      try {
        URI uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
          throw new IllegalArgumentException();
        }
        return uri;
      } catch (IllegalArgumentException e) {
        throw new UsageException("--url must be like http://host:8080, got " + url);
      }
    }

    private static long parseBatch(String batch) throws UsageException {
      try {
        long id = Long.parseLong(batch);
        if (id > 0) {
          return id;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new UsageException("--batch must be a batch id (a positive number), got " + batch);
    }

    private static Path parseFile(String file) throws UsageException {
      if (file.equals("-")) {
        return null;
      }
      Path path = Path.of(file);
      if (Files.isDirectory(path) || !Files.isReadable(path)) {
        throw new UsageException("cannot read FILE " + file);
      }
      return path;
    }
  }
}
