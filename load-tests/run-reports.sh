#!/usr/bin/env bash
# How long a manufacturer's reports take over a big ledger, on the local machine only (127.0.0.1):
#   1. builds target/packcheck.jar if missing, starts it on a fresh PostgreSQL schema and a private Redis,
#   2. writes CUSTOMERS customers and INTERACTIONS interactions of one manufacturer into this month (SQL
#      generate_series: both channels, several outcomes, three regions), then ANALYZE,
#   3. times GET /v1/reports/monthly and GET /v1/customers/summary (TRIES times each) and prints them.
#
# Settings (environment): INTERACTIONS (10000000), CUSTOMERS (1000000), TRIES (3), PORT (18097),
# PACKCHECK_JAVA_OPTS (-Xmx512m), REBUILD=1, KEEP=1.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
JAR=${JAR:-$ROOT/target/packcheck.jar}
# shellcheck source=load-tests/lib.sh
source "$HERE/lib.sh"

INTERACTIONS=${INTERACTIONS:-10000000}
CUSTOMERS=${CUSTOMERS:-1000000}
TRIES=${TRIES:-3}
PORT=${PORT:-18097}
PACKCHECK_JAVA_OPTS=${PACKCHECK_JAVA_OPTS:--Xmx512m}
APP_SCHEMA="reports_${STAMP}"
RUN_DIR="$HERE/target/reports-${STAMP}"
BASE="http://127.0.0.1:${PORT}"

trap finish_run EXIT
trap 'exit 130' INT TERM

prepare_run java mvn curl psql jq
start_redis
# shellcheck disable=SC2086
start_packcheck "$JAR" $PACKCHECK_JAVA_OPTS

MAKER=$(json POST /v1/manufacturers "$ADMIN_TOKEN" '{"name":"Reports Pharma","pricePerCheck":5,"currency":"GHS"}')
MAKER_ID=$(jq -r .id <<<"$MAKER")
MAKER_TOKEN=$(jq -r .token <<<"$MAKER")
MONTH=$(date -u +%Y-%m)

log "writing ${INTERACTIONS} interactions (${CUSTOMERS} customers) into ${MONTH}"
t0=$(date +%s)
psql_q <<SQL
set search_path = ${APP_SCHEMA};
-- the shoppers, in three countries, as the SMS channel would have created them
insert into customers (id, kind, region)
select decode(md5(g::text) || md5('c' || g::text), 'hex'), 'msisdn', (array['GH', 'NG', 'KE'])[1 + g % 3]
from generate_series(0, ${CUSTOMERS} - 1) g;
insert into interactions (id, at, channel, customer_id, action, code_hash, manufacturer_id, outcome,
                          first_check, price, currency)
select nextval('interactions_id_seq'),
       -- spread over the month so far, up to ten minutes ago (so the roll-up may take every one), in
       -- time order as a ledger is written: ids follow time, and a day's rows lie together on disk
       m.start + (g::bigint * m.seconds / ${INTERACTIONS}) * interval '1 second',
       case when g % 4 = 0 then 'http' else 'sms' end,
       decode(md5((g % ${CUSTOMERS})::text) || md5('c' || (g % ${CUSTOMERS})::text), 'hex'),
       case when g % 4 = 0 then 'dispense' else 'check' end,
       decode(md5(g::text) || md5('h' || g::text), 'hex'),
       ${MAKER_ID},
       case when g % 10 = 0 then 'already_used' else 'genuine' end,
       g % 10 <> 0, 5, 'GHS'
from generate_series(1, ${INTERACTIONS}) g,
     (select date_trunc('month', now() at time zone 'UTC') at time zone 'UTC' as start,
             greatest(1, extract(epoch from now() - date_trunc('month', now() at time zone 'UTC') at time zone 'UTC')
                         ::bigint - 600) as seconds) m;
analyze interactions;
SQL
log "written in $(( $(date +%s) - t0 )) s"

# PackCheck rolls the ledger up by day in the background (every 10 s, in steps); reports read the
# roll-up plus the checks after its watermark. Wait for it to catch up, as it would in service.
t0=$(date +%s)
MAX_ID=$(psql_q -Atc "select max(id) from ${APP_SCHEMA}.interactions")
for _ in $(seq 600); do
  W=$(psql_q -Atc "select value from ${APP_SCHEMA}.settings where name = 'ledger_days_watermark'")
  (( W >= MAX_ID )) && break
  sleep 1
done
ROLLUP_S=$(( $(date +%s) - t0 ))
log "roll-up caught up in ${ROLLUP_S} s (watermark ${W} of ${MAX_ID})"

time_get() { # path → seconds of the best of TRIES
  local best=999 t
  for _ in $(seq "$TRIES"); do
    t=$(curl -sS -o /dev/null -w '%{time_total}' --max-time 120 -H "Authorization: Bearer $MAKER_TOKEN" "$BASE$1")
    best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (b < a ? b : a) }')
  done
  printf '%s' "$best"
}
CHECKS=$(curl -sS -H "Authorization: Bearer $MAKER_TOKEN" "$BASE/v1/reports/monthly?month=$MONTH" | jq .checks)
[[ "$CHECKS" == "$INTERACTIONS" ]] || die "the monthly report counts $CHECKS checks, expected $INTERACTIONS"
MONTHLY=$(time_get "/v1/reports/monthly?month=$MONTH")
CSV=$(curl -sS -o /dev/null -w '%{time_total}' -H 'Accept: text/csv' -H "Authorization: Bearer $MAKER_TOKEN" "$BASE/v1/reports/monthly?month=$MONTH")
SUMMARY=$(time_get "/v1/customers/summary?from=${MONTH}-01")
# a period starting mid-hour: that half-hour is read from the ledger, the rest of the day from hour sets
NOON="${MONTH}-02T12:30:00Z"
SUMMARY_NOON=$(time_get "/v1/customers/summary?from=${NOON}")

printf '\n== PackCheck reports over %d interactions (%s, %s cores, best of %d) ==\n' "$INTERACTIONS" \
  "$(date -u +%FT%TZ)" "$(nproc)" "$TRIES"
printf 'monthly report (JSON):   %.3f s\n' "$MONTHLY"
printf 'monthly report (CSV):    %.3f s\n' "$CSV"
printf 'roll-up catch-up:        %d s after the insert (watermark %s of %s)\n' "$ROLLUP_S" "$W" "$MAX_ID"
printf 'customers summary:       %.3f s   (%s customers)\n' "$SUMMARY" \
  "$(curl -sS -H "Authorization: Bearer $MAKER_TOKEN" "$BASE/v1/customers/summary?from=${MONTH}-01" | jq .customers)"
printf 'customers summary:       %.3f s   from %s (its first half-hour read from the ledger)\n' "$SUMMARY_NOON" "$NOON"
