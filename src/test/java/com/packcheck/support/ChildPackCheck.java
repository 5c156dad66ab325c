package com.packcheck.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * PackCheck as {@code java -jar packcheck.jar} runs it: {@code PackCheck.main} in a JVM of its own, on the
 * test classpath, with exactly the environment given (none of the suite's own {@code PACKCHECK_*}
 * variables). It listens on a port of its own choosing (PACKCHECK_HTTP_PORT=0) and logs it: no port to
 * race other tests for.
 */
public final class ChildPackCheck implements AutoCloseable {
  /** The start-up line, plain or in JSON (whose encoder writes '/' as '\/'). */
  private static final Pattern LISTENING = Pattern.compile("PackCheck listening on http:\\\\?/\\\\?/127\\.0\\.0\\.1:(\\d+)");
  private final Process process;
  private final Path log;
  private int port;

  private ChildPackCheck(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Starts a child; {@code env} adds to the machine's environment, less every PACKCHECK_ variable. */
  public static ChildPackCheck start(Map<String, String> env) throws IOException {
    Path log = Files.createTempFile("packcheck-child", ".log");
    ProcessBuilder child = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
        "com.packcheck.PackCheck").redirectErrorStream(true).redirectOutput(log.toFile());
    child.environment().keySet().removeIf(name -> name.startsWith("PACKCHECK_"));
    child.environment().put("PACKCHECK_HTTP_PORT", "0");
    child.environment().putAll(env);
    return new ChildPackCheck(child.start(), log);
  }

  /** Waits until the child listens and answers {@code /ready} with 200, failing at once if it exits first. */
  public Client awaitReady(Duration within) {
    port = await("the child JVM listening").atMost(within).pollInterval(Duration.ofMillis(50))
        .failFast("the child JVM exited", () -> !process.isAlive())
        .until(() -> LISTENING.matcher(output()).results().findFirst().map(m -> Integer.parseInt(m.group(1))),
            Optional::isPresent).orElseThrow();
    Client client = new Client(port);
    Waits.ready(client);
    return client;
  }

  /** The port it listens on, once {@link #awaitReady} has returned. */
  public int port() {
    return port;
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

  /** SIGKILL: the process dies with whatever it had in flight. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** Everything the child printed so far, standard output and error together. */
  public String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    process.destroyForcibly();
    Files.deleteIfExists(log);
  }
}
