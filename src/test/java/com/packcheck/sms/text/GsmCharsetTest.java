package com.packcheck.sms.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("MO decoding by data_coding and the GSM 03.38 alphabet")
class GsmCharsetTest {
  private final SmsCharset gsmSmsc = new SmsCharset(DefaultAlphabet.GSM7);
  private final SmsCharset latinSmsc = new SmsCharset(DefaultAlphabet.LATIN1);

  private static String basicTable() {
    return Gsm7.BASIC.replace("\u001B", "");
  }

  @Test
  @DisplayName("every basic and extension character survives encode then decode")
  void roundTrip() {
    String all = basicTable() + Gsm7.EXTENSION_CHARS;
    byte[] septets = Gsm7.encode(all);
    assertThat(septets).hasSize(127 + 2 * 10);
    assertThat(Gsm7.decode(septets)).isEqualTo(all);
  }

  @Test
  @DisplayName("every septet decodes to its table character and encodes back to itself")
  void everySeptet() {
    for (int septet = 0; septet < 128; septet++) {
      if (septet == Gsm7.ESCAPE) {
        continue;
      }
      String c = Gsm7.decode(new byte[] {(byte) septet});
      assertThat(Gsm7.encode(c)).containsExactly(septet);
    }
  }

  @Test
  @DisplayName("extension characters are an escape pair and count two septets")
  void extension() {
    assertThat(Gsm7.encode("€")).containsExactly(0x1B, 0x65);
    assertThat(Gsm7.encode("[]{}")).containsExactly(0x1B, 0x3C, 0x1B, 0x3E, 0x1B, 0x28, 0x1B, 0x29);
    assertThat(Gsm7.length("a€^")).isEqualTo(5);
    assertThat(Gsm7.length("ê")).isEqualTo(-1);
  }

  @Test
  @DisplayName("French letters: é è à ù Ç É are GSM-7, ê î ô â û ç À are not")
  void frenchLetters() {
    assertThat(Gsm7.length("éèàùÇÉìò")).isEqualTo(8);
    for (char c : "êîôâûçÀ".toCharArray()) {
      assertThat(Gsm7.septets(c)).as("%s", c).isZero();
    }
  }

  @Test
  @DisplayName("odd GSM-7 input decodes without failing: a lone escape, an unknown extension, a high octet")
  void oddGsm() {
    assertThat(Gsm7.decode(new byte[] {'A', 0x1B})).isEqualTo("A");
    assertThat(Gsm7.decode(new byte[] {0x1B, 0x41})).isEqualTo("A");
    assertThat(Gsm7.decode(new byte[] {0x1B, 0x1B})).isEqualTo(" ");
    assertThat(Gsm7.decode(new byte[] {(byte) 0xC1})).isEqualTo("\uFFFD");
  }

  @Test
  @DisplayName("data_coding 0 follows the SMSC's default alphabet: GSM-7 septets or Latin-1")
  void defaultAlphabet() {
    byte[] gsm = {0x04, 0x05, 0x1B, 0x65, 0x31};
    assertThat(gsmSmsc.decode(0, gsm)).contains("èé€1");
    byte[] latin = "èé1".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(latinSmsc.decode(0, latin)).contains("èé1");
    assertThat(new SmsCharset(DefaultAlphabet.ASCII).decode(0, new byte[] {'A', (byte) 0xE9})).contains("A\uFFFD");
  }

  @Test
  @DisplayName("data_coding 1 is ASCII and 3 is Latin-1 whatever the SMSC's default")
  void ia5AndLatin1() {
    assertThat(gsmSmsc.decode(1, "ABC-123".getBytes(StandardCharsets.US_ASCII))).contains("ABC-123");
    assertThat(gsmSmsc.decode(3, "Vérifier ÂBC".getBytes(StandardCharsets.ISO_8859_1))).contains("Vérifier ÂBC");
  }

  @Test
  @DisplayName("data_coding 8 is UTF-16BE, emoji surrogate pairs included")
  void ucs2() {
    String text = "ARRÊT 😀 كود";
    assertThat(gsmSmsc.decode(8, text.getBytes(StandardCharsets.UTF_16BE))).contains(text);
  }

  @Test
  @DisplayName("an odd UCS-2 length loses only the half unit at the end")
  void oddUcs2() {
    byte[] even = "AB".getBytes(StandardCharsets.UTF_16BE);
    byte[] odd = java.util.Arrays.copyOf(even, even.length + 1);
    odd[even.length] = 0x00;
    assertThat(gsmSmsc.decode(8, odd)).contains("AB");
    assertThat(gsmSmsc.decode(8, new byte[] {0x00})).contains("");
  }

  @Test
  @DisplayName("a lone surrogate in UCS-2 becomes a replacement character, not an exception")
  void loneSurrogate() {
    assertThat(gsmSmsc.decode(8, new byte[] {0x00, 0x41, (byte) 0xD8, 0x3D})).contains("A\uFFFD");
    assertThat(gsmSmsc.decode(8, new byte[] {(byte) 0xD8, 0x3D, 0x00, 0x41})).hasValueSatisfying(
        s -> assertThat(s).startsWith("\uFFFD"));
  }

  @Test
  @DisplayName("binary and unknown data codings are unreadable")
  void binary() {
    for (int dc : new int[] {2, 4, 5, 6, 0xF4, 0xFF}) {
      assertThat(gsmSmsc.decode(dc, new byte[] {1, 2, 3})).as("dc %d", dc).isEmpty();
    }
  }
}
