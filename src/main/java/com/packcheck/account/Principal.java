package com.packcheck.account;

/**
 * Who is calling. {@code id} is the manufacturer or pharmacy id (0 for the admin); a pharmacy also
 * carries its customer id, the key of its interactions.
 */
public record Principal(Role role, long id, byte[] customerId) {
  public static final Principal ADMIN = new Principal(Role.ADMIN, 0, null);
}
