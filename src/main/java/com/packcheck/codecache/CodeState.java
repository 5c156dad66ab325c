package com.packcheck.codecache;

/**
 * A code's committed state, as PostgreSQL holds it ({@code codes.state} 0, 1, 2) and as Redis spells it
 * (one letter). States only move forward, in this order.
 */
public enum CodeState {
  ACTIVE('A'),
  DISPENSED('D'),
  CONSUMED('C');

  private static final CodeState[] BY_NUMBER = values();
  final byte letter;

  CodeState(char letter) {
    this.letter = (byte) letter;
  }

  /** From {@code codes.state}. */
  public static CodeState ofNumber(int state) {
    return BY_NUMBER[state];
  }
}
