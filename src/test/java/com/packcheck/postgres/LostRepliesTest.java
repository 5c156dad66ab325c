package com.packcheck.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.packcheck.support.TcpProxy;
import com.packcheck.support.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LostRepliesTest {
  static Vertx vertx;
  static TcpProxy proxy;
  static String schema;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    PgUrl pg = PgUrl.parse(TestPostgres.url());
    proxy = new TcpProxy(pg.host(), pg.port());
    schema = TestPostgres.freshSchema();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    proxy.close();
    TestPostgres.dropSchema(schema);
  }

  @Test
  @DisplayName("a pool whose every connection lost a reply serves queries again once the link is back")
  void poolRecovers() throws Exception {
    Pool pool = viaProxy();
    assertThat(number(pool, "select 1", 5)).isEqualTo(1);
    assertRecovers(pool);
  }

  @Test
  @DisplayName("a pool whose connections were starting when the replies stopped serves queries again once the link is back")
  void poolRecoversFromLostStartUps() throws Exception {
    assertRecovers(viaProxy());
  }

  /** Two queries sent while every reply is lost, then the link healed: the pool must answer within 20 s. */
  private static void assertRecovers(Pool pool) throws Exception {
    proxy.swallowReplies();
    List<Future<?>> lost = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      lost.add(pool.query("select 2").execute());
    }
    Thread.sleep(500);
    proxy.heal();
    long started = System.nanoTime();
    // queries queued behind a lost reply fail with its connection: a caller's retry gets a fresh one
    await("the pool serves again").atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(100)).ignoreExceptionsInstanceOf(ExecutionException.class)
        .until(() -> number(pool, "select 3", 20) == 3);
    System.out.printf("LostRepliesTest: pool served again %d ms after the link came back%n",
        (System.nanoTime() - started) / 1_000_000);
    await("the queries whose reply was lost ended").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> lost.stream().allMatch(Future::isComplete));
    assertThat(lost).allSatisfy(f -> assertThat(f.failed()).as("a query whose reply was lost fails").isTrue());
  }

  private static Pool viaProxy() {
    PgUrl pg = PgUrl.parse(TestPostgres.url());
    PgUrl proxied = PgUrl.parse("postgresql://" + pg.user() + ":" + pg.password() + "@127.0.0.1:" + proxy.port() + "/"
        + pg.database());
    return new Database(proxied, schema).pool(vertx, 2, Duration.ofSeconds(2));
  }

  @Test
  @DisplayName("a pool connection that waits for nothing is left open however long it idles, and so is a slow statement's")
  void idleAndSlowConnectionsKept() throws Exception {
    Pool pool = new Database(PgUrl.parse(TestPostgres.url()), schema).pool(vertx, 1, Duration.ofSeconds(1));
    int backend = number(pool, "select pg_backend_pid()", 5);
    Thread.sleep(2500);
    assertThat(number(pool, "select pg_backend_pid() from pg_sleep(0.5)", 5)).as("same connection after idling")
        .isEqualTo(backend);
    assertThat(number(pool, "select pg_backend_pid()", 5)).isEqualTo(backend);
  }

  private static int number(Pool pool, String sql, int seconds) throws Exception {
    return pool.query(sql).execute().map(rows -> rows.iterator().next().getInteger(0))
        .toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }
}
