package com.packcheck.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Webhook retry schedule: doubling from the first backoff to an hour, for a day and an hour")
class WebhookScheduleTest {
  private static final Duration BACKOFF = Duration.ofSeconds(5);  // the production default

  /** The ages at which an alert whose receiver never answers is tried, first to last. */
  private static List<Duration> attempts(Duration backoff) {
    List<Duration> at = new ArrayList<>(List.of(Duration.ZERO));
    while (true) {
      Duration age = at.get(at.size() - 1);
      Optional<Duration> wait = WebhookSender.nextWait(backoff, at.size(), age);
      if (wait.isEmpty()) {
        return at;
      }
      at.add(age.plus(wait.get()));
    }
  }

  @Test
  @DisplayName("5 s, 10 s, 20 s … 2,560 s, then an hour between attempts, never more")
  void doublesToAnHour() {
    List<Long> waits = new ArrayList<>();
    for (int attempt = 1; attempt <= 40; attempt++) {
      waits.add(WebhookSender.nextWait(BACKOFF, attempt, Duration.ZERO).orElseThrow().toSeconds());
    }
    assertThat(waits.subList(0, 11)).containsExactly(5L, 10L, 20L, 40L, 80L, 160L, 320L, 640L, 1280L, 2560L, 3600L);
    assertThat(waits.subList(11, 40)).allMatch(w -> w == 3600L);
  }

  @Test
  @DisplayName("35 attempts over 25.4 hours: a receiver back at any time in the first 25 hours is tried within the hour")
  void coversADay() {
    List<Duration> at = attempts(BACKOFF);
    assertThat(at).hasSize(35);
    assertThat(at.get(10)).isEqualTo(Duration.ofSeconds(5115));  // the first wait of an hour starts here
    Duration last = at.get(at.size() - 1);
    assertThat(last).isGreaterThanOrEqualTo(Duration.ofHours(25)).isLessThan(Duration.ofHours(26));
    for (int i = 1; i < at.size(); i++) {
      assertThat(at.get(i).minus(at.get(i - 1))).isLessThanOrEqualTo(Duration.ofHours(1));
    }
    // an alert is given up only once it is 25 hours old, whatever attempt it is at
    assertThat(WebhookSender.nextWait(BACKOFF, 1, Duration.ofHours(25).minusMillis(1))).isPresent();
    assertThat(WebhookSender.nextWait(BACKOFF, 1, Duration.ofHours(25))).isEmpty();
  }

  @Test
  @DisplayName("a huge attempt count or first backoff caps at an hour instead of overflowing")
  void noOverflow() {
    assertThat(WebhookSender.nextWait(BACKOFF, Integer.MAX_VALUE, Duration.ZERO)).contains(Duration.ofHours(1));
    assertThat(WebhookSender.nextWait(Duration.ofDays(3), 1, Duration.ZERO)).contains(Duration.ofHours(1));
    assertThat(WebhookSender.nextWait(Duration.ofMillis(100), 8, Duration.ZERO)).contains(Duration.ofMillis(12_800));
  }
}
