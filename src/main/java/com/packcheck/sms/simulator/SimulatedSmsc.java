package com.packcheck.sms.simulator;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.CancelSm;
import org.jsmpp.bean.DataCodings;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.bean.QuerySm;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.ReplaceSm;
import org.jsmpp.bean.SubmitMulti;
import org.jsmpp.bean.SubmitSm;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.NegativeResponseException;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.extra.SessionState;
import org.jsmpp.session.BindRequest;
import org.jsmpp.session.BroadcastSmResult;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.QueryBroadcastSmResult;
import org.jsmpp.session.QuerySmResult;
import org.jsmpp.session.SMPPServerSession;
import org.jsmpp.session.SMPPServerSessionListener;
import org.jsmpp.session.ServerMessageReceiverListener;
import org.jsmpp.session.Session;
import org.jsmpp.session.SubmitMultiResult;
import org.jsmpp.session.SubmitSmResult;
import org.jsmpp.session.connection.ServerConnection;
import org.jsmpp.session.connection.ServerConnectionFactory;
import org.jsmpp.session.connection.socket.ServerSocketConnection;
import org.jsmpp.util.RandomMessageIDGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small SMSC for trying PackCheck without an operator, and for the SMS load driver: it accepts an
 * ESME's transceiver bind, delivers MOs to it and takes its MTs, answering "throttled" (0x58) past
 * its submits per second like an operator would.
 */
public final class SimulatedSmsc implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedSmsc.class);

  /** An MT as the SMSC received it. */
  public record Mt(String from, String to, byte dataCoding, byte esmClass, byte[] message, long receivedNanos) {
  }

  private final SMPPServerSessionListener listener;
  private final String systemId;
  private final String password;
  private final int maxSubmitsPerSecond;
  private final Consumer<Mt> onMt;
  private final CopyOnWriteArrayList<SMPPServerSession> sessions = new CopyOnWriteArrayList<>();
  private final RandomMessageIDGenerator ids = new RandomMessageIDGenerator();
  private final AtomicLong second = new AtomicLong();
  private final AtomicLong submitsThisSecond = new AtomicLong();
  private final AtomicLong taken = new AtomicLong();
  private final AtomicLong throttled = new AtomicLong();
  private final Thread acceptor;
  private volatile boolean closed;

  /** Listens on {@code address} (the loopback address, unless a container stack needs another). */
  public SimulatedSmsc(InetAddress address, int port, String systemId, String password, int maxSubmitsPerSecond,
      int processors, Consumer<Mt> onMt) throws IOException {
    this.listener = new SMPPServerSessionListener(port, new BoundTo(address));
    listener.setPduProcessorDegree(processors);
    listener.setQueueCapacity(10_000);
    this.systemId = systemId;
    this.password = password;
    this.maxSubmitsPerSecond = maxSubmitsPerSecond;
    this.onMt = onMt;
    listener.setMessageReceiverListener(new Receiver());
    acceptor = new Thread(this::acceptLoop, "smsc-simulator-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return listener.getPort();
  }

  /** submit_sm taken so far. */
  public long submitsTaken() {
    return taken.get();
  }

  /** submit_sm answered 0x58 (over the submits per second) so far. */
  public long submitsThrottled() {
    return throttled.get();
  }

  public boolean bound() {
    return sessions.stream().anyMatch(s -> s.getSessionState().isBound());
  }

  /**
   * Delivers an MO to a bound ESME and returns the command status of its deliver_sm_resp (0: taken).
   * Blocking.
   */
  public int deliver(String from, String to, byte dataCoding, byte esmClass, byte[] message) throws Exception {
    SMPPServerSession session = sessions.stream().filter(s -> s.getSessionState().isBound()).findFirst()
        .orElseThrow(() -> new IllegalStateException("no ESME is bound"));
    try {
      session.deliverShortMessage("", TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, from,
          TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, to, new ESMClass(esmClass), (byte) 0, (byte) 0,
          new RegisteredDelivery(0), DataCodings.newInstance(dataCoding), message);
      return 0;
    } catch (NegativeResponseException e) {
      return e.getCommandStatus();
    }
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        SMPPServerSession session = listener.accept();
        session.addSessionStateListener((SessionState now, SessionState before, Session s) -> {
          if (now == SessionState.CLOSED) {
            sessions.remove(s);
          }
        });
        BindRequest bind = session.waitForBind(5_000);
        if (bind.getBindType() == BindType.BIND_TRX && systemId.equals(bind.getSystemId())
            && password.equals(bind.getPassword())) {
          bind.accept("PackCheckSim");  // SMPP limits a system_id to 15 characters
          sessions.add(session);
          LOG.info("ESME {} bound", bind.getSystemId());
        } else {
          bind.reject(SMPPConstant.STAT_ESME_RINVPASWD);
          LOG.info("Refused a bind from {} (wrong system id, password or bind type)", bind.getSystemId());
        }
      } catch (Exception e) {
        if (!closed) {
          LOG.warn("accept: {}", e.toString());
        }
      }
    }
  }

  private boolean overRate() {
    long now = System.currentTimeMillis() / 1000;
    if (second.getAndSet(now) != now) {
      submitsThisSecond.set(0);
    }
    return maxSubmitsPerSecond > 0 && submitsThisSecond.incrementAndGet() > maxSubmitsPerSecond;
  }

  private final class Receiver implements ServerMessageReceiverListener {
    @Override
    public SubmitSmResult onAcceptSubmitSm(SubmitSm submit, SMPPServerSession source) throws ProcessRequestException {
      if (overRate()) {
        throttled.incrementAndGet();
        throw new ProcessRequestException("throttled", SMPPConstant.STAT_ESME_RTHROTTLED);
      }
      taken.incrementAndGet();
      onMt.accept(new Mt(submit.getSourceAddr(), submit.getDestAddress(), submit.getDataCoding(),
          submit.getEsmClass(), submit.getShortMessage(), System.nanoTime()));
      return new SubmitSmResult(ids.newMessageId(), new OptionalParameter[0]);
    }

    @Override
    public SubmitMultiResult onAcceptSubmitMulti(SubmitMulti m, SMPPServerSession s) throws ProcessRequestException {
      throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
    }

    @Override
    public QuerySmResult onAcceptQuerySm(QuerySm q, SMPPServerSession s) throws ProcessRequestException {
      throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
    }

    @Override
    public void onAcceptReplaceSm(ReplaceSm r, SMPPServerSession s) throws ProcessRequestException {
      throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
    }

    @Override
    public void onAcceptCancelSm(CancelSm c, SMPPServerSession s) throws ProcessRequestException {
      throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
    }

    @Override
    public BroadcastSmResult onAcceptBroadcastSm(org.jsmpp.bean.BroadcastSm b, SMPPServerSession s)
        throws ProcessRequestException {
      throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
    }

    @Override
    public void onAcceptCancelBroadcastSm(org.jsmpp.bean.CancelBroadcastSm c, SMPPServerSession s)
        throws ProcessRequestException {
      throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
    }

    @Override
    public QueryBroadcastSmResult onAcceptQueryBroadcastSm(org.jsmpp.bean.QueryBroadcastSm q, SMPPServerSession s)
        throws ProcessRequestException {
      throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
    }

    @Override
    public DataSmResult onAcceptDataSm(DataSm d, Session s) throws ProcessRequestException {
      throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
    }
  }

  /** jSMPP's listener on one address only, where its own factory takes every interface. */
  private static final class BoundTo implements ServerConnectionFactory {
    private final InetAddress address;

    BoundTo(InetAddress address) {
      this.address = address;
    }

    @Override
    public ServerConnection listen(int port) throws IOException {
      return listen(port, 0, 50);
    }

    @Override
    public ServerConnection listen(int port, int timeout) throws IOException {
      return listen(port, timeout, 50);
    }

    @Override
    public ServerConnection listen(int port, int timeout, int backlog) throws IOException {
      ServerSocket socket = new ServerSocket(port, backlog, address);
      socket.setSoTimeout(timeout);
      return new ServerSocketConnection(socket);
    }
  }

  @Override
  public void close() {
    closed = true;
    for (SMPPServerSession s : sessions) {
      s.unbindAndClose();
    }
    try {
      listener.close();
    } catch (IOException e) {
      LOG.debug("close: {}", e.toString());
    }
  }
}
