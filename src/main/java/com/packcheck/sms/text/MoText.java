package com.packcheck.sms.text;

import java.util.Optional;

/**
 * What a shopper's SMS asks for. Languages are "en" or "fr": the keyword's language, or the
 * parser's default for the universal English keywords and for a bare code.
 */
public sealed interface MoText {

  /** Check a code; {@code code} is the raw text after any keyword, for CodeNormalizer. */
  record Check(String code, String language) implements MoText {
  }

  record Help(String language) implements MoText {
  }

  record Stop(String language) implements MoText {
  }

  record Yes(String language) implements MoText {
  }

  /** A report of a suspect pack, with whatever followed the keyword (a reference, if the shopper gave one). */
  record Report(Optional<String> reference, String language) implements MoText {
  }

  /** Nothing left after cleaning. */
  record Empty() implements MoText {
  }

  /** Not worth reading: too long, or in a coding we do not read. */
  record Unreadable() implements MoText {
  }
}
