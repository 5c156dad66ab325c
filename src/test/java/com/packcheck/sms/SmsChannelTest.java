package com.packcheck.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cloudhopper.smpp.SmppConstants;
import com.cloudhopper.smpp.pdu.DeliverSm;
import com.cloudhopper.smpp.tlv.Tlv;
import com.packcheck.support.Client;
import com.packcheck.support.Phones;
import com.packcheck.support.TestPostgres;
import com.packcheck.support.TestSmsc;
import com.packcheck.support.Waits;
import com.packcheck.support.World;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Shoppers check codes by SMS (an in-process SMSC on Cloudhopper)")
class SmsChannelTest {
  static final String SHORT_CODE = "1393";
  /** Short, so a shopper's second send can come after it within a test. */
  static final int REDELIVERY_WINDOW_MS = 3000;
  /** The redelivery window and 200 ms more before now, on PostgreSQL's clock: the one PackCheck judges the window by. */
  static final String WINDOW_AGO = "now() - make_interval(secs => " + (REDELIVERY_WINDOW_MS + 200) / 1000.0 + ")";
  static TestSmsc smsc;
  static World world;
  static Client api;

  @BeforeAll
  static void start() throws Exception {
    smsc = TestSmsc.start("packcheck", "s3cret", 100);
    world = new World(7, Map.of("PACKCHECK_SMPP_HOST", smsc.host(), "PACKCHECK_SMPP_PORT", "" + smsc.port(),
        "PACKCHECK_SMPP_SYSTEM_ID", "packcheck", "PACKCHECK_SMPP_PASSWORD", "s3cret",
        "PACKCHECK_SMPP_SHORT_CODE", SHORT_CODE, "PACKCHECK_SMPP_COUNTRY", "GH", "PACKCHECK_SMPP_MAX_TPS", "200",
        "PACKCHECK_SMS_MAX_BAD_PER_HOUR", "3", "PACKCHECK_SMS_REDELIVERY_WINDOW_MS", "" + REDELIVERY_WINDOW_MS));
    api = world.instance(0);
    Waits.bound(smsc);
  }

  @AfterAll
  static void stop() {
    world.close();
    smsc.close();
  }

  private static String send(String from, String text) throws Exception {
    int before = Phones.replies(smsc, from).size();
    assertThat(smsc.deliverMo(from, SHORT_CODE, text)).as("deliver_sm_resp status").isZero();
    return Phones.awaitReply(smsc, from, before + 1);
  }

  private static long count(String sql) throws Exception {
    return TestPostgres.number(world.stack.schema, sql);
  }

  /** The checks by SMS recorded (and billed) so far. */
  private static long smsInteractions() throws Exception {
    return count("select count(*) from interactions where channel = 'sms'");
  }

  /** Until a row of the outbox matches {@code where}. */
  private static void awaitOutbox(String what, String where) {
    await(what).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
        .until(() -> count("select count(*) from sms_outbox where " + where) > 0);
  }

  private static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  @Test
  @DisplayName("the first check is genuine and first, the same shopper again is told when they first checked, another shopper is told it was used")
  void genuineRepeatAndUsed() throws Exception {
    String code = world.activeCodes(1).get(0);
    String alice = Phones.newNumber();
    String bob = Phones.newNumber();
    assertThat(send(alice, code)).startsWith("GENUINE: Product").contains("First check").contains("Ref ");
    assertThat(send(alice, "check " + code)).startsWith("GENUINE").contains("You first verified it on");
    assertThat(send(bob, code)).startsWith("ALREADY USED, first verified on").contains("reply REPORT");
    assertThat(count("select count(*) from interactions where channel = 'sms' and first_check")).isGreaterThanOrEqualTo(1);
    assertThat(count("select count(*) from codes where state = 2")).isGreaterThanOrEqualTo(1);
    assertThat(smsc.submits()).allSatisfy(s -> {
      assertThat(s.from()).isEqualTo(SHORT_CODE);
      assertThat(s.registeredDelivery()).isEqualTo((byte) 1);
    });
  }

  @Test
  @DisplayName("a code of a batch not yet released, recalled or expired is answered so, in English and French")
  void batchStates() throws Exception {
    List<String> draft = com.packcheck.support.Stack.codes(1);
    world.stack.draftBatch(api, world.maker, world.product, "2099-12-31", draft);
    List<String> recalled = com.packcheck.support.Stack.codes(1);
    long batch = world.stack.activeBatch(api, world.maker, world.product, recalled);
    api.post("/v1/batches/" + batch + "/recall", world.maker.token(), new io.vertx.core.json.JsonObject().put("reason", "test"));
    List<String> expired = com.packcheck.support.Stack.codes(1);
    long old = world.stack.draftBatch(api, world.maker, world.product, "2020-01-31", expired);
    api.post("/v1/batches/" + old + "/activate", world.maker.token(), null);
    String phone = Phones.newNumber();
    assertThat(send(phone, draft.get(0))).startsWith("NOT RELEASED:");
    assertThat(send(phone, recalled.get(0))).startsWith("RECALLED:");
    assertThat(send(phone, expired.get(0))).startsWith("EXPIRED:").contains("31 Jan 2020");
    assertThat(send(phone, "FR " + recalled.get(0))).startsWith("RAPPELÉ");
    assertThat(count("select count(*) from codes where state = 2 and hash in (select code_hash from interactions"
        + " where outcome in ('inactive', 'recalled', 'expired'))")).as("nothing consumed").isZero();
  }

  @Test
  @DisplayName("every keyword works, in English and French, and a pack dispensed by a pharmacy says so")
  void keywords() throws Exception {
    List<String> codes = world.activeCodes(3);
    String phone = Phones.newNumber();
    assertThat(send(phone, "VERIFY " + codes.get(0))).startsWith("GENUINE");
    assertThat(send(phone, "FR " + codes.get(1))).startsWith("AUTHENTIQUE").contains("Première vérification");
    world.check(api, world.pharmacyA, codes.get(2), "dispense");
    assertThat(send(phone, codes.get(2))).contains("Dispensed by a pharmacy on");
    assertThat(send(phone, "HELP")).startsWith("PackCheck: text the code");
    assertThat(send(phone, "aide")).startsWith("PackCheck : envoyez");
    assertThat(send(phone, "STOP")).startsWith("Done:");
    assertThat(count("select count(*) from customers where opted_out_at is not null")).isPositive();
    assertThat(send(phone, "YES")).startsWith("Thank you: you will receive");
    assertThat(send(phone, "REPORT 00000A")).contains("your report 00000A");
    assertThat(count("select count(*) from sms_reports where reference = '00000A'")).isEqualTo(1);
  }

  @Test
  @DisplayName("a fake code answers 'not genuine', a typo 'please re-check', and past the hourly limit one 'too many' then silence")
  void fakesTyposAndLimits() throws Exception {
    world.activeCodes(1);
    String phone = Phones.newNumber();
    assertThat(send(phone, "9" + "0".repeat(15))).startsWith("NOT GENUINE");
    assertThat(send(phone, "12-AB")).startsWith("We could not read that code. Please re-check");
    assertThat(send(phone, "8" + "1".repeat(15))).startsWith("NOT GENUINE");
    assertThat(send(phone, "7" + "2".repeat(15))).startsWith("Too many checks");
    List<String> before = Phones.replies(smsc, phone);
    assertThat(smsc.deliverMo(phone, SHORT_CODE, "6" + "3".repeat(15))).isZero();
    Waits.repliesStay(smsc, phone, before, Duration.ofMillis(500));
    String code = world.activeCodes(1).get(0);
    assertThat(send(Phones.newNumber(), code)).as("another shopper is not limited").startsWith("GENUINE");
  }

  @Test
  @DisplayName("the same MO delivered again just after its reply went out changes nothing, bills nothing and gets no second reply")
  void redelivery() throws Exception {
    String code = world.activeCodes(1).get(0);
    String phone = Phones.newNumber();
    String reply = send(phone, code);
    assertThat(reply).contains("First check");
    long interactions = smsInteractions();
    assertThat(smsc.deliverMo(phone, SHORT_CODE, code)).isZero();
    Waits.repliesStay(smsc, phone, List.of(reply), Duration.ofMillis(500));
    assertThat(smsInteractions()).isEqualTo(interactions);
  }

  @Test
  @DisplayName("a shopper sending the same code again once the reply went out gets the same answer again, billed once, consuming nothing more")
  void sentAgain() throws Exception {
    String code = world.activeCodes(1).get(0);
    String phone = Phones.newNumber();
    long interactions = smsInteractions();
    String first = send(phone, code);
    assertThat(first).contains("First check");
    awaitOutbox("the reply sent longer ago than the window", "sent_at < " + WINDOW_AGO + " and body = " + literal(first));
    assertThat(send(phone, code)).isEqualTo(first);
    Waits.repliesStay(smsc, phone, List.of(first, first), Duration.ofMillis(300));
    assertThat(smsInteractions()).as("billed once").isEqualTo(interactions + 1);
    assertThat(count("select count(*) from sms_outbox where body = " + literal(first))).isEqualTo(2);
  }

  @Test
  @DisplayName("the same MO delivered again while its reply is still being submitted, past the window, gets no second reply")
  void redeliveryWhileInFlight() throws Exception {
    String code = world.activeCodes(1).get(0);
    String phone = Phones.newNumber();
    long interactions = smsInteractions();
    // five throttled submits: the reply stays in flight for about five seconds, longer than the window
    smsc.rejectNextSubmits(0x58, 5);
    assertThat(smsc.deliverMo(phone, SHORT_CODE, code)).isZero();
    awaitOutbox("a reply in flight for longer than the window", "state = 'sending' and taken_at < " + WINDOW_AGO);
    assertThat(Phones.replies(smsc, phone)).as("still throttled").isEmpty();
    assertThat(smsc.deliverMo(phone, SHORT_CODE, code)).isZero();
    String reply = Phones.awaitReply(smsc, phone, 1);
    assertThat(reply).contains("First check");
    Waits.repliesStay(smsc, phone, List.of(reply), Duration.ofMillis(500));
    assertThat(smsInteractions()).isEqualTo(interactions + 1);
  }

  @Test
  @DisplayName("a concatenated MO (UDH and SAR) is answered once complete; a UCS-2 MO is read")
  void concatenatedAndUcs2() throws Exception {
    List<String> codes = world.activeCodes(3);
    String phone = Phones.newNumber();
    String text = "CHECK " + codes.get(0);
    byte[] first = text.substring(0, 8).getBytes(StandardCharsets.US_ASCII);
    byte[] second = text.substring(8).getBytes(StandardCharsets.US_ASCII);
    assertThat(smsc.deliver(udhPart(phone, 0x42, 2, 1, first))).isZero();
    Waits.repliesStay(smsc, phone, List.of(), Duration.ofMillis(200));
    assertThat(smsc.deliver(udhPart(phone, 0x42, 2, 2, second))).isZero();
    assertThat(Phones.awaitReply(smsc, phone, 1)).startsWith("GENUINE");

    String sarText = codes.get(1);
    assertThat(smsc.deliver(sarPart(phone, 7, 2, 2, sarText.substring(8)))).isZero();
    assertThat(smsc.deliver(sarPart(phone, 7, 2, 1, sarText.substring(0, 8)))).isZero();
    assertThat(Phones.awaitReply(smsc, phone, 2)).startsWith("GENUINE");

    DeliverSm ucs2 = TestSmsc.mo(phone, SHORT_CODE, ("vérifier " + codes.get(2)).getBytes(StandardCharsets.UTF_16BE));
    ucs2.setDataCoding((byte) 8);
    assertThat(smsc.deliver(ucs2)).isZero();
    assertThat(Phones.awaitReply(smsc, phone, 3)).startsWith("AUTHENTIQUE");
  }

  @Test
  @DisplayName("delivery receipts are matched to replies by esm_class and receipted_message_id, never read as codes")
  void receipts() throws Exception {
    String code = world.activeCodes(1).get(0);
    String phone = Phones.newNumber();
    String reply = send(phone, code);
    long interactions = count("select count(*) from interactions");
    String messageId = await("the reply's message id, recorded once the SMSC took it").atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50)).until(() -> TestPostgres.value(world.stack.schema,
            "select message_ids[1] from sms_outbox where state = 'sent' order by id desc limit 1"), Objects::nonNull);
    assertThat(smsc.deliverReceipt(phone, SHORT_CODE, messageId, code)).isZero();
    Waits.repliesStay(smsc, phone, List.of(reply), Duration.ofMillis(300));
    assertThat(count("select count(*) from interactions")).isEqualTo(interactions);
    assertThat(count("select count(*) from sms_outbox where state = 'delivered' and '" + messageId + "' = any(message_ids)"))
        .isEqualTo(1);
  }

  @Test
  @DisplayName("hostile texts and PDUs get a polite reply or a clean status, and the session keeps working")
  void hostileInput() throws Exception {
    String phone = Phones.newNumber();
    assertThat(send(phone, " ")).startsWith("We could not read");
    assertThat(send(phone, "x".repeat(160))).startsWith("We could not read");
    DeliverSm binary = TestSmsc.mo(phone, SHORT_CODE, new byte[] {0, (byte) 0xff, 0x1b, 0x7f, 1, 2, 3});
    binary.setDataCoding((byte) 0x04);
    assertThat(smsc.deliver(binary)).isZero();
    DeliverSm badUdh = TestSmsc.mo(phone, SHORT_CODE, new byte[] {0x09, 0x00, 0x03, 0x01});
    badUdh.setEsmClass((byte) 0x40);
    assertThat(smsc.deliver(badUdh)).isZero();
    DeliverSm emoji = TestSmsc.mo(phone, SHORT_CODE, "🙂🙂🙂".getBytes(StandardCharsets.UTF_16BE));
    emoji.setDataCoding((byte) 8);
    assertThat(smsc.deliver(emoji)).isZero();
    DeliverSm payload = TestSmsc.mo(phone, SHORT_CODE, new byte[0]);
    payload.addOptionalParameter(new Tlv(SmppConstants.TAG_MESSAGE_PAYLOAD, "é".repeat(1000).getBytes(StandardCharsets.ISO_8859_1)));
    assertThat(smsc.deliver(payload)).isZero();
    assertThat(smsc.deliverMo("PHARMA", SHORT_CODE, "HELP")).as("an alphanumeric sender").isZero();
    assertThat(Phones.awaitReply(smsc, phone, 6)).as("the last of the replies to the hostile MOs").isNotBlank();
    assertThat(Phones.replies(smsc, phone)).allMatch(r -> r.startsWith("We could not read"));
    String code = world.activeCodes(1).get(0);
    assertThat(send(Phones.newNumber(), code)).as("the session still works").startsWith("GENUINE");
    assertThat(smsc.submits()).noneMatch(s -> s.to().equals("PHARMA"));
    assertThat(api.get("/ready", null).json().getJsonObject("smpp").getString("default#1")).isEqualTo("bound");
  }

  @Test
  @DisplayName("a manufacturer's own wording is checked like the defaults and used at once for replies about its codes only")
  void manufacturerTemplates() throws Exception {
    var maker = world.stack.manufacturer(api, 3);
    long product = world.stack.product(api, maker, "Coartem 20/120");
    List<String> codes = com.packcheck.support.Stack.codes(2);
    world.stack.activeBatch(api, maker, product, codes);
    String code = codes.get(1);
    assertThat(send(Phones.newNumber(), codes.get(0))).as("the defaults, before any wording is set").startsWith("GENUINE:");
    Client.Response tooLong = api.put("/v1/sms/templates", maker.token(),
        new io.vertx.core.json.JsonObject().put("en.genuine_first", "x".repeat(150) + " {product}"));
    assertThat(tooLong.status()).isEqualTo(422);
    assertThat(tooLong.json().getString("error")).isEqualTo("invalid_template");
    assertThat(api.put("/v1/sms/templates", maker.token(), new io.vertx.core.json.JsonObject().put("en.fake", 5))
        .status()).as("not a text").isEqualTo(400);
    assertThat(api.put("/v1/sms/templates", maker.token(), new io.vertx.core.json.JsonObject().put("xx.nothing", "hi"))
        .json().getString("error")).as("names no language and reply").isEqualTo("invalid_template");
    Client.Response set = api.put("/v1/sms/templates", maker.token(), new io.vertx.core.json.JsonObject()
        .put("en.genuine_first", "Genuine {product} from Acme, lot {lot}. Thank you! Ref {ref}"));
    assertThat(set.status()).isEqualTo(200);
    assertThat(api.get("/v1/sms/templates", maker.token()).json().getString("en.genuine_first")).startsWith("Genuine");
    assertThat(api.get("/v1/sms/templates", world.pharmacyA.token()).status()).isEqualTo(403);
    assertThat(send(Phones.newNumber(), code)).startsWith("Genuine Coartem 20/120 from Acme, lot LOT-");
    String other = world.activeCodes(1).get(0);
    assertThat(send(Phones.newNumber(), other)).as("another manufacturer's code").startsWith("GENUINE:");
  }

  private static DeliverSm udhPart(String phone, int ref, int total, int seq, byte[] text) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x05, 0x00, 0x03, (byte) ref, (byte) total, (byte) seq});
    body.writeBytes(text);
    DeliverSm pdu = TestSmsc.mo(phone, SHORT_CODE, body.toByteArray());
    pdu.setEsmClass((byte) 0x40);
    return pdu;
  }

  private static DeliverSm sarPart(String phone, int ref, int total, int seq, String text) {
    DeliverSm pdu = TestSmsc.mo(phone, SHORT_CODE, text.getBytes(StandardCharsets.US_ASCII));
    pdu.addOptionalParameter(new Tlv(SmppConstants.TAG_SAR_MSG_REF_NUM, new byte[] {0, (byte) ref}));
    pdu.addOptionalParameter(new Tlv(SmppConstants.TAG_SAR_TOTAL_SEGMENTS, new byte[] {(byte) total}));
    pdu.addOptionalParameter(new Tlv(SmppConstants.TAG_SAR_SEGMENT_SEQNUM, new byte[] {(byte) seq}));
    return pdu;
  }

}
