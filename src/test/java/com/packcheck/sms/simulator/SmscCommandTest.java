package com.packcheck.sms.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The smsc command")
class SmscCommandTest {

  @Test
  @DisplayName("listens beyond this machine only with a password of the operator's own")
  void listenNeedsOwnPassword() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(run(err, "--listen", "0.0.0.0")).isEqualTo(64);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--listen 0.0.0.0 needs a --password of your own");
  }

  @Test
  @DisplayName("refuses a --listen that is no address, with the usage's exit code")
  void listenMustBeAnAddress() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(run(err, "--listen", "no-such-host.invalid")).isEqualTo(64);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("is not an address of this machine");
  }

  @Test
  @DisplayName("on 0.0.0.0 with its own password, starts and says where it listens")
  void listensOnAnyAddress() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int status = SmscCommand.run(new String[] {"--listen", "0.0.0.0", "--password", "own-pw", "--port", "" + port},
        new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertThat(status).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("SMSC simulator listening on 0.0.0.0:" + port);
  }

  private static int run(ByteArrayOutputStream err, String... args) {
    return SmscCommand.run(args, new ByteArrayInputStream(new byte[0]),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }
}
