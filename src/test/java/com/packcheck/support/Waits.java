package com.packcheck.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.packcheck.code.CodeNormalizer;
import com.packcheck.code.Hmac;
import com.packcheck.codecache.HotCodes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * The waits several tests share, on Awaitility: each polls from the test's thread (never from an
 * event loop) until its condition holds, and fails saying what it last saw.
 */
public final class Waits {
  private static final Hmac HMAC = new Hmac(Stack.SECRET.getBytes(StandardCharsets.UTF_8));

  private Waits() {
  }

  /** Until PackCheck has bound to {@code smsc}. */
  public static void bound(TestSmsc smsc) {
    await("PackCheck bound to the SMSC").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
        .until(smsc::isBound);
  }

  /**
   * That the replies to {@code phone} are {@code replies} now and stay so for {@code quiet}: no other (or
   * second) reply goes out meanwhile. Replies only add up, so one too many fails the wait for good.
   */
  public static void repliesStay(TestSmsc smsc, String phone, List<String> replies, Duration quiet) {
    assertThat(Phones.replies(smsc, phone)).as("the replies to %s", phone).containsExactlyElementsOf(replies);
    await("the replies to " + phone + " staying " + replies).during(quiet).atMost(quiet.plusSeconds(2))
        .pollInterval(Duration.ofMillis(20))
        .untilAsserted(() -> assertThat(Phones.replies(smsc, phone)).containsExactlyElementsOf(replies));
  }

  /** Until {@code instance} answers {@code /ready} with 200. */
  public static void ready(Client instance) {
    await("the instance ready").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
        .ignoreExceptionsInstanceOf(CompletionException.class)
        .until(() -> instance.get("/ready", null).status() == 200);
  }

  /**
   * Until the hot lane in {@code redis} holds {@code code} as dispensed ({@code D}): the write-back to
   * Redis follows the answer, so a test that read the answer may have to wait for it.
   */
  public static void dispensedInRedis(HotCodes redis, String code) {
    byte[] hash = HMAC.code(CodeNormalizer.normalize(code));
    await("the hot lane's state of " + code).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
        .untilAsserted(() -> assertThat(redis.rawState(hash).join()).as("no pending mark left for %s", code)
            .isEqualTo("D"));
  }
}
