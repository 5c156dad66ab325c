package com.packcheck.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.packcheck.sms.smpp.SmscConfig;
import com.packcheck.sms.text.DefaultAlphabet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("SMS settings from the environment or a file of SMSCs")
class SmsSettingsTest {

  @Test
  @DisplayName("no SMSC host and no file: the SMS channel is off")
  void off() {
    assertThat(SmsSettings.from(Map.of()).enabled()).isFalse();
  }

  @Test
  @DisplayName("one SMSC from PACKCHECK_SMPP_*, with defaults for what is not said")
  void fromEnvironment() {
    SmsSettings s = SmsSettings.from(Map.of("PACKCHECK_SMPP_HOST", "smsc.example", "PACKCHECK_SMPP_SYSTEM_ID", "pc",
        "PACKCHECK_SMPP_PASSWORD", "pw", "PACKCHECK_SMPP_SHORT_CODE", "1393", "PACKCHECK_SMPP_MAX_TPS", "40",
        "PACKCHECK_SMPP_COUNTRY", "ng", "PACKCHECK_SMPP_BUDGET_MS", "1500", "PACKCHECK_SMS_LANGUAGE", "FR"));
    SmscConfig smsc = s.smscs().get(0);
    assertThat(smsc.name()).isEqualTo("default");
    assertThat(smsc.port()).isEqualTo(2775);
    assertThat(smsc.maxTps()).isEqualTo(40);
    assertThat(smsc.country()).isEqualTo("NG");
    assertThat(smsc.defaultAlphabet()).isEqualTo(DefaultAlphabet.GSM7);
    assertThat(s.budget()).isEqualTo(Duration.ofMillis(1500));
    assertThat(s.language()).isEqualTo("fr");
    assertThat(s.maxBadPerHour()).isEqualTo(5);
  }

  @Test
  @DisplayName("several SMSCs from a file, each with its own TON/NPI and default alphabet")
  void fromFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("smsc.properties");
    Files.writeString(file, """
        smsc.mtn.host = 10.0.0.1
        smsc.mtn.system_id = pc
        smsc.mtn.password = a
        smsc.mtn.short_code = 1393
        smsc.mtn.source_ton = 3
        smsc.mtn.source_npi = 0
        smsc.orange.host = 10.0.0.2
        smsc.orange.port = 2776
        smsc.orange.system_id = pc
        smsc.orange.password = b
        smsc.orange.short_code = 1393
        smsc.orange.alphabet = latin1
        smsc.orange.country = CI
        """);
    SmsSettings s = SmsSettings.from(Map.of("PACKCHECK_SMPP_CONFIG", file.toString(), "PACKCHECK_SMPP_BINDS", "2"));
    assertThat(s.smscs()).extracting(SmscConfig::name).containsExactly("mtn", "orange");
    assertThat(s.smscs().get(0).sourceTon()).isEqualTo((byte) 3);
    assertThat(s.smscs().get(1).defaultAlphabet()).isEqualTo(DefaultAlphabet.LATIN1);
    assertThat(s.smscs().get(1).port()).isEqualTo(2776);
    assertThat(s.smscs().get(1).country()).isEqualTo("CI");
    assertThat(s.binds()).isEqualTo(2);
  }

  @Test
  @DisplayName("a missing setting, a bad number or an unknown alphabet is refused with a sentence naming it")
  void refusals(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> SmsSettings.from(Map.of("PACKCHECK_SMPP_HOST", "h", "PACKCHECK_SMPP_PASSWORD", "p",
        "PACKCHECK_SMPP_SHORT_CODE", "1")))
        .hasMessageContaining("system_id is required");
    assertThatThrownBy(() -> SmsSettings.from(Map.of("PACKCHECK_SMPP_HOST", "h", "PACKCHECK_SMPP_SYSTEM_ID", "s",
        "PACKCHECK_SMPP_PASSWORD", "p", "PACKCHECK_SMPP_SHORT_CODE", "1", "PACKCHECK_SMPP_PORT", "x")))
        .hasMessageContaining("port must be a whole number");
    Path file = dir.resolve("bad.properties");
    Files.writeString(file, "smsc.a.host = h\nsmsc.a.system_id = s\nsmsc.a.password = p\nsmsc.a.short_code = 1\n"
        + "smsc.a.alphabet = ebcdic\n");
    assertThatThrownBy(() -> SmsSettings.from(Map.of("PACKCHECK_SMPP_CONFIG", file.toString())))
        .hasMessageContaining("alphabet must be GSM7, LATIN1 or ASCII");
    Files.writeString(file, "host = h\n");
    assertThatThrownBy(() -> SmsSettings.from(Map.of("PACKCHECK_SMPP_CONFIG", file.toString())))
        .hasMessageContaining("is not smsc.<name>.<setting>");
  }

  @Test
  @DisplayName("a password, system id or system type longer than SMPP allows stops the start, naming the setting but not the value")
  void smppLengths() {
    Map<String, String> smsc = Map.of("PACKCHECK_SMPP_HOST", "smsc.example", "PACKCHECK_SMPP_SHORT_CODE", "1393",
        "PACKCHECK_SMPP_SYSTEM_ID", "packcheck");
    Map<String, String> longPassword = new HashMap<>(smsc);
    longPassword.put("PACKCHECK_SMPP_PASSWORD", "nine-char");
    assertThatThrownBy(() -> SmsSettings.from(longPassword)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SMSC default: password is 9 characters; SMPP 3.4 allows at most 8")
        .hasMessageNotContaining("nine-char");
    Map<String, String> longId = new HashMap<>(smsc);
    longId.putAll(Map.of("PACKCHECK_SMPP_PASSWORD", "pw", "PACKCHECK_SMPP_SYSTEM_ID", "a-system-id-of-16"));
    assertThatThrownBy(() -> SmsSettings.from(longId)).hasMessageContaining("system_id is 17 characters");
    Map<String, String> longType = new HashMap<>(smsc);
    longType.putAll(Map.of("PACKCHECK_SMPP_PASSWORD", "pw", "PACKCHECK_SMPP_SYSTEM_TYPE", "thirteen-chars"));
    assertThatThrownBy(() -> SmsSettings.from(longType)).hasMessageContaining("system_type is 14 characters");
    Map<String, String> longest = new HashMap<>(smsc);
    longest.putAll(Map.of("PACKCHECK_SMPP_PASSWORD", "eightchr", "PACKCHECK_SMPP_SYSTEM_ID", "fifteen-chars-x"));
    assertThat(SmsSettings.from(longest).smscs().get(0).password()).isEqualTo("eightchr");
  }

  @Test
  @DisplayName("the redelivery window: 60 s unless set, and never negative")
  void redeliveryWindow() {
    Map<String, String> smsc = Map.of("PACKCHECK_SMPP_HOST", "smsc.example", "PACKCHECK_SMPP_SHORT_CODE", "1393",
        "PACKCHECK_SMPP_SYSTEM_ID", "packcheck", "PACKCHECK_SMPP_PASSWORD", "pw");
    assertThat(SmsSettings.from(smsc).redeliveryWindow()).isEqualTo(Duration.ofSeconds(60));
    Map<String, String> set = new HashMap<>(smsc);
    set.put("PACKCHECK_SMS_REDELIVERY_WINDOW_MS", "3000");
    assertThat(SmsSettings.from(set).redeliveryWindow()).isEqualTo(Duration.ofSeconds(3));
    set.put("PACKCHECK_SMS_REDELIVERY_WINDOW_MS", "-1");
    assertThatThrownBy(() -> SmsSettings.from(set)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PACKCHECK_SMS_REDELIVERY_WINDOW_MS");
  }
}
