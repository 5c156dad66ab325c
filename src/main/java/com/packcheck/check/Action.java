package com.packcheck.check;

import java.util.Locale;

/** What a check asks for: a read-only verify, a pharmacy's dispense, a shopper's check. */
public enum Action {
  VERIFY, DISPENSE, CHECK;

  private final String wire = name().toLowerCase(Locale.ROOT);

  public String wire() {
    return wire;
  }

  public boolean changesState() {
    return this != VERIFY;
  }
}
