package com.packcheck.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.openqa.selenium.support.ui.ExpectedConditions.and;
import static org.openqa.selenium.support.ui.ExpectedConditions.attributeToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.numberOfElementsToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.textToBePresentInElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.visibilityOfElementLocated;

import com.packcheck.support.Client;
import com.packcheck.support.Stack;
import com.packcheck.support.World;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

@DisplayName("The manufacturer's dashboard, in headless Chromium, shows what the API reports and acts on alerts")
class DashboardTest {
  private static final long PRICE = 250;
  private static final String REJECTED = "That token was not accepted";

  static World world;
  static Client api;
  static long batch;
  static long alertId;
  Chromium page;

  @BeforeAll
  static void start() throws Exception {
    Chromium.assumeInstalled();
    world = new World(PRICE, Map.of("PACKCHECK_ALERT_SCAN_MS", "200"));
    api = world.instance(0);
    List<String> codes = Stack.codes(5);
    batch = world.stack.activeBatch(api, world.maker, world.product, codes);
    Stack.Account pharmacyC = world.stack.pharmacy(api);
    for (String code : codes.subList(0, 3)) {
      world.check(api, world.pharmacyA, code, "dispense");
    }
    world.check(api, world.pharmacyA, codes.get(3), "verify");
    world.check(api, world.pharmacyB, codes.get(0), "dispense");  // already used
    for (Stack.Account pharmacy : List.of(world.pharmacyA, world.pharmacyB, pharmacyC)) {
      world.check(api, pharmacy, codes.get(4), "dispense");  // one code, three pharmacies: a clone
    }
    alertId = await("a cloned_code alert").atMost(Duration.ofSeconds(15)).until(() -> alerts(world.maker, "open")
        .stream().map(JsonObject.class::cast).filter(a -> a.getString("kind").equals("cloned_code"))
        .map(a -> a.getLong("id")).findFirst(), Optional::isPresent).orElseThrow();
  }

  @AfterAll
  static void stop() {
    if (world != null) {
      world.close();
    }
  }

  @BeforeEach
  void openPage(@TempDir Path profile) {
    page = Chromium.open(profile);
    page.windowSize(1280, 800);
  }

  @AfterEach
  void noErrorsAndNothingFromElsewhere() {
    if (page == null) {
      return;  // the browser did not start: that failure is the test's
    }
    try {
      assertThat(page.consoleErrors(api.baseUrl() + "/v1/", api.baseUrl() + "/favicon.ico"))
          .as("script errors, policy violations and failed loads in the console").isEmpty();
      assertThat(page.requests()).as("the page's requests").isNotEmpty()
          .allMatch(url -> url.startsWith(api.baseUrl() + "/"), "to PackCheck");
    } finally {
      page.close();
      page = null;
    }
  }

  private static JsonArray alerts(Stack.Account maker, String state) {
    Client.Response r = api.get("/v1/alerts?state=" + state, maker.token());
    assertThat(r.status()).isEqualTo(200);
    return new JsonArray(r.body());
  }

  private static String dashboardUrl() {
    return api.baseUrl() + "/dashboard/";
  }

  private static YearMonth thisMonth() {
    return YearMonth.now(ZoneOffset.UTC);
  }

  private void openSignedIn(String token) {
    page.driver.get(dashboardUrl());
    signIn(token);
    awaitFigures();
  }

  private void signIn(String token) {
    page.find("token-input").sendKeys(token);
    page.find("sign-in-button").click();
  }

  private void awaitFigures() {
    By dashboard = Chromium.testId("dashboard");
    page.await("the dashboard's figures", and(visibilityOfElementLocated(dashboard),
        attributeToBe(dashboard, "aria-busy", "false")));
  }

  private static By alert(long id) {
    return By.cssSelector("[data-testid=alert][data-alert-id=\"" + id + "\"]");
  }

  private WebElement batchCell(String testId) {
    return page.driver.findElement(By.cssSelector(
        "[data-testid=batch-row][data-batch-id=\"" + batch + "\"] [data-testid=" + testId + "]"));
  }

  @Test
  @DisplayName("the page is served fresh under a strict content security policy, opens on the sign-in form under it, "
      + "and /dashboard leads to /dashboard/")
  void served() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> redirect = http.send(HttpRequest.newBuilder(URI.create(api.baseUrl() + "/dashboard")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(redirect.statusCode()).isEqualTo(301);
    assertThat(redirect.headers().firstValue("Location")).hasValue("/dashboard/");
    for (String file : List.of("", "app.js", "app.css")) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(dashboardUrl() + file)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(file).isEqualTo(200);
      assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-cache");
      assertThat(r.headers().firstValue("Content-Security-Policy").orElse("")).startsWith("default-src 'self'");
    }
    page.driver.get(dashboardUrl());
    assertThat(page.visible("sign-in")).isTrue();
  }

  @Test
  @DisplayName("a wrong token is refused on the sign-in form, and is kept neither in the URL nor in the tab")
  void wrongToken() {
    page.driver.get(dashboardUrl());
    signIn("pcm_not-a-real-token");
    page.await("the refusal", textToBePresentInElementLocated(Chromium.testId("sign-in-error"), REJECTED));
    assertThat(page.visible("sign-in")).isTrue();
    assertThat(page.visible("dashboard")).isFalse();
    assertThat(page.driver.getCurrentUrl()).isEqualTo(dashboardUrl());
    assertThat(page.script("return sessionStorage.length")).isEqualTo(0L);
  }

  @Test
  @DisplayName("signed in, the month's checks, amount, customers and a batch's codes are what the API reports, "
      + "with one bar a day, also on a phone's screen")
  void figures() throws Exception {
    openSignedIn(world.maker.token());

    JsonObject month = api.get("/v1/reports/monthly?month=" + thisMonth(), world.maker.token()).json();
    JsonObject customers = api.get("/v1/customers/summary?from=" + thisMonth().atDay(1) + "&to="
        + thisMonth().atEndOfMonth(), world.maker.token()).json();
    JsonObject batchFigures = api.get("/v1/batches/" + batch, world.maker.token()).json();
    assertThat(month.getLong("checks")).as("the checks set up").isGreaterThanOrEqualTo(8);

    assertThat(page.find("total-checks").getText()).isEqualTo(month.getLong("checks").toString());
    assertThat(page.find("total-amount").getText()).isEqualTo("GHS " + BigDecimal.valueOf(month.getLong("amount"), 2));
    assertThat(page.find("total-amount").getDomAttribute("data-value")).isEqualTo(month.getLong("amount").toString());
    assertThat(page.find("customers").getText()).isEqualTo(customers.getLong("customers").toString());
    assertThat(customers.getLong("customers")).isEqualTo(3);
    assertThat(batchCell("batch-codes").getDomAttribute("data-value")).isEqualTo("5");
    assertThat(batchCell("batch-codes").getText()).isEqualTo(batchFigures.getLong("codes").toString());
    assertThat(batchCell("batch-consumed").getDomAttribute("data-value"))
        .isEqualTo(batchFigures.getLong("consumed").toString());

    assertThat(page.driver.findElements(By.cssSelector("[data-testid=day-bar]")))
        .hasSize(thisMonth().lengthOfMonth()).hasSize(month.getJsonArray("byDay").size());
    String today = LocalDate.now(ZoneOffset.UTC).toString();
    assertThat(page.driver.findElement(By.cssSelector("[data-testid=day-bar][data-date=\"" + today + "\"]"))
        .getDomAttribute("data-checks"))
        .isEqualTo(month.getJsonArray("byDay").stream().map(JsonObject.class::cast)
            .filter(d -> d.getString("date").equals(today)).findFirst().orElseThrow().getLong("checks").toString());
    assertThat(page.driver.findElement(By.cssSelector("[data-testid=by-outcome] tr[data-key=already_used] td"))
        .getDomAttribute("data-value"))
        .isEqualTo(month.getJsonObject("byOutcome").getLong("already_used").toString());

    page.windowSize(390, 844);
    assertThat(page.script("return document.documentElement.clientWidth")).as("a phone's width").isEqualTo(390L);
    page.awaitTrue("the chart redrawn at the phone's width",
        "arguments[0].querySelector('svg').viewBox.baseVal.width === Math.max(arguments[0].clientWidth, 280)",
        page.find("chart"));
    assertThat(page.script("return document.documentElement.scrollWidth <= document.documentElement.clientWidth"))
        .as("nothing wider than a phone's screen").isEqualTo(true);
    page.screenshot(Path.of("target", "dashboard-phone.png"));
  }

  @Test
  @DisplayName("the open cloned-code alert is listed; Acknowledge moves it on in the API and on the page, Close takes it off")
  void alerts() throws Exception {
    openSignedIn(world.maker.token());
    WebElement item = page.driver.findElement(alert(alertId));
    assertThat(item.getDomAttribute("data-state")).isEqualTo("open");
    assertThat(item.getText()).contains("Cloned code", "3 different customers");
    assertThat(page.find("alerts-by-kind").getText()).contains("Cloned code 1");
    page.screenshot(Path.of("target", "dashboard.png"));

    item.findElement(Chromium.testId("acknowledge")).click();
    page.await("the alert acknowledged on the page", attributeToBe(alert(alertId), "data-state", "acknowledged"));
    assertThat(alerts(world.maker, "acknowledged")).anyMatch(a -> ((JsonObject) a).getLong("id") == alertId);
    item = page.driver.findElement(alert(alertId));
    assertThat(item.findElements(Chromium.testId("acknowledge"))).isEmpty();

    item.findElement(Chromium.testId("close")).click();
    page.await("the closed alert off the page", numberOfElementsToBe(alert(alertId), 0));
    assertThat(alerts(world.maker, "closed")).anyMatch(a -> ((JsonObject) a).getLong("id") == alertId);
    assertThat(page.visible("empty-alerts")).isTrue();
  }

  @Test
  @DisplayName("a manufacturer with no checks yet sees empty states, not an empty chart")
  void emptyMonth() {
    Stack.Account newcomer = world.stack.manufacturer(api, PRICE);
    openSignedIn(newcomer.token());
    assertThat(page.find("empty-checks").getText()).isEqualTo("No checks this month yet.");
    assertThat(page.visible("empty-checks")).isTrue();
    assertThat(page.visible("chart")).isFalse();
    assertThat(page.find("total-checks").getText()).isEqualTo("0");
    assertThat(page.visible("empty-batches")).isTrue();
    assertThat(page.visible("empty-alerts")).isTrue();
  }

  @Test
  @DisplayName("when PackCheck cannot be reached the page says so and offers a retry that works once it can; "
      + "sign-out forgets the token")
  void unreachable() {
    openSignedIn(world.maker.token());
    page.offline(true);
    page.script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change'))",
        page.find("month"), thisMonth().minusMonths(1).toString());
    page.await("the failure message", visibilityOfElementLocated(Chromium.testId("failure")));
    assertThat(page.find("failure-text").getText()).contains("could not be reached");

    page.offline(false);
    page.find("retry").click();
    awaitFigures();
    assertThat(page.visible("failure")).isFalse();

    page.find("sign-out").click();
    page.await("the sign-in form", visibilityOfElementLocated(Chromium.testId("sign-in")));
    assertThat(page.script("return sessionStorage.length")).isEqualTo(0L);
  }
}
