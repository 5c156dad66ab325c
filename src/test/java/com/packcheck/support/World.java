package com.packcheck.support;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The usual cast of a test: PackCheck instances on one stack, a manufacturer with a product, two
 * pharmacies, and the record of every answer they were given (for {@link Invariants}).
 */
public final class World implements AutoCloseable {
  public final Stack stack = new Stack();
  public final List<Client> instances = new ArrayList<>();
  public final Stack.Account maker;
  public final Stack.Account pharmacyA;
  public final Stack.Account pharmacyB;
  public final long product;
  public final Answers answers = new Answers();

  /** Instances started with {@code overrides} each (an empty map: the test's PostgreSQL and Redis). */
  @SafeVarargs
  public World(long pricePerCheck, Map<String, String>... overrides) {
    for (Map<String, String> o : overrides) {
      instances.add(stack.start(o));
    }
    Client first = instances.get(0);
    maker = stack.manufacturer(first, pricePerCheck);
    pharmacyA = stack.pharmacy(first);
    pharmacyB = stack.pharmacy(first);
    product = stack.product(first, maker, "Product " + System.nanoTime());
  }

  public Client instance(int i) {
    return instances.get(i);
  }

  /** n fresh codes in a new active batch of the product. */
  public List<String> activeCodes(int n) {
    List<String> codes = Stack.codes(n);
    stack.activeBatch(instance(0), maker, product, codes);
    return codes;
  }

  /** A check through {@code via}, recorded among the answers. */
  public Client.Response check(Client via, Stack.Account pharmacy, String code, String action, String... headers) {
    Client.Response r = via.post("/v1/verifications", pharmacy.token(),
        new JsonObject().put("code", code).put("action", action), headers);
    answers.record(code, action, r);
    return r;
  }

  public void checkInvariants(List<String> codes) throws Exception {
    Invariants.check(stack, codes, answers);
  }

  @Override
  public void close() {
    stack.close();
  }
}
