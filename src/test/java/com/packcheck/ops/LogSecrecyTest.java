package com.packcheck.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.packcheck.code.CodeNormalizer;
import com.packcheck.postgres.PgUrl;
import com.packcheck.support.ChildPackCheck;
import com.packcheck.support.Client;
import com.packcheck.support.Phones;
import com.packcheck.support.Stack;
import com.packcheck.support.TcpProxy;
import com.packcheck.support.TestPostgres;
import com.packcheck.support.TestSmsc;
import com.packcheck.support.Waits;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Logs leave the service's trust boundary (collectors, support tickets): no plain code, phone number,
 * token or password may reach them, at DEBUG and on the error paths, in either format.
 */
@DisplayName("The logs")
class LogSecrecyTest {
  private static final String SHORT_CODE = "1393";
  /** SMPP 3.4 allows a password of 8 characters at most. */
  private static final String SMSC_PASSWORD = "pw7e1d9x";

  @Test
  @DisplayName("hold no code, phone number, token or password at DEBUG, through checks, SMS, refusals and a PostgreSQL outage")
  void noSecretsAtDebug() throws Exception {
    List<String> secrets = new ArrayList<>();
    String output;
    try (TestSmsc smsc = TestSmsc.start("packcheck", SMSC_PASSWORD, 100); Stack stack = new Stack();
        TcpProxy pg = new TcpProxy("127.0.0.1", PgUrl.parse(TestPostgres.url()).port())) {
      Map<String, String> env = new HashMap<>(stack.environment());
      env.putAll(Map.of("PACKCHECK_LOG_LEVEL", "DEBUG", "PACKCHECK_LOG_FORMAT", "json",
          "PACKCHECK_PG_URL", TestPostgres.url().replaceFirst(":\\d+/", ":" + pg.port() + "/"),
          "PACKCHECK_COMMIT_TIMEOUT_MS", "1000", "PACKCHECK_PG_REPLY_TIMEOUT_MS", "2000",
          "PACKCHECK_SMPP_HOST", smsc.host(), "PACKCHECK_SMPP_PORT", "" + smsc.port(),
          "PACKCHECK_SMPP_SYSTEM_ID", "packcheck", "PACKCHECK_SMPP_PASSWORD", SMSC_PASSWORD,
          "PACKCHECK_SMPP_SHORT_CODE", SHORT_CODE));
      secrets.addAll(List.of(stack.adminToken, Stack.SECRET, SMSC_PASSWORD));
      try (ChildPackCheck child = ChildPackCheck.start(env)) {
        Client api = child.awaitReady(Duration.ofSeconds(60));
        Waits.bound(smsc);
        Stack.Account maker = stack.manufacturer(api, 10);
        Stack.Account pharmacy = stack.pharmacy(api);
        secrets.addAll(List.of(maker.token(), pharmacy.token()));
        List<String> codes = Stack.codes(4);
        stack.activeBatch(api, maker, stack.product(api, maker, "Amoxicillin"), codes);
        codes.forEach(code -> secrets.add(CodeNormalizer.normalize(code)));
        api.post("/v1/verifications", pharmacy.token(), new JsonObject().put("code", codes.get(0)).put("action", "dispense"));
        api.post("/v1/verifications", "pcp_not-a-token-at-all", new JsonObject().put("code", codes.get(1)));
        String fake = "7719002344681234";
        String typo = "7719-0023-44";
        secrets.addAll(List.of(fake, typo.replace("-", "")));
        api.post("/v1/verifications", pharmacy.token(), new JsonObject().put("code", fake));
        api.post("/v1/verifications", pharmacy.token(), new JsonObject().put("code", typo));
        api.post("/v1/verifications", pharmacy.token(), new JsonObject().put("code", codes.get(2)).put("bogus", true));

        String phone = Phones.newNumber();
        secrets.addAll(List.of(phone, phone.substring(1), "0" + phone.substring(4)));
        assertThat(smsc.deliverMo(phone, SHORT_CODE, codes.get(3))).isZero();
        Phones.awaitReply(smsc, phone, 1);
        assertThat(smsc.deliverMo(phone, SHORT_CODE, "CHECK " + fake)).isZero();
        Phones.awaitReply(smsc, phone, 2);

        // the error paths: checks and MOs while PostgreSQL loses every reply
        pg.swallowReplies();
        assertThat(api.post("/v1/verifications", pharmacy.token(), new JsonObject().put("code", codes.get(1))).status())
            .isEqualTo(503);
        String other = Phones.newNumber();
        secrets.addAll(List.of(other, other.substring(1)));
        smsc.deliverMo(other, SHORT_CODE, codes.get(1));
        pg.heal();
        await("the ledger answers again").atMost(Duration.ofSeconds(30)).ignoreExceptions()
            .until(() -> api.post("/v1/verifications", pharmacy.token(), new JsonObject().put("code", codes.get(1)))
                .status() == 200);
        child.stop(Duration.ofSeconds(30));
        output = child.output();
      }
    }
    assertThat(output.lines().count()).as("DEBUG logs something").isGreaterThan(50);
    assertThat(output).as("the error paths were logged").contains("\"level\":\"WARN\"");
    for (String secret : secrets) {
      assertThat(output).as("the logs hold no %s", secret).doesNotContain(secret);
    }
  }
}
