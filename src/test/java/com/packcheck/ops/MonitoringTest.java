package com.packcheck.ops;

import static com.packcheck.support.Metrics.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.packcheck.support.Client;
import com.packcheck.support.Phones;
import com.packcheck.support.Stack;
import com.packcheck.support.TestSmsc;
import com.packcheck.support.Waits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ops/prometheus and ops/grafana against a running PackCheck with its SMS channel bound. */
@DisplayName("Monitoring PackCheck")
class MonitoringTest {
  private static final Path RULES = Path.of("ops/prometheus/rules.yml");
  private static final Path DASHBOARD = Path.of("ops/grafana/packcheck.json");
  private static final Pattern METRIC = Pattern.compile("\\bpackcheck_[a-z0-9_]+");
  private static final String SHORT_CODE = "1393";
  static TestSmsc smsc;
  static Stack stack;
  static Client api;

  @BeforeAll
  static void start() throws Exception {
    smsc = TestSmsc.start("packcheck", "s3cret", 100);
    stack = new Stack();
    api = stack.start(Map.of("PACKCHECK_SMPP_HOST", smsc.host(), "PACKCHECK_SMPP_PORT", "" + smsc.port(),
        "PACKCHECK_SMPP_SYSTEM_ID", "packcheck", "PACKCHECK_SMPP_PASSWORD", "s3cret",
        "PACKCHECK_SMPP_SHORT_CODE", SHORT_CODE, "PACKCHECK_ALERT_SCAN_MS", "200"));
    Waits.bound(smsc);
    Stack.Account maker = stack.manufacturer(api, 10);
    Stack.Account pharmacy = stack.pharmacy(api);
    List<String> codes = Stack.codes(2);
    stack.activeBatch(api, maker, stack.product(api, maker, "Amoxicillin"), codes);
    api.post("/v1/verifications", pharmacy.token(), new JsonObject().put("code", codes.get(0)).put("action", "dispense"));
    api.post("/v1/verifications", pharmacy.token(), new JsonObject().put("code", "1234-5678-9012"));
    String phone = Phones.newNumber();
    assertThat(smsc.deliverMo(phone, SHORT_CODE, codes.get(1))).isZero();
    Phones.awaitReply(smsc, phone, 1);
  }

  @AfterAll
  static void stop() {
    stack.close();
    smsc.close();
  }

  @Test
  @DisplayName("every metric the alert rules and the dashboard name is one PackCheck exports")
  void rulesAndDashboardNameExportedMetrics() throws Exception {
    Set<String> exported = exported(api.get("/metrics", null).body());
    Set<String> named = new TreeSet<>();
    named.addAll(METRIC.matcher(Files.readString(RULES)).results().map(m -> m.group()).toList());
    new JsonObject(Files.readString(DASHBOARD)).getJsonArray("panels").forEach(p -> ((JsonObject) p)
        .getJsonArray("targets").forEach(t -> METRIC.matcher(((JsonObject) t).getString("expr")).results()
            .forEach(m -> named.add(m.group()))));
    assertThat(named).as("metrics named by the rules and the dashboard").hasSizeGreaterThan(15);
    assertThat(named).allSatisfy(name -> assertThat(exported).as("exported by /metrics").contains(name));
  }

  @Test
  @DisplayName("the series say what happened: the bind up, the MO in and its reply sent, answers by status, the stores up")
  void seriesCountWhatHappened() {
    String metrics = api.get("/metrics", null).body();
    assertThat(value(metrics, "packcheck_smpp_binds{smsc=\"default\"}")).isEqualTo(1);
    assertThat(value(metrics, "packcheck_smpp_binds_up{smsc=\"default\"}")).isEqualTo(1);
    assertThat(value(metrics, "packcheck_sms_mo_total{smsc=\"default\"}")).isEqualTo(1);
    // counted once the SMSC's answer is recorded, which may follow the SMSC taking it
    await("the reply counted as sent").atMost(Duration.ofSeconds(10)).until(() -> value(api.get("/metrics", null).body(),
        "packcheck_sms_mt_total{smsc=\"default\",status=\"sent\"}") == 1);
    assertThat(value(metrics, "packcheck_http_responses_total{status=\"201\"}")).isGreaterThanOrEqualTo(4);
    assertThat(value(metrics, "packcheck_postgres_up")).isEqualTo(1);
    assertThat(value(metrics, "packcheck_redis_up")).isEqualTo(1);
    assertThat(value(metrics, "packcheck_alerts_raised_total{kind=\"cloned_code\"}")).isZero();
  }

  @Test
  @DisplayName("a real Prometheus loads the rules, scrapes PackCheck and answers queries over its series")
  void prometheusScrapes(@TempDir Path dir) throws Exception {
    Path prometheus = Path.of("/usr/bin/prometheus");
    assumeTrue(Files.isExecutable(prometheus) || "true".equals(System.getenv("CI")),
        "Debian's prometheus is not installed (apt-get install prometheus)");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Files.copy(RULES, dir.resolve("rules.yml"));
    Files.writeString(dir.resolve("prometheus.yml"), """
        global: { scrape_interval: 1s, evaluation_interval: 1s }
        rule_files: [rules.yml]
        scrape_configs:
          - job_name: packcheck
            static_configs: [{ targets: ["%s"] }]
        """.formatted(api.baseUrl().substring("http://".length())));
    Process server = new ProcessBuilder(prometheus.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    try {
      String base = "http://127.0.0.1:" + port;
      await("Prometheus scraped PackCheck").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .untilAsserted(() -> assertThat(query(base, "up{job=\"packcheck\"}")).singleElement()
              .satisfies(s -> assertThat(((JsonObject) s).getJsonArray("value").getString(1)).isEqualTo("1")));
      JsonArray checks = query(base, "sum by (outcome) (packcheck_checks_total)");
      assertThat(checks).extracting(s -> ((JsonObject) s).getJsonObject("metric").getString("outcome"))
          .contains("genuine", "fake");
      assertThat(query(base, "packcheck_postgres_up")).singleElement()
          .satisfies(s -> assertThat(((JsonObject) s).getJsonArray("value").getString(1)).isEqualTo("1"));
      JsonArray groups = get(base + "/api/v1/rules").getJsonObject("data").getJsonArray("groups");
      JsonArray rules = groups.getJsonObject(0).getJsonArray("rules");
      long alerts = Pattern.compile("(?m)^\\s+- alert: ").matcher(Files.readString(RULES)).results().count();
      assertThat(rules).hasSize((int) alerts).hasSizeGreaterThan(10);
      assertThat(rules).allSatisfy(r -> assertThat(((JsonObject) r).getString("health")).isNotEqualTo("err"));
    } finally {
      server.destroy();
      server.waitFor();
    }
  }

  /** The series names of a Prometheus exposition: each TYPE line's name and its samples' names. */
  private static Set<String> exported(String exposition) {
    Set<String> names = new TreeSet<>();
    exposition.lines().filter(line -> !line.isBlank() && !line.startsWith("#"))
        .forEach(line -> names.add(line.split("[{ ]", 2)[0]));
    return names;
  }

  private static JsonArray query(String base, String promql) throws Exception {
    JsonObject answer = get(base + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    assertThat(answer.getString("status")).isEqualTo("success");
    return answer.getJsonObject("data").getJsonArray("result");
  }

  private static JsonObject get(String url) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
    return new JsonObject(r.body());
  }
}
