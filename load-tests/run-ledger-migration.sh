#!/usr/bin/env bash
# Migration V17 (the ledger partitioned by month) timed on a ledger of ROWS interactions: a fresh schema
# migrated up to V16 by psql, ROWS interactions spread over the last twelve months with PackCheck's
# indexes, then V17 applied as Flyway would (one transaction), while a writer tries to record one more
# interaction as a check would. Prints how long the migration took and how long that write waited.
#
# Settings (environment): ROWS (10000000), KEEP=1 (keep the schema).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=load-tests/lib.sh
source "$HERE/lib.sh"
ROWS=${ROWS:-10000000}
SCHEMA="ledgermig_${STAMP}"
RUN_DIR="$HERE/target/ledgermig-${STAMP}"
MIGRATIONS="$ROOT/src/main/resources/db/migration"
mkdir -p "$RUN_DIR"
export PGOPTIONS="-c client_min_messages=warning"
cleanup() { [[ -n "${KEEP:-}" ]] || psql_q -c "drop schema if exists ${SCHEMA} cascade" >/dev/null 2>&1 || true; }
trap cleanup EXIT

log "schema ${SCHEMA}: migrations up to V16"
psql_q -c "create schema ${SCHEMA}" >/dev/null
for f in $(cd "$MIGRATIONS" && ls V*__*.sql | sort -k1.2n); do
  v=${f#V}; v=${v%%__*}
  (( v <= 16 )) || continue
  { echo "set search_path = ${SCHEMA};"; cat "$MIGRATIONS/$f"; } | psql_q >/dev/null
done

log "${ROWS} interactions over the last twelve months"
t0=$(date +%s)
psql_q >/dev/null <<SQL
set search_path = ${SCHEMA};
insert into interactions (id, at, channel, customer_id, action, code_hash, batch_id, manufacturer_id, outcome,
                          first_check, price, currency)
select nextval('interactions_id_seq'), now() - ((${ROWS} - i)::float8 / ${ROWS}) * interval '365 days', 'http',
       sha256(int8send(i % 1000)), 'dispense', sha256(int8send(i)), 1, 1,
       case when i % 5 = 0 then 'already_used' else 'genuine' end, i % 5 <> 0, 5, 'GHS'
from generate_series(1, ${ROWS}) i;
vacuum analyze interactions;
SQL
log "filled in $(( $(date +%s) - t0 )) s"

{ echo "set search_path = ${SCHEMA};"; echo "\\timing on"; echo "begin;"; cat "$MIGRATIONS"/V17__*.sql; echo "commit;"; } \
  >"$RUN_DIR/v17.sql"
log "applying V17"
start=$(date +%s%N)
psql_q -f "$RUN_DIR/v17.sql" >"$RUN_DIR/v17.log" 2>&1 &
migration=$!
sleep 0.5
write_start=$(date +%s%N)
psql_q -c "insert into ${SCHEMA}.interactions (id, at, channel, customer_id, action, code_hash, manufacturer_id,
  outcome, first_check, price) values (nextval('${SCHEMA}.interactions_id_seq'), now(), 'http', '\\x00', 'verify',
  '\\x00', 1, 'genuine', false, 0)" >/dev/null
write_end=$(date +%s%N)
wait "$migration" || { cat "$RUN_DIR/v17.log" >&2; die "V17 failed"; }
end=$(date +%s%N)

partitions=$(psql_q -Atc "select count(*) from pg_inherits where inhparent = '${SCHEMA}.interactions'::regclass")
total=$(psql_q -Atc "select count(*) from ${SCHEMA}.interactions")
cat <<EOF

=== V17 on a ledger of ${ROWS} interactions ($(date -u +%FT%TZ); commit $(git -C "$ROOT" log -1 --format=%h 2>/dev/null || echo unknown)) ===
PostgreSQL:  $(psql_q -Atc "show server_version"), shared_buffers $(psql_q -Atc "show shared_buffers"), maintenance_work_mem $(psql_q -Atc "show maintenance_work_mem")
migration:   $(( (end - start) / 1000000 )) ms in all; its steps (psql's timing):
$(grep -E '^Time:' "$RUN_DIR/v17.log" | sort -t' ' -k2 -rn | head -n 4 | sed 's/^/               /')
a write:     sent 0.5 s into the migration, committed after $(( (write_end - write_start) / 1000000 )) ms (a check waits this long)
ledger:      ${total} interactions (the ${ROWS} and the write), ${partitions} partitions
EOF
(( total == ROWS + 1 )) || die "expected $(( ROWS + 1 )) interactions after the migration"
