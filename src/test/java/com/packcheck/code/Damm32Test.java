package com.packcheck.code;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Generated codes and their Damm check symbol")
class Damm32Test {
  private static final String ALPHABET = Crockford.ALPHABET;

  @Test
  @DisplayName("every single-symbol substitution and every adjacent transposition of a generated code is caught")
  void catchesTyposAndTranspositions() {
    SecureRandom random = new SecureRandom();
    byte[] seed = new byte[32];
    random.nextBytes(seed);
    CodeGenerator generator = new CodeGenerator(seed);
    for (int n = 0; n < 300; n++) {
      String code = generator.next();
      assertThat(Damm32.valid(code)).isTrue();
      char[] c = code.toCharArray();
      for (int i = 0; i < c.length; i++) {
        char original = c[i];
        for (int s = 0; s < ALPHABET.length(); s++) {
          if (ALPHABET.charAt(s) != original) {
            c[i] = ALPHABET.charAt(s);
            assertThat(Damm32.valid(new String(c))).as("%s with symbol %d changed", code, i).isFalse();
          }
        }
        c[i] = original;
        if (i + 1 < c.length && c[i] != c[i + 1]) {
          char[] t = c.clone();
          t[i] = c[i + 1];
          t[i + 1] = c[i];
          assertThat(Damm32.valid(new String(t))).as("%s with symbols %d and %d swapped", code, i, i + 1).isFalse();
        }
      }
    }
  }

  @Test
  @DisplayName("the same seed prints the same codes, grouped XXXX-XXXX-XXXX-X, in Crockford Base32 only")
  void seedRepeatsAndPrints() {
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(seed);
    CodeGenerator a = new CodeGenerator(seed);
    CodeGenerator b = new CodeGenerator(seed);
    byte[] line = new byte[CodeGenerator.PRINTED_LENGTH];
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String code = a.next();
      b.nextPrinted(line, 0);
      String printed = new String(line);
      assertThat(printed).matches("[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]\n");
      assertThat(CodeNormalizer.normalize(printed.trim())).isEqualTo(code);
      assertThat(CodeTraits.of(code)).isEqualTo(CodeTraits.GENERATED);
      seen.add(code);
    }
    assertThat(seen).hasSize(10_000);
    assertThat(new CodeGenerator(new byte[32]).next()).isNotEqualTo(new CodeGenerator(seed).next());
  }
}
