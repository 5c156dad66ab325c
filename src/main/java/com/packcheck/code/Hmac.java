package com.packcheck.code;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA-256 under the code secret: how codes, customers and phone numbers are keyed, so that a
 * dump of the stores reveals none of them. One {@link Mac} per thread, never one per request.
 */
public final class Hmac {
  private final ThreadLocal<Mac> macs;

  public Hmac(byte[] secret) {
    SecretKeySpec key = new SecretKeySpec(secret.clone(), "HmacSHA256");
    this.macs = ThreadLocal.withInitial(() -> {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(key);
        return mac;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 unavailable", e);
      }
    });
  }

  /** The keyed hash of a normalized code. */
  public byte[] code(String normalized) {
    return hash("code:", normalized);
  }

  /** The customer id of a pharmacy. */
  public byte[] pharmacy(long pharmacyId) {
    return hash("pharmacy:", Long.toString(pharmacyId));
  }

  /** The customer id of a phone number (E.164): the same customer however often and wherever it texts. */
  public byte[] msisdn(String e164) {
    return hash("msisdn:", e164);
  }

  /** A keyed digest of anything that holds a code or a number, e.g. an MO's text with its sender. */
  public byte[] digest(String domain, String value) {
    return hash(domain + ":", value);
  }

  /** A value that tells whether two processes run with the same secret, without revealing it. */
  public String fingerprint() {
    return java.util.HexFormat.of().formatHex(hash("fingerprint:", "packcheck"));
  }

  private byte[] hash(String domain, String value) {
    Mac mac = macs.get();
    mac.update(domain.getBytes(StandardCharsets.US_ASCII));
    return mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
  }
}
