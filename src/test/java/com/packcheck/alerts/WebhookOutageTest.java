package com.packcheck.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.packcheck.support.Client;
import com.packcheck.support.SparePort;
import com.packcheck.support.Stack;
import com.packcheck.support.TcpProxy;
import com.packcheck.support.TestPostgres;
import com.packcheck.support.World;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two PackCheck instances on one PostgreSQL deliver one manufacturer's alerts to a receiver that is
 * down for "minutes". Time scale: in production the first retry waits 5 s (then 10, 20 … up to an
 * hour), a POST gets 10 s, the sender looks for due deliveries every second and the scanner runs every
 * 5 s. Here they are 1/50 of it: 100 ms backoff, 20 ms polling (derived from the backoff), 100 ms
 * scans. The outage is 6 s = 60 first backoffs, as 5 minutes is 60 × 5 s: each alert goes through the
 * same doublings and about the same number of attempts as in a 5-minute outage. The POST timeout is
 * 400 ms (1/25): at 200 ms this 2-core machine's own PostgreSQL round trips under a busy build ate
 * the budget. The hour's cap and the 25 hours stay unscaled: a 5-minute outage reaches neither
 * (WebhookScheduleTest covers them).
 */
@DisplayName("Webhooks across a receiver outage of minutes (at 1/50 scale), two instances sending")
class WebhookOutageTest {
  private static final Map<String, String> SCALED = Map.of("PACKCHECK_ALERT_SCAN_MS", "100",
      "PACKCHECK_WEBHOOK_BACKOFF_MS", "100", "PACKCHECK_WEBHOOK_TIMEOUT_MS", "400");
  private static final long PHASE_MS = 2000;  // × 3: 6 s, "5 minutes"
  static World world;
  static Client api;
  static Stack.Account pharmacyC;
  static Vertx vertx = Vertx.vertx();

  @BeforeAll
  static void start() {
    world = new World(5, SCALED, SCALED);
    api = world.instance(0);
    pharmacyC = world.stack.pharmacy(api);
  }

  @AfterAll
  static void stop() throws Exception {
    world.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A manufacturer's receiver: answers as told, checks each signature, sees whether one id is ever sent twice at once. */
  static final class Receiver implements AutoCloseable {
    enum Mode { ERRORS, OK, TRICKLE }

    volatile Mode mode = Mode.OK;
    final Map<String, List<Integer>> answered = new ConcurrentHashMap<>();
    final Map<String, Long> firstOk = new ConcurrentHashMap<>();
    final List<Long> trickled = new CopyOnWriteArrayList<>();
    final AtomicBoolean overlapped = new AtomicBoolean();
    final AtomicBoolean badSignature = new AtomicBoolean();
    private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final HttpServer server;

    Receiver(String secret) throws Exception {
      server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
        String id = req.getHeader("X-PackCheck-Delivery");
        if (!("sha256=" + WebhookSender.signature(secret, body.getBytes())).equals(req.getHeader("X-PackCheck-Signature"))
            || new JsonObject(body).getLong("id") != Long.parseLong(id)) {
          badSignature.set(true);
        }
        AtomicInteger inFlight = open.computeIfAbsent(id, k -> new AtomicInteger());
        if (inFlight.incrementAndGet() > 1) {
          overlapped.set(true);
        }
        long started = System.currentTimeMillis();
        HttpServerResponse response = req.response();
        AtomicBoolean over = new AtomicBoolean();
        Runnable ended = () -> {
          if (over.compareAndSet(false, true)) {
            inFlight.decrementAndGet();
          }
        };
        response.endHandler(v -> ended.run());
        response.closeHandler(v -> ended.run());
        Mode now = mode;
        int status = switch (now) {
          case ERRORS -> List.of(500, 503, 410).get(requests.getAndIncrement() % 3);
          case OK -> 204;
          case TRICKLE -> 200;
        };
        if (now != Mode.OK) {
          answered.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(status);
        }
        if (now == Mode.OK) {  // a success is a 204 written whole; slow enough to see two sends at once
          vertx.setTimer(20, t -> response.setStatusCode(status).end().onSuccess(v -> {
            answered.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(status);
            firstOk.putIfAbsent(id, System.currentTimeMillis());
          }));
        } else if (now == Mode.ERRORS) {
          response.setStatusCode(status).end();
        } else {  // headers and a byte every 40 ms, never the end: only a deadline on the whole answer stops it
          response.setStatusCode(200).setChunked(true).write("{");
          long timer = vertx.setPeriodic(40, t -> response.write(" "));
          response.closeHandler(v -> {
            vertx.cancelTimer(timer);
            trickled.add(System.currentTimeMillis() - started);
            ended.run();
          });
        }
      }));
      server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    int port() {
      return server.actualPort();
    }

    int oks(String id) {
      return (int) answered.getOrDefault(id, List.of()).stream().filter(s -> s == 204).count();
    }

    @Override
    public void close() throws Exception {
      server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("refused, then 500/503/410, then hung, while 18 alerts accumulate: once back, each alert arrives once, signed, none sent twice at once")
  void outageOfMinutes() throws Exception {
    Stack.Account maker = world.stack.manufacturer(api, 2);
    List<String> codes = activeCodes(maker, 18);
    int port = SparePort.belowEphemeralRange();
    String secret = "whsec-" + System.nanoTime();
    setWebhook(maker, "http://127.0.0.1:" + port + "/hooks", secret);

    try (Receiver receiver = new Receiver(secret)) {
      long down = System.currentTimeMillis();
      raiseClones(codes.subList(0, 6), down + PHASE_MS);       // connection refused: nothing listens on the port
      receiver.mode = Receiver.Mode.ERRORS;
      try (TcpProxy proxy = new TcpProxy(port, "127.0.0.1", receiver.port())) {
        raiseClones(codes.subList(6, 12), down + 2 * PHASE_MS);  // 500, 503 and 410 in turn
        proxy.hang();
        raiseClones(codes.subList(12, 18), down + 3 * PHASE_MS);  // connections taken, nothing answered
        waitFor(() -> number("select count(*) from webhook_deliveries where manufacturer_id = " + maker.id()) == 18,
            "18 deliveries queued");
        assertThat(receiver.firstOk).as("nothing delivered while down").isEmpty();
        assertThat(receiver.answered.values().stream().flatMap(List::stream)).contains(500, 503, 410);
        assertThat(number("select count(*) from webhook_deliveries where manufacturer_id = " + maker.id()
            + " and last_error like '%TimeoutException%'")).as("hung attempts cut off at the timeout").isPositive();
        long ownNext = number("select (extract(epoch from max(next_attempt_at) - now()) * 1000)::bigint"
            + " from webhook_deliveries where manufacturer_id = " + maker.id());

        receiver.mode = Receiver.Mode.OK;
        proxy.cut();  // the hung receiver is restarted: its connections drop, and it answers again
        proxy.heal();
        long back = System.currentTimeMillis();
        waitFor(() -> number("select count(*) from webhook_deliveries where manufacturer_id = " + maker.id()
            + " and state = 'delivered'") == 18, "every alert delivered");
        Thread.sleep(500);  // room for a stray second send

        List<String> ids = List.of(value("select string_agg(id::text, ',' order by id) from alerts where manufacturer_id = "
            + maker.id()).split(","));
        assertThat(ids).hasSize(18);
        for (String id : ids) {
          assertThat(receiver.oks(id)).as("successful deliveries of alert %s", id).isEqualTo(1);
        }
        assertThat(receiver.firstOk.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(receiver.overlapped).as("one alert sent twice at once").isFalse();
        assertThat(receiver.badSignature).isFalse();
        long last = receiver.firstOk.values().stream().mapToLong(Long::longValue).max().orElseThrow() - back;
        System.out.printf("outage %d ms: back → last delivery %d ms (the latest own retry was %d ms away)%n",
            back - down, last, ownNext);
        assertThat(last).as("back → last delivery, ms").isLessThan(2500);
        // attempts recorded: the first alert went through the doublings of a 6 s (5 min) outage
        assertThat(number("select max(attempts) from webhook_deliveries where manufacturer_id = " + maker.id()))
            .isBetween(5L, 12L);
        assertThat(number("select count(*) from webhook_deliveries where manufacturer_id = " + maker.id()
            + " and (attempts < 1 or last_error is not null or delivered_at is null)")).isZero();
        assertThat(number("select count(*) from webhook_deliveries where manufacturer_id = " + maker.id()
            + " and attempts >= 2")).as("alerts tried more than once").isGreaterThanOrEqualTo(12);
      }
    }
  }

  @Test
  @DisplayName("a receiver trickling its answer is cut off at the timeout, never sent the same alert twice at once; a new URL is tried at once")
  void slowReceiver() throws Exception {
    Stack.Account maker = world.stack.manufacturer(api, 2);
    List<String> codes = activeCodes(maker, 1);
    String secret = "whsec-" + System.nanoTime();
    try (Receiver receiver = new Receiver(secret)) {
      receiver.mode = Receiver.Mode.TRICKLE;
      setWebhook(maker, "http://127.0.0.1:" + receiver.port() + "/hooks", secret);
      raiseClones(codes, 0);
      String where = " from webhook_deliveries where manufacturer_id = " + maker.id();
      waitFor(() -> number("select coalesce(max(attempts), 0)" + where) >= 6, "six attempts at a trickling receiver");
      assertThat(receiver.overlapped).as("one alert sent twice at once").isFalse();
      assertThat(receiver.trickled).hasSizeGreaterThanOrEqualTo(5)
          .allMatch(ms -> ms < 1200, "each exchange ended within the lease (3 × 400 ms)");
      assertThat(value("select state" + where)).isEqualTo("pending");

      // the manufacturer points its webhook elsewhere: tried now, not after the 3.2 s or more its
      // seventh attempt would wait
      receiver.mode = Receiver.Mode.OK;
      long moved = System.currentTimeMillis();
      setWebhook(maker, "http://127.0.0.1:" + receiver.port() + "/hooks/v2", secret);
      String id = value("select alert_id" + where);
      waitFor(() -> "delivered".equals(value("select state" + where)), "delivered at the new URL");
      assertThat(receiver.firstOk.get(id) - moved).as("first try at the new URL, ms").isLessThan(1500);
      assertThat(receiver.oks(id)).isEqualTo(1);
      assertThat(receiver.overlapped).isFalse();
    }
  }

  @Test
  @DisplayName("a delivery whose reply is lost is sent again, with the same id and signature, until one reply gets through")
  void lostReply() throws Exception {
    Stack.Account maker = world.stack.manufacturer(api, 2);
    List<String> codes = activeCodes(maker, 1);
    String secret = "whsec-" + System.nanoTime();
    try (Receiver receiver = new Receiver(secret); TcpProxy proxy = new TcpProxy("127.0.0.1", receiver.port())) {
      proxy.swallowReplies();  // the receiver takes each POST and answers 204; PackCheck never hears it
      setWebhook(maker, "http://127.0.0.1:" + proxy.port() + "/hooks", secret);
      raiseClones(codes, 0);
      String where = " from webhook_deliveries where manufacturer_id = " + maker.id();
      waitFor(() -> number("select count(*)" + where) == 1, "the alert queued");
      String id = value("select alert_id" + where);
      waitFor(() -> receiver.oks(id) >= 2, "the same delivery again after a lost reply");
      assertThat(value("select state" + where)).isEqualTo("pending");
      proxy.heal();
      waitFor(() -> "delivered".equals(value("select state" + where)), "delivered once a reply gets through");
      assertThat(receiver.answered.keySet()).containsExactly(id);
      assertThat(receiver.badSignature).isFalse();
      assertThat(receiver.overlapped).isFalse();
    }
  }

  /** n codes of a new active batch of a new product of {@code maker}. */
  private static List<String> activeCodes(Stack.Account maker, int n) {
    List<String> codes = Stack.codes(n);
    world.stack.activeBatch(api, maker, world.stack.product(api, maker, "Webhook product"), codes);
    return codes;
  }

  private static void setWebhook(Stack.Account maker, String url, String secret) {
    assertThat(api.put("/v1/webhook", maker.token(), new JsonObject().put("url", url).put("secret", secret)).status())
        .isEqualTo(200);
  }

  /** Each code dispensed by three pharmacies (a cloned code), through both instances, spread until {@code until}. */
  private static void raiseClones(List<String> codes, long until) throws InterruptedException {
    for (int i = 0; i < codes.size(); i++) {
      Client via = world.instance(i % 2);
      for (Stack.Account pharmacy : List.of(world.pharmacyA, world.pharmacyB, pharmacyC)) {
        assertThat(world.check(via, pharmacy, codes.get(i), "dispense").status()).isEqualTo(200);
      }
      Thread.sleep(Math.max(0, (until - System.currentTimeMillis()) / (codes.size() - i)));
    }
  }

  private static void waitFor(BooleanSupplier condition, String what) {
    await(what).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(condition::getAsBoolean);
  }

  private static long number(String sql) {
    return Long.parseLong(value(sql));
  }

  private static String value(String sql) {
    try {
      return TestPostgres.value(world.stack.schema, sql);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
