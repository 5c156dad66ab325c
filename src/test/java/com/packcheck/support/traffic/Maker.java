package com.packcheck.support.traffic;

import com.packcheck.support.Stack;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A manufacturer of the traffic, its price and the codes and batches it made. */
public final class Maker {
  public final String name;
  public final Stack.Account account;
  public final long price;
  public final List<Code> codes = new ArrayList<>();
  public final Set<Long> batches = new HashSet<>();

  Maker(String name, Stack.Account account, long price) {
    this.name = name;
    this.account = account;
    this.price = price;
  }
}
