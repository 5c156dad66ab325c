#!/usr/bin/env bash
# PackCheck HTTP load test, end to end, on the local machine only (127.0.0.1):
#   1. builds target/packcheck.jar if it is missing,
#   2. starts PackCheck on the local PostgreSQL (a fresh schema) and a private redis-server,
#   3. sets up a manufacturer, two pharmacies, a product and an active batch of random 16-digit codes,
#      and pre-dispenses some of them with pharmacy A (the "repeat" / "already used" pool),
#   4. runs the Gatling simulation (closed model, USERS concurrent clients) and prints its figures,
#   5. runs pgbench with one transaction per check (no group commit) for the same duration,
#   6. prints PackCheck checks/s ÷ pgbench tps, then stops everything and drops what it created.
#
# Settings (environment): DURATION (s, 30), WARMUP (s, 30: the JIT compiles hard for the first ~40 s of
# load; a shorter warm-up measures the compiler), USERS (64), PORT (18080),
# PREDISPENSE (2000), PGBENCH_ROWS (1000000), PGBENCH_CLIENTS (64), PGBENCH_THREADS (2),
# RATE (0: as fast as the users go; else hold the load at RATE checks/s, for latency at a given load),
# MAX_RATE (25000: the checks/s the fresh codes are sized for), FRESH_CODES (overrides that sizing),
# REDIS_URL (use this Redis instead of starting one), PACKCHECK_JAVA_OPTS (-Xms1g -Xmx2g),
# GATLING_GC (-XX:+UseParallelGC: the load generator's collector; its pauses count in the latencies),
# REBUILD=1 (rebuild the jar even if present), KEEP=1 (keep the schemas, for a post-mortem),
# JAR (target/packcheck.jar: another build to compare against).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
JAR=${JAR:-$ROOT/target/packcheck.jar}
# shellcheck source=load-tests/lib.sh
source "$HERE/lib.sh"

DURATION=${DURATION:-30}
WARMUP=${WARMUP:-30}
USERS=${USERS:-64}
PORT=${PORT:-18080}
PREDISPENSE=${PREDISPENSE:-2000}
PGBENCH_ROWS=${PGBENCH_ROWS:-1000000}
PGBENCH_CLIENTS=${PGBENCH_CLIENTS:-64}
PGBENCH_THREADS=${PGBENCH_THREADS:-2}
MAX_RATE=${MAX_RATE:-25000}
RATE=${RATE:-0}
GATLING_GC=${GATLING_GC:--XX:+UseParallelGC}
PACKCHECK_JAVA_OPTS=${PACKCHECK_JAVA_OPTS:--Xms1g -Xmx2g}
check_gatling_gc

APP_SCHEMA="load_${STAMP}"
BENCH_SCHEMA="pgbench_${STAMP}"
RUN_DIR="$HERE/target/run-${STAMP}"
BASE="http://127.0.0.1:${PORT}"

# Fresh codes for every first dispense of warm-up + run at MAX_RATE checks/s, plus a quarter spare.
if [[ -z "${FRESH_CODES:-}" ]]; then
  FRESH_CODES=$(( MAX_RATE * 40 / 100 * (WARMUP + DURATION) * 5 / 4 ))
  (( FRESH_CODES < 100000 )) && FRESH_CODES=100000
fi
TOTAL_CODES=$(( FRESH_CODES + PREDISPENSE ))

BENCH_SCHEMA_CREATED=""



stop_app() {
  stop_sampler
  if [[ -n "$APP_PID" ]]; then
    stop_pid "$APP_PID" PackCheck 40
    APP_PID=""
  fi
  if [[ -n "$REDIS_PID" ]]; then
    stop_pid "$REDIS_PID" redis-server 10
    REDIS_PID=""
  fi
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_loadgen
  stop_app
  if [[ -z "${KEEP:-}" ]]; then
    [[ -n "$APP_SCHEMA_CREATED" ]] && { psql_q -c "drop schema if exists ${APP_SCHEMA} cascade" >/dev/null 2>&1 \
      || log "could not drop schema ${APP_SCHEMA}"; }
    [[ -n "$BENCH_SCHEMA_CREATED" ]] && { psql_q -c "drop schema if exists ${BENCH_SCHEMA} cascade" >/dev/null 2>&1 \
      || log "could not drop schema ${BENCH_SCHEMA}"; }
  else
    log "KEEP set: schemas ${APP_SCHEMA} and ${BENCH_SCHEMA} left in place"
  fi
  rm -rf "$RUN_DIR/data" "$RUN_DIR"/codes-*.txt "$RUN_DIR"/codes-*.gz 2>/dev/null || true
  if (( rc != 0 )); then
    log "FAILED (exit $rc); logs in $RUN_DIR"
    [[ -f "$RUN_DIR/packcheck.log" ]] && { log "last lines of packcheck.log:"; tail -n 30 "$RUN_DIR/packcheck.log" >&2; }
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in java mvn curl psql pgbench jq gzip awk shuf timeout; do
  command -v "$tool" >/dev/null || die "$tool is required on the PATH"
done
[[ -n "${REDIS_URL:-}" ]] || command -v redis-server >/dev/null || die "redis-server is required (or set REDIS_URL)"

mkdir -p "$RUN_DIR/data"
log "run directory: $RUN_DIR"

# ---------------------------------------------------------------------------------------------
# 1. The server jar
if [[ ! -f "$JAR" || -n "${REBUILD:-}" ]]; then
  log "building $JAR"
  timeout 900 mvn -q -f "$ROOT/pom.xml" package -DskipTests || die "mvn package failed"
fi
[[ -f "$JAR" ]] || die "$JAR not found after the build"
JAR_BUILT=$(date -u -r "$JAR" +%FT%TZ)

psql_q -Atc "select 1" >/dev/null || die "PostgreSQL at ${PG_HOST}:${PG_PORT}/${PG_DB} is not reachable"

free_port "$PORT" || die "port $PORT is in use; set PORT"

# ---------------------------------------------------------------------------------------------
# 2. Redis (private, no persistence) and PackCheck
start_redis
# shellcheck disable=SC2086
start_packcheck "$JAR" $PACKCHECK_JAVA_OPTS

# ---------------------------------------------------------------------------------------------
# 3. Accounts, product, batch, codes

log "generating ${TOTAL_CODES} random 16-digit codes (${FRESH_CODES} fresh + ${PREDISPENSE} to pre-dispense)"
random_codes "$TOTAL_CODES" >"$RUN_DIR/codes-all.txt"
sed -n "1,${PREDISPENSE}p" "$RUN_DIR/codes-all.txt" >"$RUN_DIR/codes-used.txt"
sed -n "$(( PREDISPENSE + 1 )),\$p" "$RUN_DIR/codes-all.txt" >"$RUN_DIR/codes-fresh.txt"
stock_batch "$RUN_DIR/codes-all.txt"

log "pre-dispensing ${PREDISPENSE} codes with pharmacy A"
{
  first=1
  while read -r code; do
    (( first )) || printf 'next\n'
    first=0
    printf 'url = "%s/v1/verifications"\n' "$BASE"
    printf 'header = "Authorization: Bearer %s"\n' "$TOKEN_A"
    printf 'header = "Content-Type: application/json"\n'
    printf 'data = "{\\"code\\":\\"%s\\",\\"action\\":\\"dispense\\"}"\n' "$code"
    printf 'output = "/dev/null"\n'
    printf 'write-out = "%%{http_code}\\n"\n'
    printf 'max-time = 60\n'
    printf 'silent\n'
  done <"$RUN_DIR/codes-used.txt"
} >"$RUN_DIR/predispense.curl"
timeout 300 curl --no-progress-meter --parallel --parallel-max 16 -K "$RUN_DIR/predispense.curl" >"$RUN_DIR/predispense.status" || true
ok=$(grep -c '^200$' "$RUN_DIR/predispense.status" || true)
(( ok == PREDISPENSE )) || die "pre-dispense: only ${ok}/${PREDISPENSE} answered 200 ($(sort "$RUN_DIR/predispense.status" | uniq -c | tr '\n' ' '))"
dispensed=$(psql_q -Atc "select count(*) from ${APP_SCHEMA}.codes where state = 1")
(( dispensed == PREDISPENSE )) || die "pre-dispense: ${dispensed} codes dispensed in PostgreSQL, expected ${PREDISPENSE}"

# ---------------------------------------------------------------------------------------------
# 4. Gatling
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
start_sampler "$RUN_DIR/cpu.samples"
log "running Gatling: ${USERS} users, ${WARMUP}s warm-up + ${DURATION}s measured"
run_gatling ChecksSimulation -DtokenA="$TOKEN_A" -DtokenB="$TOKEN_B" \
  -DfreshCodes="$RUN_DIR/codes-fresh.txt" -DusedCodes="$RUN_DIR/codes-used.txt" -Drate="$RATE"
grep -E '^(ChecksSimulation|Traffic mix|WARNING)' "$RUN_DIR/gatling.log" >&2 || true
(( GATLING_RC == 0 )) || log "WARNING: Gatling exited with ${GATLING_RC}"

APP_ALIVE=yes
kill -0 "$APP_PID" 2>/dev/null || APP_ALIVE="no: PackCheck stopped during the run (see packcheck.log)"
all_requests() { head -n 1 "$STATS" | cut -f "$1"; }
WINDOW=$(prop windowSeconds)
USER_SECONDS=$(prop userSeconds)
TOTAL=$(all_requests 2)
OKS=$(all_requests 3)
KOS=$(all_requests 4)
P50=$(all_requests 6)
P99=$(all_requests 9)
MAXRT=$(all_requests 10)
MEAN=$(all_requests 11)
# CPU shares over the measured window
CPU=$(cpu_split "$RUN_DIR/cpu.samples" "Gatling+Maven" "$(prop measureStartMs)" "$(prop measureEndMs)")
CPS=$(awk -v n="$TOTAL" -v w="$USER_SECONDS" 'BEGIN { printf "%.0f", n / w }')

# Ledger consistency after the run: every dispensed code has exactly one first-check interaction.
LEDGER=$(psql_q -Atc "select (select count(*) from ${APP_SCHEMA}.codes where state = 1) || ' ' ||
  (select count(*) from ${APP_SCHEMA}.interactions where first_check) || ' ' ||
  (select count(*) from ${APP_SCHEMA}.interactions)")
read -r LEDGER_DISPENSED LEDGER_FIRST LEDGER_ALL <<<"$LEDGER"
# State changes that stayed on their page (heap-only: no index entries written)
HOT_UPDATES=$(psql_q -Atc "select n_tup_upd || ' code updates, ' || n_tup_hot_upd || ' of them heap-only (HOT)'
  from pg_stat_user_tables where schemaname = '${APP_SCHEMA}' and relname = 'codes'")
# Group commit seen from outside: the interactions of one group share a transaction id (xmin).
GROUP_STATS=$(psql_q -Atc "select count(distinct xmin::text) || ' ' || count(*) from ${APP_SCHEMA}.interactions
  where at between to_timestamp($(prop measureStartMs) / 1000.0) and to_timestamp($(prop measureEndMs) / 1000.0)")
read -r GROUP_TX GROUP_ROWS <<<"$GROUP_STATS"
GROUP_LINE=$(awk -v t="$GROUP_TX" -v r="$GROUP_ROWS" -v w="$USER_SECONDS" \
  'BEGIN { if (t > 0) printf "%d transactions for %d checks in the measured window: %.1f checks a commit, %.0f commits/s", t, r, r / t, t / w; else print "n/a" }')
# What the alert scan cost PostgreSQL meanwhile (the whole run, set-up included), from PackCheck's /metrics
METRICS=$(curl -s --max-time 5 "$BASE/metrics")
ALERT_SCANS=$(awk '
  /^packcheck_alert_scan_seconds_count / { n = $2 } /^packcheck_alert_scan_seconds_sum / { t = $2 }
  /^packcheck_alert_scan_seconds_max / { m = $2 }
  END { if (n > 0) printf "%d scans, mean %.0f ms, max %.0f ms (max of the last two minutes)", n, 1000 * t / n, 1000 * m; else print "n/a" }' <<<"$METRICS")
# A timer of PackCheck's from /metrics, for the HTTP channel: how many, p50 / p99 / p99.9 and max (Micrometer's
# client-side percentiles, over its last two minutes).
timer_line() {
  awk -v name="$1" '
    index($0, name "{channel=\"http\",quantile=\"0.5\"") == 1 { p50 = $2 }
    index($0, name "{channel=\"http\",quantile=\"0.99\"") == 1 { p99 = $2 }
    index($0, name "{channel=\"http\",quantile=\"0.999\"") == 1 { p999 = $2 }
    index($0, name "_max{channel=\"http\"") == 1 { m = $2 }
    index($0, name "_count{channel=\"http\"") == 1 { n = $2 }
    END { if (n > 0) printf "%d, p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.0f ms", n, 1000 * p50, 1000 * p99, 1000 * p999, 1000 * m; else print "n/a" }' <<<"$METRICS"
}
# A check's latency, from the server's side: the whole of it (request read to answer written), the part
# spent on the ledger (queued to answered: the group in flight, then its own), and the group commits
# themselves (statement sent to commit confirmed).
SERVER_CHECKS=$(timer_line packcheck_check_seconds)
LEDGER_WAITS=$(timer_line packcheck_ledger_wait_seconds)
LEDGER_COMMITS=$(timer_line packcheck_ledger_commit_seconds)

# ---------------------------------------------------------------------------------------------
# 5. Server down, then pgbench on the same PostgreSQL: one transaction per check, no group commit
log "stopping PackCheck"
stop_app
PG_FSYNC=$(psql_q -Atc "show fsync")
PG_SYNC=$(psql_q -Atc "show synchronous_commit")
PG_COMMIT_DELAY=$(psql_q -Atc "show commit_delay")

log "pgbench: preparing ${PGBENCH_ROWS} code rows in schema ${BENCH_SCHEMA}"
BENCH_SCHEMA_CREATED=1
psql_q <<SQL
create schema ${BENCH_SCHEMA};
set search_path = ${BENCH_SCHEMA};
-- the same tables, columns and indexes as PackCheck's own, so both sides pay the same per-row costs
create table codes (like ${APP_SCHEMA}.codes including all);
insert into codes (hash, batch_id) select sha256(int8send(i)), 1 from generate_series(1, ${PGBENCH_ROWS}) i;
create sequence interactions_id_seq;
create table interactions (like ${APP_SCHEMA}.interactions including all);
vacuum analyze codes;
SQL
cat >"$RUN_DIR/check.pgbench" <<SQL
-- one check = one transaction: dispense a random code (guarded by its state), record the interaction
\\set id random(1, ${PGBENCH_ROWS})
\\set pharmacy random(1, 2)
BEGIN;
UPDATE ${BENCH_SCHEMA}.codes SET state = 1, dispensed_by = :pharmacy, dispensed_at = now()
  WHERE hash = sha256(int8send(:id::int8)) AND state = 0;
INSERT INTO ${BENCH_SCHEMA}.interactions (id, at, channel, customer_id, action, code_hash, batch_id,
    manufacturer_id, outcome, first_check, first_verified_at, dispensed_at, price, currency)
  VALUES (nextval('${BENCH_SCHEMA}.interactions_id_seq'), now(), 'http', sha256(int8send(:pharmacy::int8)),
    'dispense', sha256(int8send(:id::int8)), 1, 1, 'genuine', true, now(), now(), 5, 'GHS');
COMMIT;
SQL
# pgbench wants each SQL command on one line
awk '/^\\/ || /^--/ { print; next } { buf = buf (buf == "" ? "" : " ") $0 } /;$/ { print buf; buf = "" }' \
  "$RUN_DIR/check.pgbench" >"$RUN_DIR/check.sql"
log "pgbench: ${PGBENCH_CLIENTS} clients, ${PGBENCH_THREADS} threads, ${DURATION}s"
start_sampler "$RUN_DIR/cpu-pgbench.samples"
timeout $(( DURATION + 120 )) pgbench -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -n -M prepared \
  -c "$PGBENCH_CLIENTS" -j "$PGBENCH_THREADS" -T "$DURATION" -f "$RUN_DIR/check.sql" "$PG_DB" \
  >"$RUN_DIR/pgbench.log" 2>&1 &
LOADGEN_PID=$!
echo "$LOADGEN_PID" >"$RUN_DIR/loadgen.pid"
pgbench_rc=0
wait "$LOADGEN_PID" || pgbench_rc=$?
LOADGEN_PID=""
(( pgbench_rc == 0 )) || { stop_sampler; cat "$RUN_DIR/pgbench.log" >&2; die "pgbench failed"; }
stop_sampler
# the steady part: from 2 s in (connections made) to the last sample
PGB_CPU=$(cpu_split "$RUN_DIR/cpu-pgbench.samples" "pgbench client" "$(( $(head -n 1 "$RUN_DIR/cpu-pgbench.samples" | cut -d' ' -f1) + 2000 ))")
TPS=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$RUN_DIR/pgbench.log" | tail -n 1)
PGB_LAT=$(sed -n 's/^latency average = \(.*\)$/\1/p' "$RUN_DIR/pgbench.log")
PGB_FAILED=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$RUN_DIR/pgbench.log")
[[ -n "$TPS" ]] || { cat "$RUN_DIR/pgbench.log" >&2; die "no tps in pgbench's output"; }
RATIO=$(awk -v a="$CPS" -v b="$TPS" 'BEGIN { printf "%.2f", a / b }')

# ---------------------------------------------------------------------------------------------
# 6. Report
mix() {
  awk -F '\t' -v total="$TOTAL" 'NR > 1 {
    printf "  %-22s %9d  %5.1f%%   p50 %s ms  p99 %s ms  errors %d\n", $1, $2, total ? 100 * $2 / total : 0, $6, $9, $4
  }' "$STATS"
}
cat <<EOF

=== PackCheck HTTP load test ($(date -u +%FT%TZ)) ===
server:        $BASE, schema $APP_SCHEMA, PostgreSQL ${PG_HOST}:${PG_PORT}/${PG_DB}, Redis $REDIS_URL
jar:           ${JAR} built ${JAR_BUILT} (HEAD $(git -C "$ROOT" log -1 --format='%h %cI' 2>/dev/null || echo unknown))
load avg:      ${LOAD_BEFORE} before the run (the machine should be otherwise idle)
jvm:           PackCheck ${PACKCHECK_JAVA_OPTS}; Gatling ${GATLING_GC}
load:          Gatling closed model, ${USERS} concurrent users looping POST /v1/verifications$( (( RATE > 0 )) && echo ", throttled to ${RATE} checks/s")
               (${WARMUP}s warm-up not counted, ${DURATION}s measured: ${USER_SECONDS}s a user, ${WINDOW}s wall), $(nproc) cores shared
traffic mix (target: 40% dispense fresh, 25% dispense repeat, 15% dispense already_used, 10% verify, 10% fake):
$(mix)
cpu (run):     ${CPU}
total checks:  ${TOTAL}   (ok ${OKS}, errors ${KOS})
checks/s:      ${CPS}
latency:       p50 ${P50} ms   p99 ${P99} ms   mean ${MEAN} ms   max ${MAXRT} ms
fresh codes:   $(prop freshUsed) used of $(prop freshProvided) provided, $(prop freshReused) reused
group commit:  ${GROUP_LINE}
ledger:        ${LEDGER_DISPENSED} codes dispensed, ${LEDGER_FIRST} first-check interactions, ${LEDGER_ALL} interactions in all
codes:         ${HOT_UPDATES}
server time:   ${SERVER_CHECKS} checks (percentiles and max of the last two minutes)
ledger wait:   ${LEDGER_WAITS} checks
ledger commit: ${LEDGER_COMMITS} groups
alert scan:    ${ALERT_SCANS}
PostgreSQL:    fsync=${PG_FSYNC}  synchronous_commit=${PG_SYNC}  commit_delay=${PG_COMMIT_DELAY}
pgbench:       ${TPS} tps (one transaction per check: UPDATE code guarded by state + INSERT interaction;
               ${PGBENCH_CLIENTS} clients, ${PGBENCH_THREADS} threads, ${DURATION}s, latency avg ${PGB_LAT}, failed ${PGB_FAILED:-0})
cpu (pgbench): ${PGB_CPU}
ratio:         PackCheck checks/s ÷ pgbench tps = ${RATIO}
report:        ${REPORT}
EOF
if (( KOS > 0 )); then
  echo "errors (Gatling's last error summary):"
  awk '/^---- Errors/ { n++; buf[n] = ""; on = 1; next } on && /^(=|---- )/ { on = 0 } on && /^> / { buf[n] = buf[n] $0 "\n" }
       END { printf "%s", buf[n] }' "$RUN_DIR/gatling.log" | head -n 10 || true
fi
status=0
if [[ "$APP_ALIVE" != yes ]]; then
  echo "SERVER DIED: ${APP_ALIVE}"
  status=1
fi
if (( LEDGER_DISPENSED != LEDGER_FIRST )); then
  echo "LEDGER MISMATCH: ${LEDGER_DISPENSED} dispensed codes but ${LEDGER_FIRST} first-check interactions"
  status=1
fi
(( KOS == 0 )) || status=1
exit "$status"
