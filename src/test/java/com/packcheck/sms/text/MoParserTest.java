package com.packcheck.sms.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("MO text parsing")
class MoParserTest {
  private final MoParser english = new MoParser("en");
  private final MoParser french = new MoParser("fr");

  @ParameterizedTest(name = "\"{0}\" checks {1} in {2}")
  @CsvSource(delimiter = '|', value = {
      "ABCD-1234-EFGH               | ABCD-1234-EFGH | en",
      "check ABCD 1234 EFGH         | ABCD 1234 EFGH | en",
      "CHECK: abcd1234              | abcd1234       | en",
      "Verify ABCD-1234             | ABCD-1234      | en",
      "FR ABCD-1234                 | ABCD-1234      | fr",
      "fr ABCD-1234                 | ABCD-1234      | fr",
      "EN ABCD-1234                 | ABCD-1234      | en",
      "VERIFIER ABCD-1234           | ABCD-1234      | fr",
      "vérifier ABCD-1234           | ABCD-1234      | fr",
      "VÉRIFIER ABCD-1234           | ABCD-1234      | fr",
      "FR CHECK ABCD-1234           | ABCD-1234      | fr"})
  @DisplayName("a code is checked after an optional keyword, in the keyword's language")
  void checks(String text, String code, String language) {
    assertThat(english.parse(text)).isEqualTo(new MoText.Check(code, language));
  }

  @Test
  @DisplayName("CHECK and VERIFY check in the SMSC's default language")
  void universalKeywordsUseTheDefaultLanguage() {
    assertThat(french.parse("CHECK 1234-5678")).isEqualTo(new MoText.Check("1234-5678", "fr"));
    assertThat(french.parse("verify 1234-5678")).isEqualTo(new MoText.Check("1234-5678", "fr"));
    assertThat(french.parse("EN 1234-5678")).isEqualTo(new MoText.Check("1234-5678", "en"));
    assertThat(french.parse("1234-5678")).isEqualTo(new MoText.Check("1234-5678", "fr"));
  }

  @Test
  @DisplayName("a code with spaces, tabs and odd spacing keeps its groups for the normalizer")
  void codeWithSpaces() {
    assertThat(english.parse("  abcd \t 1234\n\u00A0efgh  ")).isEqualTo(new MoText.Check("abcd 1234 efgh", "en"));
    assertThat(english.parse("AB\u200BCD-12\uFEFF34-\u0007EFGH")).isEqualTo(new MoText.Check("ABCD-1234-EFGH", "en"));
  }

  @ParameterizedTest(name = "\"{0}\" → {1}")
  @CsvSource(delimiter = '|', value = {
      "HELP     | en", "help     | en", "AIDE  | fr", "aide | fr", "FR | fr", "fr | fr", "EN | en",
      "CHECK    | en", "VERIFIER | fr", "FR HELP | fr"})
  @DisplayName("help keywords, a language keyword alone, and a check without a code ask for help")
  void help(String text, String language) {
    assertThat(english.parse(text)).isEqualTo(new MoText.Help(language));
  }

  @ParameterizedTest(name = "\"{0}\" → stop in {1}")
  @CsvSource(delimiter = '|', value = {"STOP | en", "stop | en", "Stop all | en", "ARRET | fr", "ARRÊT | fr",
      "arrêt | fr", "FR STOP | fr"})
  @DisplayName("stop keywords in both languages")
  void stop(String text, String language) {
    assertThat(english.parse(text)).isEqualTo(new MoText.Stop(language));
  }

  @ParameterizedTest(name = "\"{0}\" → yes in {1}")
  @CsvSource(delimiter = '|', value = {"YES | en", "yes | en", "OUI | fr", "Oui | fr"})
  @DisplayName("opt-in keywords in both languages")
  void yes(String text, String language) {
    assertThat(english.parse(text)).isEqualTo(new MoText.Yes(language));
  }

  @Test
  @DisplayName("reports carry what followed the keyword, if anything")
  void report() {
    assertThat(english.parse("REPORT 0A1B2C")).isEqualTo(new MoText.Report(Optional.of("0A1B2C"), "en"));
    assertThat(english.parse("report")).isEqualTo(new MoText.Report(Optional.empty(), "en"));
    assertThat(english.parse("SIGNALER 0A1B2C")).isEqualTo(new MoText.Report(Optional.of("0A1B2C"), "fr"));
    assertThat(french.parse("Report")).isEqualTo(new MoText.Report(Optional.empty(), "fr"));
  }

  @ParameterizedTest(name = "\"{0}\" is empty")
  @ValueSource(strings = {"", " ", "\t\n  ", "\u200B\u200D", "\u0000\u0007"})
  @DisplayName("nothing left after cleaning is empty")
  void empty(String text) {
    assertThat(english.parse(text)).isEqualTo(new MoText.Empty());
    assertThat(english.parse(null)).isEqualTo(new MoText.Empty());
  }

  @Test
  @DisplayName("an emoji is a code the normalizer will refuse, not a crash")
  void emoji() {
    assertThat(english.parse(" 😀 ")).isEqualTo(new MoText.Check("😀", "en"));
  }

  @Test
  @DisplayName("text over 1000 characters is unreadable; 1000 is still read")
  void tooLong() {
    assertThat(english.parse("A".repeat(1001))).isEqualTo(new MoText.Unreadable());
    assertThat(english.parse("A".repeat(1000))).isEqualTo(new MoText.Check("A".repeat(1000), "en"));
  }

  @Test
  @DisplayName("a keyword counts only as a whole leading word")
  void keywordPrefixIsNotAKeyword() {
    assertThat(english.parse("STOPPED1234")).isEqualTo(new MoText.Check("STOPPED1234", "en"));
    assertThat(english.parse("FR1234-5678")).isEqualTo(new MoText.Check("FR1234-5678", "en"));
  }
}
