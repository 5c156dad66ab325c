package com.packcheck.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code packcheck_http_responses_total{status}}: every answer by its status, so that an alert can
 * tell PostgreSQL's 503s from the clients' own mistakes. One per verticle, used on its event loop
 * only: each status's counter is looked up in the registry once, when that status first occurs.
 */
final class ResponseCounts {
  private final MeterRegistry metrics;
  private final Counter[] byStatus = new Counter[600];

  ResponseCounts(MeterRegistry metrics) {
    this.metrics = metrics;
  }

  void count(RoutingContext ctx) {
    ctx.addHeadersEndHandler(v -> counter(ctx.response().getStatusCode()).increment());
    ctx.next();
  }

  private Counter counter(int status) {
    int index = status >= 100 && status < byStatus.length ? status : 500;
    if (byStatus[index] == null) {
      byStatus[index] = Counter.builder("packcheck.http.responses").tag("status", Integer.toString(index))
          .description("HTTP answers by status").register(metrics);
    }
    return byStatus[index];
  }
}
