package com.packcheck.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.packcheck.support.Client;
import com.packcheck.support.Stack;
import com.packcheck.support.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restore drill of docs/operations.md: PostgreSQL is the system of record, so a dump restored into a
 * fresh database, with the same code secret and an empty Redis, must answer every code as before.
 */
@DisplayName("Backup and restore")
class BackupRestoreTest {

  @Test
  @DisplayName("a pg_dump restored into a fresh database answers every code, and the bill, as the original did")
  void restoredDatabaseAnswersAsBefore(@TempDir Path dir) throws Exception {
    assumeTrue(onPath("pg_dump") && onPath("pg_restore") || "true".equals(System.getenv("CI")),
        "pg_dump and pg_restore (postgresql-client) are not installed");
    String database = "restore_" + UUID.randomUUID().toString().replace("-", "");
    try (Stack stack = new Stack()) {
      Client original = stack.start();
      Stack.Account maker = stack.manufacturer(original, 25);
      Stack.Account pharmacy = stack.pharmacy(original);
      List<String> codes = Stack.codes(30);
      stack.activeBatch(original, maker, stack.product(original, maker, "Amoxicillin 500 mg"), codes);
      for (int i = 0; i < codes.size(); i += 2) {
        original.post("/v1/verifications", pharmacy.token(), new JsonObject().put("code", codes.get(i)).put("action", "dispense"));
      }
      JsonObject usage = bill(original, maker);
      Path dump = dir.resolve("packcheck.dump");
      run("pg_dump", "--format=custom", "--schema=" + stack.schema, "--file=" + dump, TestPostgres.url());
      Map<String, String> before = answers(original, pharmacy, codes);

      try (Connection admin = TestPostgres.connect("public")) {
        admin.createStatement().execute("create database " + database);
      }
      String restoredUrl = TestPostgres.url().replaceFirst("/[^/]+$", "/" + database);
      try {
        run("pg_restore", "--no-owner", "--dbname=" + restoredUrl, dump.toString());
        // an empty Redis, as after losing it with the machine: PackCheck rebuilds it from PostgreSQL
        Client restored = stack.start(Map.of("PACKCHECK_PG_URL", restoredUrl,
            "PACKCHECK_REDIS_PREFIX", "r" + UUID.randomUUID().toString().substring(0, 8)));
        assertThat(bill(restored, maker)).as("the bill").isEqualTo(usage);
        Map<String, String> after = answers(restored, pharmacy, codes);
        assertThat(after).isEqualTo(before);
        assertThat(after.values()).filteredOn(a -> a.contains("dispensedAt=null")).hasSize(codes.size() / 2);
        stack.stop(restored);
      } finally {
        try (Connection admin = TestPostgres.connect("public")) {
          admin.createStatement().execute("drop database if exists " + database + " with (force)");
        }
      }
    }
  }

  /** Each code's verify answer, less what differs by design between two checks (the reference). */
  private static Map<String, String> answers(Client api, Stack.Account pharmacy, List<String> codes) {
    Map<String, String> answers = new LinkedHashMap<>();
    for (String code : codes) {
      JsonObject a = api.post("/v1/verifications", pharmacy.token(), new JsonObject().put("code", code)).json();
      answers.put(code, "outcome=" + a.getString("outcome") + " dispensedAt=" + a.getString("dispensedAt")
          + " firstVerifiedAt=" + a.getString("firstVerifiedAt") + " batch=" + a.getJsonObject("batch"));
    }
    JsonObject fake = api.post("/v1/verifications", pharmacy.token(), new JsonObject().put("code", "1111-2222-3333-4444"))
        .json();
    answers.put("a code never uploaded", fake.getString("outcome"));
    return answers;
  }

  /** This month's bill so far, less its end (the time it was asked). */
  private static JsonObject bill(Client api, Stack.Account maker) {
    JsonObject usage = api.get("/v1/usage", maker.token()).json();
    assertThat(usage.getInteger("checks")).isPositive();
    usage.remove("to");
    return usage;
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
  }

  private static boolean onPath(String binary) {
    for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, binary))) {
        return true;
      }
    }
    return false;
  }
}
