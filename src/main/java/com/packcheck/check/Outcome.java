package com.packcheck.check;

import java.util.Locale;

/** The answers PackCheck gives, in the order of precedence of docs/design.md, "Outcome order". */
public enum Outcome {
  INVALID, FAKE, INACTIVE, RECALLED, EXPIRED, GENUINE, ALREADY_USED;

  private final String wire = name().toLowerCase(Locale.ROOT);

  public String wire() {
    return wire;
  }

  public static Outcome fromWire(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }
}
