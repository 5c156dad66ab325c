package com.packcheck.sms.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Sender numbers")
class PhoneNumbersTest {

  @ParameterizedTest(name = "\"{0}\" TON {1} in {2} → {3}")
  @CsvSource(delimiter = '|', value = {
      "0244123456     | 2 | GH | +233244123456",
      "0244123456     | 0 | GH | +233244123456",
      "233244123456   | 1 | GH | +233244123456",
      "233244123456   | 0 | GH | +233244123456",
      "+233244123456  | 1 | GH | +233244123456",
      "+33612345678   | 0 | GH | +33612345678",
      "+33612345678   | 1 | CI | +33612345678",
      "0612345678     | 2 | FR | +33612345678",
      "00233244123456 | 0 | GH | +233244123456"})
  @DisplayName("national and international numbers become E.164")
  void e164(String address, int ton, String region, String expected) {
    assertThat(PhoneNumbers.normalize(address, ton, region)).isEqualTo(new Sender.Phone(expected));
    assertThat(PhoneNumbers.normalize(address, ton, region).phone()).contains(expected);
  }

  @Test
  @DisplayName("alphanumeric senders get no reply, by TON or by letters")
  void alphanumeric() {
    assertThat(PhoneNumbers.normalize("PHARMA", 5, "GH")).isEqualTo(new Sender.Alphanumeric("PHARMA"));
    assertThat(PhoneNumbers.normalize("PHARMA", 0, "GH")).isEqualTo(new Sender.Alphanumeric("PHARMA"));
    assertThat(PhoneNumbers.normalize("12345", 5, "GH")).isInstanceOf(Sender.Alphanumeric.class);
    assertThat(PhoneNumbers.normalize("PHARMA", 5, "GH").phone()).isEmpty();
  }

  @ParameterizedTest(name = "\"{0}\" TON {1}")
  @CsvSource(delimiter = '|', value = {"12 | 0", "+ | 1", "'' | 0", "'   ' | 2", "000000000000000000000000000000000000 | 0",
      "*#06# | 0", "0244123456 | 2"})
  @DisplayName("garbage is not a number")
  void garbage(String address, int ton) {
    String region = address.equals("0244123456") ? null : "GH";
    assertThat(PhoneNumbers.normalize(address, ton, region)).isEqualTo(new Sender.Unusable());
  }

  @Test
  @DisplayName("null is not a number")
  void nullAddress() {
    assertThat(PhoneNumbers.normalize(null, 0, "GH").phone()).isEmpty();
  }

  @Test
  @DisplayName("masks keep the country code and the last two digits")
  void mask() {
    assertThat(PhoneNumbers.mask("+233244123456")).isEqualTo("+23324*****56");
    assertThat(PhoneNumbers.mask("+33612345678")).isEqualTo("+3361*****78");
    assertThat(PhoneNumbers.mask("+4412")).isEqualTo("+4***");
  }
}
