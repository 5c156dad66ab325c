#!/usr/bin/env bash
# PackCheck codes at scale, end to end, on the local machine only (127.0.0.1):
#   1. builds target/packcheck.jar if it is missing, starts it with a small heap (-Xmx256m) on the
#      local PostgreSQL (a fresh schema) and a private redis-server,
#   2. uploads CODES distinct 16-digit codes (gzip, one request) into a draft batch: upload time,
#   3. activates the batch, which loads every code into Redis: activation time, Redis bytes a code,
#   4. optionally (GENERATE=N) generates N codes into another batch: generation time,
#   5. prints the peak heap during each step (jstat samples of the live JVM), then drops what it made.
#
# Settings (environment): CODES (10000000), GENERATE (0), PORT (18090),
# PACKCHECK_JAVA_OPTS (-Xmx256m), REBUILD=1 (rebuild the jar), KEEP=1 (keep the schema).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
JAR=${JAR:-$ROOT/target/packcheck.jar}
# shellcheck source=load-tests/lib.sh
source "$HERE/lib.sh"

CODES=${CODES:-10000000}
GENERATE=${GENERATE:-0}
PORT=${PORT:-18090}
PACKCHECK_JAVA_OPTS=${PACKCHECK_JAVA_OPTS:--Xmx256m}
APP_SCHEMA="codes_${STAMP}"
RUN_DIR="$HERE/target/codes-${STAMP}"
BASE="http://127.0.0.1:${PORT}"
HEAP_PID=""

stop_extra() {
  [[ -n "$HEAP_PID" ]] && kill "$HEAP_PID" 2>/dev/null
  rm -f "$RUN_DIR"/codes.* 2>/dev/null || true
}
trap finish_run EXIT
trap 'exit 130' INT TERM

prepare_run java mvn curl psql jq gzip jstat redis-cli
start_redis
# shellcheck disable=SC2086
start_packcheck "$JAR" $PACKCHECK_JAVA_OPTS
REDIS_HOST_PORT=${REDIS_URL#redis://}
redis_memory() { redis-cli -h "${REDIS_HOST_PORT%:*}" -p "${REDIS_HOST_PORT##*:}" info memory | tr -d '\r' | awk -F: '/^used_memory:/ { print $2 }'; }

# Heap in use (young + old, KB) every 200 ms; the peak of a step is the largest sample within it.
jstat -gc -t "$APP_PID" 200 2>/dev/null | awk 'NR > 1 { printf "%s %.0f\n", systime(), $4 + $5 + $7 + $9; fflush() }' >"$RUN_DIR/heap.log" &
HEAP_PID=$!
heap_peak_mb() { # from_epoch to_epoch
  awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b && $2 > m { m = $2 } END { printf "%.0f", m / 1024 }' "$RUN_DIR/heap.log"
}
now_ms() { date +%s%3N; }

MAKER_TOKEN=$(json POST /v1/manufacturers "$ADMIN_TOKEN" '{"name":"Codes Load Pharma","pricePerCheck":5,"currency":"GHS"}' | jq -r .token)
PRODUCT_ID=$(json POST /v1/products "$MAKER_TOKEN" '{"name":"Amoxicillin 500 mg"}' | jq -r .id)
new_batch() { json POST /v1/batches "$MAKER_TOKEN" "{\"productId\":${PRODUCT_ID},\"lot\":\"$1-${STAMP}\",\"expiry\":\"2030-12-31\"}" | jq -r .id; }

log "writing ${CODES} distinct 16-digit codes (gzip)"
seq 1000000000000000 7919 $(( 1000000000000000 + (CODES - 1) * 7919 )) | gzip -1 >"$RUN_DIR/codes.gz"
BATCH=$(new_batch UPLOAD)

log "uploading into batch $BATCH"
s0=$(date +%s); t0=$(now_ms)
UPLOAD=$(api POST "/v1/batches/${BATCH}/codes" "$MAKER_TOKEN" -H 'Content-Type: text/plain' \
  -H 'Content-Encoding: gzip' --data-binary "@$RUN_DIR/codes.gz")
t1=$(now_ms); s1=$(date +%s)
[[ "$(jq -r .accepted <<<"$UPLOAD")" == "$CODES" ]] || die "the upload did not accept every code: $UPLOAD"
UPLOAD_MS=$(( t1 - t0 )); UPLOAD_HEAP=$(heap_peak_mb "$s0" "$s1")

REDIS_BEFORE=$(redis_memory)
log "activating batch $BATCH (loads its codes into Redis)"
s0=$(date +%s); t0=$(now_ms)
json POST "/v1/batches/${BATCH}/activate" "$MAKER_TOKEN" '{}' >/dev/null
t1=$(now_ms); s1=$(date +%s)
ACTIVATE_MS=$(( t1 - t0 )); ACTIVATE_HEAP=$(heap_peak_mb "$s0" "$s1")
REDIS_AFTER=$(redis_memory)
READY=$(curl -s --max-time 5 "$BASE/ready")
[[ "$(jq -r .redisCodes <<<"$READY")" == complete ]] || log "WARNING: Redis does not hold every code: $READY"

GENERATED=""
if (( GENERATE > 0 )); then
  GEN_BATCH=$(new_batch GENERATED)
  log "generating ${GENERATE} codes into batch $GEN_BATCH"
  s0=$(date +%s); t0=$(now_ms)
  curl -sS --max-time 900 -X POST -H "Authorization: Bearer $MAKER_TOKEN" -H 'Content-Type: application/json' \
    --data-binary "{\"count\":${GENERATE}}" "$BASE/v1/batches/${GEN_BATCH}/codes/generate" | gzip -1 >"$RUN_DIR/codes.generated.gz"
  t1=$(now_ms); s1=$(date +%s)
  lines=$(gzip -dc "$RUN_DIR/codes.generated.gz" | wc -l)
  (( lines == GENERATE )) || die "generation printed ${lines} codes, expected ${GENERATE}"
  GENERATED=$(printf 'generate:      %d codes in %.1f s (%.0f codes/s), peak heap %s MB\n' "$GENERATE" \
    "$(bc -l <<<"($t1 - $t0) / 1000")" "$(bc -l <<<"$GENERATE * 1000 / ($t1 - $t0)")" "$(heap_peak_mb "$s0" "$s1")")
fi

printf '\n== PackCheck codes at scale (%s, %s, %s cores) ==\n' "$(date -u +%FT%TZ)" "$PACKCHECK_JAVA_OPTS" "$(nproc)"
printf 'upload:        %d codes in %.1f s (%.0f codes/s), peak heap %s MB; %s\n' "$CODES" \
  "$(bc -l <<<"$UPLOAD_MS / 1000")" "$(bc -l <<<"$CODES * 1000 / $UPLOAD_MS")" "$UPLOAD_HEAP" \
  "$(jq -c '{received,accepted,duplicates,invalid}' <<<"$UPLOAD")"
printf 'activation:    %.1f s (%.0f codes/s into Redis), peak heap %s MB\n' "$(bc -l <<<"$ACTIVATE_MS / 1000")" \
  "$(bc -l <<<"$CODES * 1000 / $ACTIVATE_MS")" "$ACTIVATE_HEAP"
printf 'together:      %.1f s\n' "$(bc -l <<<"($UPLOAD_MS + $ACTIVATE_MS) / 1000")"
printf 'Redis memory:  %.1f bytes a code (used_memory %d → %d)\n' "$(bc -l <<<"($REDIS_AFTER - $REDIS_BEFORE) / $CODES")" \
  "$REDIS_BEFORE" "$REDIS_AFTER"
[[ -z "$GENERATED" ]] || printf '%s\n' "$GENERATED"
