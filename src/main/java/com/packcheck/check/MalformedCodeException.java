package com.packcheck.check;

/** The input cannot be a code of any released format: a typo, never "fake". */
public final class MalformedCodeException extends RuntimeException {
  public MalformedCodeException() {
    super("That code is not valid. Please re-check the code on the pack and try again.", null, false, false);
  }
}
