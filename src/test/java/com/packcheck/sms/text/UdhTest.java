package com.packcheck.sms.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("MO User Data Header parsing")
class UdhTest {

  @Test
  @DisplayName("an 8-bit reference concatenation header gives reference, total, sequence and the payload")
  void eightBit() {
    Udh.Parsed p = Udh.parse(new byte[] {5, 0x00, 3, (byte) 0xC8, 3, 2, 'A', 'B'});
    assertThat(p).isInstanceOfSatisfying(Udh.Part.class, part -> {
      assertThat(part.reference()).isEqualTo(200);
      assertThat(part.total()).isEqualTo(3);
      assertThat(part.sequence()).isEqualTo(2);
      assertThat(part.payload()).containsExactly('A', 'B');
    });
  }

  @Test
  @DisplayName("a 16-bit reference concatenation header gives the full reference")
  void sixteenBit() {
    Udh.Parsed p = Udh.parse(new byte[] {6, 0x08, 4, (byte) 0xAB, (byte) 0xCD, 2, 2, 'Z'});
    assertThat(p).isInstanceOfSatisfying(Udh.Part.class, part -> {
      assertThat(part.reference()).isEqualTo(0xABCD);
      assertThat(part.total()).isEqualTo(2);
      assertThat(part.sequence()).isEqualTo(2);
      assertThat(part.payload()).containsExactly('Z');
    });
  }

  @Test
  @DisplayName("other elements are skipped; without concatenation the payload is the whole message")
  void otherElements() {
    byte[] ports = {6, 0x05, 4, 0x0B, (byte) 0x84, 0x23, (byte) 0xF0, 'H', 'I'};
    assertThat(Udh.parse(ports)).isInstanceOfSatisfying(Udh.Whole.class,
        w -> assertThat(w.payload()).containsExactly('H', 'I'));
    byte[] portsThenConcat = {11, 0x05, 4, 0x0B, (byte) 0x84, 0x23, (byte) 0xF0, 0x00, 3, 9, 1, 1, 'X'};
    assertThat(Udh.parse(portsThenConcat)).isInstanceOfSatisfying(Udh.Part.class,
        p -> assertThat(p.reference()).isEqualTo(9));
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of("header length past the end", new byte[] {9, 0x00, 3, 1, 2, 1}),
        Arguments.of("total of 0", new byte[] {5, 0x00, 3, 1, 0, 1, 'A'}),
        Arguments.of("sequence 0", new byte[] {5, 0x00, 3, 1, 2, 0, 'A'}),
        Arguments.of("sequence past total", new byte[] {5, 0x00, 3, 1, 2, 3, 'A'}),
        Arguments.of("element past the header", new byte[] {3, 0x00, 3, 1, 2, 1, 'A'}),
        Arguments.of("concatenation element of the wrong length", new byte[] {4, 0x00, 2, 1, 2, 'A'}),
        Arguments.of("16-bit sequence past total", new byte[] {6, 0x08, 4, 0, 1, 2, 5, 'A'}),
        Arguments.of("element without its length", new byte[] {1, 0x00}),
        Arguments.of("empty message", new byte[0]));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  @DisplayName("a malformed header is reported as bad, never thrown")
  void bad(String what, byte[] message) {
    assertThat(Udh.parse(message)).isInstanceOf(Udh.Bad.class);
  }

  @Test
  @DisplayName("no header at all is bad, not an exception")
  void nullMessage() {
    assertThat(Udh.parse(null)).isInstanceOf(Udh.Bad.class);
  }
}
