package com.packcheck.sms.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.packcheck.sms.smpp.InboundPdu;
import com.packcheck.sms.smpp.MoHandler;
import com.packcheck.sms.smpp.SmppLink;
import com.packcheck.sms.smpp.SmscConfig;
import com.packcheck.sms.smpp.SubmitOutcome;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The bundled SMSC simulator speaks SMPP to PackCheck's link")
class SimulatedSmscTest {

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  @DisplayName("it takes the bind, delivers MOs, records MTs and answers 0x58 past its submits per second")
  void roundTrip() throws Exception {
    int port = freePort();
    List<SimulatedSmsc.Mt> mts = new CopyOnWriteArrayList<>();
    List<InboundPdu> mos = new CopyOnWriteArrayList<>();
    try (SimulatedSmsc smsc = new SimulatedSmsc(InetAddress.getLoopbackAddress(), port, "packcheck", "pw", 2, 4, mts::add);
        SmppLink link = new SmppLink(SmscConfig.of("sim", "127.0.0.1", port, "packcheck", "pw", "1393", "GH"),
            pdu -> {
              mos.add(pdu);
              return MoHandler.OK;
            })) {
      link.start();
      await("the link bound to the simulator").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
          .until(() -> link.isBound() && smsc.bound());
      assertThat(smsc.deliver("+233244000001", "1393", (byte) 0, (byte) 0, "HELP".getBytes(StandardCharsets.US_ASCII)))
          .isZero();
      assertThat(mos).singleElement().satisfies(mo -> {
        assertThat(mo.destinationAddress()).isEqualTo("1393");
        assertThat(new String(mo.body(), StandardCharsets.US_ASCII)).isEqualTo("HELP");
      });
      byte[] reply = "hi".getBytes(StandardCharsets.US_ASCII);
      assertThat(link.submit("1393", "+233244000001", (byte) 0, (byte) 0, reply, true))
          .isInstanceOf(SubmitOutcome.Accepted.class);
      assertThat(mts).singleElement().satisfies(mt -> assertThat(mt.to()).isEqualTo("233244000001"));
      List<SubmitOutcome> burst = new java.util.ArrayList<>();
      for (int i = 0; i < 10; i++) {
        burst.add(link.submit("1393", "+233244000001", (byte) 0, (byte) 0, reply, true));
      }
      // 2 a second: a burst of 10 within a second or two is mostly refused
      assertThat(burst).filteredOn(o -> o.equals(new SubmitOutcome.Rejected(0x58))).hasSizeGreaterThanOrEqualTo(5);
    }
  }
}
