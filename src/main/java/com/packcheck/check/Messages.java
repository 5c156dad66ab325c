package com.packcheck.check;

import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The sentence a pharmacist reads for each answer: what it means and what to do next. */
public final class Messages {
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMMM uuuu", Locale.ENGLISH);

  private Messages() {
  }

  public static String forPharmacy(Answer a, Action action) {
    return switch (a.outcome()) {
      case GENUINE -> genuine(a, action);
      case ALREADY_USED -> "Already used: this code was first verified on " + day(a)
          + ". Do not dispense this pack: it may be counterfeit. Quote reference " + a.reference()
          + " when you report it to the manufacturer.";
      case FAKE -> "Not recognised: this code is not in the manufacturer's records. Do not dispense this pack;"
          + " report it to the manufacturer or regulator quoting reference " + a.reference() + ".";
      case INACTIVE -> product(a) + " has not been released by its manufacturer yet. Do not dispense it;"
          + " check again later or contact the manufacturer (reference " + a.reference() + ").";
      case RECALLED -> "Recalled: " + product(a) + " has been recalled by its manufacturer. Do not dispense it;"
          + " set the pack aside (reference " + a.reference() + ").";
      case EXPIRED -> "Expired: " + product(a) + " expired on " + a.expiry().format(DAY)
          + ". Do not dispense it (reference " + a.reference() + ").";
      case INVALID -> "That code is not valid. Please re-check the code on the pack and try again.";
    };
  }

  private static String genuine(Answer a, Action action) {
    String head = "Genuine: " + product(a) + ", expires " + a.expiry().format(DAY) + ". ";
    if (a.firstCheck()) {
      return head + "Recorded as dispensed by you (reference " + a.reference() + ").";
    }
    if (a.dispensedAt() != null) {
      return head + "You dispensed this pack on " + a.dispensedAt().format(DAY) + " (reference "
          + a.reference() + ").";
    }
    return head + (action == Action.VERIFY ? "Not dispensed yet" : "Checked") + " (reference " + a.reference() + ").";
  }

  private static String product(Answer a) {
    return a.productName() + " lot " + a.lot();
  }

  private static String day(Answer a) {
    return a.firstVerifiedAt() == null ? "an earlier date" : a.firstVerifiedAt().format(DAY);
  }
}
