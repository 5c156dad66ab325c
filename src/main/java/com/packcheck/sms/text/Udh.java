package com.packcheck.sms.text;

import java.util.Arrays;

/** Reads the User Data Header of an MO sent with UDHI set: concatenation, or a clear refusal. */
public final class Udh {
  static final byte IEI_CONCAT_8 = 0x00;
  static final byte IEI_CONCAT_16 = 0x08;

  /** What the header said. */
  public sealed interface Parsed permits Part, Whole, Bad {
  }

  /** One part of a concatenated message; {@code reference} is 0–255 or 0–65535 by the IEI. */
  public record Part(int reference, int total, int sequence, byte[] payload) implements Parsed {
  }

  /** A header without concatenation (ports, for instance): the payload is the whole message. */
  public record Whole(byte[] payload) implements Parsed {
  }

  /** A header that cannot be right; the MO is unreadable. */
  public record Bad(String reason) implements Parsed {
  }

  private Udh() {
  }

  public static Parsed parse(byte[] shortMessage) {
    if (shortMessage == null || shortMessage.length == 0) {
      return new Bad("no header length");
    }
    int headerEnd = 1 + (shortMessage[0] & 0xFF);
    if (headerEnd > shortMessage.length) {
      return new Bad("header length " + (headerEnd - 1) + " runs past the " + shortMessage.length + " octets");
    }
    byte[] payload = Arrays.copyOfRange(shortMessage, headerEnd, shortMessage.length);
    Parsed found = new Whole(payload);
    for (int i = 1; i < headerEnd; ) {
      if (i + 1 >= headerEnd) {
        return new Bad("element at " + i + " has no length");
      }
      int iei = shortMessage[i];
      int length = shortMessage[i + 1] & 0xFF;
      int data = i + 2;
      if (data + length > headerEnd) {
        return new Bad("element " + iei + " runs past the header");
      }
      if (iei == IEI_CONCAT_8 || iei == IEI_CONCAT_16) {
        Parsed part = concat(shortMessage, data, length, iei == IEI_CONCAT_16, payload);
        if (part instanceof Bad) {
          return part;
        }
        found = part;
      }
      i = data + length;
    }
    return found;
  }

  private static Parsed concat(byte[] m, int at, int length, boolean wide, byte[] payload) {
    int refLength = wide ? 2 : 1;
    if (length != refLength + 2) {
      return new Bad("concatenation element of length " + length);
    }
    int reference = wide ? (m[at] & 0xFF) << 8 | (m[at + 1] & 0xFF) : m[at] & 0xFF;
    int total = m[at + refLength] & 0xFF;
    int sequence = m[at + refLength + 1] & 0xFF;
    if (total == 0) {
      return new Bad("total of 0 parts");
    }
    if (sequence == 0 || sequence > total) {
      return new Bad("part " + sequence + " of " + total);
    }
    return new Part(reference, total, sequence, payload);
  }
}
