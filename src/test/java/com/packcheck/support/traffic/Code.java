package com.packcheck.support.traffic;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** A code the generator uploaded, and its model of that code's state. */
public final class Code {
  public final String text;
  public final Maker maker;
  public final Kind kind;
  public final long batch;
  /** 0 active, 1 dispensed by {@link #holder}, 2 consumed by {@link #holder}: the generator's model. */
  int state;
  Customer holder;
  public final Set<Customer> customers = new HashSet<>();
  public boolean alreadyUsed;
  /** An "already used" answered when three or more customers had checked the code: a clone any scan sees. */
  public boolean clonedWhenUsed;
  /** The texts each shopper sent with this code: the SMSC's claims make a text from a phone count once a day. */
  final Map<Customer, Integer> texts = new HashMap<>();

  Code(String text, Maker maker, Kind kind, long batch) {
    this.text = text;
    this.maker = maker;
    this.kind = kind;
    this.batch = batch;
  }
}
