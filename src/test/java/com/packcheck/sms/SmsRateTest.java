package com.packcheck.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.packcheck.support.Phones;
import com.packcheck.support.TestSmsc;
import com.packcheck.support.World;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Replies keep to the SMSC's submits per second in any second, across instances")
class SmsRateTest {
  static final String SHORT_CODE = "1393";
  static final int MAX_TPS = 20;
  static TestSmsc smsc;
  static World world;

  @BeforeAll
  static void start() throws Exception {
    smsc = TestSmsc.start("packcheck", "s3cret", 200);
    Map<String, String> sms = Map.of("PACKCHECK_SMPP_HOST", smsc.host(), "PACKCHECK_SMPP_PORT", "" + smsc.port(),
        "PACKCHECK_SMPP_SYSTEM_ID", "packcheck", "PACKCHECK_SMPP_PASSWORD", "s3cret",
        "PACKCHECK_SMPP_SHORT_CODE", SHORT_CODE, "PACKCHECK_SMPP_MAX_TPS", "" + MAX_TPS);
    // two instances on one SMSC: each sends from the shared outbox, so only a shared bucket holds the rate
    world = new World(7, sms, sms);
    await("both instances bound").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
        .until(() -> smsc.binds() >= 2 && smsc.isBound());
    assertThat(smsc.binds()).as("both instances bound").isEqualTo(2);
  }

  @AfterAll
  static void stop() {
    world.close();
    smsc.close();
  }

  @Test
  @DisplayName("a burst of 80 MOs at max_tps 20: every MO answered, both instances submitting, never more than 20 submits within a second")
  void burst() throws Exception {
    List<String> phones = smsc.deliverBurst(SHORT_CODE, "HELP", 4 * MAX_TPS);
    for (String phone : phones) {
      assertThat(Phones.awaitReply(smsc, phone, 1)).startsWith("PackCheck: text the code");
    }
    List<TestSmsc.Submit> submits = smsc.submits();
    assertThat(submits).hasSize(4 * MAX_TPS).allMatch(TestSmsc.Submit::taken);
    assertThat(submits.stream().map(TestSmsc.Submit::bind).distinct()).as("binds that submitted").hasSize(2);
    assertThat(TestSmsc.mostInAnySecond(submits)).isLessThanOrEqualTo(MAX_TPS);
  }
}
