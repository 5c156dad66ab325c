package com.packcheck.sms;

import com.packcheck.code.Sealer;
import com.packcheck.sms.smpp.SmppLink;
import com.packcheck.sms.smpp.SmscConfig;
import com.packcheck.sms.smpp.SubmitOutcome;
import com.packcheck.sms.text.EncodedReply;
import com.packcheck.sms.text.ReplyEncoder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one SMSC's queued replies: taken from the outbox (rows another instance holds are skipped),
 * submitted from the short code the MO was sent to, at most the SMSC's submits per second across every
 * bind and instance (a token bucket shared through Redis, {@link SubmitRate}), at most a window of
 * submits in flight. Throttled (0x58): the bind pauses and the part is retried; queue full (0x14):
 * retried; no response: never resent (the receipt will tell), the reply is marked unknown.
 */
final class OutboxSender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxSender.class);
  private static final Duration THROTTLE_PAUSE = Duration.ofSeconds(1);
  private static final int PART_TRIES = 10;
  private static final long IDLE_MS = 20;
  /**
   * A reply taken this long ago and still unsettled was abandoned: submits end within seconds (their
   * timeout, the window), so only a dead instance or a lost PostgreSQL leaves one that old.
   */
  static final Duration ABANDONED = Duration.ofMinutes(5);
  private static final long SWEEP_MS = 10_000;

  private final SmscConfig smsc;
  private final List<SmppLink> links;
  private final SmsStore store;
  private final Sealer cipher;
  private final SubmitRate rate;
  private final ReplyEncoder encoder;
  private final ExecutorService submitters;
  private final Semaphore window;
  private final Thread taker;
  /** Replies by how their send ended: sent, retried later, failed, unknown (maybe sent: never resent). */
  private final Map<String, Counter> ended = new HashMap<>();
  private volatile boolean running = true;
  private volatile long pausedUntil;

  OutboxSender(SmscConfig smsc, List<SmppLink> links, SmsStore store, Sealer cipher, SubmitRate rate,
      MeterRegistry metrics) {
    this.smsc = smsc;
    for (String status : List.of("sent", "retried", "failed", "unknown")) {
      ended.put(status, Counter.builder("packcheck.sms.mt").tag("smsc", smsc.name()).tag("status", status)
          .description("replies to shoppers by how their send ended").register(metrics));
    }
    this.links = links;
    this.store = store;
    this.cipher = cipher;
    this.rate = rate;
    this.encoder = new ReplyEncoder(smsc.defaultAlphabet());
    this.window = new Semaphore(smsc.window());
    this.submitters = Executors.newFixedThreadPool(smsc.window(), r -> {
      Thread t = new Thread(r, "sms-submit-" + smsc.name());
      t.setDaemon(true);
      return t;
    });
    this.taker = new Thread(this::takeLoop, "sms-outbox-" + smsc.name());
    taker.setDaemon(true);
    taker.start();
  }

  private void takeLoop() {
    long nextSweep = 0;
    while (running) {
      try {
        if (System.currentTimeMillis() >= nextSweep) {
          nextSweep = System.currentTimeMillis() + SWEEP_MS;
          int released = await(store.releaseAbandoned(ABANDONED));
          if (released > 0) {
            LOG.warn("Outbox: {} replies taken over {} ago were never settled (an instance died?); sending them again",
                released, ABANDONED);
          }
        }
        if (links.stream().noneMatch(SmppLink::isBound) || System.currentTimeMillis() < pausedUntil) {
          Thread.sleep(IDLE_MS * 5);
          continue;
        }
        window.acquire();
        // a full window's worth at a time: each take is a commit, so few large takes beat many small ones
        List<SmsStore.Due> due = await(store.takeDue(smsc.name(), smsc.window()));
        if (due.isEmpty()) {
          window.release();
          Thread.sleep(IDLE_MS);
          continue;
        }
        // one permit is held for the first reply; each other waits for one of its own
        for (int i = 0; i < due.size(); i++) {
          if (i > 0) {
            window.acquire();
          }
          SmsStore.Due d = due.get(i);
          submitters.execute(() -> {
            try {
              send(d);
            } finally {
              window.release();
            }
          });
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        LOG.warn("Outbox of {}: {}", smsc.name(), e.toString());
        sleepQuietly(1000);
      }
    }
  }

  private void send(SmsStore.Due due) {
    EncodedReply reply = encoder.encode(due.body(), (int) (due.id() & 0xff));
    String to = cipher.decrypt(due.sealedDestination());
    byte esm = reply.udhi() ? EncodedReply.ESM_UDHI : 0;
    List<String> ids = new ArrayList<>();
    try {
      for (byte[] part : reply.parts()) {
        SubmitOutcome outcome = submitPart(due.source(), to, reply.dataCoding(), esm, part);
        if (outcome instanceof SubmitOutcome.Accepted accepted) {
          ids.add(accepted.messageId());
        } else if (ids.isEmpty() && retryable(outcome)) {
          await(store.retry(due.id(), outcome instanceof SubmitOutcome.NotSent ? 1 : 5, outcome.toString()));
          ended.get("retried").increment();
          return;
        } else {
          // a part went out, or the SMSC refused for good, or may have taken it: never resend
          boolean maybeSent = outcome instanceof SubmitOutcome.Unknown || !ids.isEmpty();
          await(store.giveUp(due.id(), maybeSent ? "unknown" : "failed", outcome.toString()));
          ended.get(maybeSent ? "unknown" : "failed").increment();
          return;
        }
      }
      await(store.sent(due.id(), ids));
      ended.get("sent").increment();
    } catch (Exception e) {
      LOG.warn("Reply {} on {}: {}", due.id(), smsc.name(), e.toString());
    }
  }

  private static boolean retryable(SubmitOutcome outcome) {
    return outcome instanceof SubmitOutcome.NotSent
        || outcome instanceof SubmitOutcome.Rejected r && (r.throttled() || r.queueFull());
  }

  /** Submits one part, pausing and retrying while the SMSC throttles us or its queue is full. */
  private SubmitOutcome submitPart(String from, String to, byte dataCoding, byte esm, byte[] part)
      throws InterruptedException {
    SubmitOutcome outcome = new SubmitOutcome.NotSent("not tried");
    for (int attempt = 0; attempt < PART_TRIES; attempt++) {
      rate.acquire();
      SmppLink link = links.stream().filter(SmppLink::isBound).findFirst().orElse(null);
      if (link == null) {
        return new SubmitOutcome.NotSent("no bind");
      }
      outcome = link.submit(from, to, dataCoding, esm, part, true);
      if (!(outcome instanceof SubmitOutcome.Rejected rejected) || !(rejected.throttled() || rejected.queueFull())) {
        return outcome;
      }
      if (rejected.throttled()) {
        pausedUntil = System.currentTimeMillis() + THROTTLE_PAUSE.toMillis();
      }
      Thread.sleep(THROTTLE_PAUSE.toMillis());
    }
    return outcome;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    taker.interrupt();
    submitters.shutdown();
    try {
      submitters.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
