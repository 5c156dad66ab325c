package com.packcheck.sms.smpp;

/** How one submit_sm ended; only {@link Unknown} forbids sending the message again. */
public sealed interface SubmitOutcome {

  int THROTTLED = 0x58;
  int QUEUE_FULL = 0x14;

  /** The SMSC took it; a delivery receipt will name {@code messageId}. */
  record Accepted(String messageId) implements SubmitOutcome {}

  /** The SMSC answered with an error status; 0x58 and 0x14 are worth retrying later. */
  record Rejected(int commandStatus) implements SubmitOutcome {
    public boolean throttled() {
      return commandStatus == THROTTLED;
    }

    public boolean queueFull() {
      return commandStatus == QUEUE_FULL;
    }
  }

  /** No answer in time: the SMSC may have it, so resending could text the shopper twice. */
  record Unknown(String reason) implements SubmitOutcome {}

  /** Never reached the SMSC (not bound, window full, invalid parameter). */
  record NotSent(String reason) implements SubmitOutcome {}
}
