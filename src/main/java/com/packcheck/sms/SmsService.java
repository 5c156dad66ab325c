package com.packcheck.sms;

import com.packcheck.check.Answer;
import com.packcheck.check.MalformedCodeException;
import com.packcheck.check.Outcome;
import com.packcheck.code.Hmac;
import com.packcheck.code.Sealer;
import com.packcheck.codecache.HotCodes;
import com.packcheck.postgres.LedgerUnavailableException;
import com.packcheck.sms.smpp.InboundPdu;
import com.packcheck.sms.smpp.MoHandler;
import com.packcheck.sms.smpp.SmscConfig;
import com.packcheck.sms.text.MoParser;
import com.packcheck.sms.text.MoText;
import com.packcheck.sms.text.PhoneNumbers;
import com.packcheck.sms.text.Reply;
import com.packcheck.sms.text.ReplyValues;
import com.packcheck.sms.text.Sender;
import com.packcheck.sms.text.SmsCharset;
import com.packcheck.sms.text.Udh;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MO, from deliver_sm to the reply in the outbox: receipts are matched to replies, parts wait for
 * their message, senders become customers, codes are checked through the ledger, and only once the
 * check and its reply are committed is the MO acknowledged. Anything that cannot be committed within
 * the budget answers MoHandler.RETRY_LATER: the SMSC redelivers, and the redelivery finds the MO's claim and
 * replays its check by idempotency key, so it changes nothing and is billed once. The same MO once its
 * claim has a reply is answered with that reply again, unless the reply is still on its way or went out
 * within the redelivery window (then it is the SMSC redelivering, and that reply is the answer).
 *
 * <p>Runs on jSMPP's PDU-processor threads, which may block; never on an event loop.
 */
final class SmsService implements MoHandler {
  private static final Logger LOG = LoggerFactory.getLogger(SmsService.class);
  private static final Duration BAD_WINDOW = Duration.ofHours(1);
  private static final byte ESM_UDHI = 0x40;

  private final Map<String, SmscConfig> smscs;
  private final SmsStore store;
  private final SmsVerticle checks;
  private final Hmac hmac;
  private final Sealer cipher;
  private final HotCodes counters;
  private final ManufacturerTemplates templates;
  private final Duration budget;
  private final int maxBadPerHour;
  private final String language;
  private final Duration redeliveryWindow;
  /** Built once: what data_coding 0 means differs per SMSC. */
  private final Map<String, SmsCharset> charsets = new HashMap<>();
  private final MoParser parser;
  /** Looked up once, not in the registry at every check. */
  private final Map<Outcome, Counter> checked = new EnumMap<>(Outcome.class);
  /** MOs from phones by SMSC (each part of a concatenated one counted as it arrives; receipts apart). */
  private final Map<String, Counter> received = new HashMap<>();

  SmsService(Map<String, SmscConfig> smscs, SmsStore store, SmsVerticle checks, Hmac hmac, Sealer cipher,
      HotCodes counters, ManufacturerTemplates templates, Duration budget, int maxBadPerHour, String language,
      Duration redeliveryWindow, MeterRegistry metrics) {
    this.smscs = smscs;
    this.store = store;
    this.checks = checks;
    this.hmac = hmac;
    this.cipher = cipher;
    this.counters = counters;
    this.templates = templates;
    this.budget = budget;
    this.maxBadPerHour = maxBadPerHour;
    this.language = language;
    this.redeliveryWindow = redeliveryWindow;
    this.parser = new MoParser(language);
    smscs.forEach((name, smsc) -> {
      charsets.put(name, new SmsCharset(smsc.defaultAlphabet()));
      received.put(name, Counter.builder("packcheck.sms.mo").tag("smsc", name)
          .description("MOs from shoppers' phones").register(metrics));
    });
    for (Outcome o : Outcome.values()) {
      checked.put(o, metrics.counter("packcheck.checks", "channel", "sms", "outcome", o.wire()));
    }
  }

  @Override
  public int onMo(InboundPdu pdu) {
    long deadline = System.nanoTime() + budget.toNanos();
    try {
      if (pdu.isDeliveryReceipt()) {
        receipt(pdu, deadline);
        return MoHandler.OK;
      }
      SmscConfig smsc = smscs.get(pdu.smsc());
      Sender sender = PhoneNumbers.normalize(pdu.sourceAddress(), pdu.sourceTon(), smsc.country());
      if (!(sender instanceof Sender.Phone phone)) {
        // nobody to answer (an alphanumeric sender), and nobody to bill a check to
        LOG.debug("MO from a non-phone sender on {} ignored", pdu.smsc());
        return MoHandler.OK;
      }
      received.get(smsc.name()).increment();
      Optional<byte[]> whole = assemble(pdu, smsc, phone.e164(), deadline);
      if (whole.isEmpty()) {
        return MoHandler.OK;
      }
      Optional<String> text = charsets.get(smsc.name()).decode(pdu.dataCoding(), whole.get());
      MoText command = text.map(parser::parse).orElse(new MoText.Unreadable());
      answer(smsc, pdu.destinationAddress(), phone.e164(), text.orElse(HexFormat.of().formatHex(whole.get())), command,
          deadline);
      return MoHandler.OK;
    } catch (TimeoutException | LedgerUnavailableException e) {
      LOG.atWarn().addKeyValue("channel", "sms").addKeyValue("smsc", pdu.smsc())
          .log("MO not committed within {} ms: asking the SMSC to redeliver", budget.toMillis());
      return MoHandler.RETRY_LATER;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.atWarn().addKeyValue("channel", "sms").addKeyValue("smsc", pdu.smsc())
          .log("MO failed: {}; asking the SMSC to redeliver", e.toString());
      return MoHandler.RETRY_LATER;
    }
  }

  private void answer(SmscConfig smsc, String shortCode, String e164, String text, MoText command, long deadline)
      throws Exception {
    byte[] customer = hmac.msisdn(e164);
    byte[] sealed = cipher.encrypt(e164);
    byte[] dedupe = hmac.digest("mo", smsc.name() + '\n' + e164 + '\n' + text);
    SmsStore.Claim claim = await(store.claim(dedupe, customer, sealed, PhoneNumbers.region(e164)), deadline);
    byte[] claimKey = claimKey(dedupe, claim);
    if (!claim.fresh()) {
      SmsStore.Again again = await(store.replyAgain(claimKey, shortCode, redeliveryWindow), deadline);
      if (again.replied()) {
        LOG.debug("MO on {} claimed before: {}", smsc.name(),
            again.queued() ? "its reply sent again" : "its reply is on its way or just went out");
        return;
      }
      // claimed, never answered (its first handling ran out of budget): on as a redelivery
    }
    String language = languageOf(command);
    Reply kind;
    ReplyValues values = ReplyValues.NONE;
    Answer checked = null;
    if (command instanceof MoText.Check check) {
      if (overLimit(customer, deadline)) {
        if (!claim.fresh() || !toldTooMany(customer, deadline)) {
          return;
        }
        kind = Reply.TOO_MANY;
      } else {
        checked = check(check.code(), customer, dedupe, claim, deadline);
        kind = checked == null ? Reply.INVALID : Reply.of(checked);
        this.checked.get(checked == null ? Outcome.INVALID : checked.outcome()).increment();
        if (claim.fresh() && (checked == null || checked.outcome() == Outcome.FAKE)) {
          count(customer, deadline);
        }
      }
    } else if (command instanceof MoText.Help) {
      kind = Reply.HELP;
    } else if (command instanceof MoText.Stop || command instanceof MoText.Yes) {
      boolean in = command instanceof MoText.Yes;
      await(store.optIn(customer, in), deadline);
      kind = in ? Reply.YES : Reply.STOP;
    } else if (command instanceof MoText.Report report) {
      if (claim.fresh()) {
        await(store.report(customer, report.reference().orElse(null)), deadline);
      }
      kind = Reply.REPORT;
      values = ReplyValues.ref(report.reference().orElse("-"));
    } else {
      kind = Reply.INVALID;
    }
    String body = checked != null ? templates.forManufacturer(checked.manufacturerId()).render(language, checked)
        : templates.forManufacturer(null).render(language, kind, values);
    await(store.enqueue(new SmsStore.Reply(claimKey, smsc.name(), shortCode, sealed, kind.key, body,
        language)), deadline);
  }

  /** The committed answer, or null for a malformed code (which consumes nothing). */
  private Answer check(String code, byte[] customer, byte[] dedupe, SmsStore.Claim claim, long deadline)
      throws Exception {
    String key = "mo:" + HexFormat.of().formatHex(dedupe, 0, 12) + ":" + claim.at().toInstant().toEpochMilli();
    CompletableFuture<Answer> answer = checks.check(code, customer, key);
    try {
      return answer.get(remaining(deadline), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof MalformedCodeException) {
        return null;
      }
      if (e.getCause() instanceof LedgerUnavailableException unavailable) {
        throw unavailable;
      }
      throw e;
    }
  }

  /** Past the limit of malformed and fake checks an hour, a sender's codes are no longer checked. */
  private boolean overLimit(byte[] customer, long deadline) throws Exception {
    try {
      return counters.peek(badKey(customer)).get(remaining(deadline), TimeUnit.NANOSECONDS) >= maxBadPerHour;
    } catch (ExecutionException e) {
      // Redis down: no limit rather than no service
      return false;
    }
  }

  /** Counts one more attempt past the limit; true only for the first, which alone gets a reply. */
  private boolean toldTooMany(byte[] customer, long deadline) throws Exception {
    return count(customer, deadline) == maxBadPerHour + 1;
  }

  private long count(byte[] customer, long deadline) throws Exception {
    try {
      return counters.count(badKey(customer), BAD_WINDOW).get(remaining(deadline), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      return 0;
    }
  }

  private static String badKey(byte[] customer) {
    return "bad:" + HexFormat.of().formatHex(customer, 0, 16);
  }

  /** The MO's bytes once whole: a single message at once, a concatenated one when its last part is in. */
  private Optional<byte[]> assemble(InboundPdu pdu, SmscConfig smsc, String e164, long deadline) throws Exception {
    byte[] message = pdu.body();
    int reference;
    int total;
    int seq;
    byte[] payload;
    if ((pdu.esmClass() & ESM_UDHI) != 0) {
      Udh.Parsed parsed = Udh.parse(message);
      if (parsed instanceof Udh.Whole w) {
        return Optional.of(w.payload());
      }
      if (!(parsed instanceof Udh.Part part)) {
        // a header we cannot read: answer what follows it as text, never fail the session
        return Optional.of(new byte[0]);
      }
      reference = part.reference();
      total = part.total();
      seq = part.sequence();
      payload = part.payload();
    } else if (pdu.sar() != null && pdu.sar().totalSegments() > 1) {
      reference = pdu.sar().refNum();
      total = pdu.sar().totalSegments();
      seq = pdu.sar().segmentSeqnum();
      payload = message;
    } else {
      return Optional.of(message);
    }
    if (total < 1 || seq < 1 || seq > total) {
      return Optional.of(new byte[0]);
    }
    byte[] partKey = hmac.digest("parts", smsc.name() + '\n' + e164 + '\n' + reference + '/' + total);
    Optional<List<byte[]>> parts = await(store.addPart(partKey, total, seq, payload), deadline);
    if (parts.isEmpty()) {
      return Optional.empty();
    }
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    parts.get().forEach(joined::writeBytes);
    await(store.dropParts(partKey), deadline);
    return Optional.of(joined.toByteArray());
  }

  private void receipt(InboundPdu pdu, long deadline) throws Exception {
    if (pdu.receiptedMessageId() == null) {
      return;
    }
    // message_state 2 is DELIVERED; any other final state is a failure
    boolean delivered = pdu.messageState() != null && pdu.messageState() == 2;
    await(store.receipt(pdu.smsc(), pdu.receiptedMessageId(), delivered,
        "receipt state " + pdu.messageState()), deadline);
  }

  private String languageOf(MoText command) {
    if (command instanceof MoText.Check c) {
      return c.language();
    } else if (command instanceof MoText.Help h) {
      return h.language();
    } else if (command instanceof MoText.Stop st) {
      return st.language();
    } else if (command instanceof MoText.Yes y) {
      return y.language();
    } else if (command instanceof MoText.Report r) {
      return r.language();
    }
    return language;
  }

  /** A claim's replies are keyed by it: the same MO again finds them. */
  private static byte[] claimKey(byte[] dedupe, SmsStore.Claim claim) {
    long at = claim.at().toInstant().toEpochMilli();
    byte[] key = java.util.Arrays.copyOf(dedupe, dedupe.length + 8);
    for (int i = 0; i < 8; i++) {
      key[dedupe.length + i] = (byte) (at >>> (56 - 8 * i));
    }
    return key;
  }

  private static <T> T await(Future<T> future, long deadline) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(remaining(deadline), TimeUnit.NANOSECONDS);
  }

  private static long remaining(long deadline) throws TimeoutException {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new TimeoutException("budget spent");
    }
    return left;
  }
}
