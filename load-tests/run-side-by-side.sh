#!/usr/bin/env bash
# PackCheck beside the obvious design (load-tests/peer: one autocommitted statement per check, a lean
# schema, a pool of 32, no Redis, no group commit), in one run, on the same PostgreSQL, with the same codes,
# the same load generator and the same mix:
#   wrk, THREADS threads and CONNECTIONS connections, each request a dispense of a code drawn at random from
#   CODES_N codes by one of two pharmacies (so codes repeat: genuine again for the pharmacy that dispensed
#   it, already_used for the other), WARMUP seconds not counted, then DURATION seconds measured.
# Every answer is read (dispense.lua): any status but 200 or an outcome other than genuine/already_used
# fails the run, and so does a ledger whose dispensed codes differ from its first-check interactions or
# whose interactions differ from the answers given by more than the requests in flight when wrk stopped.
# Each round runs both systems, one after the other (the first alternates between rounds), each on a fresh
# schema and a CHECKPOINT; it prints checks/s, p99, and CPU µs per check for each process.
# PostgreSQL is a cluster of the run's own (initdb from the newest /usr/lib/postgresql/*/bin, on a spare
# port, shared_buffers PG_SHARED_BUFFERS, fsync and synchronous_commit on, autovacuum on), dropped after;
# PRIVATE_PG=0 uses the one at 127.0.0.1:5432 instead.
#
# Settings (environment): PRIVATE_PG (1), PG_SHARED_BUFFERS (512MB), ROUNDS (3), DURATION (20), WARMUP (20), CONNECTIONS (64), THREADS (2),
# CODES_N (300000), PORT (18080, PackCheck), PEER_PORT (18090), PEER_POOL (32), JAVA_OPTS (-Xms1g -Xmx2g,
# for both JVMs), JAR (target/packcheck.jar), SYSTEMS ("packcheck peer": one of them alone, for tuning runs),
# REBUILD=1 (rebuild both jars), KEEP=1 (keep the schemas). PACKCHECK_* settings in the environment reach
# PackCheck unchanged.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
JAR=${JAR:-$ROOT/target/packcheck.jar}
PEER_JAR=$HERE/peer/target/packcheck-peer.jar
# shellcheck source=load-tests/lib.sh
source "$HERE/lib.sh"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-20}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
CODES_N=${CODES_N:-300000}
PORT=${PORT:-18080}
PEER_PORT=${PEER_PORT:-18090}
PEER_POOL=${PEER_POOL:-32}
JAVA_OPTS=${JAVA_OPTS:--Xms1g -Xmx2g}
SYSTEMS=${SYSTEMS:-packcheck peer}
PRIVATE_PG=${PRIVATE_PG:-1}
PG_SHARED_BUFFERS=${PG_SHARED_BUFFERS:-512MB}
PG_HOME=""
RUN_DIR="$HERE/target/side-${STAMP}"
HZ=$(getconf CLK_TCK)
RESULTS="$RUN_DIR/results.txt"
PEER_PID=""
PEER_SCHEMA=""

stop_extra() {
  stop_pid "$PEER_PID" peer 20
  if [[ -n "$PEER_SCHEMA" && -z "${KEEP:-}" ]]; then
    psql_q -c "drop schema if exists ${PEER_SCHEMA} cascade" >/dev/null 2>&1 || log "could not drop ${PEER_SCHEMA}"
  fi
  stop_private_pg
}

# as PostgreSQL's own user when run as root (initdb refuses root), else as the caller
as_pg() { if (( EUID == 0 )); then runuser -u postgres -- "$@"; else "$@"; fi; }

start_private_pg() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -x "$bin/initdb" ]] || die "no initdb under /usr/lib/postgresql/*/bin (or set PRIVATE_PG=0)"
  PG_HOME=$(mktemp -d /tmp/packcheck-side-pg.XXXXXX)
  (( EUID == 0 )) && chown postgres "$PG_HOME"
  PG_PORT=15432
  while ! free_port "$PG_PORT"; do PG_PORT=$(( PG_PORT + 1 )); done
  log "a PostgreSQL of the run's own: ${bin%/bin}, port ${PG_PORT}, shared_buffers ${PG_SHARED_BUFFERS}"
  as_pg "$bin/initdb" -D "$PG_HOME/data" -U postgres -A trust >"$RUN_DIR/initdb.log" 2>&1 || die "initdb failed: $(tail -n 3 "$RUN_DIR/initdb.log")"
  as_pg "$bin/pg_ctl" -D "$PG_HOME/data" -l "$PG_HOME/server.log" -w -t 60 -o "-p ${PG_PORT} -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories=${PG_HOME} -c shared_buffers=${PG_SHARED_BUFFERS} -c max_connections=200 \
    -c fsync=on -c synchronous_commit=on" start >/dev/null || die "PostgreSQL did not start: $(tail -n 5 "$PG_HOME/server.log")"
  PG_BIN=$bin
  psql_q -d postgres -c "create database ${PG_DB}" >/dev/null
}

stop_private_pg() {
  [[ -n "$PG_HOME" ]] || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$PG_HOME/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_HOME"
  PG_HOME=""
}

# PostgreSQL's processes: the private cluster's postmaster and its children, else every postgres process
pg_pids() {
  if [[ -n "$PG_HOME" ]]; then
    local postmaster
    postmaster=$(head -n 1 "$PG_HOME/data/postmaster.pid")
    echo "$postmaster"
    pgrep -P "$postmaster"
  else
    pgrep -u postgres postgres
  fi
}
trap finish_run EXIT
trap 'exit 130' INT TERM

prepare_run java mvn curl psql jq wrk perl awk shuf gzip redis-server
if [[ ! -f "$PEER_JAR" || -n "${REBUILD:-}" ]]; then
  log "building $PEER_JAR"
  timeout 900 mvn -q -f "$HERE/peer/pom.xml" package || die "building the peer failed"
fi
free_port "$PEER_PORT" || die "port $PEER_PORT is in use; set PEER_PORT"
(( PRIVATE_PG )) && start_private_pg
psql_q -Atc "select 1" >/dev/null || die "PostgreSQL at ${PG_HOST}:${PG_PORT}/${PG_DB} is not reachable"

log "generating ${CODES_N} random 16-digit codes"
random_codes "$CODES_N" >"$RUN_DIR/codes.txt"
: >"$RESULTS"

# CPU ticks (user + system) of the given pids, one "pid ticks" a line
ticks() {
  local p line
  local -a f
  for p in "$@"; do
    read -r line 2>/dev/null <"/proc/$p/stat" || continue
    f=(${line##*) })
    echo "$p $(( f[11] + f[12] ))"
  done
}
# ticks gained between two "pid ticks" lists (a pid new in the second counts from zero)
gained() { awk 'NR == FNR { a[$1] = $2; next } { d += $2 - a[$1] } END { print d + 0 }' "$1" "$2"; }

# measure NAME URL APP_PID REDIS_PID: warm-up, then the measured wrk run; appends one line to $RESULTS:
# "name checks/s p99_ms app_us pg_us redis_us wrk_us other_us answers wal_bytes_per_check fpi_per_1000_checks"
# (the WAL figures are the whole cluster's: the machine should be otherwise idle)
measure() {
  local name=$1 url=$2 app=$3 redis=$4 out="$RUN_DIR/wrk-$1-$round"
  export CODES="$RUN_DIR/codes.txt" TOKEN_A TOKEN_B
  psql_q -c checkpoint >/dev/null
  log "$name: wrk warm-up ${WARMUP}s"
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "${WARMUP}s" --latency -s "$HERE/dispense.lua" "$url" >"$out.warmup" 2>&1 \
    || die "wrk failed: $(tail -n 5 "$out.warmup")"
  ticks $(pg_pids) >"$out.pg0"
  ticks "$app" >"$out.app0"
  [[ -n "$redis" ]] && ticks "$redis" >"$out.redis0" || : >"$out.redis0"
  local busy0 busy1 wal0 wal1
  machine_ticks
  busy0=$BUSY
  wal0=$(psql_q -Atc "select wal_bytes || ' ' || wal_fpi from pg_stat_wal")
  log "$name: wrk measured ${DURATION}s"
  # perl reports the CPU of its child (wrk) once it has exited
  perl -e 'system(@ARGV) == 0 or exit 1; my @t = times; printf "wrk_cpu_s %.2f\n", $t[2] + $t[3]' \
    wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --latency -s "$HERE/dispense.lua" "$url" >"$out" 2>&1 \
    || die "wrk failed: $(tail -n 5 "$out")"
  machine_ticks
  busy1=$BUSY
  wal1=$(psql_q -Atc "select wal_bytes || ' ' || wal_fpi from pg_stat_wal")
  ticks $(pg_pids) >"$out.pg1"
  ticks "$app" >"$out.app1"
  [[ -n "$redis" ]] && ticks "$redis" >"$out.redis1" || : >"$out.redis1"
  local genuine used other non200 p99_us wrk_s
  read -r _ _ genuine _ used _ other _ non200 _ p99_us < <(grep '^answers ' "$out")
  wrk_s=$(awk '/^wrk_cpu_s/ { print $2 }' "$out")
  (( non200 == 0 && other == 0 )) || die "$name: ${non200} answers were not 200 and ${other} had an unexpected outcome"
  awk -v name="$name" -v n=$(( genuine + used )) -v d="$DURATION" -v p99="$p99_us" -v hz="$HZ" \
    -v app="$(gained "$out.app0" "$out.app1")" -v pg="$(gained "$out.pg0" "$out.pg1")" \
    -v redis="$(gained "$out.redis0" "$out.redis1")" -v wrk="$wrk_s" -v busy=$(( busy1 - busy0 )) \
    -v wal="$wal0 $wal1" 'BEGIN {
      split(wal, w, " ")
      us = 1e6 / hz / n
      other = busy * us - app * us - pg * us - redis * us - wrk * 1e6 / n
      printf "%s %.0f %.1f %.0f %.0f %.0f %.0f %.0f %d %.0f %.1f\n", name, n / d, p99 / 1000, app * us, pg * us,
        redis * us, wrk * 1e6 / n, other < 0 ? 0 : other, n, (w[3] - w[1]) / n, 1000 * (w[4] - w[2]) / n
    }' >>"$RESULTS"
  log "$name: $(tail -n 1 "$RESULTS")"
}

# check_ledger NAME SCHEMA: the ledger agrees with itself and with the answers wrk counted
check_ledger() {
  local name=$1 schema=$2 answers dispensed first all
  answers=$(cat "$RUN_DIR/wrk-$name-$round.warmup" "$RUN_DIR/wrk-$name-$round" \
    | awk '/^answers / { n += $3 + $5 } END { print n }')
  read -r dispensed first all < <(psql_q -Atc "select (select count(*) from ${schema}.codes where state = 1),
    (select count(*) from ${schema}.interactions where first_check), (select count(*) from ${schema}.interactions)" | tr '|' ' ')
  (( dispensed == first )) || die "$name: ${dispensed} codes dispensed but ${first} first-check interactions"
  (( all >= answers && all - answers <= 2 * CONNECTIONS )) \
    || die "$name: ${all} interactions recorded for ${answers} answers"
  log "$name: ledger ok (${dispensed} codes dispensed, ${all} interactions for ${answers} answers)"
}

# ledger_line METRICS: PackCheck's own view of the HTTP checks (Micrometer's percentiles over its last two
# minutes): the server's time for a check, the part of it waiting on the ledger, the group commits, and the
# mean checks a group
ledger_line() {
  awk -v round="$round" '
    function ms(v) { return sprintf("%.1f", 1000 * v) }
    /^packcheck_check_seconds\{channel="http",quantile="0.5"/ { c50 = $2 } /^packcheck_check_seconds\{channel="http",quantile="0.99"/ { c99 = $2 }
    /^packcheck_ledger_wait_seconds\{channel="http",quantile="0.5"/ { w50 = $2 } /^packcheck_ledger_wait_seconds\{channel="http",quantile="0.99"/ { w99 = $2 }
    /^packcheck_ledger_commit_seconds\{channel="http",quantile="0.5"/ { g50 = $2 } /^packcheck_ledger_commit_seconds\{channel="http",quantile="0.99"/ { g99 = $2 }
    /^packcheck_ledger_group_checks_count\{channel="http"/ { n = $2 } /^packcheck_ledger_group_checks_sum\{channel="http"/ { sum = $2 }
    END { printf "round %d: server p50 %s / p99 %s ms, of which ledger wait p50 %s / p99 %s ms; group commit p50 %s / p99 %s ms, %.1f checks a group\n",
      round, ms(c50), ms(c99), ms(w50), ms(w99), ms(g50), ms(g99), n ? sum / n : 0 }' <<<"$1"
}

run_packcheck() {
  APP_SCHEMA="side_pc_${STAMP}_${round}"
  BASE="http://127.0.0.1:${PORT}"
  REDIS_URL=""
  start_redis
  # shellcheck disable=SC2086
  start_packcheck "$JAR" $JAVA_OPTS
  stock_batch "$RUN_DIR/codes.txt"
  measure packcheck "$BASE" "$APP_PID" "$REDIS_PID"
  check_ledger packcheck "$APP_SCHEMA"
  ledger_line "$(curl -s --max-time 5 "$BASE/metrics")" >>"$RUN_DIR/ledger.txt"
  log "packcheck: $(tail -n 1 "$RUN_DIR/ledger.txt")"
  stop_pid "$APP_PID" PackCheck 40
  stop_pid "$REDIS_PID" redis-server 10
  APP_PID="" REDIS_PID=""
  [[ -n "${KEEP:-}" ]] || { psql_q -c "drop schema ${APP_SCHEMA} cascade" >/dev/null; APP_SCHEMA_CREATED=""; }
}

run_peer() {
  PEER_SCHEMA="side_peer_${STAMP}_${round}"
  TOKEN_A="peer-a-${STAMP}" TOKEN_B="peer-b-${STAMP}"
  log "peer: schema ${PEER_SCHEMA}, loading the codes"
  psql_q <<SQL
create schema ${PEER_SCHEMA};
set search_path = ${PEER_SCHEMA};
\\i ${HERE}/peer/src/main/resources/schema.sql
insert into pharmacies values (1, sha256(convert_to('${TOKEN_A}', 'UTF8'))), (2, sha256(convert_to('${TOKEN_B}', 'UTF8')));
insert into batches values (1, 1, 'active', current_date + 730, 5);
create temp table raw (code text);
\\copy raw from '${RUN_DIR}/codes.txt'
insert into codes (hash, batch_id) select sha256(convert_to(code, 'UTF8')), 1 from raw;
vacuum analyze;
SQL
  # shellcheck disable=SC2086
  PEER_PG_URL="postgresql://${PG_USER}@${PG_HOST}:${PG_PORT}/${PG_DB}" PEER_SCHEMA="$PEER_SCHEMA" \
  PEER_PORT="$PEER_PORT" PEER_POOL="$PEER_POOL" java $JAVA_OPTS -jar "$PEER_JAR" >"$RUN_DIR/peer-$round.log" 2>&1 &
  PEER_PID=$!
  for _ in $(seq 100); do
    grep -q 'peer listening' "$RUN_DIR/peer-$round.log" && break
    kill -0 "$PEER_PID" 2>/dev/null || die "the peer exited: $(tail -n 5 "$RUN_DIR/peer-$round.log")"
    sleep 0.2
  done
  measure peer "http://127.0.0.1:${PEER_PORT}" "$PEER_PID" ""
  check_ledger peer "$PEER_SCHEMA"
  stop_pid "$PEER_PID" peer 20
  PEER_PID=""
  [[ -n "${KEEP:-}" ]] || psql_q -c "drop schema ${PEER_SCHEMA} cascade" >/dev/null
  PEER_SCHEMA=""
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq "$ROUNDS"); do
  order="packcheck peer"
  (( round % 2 )) || order="peer packcheck"
  for system in $order; do
    [[ " $SYSTEMS " == *" $system "* ]] && "run_$system"
  done
done

cat <<EOF

=== PackCheck beside the obvious design ($(date -u +%FT%TZ)) ===
commit:      $(git -C "$ROOT" log -1 --format='%h %cI' 2>/dev/null || echo unknown); jar ${JAR}
machine:     $(nproc) cores, load avg ${LOAD_BEFORE} before the run
PostgreSQL:  $(psql_q -Atc "select version()" | cut -d' ' -f1-2) $( (( PRIVATE_PG )) && echo "(the run's own cluster)" || echo "at ${PG_HOST}:${PG_PORT}"), fsync=$(psql_q -Atc "show fsync"), synchronous_commit=$(psql_q -Atc "show synchronous_commit"), shared_buffers=$(psql_q -Atc "show shared_buffers"), autovacuum=$(psql_q -Atc "show autovacuum")
load:        wrk ${THREADS} threads, ${CONNECTIONS} connections, POST /v1/verifications dispensing codes drawn at random from ${CODES_N}, two pharmacies; ${WARMUP}s warm-up, ${DURATION}s measured; JVMs ${JAVA_OPTS}; peer pool ${PEER_POOL}

round  system      checks/s   p99 ms   CPU µs per check: service  PostgreSQL  Redis  wrk  other   WAL B/check  full pages/1000
EOF
awk -v per="$(wc -w <<<"$SYSTEMS")" '{ r = int((NR + per - 1) / per); printf "%5d  %-10s %9s %8s %26s %11s %6s %4s %6s %13s %16s\n", r, $1, $2, $3, $4, $5, $6, $7, $8, $10, $11 }' \
  "$RESULTS"
[[ -f "$RUN_DIR/ledger.txt" ]] && { echo; echo "PackCheck's ledger (from its /metrics, all checks of the run):"; cat "$RUN_DIR/ledger.txt"; }
awk '$1 == "packcheck" { pc[++a] = $2 } $1 == "peer" { peer[++b] = $2 }
  END {
    for (i = 1; i <= a && i <= b; i++) { r = pc[i] / peer[i]; s = s sprintf("%s%.2f", i > 1 ? ", " : "", r)
      if (i == 1 || r < lo) lo = r; if (i == 1 || r > hi) hi = r }
    printf "\nratio (PackCheck ÷ peer, checks/s) per round: %s   (spread %.2f–%.2f)\n", s, lo, hi
  }' "$RESULTS"
