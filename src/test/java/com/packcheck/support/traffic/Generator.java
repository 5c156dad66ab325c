package com.packcheck.support.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.code.Hmac;
import com.packcheck.support.Client;
import com.packcheck.support.Stack;
import com.packcheck.support.TestClock;
import com.packcheck.support.TestSmsc;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * A traffic generator: three manufacturers, three pharmacies in three regions and shoppers in three
 * countries check codes by HTTP (verify, dispense) and by SMS through an SMSC: first checks, repeats,
 * codes already used, fakes, typos, codes of draft, recalled and expired batches, and a batch that
 * expires the day before {@code boundary}. The generator predicts every answer, checks at once those it
 * can (HTTP answers), and keeps every check it caused in its {@link #ledger}.
 */
public final class Generator {
  private static final Hmac HMAC = new Hmac(Stack.SECRET.getBytes(StandardCharsets.UTF_8));
  private static final int VARIANTS = 6;

  private final Random random;
  private final Stack stack;
  private final Client api;
  private final TestSmsc smsc;
  private final String shortCode;
  private final TestClock clock;
  private final Instant boundary;
  private int typos;
  public final List<Maker> makers = new ArrayList<>();
  public final List<Customer> pharmacies = new ArrayList<>();
  public final List<Customer> shoppers = new ArrayList<>();
  public final Ledger ledger = new Ledger();

  /**
   * Sets up the makers, their batches and the customers through {@code api}; the checks are timed by
   * {@code clock}, the instance's ledger clock, and texts go to {@code shortCode} through {@code smsc}.
   */
  public Generator(Random random, Stack stack, Client api, TestSmsc smsc, String shortCode, TestClock clock,
      Instant boundary) {
    this.random = random;
    this.stack = stack;
    this.api = api;
    this.smsc = smsc;
    this.shortCode = shortCode;
    this.clock = clock;
    this.boundary = boundary;
    long[] prices = {7, 11, 13};
    for (int i = 0; i < 3; i++) {
      String name = "maker " + (char) ('A' + i);
      Maker m = new Maker(name, stack.manufacturer(api, prices[i]), prices[i]);
      long product = stack.product(api, m.account, "Product of " + name);
      batch(m, product, Kind.ACTIVE, 30);
      makers.add(m);
    }
    Maker a = makers.get(0);
    Maker b = makers.get(1);
    Maker c = makers.get(2);
    batch(a, stack.product(api, a.account, "Not yet released"), Kind.DRAFT, 2);
    batch(b, stack.product(api, b.account, "Long expired"), Kind.EXPIRED, 2);
    batch(b, stack.product(api, b.account, "Expires at the boundary"), Kind.EXPIRES_AT_BOUNDARY, 6);
    batch(c, stack.product(api, c.account, "Recalled"), Kind.RECALLED, 3);
    for (String region : List.of("Greater Accra", "Ashanti", "Lagos")) {
      Stack.Account p = stack.pharmacy(api, region);
      pharmacies.add(new Customer("pharmacy in " + region, HexFormat.of().formatHex(HMAC.pharmacy(p.id())), region,
          p, null, null));
    }
    String[][] phones = {
        {"+233244100001", "GH"}, {"+2348031000002", "NG"}, {"+254712100003", "KE"}, {"+233209100004", "GH"},
        {"+2348051000005", "NG"}, {"+254722100006", "KE"}, {"+233554100007", "GH"}, {"+2347061000008", "NG"}};
    for (int i = 0; i < phones.length; i++) {
      shoppers.add(new Customer("shopper " + phones[i][0], HexFormat.of().formatHex(HMAC.msisdn(phones[i][0])),
          phones[i][1], null, phones[i][0], i < makers.size() ? makers.get(i) : null));
    }
  }

  private void batch(Maker m, long product, Kind kind, int n) {
    List<String> texts = Stack.codes(n);
    String expiry = switch (kind) {
      case EXPIRED -> "2020-01-31";
      case EXPIRES_AT_BOUNDARY -> boundary.atOffset(ZoneOffset.UTC).toLocalDate().minusDays(1).toString();
      default -> "2099-12-31";
    };
    long id = stack.draftBatch(api, m.account, product, expiry, texts);
    if (kind != Kind.DRAFT) {
      assertThat(api.post("/v1/batches/" + id + "/activate", m.account.token(), null).status()).isEqualTo(200);
    }
    if (kind == Kind.RECALLED) {
      assertThat(api.post("/v1/batches/" + id + "/recall", m.account.token(), new JsonObject().put("reason", "test"))
          .status()).isEqualTo(200);
    }
    m.batches.add(id);
    texts.forEach(t -> m.codes.add(new Code(t, m, kind, id)));
  }

  public void run(int n) {
    for (int i = 0; i < n; i++) {
      step();
    }
  }

  /** Steps while {@code go} holds, at most {@code max}; returns how many. */
  public int runWhile(BooleanSupplier go, int max) {
    int n = 0;
    while (n < max && go.getAsBoolean()) {
      step();
      n++;
    }
    return n;
  }

  /** The shopper texts YES: their number is shown to the makers from then on. */
  public void optIn(Customer shopper) {
    assertThat(smsc.deliverMo(shopper.phone, shortCode, "YES")).isZero();
    shopper.replies.add("yes");
    shopper.optedIn = true;
  }

  /** What a shopper's phone shows, reduced to the answer it gives, as {@link Customer#replies} holds it. */
  public static String replyKind(String text) {
    if (text.startsWith("GENUINE")) {
      return text.contains("You first verified") ? "genuine" : "genuine first";
    }
    for (var kind : Map.of("ALREADY USED", "already_used", "NOT GENUINE", "fake", "NOT RELEASED", "inactive",
        "RECALLED", "recalled", "EXPIRED", "expired", "We could not read", "invalid", "Thank you", "yes").entrySet()) {
      if (text.startsWith(kind.getKey())) {
        return kind.getValue();
      }
    }
    return text;
  }

  /** One check, chosen at random: a fake, a typo, or a code of some maker by a pharmacy or a shopper. */
  private void step() {
    int roll = random.nextInt(100);
    boolean sms = random.nextInt(100) < 55;
    Customer who = sms ? pick(shoppers) : pick(pharmacies);
    String action = sms ? "check" : random.nextInt(100) < 65 ? "dispense" : "verify";
    if (roll < 10) {
      send(who, action, null, String.format("%016d", random.nextLong(1_000_000_000_000_000L, 10_000_000_000_000_000L)));
    } else if (roll < 14) {
      send(who, action, null, String.valueOf(1000 + typos++)); // too short to be a code; a new text each time
    } else {
      Maker m = who.loyalTo != null ? who.loyalTo : pick(makers);
      Code code = code(m, who, roll);
      send(who, action, code, code.text);
    }
  }

  private Code code(Maker m, Customer who, int roll) {
    List<Code> usable = m.codes.stream().filter(c -> who.phone == null || c.texts.getOrDefault(who, 0) < VARIANTS)
        .toList();
    List<Code> special = usable.stream().filter(c -> c.kind != Kind.ACTIVE).toList();
    List<Code> touched = usable.stream().filter(c -> c.kind == Kind.ACTIVE && !c.customers.isEmpty()).toList();
    List<Code> fresh = usable.stream().filter(c -> c.kind == Kind.ACTIVE && c.customers.isEmpty()).toList();
    if (roll < 24 && !special.isEmpty()) {
      return pick(special);
    }
    if ((roll < 60 || fresh.isEmpty()) && !touched.isEmpty()) {
      return pick(touched);
    }
    return pick(fresh);
  }

  /** The n-th way a shopper writes a code (each text from a phone is claimed once a day). */
  private static String variant(String code, int n) {
    String dashed = code.replaceAll("(.{4})(?!$)", "$1-");
    return switch (n) {
      case 0 -> code;
      case 1 -> "CHECK " + code;
      case 2 -> "VERIFY " + code;
      case 3 -> dashed;
      case 4 -> "check " + dashed;
      default -> code.replaceAll("(.{4})(?!$)", "$1 ");
    };
  }

  /** Sends one check, predicts its answer, checks what can be checked at once, and records it. */
  private void send(Customer who, String action, Code code, String text) {
    Instant sent = clock.instant();
    String outcome = code == null && text.length() < 6 ? "invalid" : predict(code, who, action, sent);
    boolean first = "genuine".equals(outcome) && code.state != 2 && (code.state == 0 || action.equals("check"))
        && !action.equals("verify");
    if (who.phone != null) {
      int n = code == null ? 0 : code.texts.merge(who, 1, Integer::sum) - 1;
      assertThat(smsc.deliverMo(who.phone, shortCode, code == null ? text : variant(text, n)))
          .as("deliver_sm_resp").isZero();
      who.replies.add(first ? "genuine first" : outcome);
    } else {
      Client.Response r = api.post("/v1/verifications", who.account.token(),
          new JsonObject().put("code", text).put("action", action));
      if (outcome.equals("invalid")) {
        assertThat(r.status()).as("a typo by " + who.name).isEqualTo(422);
      } else {
        assertThat(r.status()).as(action + " by " + who.name).isEqualTo(200);
        assertThat(r.json().getString("outcome") + " " + r.json().getBoolean("firstCheck"))
            .as(action + " of a " + (code == null ? "fake" : code.kind + " code in state " + code.state) + " by " + who.name)
            .isEqualTo(outcome + " " + first);
      }
    }
    if (outcome.equals("invalid")) {
      return;
    }
    Maker maker = code == null ? null : code.maker;
    ledger.add(new Check(sent, maker, who, who.channel(), action, outcome, first, maker == null ? 0 : maker.price,
        code));
    if (code != null) {
      code.customers.add(who);
      code.alreadyUsed |= outcome.equals("already_used");
      code.clonedWhenUsed |= outcome.equals("already_used") && code.customers.size() >= 3;
      if (first) {
        code.state = action.equals("dispense") ? 1 : 2;
        code.holder = who;
      }
    }
  }

  /** The answer PackCheck owes, from the generator's model of the code. */
  private String predict(Code code, Customer who, String action, Instant at) {
    if (code == null) {
      return "fake";
    }
    switch (code.kind) {
      case DRAFT:
        return "inactive";
      case RECALLED:
        return "recalled";
      case EXPIRED:
        return "expired";
      case EXPIRES_AT_BOUNDARY:
        if (!at.isBefore(boundary)) {
          return "expired";
        }
        break;
      default:
        break;
    }
    return switch (code.state) {
      case 0 -> "genuine";
      case 1 -> action.equals("check") || code.holder == who ? "genuine" : "already_used";
      default -> action.equals("check") && code.holder == who ? "genuine" : "already_used";
    };
  }

  private <T> T pick(List<T> list) {
    return list.get(random.nextInt(list.size()));
  }
}
