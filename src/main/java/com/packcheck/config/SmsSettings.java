package com.packcheck.config;

import com.packcheck.sms.smpp.SmscConfig;
import com.packcheck.sms.text.DefaultAlphabet;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The SMS channel's settings: the SMSCs to bind to (one from {@code PACKCHECK_SMPP_*}, or several
 * from the file {@code PACKCHECK_SMPP_CONFIG}), and how MOs are handled. No SMSC: no SMS channel.
 *
 * @param binds          transceiver binds per SMSC
 * @param budget         how long an MO may take to be committed before ESME_RX_T_APPN asks for redelivery
 * @param maxBadPerHour  malformed or fake checks a sender may make in an hour before its checks stop
 * @param language       the reply language when the MO names none ({@code en}, {@code fr})
 * @param redeliveryWindow how soon after its reply went out the same MO again is taken for the SMSC
 *                       redelivering it (left unanswered) rather than the shopper sending it again
 *                       (answered again). An SMSC redelivers an MO whose deliver_sm_resp it missed or
 *                       that got ESME_RX_T_APPN within seconds to a minute; a shopper sends again when
 *                       no reply came, rarely sooner than that.
 */
public record SmsSettings(List<SmscConfig> smscs, int binds, Duration budget, int maxBadPerHour, String language,
    Duration redeliveryWindow) {

  public boolean enabled() {
    return !smscs.isEmpty();
  }

  static SmsSettings from(Map<String, String> env) {
    String file = env.get("PACKCHECK_SMPP_CONFIG");
    List<SmscConfig> smscs = new ArrayList<>();
    if (file != null && !file.isBlank()) {
      smscs.addAll(fromFile(Path.of(file.trim())));
    } else if (env.get("PACKCHECK_SMPP_HOST") != null && !env.get("PACKCHECK_SMPP_HOST").isBlank()) {
      smscs.add(smsc("default", name -> env.get("PACKCHECK_SMPP_" + name.toUpperCase(Locale.ROOT))));
    }
    return new SmsSettings(List.copyOf(smscs),
        number(env.get("PACKCHECK_SMPP_BINDS"), "PACKCHECK_SMPP_BINDS", 1),
        Duration.ofMillis(number(env.get("PACKCHECK_SMPP_BUDGET_MS"), "PACKCHECK_SMPP_BUDGET_MS", 2000)),
        number(env.get("PACKCHECK_SMS_MAX_BAD_PER_HOUR"), "PACKCHECK_SMS_MAX_BAD_PER_HOUR", 5),
        env.getOrDefault("PACKCHECK_SMS_LANGUAGE", "en").trim().toLowerCase(Locale.ROOT),
        Duration.ofMillis(notNegative(number(env.get("PACKCHECK_SMS_REDELIVERY_WINDOW_MS"),
            "PACKCHECK_SMS_REDELIVERY_WINDOW_MS", 60_000), "PACKCHECK_SMS_REDELIVERY_WINDOW_MS")));
  }

  /** {@code smsc.<name>.<setting> = value}: host, port, system_id, password, short_code, ... */
  private static List<SmscConfig> fromFile(Path path) {
    Properties props = new Properties();
    try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      props.load(in);
    } catch (IOException e) {
      throw new IllegalArgumentException("PACKCHECK_SMPP_CONFIG: cannot read " + path + ": " + e.getMessage());
    }
    TreeSet<String> names = new TreeSet<>();
    for (String key : props.stringPropertyNames()) {
      String[] parts = key.split("\\.");
      if (parts.length != 3 || !parts[0].equals("smsc")) {
        throw new IllegalArgumentException("PACKCHECK_SMPP_CONFIG: '" + key + "' is not smsc.<name>.<setting>");
      }
      names.add(parts[1]);
    }
    List<SmscConfig> smscs = new ArrayList<>();
    for (String name : names) {
      smscs.add(smsc(name, setting -> props.getProperty("smsc." + name + "." + setting)));
    }
    return smscs;
  }

  private static SmscConfig smsc(String name, Function<String, String> setting) {
    String where = "SMSC " + name + ": ";
    SmscConfig base = SmscConfig.of(name, required(setting, "host", where),
        number(setting.apply("port"), where + "port", 2775),
        atMost(required(setting, "system_id", where), 15, where + "system_id"),
        atMost(required(setting, "password", where), 8, where + "password"), required(setting, "short_code", where),
        orDefault(setting.apply("country"), "GH").toUpperCase(Locale.ROOT));
    return new SmscConfig(name, base.host(), base.port(), base.systemId(), base.password(),
        atMost(orDefault(setting.apply("system_type"), ""), 12, where + "system_type"), base.shortCode(),
        number(setting.apply("max_tps"), where + "max_tps", base.maxTps()), base.country(),
        (byte) number(setting.apply("source_ton"), where + "source_ton", base.sourceTon()),
        (byte) number(setting.apply("source_npi"), where + "source_npi", base.sourceNpi()),
        alphabet(setting.apply("alphabet"), where), number(setting.apply("window"), where + "window", base.window()),
        base.enquireLinkInterval(), base.responseTimeout(), base.reconnectMin(), base.reconnectMax());
  }

  private static DefaultAlphabet alphabet(String value, String where) {
    try {
      return value == null || value.isBlank() ? DefaultAlphabet.GSM7
          : DefaultAlphabet.valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + "alphabet must be GSM7, LATIN1 or ASCII, got '" + value + "'");
    }
  }

  private static String required(Function<String, String> setting, String name, String where) {
    String value = setting.apply(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(where + name + " is required");
    }
    return value.trim();
  }

  /**
   * SMPP 3.4's C-Octet String limits (the terminating NUL included in the spec's 16, 9 and 13): jSMPP
   * refuses a longer value at every bind, with the value in its message. Refused here, without it.
   */
  private static String atMost(String value, int characters, String name) {
    if (value.length() > characters) {
      throw new IllegalArgumentException(name + " is " + value.length() + " characters; SMPP 3.4 allows at most "
          + characters);
    }
    return value;
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value.trim();
  }

  private static int notNegative(int value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must not be negative, got " + value);
    }
    return value;
  }

  private static int number(String value, String name, int fallback) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, got '" + value + "'");
    }
  }
}
