package com.packcheck.sms.text;

import java.util.Locale;

/** A template placeholder, written {@code {product}} and so on. */
public enum Field {
  PRODUCT, LOT, EXPIRY, REF, DATE, DISPENSED;

  final String placeholder = "{" + name().toLowerCase(Locale.ROOT) + "}";
}
