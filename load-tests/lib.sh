# Shared by the load-test scripts (sourced, not run): logging, PostgreSQL, a private redis-server,
# PackCheck from the jar, the JSON API, and CPU shares per process during a run. Expects RUN_DIR,
# BASE/PORT and APP_SCHEMA set by the caller; sets REDIS_PID/REDIS_URL and APP_PID.

PG_HOST=127.0.0.1
PG_PORT=5432
PG_USER=postgres
PG_DB=test
export PGCONNECT_TIMEOUT=10

STAMP=$(date -u +%Y%m%d%H%M%S)_$$
# the run's own admin token and code secret, never a real deployment's
ADMIN_TOKEN="load-admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
CODE_SECRET="load-secret-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"

# what the functions below start, for finish_run to stop
APP_PID=""
REDIS_PID=""
APP_SCHEMA_CREATED=""

log() { printf '%s  %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

psql_q() {
  timeout 1800 psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" "$@"
}

# Gatling's collector reaches its JVM as a single argument (load-tests/pom.xml): one flag, or Gatling's
# fork fails only after the whole set-up.
check_gatling_gc() { [[ "$GATLING_GC" != *[[:space:]]* ]] || die "GATLING_GC takes one JVM flag, not '$GATLING_GC'"; }

free_port() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

stop_pid() { # pid, name, seconds to wait after SIGTERM
  local pid=$1 name=$2 wait=${3:-30}
  [[ -n "$pid" ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq $(( wait * 10 ))); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  log "$name (pid $pid) did not stop in ${wait}s: killing it"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# A redis-server of our own (no persistence) on a free port from REDIS_PORT (16379) up, unless
# REDIS_URL names one already.
start_redis() {
  [[ -z "${REDIS_URL:-}" ]] || return 0
  REDIS_PORT=${REDIS_PORT:-16379}
  while ! free_port "$REDIS_PORT"; do REDIS_PORT=$(( REDIS_PORT + 1 )); done
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize no \
    --dir "$RUN_DIR/data" --logfile "$RUN_DIR/redis.log" &
  REDIS_PID=$!
  REDIS_URL="redis://127.0.0.1:${REDIS_PORT}"
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null && break
    sleep 0.1
  done
}

# PackCheck from a private copy of the jar (a rebuild of target/ during the run would pull classes
# from under the JVM), on schema $APP_SCHEMA and $REDIS_URL; returns once it is ready.
start_packcheck() { # jar, java options...
  local jar=$1
  shift
  cp "$jar" "$RUN_DIR/data/packcheck-loadtest.jar"
  log "starting PackCheck on :$PORT (schema $APP_SCHEMA, Redis $REDIS_URL, java $*)"
  APP_SCHEMA_CREATED=1   # Flyway creates it at start; drop it whatever happens next
  PACKCHECK_PG_URL="postgresql://${PG_USER}@${PG_HOST}:${PG_PORT}/${PG_DB}" \
  PACKCHECK_PG_SCHEMA="$APP_SCHEMA" \
  PACKCHECK_REDIS_URL="$REDIS_URL" \
  PACKCHECK_REDIS_PREFIX="$APP_SCHEMA" \
  PACKCHECK_ADMIN_TOKEN="$ADMIN_TOKEN" \
  PACKCHECK_CODE_SECRET="$CODE_SECRET" \
  PACKCHECK_HTTP_PORT="$PORT" \
  PACKCHECK_DATA_DIR="$RUN_DIR/data" \
    java "$@" -jar "$RUN_DIR/data/packcheck-loadtest.jar" >"$RUN_DIR/packcheck.log" 2>&1 &
  APP_PID=$!
  local ready=""
  for _ in $(seq 120); do
    kill -0 "$APP_PID" 2>/dev/null || die "PackCheck exited during start-up"
    if curl -sf --max-time 2 "$BASE/ready" >/dev/null 2>&1; then ready=1; break; fi
    sleep 0.5
  done
  [[ -n "$ready" ]] || die "PackCheck not ready after 60s"
  log "PackCheck ready: $(curl -s --max-time 2 "$BASE/ready")"
}

api() { # method path token [curl args...]; prints the body, fails on a non-2xx status
  local method=$1 path=$2 token=$3
  shift 3
  local out status
  out=$(curl -sS --max-time 600 -X "$method" -H "Authorization: Bearer $token" -w $'\n%{http_code}' "$@" "$BASE$path")
  status=${out##*$'\n'}
  out=${out%$'\n'*}
  [[ "$status" == 2* ]] || die "$method $path → HTTP $status: $out"
  printf '%s' "$out"
}
json() { api "$1" "$2" "$3" -H 'Content-Type: application/json' --data-binary "$4"; }

# random_codes N: N distinct random 16-digit codes, one a line, in random order.
random_codes() {
  local n=$1
  awk -v n=$(( n + n / 50 + 100 )) -v seed="$RANDOM$RANDOM" 'BEGIN {
    srand(seed)
    for (i = 0; i < n; i++) printf "%08d%08d\n", int(rand() * 100000000), int(rand() * 100000000)
  }' | sort -u | shuf -n "$n" >"$RUN_DIR/codes.tmp"
  (( $(wc -l <"$RUN_DIR/codes.tmp") == n )) || die "could not generate ${n} distinct codes"
  cat "$RUN_DIR/codes.tmp"
  rm -f "$RUN_DIR/codes.tmp"
}

# stock_batch FILE: on the PackCheck at $BASE, a manufacturer (5 a check), pharmacies A and B, a product and
# an active batch holding the codes in FILE (uploaded gzipped); returns once Redis holds every code. Sets
# MAKER_TOKEN, TOKEN_A, TOKEN_B and BATCH_ID.
stock_batch() {
  local file=$1 upload t0 t1 complete="" product expiry
  MAKER_TOKEN=$(json POST /v1/manufacturers "$ADMIN_TOKEN" '{"name":"Load Test Pharma","pricePerCheck":5,"currency":"GHS"}' | jq -r .token)
  TOKEN_A=$(json POST /v1/pharmacies "$ADMIN_TOKEN" '{"name":"Load Pharmacy A","region":"Greater Accra"}' | jq -r .token)
  TOKEN_B=$(json POST /v1/pharmacies "$ADMIN_TOKEN" '{"name":"Load Pharmacy B","region":"Ashanti"}' | jq -r .token)
  product=$(json POST /v1/products "$MAKER_TOKEN" '{"name":"Paracetamol 500 mg","gtin":"06001234567890"}' | jq -r .id)
  expiry=$(date -u -d '+2 years' +%F)
  BATCH_ID=$(json POST /v1/batches "$MAKER_TOKEN" \
    "{\"productId\":${product},\"lot\":\"LOAD-${STAMP}\",\"expiry\":\"${expiry}\"}" | jq -r .id)
  gzip -1 -c "$file" >"$RUN_DIR/codes-upload.gz"
  log "uploading $(wc -l <"$file") codes to batch $BATCH_ID (text/plain, gzip)"
  t0=$(date +%s%N)
  upload=$(api POST "/v1/batches/${BATCH_ID}/codes" "$MAKER_TOKEN" -H 'Content-Type: text/plain' \
    -H 'Content-Encoding: gzip' --data-binary "@$RUN_DIR/codes-upload.gz")
  t1=$(date +%s%N)
  rm -f "$RUN_DIR/codes-upload.gz"
  [[ "$(jq -r .accepted <<<"$upload")" == "$(wc -l <"$file")" ]] || die "upload did not accept every code: $upload"
  log "upload: $(jq -c '{received,accepted,invalid}' <<<"$upload") in $(( (t1 - t0) / 1000000 )) ms"
  t0=$(date +%s%N)
  json POST "/v1/batches/${BATCH_ID}/activate" "$MAKER_TOKEN" '{}' >/dev/null
  t1=$(date +%s%N)
  log "batch activated in $(( (t1 - t0) / 1000000 )) ms"
  for _ in $(seq 120); do
    if curl -s --max-time 2 "$BASE/ready" | grep -q '"redisCodes":"complete"'; then complete=1; break; fi
    sleep 0.5
  done
  [[ -n "$complete" ]] || log "WARNING: Redis does not hold every code yet: $(curl -s --max-time 2 "$BASE/ready")"
}

# Before a run: the tools it needs are on the PATH, its directory exists, the jar is built (again with
# REBUILD set), and PORT is free.
prepare_run() { # tools...
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || die "$tool is required on the PATH"
  done
  mkdir -p "$RUN_DIR/data"
  if [[ ! -f "$JAR" || -n "${REBUILD:-}" ]]; then
    log "building $JAR"
    timeout 900 mvn -q -f "$ROOT/pom.xml" package -DskipTests || die "mvn package failed"
  fi
  [[ -f "$JAR" ]] || die "$JAR not found after the build"
  free_port "$PORT" || die "port $PORT is in use; set PORT"
}

# The EXIT trap of a script that started PackCheck and Redis with the functions above: stops them,
# drops the schema (unless KEEP is set), removes the run's data and, on failure, shows PackCheck's log.
# A script may define stop_extra to stop what it started besides.
finish_run() {
  local rc=$?
  trap - EXIT INT TERM
  set +e   # clean up everything, whatever fails on the way
  declare -F stop_extra >/dev/null && stop_extra
  stop_pid "${APP_PID:-}" PackCheck 40
  stop_pid "${REDIS_PID:-}" redis-server 10
  if [[ -n "${APP_SCHEMA_CREATED:-}" && -z "${KEEP:-}" ]]; then
    psql_q -c "drop schema if exists ${APP_SCHEMA} cascade" >/dev/null 2>&1 || log "could not drop ${APP_SCHEMA}"
  fi
  rm -rf "$RUN_DIR/data" 2>/dev/null || true
  (( rc == 0 )) || { log "FAILED (exit $rc); logs in $RUN_DIR"; tail -n 30 "$RUN_DIR/packcheck.log" >&2 2>/dev/null; }
  exit "$rc"
}

# CPU accounting, one line a second (clock ticks): "epoch_ms app redis loadgen pg_of_ours pg_all busy all".
#   app       the PackCheck JVM;  redis  our redis-server;  loadgen  every process under the pid in
#   $RUN_DIR/loadgen.pid (Maven + the Gatling JVM, or pgbench);  pg_of_ours  the PostgreSQL backends
#   whose client is PackCheck or the load generator;  pg_all  every postgres process;  busy/all  the
#   machine (from /proc/stat). What is left is other work on the machine, which skews the figures.
# The sampler runs beside the load it measures: its loop forks nothing (reads with the read builtin,
# sleeps on a pipe no one writes), and the processes it counts are looked up every 5 s only: forking
# pgrep, ss, awk and cat every second would take ~15 % of the two cores (perf, by command name).
TICKS=0
ticks_of() { # user + system ticks of the given pids, summed into TICKS
  local p line
  local -a f
  TICKS=0
  for p in "$@"; do
    read -r line 2>/dev/null <"/proc/$p/stat" || continue
    f=(${line##*) })   # from field 3 on (comm may hold spaces): utime is f[11], stime f[12]
    TICKS=$(( TICKS + f[11] + f[12] ))
  done
}
BUSY=0
ALL=0
machine_ticks() { # the machine's busy and all ticks (/proc/stat) into BUSY and ALL
  local cpu user nice system idle iowait irq softirq steal rest
  read -r cpu user nice system idle iowait irq softirq steal rest </proc/stat
  BUSY=$(( user + nice + system + irq + softirq + steal ))
  ALL=$(( BUSY + idle + iowait ))
}
tree_of() { # a pid and all its descendants
  local p
  [[ -n "${1:-}" ]] || return 0
  echo "$1"
  for p in $(pgrep -P "$1" 2>/dev/null); do tree_of "$p"; done
}
backends_of() { # postgres backends serving TCP clients owned by the given pids
  ss -tnpH 2>/dev/null | awk -v mine=" $* " -v pg=":${PG_PORT}" '
    $1 != "ESTAB" { next }
    { lp = $4; sub(/.*:/, "", lp); pp = $5; sub(/.*:/, "", pp); p = $6; sub(/.*pid=/, "", p); sub(/[^0-9].*/, "", p) }
    lp == substr(pg, 2) { backend[pp] = p; next }
    pp == substr(pg, 2) && index(mine, " " p " ") { ours[lp] = 1 }
    END { for (port in ours) if (port in backend) print backend[port] }'
}
cpu_sampler() { # runs until killed
  local load="" pids="" postgres="" n=0 app redis loadgen ours pg
  local never
  exec {never}<> <(:)
  while true; do
    if (( n++ % 5 == 0 )); then
      load=$(tree_of "$(cat "$RUN_DIR/loadgen.pid" 2>/dev/null || true)" | tr '\n' ' ')
      # shellcheck disable=SC2086
      pids=$(backends_of ${APP_PID:-} $load | tr '\n' ' ')
      postgres=$(pgrep -u postgres postgres 2>/dev/null | tr '\n' ' ' || true)
    fi
    # shellcheck disable=SC2086
    { ticks_of ${APP_PID:-}; app=$TICKS; ticks_of ${REDIS_PID:-}; redis=$TICKS; ticks_of $load; loadgen=$TICKS
      ticks_of $pids; ours=$TICKS; ticks_of $postgres; pg=$TICKS; }
    machine_ticks
    printf '%s %s %s %s %s %s %s %s\n' "$(( ${EPOCHREALTIME/./} / 1000 ))" "$app" "$redis" "$loadgen" "$ours" "$pg" \
      "$BUSY" "$ALL"
    read -r -t 1 -u "$never" _ || true
  done
}
SAMPLER_PID=""
start_sampler() { # file
  rm -f "$RUN_DIR/loadgen.pid"
  cpu_sampler >"$1" 2>/dev/null &
  SAMPLER_PID=$!
}
stop_sampler() {
  if [[ -n "$SAMPLER_PID" ]]; then
    kill "$SAMPLER_PID" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=""
  fi
}
# cpu_split FILE LOADGEN_NAME [FROM_MS TO_MS]: CPU shares between two samples (100% = one core)
cpu_split() {
  awk -v name="$2" -v from="${3:-0}" -v to="${4:-99999999999999}" -v hz="$(getconf CLK_TCK)" '
    NF == 8 && $1 >= from && !a { a = 1; split($0, s0) } NF == 8 && $1 <= to { split($0, s1) }
    END {
      if (!a || s1[1] <= s0[1]) { print "n/a"; exit }
      secs = (s1[1] - s0[1]) / 1000; f = 100 / hz / secs; cores = (s1[8] - s0[8]) * f
      app = (s1[2] - s0[2]) * f; rds = (s1[3] - s0[3]) * f; load = (s1[4] - s0[4]) * f
      ours = (s1[5] - s0[5]) * f; pg = (s1[6] - s0[6]) * f; busy = (s1[7] - s0[7]) * f
      rest = busy - app - rds - load - pg; if (rest < 0) rest = 0
      if (app + rds > 0) printf "PackCheck %.0f%%, Redis %.0f%%, ", app, rds
      printf "PostgreSQL %.0f%% (its backends for us %.0f%%), %s %.0f%%, kernel and other processes %.0f%%, idle %.0f%% (of %.0f%%)",
        pg, ours, name, load, rest, cores - busy, cores
      if (rest > 30) printf "\n               WARNING: %.0f%% of the CPU went to other work meanwhile: these figures may be skewed", rest
      if (pg - ours > 25) printf "\n               WARNING: other clients kept PostgreSQL busy (%.0f%%) meanwhile", pg - ours
    }' "$1" 2>/dev/null || echo n/a
}

# Gatling (load-tests/pom.xml). LOADGEN_PID is what the CPU sampler counts as the load generator.
LOADGEN_PID=""
stop_loadgen() { # the load generator and everything under it, by pid
  local p
  [[ -n "$LOADGEN_PID" ]] || return 0
  for p in $(tree_of "$LOADGEN_PID"); do kill -TERM "$p" 2>/dev/null || true; done
  wait "$LOADGEN_PID" 2>/dev/null || true
  LOADGEN_PID=""
}

# run_gatling SIMULATION [-Dname=value...]: runs com.packcheck.load.SIMULATION against $BASE with USERS,
# WARMUP, DURATION and GATLING_GC (log in $RUN_DIR/gatling.log). Sets GATLING_RC; SUMMARY, the
# simulation's key=value file (read with prop); REPORT, its HTML report; and STATS, one tab-separated
# line per request name, "All Requests" first: name total ok ko min p50 p75 p95 p99 max mean (ms).
# Dies if there is no report to read.
run_gatling() {
  local simulation=$1
  shift
  SUMMARY="$RUN_DIR/simulation-summary.properties"
  GATLING_RC=0
  timeout $(( WARMUP + DURATION + 600 )) mvn -q -f "$HERE/pom.xml" test-compile gatling:test \
    -Dgatling.simulationClass="com.packcheck.load.${simulation}" -Dgatling.resultsFolder="$RUN_DIR/gatling" \
    -DbaseUrl="$BASE" -Dduration="$DURATION" -Dwarmup="$WARMUP" -Dusers="$USERS" -DsummaryFile="$SUMMARY" \
    -Dgatling.gc="$GATLING_GC" "$@" >"$RUN_DIR/gatling.log" 2>&1 &
  LOADGEN_PID=$!
  echo "$LOADGEN_PID" >"$RUN_DIR/loadgen.pid"
  wait "$LOADGEN_PID" || GATLING_RC=$?
  LOADGEN_PID=""
  REPORT=$(find "$RUN_DIR/gatling" -name index.html 2>/dev/null | head -n 1)
  if [[ -z "$REPORT" || ! -f "$SUMMARY" ]]; then
    tail -n 40 "$RUN_DIR/gatling.log" >&2
    die "Gatling did not produce its report (exit ${GATLING_RC}); see $RUN_DIR/gatling.log"
  fi
  # Gatling 3.14 writes no js/stats.json and its simulation.log is binary: the figures come from
  # the report's statistics table.
  STATS="$RUN_DIR/gatling-stats.tsv"
  awk -f "$HERE/gatling-stats.awk" "$REPORT" >"$STATS" || die "could not read the statistics of $REPORT"
  [[ "$(head -n 1 "$STATS" | cut -f1)" == "All Requests" ]] || die "no 'All Requests' row in $REPORT"
}
prop() { sed -n "s/^$1=//p" "$SUMMARY"; }
