#!/usr/bin/env bash
# PackCheck's SMS channel under load, end to end, on the local machine only (127.0.0.1):
#   1. builds target/packcheck.jar if it is missing,
#   2. starts SmsLoad.java (the operator's SMSC and the shoppers' phones) on a free port, then a private
#      redis-server and PackCheck on the local PostgreSQL (a fresh schema), bound to SmsLoad over SMPP,
#   3. creates a manufacturer, product and batch, uploads enough 16-digit codes for the run, activates
#      them and hands them to SmsLoad (the codes file, written last, by rename),
#   4. SmsLoad sends MOs at RATE/s for WARMUP + DURATION s through a window of WINDOW deliver_sm and
#      prints its report; meanwhile this script samples the CPU, pg_stat_activity and (mid-run) jstack,
#   5. prints the CPU split and the outbox's final state, then drops what it made.
#
# With none of SMSC_TPS, RATE, DURATION set it runs the two standard scenarios one after the other:
#   SMSC_TPS=5000 RATE=2500 DURATION=30   MO/s and latencies with a fast SMSC
#   SMSC_TPS=50   RATE=200  DURATION=20   replies held back by a slow SMSC: the outbox backlog
#
# Settings (environment): SMSC_TPS, RATE, DURATION (above), WARMUP (5), WINDOW (50), DRAIN (enough for
# the backlog at SMSC_TPS, at least 30), CODES (RATE × (WARMUP + DURATION), at least 1000), PORT (18095),
# SMPP_PORT (2775 or the next free one), PACKCHECK_JAVA_OPTS (-Xms1g -Xmx2g), SMSLOAD_JAVA_OPTS
# (-Xmx1g), REBUILD=1 (rebuild the jar), KEEP=1 (keep the schema). Logs stay in load-tests/target/sms-<stamp>/.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
JAR=${JAR:-$ROOT/target/packcheck.jar}

if [[ -z "${SMSC_TPS:-}${RATE:-}${DURATION:-}" ]]; then
  SMSC_TPS=5000 RATE=2500 DURATION=30 bash "${BASH_SOURCE[0]}"
  # the jar is built by now; the second run must not rebuild it again
  SMSC_TPS=50 RATE=200 DURATION=20 REBUILD='' bash "${BASH_SOURCE[0]}"
  exit 0
fi

# shellcheck source=load-tests/lib.sh
source "$HERE/lib.sh"

SMSC_TPS=${SMSC_TPS:-5000}
RATE=${RATE:-2500}
DURATION=${DURATION:-30}
WARMUP=${WARMUP:-5}
WINDOW=${WINDOW:-50}
LOAD_SECONDS=$(( WARMUP + DURATION ))
# long enough for the SMSC's rate to send every reply of the run, plus half a minute
BACKLOG_SECONDS=$(( (RATE * LOAD_SECONDS + SMSC_TPS - 1) / SMSC_TPS - LOAD_SECONDS ))
DRAIN=${DRAIN:-$(( BACKLOG_SECONDS > 0 ? BACKLOG_SECONDS + 30 : 30 ))}
CODES=${CODES:-$(( RATE * LOAD_SECONDS > 1000 ? RATE * LOAD_SECONDS : 1000 ))}
PORT=${PORT:-18095}
SMPP_PORT=${SMPP_PORT:-2775}
PACKCHECK_JAVA_OPTS=${PACKCHECK_JAVA_OPTS:--Xms1g -Xmx2g}
SMSLOAD_JAVA_OPTS=${SMSLOAD_JAVA_OPTS:--Xmx1g}
SHORT_CODE=1393
SMPP_SYSTEM_ID=packcheck
SMPP_PASSWORD="$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"  # SMPP allows 8 characters
APP_SCHEMA="sms_${STAMP}"
RUN_DIR="$HERE/target/sms-${STAMP}"
BASE="http://127.0.0.1:${PORT}"
LOAD_PID=""
SAMPLER_PID=""

stop_extra() {
  [[ -z "$SAMPLER_PID" ]] || kill "$SAMPLER_PID" 2>/dev/null
  stop_pid "$LOAD_PID" SmsLoad 15
  rm -f "$RUN_DIR"/codes.* 2>/dev/null
}
trap finish_run EXIT
trap 'exit 130' INT TERM

prepare_run java mvn curl psql jq redis-server
while ! free_port "$SMPP_PORT"; do SMPP_PORT=$(( SMPP_PORT + 1 )); done

# SmsLoad first: it is the SMSC PackCheck binds to. It waits for the bind, then for the codes file.
# A private copy of the jar, as for PackCheck: a rebuild of target/ mid-run cannot pull classes away.
cp "$JAR" "$RUN_DIR/data/smsload.jar"
log "starting SmsLoad (SMSC on :$SMPP_PORT, ${SMSC_TPS} submit_sm/s; ${RATE} MO/s for ${WARMUP}+${DURATION} s, window ${WINDOW}, drain ≤ ${DRAIN} s)"
# shellcheck disable=SC2086
timeout $(( LOAD_SECONDS + DRAIN + 600 )) java $SMSLOAD_JAVA_OPTS -cp "$RUN_DIR/data/smsload.jar" "$HERE/SmsLoad.java" \
  --port "$SMPP_PORT" --system-id "$SMPP_SYSTEM_ID" --password "$SMPP_PASSWORD" --short-code "$SHORT_CODE" \
  --smsc-tps "$SMSC_TPS" --rate "$RATE" --duration "$DURATION" --warmup "$WARMUP" --window "$WINDOW" \
  --drain "$DRAIN" --bind-timeout 90 --codes "$RUN_DIR/codes.txt" --metrics-url "$BASE/metrics" \
  >"$RUN_DIR/smsload.out" 2> >(tee "$RUN_DIR/smsload.log" >&2) &
LOAD_PID=$!

start_redis
export PACKCHECK_SMPP_HOST=127.0.0.1 PACKCHECK_SMPP_PORT="$SMPP_PORT" PACKCHECK_SMPP_SYSTEM_ID="$SMPP_SYSTEM_ID" \
  PACKCHECK_SMPP_PASSWORD="$SMPP_PASSWORD" PACKCHECK_SMPP_SHORT_CODE="$SHORT_CODE" PACKCHECK_SMPP_COUNTRY=GH \
  PACKCHECK_SMPP_MAX_TPS="$SMSC_TPS" PACKCHECK_SMPP_BUDGET_MS="${PACKCHECK_SMPP_BUDGET_MS:-2000}" \
  PACKCHECK_SMS_MAX_BAD_PER_HOUR=1000000  # every fake comes from a new number, but keep the limit out of the way
# shellcheck disable=SC2086
start_packcheck "$JAR" $PACKCHECK_JAVA_OPTS

MAKER_TOKEN=$(json POST /v1/manufacturers "$ADMIN_TOKEN" '{"name":"SMS Load Pharma","pricePerCheck":5,"currency":"GHS"}' | jq -r .token)
PRODUCT_ID=$(json POST /v1/products "$MAKER_TOKEN" '{"name":"Amoxicillin 500 mg"}' | jq -r .id)
BATCH=$(json POST /v1/batches "$MAKER_TOKEN" "{\"productId\":${PRODUCT_ID},\"lot\":\"SMS-${STAMP: -6}\",\"expiry\":\"2030-12-31\"}" | jq -r .id)
# distinct 16-digit codes in steps of 7919: their hashes are as random as any
seq 1000000000000000 7919 $(( 1000000000000000 + (CODES - 1) * 7919 )) >"$RUN_DIR/codes.tmp"
UPLOAD=$(api POST "/v1/batches/${BATCH}/codes" "$MAKER_TOKEN" -H 'Content-Type: text/plain' --data-binary "@$RUN_DIR/codes.tmp")
[[ "$(jq -r .accepted <<<"$UPLOAD")" == "$CODES" ]] || die "the upload did not accept every code: $UPLOAD"
json POST "/v1/batches/${BATCH}/activate" "$MAKER_TOKEN" '{}' >/dev/null
log "batch $BATCH: ${CODES} codes uploaded and active; /ready: $(curl -s --max-time 5 "$BASE/ready")"

# CPU ticks once a second: "epoch_ms packcheck smsload redis postgres busy all" (lib.sh's fork-free
# readers; the processes looked up every 5 s)
sampler() {
  local end=$(( EPOCHSECONDS + LOAD_SECONDS + 5 )) i=0 load="" postgres="" app smsload redis
  while (( EPOCHSECONDS < end )); do
    if (( i % 5 == 0 )); then
      # SmsLoad's JVM runs under timeout(1): count both
      load="$LOAD_PID $(pgrep -P "$LOAD_PID" | tr '\n' ' ' || true)"
      postgres=$(pgrep -u postgres postgres | tr '\n' ' ' || true)
    fi
    # shellcheck disable=SC2086
    { ticks_of "$APP_PID"; app=$TICKS; ticks_of $load; smsload=$TICKS; ticks_of "$REDIS_PID"; redis=$TICKS
      ticks_of $postgres; }
    machine_ticks
    printf '%s %s %s %s %s %s %s\n' "$(( ${EPOCHREALTIME/./} / 1000 ))" "$app" "$smsload" "$redis" "$TICKS" \
      "$BUSY" "$ALL" >>"$RUN_DIR/cpu.samples"
    # what PackCheck's PostgreSQL backends are doing (where the time goes, if it goes there)
    psql_q -At -F' | ' -c "select coalesce(wait_event_type, 'CPU'), coalesce(wait_event, '-'), state,
        regexp_replace(left(query, 50), '\s+', ' ', 'g') from pg_stat_activity
        where datname = '${PG_DB}' and pid <> pg_backend_pid() and state <> 'idle'" >>"$RUN_DIR/pg_activity.samples" 2>/dev/null || true
    # commits and WAL flushes: every autocommit statement of the SMS path pays one of each
    psql_q -At -F' ' -c "select $(date +%s%3N), (select xact_commit from pg_stat_database where datname = '${PG_DB}'),
        wal_sync, wal_write from pg_stat_wal" >>"$RUN_DIR/pg_counters.samples" 2>/dev/null || true
    # two thread dumps of PackCheck in the middle of the measured load
    if (( i == WARMUP + DURATION / 2 || i == WARMUP + DURATION / 2 + 1 )) && command -v jstack >/dev/null; then
      timeout 10 jstack "$APP_PID" >"$RUN_DIR/jstack.$i.txt" 2>/dev/null || true
    fi
    i=$(( i + 1 ))
    sleep 1
  done
}

LOAD_AVG_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
mv "$RUN_DIR/codes.tmp" "$RUN_DIR/codes.txt"   # SmsLoad starts now
CODES_AT_MS=$(date +%s%3N)
sampler &
SAMPLER_PID=$!
wait "$LOAD_PID" || die "SmsLoad failed (exit $?); see $RUN_DIR/smsload.log"
LOAD_PID=""
LOAD_AVG_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""

# CPU shares over the measured load (100 % = one core)
CPU=$(awk -v from=$(( CODES_AT_MS + WARMUP * 1000 )) -v to=$(( CODES_AT_MS + LOAD_SECONDS * 1000 + 500 )) \
  -v hz="$(getconf CLK_TCK)" '
  NF == 7 && $1 >= from && !a { a = 1; split($0, s0) } NF == 7 && $1 <= to { split($0, s1) }
  END {
    if (!a || s1[1] <= s0[1]) { print "n/a"; exit }
    f = 100 / hz / ((s1[1] - s0[1]) / 1000)
    app = (s1[2] - s0[2]) * f; load = (s1[3] - s0[3]) * f; rds = (s1[4] - s0[4]) * f; pg = (s1[5] - s0[5]) * f
    busy = (s1[6] - s0[6]) * f; all = (s1[7] - s0[7]) * f; rest = busy - app - load - rds - pg
    printf "PackCheck %.0f%%, PostgreSQL %.0f%%, Redis %.0f%%, SmsLoad %.0f%%, other %.0f%%, idle %.0f%% (of %.0f%%)",
      app, pg, rds, load, rest < 0 ? 0 : rest, all - busy, all }' "$RUN_DIR/cpu.samples")
PG_RATES=$(awk -v from=$(( CODES_AT_MS + WARMUP * 1000 )) -v to=$(( CODES_AT_MS + LOAD_SECONDS * 1000 + 500 )) '
  NF == 4 && $1 >= from && !a { a = 1; split($0, s0) } NF == 4 && $1 <= to { split($0, s1) }
  END { if (!a || s1[1] <= s0[1]) { print "n/a"; exit }; secs = (s1[1] - s0[1]) / 1000
        printf "%.0f commits/s, %.0f WAL fsyncs/s, %.0f WAL writes/s (database %s, all clients)",
          (s1[2] - s0[2]) / secs, (s1[3] - s0[3]) / secs, (s1[4] - s0[4]) / secs, db }' db="$PG_DB" "$RUN_DIR/pg_counters.samples")
OUTBOX=$(psql_q -At -c "select string_agg(state || ' ' || n, ', ' order by state) from
  (select state, count(*) n from ${APP_SCHEMA}.sms_outbox group by state) s")
SMS_CHECKS=$(psql_q -At -c "select count(*) from ${APP_SCHEMA}.interactions where channel = 'sms'")
# the busiest (wait, statement) pairs among PostgreSQL's non-idle backends, one sample a second
PG_WAITS=$(awk -F' [|] ' '{ n[$1 " " $2 " " $4]++ } END { for (k in n) printf "%d× %s\n", n[k], k }' \
  "$RUN_DIR/pg_activity.samples" 2>/dev/null | sort -rn | head -n 6 | sed 's/^/          /')

cat "$RUN_DIR/smsload.out"
printf 'machine:  %s cores; load average before %s, after %s\n' "$(nproc)" "$LOAD_AVG_BEFORE" "$LOAD_AVG_AFTER"
printf 'cpu:      %s\n' "$CPU"
printf 'postgres: %s\n' "$PG_RATES"
printf 'postgres: non-idle sessions (sampled once a second), by wait and statement:\n%s\n' "${PG_WAITS:-          none}"
printf 'ledger:   %s SMS checks committed; outbox now: %s\n' "$SMS_CHECKS" "${OUTBOX:-empty}"
printf 'logs:     %s\n' "$RUN_DIR"
