package com.packcheck.support;

import com.packcheck.sms.text.DefaultAlphabet;
import com.packcheck.sms.text.EncodedReply;
import com.packcheck.sms.text.SmsCharset;
import com.packcheck.sms.text.Udh;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** What shoppers' phones received from PackCheck through a {@link TestSmsc}, decoded as a handset would. */
public final class Phones {
  private static final SmsCharset GSM = new SmsCharset(DefaultAlphabet.GSM7);

  private Phones() {
  }

  /** A fresh Ghanaian mobile number, so tests never share a customer. */
  public static String newNumber() {
    return "+23324" + (1_000_000 + ThreadLocalRandom.current().nextInt(8_999_999));
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
  public static String awaitReply(TestSmsc smsc, String e164, int n) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < deadline) {
      List<String> texts = replies(smsc, e164);
      if (texts.size() >= n) {
        return texts.get(n - 1);
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no reply #" + n + " to " + e164 + " within 15 s; got " + replies(smsc, e164));
  }
}
