#!/usr/bin/env bash
# The machine's ceiling for checks over HTTP, on the local machine only (127.0.0.1): the same Gatling clients
# as run-http.sh loop GET /health on the same jar, which touches neither Redis nor PostgreSQL. No check
# can be answered faster than this here: it is what the load generator and the HTTP layer alone cost.
#   1. builds target/packcheck.jar if missing, starts it on a fresh schema and a private Redis,
#   2. runs CeilingSimulation (USERS clients, WARMUP s not counted, DURATION s measured),
#   3. prints requests/s, p50/p99 and the CPU split between PackCheck and Gatling.
#
# Settings (environment): DURATION (s, 30), WARMUP (s, 30), USERS (64), PORT (18081),
# PACKCHECK_JAVA_OPTS (-Xms1g -Xmx2g), GATLING_GC (-XX:+UseParallelGC), REBUILD=1, KEEP=1.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
JAR=${JAR:-$ROOT/target/packcheck.jar}
# shellcheck source=load-tests/lib.sh
source "$HERE/lib.sh"

DURATION=${DURATION:-30}
WARMUP=${WARMUP:-30}
USERS=${USERS:-64}
PORT=${PORT:-18081}
GATLING_GC=${GATLING_GC:--XX:+UseParallelGC}
PACKCHECK_JAVA_OPTS=${PACKCHECK_JAVA_OPTS:--Xms1g -Xmx2g}
check_gatling_gc
APP_SCHEMA="ceiling_${STAMP}"
RUN_DIR="$HERE/target/ceiling-${STAMP}"
BASE="http://127.0.0.1:${PORT}"

stop_extra() {
  stop_sampler
  stop_loadgen
}
trap finish_run EXIT
trap 'exit 130' INT TERM

prepare_run java mvn curl psql redis-server
start_redis
# shellcheck disable=SC2086
start_packcheck "$JAR" $PACKCHECK_JAVA_OPTS

start_sampler "$RUN_DIR/cpu.samples"
log "running Gatling: ${USERS} users on GET /health, ${WARMUP}s warm-up + ${DURATION}s measured"
run_gatling CeilingSimulation
stop_sampler
(( GATLING_RC == 0 )) || die "Gatling exited with ${GATLING_RC}; see $RUN_DIR/gatling.log"
read -r TOTAL OKS KOS P50 P99 <<<"$(head -n 1 "$STATS" | awk -F '\t' '{ print $2, $3, $4, $6, $9 }')"
cat <<OUT

=== PackCheck HTTP ceiling ($(date -u +%FT%TZ)) ===
load:          Gatling closed model, ${USERS} users looping GET /health (no Redis, no PostgreSQL),
               ${WARMUP}s warm-up not counted, ${DURATION}s measured ($(prop windowSeconds)s wall), $(nproc) cores shared
requests:      ${TOTAL} (ok ${OKS}, errors ${KOS})
requests/s:    $(awk -v n="$TOTAL" -v w="$(prop windowSeconds)" 'BEGIN { printf "%.0f", n / w }')
latency:       p50 ${P50} ms   p99 ${P99} ms
cpu:           $(cpu_split "$RUN_DIR/cpu.samples" "Gatling+Maven" "$(prop measureStartMs)" "$(prop measureEndMs)")
OUT
(( KOS == 0 )) || die "${KOS} requests failed"
