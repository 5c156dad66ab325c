package com.packcheck.sms.text;

import java.util.Optional;

/** Who sent an MO, as far as replying and keying the customer go. */
public sealed interface Sender {

  /** A phone number in E.164 ({@code +233244123456}): reply to it, key the customer by it. */
  record Phone(String e164) implements Sender {
  }

  /** A name such as "PHARMA": nobody can receive a reply there, so none is sent. */
  record Alphanumeric(String name) implements Sender {
  }

  /** Not a usable number. */
  record Unusable() implements Sender {
  }

  default Optional<String> phone() {
    return this instanceof Phone p ? Optional.of(p.e164()) : Optional.empty();
  }
}
