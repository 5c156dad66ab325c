package com.packcheck.account;

import com.packcheck.code.Hmac;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/** Manufacturers, pharmacies and their tokens. */
public final class AccountRepository {
  private static final String INSERT_MANUFACTURER = """
      with m as (
        insert into manufacturers (name, price_per_check, currency) values ($1, $2, $3) returning id
      )
      insert into api_tokens (token_hash, role, manufacturer_id)
      select $4, 'manufacturer', id from m
      returning manufacturer_id
      """;
  private static final String NEXT_PHARMACY_ID = "select nextval(pg_get_serial_sequence('pharmacies', 'id'))";
  private static final String INSERT_PHARMACY = """
      with p as (
        insert into pharmacies (id, name, region, customer_id) overriding system value
        values ($1, $2, $3, $4)
      ),
      c as (insert into customers (id, kind, pharmacy_id) values ($4, 'pharmacy', $1))
      insert into api_tokens (token_hash, role, pharmacy_id) values ($5, 'pharmacy', $1)
      """;
  private static final String FIND_TOKEN = """
      select t.role, coalesce(t.manufacturer_id, t.pharmacy_id, 0), p.customer_id
      from api_tokens t left join pharmacies p on p.id = t.pharmacy_id
      where t.token_hash = $1
      """;

  private final Pool pool;
  private final Hmac hmac;

  public AccountRepository(Pool pool, Hmac hmac) {
    this.pool = pool;
    this.hmac = hmac;
  }

  public record Created(long id, String token) {
  }

  public Future<Created> createManufacturer(String name, long pricePerCheck, String currency) {
    String token = Tokens.generate("pcm_");
    return pool.preparedQuery(INSERT_MANUFACTURER)
        .execute(Tuple.of(name, pricePerCheck, currency, Buffer.buffer(Tokens.digest(token))))
        .map(rows -> new Created(rows.iterator().next().getLong(0), token));
  }

  /** A pharmacy is also a customer, keyed by the HMAC of its id, so the id is drawn first. */
  public Future<Created> createPharmacy(String name, String region) {
    String token = Tokens.generate("pcp_");
    return pool.query(NEXT_PHARMACY_ID).execute().compose(rows -> {
      long id = rows.iterator().next().getLong(0);
      return pool.preparedQuery(INSERT_PHARMACY)
          .execute(Tuple.of(id, name, region, Buffer.buffer(hmac.pharmacy(id)), Buffer.buffer(Tokens.digest(token))))
          .map(done -> new Created(id, token));
    });
  }

  /** The principal a token stands for, or null. */
  public Future<Principal> findByToken(byte[] tokenDigest) {
    return pool.preparedQuery(FIND_TOKEN).execute(Tuple.of(Buffer.buffer(tokenDigest))).map(rows -> {
      if (!rows.iterator().hasNext()) {
        return null;
      }
      Row row = rows.iterator().next();
      Buffer customer = row.getBuffer(2);
      return new Principal(Role.valueOf(row.getString(0).toUpperCase(java.util.Locale.ROOT)), row.getLong(1),
          customer == null ? null : customer.getBytes());
    });
  }
}
