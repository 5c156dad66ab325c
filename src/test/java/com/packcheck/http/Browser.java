package com.packcheck.http;

import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's headless Chromium driven over the DevTools protocol (a WebSocket from java.net.http, no
 * WebDriver): one browser process, each page in a fresh browser context, so no test sees another's
 * sessionStorage.
 */
final class Browser implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
  /** Script errors and policy violations per page session: a test fails on any. */
  private final Map<String, List<String>> problems = new ConcurrentHashMap<>();

  /** Skips the calling test class where Chromium is missing, except on CI, where it must run. */
  static void assumeInstalled() {
    if (Files.isExecutable(CHROMIUM)) {
      return;
    }
    String how = CHROMIUM + " is missing; install it with: sudo apt-get install chromium (Debian/Ubuntu)";
    if ("true".equals(System.getenv("CI"))) {
      fail("CI must run the dashboard test in a browser: " + how);
    }
    Assumptions.abort("dashboard test skipped: " + how);
  }

  static Browser launch() throws Exception {
    Path profile = Files.createTempDirectory("packcheck-chromium");
    Process process = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--lang=en-US", "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      return new Browser(process, profile, devToolsUrl(process));
    } catch (Exception e) {
      stop(process);
      deleteTree(profile);
      throw e;
    }
  }

  /** Chromium prints its DevTools address on stderr; the rest of stderr is drained so it never blocks. */
  private static URI devToolsUrl(Process process) throws Exception {
    CompletableFuture<URI> url = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader err = new BufferedReader(
          new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = err.readLine()) != null; ) {
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            url.complete(URI.create(m.group(1)));
          }
        }
        url.completeExceptionally(new IllegalStateException("Chromium exited without a DevTools address"));
      } catch (IOException e) {
        url.completeExceptionally(e);
      }
    }, "chromium-stderr");
    reader.setDaemon(true);
    reader.start();
    return url.get(30, TimeUnit.SECONDS);
  }

  private Browser(Process process, Path profile, URI devTools) throws Exception {
    this.process = process;
    this.profile = profile;
    this.socket = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(devTools, new Listener()).get(10, TimeUnit.SECONDS);
  }

  /** A blank page in a context of its own, reporting script errors and policy violations. */
  Page newPage() {
    String context = call(null, "Target.createBrowserContext", new JsonObject()).getString("browserContextId");
    String target = call(null, "Target.createTarget", new JsonObject().put("url", "about:blank")
        .put("browserContextId", context)).getString("targetId");
    String session = call(null, "Target.attachToTarget", new JsonObject().put("targetId", target)
        .put("flatten", true)).getString("sessionId");
    problems.put(session, Collections.synchronizedList(new ArrayList<>()));
    Page page = new Page(this, session, context);
    page.call("Page.enable", new JsonObject());
    page.call("Runtime.enable", new JsonObject());
    page.call("Log.enable", new JsonObject());
    page.call("Network.enable", new JsonObject());
    return page;
  }

  List<String> problems(String session) {
    return List.copyOf(problems.get(session));
  }

  JsonObject call(String session, String method, JsonObject params) {
    int id = ids.incrementAndGet();
    JsonObject message = new JsonObject().put("id", id).put("method", method).put("params", params);
    if (session != null) {
      message.put("sessionId", session);
    }
    CompletableFuture<JsonObject> answer = new CompletableFuture<>();
    pending.put(id, answer);
    try {
      synchronized (socket) {  // a WebSocket takes one message at a time
        socket.sendText(message.encode(), true).get(10, TimeUnit.SECONDS);
      }
      JsonObject reply = answer.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (reply.containsKey("error")) {
        throw new IllegalStateException(method + " failed: " + reply.getJsonObject("error").encode());
      }
      return reply.getJsonObject("result", new JsonObject());
    } catch (Exception e) {
      throw new IllegalStateException("DevTools call " + method + " did not succeed", e);
    } finally {
      pending.remove(id);
    }
  }

  private void onMessage(JsonObject message) {
    Integer id = message.getInteger("id");
    if (id != null) {
      CompletableFuture<JsonObject> answer = pending.get(id);
      if (answer != null) {
        answer.complete(message);
      }
      return;
    }
    List<String> found = problems.get(String.valueOf(message.getString("sessionId")));
    JsonObject params = message.getJsonObject("params", new JsonObject());
    if (found == null) {
      return;
    }
    switch (message.getString("method")) {
      case "Runtime.exceptionThrown" -> found.add("script error: " + params.getJsonObject("exceptionDetails").encode());
      case "Log.entryAdded" -> {
        // failed requests (a refused token's 401) are expected; broken scripts and CSP violations are not
        JsonObject entry = params.getJsonObject("entry");
        if (!"network".equals(entry.getString("source")) && "error".equals(entry.getString("level"))) {
          found.add(entry.getString("source") + ": " + entry.getString("text"));
        }
      }
      default -> { }
    }
  }

  /** Puts the fragments of each message together: screenshots arrive in many. */
  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        String message = text.toString();
        text.setLength(0);
        onMessage(new JsonObject(message));
      }
      webSocket.request(1);
      return null;
    }
  }

  @Override
  public void close() {
    try {
      call(null, "Browser.close", new JsonObject());
    } catch (RuntimeException e) {
      // already gone: the process is stopped below either way
    }
    socket.abort();
    stop(process);
    deleteTree(profile);
  }

  private static void stop(Process process) {
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory: left to the OS
    }
  }

  /** One tab: navigation, script, real mouse clicks and typing, screenshots. */
  static final class Page {
    private final Browser browser;
    private final String session;
    private final String context;

    private Page(Browser browser, String session, String context) {
      this.browser = browser;
      this.session = session;
      this.context = context;
    }

    JsonObject call(String method, JsonObject params) {
      return browser.call(session, method, params);
    }

    void open(String url) {
      call("Page.navigate", new JsonObject().put("url", url));
      waitFor("document.readyState === 'complete' && location.href === " + Json.encode(url), "the page " + url);
    }

    /** The value of a JavaScript expression (promises awaited). */
    Object eval(String expression) {
      JsonObject result = call("Runtime.evaluate", new JsonObject().put("expression", expression)
          .put("returnByValue", true).put("awaitPromise", true));
      if (result.containsKey("exceptionDetails")) {
        throw new IllegalStateException(expression + " threw " + result.getJsonObject("exceptionDetails").encode());
      }
      return result.getJsonObject("result").getValue("value");
    }

    void waitFor(String condition, String what) {
      long deadline = System.currentTimeMillis() + 15_000;
      while (!Boolean.TRUE.equals(eval("Boolean(" + condition + ")"))) {
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError("waited 15 s for " + what + "; the page says: " + eval("document.body.innerText"));
        }
        sleep(50);
      }
    }

    /** document.querySelector for [data-testid=…] inside a script. */
    static String testId(String id) {
      return "document.querySelector(" + Json.encode("[data-testid=\"" + id + "\"]") + ")";
    }

    boolean visible(String id) {
      return Boolean.TRUE.equals(eval("(e => Boolean(e && e.getClientRects().length))(" + testId(id) + ")"));
    }

    String text(String id) {
      return (String) eval(testId(id) + ".textContent.trim()");
    }

    String value(String id) {
      return (String) eval(testId(id) + ".dataset.value");
    }

    /** Types as a keyboard would, into the focused field. */
    void type(String id, String text) {
      eval(testId(id) + ".focus()");
      call("Input.insertText", new JsonObject().put("text", text));
    }

    /** A real mouse click at the element's centre, after scrolling it into view. */
    void click(String selector) {
      JsonObject box = new JsonObject((String) eval("(e => { e.scrollIntoView({block: 'center'});"
          + " const r = e.getBoundingClientRect(); return JSON.stringify({x: r.x + r.width / 2, y: r.y + r.height / 2}); })"
          + "(document.querySelector(" + Json.encode(selector) + "))"));
      for (String type : new String[] {"mousePressed", "mouseReleased"}) {
        call("Input.dispatchMouseEvent", new JsonObject().put("type", type).put("x", box.getDouble("x"))
            .put("y", box.getDouble("y")).put("button", "left").put("clickCount", 1));
      }
    }

    void viewport(int width, int height, boolean mobile) {
      call("Emulation.setDeviceMetricsOverride", new JsonObject().put("width", width).put("height", height)
          .put("deviceScaleFactor", 1).put("mobile", mobile));
    }

    void offline(boolean offline) {
      call("Network.emulateNetworkConditions", new JsonObject().put("offline", offline).put("latency", 0)
          .put("downloadThroughput", -1).put("uploadThroughput", -1));
    }

    /** The whole page, not only the viewport, as PNG. */
    void screenshot(Path file) throws IOException {
      JsonObject size = call("Page.getLayoutMetrics", new JsonObject()).getJsonObject("cssContentSize");
      String png = call("Page.captureScreenshot", new JsonObject().put("format", "png")
          .put("captureBeyondViewport", true).put("clip", new JsonObject().put("x", 0).put("y", 0)
              .put("width", size.getDouble("width")).put("height", size.getDouble("height")).put("scale", 1)))
          .getString("data");
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.write(file, Base64.getDecoder().decode(png));
    }

    List<String> problems() {
      return browser.problems(session);
    }

    void close() {
      browser.call(null, "Target.disposeBrowserContext", new JsonObject().put("browserContextId", context));
    }

    private static void sleep(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
