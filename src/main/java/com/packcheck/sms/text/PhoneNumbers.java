package com.packcheck.sms.text;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.ArrayList;
import java.util.List;

/** Sender addresses (SMPP source_addr and its TON) to E.164 with libphonenumber, and masked for display. */
public final class PhoneNumbers {
  public static final int TON_UNKNOWN = 0;
  public static final int TON_INTERNATIONAL = 1;
  public static final int TON_NATIONAL = 2;
  public static final int TON_ALPHANUMERIC = 5;

  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
  private static final int MAX_ADDRESS = 32;

  private PhoneNumbers() {
  }

  /**
   * The country (ISO 3166 alpha-2) of an E.164 number, e.g. "GH"; null if unknown. Read from the
   * country calling code (prefix-free, 1 to 3 digits) without parsing the number again; a code shared
   * by several countries (+1, +7) names the main one.
   */
  public static String region(String e164) {
    for (int digits = 1; digits <= 3 && e164.length() > digits + 1; digits++) {
      try {
        String region = UTIL.getRegionCodeForCountryCode(Integer.parseInt(e164.substring(1, 1 + digits)));
        if (!"ZZ".equals(region)) {
          return region;
        }
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  /**
   * @param region the SMSC's country (ISO 3166 alpha-2, such as "GH"), for national numbers
   */
  public static Sender normalize(String address, int ton, String region) {
    if (address == null || address.isBlank() || address.length() > MAX_ADDRESS) {
      return new Sender.Unusable();
    }
    String a = address.strip();
    if (ton == TON_ALPHANUMERIC || a.chars().anyMatch(Character::isLetter)) {
      return new Sender.Alphanumeric(a);
    }
    // An SMSC that says "unknown" may still send the country code without '+': try both readings,
    // the national one first, and prefer a valid number to a merely possible one.
    List<PhoneNumber> readings = new ArrayList<>(2);
    if (ton != TON_INTERNATIONAL) {
      parse(a, region, readings);
    }
    if (ton != TON_NATIONAL) {
      parse(a.startsWith("+") ? a : "+" + a, null, readings);
    }
    PhoneNumber chosen = readings.stream().filter(UTIL::isValidNumber).findFirst()
        .or(() -> readings.stream().filter(UTIL::isPossibleNumber).findFirst())
        .orElse(null);
    return chosen == null ? new Sender.Unusable() : new Sender.Phone(UTIL.format(chosen, PhoneNumberFormat.E164));
  }

  private static void parse(String number, String region, List<PhoneNumber> into) {
    try {
      into.add(UTIL.parse(number, region));
    } catch (NumberParseException e) {
      // not this reading
    }
  }

  /** For people's eyes: country code and a little more, the last two digits, stars between ({@code +23324*****67}). */
  public static String mask(String e164) {
    String digits = e164.startsWith("+") ? e164.substring(1) : e164;
    int head = Math.max(0, Math.min(5, digits.length() / 2 - 1));
    int tail = digits.length() >= 6 ? 2 : 0;
    return "+" + digits.substring(0, head) + "*".repeat(digits.length() - head - tail)
        + digits.substring(digits.length() - tail);
  }
}
