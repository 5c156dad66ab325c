package com.packcheck.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.postgres.PgUrl;
import com.packcheck.support.Client;
import com.packcheck.support.Phones;
import com.packcheck.support.Stack;
import com.packcheck.support.TestClock;
import com.packcheck.support.TestPostgres;
import com.packcheck.support.TestSmsc;
import com.packcheck.support.Waits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A code counted once is counted again only when it may have gained a customer; these are the ways it
 * can, each arranged so that no other rule would count it again: scans run by the test on a ledger
 * clock it moves, minutes apart, so the customers who checked before are not new to the scan's window.
 */
@DisplayName("Cloned codes: a code counted once is counted again whenever it may have gained a customer")
class ClonedCodeScanTest {
  static final String SHORT_CODE = "1393";
  static TestSmsc smsc;
  static Stack stack;
  static Client api;
  static ManualScans scans;
  static TestClock clock;
  static Stack.Account maker;
  static long product;
  static Stack.Account pharmacyA;
  static Stack.Account pharmacyB;
  static Stack.Account pharmacyC;

  @BeforeAll
  static void start() throws Exception {
    smsc = TestSmsc.start("packcheck", "s3cret", 100);
    clock = new TestClock(Instant.now().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1)));
    stack = new Stack();
    api = stack.start(Map.of("PACKCHECK_ALERT_SCAN_MS", "3600000",
        "PACKCHECK_SMPP_HOST", smsc.host(), "PACKCHECK_SMPP_PORT", "" + smsc.port(),
        "PACKCHECK_SMPP_SYSTEM_ID", "packcheck", "PACKCHECK_SMPP_PASSWORD", "s3cret",
        "PACKCHECK_SMPP_SHORT_CODE", SHORT_CODE, "PACKCHECK_SMPP_COUNTRY", "GH"), clock);
    scans = new ManualScans(PgUrl.parse(TestPostgres.url()), stack.schema, 10, clock);
    maker = stack.manufacturer(api, 1);
    product = stack.product(api, maker, "Clone product");
    pharmacyA = stack.pharmacy(api);
    pharmacyB = stack.pharmacy(api);
    pharmacyC = stack.pharmacy(api);
    Waits.bound(smsc);
  }

  @AfterAll
  static void stop() throws Exception {
    scans.close();
    stack.close();
    smsc.close();
  }

  private static String code() {
    List<String> codes = Stack.codes(1);
    stack.activeBatch(api, maker, product, codes);
    return codes.get(0);
  }

  private static String check(Stack.Account pharmacy, String code, String action) {
    return api.post("/v1/verifications", pharmacy.token(), new JsonObject().put("code", code).put("action", action))
        .json().getString("outcome");
  }

  /**
   * Scans at the clock's time, then five minutes on, and moves the clock five minutes more: the checks
   * before are older than the window of the next scan. Returns the cloned-code alerts' customers.
   */
  private static List<Integer> scanThenWait() throws Exception {
    for (int i = 0; i < 2; i++) {
      scans.scan();
      clock.set(clock.instant().plus(Duration.ofMinutes(5)));
    }
    Client.Response r = api.get("/v1/alerts", maker.token());
    assertThat(r.status()).isEqualTo(200);
    return new JsonArray(r.body()).stream().map(JsonObject.class::cast)
        .filter(a -> a.getString("kind").equals("cloned_code"))
        .map(a -> a.getJsonObject("details").getInteger("customers"))
        .toList();
  }

  @Test
  @DisplayName("counted at two customers, then consumed by a shopper: the next already used answer to an old customer finds three")
  void newHolder() throws Exception {
    String code = code();
    int before = scanThenWait().size();
    assertThat(check(pharmacyA, code, "dispense")).isEqualTo("genuine");
    assertThat(check(pharmacyB, code, "verify")).isEqualTo("already_used");
    assertThat(scanThenWait()).as("two customers are no clone").hasSize(before);

    String phone = Phones.newNumber();
    assertThat(smsc.deliverMo(phone, SHORT_CODE, code)).isZero();
    Phones.awaitReply(smsc, phone, 1);
    assertThat(TestPostgres.number(stack.schema, "select count(*) from codes where state = 2 and consumed_at is not null"))
        .as("the shopper consumed it").isEqualTo(1);
    assertThat(check(pharmacyB, code, "verify")).isEqualTo("already_used");
    assertThat(scanThenWait()).as("B is not new, the shopper is").hasSize(before + 1).last().isEqualTo(3);
  }

  @Test
  @DisplayName("two pharmacies verify a fresh code, a third dispenses it, one of the first two checks it again: three customers at the first count")
  void customersWhileFresh() throws Exception {
    String code = code();
    int before = scanThenWait().size();
    assertThat(check(pharmacyA, code, "verify")).isEqualTo("genuine");
    assertThat(check(pharmacyB, code, "verify")).isEqualTo("genuine");
    assertThat(scanThenWait()).hasSize(before);
    assertThat(check(pharmacyC, code, "dispense")).isEqualTo("genuine");
    assertThat(scanThenWait()).hasSize(before);
    assertThat(check(pharmacyA, code, "verify")).isEqualTo("already_used");
    assertThat(scanThenWait()).as("A is not new, but the code was never counted").hasSize(before + 1).last().isEqualTo(3);
  }

  @Test
  @DisplayName("counted at two customers, the same two again and again: no alert; a third, already used: an alert")
  void newAsker() throws Exception {
    String code = code();
    int before = scanThenWait().size();
    assertThat(check(pharmacyA, code, "dispense")).isEqualTo("genuine");
    assertThat(check(pharmacyB, code, "verify")).isEqualTo("already_used");
    assertThat(scanThenWait()).hasSize(before);
    assertThat(check(pharmacyB, code, "verify")).isEqualTo("already_used");
    assertThat(check(pharmacyA, code, "dispense")).isEqualTo("genuine");
    assertThat(scanThenWait()).hasSize(before);
    assertThat(check(pharmacyC, code, "verify")).isEqualTo("already_used");
    assertThat(scanThenWait()).hasSize(before + 1).last().isEqualTo(3);
  }
}
