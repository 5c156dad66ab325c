package com.packcheck.http;

import com.packcheck.account.AccountRepository;
import com.packcheck.account.Principal;
import com.packcheck.account.Role;
import com.packcheck.account.Tokens;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Bearer-token authentication and role checks: 401 without a valid token, 403 for the wrong role. */
final class Auth {
  private static final String PRINCIPAL = "principal";
  private static final int CACHE_LIMIT = 100_000;

  private final AccountRepository accounts;
  private final Optional<byte[]> adminDigest;
  /** Tokens are never revoked yet, so a found principal stays valid; misses are not cached. */
  private final Map<ByteBuffer, Principal> cache = new ConcurrentHashMap<>();

  Auth(AccountRepository accounts, Optional<String> adminToken) {
    this.accounts = accounts;
    this.adminDigest = adminToken.map(Tokens::digest);
  }

  Handler<RoutingContext> require(Role role) {
    return ctx -> {
      String header = ctx.request().getHeader("Authorization");
      if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() > 300) {
        ctx.fail(new ApiException(401, "unauthorized", "send Authorization: Bearer <token>"));
        return;
      }
      byte[] digest = Tokens.digest(header.substring(7).trim());
      if (adminDigest.isPresent() && MessageDigest.isEqual(adminDigest.get(), digest)) {
        admit(ctx, role, Principal.ADMIN);
        return;
      }
      ByteBuffer key = ByteBuffer.wrap(digest);
      Principal cached = cache.get(key);
      if (cached != null) {
        admit(ctx, role, cached);
        return;
      }
      accounts.findByToken(digest).onComplete(ar -> {
        if (ar.failed()) {
          ctx.fail(ar.cause());
        } else if (ar.result() == null) {
          ctx.fail(new ApiException(401, "unauthorized", "unknown token"));
        } else {
          if (cache.size() >= CACHE_LIMIT) {
            cache.clear();
          }
          cache.put(key, ar.result());
          admit(ctx, role, ar.result());
        }
      });
    };
  }

  private static void admit(RoutingContext ctx, Role role, Principal principal) {
    if (principal.role() != role) {
      ctx.fail(new ApiException(403, "forbidden", "this endpoint is for the " + role.name().toLowerCase() + " role"));
      return;
    }
    ctx.put(PRINCIPAL, principal);
    ctx.next();
  }

  static Principal principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }
}
