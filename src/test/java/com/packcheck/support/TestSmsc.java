package com.packcheck.support;

import com.cloudhopper.smpp.SmppConstants;
import com.cloudhopper.smpp.SmppServerConfiguration;
import com.cloudhopper.smpp.SmppServerHandler;
import com.cloudhopper.smpp.SmppServerSession;
import com.cloudhopper.smpp.SmppSessionConfiguration;
import com.cloudhopper.smpp.impl.DefaultSmppServer;
import com.cloudhopper.smpp.impl.DefaultSmppSessionHandler;
import com.cloudhopper.smpp.pdu.BaseBind;
import com.cloudhopper.smpp.pdu.BaseBindResp;
import com.cloudhopper.smpp.pdu.DeliverSm;
import com.cloudhopper.smpp.pdu.EnquireLink;
import com.cloudhopper.smpp.pdu.PduRequest;
import com.cloudhopper.smpp.pdu.PduResponse;
import com.cloudhopper.smpp.pdu.SubmitSm;
import com.cloudhopper.smpp.pdu.SubmitSmResp;
import com.cloudhopper.smpp.pdu.Unbind;
import com.cloudhopper.smpp.tlv.Tlv;
import com.cloudhopper.smpp.type.Address;
import com.cloudhopper.smpp.type.SmppProcessingException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An SMSC for tests on Cloudhopper's SMPP stack, so PackCheck's jSMPP side meets someone else's SMPP.
 * Listens on 127.0.0.1, accepts binds with the right system_id and password, records every submit_sm
 * and answers it (OK with a message id, or a chosen status for the next few), delivers MOs and receipts
 * to the ESME bound last, and can cut the link without an unbind.
 */
public final class TestSmsc implements AutoCloseable {
  private static final long RESPONSE_TIMEOUT_MS = 10_000;

  /**
   * One submit_sm as the SMSC saw it, and its answer: {@code status} 0 taken, else the error it got,
   * or -1 when the SMSC stayed silent; {@code bind} numbers the session it came on (1 the first bind).
   */
  public record Submit(String from, byte fromTon, byte fromNpi, String to, byte toTon, byte toNpi,
      byte dataCoding, byte esmClass, byte[] shortMessage, byte registeredDelivery, Instant at, int status,
      int bind) {
    public boolean taken() {
      return status == 0;
    }
  }

  /** The most submits that arrived within any one second (a rolling second, not the clock's). */
  public static int mostInAnySecond(List<Submit> submits) {
    List<Instant> times = submits.stream().map(Submit::at).sorted().toList();
    int most = 0;
    int first = 0;
    for (int last = 0; last < times.size(); last++) {
      while (!times.get(first).plusSeconds(1).isAfter(times.get(last))) {
        first++;
      }
      most = Math.max(most, last - first + 1);
    }
    return most;
  }

  private final String systemId;
  private final String password;
  private final int port;
  private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "test-smsc");
    t.setDaemon(true);
    return t;
  });
  private final DefaultSmppServer server;
  private final AtomicReference<SmppServerSession> bound = new AtomicReference<>();
  private final AtomicInteger bindRequests = new AtomicInteger();
  private final AtomicInteger binds = new AtomicInteger();
  private final AtomicInteger unbinds = new AtomicInteger();
  private final AtomicInteger messageIds = new AtomicInteger();
  private final List<Submit> submits = new CopyOnWriteArrayList<>();
  private final AtomicInteger rejectionsLeft = new AtomicInteger();
  private volatile int rejectionStatus;
  private final AtomicInteger silencesLeft = new AtomicInteger();

  private TestSmsc(String systemId, String password, int port, int window) {
    this.systemId = systemId;
    this.password = password;
    this.port = port;
    SmppServerConfiguration config = new SmppServerConfiguration();
    config.setName("test-smsc");
    config.setHost("127.0.0.1");
    config.setPort(port);
    config.setSystemId("TESTSMSC");
    config.setDefaultWindowSize(window);
    config.setNonBlockingSocketsEnabled(true);
    config.setJmxEnabled(false);
    server = new DefaultSmppServer(config, new Binds(), workers);
  }

  /** A started SMSC on a free port whose window (deliver_sm in flight) is {@code window}. */
  public static TestSmsc start(String systemId, String password, int window) {
    TestSmsc smsc = new TestSmsc(systemId, password, freePort(), window);
    try {
      smsc.server.start();
    } catch (Exception e) {
      throw new IllegalStateException("test SMSC did not start", e);
    }
    return smsc;
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return port;
  }

  /** Binds asked for so far, refused ones included. */
  public int bindRequests() {
    return bindRequests.get();
  }

  /** Successful binds so far. */
  public int binds() {
    return binds.get();
  }

  /** unbind requests received from the ESME. */
  public int unbinds() {
    return unbinds.get();
  }

  public boolean isBound() {
    SmppServerSession s = bound.get();
    return s != null && s.isBound();
  }

  public List<Submit> submits() {
    return List.copyOf(submits);
  }

  /** Answers the next {@code count} submit_sm with {@code status} (e.g. 0x58 throttled) and no message id. */
  public void rejectNextSubmits(int status, int count) {
    rejectionStatus = status;
    rejectionsLeft.set(count);
  }

  /** Records the next {@code count} submit_sm but never answers them, as an SMSC under strain may. */
  public void ignoreNextSubmits(int count) {
    silencesLeft.set(count);
  }

  /** A deliver_sm from a handset (international number) to {@code to}, for tests to add TLVs to. */
  public static DeliverSm mo(String fromE164, String to, byte[] shortMessage) {
    DeliverSm pdu = new DeliverSm();
    pdu.setSourceAddress(new Address((byte) 1, (byte) 1, fromE164.replace("+", "")));
    pdu.setDestAddress(new Address((byte) 0, (byte) 1, to));
    try {
      pdu.setShortMessage(shortMessage);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
    return pdu;
  }

  /** Delivers an MO text (ASCII, data_coding 0) and returns the ESME's deliver_sm_resp status. */
  public int deliverMo(String fromE164, String to, String text) {
    return deliver(mo(fromE164, to, text.getBytes(StandardCharsets.US_ASCII)));
  }

  /**
   * Delivers a delivery receipt for {@code messageId}: esm_class 0x04, receipted_message_id and
   * message_state TLVs, and a text that may look like anything, even a code.
   */
  public int deliverReceipt(String fromE164, String to, String messageId, String text) {
    DeliverSm pdu = mo(fromE164, to, text.getBytes(StandardCharsets.US_ASCII));
    pdu.setEsmClass(SmppConstants.ESM_CLASS_MT_SMSC_DELIVERY_RECEIPT);
    pdu.addOptionalParameter(new Tlv(SmppConstants.TAG_RECEIPTED_MSG_ID,
        (messageId + "\0").getBytes(StandardCharsets.US_ASCII)));
    pdu.addOptionalParameter(new Tlv(SmppConstants.TAG_MSG_STATE, new byte[] {SmppConstants.STATE_DELIVERED}));
    return deliver(pdu);
  }

  /** Sends {@code pdu} to the ESME bound last and waits for its deliver_sm_resp status. */
  public int deliver(DeliverSm pdu) {
    return request(pdu).getCommandStatus();
  }

  public CompletableFuture<Integer> deliverAsync(DeliverSm pdu) {
    return CompletableFuture.supplyAsync(() -> deliver(pdu), workers);
  }

  /**
   * Delivers {@code text} to {@code to} from {@code n} new numbers at once, as a burst of shoppers
   * would; returns the numbers once every MO got deliver_sm_resp OK.
   */
  public List<String> deliverBurst(String to, String text, int n) {
    List<String> phones = new ArrayList<>();
    List<CompletableFuture<Integer>> delivered = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String phone = Phones.newNumber();
      phones.add(phone);
      delivered.add(deliverAsync(mo(phone, to, text.getBytes(StandardCharsets.US_ASCII))));
    }
    for (int i = 0; i < n; i++) {
      int status = delivered.get(i).join();
      if (status != 0) {
        throw new AssertionError("deliver_sm_resp status " + status + " for the MO from " + phones.get(i));
      }
    }
    return phones;
  }

  /** Sends an enquire_link and returns how long the ESME took to answer it. */
  public Duration enquireLink() {
    long start = System.nanoTime();
    request(new EnquireLink());
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** Unbinds the ESME, as an SMSC going down for maintenance does, and closes the connection. */
  public void unbindEsme() {
    SmppServerSession s = bound.getAndSet(null);
    if (s != null) {
      s.unbind(RESPONSE_TIMEOUT_MS);
    }
  }

  /** Closes the connection without an unbind, as a crashing SMSC or a cut cable would. */
  public void dropLink() {
    SmppServerSession s = bound.getAndSet(null);
    if (s != null) {
      s.close();
    }
  }

  @Override
  public void close() {
    dropLink();
    server.destroy();
    workers.shutdownNow();
  }

  private PduResponse request(PduRequest<?> pdu) {
    SmppServerSession s = bound.get();
    if (s == null) {
      throw new IllegalStateException("no ESME bound to the test SMSC");
    }
    try {
      var future = s.sendRequestPdu(pdu, RESPONSE_TIMEOUT_MS, true);
      if (!future.await(RESPONSE_TIMEOUT_MS) || !future.isSuccess()) {
        throw new IllegalStateException("no " + pdu.getName() + "_resp: " + future.getCause());
      }
      return future.getResponse();
    } catch (Exception e) {
      throw e instanceof IllegalStateException ise ? ise : new IllegalStateException(e);
    }
  }

  private PduResponse answer(PduRequest<?> request, int bind) {
    if (request instanceof Unbind) {
      unbinds.incrementAndGet();
    }
    if (!(request instanceof SubmitSm submit)) {
      return request.createResponse();
    }
    SubmitSmResp resp = null;
    if (silencesLeft.getAndUpdate(n -> Math.max(0, n - 1)) == 0) {
      resp = submit.createResponse();
      if (rejectionsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        resp.setCommandStatus(rejectionStatus);
      } else {
        resp.setMessageId("m" + messageIds.incrementAndGet());
      }
    }
    submits.add(new Submit(
        submit.getSourceAddress().getAddress(), submit.getSourceAddress().getTon(),
        submit.getSourceAddress().getNpi(), submit.getDestAddress().getAddress(),
        submit.getDestAddress().getTon(), submit.getDestAddress().getNpi(), submit.getDataCoding(),
        submit.getEsmClass(), submit.getShortMessage(), submit.getRegisteredDelivery(), Instant.now(),
        resp == null ? -1 : resp.getCommandStatus(), bind));
    return resp; // Cloudhopper sends no response for null
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private final class Binds implements SmppServerHandler {
    @Override
    public void sessionBindRequested(Long sessionId, SmppSessionConfiguration config, BaseBind bind)
        throws SmppProcessingException {
      bindRequests.incrementAndGet();
      if (!systemId.equals(bind.getSystemId()) || !password.equals(bind.getPassword())) {
        throw new SmppProcessingException(SmppConstants.STATUS_INVPASWD);
      }
    }

    @Override
    public void sessionCreated(Long sessionId, SmppServerSession session, BaseBindResp resp) {
      int bind = binds.incrementAndGet();
      session.serverReady(new DefaultSmppSessionHandler() {
        @Override
        public PduResponse firePduRequestReceived(PduRequest request) {
          return answer(request, bind);
        }
      });
      bound.set(session);
    }

    @Override
    public void sessionDestroyed(Long sessionId, SmppServerSession session) {
      bound.compareAndSet(session, null);
      session.destroy();
    }
  }
}
