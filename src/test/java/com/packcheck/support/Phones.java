package com.packcheck.support;

import static org.awaitility.Awaitility.await;

import com.packcheck.sms.text.DefaultAlphabet;
import com.packcheck.sms.text.EncodedReply;
import com.packcheck.sms.text.SmsCharset;
import com.packcheck.sms.text.Udh;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** What shoppers' phones received from PackCheck through a {@link TestSmsc}, decoded as a handset would. */
public final class Phones {
  private static final SmsCharset GSM = new SmsCharset(DefaultAlphabet.GSM7);

  private Phones() {
  }

  /** Numbered, not drawn: two shoppers of one run never share a number. */
  private static final AtomicInteger NUMBERS = new AtomicInteger(1_000_000);

  /** A fresh Ghanaian mobile number, so tests never share a customer. */
  public static String newNumber() {
    return "+23324" + NUMBERS.incrementAndGet();
  }

  /** Every reply to {@code e164} the SMSC took so far, concatenated parts joined, in order. */
  public static List<String> replies(TestSmsc smsc, String e164) {
    String digits = e164.replace("+", "");
    List<String> texts = new ArrayList<>();
    StringBuilder pending = new StringBuilder();
    for (TestSmsc.Submit s : smsc.submits()) {
      if (!s.taken() || !s.to().replace("+", "").equals(digits)) {
        continue;
      }
      byte[] body = s.shortMessage();
      if ((s.esmClass() & EncodedReply.ESM_UDHI) != 0 && Udh.parse(body) instanceof Udh.Part p) {
        pending.append(GSM.decode(s.dataCoding(), p.payload()).orElseThrow());
        if (p.sequence() == p.total()) {
          texts.add(pending.toString());
          pending.setLength(0);
        }
      } else {
        texts.add(GSM.decode(s.dataCoding(), body).orElseThrow());
      }
    }
    return texts;
  }

  /** Waits for the {@code n}th reply (1-based) to {@code e164}. */
  public static String awaitReply(TestSmsc smsc, String e164, int n) {
    return awaitReply(smsc, e164, n, Duration.ofSeconds(15));
  }

  /** Waits up to {@code atMost} for the {@code n}th reply (1-based) to {@code e164}, for replies slower than an answer. */
  public static String awaitReply(TestSmsc smsc, String e164, int n, Duration atMost) {
    return await("reply #" + n + " to " + e164).atMost(atMost).pollInterval(Duration.ofMillis(20))
        .until(() -> replies(smsc, e164), texts -> texts.size() >= n).get(n - 1);
  }
}
