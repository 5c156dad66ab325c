package com.packcheck.sms.smpp;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jsmpp.InvalidResponseException;
import org.jsmpp.PDUException;
import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.AlertNotification;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.DataCodings;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.SMSCDeliveryReceipt;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.NegativeResponseException;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.extra.ResponseTimeoutException;
import org.jsmpp.extra.SessionState;
import org.jsmpp.session.BindParameter;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.MessageReceiverListener;
import org.jsmpp.session.SMPPSession;
import org.jsmpp.session.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One transceiver bind to one SMSC, kept up for as long as the link is open.
 *
 * <p>Binding, re-binding and closing all run on one thread of the link's own: jSMPP calls its
 * state listeners from inside {@code close()} and from its reader thread, and closing a session
 * from there deadlocks, so the listener only hands the news to that thread.
 */
public final class SmppLink implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SmppLink.class);

  /** Above the SMSC's window, so enquire_link and unbind are answered while every MO waits on the database. */
  private static final int SPARE_PDU_THREADS = 2;

  private final SmscConfig config;
  private final MoHandler handler;
  private final TypeOfNumber sourceTon;
  private final NumberingPlanIndicator sourceNpi;
  private final Semaphore window;
  private final ScheduledThreadPoolExecutor binder;

  private volatile SMPPSession session; // the bound session, or null
  private volatile String state = "down: not started";
  private volatile boolean closed;
  private final AtomicBoolean started = new AtomicBoolean();

  // only touched on the binder thread
  private Duration nextWait;
  private String lastFailure;

  public SmppLink(SmscConfig config, MoHandler handler) {
    this.config = config;
    this.handler = handler;
    this.sourceTon = TypeOfNumber.valueOf(config.sourceTon());
    this.sourceNpi = NumberingPlanIndicator.valueOf(config.sourceNpi());
    this.window = new Semaphore(config.window());
    this.nextWait = config.reconnectMin();
    this.binder = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "smpp-bind-" + config.name());
      t.setDaemon(true);
      return t;
    });
    // a re-bind waiting for its turn must not hold up close()
    binder.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /** Binds in the background and keeps re-binding after any loss; never throws. */
  public void start() {
    if (closed || !started.compareAndSet(false, true)) {
      return;
    }
    state = "binding";
    binder.execute(this::bind);
  }

  public boolean isBound() {
    SMPPSession s = session;
    return s != null && s.getSessionState().isBound();
  }

  /** For /ready: "binding" (the first time), "bound", "down: why (retrying)" or "closed". */
  public String state() {
    return state;
  }

  public String name() {
    return config.name();
  }

  /**
   * Sends one submit_sm and waits for its response. Blocks the caller for up to the response timeout
   * (twice that when the window is full), so never call it from an event loop.
   *
   * @param from               source address: the address the MO was sent to
   * @param toE164OrDigits     "+33612345678" goes out as international/ISDN, bare digits as unknown/ISDN
   * @param registeredDelivery ask for a delivery receipt (success and failure)
   */
  public SubmitOutcome submit(String from, String toE164OrDigits, byte dataCoding, byte esmClass,
      byte[] shortMessage, boolean registeredDelivery) {
    SMPPSession s = session;
    if (s == null || !s.getSessionState().isBound()) {
      return new SubmitOutcome.NotSent("not bound to " + config.name() + " (" + state + ")");
    }
    try {
      if (!window.tryAcquire(config.responseTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        return new SubmitOutcome.NotSent("window of " + config.window() + " full on " + config.name());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new SubmitOutcome.NotSent("interrupted");
    }
    try {
      boolean international = toE164OrDigits.startsWith("+");
      String to = international ? toE164OrDigits.substring(1) : toE164OrDigits;
      String messageId = s.submitShortMessage("", sourceTon, sourceNpi, from,
          international ? TypeOfNumber.INTERNATIONAL : TypeOfNumber.UNKNOWN, NumberingPlanIndicator.ISDN, to,
          new ESMClass(esmClass), (byte) 0, (byte) 0, null, null,
          new RegisteredDelivery(registeredDelivery ? SMSCDeliveryReceipt.SUCCESS_FAILURE : SMSCDeliveryReceipt.DEFAULT),
          (byte) 0, DataCodings.newInstance(dataCoding), (byte) 0, shortMessage).getMessageId();
      return new SubmitOutcome.Accepted(messageId);
    } catch (NegativeResponseException e) {
      return new SubmitOutcome.Rejected(e.getCommandStatus());
    } catch (ResponseTimeoutException | InvalidResponseException e) {
      return new SubmitOutcome.Unknown("no valid submit_sm_resp from " + config.name() + ": " + e.getMessage());
    } catch (PDUException e) {
      return new SubmitOutcome.NotSent("invalid submit_sm: " + e.getMessage());
    } catch (IOException e) {
      // jSMPP throws this before writing (session no longer bound) or when the write itself fails
      return new SubmitOutcome.NotSent("link to " + config.name() + " failed: " + e.getMessage());
    } finally {
      window.release();
    }
  }

  /** Unbinds cleanly (waiting up to the response timeout for unbind_resp) and stops re-binding. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    binder.execute(this::unbind);
    binder.shutdown();
    try {
      // a bind in progress finishes first: give it and the unbind their response timeouts
      if (!binder.awaitTermination(config.responseTimeout().toMillis() * 2 + 1000, TimeUnit.MILLISECONDS)) {
        log.warn("SMPP {}: unbind did not finish in time", config.name());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** On the binder thread. A re-bind leaves the state at "down: why", so /ready keeps the reason. */
  private void bind() {
    if (closed) {
      return;
    }
    SMPPSession s = newSession();
    try {
      s.connectAndBind(config.host(), config.port(),
          new BindParameter(BindType.BIND_TRX, config.systemId(), config.password(), config.systemType(),
              TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, null),
          config.responseTimeout().toMillis());
    } catch (IOException e) {
      s.close();
      bindFailed(describe(e));
      return;
    }
    session = s;
    state = "bound";
    nextWait = config.reconnectMin();
    lastFailure = null;
    log.info("SMPP {}: bound as transceiver to {}:{} as {}", config.name(), config.host(), config.port(),
        config.systemId());
  }

  private SMPPSession newSession() {
    SMPPSession s = new SMPPSession(this::connect);
    s.setPduProcessorDegree(config.window() + SPARE_PDU_THREADS);
    s.setEnquireLinkTimer((int) config.enquireLinkInterval().toMillis());
    s.setTransactionTimer(config.responseTimeout().toMillis());
    s.setMessageReceiverListener(new Receiver());
    s.addSessionStateListener((newState, oldState, source) -> {
      if (newState == SessionState.UNBOUND || newState == SessionState.CLOSED) {
        handOver(() -> lost(s, newState));
      }
    });
    return s;
  }

  /** jSMPP's own socket factory has no connect timeout: an SMSC that drops SYNs would hold the binder for minutes. */
  private LingeringConnection connect(String host, int port) throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), (int) config.responseTimeout().toMillis());
      return new LingeringConnection(socket);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  private void handOver(Runnable task) {
    if (closed) {
      return;
    }
    try {
      binder.execute(task);
    } catch (RejectedExecutionException e) {
      // close() got there first; nothing left to re-bind
    }
  }

  /** The SMSC unbound or the connection died: close what is left, then re-bind after the backoff. */
  private void lost(SMPPSession s, SessionState why) {
    if (s != session || closed) {
      return; // a session that never bound, or one already handled
    }
    session = null;
    s.close();
    String reason = why == SessionState.UNBOUND ? "SMSC unbound" : "connection lost";
    log.warn("SMPP {}: {}; re-binding in {} ms", config.name(), reason, nextWait.toMillis());
    scheduleBind("down: " + reason);
  }

  private void bindFailed(String reason) {
    // one line for each new reason, not one for every retry while an SMSC stays down
    if (reason.equals(lastFailure)) {
      log.debug("SMPP {}: bind failed again: {}", config.name(), reason);
    } else {
      log.warn("SMPP {}: bind to {}:{} failed: {}; retrying every {} to {} s", config.name(), config.host(),
          config.port(), reason, nextWait.toSeconds(), config.reconnectMax().toSeconds());
      lastFailure = reason;
    }
    scheduleBind("down: " + reason);
  }

  private void scheduleBind(String downState) {
    state = downState + " (retrying)";
    try {
      binder.schedule(this::bind, nextWait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return; // closing
    }
    Duration doubled = nextWait.multipliedBy(2);
    nextWait = doubled.compareTo(config.reconnectMax()) > 0 ? config.reconnectMax() : doubled;
  }

  private void unbind() {
    SMPPSession s = session;
    session = null;
    state = "closed";
    if (s != null) {
      s.unbindAndClose();
      log.info("SMPP {}: unbound", config.name());
    }
  }

  private static String describe(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof NegativeResponseException n) {
        return "bind refused with status 0x" + Integer.toHexString(n.getCommandStatus());
      }
      if (t instanceof ResponseTimeoutException) {
        return "no bind_resp in time";
      }
      if (t instanceof ConnectException) {
        return "connection refused";
      }
    }
    return e.toString();
  }

  /** Hands each deliver_sm to the handler; whatever it answers or throws becomes the deliver_sm_resp. */
  private final class Receiver implements MessageReceiverListener {
    @Override
    public void onAcceptDeliverSm(DeliverSm deliverSm) throws ProcessRequestException {
      int status;
      try {
        status = handler.onMo(DeliverSmReader.read(config.name(), deliverSm));
      } catch (RuntimeException e) {
        log.warn("SMPP {}: MO handler failed; asking the SMSC to redeliver", config.name(), e);
        status = MoHandler.RETRY_LATER;
      }
      if (status != MoHandler.OK) {
        // jSMPP answers deliver_sm_resp with the exception's code
        throw new ProcessRequestException("deliver_sm not taken", status);
      }
    }

    @Override
    public DataSmResult onAcceptDataSm(DataSm dataSm, Session source) throws ProcessRequestException {
      throw new ProcessRequestException("data_sm is not supported", SMPPConstant.STAT_ESME_RINVCMDID);
    }

    @Override
    public void onAcceptAlertNotification(AlertNotification alertNotification) {
      // PackCheck never asks for alerts
    }
  }
}
