package com.packcheck.code;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Code normalization")
class CodeNormalizerTest {

  @ParameterizedTest(name = "\"{0}\" → {1}")
  @CsvSource(delimiter = '|', value = {
      "ABCD-1234-EFGH      | ABCD1234EFGH",
      "abcd 1234 efgh      | ABCD1234EFGH",
      "o0iIlL-123          | 001111123",
      "ＡＢＣ１２３４        | ABC1234",
      "٤٨٢١٧٧٣٠            | 48217730",
      "१२३४५६७             | 1234567",
      "  123456  \t        | 123456",
      "1234567890123456789012345678901234567890 | 1234567890123456789012345678901234567890"})
  @DisplayName("upload and check normalize alike")
  void normalizes(String raw, String expected) {
    assertThat(CodeNormalizer.normalize(raw)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "\"{0}\" is malformed")
  @ValueSource(strings = {"", "12345", "1234-5", "ABC!123", "ÄBC1234", "12345678901234567890123456789012345678901",
      "😀😀😀😀😀😀", "123\u0000456", "ABC_1234"})
  @DisplayName("anything else is malformed")
  void rejects(String raw) {
    assertThat(CodeNormalizer.normalize(raw)).isNull();
  }

  @Test
  @DisplayName("null and absurdly long input are malformed without work")
  void rejectsNullAndHuge() {
    assertThat(CodeNormalizer.normalize(null)).isNull();
    assertThat(CodeNormalizer.normalize("1".repeat(100_000))).isNull();
  }

  @Test
  @DisplayName("traits tell digits from Base32 from other alphanumerics")
  void traits() {
    assertThat(CodeTraits.of("123456") & ~CodeTraits.DAMM32).isEqualTo(CodeTraits.DIGITS | CodeTraits.BASE32);
    assertThat(CodeTraits.of("ABC123") & ~CodeTraits.DAMM32).isEqualTo(CodeTraits.BASE32);
    assertThat(CodeTraits.of("ABU123")).isZero();
    String payload = "ABC123";
    assertThat(CodeTraits.of(payload + Damm32.checkSymbol(payload))).isEqualTo(CodeTraits.GENERATED);
  }

  @Test
  @DisplayName("Crockford references are short and padded")
  void crockford() {
    assertThat(Crockford.encode(0, 6)).isEqualTo("000000");
    assertThat(Crockford.encode(31, 1)).isEqualTo("Z");
    assertThat(Crockford.encode(32, 1)).isEqualTo("10");
    assertThat(Crockford.encode(Long.MAX_VALUE, 6)).hasSize(13).doesNotContain("I", "L", "O", "U");
  }

  @Test
  @DisplayName("the code HMAC depends on the secret and never equals the code")
  void hmac() {
    Hmac a = new Hmac("one".getBytes());
    Hmac b = new Hmac("two".getBytes());
    assertThat(a.code("123456")).hasSize(32).isEqualTo(a.code("123456")).isNotEqualTo(b.code("123456"));
    assertThat(a.code("123456")).isNotEqualTo(a.code("123457"));
    assertThat(a.pharmacy(1)).isNotEqualTo(a.code("1"));
  }
}
