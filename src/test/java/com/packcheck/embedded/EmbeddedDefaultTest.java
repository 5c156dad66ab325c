package com.packcheck.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.packcheck.support.ChildPackCheck;
import com.packcheck.support.Client;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command: PackCheck with no store configured, on the embedded PostgreSQL and Redis, as
 * whichever user runs the suite (CI runs it as root). Only the data directory is set, to keep the test's
 * database out of the user's {@code ~/.packcheck} (and the port is the child's own choice).
 */
@DisplayName("The embedded default")
class EmbeddedDefaultTest {
  private static final Duration START = Duration.ofMinutes(2);
  private static final Pattern ADMIN_TOKEN = Pattern.compile("admin token\\s+(pca_\\S+)");

  @Test
  @DisplayName("starts with no configuration, keeps a dispensed code dispensed across a restart, and prints the admin token only once")
  void dispensedCodeSurvivesARestart(@TempDir Path dataDir) throws Exception {
    Map<String, String> env = Map.of("PACKCHECK_DATA_DIR", dataDir.toString());
    String pharmacy;
    String code = "4821-7730-1956";
    try (ChildPackCheck first = ChildPackCheck.start(env)) {
      Client api = first.awaitReady(START);
      Matcher admin = ADMIN_TOKEN.matcher(first.output());
      assertThat(admin.find()).as("the first start prints the admin token:%n%s", first.output()).isTrue();
      assertThat(first.output()).contains("http://127.0.0.1:" + first.port() + "/dashboard/", "docs/");
      pharmacy = setUpAndDispense(api, admin.group(1), code);
      first.stop(START);
      assertThat(first.output()).contains("Shutting down: finishing in-flight checks");
    }

    try (ChildPackCheck second = ChildPackCheck.start(env)) {
      Client api = second.awaitReady(START);
      assertThat(second.output()).doesNotContain("pca_");
      Client.Response again = api.post("/v1/verifications", pharmacy, new JsonObject().put("code", code));
      assertThat(again.status()).as(again.body()).isEqualTo(200);
      assertThat(again.json().getString("outcome")).isEqualTo("genuine");
      assertThat(again.json().getBoolean("firstCheck")).isFalse();
      assertThat(again.json().getString("dispensedAt")).as("still dispensed after the restart").isNotNull();
    }
  }

  @Test
  @DisplayName("as root where `unshare -U` fails, refuses in one line that says what to do")
  void rootWithoutUnshareSaysWhatToDo(@TempDir Path dir) throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "only root needs unshare");
    // an unshare that fails as it does where user namespaces are disabled, ahead of the real one
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path unshare = Files.writeString(bin.resolve("unshare"), "#!/bin/sh\necho 'unshare: Operation not permitted' >&2\nexit 1\n");
    Files.setPosixFilePermissions(unshare, PosixFilePermissions.fromString("rwxr-xr-x"));
    Map<String, String> env = Map.of("PACKCHECK_DATA_DIR", dir.resolve("data").toString(),
        "PATH", bin + ":" + System.getenv("PATH"));
    try (ChildPackCheck child = ChildPackCheck.start(env)) {
      assertThat(child.awaitExit(START)).isEqualTo(1);
      String output = child.output();
      assertThat(output.lines().filter(line -> line.startsWith("PackCheck did not start: ")))
          .singleElement().asString()
          .contains("unshare -U", "run PackCheck as a normal user", "PACKCHECK_PG_URL");
      assertThat(output).doesNotContain("Exception", "\tat ");
    }
  }

  /** The walk-through's first steps: returns the pharmacy's token once it has dispensed {@code code}. */
  private static String setUpAndDispense(Client api, String admin, String code) {
    String maker = created(api.post("/v1/manufacturers", admin,
        new JsonObject().put("name", "Acme Pharma").put("pricePerCheck", 25).put("currency", "GHS"))).getString("token");
    String pharmacy = created(api.post("/v1/pharmacies", admin,
        new JsonObject().put("name", "Osu Pharmacy").put("region", "Greater Accra"))).getString("token");
    long product = created(api.post("/v1/products", maker, new JsonObject().put("name", "Amoxicillin 500 mg")))
        .getLong("id");
    long batch = created(api.post("/v1/batches", maker,
        new JsonObject().put("productId", product).put("lot", "L1").put("expiry", "2099-12-31"))).getLong("id");
    Client.Response upload = api.postRaw("/v1/batches/" + batch + "/codes", maker, "text/plain",
        (code + "\n").getBytes(StandardCharsets.UTF_8));
    assertThat(upload.status()).as(upload.body()).isEqualTo(200);
    assertThat(upload.json().getInteger("accepted")).isEqualTo(1);
    Client.Response activate = api.post("/v1/batches/" + batch + "/activate", maker, null);
    assertThat(activate.status()).as(activate.body()).isEqualTo(200);
    Client.Response dispense = api.post("/v1/verifications", pharmacy,
        new JsonObject().put("code", code).put("action", "dispense"));
    assertThat(dispense.status()).as(dispense.body()).isEqualTo(200);
    assertThat(dispense.json().getBoolean("firstCheck")).isTrue();
    assertThat(dispense.json().getString("dispensedAt")).isNotNull();
    return pharmacy;
  }

  private static JsonObject created(Client.Response response) {
    assertThat(response.status()).as(response.body()).isEqualTo(201);
    return response.json();
  }
}
