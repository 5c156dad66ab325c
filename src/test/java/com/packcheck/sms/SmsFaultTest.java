package com.packcheck.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.packcheck.code.Sealer;
import com.packcheck.postgres.PgUrl;
import com.packcheck.support.Client;
import com.packcheck.support.Phones;
import com.packcheck.support.Stack;
import com.packcheck.support.TcpProxy;
import com.packcheck.support.TestPostgres;
import com.packcheck.support.TestSmsc;
import com.packcheck.support.Waits;
import com.packcheck.support.World;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The SMS channel when PostgreSQL, the link or the SMSC's patience fail")
class SmsFaultTest {
  static final String SHORT_CODE = "1393";
  static final int MAX_TPS = 5;
  static TcpProxy pgProxy;
  static TcpProxy redisProxy;
  static TestSmsc smsc;
  static World world;
  static Client viaProxy;

  @BeforeAll
  static void start() throws Exception {
    PgUrl pg = PgUrl.parse(TestPostgres.url());
    pgProxy = new TcpProxy(pg.host(), pg.port());
    java.net.URI redis = java.net.URI.create(com.packcheck.support.TestRedis.url());
    redisProxy = new TcpProxy(redis.getHost(), redis.getPort());
    smsc = TestSmsc.start("packcheck", "s3cret", 100);
    // instance 0 sets up codes directly; instance 1 serves SMS with PostgreSQL behind the proxy
    world = new World(7, Map.of(), Map.ofEntries(
        Map.entry("PACKCHECK_PG_URL", "postgresql://" + pg.user() + ":" + pg.password() + "@127.0.0.1:" + pgProxy.port() + "/"
            + pg.database()),
        Map.entry("PACKCHECK_REDIS_URL", "redis://127.0.0.1:" + redisProxy.port() + redis.getPath()),
        Map.entry("PACKCHECK_COMMIT_TIMEOUT_MS", "1000"),
        Map.entry("PACKCHECK_PG_REPLY_TIMEOUT_MS", "3000"),
        Map.entry("PACKCHECK_SMPP_BUDGET_MS", "1500"),
        Map.entry("PACKCHECK_SMPP_HOST", smsc.host()),
        Map.entry("PACKCHECK_SMPP_PORT", "" + smsc.port()),
        Map.entry("PACKCHECK_SMPP_SYSTEM_ID", "packcheck"),
        Map.entry("PACKCHECK_SMPP_PASSWORD", "s3cret"),
        Map.entry("PACKCHECK_SMPP_SHORT_CODE", SHORT_CODE),
        Map.entry("PACKCHECK_SMPP_MAX_TPS", "" + MAX_TPS)));
    viaProxy = world.instance(1);
    Waits.bound(smsc);
  }

  @AfterEach
  void heal() {
    pgProxy.heal();
    redisProxy.heal();
  }

  @AfterAll
  static void stop() throws Exception {
    world.close();
    smsc.close();
    pgProxy.close();
    redisProxy.close();
  }

  @Test
  @DisplayName("with Redis silent or gone, MOs are still checked by PostgreSQL within the budget and answered")
  void redisDown() throws Exception {
    List<String> codes = world.activeCodes(2);
    String phone = Phones.newNumber();
    redisProxy.swallowReplies();
    assertThat(smsc.deliverMo(phone, SHORT_CODE, codes.get(0))).as("not ESME_RX_T_APPN").isZero();
    assertThat(Phones.awaitReply(smsc, phone, 1)).startsWith("GENUINE").contains("First check");
    redisProxy.heal();
    redisProxy.cut();
    assertThat(smsc.deliverMo(phone, SHORT_CODE, codes.get(1))).isZero();
    assertThat(Phones.awaitReply(smsc, phone, 2)).startsWith("GENUINE").contains("First check");
    // another text (the same one at once would be taken for a redelivery), the same shopper
    assertThat(smsc.deliverMo(phone, SHORT_CODE, "CHECK " + codes.get(0))).isZero();
    assertThat(Phones.awaitReply(smsc, phone, 3)).startsWith("GENUINE").contains("You first verified");
  }

  @Test
  @DisplayName("a reply an instance took and never settled (it died) is sent again after five minutes, not one taken a minute ago")
  void abandonedReply() throws Exception {
    String shopper = Phones.newNumber();
    assertThat(smsc.deliverMo(shopper, SHORT_CODE, world.activeCodes(1).get(0))).isZero();
    String body = Phones.awaitReply(smsc, shopper, 1);
    // what a dead instance leaves: replies in 'sending', taken 6 minutes and 1 minute ago
    String lost = Phones.newNumber();
    String busy = Phones.newNumber();
    Sealer cipher = Sealer.forPhoneNumbers(Stack.SECRET.getBytes(StandardCharsets.UTF_8));
    try (Connection c = TestPostgres.connect(world.stack.schema);
        PreparedStatement ps = c.prepareStatement("""
            insert into sms_outbox (smsc, source, destination_enc, kind, body, language, state, attempts, taken_at)
            select smsc, source, ?, kind, body, language, 'sending', 1, now() - make_interval(mins => ?)
            from sms_outbox where body = ? limit 1
            """)) {
      for (Object[] row : new Object[][] {{lost, 6}, {busy, 1}}) {
        ps.setBytes(1, cipher.encrypt((String) row[0]));
        ps.setInt(2, (Integer) row[1]);
        ps.setString(3, body);
        assertThat(ps.executeUpdate()).isEqualTo(1);
      }
    }
    // the sweep runs every 10 s
    Phones.awaitReply(smsc, lost, 1, Duration.ofSeconds(25));
    assertThat(Phones.replies(smsc, lost)).containsExactly(body);
    assertThat(Phones.replies(smsc, busy)).as("a reply taken a minute ago may still be on its way").isEmpty();
    assertThat(count("select count(*) from sms_outbox where state = 'sending' and taken_at < now() - interval '50 seconds'"))
        .as("the minute-old take is left alone").isEqualTo(1);
  }

  private static long count(String sql) throws Exception {
    return TestPostgres.number(world.stack.schema, sql);
  }

  /** The checks by SMS recorded (and billed) so far. */
  private static long smsInteractions() throws Exception {
    return count("select count(*) from interactions where channel = 'sms'");
  }

  /** Delivers like an SMSC: again after a temporary error or no answer, until PackCheck takes it; returns the tries. */
  private static int deliverUntilTaken(String from, String text) {
    AtomicInteger tries = new AtomicInteger();
    await("MO from " + from + " taken").atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptionsInstanceOf(RuntimeException.class)  // link down or no response: redeliver later
        .until(() -> {
          tries.incrementAndGet();
          return smsc.isBound() && smsc.deliverMo(from, SHORT_CODE, text) == 0;
        });
    return tries.get();
  }

  @Test
  @DisplayName("with PostgreSQL unreachable the MO is refused with ESME_RX_T_APPN; its redelivery gets one correct reply, billed once")
  void postgresDown() throws Exception {
    String code = world.activeCodes(1).get(0);
    String phone = Phones.newNumber();
    pgProxy.cut();
    assertThat(smsc.deliverMo(phone, SHORT_CODE, code)).isEqualTo(0x64);
    assertThat(Phones.replies(smsc, phone)).isEmpty();
    pgProxy.heal();
    assertThat(deliverUntilTaken(phone, code)).isPositive();
    assertThat(Phones.awaitReply(smsc, phone, 1)).startsWith("GENUINE").contains("First check");
    assertThat(count("select count(*) from interactions where channel = 'sms' and outcome = 'genuine'"
        + " and customer_id = (select id from customers where kind = 'msisdn' order by created_at desc limit 1)"))
        .isEqualTo(1);
  }

  @Test
  @DisplayName("a COMMIT whose reply is lost answers ESME_RX_T_APPN; the redelivery replays the committed check: one reply, one interaction")
  void commitReplyLost() throws Exception {
    String code = world.activeCodes(1).get(0);
    String phone = Phones.newNumber();
    long before = smsInteractions();
    pgProxy.swallowReplies();
    assertThat(smsc.deliverMo(phone, SHORT_CODE, code)).isEqualTo(0x64);
    pgProxy.heal();
    deliverUntilTaken(phone, code);
    String reply = Phones.awaitReply(smsc, phone, 1);
    assertThat(reply).startsWith("GENUINE").contains("First check");
    Waits.repliesStay(smsc, phone, List.of(reply), Duration.ofMillis(300));
    assertThat(smsInteractions()).isEqualTo(before + 1);
    assertThat(count("select count(*) from interactions where channel = 'sms' and first_check")).isPositive();
  }

  @Test
  @DisplayName("the SMSC dropping the link mid-traffic: PackCheck re-binds, no MO is lost and no reply is sent twice")
  void linkDrop() throws Exception {
    List<String> codes = world.activeCodes(12);
    List<String> phones = new ArrayList<>();
    List<CompletableFuture<Integer>> sent = new ArrayList<>();
    for (String code : codes) {
      String phone = Phones.newNumber();
      phones.add(phone);
      sent.add(CompletableFuture.supplyAsync(() -> deliverUntilTaken(phone, code)));
      if (phones.size() == 4) {
        smsc.dropLink();
      }
    }
    sent.forEach(CompletableFuture::join);
    Waits.bound(smsc);
    await("a reply to every MO, or none left to send").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
        .until(() -> phones.stream().noneMatch(p -> Phones.replies(smsc, p).isEmpty()) || count(UNSETTLED) == 0);
    assertThat(smsc.binds()).isGreaterThanOrEqualTo(2);
    for (String phone : phones) {
      assertThat(Phones.replies(smsc, phone)).as("replies to %s", phone).hasSizeLessThanOrEqualTo(1);
    }
    long answered = phones.stream().filter(p -> !Phones.replies(smsc, p).isEmpty()).count();
    // a reply whose submit was on the wire when the link fell is never resent: the receipt would tell
    assertThat(answered + count("select count(*) from sms_outbox where state = 'unknown'")).isGreaterThanOrEqualTo(12);
    assertThat(count("select count(*) from codes where state = 2 and batch_id = (select max(id) from batches)"))
        .isEqualTo(12);
  }

  private static final String UNSETTLED = "select count(*) from sms_outbox where state in ('pending', 'sending')";

  @Test
  @DisplayName("replies never exceed the SMSC's submits per second, and a throttled (0x58) submit is paused and retried")
  void throttling() throws Exception {
    int before = smsc.submits().size();
    smsc.rejectNextSubmits(0x58, 2);
    List<String> phones = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      String phone = Phones.newNumber();
      phones.add(phone);
      assertThat(smsc.deliverMo(phone, SHORT_CODE, "HELP")).isZero();
    }
    for (String phone : phones) {
      assertThat(Phones.awaitReply(smsc, phone, 1)).startsWith("PackCheck: text the code");
      assertThat(Phones.replies(smsc, phone)).hasSize(1);
    }
    List<TestSmsc.Submit> mine = smsc.submits().subList(before, smsc.submits().size());
    assertThat(mine.stream().filter(s -> s.status() == 0x58)).hasSize(2);
    assertThat(TestSmsc.mostInAnySecond(mine)).isLessThanOrEqualTo(MAX_TPS);
  }

  @Test
  @DisplayName("with Redis cut, this instance's own bucket still keeps replies within the SMSC's submits per second")
  void rateWithoutRedis() throws Exception {
    int before = smsc.submits().size();
    redisProxy.cut();
    List<String> phones = smsc.deliverBurst(SHORT_CODE, "HELP", 3 * MAX_TPS);
    for (String phone : phones) {
      assertThat(Phones.awaitReply(smsc, phone, 1)).startsWith("PackCheck: text the code");
    }
    assertThat(TestSmsc.mostInAnySecond(smsc.submits().subList(before, smsc.submits().size())))
        .isLessThanOrEqualTo(MAX_TPS);
  }
}
