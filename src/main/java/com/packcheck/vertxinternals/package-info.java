/**
 * Every use of Vert.x's internals, in one place: where Vert.x 5 offers no supported API for what
 * PackCheck needs. Each is guarded by a test that fails if an upgrade changes what it relies on:
 *
 * <ul>
 *   <li>{@link com.packcheck.vertxinternals.EventLoops}: a context's Netty event loop, for a Redis
 *       connection on the verticle's loop (HotLaneTest);
 *   <li>{@link com.packcheck.vertxinternals.WatchedPgDriver} and {@link com.packcheck.vertxinternals.ReplyWatch}:
 *       a pool connection's start-up deadline and a Netty handler that closes a connection whose
 *       replies stopped, because the pool ignores its transport's idle events (LostRepliesTest);
 *   <li>{@link com.packcheck.vertxinternals.PoolFailures}: the pool's untyped wait timeouts (UnavailableTest).
 * </ul>
 */
package com.packcheck.vertxinternals;
