package com.packcheck.support;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the tests that need one PackCheck instance and its usual cast ({@link World}), and check
 * after each test that, whatever it sent, the ledger and the codes still agree.
 */
public abstract class OneInstanceTest {
  protected static World world;
  protected static Client api;

  @BeforeAll
  static void startWorld() {
    world = new World(5, Map.of());
    api = world.instance(0);
  }

  @AfterEach
  void invariantHolds() throws Exception {
    world.checkInvariants(List.of());
  }

  @AfterAll
  static void stopWorld() {
    world.close();
  }
}
