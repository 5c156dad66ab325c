package com.packcheck.sms.smpp;

import com.packcheck.sms.text.DefaultAlphabet;
import java.time.Duration;
import java.util.Objects;

/**
 * One SMSC PackCheck binds to as a transceiver.
 *
 * @param name                short name in logs and on /ready
 * @param systemType          bind system_type; most SMSCs want it empty
 * @param shortCode           the number shoppers text; replies go out from the address an MO was sent to
 * @param maxTps              submit_sm a second the operator allows on this bind
 * @param country             ISO 3166 region that national sender numbers belong to (e.g. "FR")
 * @param sourceTon           source_addr_ton of MT messages (operators differ for short codes)
 * @param sourceNpi           source_addr_npi of MT messages
 * @param defaultAlphabet     what this SMSC means by data_coding 0
 * @param window              submit_sm (and deliver_sm the SMSC may send) in flight at once
 * @param enquireLinkInterval idle time after which an enquire_link checks the link
 * @param responseTimeout     how long a bind, submit_sm or unbind waits for its response
 * @param reconnectMin        first wait before a re-bind; SMSCs refuse a re-bind that comes too early
 * @param reconnectMax        the longest wait between re-binds while the SMSC stays down
 */
public record SmscConfig(
    String name,
    String host,
    int port,
    String systemId,
    String password,
    String systemType,
    String shortCode,
    int maxTps,
    String country,
    byte sourceTon,
    byte sourceNpi,
    DefaultAlphabet defaultAlphabet,
    int window,
    Duration enquireLinkInterval,
    Duration responseTimeout,
    Duration reconnectMin,
    Duration reconnectMax) {

  public SmscConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(systemId, "systemId");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(systemType, "systemType");
    Objects.requireNonNull(shortCode, "shortCode");
    Objects.requireNonNull(country, "country");
    Objects.requireNonNull(defaultAlphabet, "defaultAlphabet");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("SMSC " + name + ": port " + port + " is not a TCP port");
    }
    if (window < 1 || maxTps < 1) {
      throw new IllegalArgumentException("SMSC " + name + ": window and maxTps must be at least 1");
    }
    if (reconnectMin.isNegative() || reconnectMin.isZero() || reconnectMax.compareTo(reconnectMin) < 0) {
      throw new IllegalArgumentException("SMSC " + name + ": reconnect backoff needs 0 < min <= max");
    }
    if (enquireLinkInterval.toMillis() < 1 || responseTimeout.toMillis() < 1) {
      throw new IllegalArgumentException("SMSC " + name + ": timers must be at least 1 ms");
    }
  }

  /**
   * An SMSC with the usual settings: GSM-7 default alphabet, source TON/NPI unknown, window 50,
   * enquire_link every 30 s, 10 s response timeout, re-binds 1 s to 30 s apart.
   */
  public static SmscConfig of(String name, String host, int port, String systemId, String password,
      String shortCode, String country) {
    return new SmscConfig(name, host, port, systemId, password, "", shortCode, 10, country,
        (byte) 0, (byte) 0, DefaultAlphabet.GSM7, 50,
        Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(30));
  }

  public SmscConfig withPassword(String newPassword) {
    return new SmscConfig(name, host, port, systemId, newPassword, systemType, shortCode, maxTps, country,
        sourceTon, sourceNpi, defaultAlphabet, window, enquireLinkInterval, responseTimeout,
        reconnectMin, reconnectMax);
  }

  public SmscConfig withResponseTimeout(Duration timeout) {
    return new SmscConfig(name, host, port, systemId, password, systemType, shortCode, maxTps, country,
        sourceTon, sourceNpi, defaultAlphabet, window, enquireLinkInterval, timeout, reconnectMin, reconnectMax);
  }

  /** Never prints the password: configs end up in logs. */
  @Override
  public String toString() {
    return "SmscConfig[" + name + " " + systemId + "@" + host + ":" + port + " short code " + shortCode
        + ", window " + window + "]";
  }
}
