package com.packcheck.check.group;

import java.util.function.Predicate;

/** Which queued requests may share the next group; a request left out waits, first in line, for a later one. */
public interface Grouping<R> {
  /** A fresh rule for one group: true admits the request into it. */
  Predicate<R> next();

  /** Every request may share a group with any other. */
  static <R> Grouping<R> any() {
    return () -> r -> true;
  }
}
