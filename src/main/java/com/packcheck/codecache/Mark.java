package com.packcheck.codecache;

/**
 * What Redis told a check before PostgreSQL decides it. Only PostgreSQL's answer is ever given: a mark
 * decides how PostgreSQL reads the code (locked or not) and whether the committed state must be
 * written back.
 */
public enum Mark {
  /** Marked pending for this request (or a replay of it): PostgreSQL locks and may change the code. */
  YOURS(null),
  /** Not in Redis: a code PostgreSQL may not hold either (a fake), or one Redis has not loaded yet. */
  MISS(null),
  /** Pending for another request, or Redis failed or was slow: PostgreSQL decides alone. */
  ASK_POSTGRES(null),
  /** Settled in a state the change cannot leave (or any state, for a verify): nothing to lock. */
  ACTIVE(CodeState.ACTIVE),
  DISPENSED(CodeState.DISPENSED),
  CONSUMED(CodeState.CONSUMED),
  /** A verify, which changes nothing: Redis is not asked. */
  NOT_ASKED(null);

  private final CodeState settled;

  Mark(CodeState settled) {
    this.settled = settled;
  }

  /** The settled state Redis holds, or null when it holds none for this check. */
  public CodeState settled() {
    return settled;
  }

  /** From the check-and-mark script's one-letter reply. */
  static Mark ofReply(byte reply) {
    return switch (reply) {
      case 'Y' -> YOURS;
      case 'M' -> MISS;
      case 'Q' -> ASK_POSTGRES;
      case 'A' -> ACTIVE;
      case 'D' -> DISPENSED;
      case 'C' -> CONSUMED;
      default -> throw new IllegalArgumentException("not a check-and-mark reply: " + (char) reply);
    };
  }
}
