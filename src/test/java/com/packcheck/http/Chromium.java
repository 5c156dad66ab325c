package com.packcheck.http;

import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.chromium.ChromiumNetworkConditions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium under Debian's chromedriver, through Selenium: one browser with one tab
 * and a profile of its own, so no test sees another's sessionStorage. Both paths are given, so
 * Selenium Manager is never asked to find or download anything.
 */
final class Chromium implements AutoCloseable {
  static final Path BROWSER = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration PATIENCE = Duration.ofSeconds(15);
  private static final Pattern NETWORK = Pattern.compile("(https?|wss?|ftp)://", Pattern.CASE_INSENSITIVE);

  final ChromeDriver driver;

  private Chromium(ChromeDriver driver) {
    this.driver = driver;
  }

  /** Skips the calling test class where Chromium or chromedriver is missing, except on CI, where it must run. */
  static void assumeInstalled() {
    List<Path> missing = Stream.of(BROWSER, DRIVER).filter(p -> !Files.isExecutable(p)).toList();
    if (missing.isEmpty()) {
      return;
    }
    String how = "missing " + missing
        + "; install with: sudo apt-get install chromium chromium-driver (Debian/Ubuntu)";
    if ("true".equals(System.getenv("CI"))) {
      fail("CI must run the dashboard test in a browser: " + how);
    }
    Assumptions.abort("dashboard test skipped: " + how);
  }

  /**
   * A browser showing a blank page, under a chromedriver of its own (quitting a driver stops its
   * chromedriver). It keeps its console and its network log, and resolves no host name: whatever a
   * page tried to load from anywhere but 127.0.0.1 would fail and show up in both. Scrollbars are
   * hidden, as on a phone, so the page gets the whole width of the window.
   */
  static Chromium open(Path profile) {
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    logs.enable(LogType.PERFORMANCE, Level.ALL);
    ChromeOptions options = new ChromeOptions().setBinary(BROWSER.toFile()).addArguments("--headless=new",
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--lang=en-US",
        "--hide-scrollbars", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--user-data-dir=" + profile);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
    return new Chromium(new ChromeDriver(service, options));
  }

  static By testId(String id) {
    return By.cssSelector("[data-testid=\"" + id + "\"]");
  }

  WebElement find(String testId) {
    return driver.findElement(testId(testId));
  }

  /** Whether the element is there and shown; false for one that is missing. */
  boolean visible(String testId) {
    return driver.findElements(testId(testId)).stream().anyMatch(WebElement::isDisplayed);
  }

  Object script(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /**
   * Waits up to 15 s for {@code condition}; failing, says what the page shows instead. The dashboard
   * redraws its lists when data arrives, so an element found in one poll may be gone by the next read:
   * the next poll finds it again.
   */
  <T> T await(String what, ExpectedCondition<T> condition) {
    return new WebDriverWait(driver, PATIENCE)
        .ignoring(StaleElementReferenceException.class)
        .withMessage(() -> what + "; the page says: " + driver.findElement(By.tagName("body")).getText())
        .until(condition);
  }

  /** Waits for a JavaScript expression to be true. */
  void awaitTrue(String what, String expression, Object... args) {
    await(what, d -> Boolean.TRUE.equals(script("return Boolean(" + expression + ")", args)));
  }

  /** The window's size: headless, with no browser frame, the page's viewport. */
  void windowSize(int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
  }

  /** Cuts the browser off the network (the page's server included), or reconnects it. */
  void offline(boolean offline) {
    if (offline) {
      driver.setNetworkConditions(new ChromiumNetworkConditions().setOffline(true));
    } else {
      driver.deleteNetworkConditions();
    }
  }

  /** The whole page, not only what the window shows, as PNG. */
  void screenshot(Path file) throws IOException {
    Map<String, Object> size = cdp("Page.getLayoutMetrics", Map.of()).getJsonObject("cssContentSize").getMap();
    String png = cdp("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true,
        "clip", Map.of("x", 0, "y", 0, "width", size.get("width"), "height", size.get("height"), "scale", 1)))
        .getString("data");
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, Base64.getDecoder().decode(png));
  }

  private JsonObject cdp(String command, Map<String, Object> params) {
    return new JsonObject(driver.executeCdpCommand(command, params));
  }

  /**
   * The console's errors since the last call: script errors, policy violations, failed loads. Two
   * failed loads are left out: requests to PackCheck's API ({@code apiPrefix}), which the page
   * reports itself and tests check that it does, and the /favicon.ico that the browser asks for on
   * its own when a page names no icon.
   */
  List<String> consoleErrors(String apiPrefix, String favicon) {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .filter(m -> !((m.startsWith(apiPrefix) || m.startsWith(favicon + " "))
            && m.contains(" - Failed to load resource: ")))
        .toList();
  }

  /**
   * The address of every request over the network since the last call: the browser's own chrome://
   * pages and data: URLs, which come from inside the browser, are left out.
   */
  List<String> requests() {
    return driver.manage().logs().get(LogType.PERFORMANCE).getAll().stream()
        .map(e -> new JsonObject(e.getMessage()).getJsonObject("message"))
        .filter(m -> "Network.requestWillBeSent".equals(m.getString("method")))
        .map(m -> m.getJsonObject("params").getJsonObject("request").getString("url"))
        .filter(url -> NETWORK.matcher(url).lookingAt())
        .toList();
  }

  @Override
  public void close() {
    driver.quit();
  }
}
