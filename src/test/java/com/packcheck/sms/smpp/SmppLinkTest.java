package com.packcheck.sms.smpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cloudhopper.smpp.SmppConstants;
import com.cloudhopper.smpp.pdu.DeliverSm;
import com.cloudhopper.smpp.tlv.Tlv;
import com.packcheck.support.TestSmsc;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SmppLinkTest {
  private static final String SHORT_CODE = "38200";
  private static final String SHOPPER = "+33612345678";

  private TestSmsc smsc;
  private SmppLink link;
  private final List<InboundPdu> received = new CopyOnWriteArrayList<>();
  private volatile int answer = MoHandler.OK;

  private final MoHandler recorder = pdu -> {
    received.add(pdu);
    return answer;
  };

  @BeforeEach
  void startSmsc() {
    smsc = TestSmsc.start("packcheck", "secret", 100);
  }

  @AfterEach
  void stop() {
    if (link != null) {
      link.close();
    }
    smsc.close();
  }

  @Test
  @DisplayName("A link with the right password binds as a transceiver and says so")
  void binds() {
    bind(recorder);

    assertThat(link.state()).isEqualTo("bound");
    assertThat(smsc.binds()).isEqualTo(1);
  }

  @Test
  @DisplayName("A refused bind throws nothing, leaves the link down and retrying with backoff")
  void wrongPassword() {
    link = new SmppLink(config().withPassword("wrong"), recorder);
    link.start();

    soon("a second bind request").until(() -> smsc.bindRequests() >= 2);
    assertThat(link.isBound()).isFalse();
    assertThat(link.state()).isEqualTo("down: bind refused with status 0xe (retrying)");
    assertThat(smsc.binds()).isZero();
  }

  @Test
  @DisplayName("An MO reaches the handler with every field, and deliver_sm_resp carries the handler's status")
  void moFields() {
    bind(recorder);
    byte[] text = "ABCD-2345".getBytes(StandardCharsets.UTF_16BE);
    byte[] payload = "CHECK ABCD-2345".getBytes(StandardCharsets.US_ASCII);
    DeliverSm mo = TestSmsc.mo(SHOPPER, SHORT_CODE, text);
    mo.setDataCoding((byte) 0x08);
    mo.setEsmClass((byte) 0x40);
    mo.addOptionalParameter(new Tlv(SmppConstants.TAG_MESSAGE_PAYLOAD, payload));
    mo.addOptionalParameter(new Tlv(SmppConstants.TAG_SAR_MSG_REF_NUM, new byte[] {(byte) 0xAB, (byte) 0xCD}));
    mo.addOptionalParameter(new Tlv(SmppConstants.TAG_SAR_TOTAL_SEGMENTS, new byte[] {3}));
    mo.addOptionalParameter(new Tlv(SmppConstants.TAG_SAR_SEGMENT_SEQNUM, new byte[] {2}));

    assertThat(smsc.deliver(mo)).isEqualTo(MoHandler.OK);

    InboundPdu pdu = received.get(0);
    assertThat(pdu.smsc()).isEqualTo("test");
    assertThat(pdu.sourceAddress()).isEqualTo("33612345678");
    assertThat(pdu.sourceTon()).isEqualTo((byte) 1);
    assertThat(pdu.sourceNpi()).isEqualTo((byte) 1);
    assertThat(pdu.destinationAddress()).isEqualTo(SHORT_CODE);
    assertThat(pdu.esmClass()).isEqualTo((byte) 0x40);
    assertThat(pdu.dataCoding()).isEqualTo((byte) 0x08);
    assertThat(pdu.shortMessage()).isEqualTo(text);
    assertThat(pdu.messagePayload()).isEqualTo(payload);
    assertThat(pdu.body()).isEqualTo(payload);
    assertThat(pdu.sar()).isEqualTo(new InboundPdu.Sar(0xABCD, 3, 2));
    assertThat(pdu.receiptedMessageId()).isNull();
    assertThat(pdu.messageState()).isNull();
    assertThat(pdu.isDeliveryReceipt()).isFalse();

    answer = MoHandler.RETRY_LATER;
    assertThat(smsc.deliverMo(SHOPPER, SHORT_CODE, "ABCD-2345")).isEqualTo(0x64);
  }

  @Test
  @DisplayName("A handler that throws makes the link answer ESME_RX_T_APPN, and the session goes on")
  void handlerThrows() {
    bind(pdu -> {
      throw new IllegalStateException("database gone");
    });

    assertThat(smsc.deliverMo(SHOPPER, SHORT_CODE, "ABCD-2345")).isEqualTo(0x64);
    assertThat(smsc.enquireLink()).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  @DisplayName("enquire_link is answered within a second while 60 MOs wait 500 ms each on the database")
  void enquireLinkWhileHandlersBlock() {
    AtomicInteger inHandler = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    bind(pdu -> {
      mostAtOnce.accumulateAndGet(inHandler.incrementAndGet(), Math::max);
      sleep(500);
      inHandler.decrementAndGet();
      return MoHandler.OK;
    });

    List<CompletableFuture<Integer>> mos = IntStream.range(0, 60)
        .mapToObj(i -> smsc.deliverAsync(TestSmsc.mo(SHOPPER, SHORT_CODE, ("ABCD-" + i).getBytes())))
        .toList();
    soon("50 MOs in the handler").until(() -> inHandler.get() >= 50);

    assertThat(smsc.enquireLink()).isLessThan(Duration.ofSeconds(1));
    assertThat(mos).allSatisfy(mo -> assertThat(mo.join()).isEqualTo(MoHandler.OK));
    assertThat(mostAtOnce.get()).isEqualTo(50 + 2);
  }

  @Test
  @DisplayName("With a full window of 50 MOs blocked, the two spare threads answer enquire_link at once")
  void enquireLinkWithFullWindow() {
    AtomicInteger inHandler = new AtomicInteger();
    bind(pdu -> {
      inHandler.incrementAndGet();
      sleep(1000);
      return MoHandler.OK;
    });

    List<CompletableFuture<Integer>> mos = IntStream.range(0, 50)
        .mapToObj(i -> smsc.deliverAsync(TestSmsc.mo(SHOPPER, SHORT_CODE, ("ABCD-" + i).getBytes())))
        .toList();
    soon("the window's 50 MOs in the handler").until(() -> inHandler.get() == 50);

    assertThat(smsc.enquireLink()).isLessThan(Duration.ofMillis(500));
    mos.forEach(CompletableFuture::join);
  }

  @Test
  @DisplayName("A submit reaches the SMSC with registered_delivery set and returns its message id")
  void submit() {
    bind(recorder);
    byte[] text = "Genuine: Aspirin 500, lot L42".getBytes(StandardCharsets.US_ASCII);

    SubmitOutcome outcome = link.submit(SHORT_CODE, SHOPPER, (byte) 0, (byte) 0, text, true);

    assertThat(outcome).isEqualTo(new SubmitOutcome.Accepted("m1"));
    TestSmsc.Submit seen = smsc.submits().get(0);
    assertThat(seen.from()).isEqualTo(SHORT_CODE);
    assertThat(seen.to()).isEqualTo("33612345678");
    assertThat(seen.toTon()).isEqualTo((byte) 1);
    assertThat(seen.toNpi()).isEqualTo((byte) 1);
    assertThat(seen.dataCoding()).isEqualTo((byte) 0);
    assertThat(seen.esmClass()).isEqualTo((byte) 0);
    assertThat(seen.shortMessage()).isEqualTo(text);
    assertThat(seen.registeredDelivery()).isEqualTo((byte) 1);
  }

  @Test
  @DisplayName("A throttled answer (0x58) comes back as such, and the next submit goes through")
  void throttled() {
    bind(recorder);
    smsc.rejectNextSubmits(SubmitOutcome.THROTTLED, 1);

    SubmitOutcome first = link.submit(SHORT_CODE, SHOPPER, (byte) 0, (byte) 0, "hi".getBytes(), true);
    SubmitOutcome second = link.submit(SHORT_CODE, SHOPPER, (byte) 0, (byte) 0, "hi".getBytes(), true);

    assertThat(first).isInstanceOfSatisfying(SubmitOutcome.Rejected.class,
        r -> assertThat(r.throttled()).isTrue());
    assertThat(second).isInstanceOf(SubmitOutcome.Accepted.class);
  }

  @Test
  @DisplayName("A submit_sm left unanswered comes back as unknown (never to be resent), and the bind stays up")
  void submitTimesOut() {
    link = new SmppLink(config().withResponseTimeout(Duration.ofMillis(300)), recorder);
    link.start();
    soon("the link bound").until(link::isBound);
    smsc.ignoreNextSubmits(1);

    SubmitOutcome outcome = link.submit(SHORT_CODE, SHOPPER, (byte) 0, (byte) 0, "hi".getBytes(), true);

    assertThat(outcome).isInstanceOf(SubmitOutcome.Unknown.class);
    assertThat(smsc.submits()).hasSize(1);
    assertThat(link.submit(SHORT_CODE, SHOPPER, (byte) 0, (byte) 0, "hi".getBytes(), true))
        .isInstanceOf(SubmitOutcome.Accepted.class);
  }

  @Test
  @DisplayName("When the SMSC drops the link, the link re-binds within a few seconds and MOs flow again")
  void rebindsAfterDrop() {
    bind(recorder);

    smsc.dropLink();
    soon("the link down").until(() -> !link.isBound());
    assertThat(link.state()).startsWith("down: ");
    soon("the link bound again").until(() -> smsc.binds() == 2 && link.isBound());

    assertThat(smsc.deliverMo(SHOPPER, SHORT_CODE, "ABCD-2345")).isEqualTo(MoHandler.OK);
    assertThat(received).hasSize(1);
  }

  @Test
  @DisplayName("When the SMSC unbinds, the link re-binds after the backoff")
  void rebindsAfterUnbind() {
    bind(recorder);

    smsc.unbindEsme();
    soon("the link bound again").until(() -> smsc.binds() == 2 && link.isBound());

    assertThat(smsc.deliverMo(SHOPPER, SHORT_CODE, "ABCD-2345")).isEqualTo(MoHandler.OK);
  }

  @Test
  @DisplayName("close() unbinds cleanly, stops re-binding and refuses to submit")
  void closeUnbinds() {
    bind(recorder);

    link.close();

    assertThat(smsc.unbinds()).isEqualTo(1);
    assertThat(link.state()).isEqualTo("closed");
    assertThat(link.submit(SHORT_CODE, SHOPPER, (byte) 0, (byte) 0, "hi".getBytes(), true))
        .isInstanceOf(SubmitOutcome.NotSent.class);
    await("no bind after close()").during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
        .pollInterval(Duration.ofMillis(20)).until(() -> smsc.binds() == 1);
  }

  @Test
  @DisplayName("Delivery receipts are told by esm_class, not by a text that looks like a code")
  void receipts() {
    bind(recorder);

    smsc.deliverReceipt(SHOPPER, SHORT_CODE, "m7", "id:m7 sub:001 dlvrd:001 stat:DELIVRD text:ABCD-2345");
    smsc.deliverMo(SHOPPER, SHORT_CODE, "id:m7 sub:001 dlvrd:001 stat:DELIVRD text:ABCD-2345");

    InboundPdu receipt = received.get(0);
    assertThat(receipt.isDeliveryReceipt()).isTrue();
    assertThat(receipt.receiptedMessageId()).isEqualTo("m7");
    assertThat(receipt.messageState()).isEqualTo(2);
    assertThat(received.get(1).isDeliveryReceipt()).isFalse();
  }

  private SmscConfig config() {
    return SmscConfig.of("test", smsc.host(), smsc.port(), "packcheck", "secret", SHORT_CODE, "FR");
  }

  private void bind(MoHandler handler) {
    link = new SmppLink(config(), handler);
    link.start();
    soon("the link bound").until(() -> link.isBound() && smsc.isBound());
  }

  /** A wait for what the link or the SMSC should do within a few seconds. */
  private static ConditionFactory soon(String what) {
    return await(what).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20));
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
