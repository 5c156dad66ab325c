package com.packcheck.http;

import com.packcheck.account.Role;
import com.packcheck.batch.BatchActivation;
import com.packcheck.batch.BatchRepository;
import com.packcheck.batch.CodeGeneration;
import com.packcheck.batch.CodeUpload;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A manufacturer's products and batches, the codes upload and the batch lifecycle. */
final class CatalogRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogRoutes.class);
  private static final Set<String> ENCODINGS = Set.of("gzip", "x-gzip", "deflate", "identity");

  private final Vertx vertx;
  private final BatchRepository batches;
  private final CodeUpload upload;
  private final CodeGeneration generation;
  private final BatchActivation activation;
  private final long uploadMaxBytes;

  CatalogRoutes(Vertx vertx, BatchRepository batches, CodeUpload upload, CodeGeneration generation,
      BatchActivation activation, long uploadMaxBytes) {
    this.vertx = vertx;
    this.batches = batches;
    this.upload = upload;
    this.generation = generation;
    this.activation = activation;
    this.uploadMaxBytes = uploadMaxBytes;
  }

  void mount(Router router, BodyHandler bodies, Auth auth) {
    var manufacturer = auth.require(Role.MANUFACTURER);
    router.post("/v1/products").handler(bodies).handler(manufacturer).handler(this::createProduct);
    router.get("/v1/products").handler(manufacturer).handler(ctx ->
        Replies.respond(ctx, 200, batches.listProducts(id(ctx))));
    router.post("/v1/batches").handler(bodies).handler(manufacturer).handler(this::createBatch);
    router.get("/v1/batches").handler(manufacturer).handler(ctx ->
        Replies.respond(ctx, 200, batches.listBatches(id(ctx))));
    router.get("/v1/batches/:id").handler(manufacturer).handler(ctx ->
        Replies.respond(ctx, 200, batches.getBatch(id(ctx), Bodies.pathId(ctx))));
    // The upload is streamed: no body handler, and the request waits paused while the token is checked.
    router.post("/v1/batches/:id/codes").handler(ctx -> {
      ctx.request().pause();
      ctx.next();
    }).handler(manufacturer).handler(this::uploadCodes);
    router.post("/v1/batches/:id/codes/generate").handler(bodies).handler(manufacturer).handler(this::generate);
    router.post("/v1/batches/:id/activate").handler(bodies).handler(manufacturer).handler(ctx -> {
      long manufacturerId = id(ctx);
      long batchId = Bodies.pathId(ctx);
      Replies.respond(ctx, 200, vertx.executeBlocking(() -> activation.activate(manufacturerId, batchId), false)
          .map(CatalogRoutes::state));
    });
    router.post("/v1/batches/:id/recall").handler(bodies).handler(manufacturer).handler(this::recall);
  }

  private static long id(RoutingContext ctx) {
    return Auth.principal(ctx).id();
  }

  private static JsonObject state(String state) {
    return new JsonObject().put("state", state);
  }

  private void createProduct(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx);
    String name = Bodies.string(body, "name", 200);
    String gtin = Bodies.optionalString(body, "gtin", 14);
    if (gtin != null && !gtin.matches("\\d{8}|\\d{12,14}")) {
      throw ApiException.badRequest("'gtin' must be 8, 12, 13 or 14 digits");
    }
    Replies.respond(ctx, 201, batches.createProduct(id(ctx), name, gtin).map(pid -> new JsonObject().put("id", pid)));
  }

  private void createBatch(RoutingContext ctx) {
    JsonObject body = Bodies.object(ctx);
    long productId = Bodies.wholeNumber(body, "productId", 1, Long.MAX_VALUE);
    String lot = Bodies.string(body, "lot", 64);
    var expiry = Bodies.date(body, "expiry");
    Replies.respond(ctx, 201, batches.createBatch(id(ctx), productId, lot, expiry)
        .map(bid -> new JsonObject().put("id", bid).put("state", "draft")));
  }

  private void recall(RoutingContext ctx) {
    String reason = null;
    if (ctx.body().length() > 0) {
      reason = Bodies.optionalString(Bodies.object(ctx), "reason", 1000);
    }
    Replies.respond(ctx, 200, batches.recall(id(ctx), Bodies.pathId(ctx), reason).map(CatalogRoutes::state));
  }

  private void uploadCodes(RoutingContext ctx) {
    var request = ctx.request();
    long batchId = Bodies.pathId(ctx);
    String type = request.getHeader("Content-Type");
    if (type != null && !type.toLowerCase().startsWith("text/plain")) {
      throw new ApiException(415, "unsupported_media_type", "send the codes as text/plain, one code a line");
    }
    String encoding = request.getHeader("Content-Encoding");
    if (encoding != null && !ENCODINGS.contains(encoding.trim().toLowerCase())) {
      throw new ApiException(415, "unsupported_encoding", "Content-Encoding may be gzip or deflate");
    }
    String length = request.getHeader("Content-Length");
    if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > uploadMaxBytes) {
      throw LimitedInputStream.tooLarge(uploadMaxBytes);
    }
    boolean partial = "true".equals(ctx.queryParams().get("partial"));
    long manufacturerId = id(ctx);
    String decoding = encoding == null ? "identity" : encoding.trim().toLowerCase();
    RequestBodyStream body = new RequestBodyStream(request, vertx.getOrCreateContext());
    vertx.executeBlocking(() -> upload(manufacturerId, batchId, body, decoding, partial), false).onComplete(ar -> {
      if (ar.failed()) {
        closeUnlessComplete(ctx);
        ctx.fail(ar.cause());
        return;
      }
      CodeUpload.Result result = ar.result();
      Replies.json(ctx, result.stored() ? 200 : 422, result.stored() ? result.toJson()
          : result.toJson().put("error", result.refusal()).put("message", refusalMessage(result.refusal())));
    });
  }

  private static String refusalMessage(String refusal) {
    return refusal.equals("format_too_dense")
        ? "nothing was stored: these codes would fill more than 1 in 10,000 of their format's space, so "
            + "counterfeiters could guess valid ones; use longer codes or generated ones"
        : "nothing was stored: fix the invalid lines and the codes already in other batches, "
            + "or upload with ?partial=true to store the valid codes";
  }

  /** Streams the new codes once; the transaction commits only after the last line went out. */
  private void generate(RoutingContext ctx) {
    int count = (int) Bodies.wholeNumber(Bodies.object(ctx), "count", 1, CodeGeneration.MAX_COUNT);
    long manufacturerId = id(ctx);
    long batchId = Bodies.pathId(ctx);
    ResponseSink sink = new ResponseSink(ctx.response(), vertx.getOrCreateContext());
    vertx.executeBlocking(() -> {
      generation.generate(manufacturerId, batchId, count, sink);
      return null;
    }, false).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().end();
      } else if (!sink.begun()) {
        ctx.fail(ar.cause());
      } else {
        // Part of the codes went out but none were stored: a cut-off body tells the client so.
        LOG.warn("Code generation for batch {} rolled back after printing began: {}", batchId, ar.cause().toString());
        ctx.request().connection().close();
      }
    });
  }

  /** Runs on a worker; decompression too, so a corrupt stream becomes a clear 400. */
  private CodeUpload.Result upload(long manufacturerId, long batchId, InputStream body, String encoding,
      boolean partial) throws Exception {
    try {
      InputStream decoded = switch (encoding) {
        case "gzip", "x-gzip" -> new GZIPInputStream(body, 1 << 16);
        case "deflate" -> new InflaterInputStream(body);
        default -> body;
      };
      return upload.upload(manufacturerId, batchId, new LimitedInputStream(decoded, uploadMaxBytes), partial);
    } catch (ZipException | EOFException e) {
      throw new ApiException(400, "bad_encoding", "the body is not valid per its Content-Encoding: " + e.getMessage());
    } catch (IOException e) {
      throw new ApiException(400, "upload_interrupted", "the upload did not arrive whole; nothing was stored");
    }
  }

  /** A refused upload whose body was not read to the end cannot keep the connection. */
  private static void closeUnlessComplete(RoutingContext ctx) {
    if (!ctx.request().isEnded()) {
      ctx.response().endHandler(v -> ctx.request().connection().close());
    }
  }
}
