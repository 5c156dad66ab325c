#!/usr/bin/env bash
# Webhooks across a receiver outage of minutes, in real time, with PackCheck's production defaults
# (first backoff 5 s doubling to an hour, POST timeout 10 s, alert scan every 5 s):
#   1. builds target/packcheck.jar if missing, starts it on a fresh PostgreSQL schema and a private Redis,
#   2. a manufacturer with a webhook on 127.0.0.1:RECEIVER_PORT where nothing listens (connection refused),
#   3. raises ALERTS cloned-code alerts spread over the first 80 % of DOWN_MINUTES (each a code
#      dispensed by three pharmacies),
#   4. starts the receiver (webhook-receiver.py) after DOWN_MINUTES, waits until every alert is
#      delivered, then SETTLE seconds more for any repeat,
#   5. prints alerts raised, attempts per alert, the time from the receiver's return to the last
#      delivery, and deliveries per alert id; exits 1 unless each alert id arrived once, signed.
#
# Settings (environment): DOWN_MINUTES (5; DOWN_SECONDS overrides it, for a quick try), ALERTS (12), SETTLE (20), PORT (18099),
# RECEIVER_PORT (18199), PACKCHECK_JAVA_OPTS (-Xmx256m), REBUILD=1, KEEP=1.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
JAR=${JAR:-$ROOT/target/packcheck.jar}
# shellcheck source=load-tests/lib.sh
source "$HERE/lib.sh"

DOWN_MINUTES=${DOWN_MINUTES:-5}
ALERTS=${ALERTS:-12}
SETTLE=${SETTLE:-20}
PORT=${PORT:-18099}
RECEIVER_PORT=${RECEIVER_PORT:-18199}
PACKCHECK_JAVA_OPTS=${PACKCHECK_JAVA_OPTS:--Xmx256m}
APP_SCHEMA="hook_${STAMP}"
RUN_DIR="$HERE/target/webhook-${STAMP}"
BASE="http://127.0.0.1:${PORT}"
RECEIVED="$RUN_DIR/received.jsonl"
RECEIVER_PID=""
# the production schedule: nothing here may shorten it
unset PACKCHECK_WEBHOOK_BACKOFF_MS PACKCHECK_WEBHOOK_TIMEOUT_MS PACKCHECK_ALERT_SCAN_MS

stop_extra() { stop_pid "$RECEIVER_PID" webhook-receiver 5; }
trap finish_run EXIT
trap 'exit 130' INT TERM

prepare_run java mvn curl psql jq python3 redis-server
free_port "$RECEIVER_PORT" || die "receiver port $RECEIVER_PORT is in use; set RECEIVER_PORT"
start_redis
# shellcheck disable=SC2086
start_packcheck "$JAR" $PACKCHECK_JAVA_OPTS

sql() { psql_q -Atc "set search_path = ${APP_SCHEMA}; $1"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

MAKER=$(json POST /v1/manufacturers "$ADMIN_TOKEN" '{"name":"Webhook Pharma","pricePerCheck":5,"currency":"GHS"}')
MAKER_TOKEN=$(jq -r .token <<<"$MAKER")
PHARMACIES=()
for p in A B C; do
  PHARMACIES+=("$(json POST /v1/pharmacies "$ADMIN_TOKEN" "{\"name\":\"Pharmacy $p\",\"region\":\"Accra\"}" | jq -r .token)")
done
PRODUCT=$(json POST /v1/products "$MAKER_TOKEN" '{"name":"Outage tablets","gtin":"05012345678900"}' | jq -r .id)
BATCH=$(json POST /v1/batches "$MAKER_TOKEN" "{\"productId\":$PRODUCT,\"lot\":\"OUT-1\",\"expiry\":\"2099-12-31\"}" | jq -r .id)
mapfile -t CODES < <(for _ in $(seq "$ALERTS"); do printf '%s\n' "$(shuf -i 1000000000-9999999999 -n 1)$(shuf -i 100000-999999 -n 1)"; done)
printf '%s\n' "${CODES[@]}" | api POST "/v1/batches/$BATCH/codes" "$MAKER_TOKEN" -H 'Content-Type: text/plain' --data-binary @- >/dev/null
api POST "/v1/batches/$BATCH/activate" "$MAKER_TOKEN" >/dev/null
SECRET="whsec-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
json PUT /v1/webhook "$MAKER_TOKEN" "{\"url\":\"http://127.0.0.1:${RECEIVER_PORT}/hooks/packcheck\",\"secret\":\"$SECRET\"}" >/dev/null

DOWN_AT=$(now)
DOWN_SECONDS=${DOWN_SECONDS:-$(( DOWN_MINUTES * 60 ))}
log "receiver down (nothing on :$RECEIVER_PORT) for ${DOWN_SECONDS} s; raising ${ALERTS} cloned-code alerts meanwhile"
GAP=$(awk -v d="$DOWN_SECONDS" -v n="$ALERTS" 'BEGIN { printf "%.2f", d * 0.8 / n }')
for code in "${CODES[@]}"; do
  for token in "${PHARMACIES[@]}"; do
    json POST /v1/verifications "$token" "{\"code\":\"$code\",\"action\":\"dispense\"}" >/dev/null
  done
  sleep "$GAP"
done
while (( $(date +%s) < ${DOWN_AT%.*} + DOWN_SECONDS )); do sleep 1; done
RAISED=$(sql "select count(*) from alerts where kind = 'cloned_code'")
QUEUED=$(sql "select count(*) from webhook_deliveries where state = 'pending'")
[[ "$RAISED" == "$ALERTS" && "$QUEUED" == "$ALERTS" ]] || die "$RAISED alerts raised, $QUEUED pending, expected $ALERTS"
# when each alert's own backoff would next have tried it, had nothing brought it forward
OWN_NEXT=$(sql "select round(extract(epoch from max(next_attempt_at) - now())::numeric, 1) from webhook_deliveries")
ATTEMPTS_DOWN=$(sql "select sum(attempts) from webhook_deliveries")

: >"$RECEIVED"
python3 "$HERE/webhook-receiver.py" "$RECEIVER_PORT" "$SECRET" "$RECEIVED" &
RECEIVER_PID=$!
UP_AT=$(now)
log "receiver up after $(since "$DOWN_AT" "$UP_AT") s; ${ATTEMPTS_DOWN} attempts so far; waiting for every delivery"
for _ in $(seq $(( DOWN_SECONDS * 2 + 600 ))); do
  [[ $(sql "select count(*) from webhook_deliveries where state <> 'delivered'") == 0 ]] && break
  sleep 1
done
DONE_AT=$(now)
sleep "$SETTLE"

printf '\n== Webhooks across a receiver outage of %s s (%s, %s cores, production backoff) ==\n' \
  "$DOWN_SECONDS" "$(date -u +%FT%TZ)" "$(nproc)"
printf 'alerts raised while down:  %s (cloned codes, over the first %.0f s of the outage)\n' "$RAISED" \
  "$(awk -v d="$DOWN_SECONDS" 'BEGIN { print d * 0.8 }')"
printf 'attempts while down:       %s in all; the latest own retry was due %s s after the receiver came back\n' \
  "$ATTEMPTS_DOWN" "$OWN_NEXT"
printf '\n%-6s %-18s %-9s %-22s %s\n' alert 'raised (s, down)' attempts 'delivered (s, back)' 'POSTs received'
UP_EPOCH=$UP_AT
sql "select d.alert_id, extract(epoch from a.created_at), d.attempts, coalesce(extract(epoch from d.delivered_at)::text, ''), d.state
     from webhook_deliveries d join alerts a on a.id = d.alert_id order by d.alert_id" |
while IFS='|' read -r id created attempts delivered state; do
  posts=$(jq -s --arg id "$id" '[.[] | select(.delivery == $id)] | length' "$RECEIVED")
  printf '%-6s %-18s %-9s %-22s %s\n' "$id" "$(since "$DOWN_AT" "$created")" "$attempts" \
    "$([[ -n "$delivered" ]] && since "$UP_EPOCH" "$delivered" || echo "$state")" "$posts"
done
LAST=$(jq -s 'map(.at) | max // 0' "$RECEIVED")
SUMMARY=$(jq -s -c 'group_by(.delivery) | {ids: length, once: map(select(length == 1)) | length,
  repeated: map(select(length > 1)) | length, signed: all(.[][]; .signed and .idMatches)}' "$RECEIVED")
printf '\nattempts per alert:        %s\n' "$(sql "select min(attempts) || ' to ' || max(attempts) || ' (median ' ||
  percentile_disc(0.5) within group (order by attempts) || ')' from webhook_deliveries")"
printf 'receiver back → last delivery: %s s (all delivered %s s after it came back)\n' \
  "$(since "$UP_AT" "$LAST")" "$(since "$UP_AT" "$DONE_AT")"
printf 'deliveries per alert id:   %s ids, %s received once, %s more than once; signatures valid: %s\n' \
  "$(jq .ids <<<"$SUMMARY")" "$(jq .once <<<"$SUMMARY")" "$(jq .repeated <<<"$SUMMARY")" "$(jq .signed <<<"$SUMMARY")"
[[ "$(jq .once <<<"$SUMMARY")" == "$ALERTS" && "$(jq .ids <<<"$SUMMARY")" == "$ALERTS" && "$(jq .signed <<<"$SUMMARY")" == true ]] \
  || die "expected each of the $ALERTS alert ids once, signed"
