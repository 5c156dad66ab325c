package com.packcheck.http;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The manufacturer's dashboard, in headless Chromium, shows what the API reports and acts on alerts")
class DashboardTest {
  private static final long PRICE = 250;
  private static final String REJECTED = "That token was not accepted";

  static World world;
  static Client api;
  static Browser browser;
  static long batch;
  static long alertId;
  Browser.Page page;

  @BeforeAll
  static void start() throws Exception {
    Browser.assumeInstalled();
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
    alertId = awaitOpenAlert(world.maker);
    browser = Browser.launch();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (world != null) {
      world.close();
    }
  }

  @BeforeEach
  void openPage() {
    page = browser.newPage();
    page.viewport(1280, 800, false);
  }

  @AfterEach
  void noScriptErrors() {
    List<String> problems = page.problems();
    page.close();
    assertThat(problems).as("script errors and policy violations on the page").isEmpty();
  }

  private static long awaitOpenAlert(Stack.Account maker) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < deadline) {
      for (Object alert : alerts(maker, "open")) {
        if (((JsonObject) alert).getString("kind").equals("cloned_code")) {
          return ((JsonObject) alert).getLong("id");
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no cloned_code alert within 15 s");
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

  private void signIn(String token) {
    page.type("token-input", token);
    page.click("[data-testid=sign-in-button]");
  }

  private void awaitFigures() {
    page.waitFor("(d => !d.hidden && d.getAttribute('aria-busy') === 'false')(" + Browser.Page.testId("dashboard") + ")",
        "the dashboard's figures");
  }

  @Test
  @DisplayName("the page is served fresh under a strict content security policy, and /dashboard leads to /dashboard/")
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
  }

  @Test
  @DisplayName("a wrong token is refused on the sign-in form, and is kept neither in the URL nor in the tab")
  void wrongToken() {
    page.open(dashboardUrl());
    signIn("pcm_not-a-real-token");
    page.waitFor(Browser.Page.testId("sign-in-error") + ".textContent.includes('" + REJECTED + "')", "the refusal");
    assertThat(page.visible("sign-in")).isTrue();
    assertThat(page.visible("dashboard")).isFalse();
    assertThat((String) page.eval("location.href")).isEqualTo(dashboardUrl());
    assertThat(page.eval("sessionStorage.length")).isEqualTo(0);
  }

  @Test
  @DisplayName("signed in, the month's checks, amount, customers and a batch's codes are what the API reports, with one bar a day")
  void figures() throws Exception {
    page.open(dashboardUrl());
    signIn(world.maker.token());
    awaitFigures();

    JsonObject month = api.get("/v1/reports/monthly?month=" + thisMonth(), world.maker.token()).json();
    JsonObject customers = api.get("/v1/customers/summary?from=" + thisMonth().atDay(1) + "&to="
        + thisMonth().atEndOfMonth(), world.maker.token()).json();
    JsonObject batchFigures = api.get("/v1/batches/" + batch, world.maker.token()).json();
    assertThat(month.getLong("checks")).as("the checks set up").isGreaterThanOrEqualTo(8);

    assertThat(page.text("total-checks")).isEqualTo(month.getLong("checks").toString());
    assertThat(page.text("total-amount")).isEqualTo("GHS " + BigDecimal.valueOf(month.getLong("amount"), 2));
    assertThat(page.value("total-amount")).isEqualTo(month.getLong("amount").toString());
    assertThat(page.text("customers")).isEqualTo(customers.getLong("customers").toString());
    assertThat(customers.getLong("customers")).isEqualTo(3);
    String row = "document.querySelector('[data-testid=batch-row][data-batch-id=\"" + batch + "\"] [data-testid=%s]')";
    assertThat(page.eval(String.format(row, "batch-codes") + ".dataset.value")).isEqualTo("5");
    assertThat(page.eval(String.format(row, "batch-codes") + ".textContent"))
        .isEqualTo(batchFigures.getLong("codes").toString());
    assertThat(page.eval(String.format(row, "batch-consumed") + ".dataset.value"))
        .isEqualTo(batchFigures.getLong("consumed").toString());

    assertThat(page.eval("document.querySelectorAll('[data-testid=day-bar]').length"))
        .isEqualTo(thisMonth().lengthOfMonth()).isEqualTo(month.getJsonArray("byDay").size());
    String today = java.time.LocalDate.now(ZoneOffset.UTC).toString();
    assertThat(page.eval("document.querySelector('[data-testid=day-bar][data-date=\"" + today + "\"]').dataset.checks"))
        .isEqualTo(month.getJsonArray("byDay").stream().map(JsonObject.class::cast)
            .filter(d -> d.getString("date").equals(today)).findFirst().orElseThrow().getLong("checks").toString());
    assertThat(page.eval("document.querySelector('[data-testid=by-outcome] tr[data-key=already_used] td').dataset.value"))
        .isEqualTo(month.getJsonObject("byOutcome").getLong("already_used").toString());

    page.viewport(390, 844, false);
    assertThat(page.eval("document.documentElement.scrollWidth <= window.innerWidth"))
        .as("nothing wider than a phone's screen").isEqualTo(true);
    page.waitFor("(c => c.querySelector('svg').viewBox.baseVal.width === Math.max(c.clientWidth, 280))("
        + Browser.Page.testId("chart") + ")", "the chart redrawn at the phone's width");
    page.screenshot(Path.of("target", "dashboard-phone.png"));
  }

  @Test
  @DisplayName("the open cloned-code alert is listed; Acknowledge moves it on in the API and on the page, Close takes it off")
  void alerts() throws Exception {
    page.open(dashboardUrl());
    signIn(world.maker.token());
    awaitFigures();
    String item = "document.querySelector('[data-testid=alert][data-alert-id=\"" + alertId + "\"]')";
    assertThat(page.eval(item + ".dataset.state")).isEqualTo("open");
    assertThat((String) page.eval(item + ".textContent")).contains("Cloned code", "3 different customers");
    assertThat(page.text("alerts-by-kind")).contains("Cloned code 1");
    page.screenshot(Path.of("target", "dashboard.png"));

    page.click("[data-alert-id=\"" + alertId + "\"] [data-testid=acknowledge]");
    page.waitFor(item + ".dataset.state === 'acknowledged'", "the alert acknowledged on the page");
    assertThat(alerts(world.maker, "acknowledged")).anyMatch(a -> ((JsonObject) a).getLong("id") == alertId);
    assertThat(page.eval(item + ".querySelector('[data-testid=acknowledge]')")).isNull();

    page.click("[data-alert-id=\"" + alertId + "\"] [data-testid=close]");
    page.waitFor(item + " === null", "the closed alert off the page");
    assertThat(alerts(world.maker, "closed")).anyMatch(a -> ((JsonObject) a).getLong("id") == alertId);
    assertThat(page.visible("empty-alerts")).isTrue();
  }

  @Test
  @DisplayName("a manufacturer with no checks yet sees empty states, not an empty chart")
  void emptyMonth() {
    Stack.Account newcomer = world.stack.manufacturer(api, PRICE);
    page.open(dashboardUrl());
    signIn(newcomer.token());
    awaitFigures();
    assertThat(page.text("empty-checks")).isEqualTo("No checks this month yet.");
    assertThat(page.visible("empty-checks")).isTrue();
    assertThat(page.visible("chart")).isFalse();
    assertThat(page.text("total-checks")).isEqualTo("0");
    assertThat(page.visible("empty-batches")).isTrue();
    assertThat(page.visible("empty-alerts")).isTrue();
  }

  @Test
  @DisplayName("when PackCheck cannot be reached the page says so and offers a retry that works once it can; sign-out forgets the token")
  void unreachable() {
    page.open(dashboardUrl());
    signIn(world.maker.token());
    awaitFigures();
    page.offline(true);
    page.eval("(m => { m.value = '" + thisMonth().minusMonths(1) + "'; m.dispatchEvent(new Event('change')); })("
        + Browser.Page.testId("month") + ")");
    page.waitFor("!" + Browser.Page.testId("failure") + ".hidden", "the failure message");
    assertThat(page.text("failure-text")).contains("could not be reached");

    page.offline(false);
    page.click("[data-testid=retry]");
    awaitFigures();
    assertThat(page.visible("failure")).isFalse();

    page.click("[data-testid=sign-out]");
    page.waitFor("!" + Browser.Page.testId("sign-in") + ".hidden", "the sign-in form");
    assertThat(page.eval("sessionStorage.length")).isEqualTo(0);
  }
}
