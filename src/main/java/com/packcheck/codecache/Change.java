package com.packcheck.codecache;

/** The state change a check asks Redis to mark: a pharmacy's dispense, or a shopper's check. */
public enum Change {
  DISPENSE('d'),
  CONSUME('c');

  final byte letter;

  Change(char letter) {
    this.letter = (byte) letter;
  }
}
