package com.packcheck.code;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Small secrets at rest (phone numbers, webhook signing secrets): AES-256-GCM under a key derived from
 * the code secret for each purpose, a fresh nonce each time, so a dump of PostgreSQL shows neither the
 * text nor whether two rows hold the same one.
 */
public final class Sealer {
  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;

  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();
  /** A Cipher per thread: looking one up is costly, and a Cipher is not thread-safe. */
  private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(() -> {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM unavailable", e);
    }
  });

  /** Customers' phone numbers. */
  public static Sealer forPhoneNumbers(byte[] codeSecret) {
    return new Sealer(codeSecret, "packcheck:msisdn-encryption");
  }

  /** Manufacturers' webhook signing secrets: PackCheck must read them back to sign, so not a hash. */
  public static Sealer forWebhookSecrets(byte[] codeSecret) {
    return new Sealer(codeSecret, "packcheck:webhook-secret-encryption");
  }

  private Sealer(byte[] codeSecret, String purpose) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(codeSecret.clone(), "HmacSHA256"));
      key = new SecretKeySpec(mac.doFinal(purpose.getBytes(StandardCharsets.US_ASCII)), "AES");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  public byte[] encrypt(String text) {
    byte[] nonce = new byte[NONCE];
    random.nextBytes(nonce);
    try {
      Cipher cipher = ciphers.get();
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      byte[] sealed = cipher.doFinal(text.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.allocate(NONCE + sealed.length).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM unavailable", e);
    }
  }

  /** The text; fails if the bytes were not sealed under this secret for this purpose. */
  public String decrypt(byte[] sealed) {
    try {
      Cipher cipher = ciphers.get();
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE));
      return new String(cipher.doFinal(sealed, NONCE, sealed.length - NONCE), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not sealed under this code secret for this purpose", e);
    }
  }
}
