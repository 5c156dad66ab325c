package com.packcheck.check.group;

import com.packcheck.postgres.LedgerUnavailableException;
import com.packcheck.postgres.Unavailable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: the requests that arrive while a group is in PostgreSQL form the next group, written by
 * one {@link GroupStatement} on a connection of its own ({@link GroupConnections}), taken off the queue
 * in order as the {@link Grouping} allows. Nothing is answered before its group has committed. When a
 * group has committed, the requests queued meanwhile leave first and its callers are answered after:
 * answering a large group (HTTP replies, Redis settles) keeps the loop busy for milliseconds the next
 * group would otherwise wait.
 *
 * <p>A group that does not finish within the timeout closes its connection and counts as unknown: its
 * callers are told PostgreSQL is unavailable, and a retry reads the truth. A failure that is not an
 * outage (a statement PostgreSQL refuses) reaches the callers as it is.
 *
 * <p>Confined to the event loop of the context that created it: no locks.
 */
public final class GroupCommit<R, A> {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

  private final Vertx vertx;
  private final Context loop;
  private final GroupConnections connections;
  private final boolean[] busy;
  private final Duration timeout;
  private final int maxGroup;
  private final Grouping<R> grouping;
  private final GroupStatement<R, A> statement;
  private final GroupMetrics metrics;
  private final String name;
  private final String channel;
  private final ArrayDeque<Pending<R, A>> queue = new ArrayDeque<>();
  private boolean draining;

  /**
   * @param slots    groups in flight at once, each on its own connection
   * @param timeout  how long a group may take before its outcome counts as unknown
   * @param name     what the log calls it ("Ledger": "Ledger write failed")
   * @param channel  the channel its requests come from, for the log
   */
  public GroupCommit(Vertx vertx, PgConnectOptions options, int slots, Duration timeout, int maxGroup,
      Grouping<R> grouping, GroupStatement<R, A> statement, GroupMetrics metrics, String name, String channel) {
    this.vertx = vertx;
    this.loop = vertx.getOrCreateContext();
    this.connections = new GroupConnections(vertx, options, slots);
    this.busy = new boolean[slots];
    this.timeout = timeout;
    this.maxGroup = maxGroup;
    this.grouping = grouping;
    this.statement = statement;
    this.metrics = metrics;
    this.name = name;
    this.channel = channel;
  }

  /** Queues a request, on the group commit's event loop; the future completes after its group committed. */
  public Future<A> submit(R request) {
    if (draining) {
      return Future.failedFuture(new LedgerUnavailableException("shutting down", null));
    }
    long queued = System.nanoTime();
    Promise<A> promise = Promise.promise();
    queue.add(new Pending<>(request, promise));
    flush();
    return promise.future().onSuccess(answer -> metrics.answered(System.nanoTime() - queued));
  }

  /** {@link #submit} from any thread: hands the request to the event loop. */
  public CompletableFuture<A> submitFromAnyThread(R request) {
    CompletableFuture<A> answer = new CompletableFuture<>();
    loop.runOnContext(v -> submit(request).onComplete(ar -> {
      if (ar.succeeded()) {
        answer.complete(ar.result());
      } else {
        answer.completeExceptionally(ar.cause());
      }
    }));
    return answer;
  }

  /** Stops taking requests; completes once every queued and in-flight group has finished. From any thread. */
  public Future<Void> drain() {
    Promise<Void> done = Promise.promise();
    loop.runOnContext(v -> {
      draining = true;
      awaitIdle(done);
    });
    return done.future().onComplete(v -> loop.runOnContext(closing -> connections.closeAll()));
  }

  private void awaitIdle(Promise<Void> done) {
    boolean idle = queue.isEmpty();
    for (boolean b : busy) {
      idle &= !b;
    }
    if (idle) {
      done.complete();
    } else {
      vertx.setTimer(5, id -> awaitIdle(done));
    }
  }

  private void flush() {
    for (int slot = 0; slot < busy.length && !queue.isEmpty(); slot++) {
      if (!busy[slot]) {
        int s = slot;
        busy[s] = true;
        List<Pending<R, A>> group = nextGroup();
        write(s, group).onComplete(ar -> {
          busy[s] = false;
          flush();
          if (ar.succeeded()) {
            List<Future<A>> answers = ar.result();
            for (int i = 0; i < group.size(); i++) {
              group.get(i).answerWith(answers.get(i));
            }
          }
        });
      }
    }
  }

  /** The next group: queued requests in order, those the grouping leaves out put back first in line. */
  private List<Pending<R, A>> nextGroup() {
    List<Pending<R, A>> group = new ArrayList<>(Math.min(queue.size(), maxGroup));
    Predicate<R> admits = grouping.next();
    ArrayDeque<Pending<R, A>> deferred = new ArrayDeque<>();
    while (group.size() < maxGroup && !queue.isEmpty()) {
      Pending<R, A> p = queue.poll();
      if (admits.test(p.request)) {
        group.add(p);
      } else {
        deferred.add(p);
      }
    }
    while (!deferred.isEmpty()) {
      queue.addFirst(deferred.pollLast());
    }
    return group;
  }

  /**
   * Writes one group on the slot's connection (connecting if needed), within the timeout. Its answers
   * are the caller's to deliver; on failure every caller has been told.
   */
  private Future<List<Future<A>>> write(int slot, List<Pending<R, A>> group) {
    Promise<List<Future<A>>> done = Promise.promise();
    long timer = vertx.setTimer(timeout.toMillis(), id -> {
      if (done.tryFail("timed out")) {
        metrics.failed();
        connections.close(slot);
        failAll(group, new LedgerUnavailableException("PostgreSQL did not answer in time", null));
      }
    });
    List<R> requests = new ArrayList<>(group.size());
    group.forEach(p -> requests.add(p.request));
    long sent = System.nanoTime();
    connections.get(slot).compose(conn -> statement.write(conn, requests)).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        if (done.tryComplete(ar.result())) {
          metrics.committed(System.nanoTime() - sent, group.size());
        }
      } else if (done.tryFail(ar.cause())) {
        metrics.failed();
        LOG.atWarn().addKeyValue("channel", channel).addKeyValue("requests", group.size())
            .log("{} write failed: {}", name, ar.cause().toString());
        failAll(group, forCallers(ar.cause()));
      }
    });
    return done.future();
  }

  /** What a caller is told: "unavailable, retry" when PostgreSQL is, else the failure as it is (a 500). */
  private static Throwable forCallers(Throwable failure) {
    return Unavailable.is(failure) && !(failure instanceof LedgerUnavailableException)
        ? new LedgerUnavailableException("PostgreSQL could not confirm the write", failure)
        : failure;
  }

  private static <R, A> void failAll(List<Pending<R, A>> group, Throwable error) {
    group.forEach(p -> p.promise.tryFail(error));
  }

  private record Pending<R, A>(R request, Promise<A> promise) {
    void answerWith(Future<A> answer) {
      answer.onComplete(ar -> {
        if (ar.succeeded()) {
          promise.tryComplete(ar.result());
        } else {
          promise.tryFail(forCallers(ar.cause()));
        }
      });
    }
  }
}
