package com.packcheck.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.packcheck.code.CodeNormalizer;
import com.packcheck.code.Hmac;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * The first invariant of docs/design.md (The invariants), checked against PostgreSQL and the answers the callers saw: for each
 * code and each state change, the state recorded in {@code codes} ⇔ exactly one interaction that made
 * that change ⇔ exactly one answer with {@code firstCheck: true}.
 */
public final class Invariants {
  private static final String PER_CODE = """
      select encode(c.hash, 'hex'), c.dispensed_at is not null, c.consumed_at is not null,
             (select count(*) from interactions i where i.code_hash = c.hash and i.action = 'dispense' and i.first_check),
             (select count(*) from interactions i where i.code_hash = c.hash and i.action = 'check' and i.first_check),
             c.dispensed_at is not distinct from (select min(i.at) from interactions i
                 where i.code_hash = c.hash and i.action = 'dispense' and i.first_check),
             c.consumed_at is not distinct from (select min(i.at) from interactions i
                 where i.code_hash = c.hash and i.action = 'check' and i.first_check)
      from codes c
      """;
  private static final String ORPHANS = """
      select count(*) from interactions i
      where i.first_check and not exists (select 1 from codes c where c.hash = i.code_hash)
      """;
  private static final String VERIFY_FIRSTS = "select count(*) from interactions where action = 'verify' and first_check";

  private Invariants() {
  }

  public static void check(Stack stack, Collection<String> codes, Answers answers) throws Exception {
    Hmac hmac = new Hmac(Stack.SECRET.getBytes(StandardCharsets.UTF_8));
    Map<String, boolean[]> state = new HashMap<>();
    try (Connection c = TestPostgres.connect(stack.schema); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery(PER_CODE)) {
        while (rs.next()) {
          String hash = rs.getString(1);
          boolean dispensed = rs.getBoolean(2);
          boolean consumed = rs.getBoolean(3);
          assertThat(rs.getLong(4)).as("dispensing interactions of %s", hash).isEqualTo(dispensed ? 1 : 0);
          assertThat(rs.getLong(5)).as("consuming interactions of %s", hash).isEqualTo(consumed ? 1 : 0);
          assertThat(rs.getBoolean(6)).as("dispense time of %s is its interaction's", hash).isTrue();
          assertThat(rs.getBoolean(7)).as("consume time of %s is its interaction's", hash).isTrue();
          state.put(hash, new boolean[] {dispensed, consumed});
        }
      }
      try (ResultSet rs = s.executeQuery(ORPHANS)) {
        rs.next();
        assertThat(rs.getLong(1)).as("first checks of codes that do not exist").isZero();
      }
      try (ResultSet rs = s.executeQuery(VERIFY_FIRSTS)) {
        rs.next();
        assertThat(rs.getLong(1)).as("verify never changes state").isZero();
      }
    }
    for (String code : codes) {
      boolean[] st = state.get(HexFormat.of().formatHex(hmac.code(CodeNormalizer.normalize(code))));
      assertThat(st).as("code %s is stored", code).isNotNull();
      assertFirsts(answers, code, "dispense", st[0]);
      assertFirsts(answers, code, "check", st[1]);
    }
  }

  private static void assertFirsts(Answers answers, String code, String action, boolean changed) {
    int seen = answers.firstChecks(code, action);
    if (answers.uncertain(code, action)) {
      assertThat(seen).as("%s answers with firstCheck for %s (some outcomes unknown)", action, code)
          .isLessThanOrEqualTo(changed ? 1 : 0);
    } else {
      assertThat(seen).as("%s answers with firstCheck for %s", action, code).isEqualTo(changed ? 1 : 0);
    }
  }
}
