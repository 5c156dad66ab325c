package com.packcheck.sms.simulator;

import com.packcheck.sms.text.DefaultAlphabet;
import com.packcheck.sms.text.EncodedReply;
import com.packcheck.sms.text.ReplyEncoder;
import com.packcheck.sms.text.SmsCharset;
import com.packcheck.sms.text.Udh;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code java -jar packcheck.jar smsc}: an SMSC on this machine to try the SMS channel without an
 * operator. PackCheck binds to it; each line typed is an MO from a phone to the short code, and each
 * reply PackCheck submits is printed.
 */
public final class SmscCommand {
  private static final String USAGE = """
      usage: java -jar packcheck.jar smsc [--port 2775] [--system-id packcheck] [--password secret]
                                          [--short-code 1393] [--from +233244000001] [--tps 100]
                                          [--listen 127.0.0.1]
      Then type MOs, one a line: TEXT (from --from) or +NUMBER TEXT; an empty line or end of input stops.
      --listen another address (0.0.0.0 in a container stack) needs a --password other than the default.""";
  private static final String DEFAULT_PASSWORD = "secret";

  private SmscCommand() {
  }

  public static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err) {
    Map<String, String> opts = new HashMap<>(Map.of("--port", "2775", "--system-id", "packcheck",
        "--password", DEFAULT_PASSWORD, "--short-code", "1393", "--from", "+233244000001", "--tps", "100",
        "--listen", "127.0.0.1"));
    for (int i = 0; i < args.length; i += 2) {
      if (!opts.containsKey(args[i]) || i + 1 >= args.length) {
        err.println(USAGE);
        return 64;
      }
      opts.put(args[i], args[i + 1]);
    }
    InetAddress listen;
    try {
      listen = InetAddress.getByName(opts.get("--listen"));
    } catch (UnknownHostException e) {
      err.println("smsc: --listen " + opts.get("--listen") + " is not an address of this machine");
      return 64;
    }
    if (!listen.isLoopbackAddress() && opts.get("--password").equals(DEFAULT_PASSWORD)) {
      // a simulator with the default password has no business on a network
      err.println("smsc: --listen " + opts.get("--listen") + " needs a --password of your own");
      return 64;
    }
    SmsCharset charset = new SmsCharset(DefaultAlphabet.GSM7);
    try (SimulatedSmsc smsc = new SimulatedSmsc(listen, Integer.parseInt(opts.get("--port")), opts.get("--system-id"),
        opts.get("--password"), Integer.parseInt(opts.get("--tps")), 4,
        mt -> out.println("MT " + mt.from() + " → " + mt.to() + ": " + text(charset, mt)))) {
      out.printf("""
          SMSC simulator listening on %s:%d. Start PackCheck with:
            PACKCHECK_SMPP_HOST=127.0.0.1 PACKCHECK_SMPP_PORT=%d PACKCHECK_SMPP_SYSTEM_ID=%s \\
            PACKCHECK_SMPP_PASSWORD=%s PACKCHECK_SMPP_SHORT_CODE=%s PACKCHECK_SMPP_COUNTRY=GH java -jar target/packcheck.jar
          Then type MOs, one a line: TEXT (from %s) or +NUMBER TEXT.
          """, listen.getHostAddress(), smsc.port(), smsc.port(), opts.get("--system-id"), opts.get("--password"), opts.get("--short-code"),
          opts.get("--from"));
      BufferedReader in = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
      ReplyEncoder encoder = new ReplyEncoder(DefaultAlphabet.GSM7);
      String line;
      while ((line = in.readLine()) != null && !line.isBlank()) {
        String from = opts.get("--from");
        String text = line.strip();
        if (text.startsWith("+") && text.contains(" ")) {
          from = text.substring(0, text.indexOf(' '));
          text = text.substring(text.indexOf(' ') + 1);
        }
        if (!smsc.bound()) {
          out.println("(no PackCheck bound yet; start it as shown above)");
          continue;
        }
        // the phone's text as a handset would send it: GSM-7 if it can, else UCS-2, in one PDU
        EncodedReply mo = encoder.encode(text, 1);
        byte[] body = mo.parts().size() == 1 ? mo.parts().get(0) : ucs2(text);
        byte dc = mo.parts().size() == 1 ? mo.dataCoding() : (byte) SmsCharset.DC_UCS2;
        int status = smsc.deliver(from, opts.get("--short-code"), dc, (byte) 0, body);
        out.println("MO " + from + " → " + opts.get("--short-code") + ": " + text
            + (status == 0 ? "" : String.format(" (PackCheck answered 0x%02x: it will be redelivered)", status)));
      }
      return 0;
    } catch (Exception e) {
      err.println("smsc: " + e.getMessage());
      return 1;
    }
  }

  private static byte[] ucs2(String text) {
    return text.getBytes(StandardCharsets.UTF_16BE);
  }

  private static String text(SmsCharset charset, SimulatedSmsc.Mt mt) {
    byte[] body = mt.message();
    String part = "";
    if ((mt.esmClass() & EncodedReply.ESM_UDHI) != 0 && Udh.parse(body) instanceof Udh.Part p) {
      body = p.payload();
      part = " [part " + p.sequence() + "/" + p.total() + "]";
    }
    return charset.decode(mt.dataCoding(), body).orElse("(binary)") + part;
  }
}
