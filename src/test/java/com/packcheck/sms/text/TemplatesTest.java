package com.packcheck.sms.text;

import com.packcheck.codecache.CodeState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.packcheck.check.Answer;
import com.packcheck.check.Outcome;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("SMS reply templates")
class TemplatesTest {
  private static final Templates TEMPLATES = Templates.load();
  private static final String LONG_PRODUCT = "Amoxicilline/Acide clavulanique 1g/125mg";
  private static final String LONG_LOT = "LOT-2028-06-30-ABCDEF";
  private static final OffsetDateTime FIRST = OffsetDateTime.of(2028, 9, 30, 23, 30, 0, 0, ZoneOffset.ofHours(-1));
  private static final OffsetDateTime DISPENSED = OffsetDateTime.of(2028, 8, 12, 9, 0, 0, 0, ZoneOffset.UTC);
  private static final ReplyValues WORST = new ReplyValues(LONG_PRODUCT, LONG_LOT.substring(1),
      LocalDate.of(2028, 12, 31), "ZZZZZZZZ", FIRST, DISPENSED);

  @ParameterizedTest(name = "{0}")
  @EnumSource(Reply.class)
  @DisplayName("every reply in English and French is one GSM-7 SMS with long realistic values")
  void everyReplyFits(Reply reply) {
    assertThat(LONG_PRODUCT).hasSize(40);
    for (String language : Templates.LANGUAGES) {
      String text = TEMPLATES.render(language, reply, WORST);
      assertThat(Gsm7.length(text)).as("%s.%s: %s", language, reply.key, text).isBetween(1, 160);
      assertThat(text).doesNotContain("{", "}");
    }
  }

  @Test
  @DisplayName("a genuine first check names product, lot, expiry and reference")
  void genuineFirst() {
    Answer a = answer(Outcome.GENUINE, true, null, null);
    assertThat(TEMPLATES.render("en", a))
        .isEqualTo("GENUINE: Paracetamol 500mg lot L123, expires 30 Jun 2028. First check, recorded for you. Ref 0A1B2C");
    assertThat(TEMPLATES.render("fr", a)).startsWith("AUTHENTIQUE : Paracetamol 500mg lot L123, exp. 30 juin 2028.");
  }

  @Test
  @DisplayName("a genuine first check of a dispensed pack names the dispensing day, in UTC")
  void genuineDispensed() {
    Answer a = answer(Outcome.GENUINE, true, null, OffsetDateTime.of(2027, 12, 31, 23, 0, 0, 0, ZoneOffset.ofHours(-2)));
    assertThat(TEMPLATES.render("en", a)).contains("Dispensed by a pharmacy on 1 Jan 2028");
    assertThat(TEMPLATES.render("fr", a)).contains("Délivré en pharmacie le 1 janv. 2028");
  }

  @Test
  @DisplayName("the same customer again is told genuine and when they first verified it")
  void genuineRepeat() {
    Answer a = answer(Outcome.GENUINE, false, OffsetDateTime.of(2028, 8, 3, 10, 0, 0, 0, ZoneOffset.UTC), null);
    assertThat(TEMPLATES.render("en", a)).contains("GENUINE").contains("first verified it on 3 Aug 2028");
    assertThat(TEMPLATES.render("fr", a)).contains("AUTHENTIQUE").contains("3 aout 2028");
  }

  @Test
  @DisplayName("already used says when, that it may be counterfeit, and how to report it")
  void alreadyUsed() {
    Answer a = answer(Outcome.ALREADY_USED, false, OffsetDateTime.of(2028, 2, 14, 10, 0, 0, 0, ZoneOffset.UTC), null);
    assertThat(TEMPLATES.render("en", a)).isEqualTo("ALREADY USED, first verified on 14 Feb 2028. If that was not you,"
        + " this pack may be counterfeit: reply REPORT 0A1B2C");
    assertThat(TEMPLATES.render("fr", a)).contains("14 févr. 2028").contains("SIGNALER 0A1B2C");
    Answer undated = answer(Outcome.ALREADY_USED, false, null, null);
    assertThat(TEMPLATES.render("en", undated)).contains("first verified on an earlier date");
  }

  @Test
  @DisplayName("a malformed code asks to re-check, never says fake")
  void invalid() {
    assertThat(TEMPLATES.render("en", Reply.INVALID, ReplyValues.NONE)).contains("re-check").doesNotContainIgnoringCase("fake");
  }

  @Test
  @DisplayName("unknown or missing languages get English; region tags get their language")
  void languages() {
    String english = TEMPLATES.render("en", Reply.HELP, ReplyValues.NONE);
    assertThat(TEMPLATES.render("sw", Reply.HELP, ReplyValues.NONE)).isEqualTo(english);
    assertThat(TEMPLATES.render(null, Reply.HELP, ReplyValues.NONE)).isEqualTo(english);
    assertThat(TEMPLATES.render("FR-ci", Reply.HELP, ReplyValues.NONE))
        .isEqualTo(TEMPLATES.render("fr", Reply.HELP, ReplyValues.NONE)).isNotEqualTo(english);
  }

  @Test
  @DisplayName("long names are cut and accents GSM-7 lacks dropped, so the reply stays one GSM-7 SMS")
  void valuesAreFitted() {
    ReplyValues v = new ReplyValues("Crème hydratante à l'huile d'olive bio ôâ extra", "LÔT" + "9".repeat(30),
        LocalDate.of(2028, 1, 1), "0A1B2C", null, null);
    String text = TEMPLATES.render("en", Reply.GENUINE_FIRST, v);
    assertThat(text).contains("Crème hydratante à l'huile d'olive bio o").contains("LOT" + "9".repeat(17) + ",");
    assertThat(Gsm7.length(text)).isBetween(1, 160);
    assertThat(Templates.fit("Парацетамол", 40)).isEqualTo("Парацетамол");
  }

  @Test
  @DisplayName("a manufacturer's override replaces one reply in one language")
  void override() {
    Templates custom = TEMPLATES.withOverrides(Map.of("fr.fake", "FAUX : signalez-le au 0800 000 000. Réf {ref}"));
    assertThat(custom.render("fr", Reply.FAKE, ReplyValues.ref("0A1B2C"))).isEqualTo("FAUX : signalez-le au 0800 000 000. Réf 0A1B2C");
    assertThat(custom.render("en", Reply.FAKE, ReplyValues.ref("0A1B2C")))
        .isEqualTo(TEMPLATES.render("en", Reply.FAKE, ReplyValues.ref("0A1B2C")));
    assertThat(TEMPLATES.render("fr", Reply.FAKE, ReplyValues.ref("0A1B2C"))).startsWith("NON AUTHENTIQUE");
  }

  @Test
  @DisplayName("an override too long with the longest values is refused, naming it and its length")
  void overrideTooLong() {
    String text = "GENUINE and safe to use, says its maker: {product} lot {lot}, expires {expiry}. Thank you for checking"
        + " with us. Ref {ref}";
    assertThatThrownBy(() -> TEMPLATES.withOverrides(Map.of("en.genuine_first", text)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("en.genuine_first").hasMessageContaining("is 173 GSM-7 characters");
  }

  @Test
  @DisplayName("overrides with characters outside GSM-7, unknown keys or foreign placeholders are refused")
  void overrideInvalid() {
    assertThatThrownBy(() -> TEMPLATES.withOverrides(Map.of("fr.fake", "Contrefaçon ! Réf {ref}")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("fr.fake").hasMessageContaining("'ç'");
    assertThatThrownBy(() -> TEMPLATES.withOverrides(Map.of("de.fake", "Fälschung {ref}")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("de.fake");
    assertThatThrownBy(() -> TEMPLATES.withOverrides(Map.of("en.genuine", "OK {ref}")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("en.genuine");
    assertThatThrownBy(() -> TEMPLATES.withOverrides(Map.of("en.fake", "FAKE {product}")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("{product}");
  }

  @Test
  @DisplayName("a reply missing a value its template needs fails loudly")
  void missingValue() {
    assertThatThrownBy(() -> TEMPLATES.render("en", Reply.FAKE, ReplyValues.NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("{ref}");
  }

  private static Answer answer(Outcome outcome, boolean first, OffsetDateTime firstVerified, OffsetDateTime dispensed) {
    return new Answer(outcome, first, firstVerified, dispensed, "Paracetamol 500mg", "05012345678900", "L123",
        LocalDate.of(2028, 6, 30), "0A1B2C", CodeState.CONSUMED, 1L);
  }
}
