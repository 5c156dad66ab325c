package com.packcheck.sms.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Reply encoding and splitting")
class ReplyEncoderTest {
  private final ReplyEncoder gsmSmsc = new ReplyEncoder(DefaultAlphabet.GSM7);
  private final SmsCharset decoder = new SmsCharset(DefaultAlphabet.GSM7);

  @Test
  @DisplayName("160 GSM-7 characters are one message with no UDH")
  void gsmSingle() {
    EncodedReply r = gsmSmsc.encode("é".repeat(160), 7);
    assertThat(r.dataCoding()).isEqualTo((byte) 0);
    assertThat(r.udhi()).isFalse();
    assertThat(r.parts()).hasSize(1);
    assertThat(r.parts().get(0)).hasSize(160);
  }

  @Test
  @DisplayName("161 GSM-7 characters are two parts of 153 and 8, each with an 8-bit concatenation UDH")
  void gsmTwoParts() {
    String text = "x".repeat(161);
    EncodedReply r = gsmSmsc.encode(text, 0x1A7);
    assertThat(r.udhi()).isTrue();
    assertThat(r.parts()).hasSize(2);
    assertThat(Arrays.copyOf(r.parts().get(0), 6)).containsExactly(5, 0, 3, 0xA7, 2, 1);
    assertThat(Arrays.copyOf(r.parts().get(1), 6)).containsExactly(5, 0, 3, 0xA7, 2, 2);
    assertThat(r.parts().get(0)).hasSize(6 + 153);
    assertThat(r.parts().get(1)).hasSize(6 + 8);
    assertThat(reassemble(r)).isEqualTo(text);
  }

  @Test
  @DisplayName("extension characters count two septets toward the 160 limit")
  void extensionCountsTwo() {
    assertThat(gsmSmsc.encode("€".repeat(80), 1).parts()).hasSize(1);
    assertThat(gsmSmsc.encode("€".repeat(80) + "x", 1).parts()).hasSize(2);
  }

  @Test
  @DisplayName("an escape pair that would straddle a part boundary moves whole to the next part")
  void escapePairNeverSplit() {
    String text = "x".repeat(152) + "€" + "y".repeat(20);
    EncodedReply r = gsmSmsc.encode(text, 1);
    byte[] first = r.parts().get(0);
    assertThat(first).hasSize(6 + 152);
    assertThat(first[first.length - 1]).isNotEqualTo((byte) 0x1B);
    assertThat(Arrays.copyOfRange(r.parts().get(1), 6, 8)).containsExactly(0x1B, 0x65);
    assertThat(reassemble(r)).isEqualTo(text);
  }

  @Test
  @DisplayName("70 UCS-2 characters are one message; 71 are two parts of 67 and 4")
  void ucs2() {
    EncodedReply one = gsmSmsc.encode("ê".repeat(70), 1);
    assertThat(one.dataCoding()).isEqualTo((byte) 8);
    assertThat(one.udhi()).isFalse();
    assertThat(one.parts()).singleElement().satisfies(p -> assertThat(p).hasSize(140));

    String text = "ê".repeat(71);
    EncodedReply two = gsmSmsc.encode(text, 1);
    assertThat(two.udhi()).isTrue();
    assertThat(two.parts()).extracting(p -> p.length).containsExactly(6 + 134, 6 + 8);
    assertThat(reassemble(two)).isEqualTo(text);
  }

  @Test
  @DisplayName("a surrogate pair that would straddle a UCS-2 part boundary moves whole to the next part")
  void surrogatePairNeverSplit() {
    String text = "a".repeat(66) + "😀" + "b".repeat(10);
    EncodedReply r = gsmSmsc.encode(text, 1);
    assertThat(r.parts()).extracting(p -> p.length).containsExactly(6 + 132, 6 + 24);
    assertThat(reassemble(r)).isEqualTo(text);
  }

  @Test
  @DisplayName("a Latin-1 SMSC gets GSM-7-safe text as Latin-1 octets under data_coding 0")
  void latinSmsc() {
    EncodedReply r = new ReplyEncoder(DefaultAlphabet.LATIN1).encode("Vérifié", 1);
    assertThat(r.dataCoding()).isEqualTo((byte) 0);
    assertThat(r.parts().get(0)).isEqualTo("Vérifié".getBytes(StandardCharsets.ISO_8859_1));
    assertThat(new ReplyEncoder(DefaultAlphabet.LATIN1).encode("5 €", 1).dataCoding()).isEqualTo((byte) 8);
  }

  private String reassemble(EncodedReply r) {
    StringBuilder text = new StringBuilder();
    for (byte[] part : r.parts()) {
      Udh.Parsed parsed = r.udhi() ? Udh.parse(part) : new Udh.Whole(part);
      byte[] payload = parsed instanceof Udh.Part p ? p.payload() : ((Udh.Whole) parsed).payload();
      text.append(decoder.decode(r.dataCoding(), payload).orElseThrow());
    }
    return text.toString();
  }
}
