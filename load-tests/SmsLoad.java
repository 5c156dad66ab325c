import com.packcheck.sms.simulator.SimulatedSmsc;
import com.packcheck.sms.text.DefaultAlphabet;
import com.packcheck.sms.text.SmsCharset;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The SMS load driver: plays the operator's SMSC (PackCheck binds to it), sends shoppers' MOs at a
 * target rate through a fixed window of deliver_sm in flight, and times each deliver_sm_resp and each
 * MO until its reply (submit_sm) arrives. Run from the repository root with the shaded jar, whose
 * classes (jSMPP, HdrHistogram, SimulatedSmsc) it uses:
 *
 * <pre>java -cp target/packcheck.jar load-tests/SmsLoad.java --port 2775 --codes codes.txt [options]</pre>
 *
 * It waits for PackCheck's bind, then for the codes file (one code a line, the batch already active:
 * run-sms.sh writes it last, by rename, once the batch is active), runs, drains, prints the report
 * and exits. Every MO is a distinct (sender, text) pair: PackCheck treats the same text from the same
 * number within 24 h as a redelivery and would not answer it again.
 */
public final class SmsLoad {
  enum Kind { FRESH, USED, FAKE }

  /** What each kind's reply must start with (English templates). */
  static final Map<Kind, String> EXPECTED = Map.of(Kind.FRESH, "GENUINE", Kind.USED, "ALREADY USED",
      Kind.FAKE, "NOT GENUINE");

  /** One MO; resent with the same sender and text after a refusal, as an SMSC redelivers. */
  static final class Mo {
    final Kind kind;
    final String code;
    final String from; // digits, sent with TON international
    final boolean measured;
    volatile long firstSentNanos;
    volatile boolean accepted;
    volatile boolean answered;
    int attempts;

    Mo(Kind kind, String code, String from, boolean measured) {
      this.kind = kind;
      this.code = code;
      this.from = from;
      this.measured = measured;
    }
  }

  // options
  final int port;
  final String systemId;
  final String password;
  final String shortCode;
  final int smscTps;
  final int processors;
  final double rate;
  final int duration;
  final int warmup;
  final int window;
  final int drain;
  final Path codesFile;
  final String metricsUrl;
  final int bindTimeout;
  final int codesTimeout;
  final int maxAttempts;
  final int[] mix; // percent fresh, used, fake

  // results
  final ConcurrentHistogram respMicros = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(120), 3);
  final ConcurrentHistogram moToMtMicros = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(600), 3);
  final ConcurrentHashMap<String, AtomicLong> statuses = new ConcurrentHashMap<>();
  final ConcurrentHashMap<String, Mo> awaitingMt = new ConcurrentHashMap<>();
  final ConcurrentLinkedQueue<String> usedPool = new ConcurrentLinkedQueue<>();
  /** The SMSC PackCheck binds to; it counts the submits it took and the ones it throttled. */
  SimulatedSmsc smsc;
  final AtomicLong[] sentByKind = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
  final AtomicLong usedFallbacks = new AtomicLong();
  final AtomicLong attemptsMeasured = new AtomicLong();
  final AtomicLong acceptedMeasured = new AtomicLong();
  final AtomicLong gaveUp = new AtomicLong();
  final AtomicLong mtsMatched = new AtomicLong();
  final AtomicLong mtsMatchedMeasured = new AtomicLong();
  final AtomicLong mtsUnmatched = new AtomicLong();
  final AtomicLong mtsWrongText = new AtomicLong();
  final LongAccumulator lastMeasuredRespNanos = new LongAccumulator(Math::max, 0);
  final LongAccumulator maxPacerLagMicros = new LongAccumulator(Math::max, 0);
  final ConcurrentLinkedQueue<String> wrongExamples = new ConcurrentLinkedQueue<>();
  final AtomicLongArray mtsPerSecond = new AtomicLongArray(3600);
  final LongAccumulator maxPending = new LongAccumulator(Math::max, -1);
  final LongAccumulator maxOldestMillis = new LongAccumulator(Math::max, -1);
  final AtomicLong metricsSamples = new AtomicLong();
  final SmsCharset charset = new SmsCharset(DefaultAlphabet.GSM7);
  final AtomicLong senderSeq = new AtomicLong();
  volatile long startNanos;

  SmsLoad(Map<String, String> o) {
    port = Integer.parseInt(o.getOrDefault("--port", "2775"));
    systemId = o.getOrDefault("--system-id", "packcheck");
    password = o.getOrDefault("--password", "secret");
    shortCode = o.getOrDefault("--short-code", "1393");
    smscTps = Integer.parseInt(o.getOrDefault("--smsc-tps", "5000"));
    processors = Integer.parseInt(o.getOrDefault("--smsc-processors", "4"));
    rate = Double.parseDouble(o.getOrDefault("--rate", "2500"));
    duration = Integer.parseInt(o.getOrDefault("--duration", "30"));
    warmup = Integer.parseInt(o.getOrDefault("--warmup", "5"));
    window = Integer.parseInt(o.getOrDefault("--window", "50"));
    drain = Integer.parseInt(o.getOrDefault("--drain", "30"));
    codesFile = Path.of(o.getOrDefault("--codes", "codes.txt"));
    metricsUrl = o.get("--metrics-url");
    bindTimeout = Integer.parseInt(o.getOrDefault("--bind-timeout", "180"));
    codesTimeout = Integer.parseInt(o.getOrDefault("--codes-timeout", "300"));
    maxAttempts = Integer.parseInt(o.getOrDefault("--max-attempts", "3"));
    String[] m = o.getOrDefault("--mix", "70/15/15").split("/");
    mix = new int[] {Integer.parseInt(m[0]), Integer.parseInt(m[1]), Integer.parseInt(m[2])};
    if (mix[0] + mix[1] + mix[2] != 100 || rate <= 0 || duration < 1 || window < 1) {
      throw new IllegalArgumentException("--mix must add up to 100; --rate, --duration and --window must be positive");
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        System.err.println("""
            usage: java -cp target/packcheck.jar load-tests/SmsLoad.java --codes FILE [--port 2775]
                   [--system-id packcheck] [--password secret] [--short-code 1393] [--smsc-tps 5000]
                   [--rate 2500] [--duration 30] [--warmup 5] [--window 50] [--drain 30] [--mix 70/15/15]
                   [--metrics-url http://127.0.0.1:8080/metrics] [--bind-timeout 180] [--codes-timeout 300]
                   [--max-attempts 3] [--smsc-processors 4]""");
        System.exit(64);
      }
      opts.put(args[i], args[++i]);
    }
    System.exit(new SmsLoad(opts).run());
  }

  int run() throws Exception {
    try (SimulatedSmsc opened = new SimulatedSmsc(port, systemId, password, smscTps, processors, this::onMt)) {
      smsc = opened;
      log("SMSC listening on port %d (system id %s, %d submits/s); waiting for PackCheck to bind", smsc.port(),
          systemId, smscTps);
      if (!waitFor(smsc::bound, bindTimeout)) {
        log("no bind within %d s", bindTimeout);
        return 2;
      }
      log("PackCheck bound; waiting for %s", codesFile);
      if (!waitFor(() -> Files.isRegularFile(codesFile), codesTimeout)) {
        log("no codes file within %d s", codesTimeout);
        return 2;
      }
      List<String> codes = Files.readAllLines(codesFile, StandardCharsets.US_ASCII).stream()
          .map(String::strip).filter(s -> !s.isEmpty()).toList();
      long needed = (long) Math.ceil(rate * (warmup + duration) * (mix[0] + mix[1]) / 100.0);
      if (codes.size() < needed) {
        log("WARNING: %d codes, a run at this rate may need up to %d fresh ones", codes.size(), needed);
      }
      Set<String> known = new HashSet<>(codes);
      log("%d codes; sending %.0f MO/s for %d s warm-up + %d s measured, window %d, mix %d/%d/%d "
          + "(fresh/already used/fake)", codes.size(), rate, warmup, duration, window, mix[0], mix[1], mix[2]);
      Thread sampler = metricsUrl == null ? null : startMetricsSampler();
      send(smsc, codes, known);
      if (sampler != null) {
        sampler.interrupt();
      }
      report();
      return 0;
    }
  }

  /** The pacer: MO i is due at start + i / rate; a full window holds it back (the lag is reported). */
  void send(SimulatedSmsc smsc, List<String> codes, Set<String> known) throws InterruptedException {
    ExecutorService senders = Executors.newFixedThreadPool(window, daemon("mo-sender"));
    ScheduledExecutorService redeliveries = Executors.newSingleThreadScheduledExecutor(daemon("mo-redeliver"));
    Semaphore inFlight = new Semaphore(window);
    AtomicInteger nextFresh = new AtomicInteger();
    long total = (long) Math.floor(rate * (warmup + duration));
    long warmupCount = (long) Math.floor(rate * warmup);
    startNanos = System.nanoTime();
    long measureStart = startNanos + TimeUnit.SECONDS.toNanos(warmup);
    long reportEvery = TimeUnit.SECONDS.toNanos(5);
    long nextProgress = startNanos + reportEvery;
    for (long i = 0; i < total; i++) {
      long due = startNanos + (long) (i * 1e9 / rate);
      long now = System.nanoTime();
      if (due > now) {
        TimeUnit.NANOSECONDS.sleep(due - now);
      }
      inFlight.acquire();
      long lag = System.nanoTime() - due;
      if (i >= warmupCount) {
        maxPacerLagMicros.accumulate(lag / 1000);
      }
      Mo mo = nextMo(i, codes, known, nextFresh, i >= warmupCount);
      if (mo == null) {
        inFlight.release();
        log("ran out of fresh codes after %d MOs: stopping the load early (give more codes)", i);
        break;
      }
      senders.execute(() -> attempt(smsc, mo, inFlight, redeliveries));
      if (System.nanoTime() > nextProgress) {
        nextProgress += reportEvery;
        progress();
      }
    }
    long loadEnd = System.nanoTime();
    // let the last deliver_sm and any redeliveries finish (each is bounded by the SMSC's response timer)
    long settleUntil = loadEnd + TimeUnit.SECONDS.toNanos(Math.max(10, maxAttempts * 3L));
    while (System.nanoTime() < settleUntil && (inFlight.availablePermits() < window || pendingRedeliveries.get() > 0)) {
      Thread.sleep(50);
    }
    long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(drain);
    log("load done (%.1f s); draining up to %d s for %d replies", (loadEnd - startNanos) / 1e9, drain,
        awaitingAnswered());
    while (System.nanoTime() < drainUntil && awaitingAnswered() > 0) {
      Thread.sleep(100);
      if (System.nanoTime() > nextProgress) {
        nextProgress += reportEvery;
        progress();
      }
    }
    drainEndNanos = System.nanoTime();
    loadEndNanos = loadEnd;
    measureStartNanos = measureStart;
    redeliveries.shutdownNow();
    senders.shutdownNow();
  }

  volatile long drainEndNanos;
  volatile long loadEndNanos;
  volatile long measureStartNanos;
  final AtomicLong pendingRedeliveries = new AtomicLong();

  /** Kinds by position in a cycle of 20, so every stretch of the run has the stated mix. */
  Mo nextMo(long i, List<String> codes, Set<String> known, AtomicInteger nextFresh, boolean measured) {
    int slot = (int) (i % 20) * 5;
    Kind kind = slot < mix[0] ? Kind.FRESH : slot < mix[0] + mix[1] ? Kind.USED : Kind.FAKE;
    String code = null;
    if (kind == Kind.USED) {
      // a code whose first check is committed (deliver_sm_resp 0), sent again from another number
      code = usedPool.poll();
      if (code == null) {
        usedFallbacks.incrementAndGet();
        kind = Kind.FRESH;
      }
    }
    if (kind == Kind.FRESH) {
      int n = nextFresh.getAndIncrement();
      if (n >= codes.size()) {
        return null;
      }
      code = codes.get(n);
    } else if (kind == Kind.FAKE) {
      // well formed (16 digits, like the uploaded codes) but in no batch
      do {
        code = Long.toString(ThreadLocalRandom.current().nextLong(1_000_000_000_000_000L, 10_000_000_000_000_000L));
      } while (known.contains(code));
    }
    // Ghana mobile numbers (+233 24 xxx xxxx), a new one for every MO
    String from = "23324" + (1_000_000 + senderSeq.incrementAndGet());
    if (measured) {
      sentByKind[kind.ordinal()].incrementAndGet();
    }
    return new Mo(kind, code, from, measured);
  }

  void attempt(SimulatedSmsc smsc, Mo mo, Semaphore inFlight, ScheduledExecutorService redeliveries) {
    int status;
    long t0 = System.nanoTime();
    try {
      if (mo.firstSentNanos == 0) {
        mo.firstSentNanos = t0;
        // registered before sending: the reply can arrive before deliver() returns
        awaitingMt.put(mo.from, mo);
      }
      mo.attempts++;
      try {
        status = smsc.deliver(mo.from, shortCode, (byte) SmsCharset.DC_DEFAULT, (byte) 0,
            mo.code.getBytes(StandardCharsets.US_ASCII)); // digits are the same octets in GSM-7
      } catch (Exception e) {
        status = -1;
        statuses.computeIfAbsent("no resp: " + e.getClass().getSimpleName(), k -> new AtomicLong()).incrementAndGet();
      }
      long t1 = System.nanoTime();
      if (mo.measured) {
        attemptsMeasured.incrementAndGet();
        respMicros.recordValue(Math.min(respMicros.getHighestTrackableValue(), (t1 - t0) / 1000));
        lastMeasuredRespNanos.accumulate(t1);
      }
      if (status >= 0) {
        statuses.computeIfAbsent(String.format("0x%02x", status), k -> new AtomicLong()).incrementAndGet();
      }
      if (status == 0) {
        mo.accepted = true;
        if (mo.measured) {
          acceptedMeasured.incrementAndGet();
        }
        if (mo.kind == Kind.FRESH) {
          usedPool.add(mo.code);
        }
      } else if (mo.attempts < maxAttempts) {
        // as an SMSC does: the same MO again a second later
        pendingRedeliveries.incrementAndGet();
        redeliveries.schedule(() -> {
          try {
            inFlight.acquire();
            attempt(smsc, mo, inFlight, redeliveries);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            pendingRedeliveries.decrementAndGet();
          }
        }, 1, TimeUnit.SECONDS);
      } else {
        gaveUp.incrementAndGet();
      }
    } finally {
      inFlight.release();
    }
  }

  /** Replies still expected: MOs PackCheck took (resp 0) whose reply has not come yet. */
  long awaitingAnswered() {
    return awaitingMt.values().stream().filter(m -> m.accepted && !m.answered).count();
  }

  void onMt(SimulatedSmsc.Mt mt) {
    long now = mt.receivedNanos();
    if (startNanos > 0) {
      int second = (int) ((now - startNanos) / 1_000_000_000L);
      if (second >= 0 && second < mtsPerSecond.length()) {
        mtsPerSecond.incrementAndGet(second);
      }
    }
    String to = mt.to().startsWith("+") ? mt.to().substring(1) : mt.to();
    Mo mo = awaitingMt.get(to);
    if (mo == null || mo.answered) {
      mtsUnmatched.incrementAndGet(); // a second part, a second reply, or not ours
      return;
    }
    mo.answered = true;
    mtsMatched.incrementAndGet();
    byte[] body = mt.message();
    if ((mt.esmClass() & 0x40) != 0 && body.length > 0) {
      body = java.util.Arrays.copyOfRange(body, Math.min(body.length, (body[0] & 0xff) + 1), body.length);
    }
    String text = charset.decode(mt.dataCoding(), body).orElse("(binary)");
    if (!text.startsWith(EXPECTED.get(mo.kind))) {
      mtsWrongText.incrementAndGet();
      if (wrongExamples.size() < 5) {
        wrongExamples.add(mo.kind + " " + mo.code + " → " + text);
      }
    }
    if (mo.measured) {
      mtsMatchedMeasured.incrementAndGet();
      moToMtMicros.recordValue(Math.min(moToMtMicros.getHighestTrackableValue(), (now - mo.firstSentNanos) / 1000));
    }
  }

  /** PackCheck's outbox gauges, once a second, for the backlog's peak. */
  Thread startMetricsSampler() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest req = HttpRequest.newBuilder(URI.create(metricsUrl)).timeout(Duration.ofSeconds(2)).build();
    Thread t = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          for (String line : http.send(req, HttpResponse.BodyHandlers.ofString()).body().split("\n")) {
            if (line.startsWith("packcheck_sms_outbox_pending")) {
              maxPending.accumulate((long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            } else if (line.startsWith("packcheck_sms_outbox_oldest_seconds")) {
              maxOldestMillis.accumulate((long) (1000 * Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))));
            }
          }
          metricsSamples.incrementAndGet();
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          // a missed sample; the next one comes a second later
          try {
            Thread.sleep(1000);
          } catch (InterruptedException ie) {
            return;
          }
        }
      }
    }, "metrics-sampler");
    t.setDaemon(true);
    t.start();
    return t;
  }

  void progress() {
    long mts = 0;
    for (int i = 0; i < mtsPerSecond.length(); i++) {
      mts += mtsPerSecond.get(i);
    }
    log("t=%4.0f s  MOs taken %d, deliver_sm %s, MTs %d, SMSC 0x58 %d%s", (System.nanoTime() - startNanos) / 1e9,
        acceptedMeasured.get(), new TreeMap<>(statuses), mts, smsc.submitsThrottled(),
        metricsUrl == null ? "" : String.format(", outbox max pending %d, oldest %.1f s", maxPending.get(),
            maxOldestMillis.get() / 1000.0));
  }

  void report() {
    long measured = sentByKind[0].get() + sentByKind[1].get() + sentByKind[2].get();
    double loadSeconds = (Math.max(lastMeasuredRespNanos.get(), measureStartNanos + 1) - measureStartNanos) / 1e9;
    long expectedMts = awaitingMt.values().stream().filter(m -> m.measured && m.accepted).count();
    long missing = awaitingMt.values().stream().filter(m -> m.measured && m.accepted && !m.answered).count();
    long neverTaken = awaitingMt.values().stream().filter(m -> m.measured && !m.accepted).count();
    int loadSecs = (int) Math.ceil((loadEndNanos - startNanos) / 1e9);
    long mtsDuringMeasure = 0;
    for (int s = warmup; s < Math.min(loadSecs, mtsPerSecond.length()); s++) {
      mtsDuringMeasure += mtsPerSecond.get(s);
    }
    int first = -1;
    int last = -1;
    long allMts = 0;
    for (int s = 0; s < mtsPerSecond.length(); s++) {
      long n = mtsPerSecond.get(s);
      if (n > 0) {
        first = first < 0 ? s : first;
        last = s;
        allMts += n;
      }
    }
    long throttledByPackCheck = statuses.getOrDefault("0x58", new AtomicLong()).get();
    double sustained = acceptedMeasured.get() / loadSeconds;
    System.out.printf("%n== SMS load: SMSC cap %d submit_sm/s, target %.0f MO/s, %d s measured (+%d s warm-up), "
        + "window %d ==%n", smscTps, rate, duration, warmup, window);
    System.out.printf("mix (measured MOs): fresh genuine %d (%.1f %%), already used from another number %d (%.1f %%), "
        + "fake %d (%.1f %%); already-used slots sent fresh for want of a used code: %d%n",
        sentByKind[0].get(), pct(sentByKind[0].get(), measured), sentByKind[1].get(), pct(sentByKind[1].get(), measured),
        sentByKind[2].get(), pct(sentByKind[2].get(), measured), usedFallbacks.get());
    System.out.printf("MOs: %d sent (%d deliver_sm incl. redeliveries), %d taken (resp 0), %d never taken after %d tries%n",
        measured, attemptsMeasured.get(), acceptedMeasured.get(), neverTaken, maxAttempts);
    System.out.printf("sustained: %.0f MO/s taken (offered %.0f MO/s; the pacer fell behind by up to %.0f ms "
        + "waiting for the window)%n", sustained, rate, maxPacerLagMicros.get() / 1000.0);
    System.out.printf("deliver_sm_resp: %s; ESME_RTHROTTLED (0x58) from PackCheck: %d%n", new TreeMap<>(statuses),
        throttledByPackCheck);
    System.out.printf("deliver_sm → resp: p50 %s  p99 %s  max %s%n", ms(respMicros, 50), ms(respMicros, 99),
        ms(respMicros.getMaxValue()));
    System.out.printf("MO → MT:           p50 %s  p99 %s  max %s  (%d replies)%n", ms(moToMtMicros, 50),
        ms(moToMtMicros, 99), ms(moToMtMicros.getMaxValue()), moToMtMicros.getTotalCount());
    System.out.printf("MTs: %d of %d expected (missing %d after %.0f s drain), wrong text %d, unmatched/extra %d%n",
        mtsMatchedMeasured.get(), expectedMts, missing, (drainEndNanos - loadEndNanos) / 1e9, mtsWrongText.get(),
        mtsUnmatched.get());
    wrongExamples.forEach(w -> System.out.println("  wrong reply: " + w));
    System.out.printf("SMSC: %d submit_sm taken, %d answered 0x58 (over its %d/s); MT/s during the measured load %.0f, "
        + "first to last MT %.0f (%d MTs over %d s)%n", smsc.submitsTaken(), smsc.submitsThrottled(), smscTps,
        mtsDuringMeasure / (double) Math.max(1, loadSecs - warmup), allMts / (double) Math.max(1, last - first + 1),
        allMts, Math.max(0, last - first + 1));
    if (metricsUrl != null) {
      System.out.printf("outbox (/metrics, %d samples): max packcheck_sms_outbox_pending %d, "
          + "max packcheck_sms_outbox_oldest_seconds %.1f%n", metricsSamples.get(), maxPending.get(),
          maxOldestMillis.get() / 1000.0);
    }
    if (smscTps < rate) {
      // replies can leave no faster than the SMSC takes them: the backlog grows by the excess, no more
      System.out.printf("backlog: the SMSC takes %d/s of %.0f MO/s, so about %.0f replies wait at the end of the load "
          + "((rate - cap) x %d s); the MO/s and MO→MT aims are for a fast SMSC%n", smscTps, rate,
          (rate - smscTps) * (warmup + duration), warmup + duration);
      System.out.printf("aims: deliver_sm_resp p99 <= 50 ms %s; no 0x58 from PackCheck %s%n",
          verdict(respMicros.getValueAtPercentile(99) <= 50_000), verdict(throttledByPackCheck == 0));
      return;
    }
    System.out.printf("aims: >= 2000 MO/s %s; resp p99 <= 50 ms %s; MO→MT p99 <= 200 ms %s; no 0x58 from PackCheck %s%n",
        verdict(sustained >= 2000), verdict(respMicros.getValueAtPercentile(99) <= 50_000),
        verdict(moToMtMicros.getTotalCount() > 0 && moToMtMicros.getValueAtPercentile(99) <= 200_000),
        verdict(throttledByPackCheck == 0));
  }

  static String verdict(boolean ok) {
    return ok ? "met" : "MISSED";
  }

  static double pct(long n, long of) {
    return of == 0 ? 0 : 100.0 * n / of;
  }

  static String ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? "-" : ms(h.getValueAtPercentile(percentile));
  }

  static String ms(long micros) {
    return String.format("%.1f ms", micros / 1000.0);
  }

  static boolean waitFor(java.util.function.BooleanSupplier condition, int seconds) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        return false;
      }
      Thread.sleep(100);
    }
    return true;
  }

  static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  static void log(String format, Object... args) {
    System.err.printf("%tT  SmsLoad: %s%n", System.currentTimeMillis(), String.format(format, args));
  }
}
