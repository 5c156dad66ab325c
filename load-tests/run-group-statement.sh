#!/usr/bin/env bash
# The ledger's group statement (src/main/resources/sql/check/check-group.sql) timed alone, for groups of
# SIZES checks: on a fresh schema migrated from src/main/resources/db/migration, with CODES codes of one
# active batch, each execution dispenses codes no earlier one touched (two pharmacies, one code in eight
# asked twice in its group, as a busy queue groups them) and commits on its own (fsync as configured).
# As the ledger's connections do, the statement is prepared once and run on its generic plan
# (PLAN=auto: PostgreSQL's default choice between custom and generic plans, to compare). Prints, per
# size, the median and 90th percentile of REPS executions (psql's \timing: sent to committed) and the
# median per check.
#
# Settings (environment): SIZES ("1 16 128 512"), REPS (20), CODES (200000), STATEMENT (the file above; another
# version of it, to compare), KEEP=1 (keep the schema).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
# shellcheck source=load-tests/lib.sh
source "$HERE/lib.sh"
SIZES=${SIZES:-1 16 128 512}
REPS=${REPS:-20}
CODES=${CODES:-200000}
PLAN=${PLAN:-force_generic_plan}
STATEMENT=${STATEMENT:-$ROOT/src/main/resources/sql/check/check-group.sql}
SCHEMA="groupstmt_${STAMP}"
RUN_DIR="$HERE/target/group-${STAMP}"
mkdir -p "$RUN_DIR"
export PGOPTIONS="-c client_min_messages=warning"

cleanup() {
  [[ -n "${KEEP:-}" ]] || psql_q -c "drop schema if exists ${SCHEMA} cascade" >/dev/null 2>&1 || true
}
trap cleanup EXIT

need=0
for n in $SIZES; do need=$(( need + n * REPS )); done
(( need <= CODES )) || die "CODES (${CODES}) must cover every execution's fresh codes (${need})"

log "schema ${SCHEMA}: migrations, ${CODES} codes"
psql_q -c "create schema ${SCHEMA}" >/dev/null
MIGRATIONS="$ROOT/src/main/resources/db/migration"
for f in $(cd "$MIGRATIONS" && ls V*__*.sql | sort -k1.2n); do
  { echo "set search_path = ${SCHEMA};"; cat "$MIGRATIONS/$f"; } | psql_q >/dev/null
done
psql_q >/dev/null <<SQL
set search_path = ${SCHEMA};
insert into manufacturers (name, price_per_check, currency) values ('Bench Pharma', 5, 'GHS');
insert into products (manufacturer_id, name) values (1, 'Paracetamol 500 mg');
insert into batches (manufacturer_id, product_id, lot, expiry, state) values (1, 1, 'BENCH', current_date + 730, 'active');
insert into codes (hash, batch_id) select sha256(int8send(i)), 1 from generate_series(1, ${CODES}) i;
vacuum analyze;
SQL

# one psql session per size: prepare, then REPS executions on fresh codes, each timed
offset=0
printf '\n=== group statement, alone (%s; commit %s; %s) ===\n' "$(date -u +%FT%TZ)" \
  "$(git -C "$ROOT" log -1 --format=%h 2>/dev/null || echo unknown)" "$STATEMENT, plan_cache_mode ${PLAN}"
printf 'PostgreSQL: %s, fsync=%s, synchronous_commit=%s; %s executions a size, each on fresh codes\n\n' \
  "$(psql_q -Atc 'show server_version')" "$(psql_q -Atc 'show fsync')" "$(psql_q -Atc 'show synchronous_commit')" "$REPS"
printf '%8s  %12s  %12s  %16s\n' checks "median ms" "p90 ms" "median µs/check"
for n in $SIZES; do
  start=$offset
  {
    echo "set search_path = ${SCHEMA};"
    echo "set plan_cache_mode = ${PLAN};"
    echo "prepare g(int4[], bytea[], text[], bytea[], int8[], text[], text[], int4[], int4[], bool[], timestamptz) as"
    cat "$STATEMENT"
    echo ";"
    for _ in $(seq "$REPS"); do
      cat <<SQL
select array_agg(i - 1 - ${start}) as idx,
       array_agg(sha256(int8send(case when (i - ${start}) % 8 = 0 and ${n} > 1 then i - 1 else i end::int8))) as hashes,
       array_agg('dispense'::text) as actions, array_agg(sha256(int8send(-1 - i % 2))) as customers,
       array_agg((1 + i % 2)::int8) as pharmacies, array_agg('http'::text) as channels, array_agg(null::text) as keys,
       array_agg(16) as lens, array_agg(0) as traits, array_agg(false) as light
from generate_series(${start} + 1, ${start} + ${n}) i \\gset
\\timing on
execute g(:'idx', :'hashes', :'actions', :'customers', :'pharmacies', :'channels', :'keys', :'lens', :'traits', :'light', now()) \\g /dev/null
\\timing off
SQL
      start=$(( start + n ))
    done
  } | psql_q | awk '/^Time:/ { print $2 }' >"$RUN_DIR/times-$n"
  offset=$(( offset + n * REPS ))
  (( $(wc -l <"$RUN_DIR/times-$n") == REPS )) || die "group of ${n}: expected ${REPS} timings, got $(wc -l <"$RUN_DIR/times-$n")"
  sort -n "$RUN_DIR/times-$n" | awk -v n="$n" '{ t[NR] = $1 } END {
    m = t[int((NR + 1) / 2)]; p = t[int(NR * 0.9 + 0.5)]
    printf "%8d  %12.2f  %12.2f  %16.1f\n", n, m, p, 1000 * m / n }'
done
dispensed=$(psql_q -Atc "select count(*) from ${SCHEMA}.codes where state = 1")
first=$(psql_q -Atc "select count(*) from ${SCHEMA}.interactions where first_check")
printf '\nledger: %s codes dispensed, %s first-check interactions, %s interactions\n' "$dispensed" "$first" \
  "$(psql_q -Atc "select count(*) from ${SCHEMA}.interactions")"
expected=0
for n in $SIZES; do expected=$(( expected + (n - (n > 1 ? n / 8 : 0)) * REPS )); done
(( dispensed == first && dispensed == expected )) \
  || die "expected ${expected} codes dispensed, each with one first-check interaction"
