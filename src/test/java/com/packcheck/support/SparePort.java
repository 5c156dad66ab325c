package com.packcheck.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A loopback port that nothing listens on, for a test that must first be refused there and listen
 * there later. A port the kernel picks for {@code bind(0)} is from its ephemeral range, which every
 * other port-0 server and every outgoing connection on the machine draws from too, so one of them
 * may take it in between; this one is drawn from below that range, where only explicit binds go.
 */
public final class SparePort {
  /** Linux's default ephemeral range starts here; the running kernel's own start is read when it can be. */
  private static final int DEFAULT_EPHEMERAL_START = 32768;
  private static final int LOWEST = 20000;

  private SparePort() {
  }

  /** A port below the ephemeral range that is free now. */
  public static int belowEphemeralRange() {
    int end = ephemeralStart();
    for (int attempt = 0; attempt < 100; attempt++) {
      int candidate = ThreadLocalRandom.current().nextInt(LOWEST, end);
      try (ServerSocket s = new ServerSocket(candidate, 1, InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      } catch (IOException taken) {
        // another test or service holds it: draw again
      }
    }
    throw new IllegalStateException("no free port between " + LOWEST + " and " + end);
  }

  private static int ephemeralStart() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      int start = Integer.parseInt(range.split("\\s+")[0]);
      return start > LOWEST + 1000 ? start : DEFAULT_EPHEMERAL_START;
    } catch (IOException | RuntimeException notLinux) {
      return DEFAULT_EPHEMERAL_START;
    }
  }
}
