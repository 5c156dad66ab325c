package com.packcheck.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * PackCheck as {@code java -jar packcheck.jar} runs it: {@code PackCheck.main} in a JVM of its own, on the
 * test classpath, with exactly the environment given (none of the suite's {@code PACKCHECK_*} settings).
 */
public final class ChildPackCheck implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final int port;

  private ChildPackCheck(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** Starts a child on a free port; {@code env} adds to the machine's environment, less every PACKCHECK_ variable. */
  public static ChildPackCheck start(Map<String, String> env) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path log = Files.createTempFile("packcheck-child", ".log");
    ProcessBuilder child = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
        "com.packcheck.PackCheck").redirectErrorStream(true).redirectOutput(log.toFile());
    child.environment().keySet().removeIf(name -> name.startsWith("PACKCHECK_"));
    child.environment().putAll(env);
    child.environment().put("PACKCHECK_HTTP_PORT", Integer.toString(port));
    return new ChildPackCheck(child.start(), log, port);
  }

  public int port() {
    return port;
  }

  /** Waits until {@code /ready} answers 200, failing at once if the child exits first. */
  public Client awaitReady(Duration within) {
    Client client = new Client(port);
    await("the child JVM is ready").atMost(within).pollInterval(Duration.ofMillis(100)).until(() -> {
      assertThat(process.isAlive()).as("the child JVM runs; its output:%n%s", output()).isTrue();
      try {
        return client.get("/ready", null).status() == 200;
      } catch (CompletionException notListeningYet) {
        return false;
      }
    });
    return client;
  }

  /** Waits for the child to exit by itself and returns its exit code. */
  public int awaitExit(Duration within) throws InterruptedException {
    assertThat(process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)).as("the child JVM exits").isTrue();
    return process.exitValue();
  }

  /** SIGTERM, as an operator's {@code kill} or a container stop sends it, then waits for the graceful stop. */
  public int stop(Duration within) throws InterruptedException {
    process.destroy();
    return awaitExit(within);
  }

  /** Everything the child printed so far, standard output and error together. */
  public String output() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    process.destroyForcibly();
    Files.deleteIfExists(log);
  }
}
