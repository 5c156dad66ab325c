package com.packcheck.support.traffic;

import com.packcheck.support.Stack;
import java.util.ArrayList;
import java.util.List;

/** A pharmacy (by HTTP, {@link #account}) or a shopper (by SMS, {@link #phone}) of the traffic. */
public final class Customer {
  public final String name;
  /** The customer id the reports give, hex. */
  public final String id;
  public final String region;
  public final Stack.Account account;
  public final String phone;
  /** A shopper who checks only this maker's codes (null: any maker's). */
  final Maker loyalTo;
  /** The kind of each reply the shopper is owed, as {@link Generator#replyKind} reads a reply. */
  public final List<String> replies = new ArrayList<>();
  public boolean optedIn;

  Customer(String name, String id, String region, Stack.Account account, String phone, Maker loyalTo) {
    this.name = name;
    this.id = id;
    this.region = region;
    this.account = account;
    this.phone = phone;
    this.loyalTo = loyalTo;
  }

  public String channel() {
    return phone == null ? "http" : "sms";
  }

  public String kind() {
    return phone == null ? "pharmacy" : "msisdn";
  }
}
