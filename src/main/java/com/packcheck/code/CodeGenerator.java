package com.packcheck.code;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Generated codes: 60 random bits as 12 Crockford symbols plus a {@link Damm32} check symbol, printed
 * {@code XXXX-XXXX-XXXX-X}. The bits are AES-CTR keystream under a random 256-bit seed (a CSPRNG), so
 * the same seed yields the same codes again: a batch's codes can be hashed in one pass and printed in
 * another without ever being held in memory or stored.
 */
public final class CodeGenerator {
  public static final int SYMBOLS = 13;
  /** A printed code and its line feed: {@code XXXX-XXXX-XXXX-X\n}. */
  public static final int PRINTED_LENGTH = 17;
  private static final int BLOCK_CODES = 4096;

  private final Cipher cipher;
  private final byte[] zeros = new byte[BLOCK_CODES * 8];
  private final byte[] stream = new byte[BLOCK_CODES * 8];
  private int next = BLOCK_CODES;
  private final char[] symbols = new char[SYMBOLS];

  /** {@code seed}: 32 bytes from a CSPRNG (16 of AES-128 key, 16 of counter). */
  public CodeGenerator(byte[] seed) {
    if (seed.length != 32) {
      throw new IllegalArgumentException("the seed is 32 bytes");
    }
    try {
      cipher = Cipher.getInstance("AES/CTR/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, 0, 16, "AES"), new IvParameterSpec(seed, 16, 16));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/CTR unavailable", e);
    }
  }

  /** The next code, normalized (13 symbols, no dashes). */
  public String next() {
    fillSymbols();
    return new String(symbols);
  }

  /** The next code as printed, with its line feed, into {@code out} at {@code at}. */
  public void nextPrinted(byte[] out, int at) {
    fillSymbols();
    int o = at;
    for (int i = 0; i < SYMBOLS; i++) {
      if (i > 0 && i % 4 == 0) {
        out[o++] = '-';
      }
      out[o++] = (byte) symbols[i];
    }
    out[o] = '\n';
  }

  private void fillSymbols() {
    if (next == BLOCK_CODES) {
      try {
        cipher.update(zeros, 0, zeros.length, stream, 0);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
      next = 0;
    }
    long bits = 0;
    for (int i = 0; i < 8; i++) {
      bits = bits << 8 | (stream[next * 8 + i] & 0xff);
    }
    next++;
    for (int i = SYMBOLS - 2; i >= 0; i--) {
      symbols[i] = Crockford.ALPHABET.charAt((int) (bits & 31));
      bits >>>= 5;
    }
    symbols[SYMBOLS - 1] = Damm32.checkSymbol(java.nio.CharBuffer.wrap(symbols, 0, SYMBOLS - 1));
  }
}
