package com.packcheck.support.traffic;

import com.packcheck.support.Client;
import com.packcheck.support.Stack;
import com.packcheck.support.TestPostgres;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.YearMonth;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every report PackCheck gives of some months, for each maker and for the operator, read at one
 * moment of the traffic, so that a test can hold them against the generator's ledger of that moment.
 */
public final class Reports {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** When they were read, with the roll-up's watermark and the last interaction then. */
  public final String state;
  private final Map<String, JsonObject> monthly = new HashMap<>();
  private final Map<String, HttpResponse<String>> csv = new HashMap<>();
  private final Map<String, JsonObject> usage = new HashMap<>();
  private final Map<String, JsonObject> summary = new HashMap<>();
  private final Map<String, JsonArray> customers = new HashMap<>();
  private final Map<YearMonth, JsonArray> fakes = new HashMap<>();

  private Reports(String state) {
    this.state = state;
  }

  /** Reads them now; {@code when} names the moment. */
  public static Reports read(String when, Client api, Stack stack, List<Maker> makers, List<YearMonth> months)
      throws Exception {
    Reports r = new Reports(when + " (roll-up watermark " + watermark(stack) + ", last interaction "
        + TestPostgres.number(stack.schema, "select coalesce(max(id), 0) from interactions") + ")");
    for (YearMonth month : months) {
      String period = "from=" + month.atDay(1) + "&to=" + month.atEndOfMonth();
      for (Maker m : makers) {
        String token = m.account.token();
        r.monthly.put(key(m, month), api.get("/v1/reports/monthly?month=" + month, token).json());
        r.csv.put(key(m, month), HTTP.send(HttpRequest.newBuilder(
                URI.create(api.baseUrl() + "/v1/reports/monthly?month=" + month))
            .header("Authorization", "Bearer " + token).header("Accept", "text/csv").build(),
            HttpResponse.BodyHandlers.ofString()));
        r.usage.put(key(m, month), api.get("/v1/usage?" + period, token).json());
        r.summary.put(key(m, month), api.get("/v1/customers/summary?" + period, token).json());
        r.customers.put(key(m, month), new JsonArray(api.get("/v1/customers?" + period + "&limit=1000", token).body()));
      }
      r.fakes.put(month, new JsonArray(api.get("/v1/admin/reports/fakes?" + period, stack.adminToken).body()));
    }
    return r;
  }

  /** The roll-up's watermark: the interactions up to it are in {@code ledger_days}. */
  public static long watermark(Stack stack) throws Exception {
    return TestPostgres.number(stack.schema, "select value::bigint from settings where name = 'ledger_days_watermark'");
  }

  public JsonObject monthly(Maker m, YearMonth month) {
    return monthly.get(key(m, month));
  }

  /** The monthly report asked for as CSV: the whole response, for its Content-Type. */
  public HttpResponse<String> csv(Maker m, YearMonth month) {
    return csv.get(key(m, month));
  }

  public JsonObject usage(Maker m, YearMonth month) {
    return usage.get(key(m, month));
  }

  public JsonObject summary(Maker m, YearMonth month) {
    return summary.get(key(m, month));
  }

  public JsonArray customers(Maker m, YearMonth month) {
    return customers.get(key(m, month));
  }

  /** The operator's fakes report of the month. */
  public JsonArray fakes(YearMonth month) {
    return fakes.get(month);
  }

  private static String key(Maker m, YearMonth month) {
    return m.name + " " + month;
  }
}
