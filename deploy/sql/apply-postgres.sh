#!/usr/bin/env bash
# Applies the Orleans 10.4.2 ADO.NET schema (query catalogue, clustering, grain storage, reminders)
# to a PostgreSQL database.
#
#   apply-postgres.sh <psql-connection-args...>
#   e.g. apply-postgres.sh -h 127.0.0.1 -p 55432 -U postgres -d oms
#        apply-postgres.sh "host=127.0.0.1 port=55432 user=postgres dbname=oms"
#
# All five scripts (Orleans' four and the OMS's detached state items) run in ONE transaction (psql --single-transaction, ON_ERROR_STOP=1): either the
# whole schema is applied or nothing is. The scripts are idempotent (CREATE ... IF NOT EXISTS,
# CREATE OR REPLACE FUNCTION, INSERT ... ON CONFLICT DO UPDATE), so re-applying to a database that
# already has the schema is safe: data is untouched and the query texts are refreshed.
#
# Environment:
#   OMS_PG_SKIP_IF_PRESENT=1  do nothing if table orleansquery already exists (e.g. a database set
#                             up by someone else's scripts that must not be touched).
#   PSQL=/path/to/psql        psql binary (default: psql on PATH, else the newest
#                             /usr/lib/postgresql/*/bin/psql).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sqldir="$here/postgresql"

if [[ $# -eq 0 ]]; then
    echo "usage: $(basename "$0") <psql-connection-args...>" >&2
    exit 2
fi

psql_bin="${PSQL:-}"
if [[ -z "$psql_bin" ]]; then
    if command -v psql >/dev/null 2>&1; then
        psql_bin="$(command -v psql)"
    else
        psql_bin="$(find /usr/lib/postgresql -maxdepth 3 -path '*/bin/psql' 2>/dev/null | sort -V | tail -n 1)"
    fi
fi
if [[ -z "$psql_bin" || ! -x "$psql_bin" ]]; then
    echo "apply-postgres: psql not found (set PSQL=...)" >&2
    exit 1
fi

scripts=("$sqldir/01-main.sql" "$sqldir/02-clustering.sql" "$sqldir/03-persistence.sql" "$sqldir/04-reminders.sql" "$sqldir/05-oms-state-items.sql")
for f in "${scripts[@]}"; do
    [[ -r "$f" ]] || { echo "apply-postgres: missing $f" >&2; exit 1; }
done

# -X: ignore ~/.psqlrc; -q: quiet; client_min_messages hides NOTICEs from IF NOT EXISTS.
psql_common=(-X -q -v ON_ERROR_STOP=1)
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

present="$("$psql_bin" "${psql_common[@]}" -At "$@" \
    -c "SELECT to_regclass('orleansquery') IS NOT NULL")"

if [[ "$present" == "t" && "${OMS_PG_SKIP_IF_PRESENT:-0}" == "1" ]]; then
    echo "apply-postgres: orleansquery exists, skipping (OMS_PG_SKIP_IF_PRESENT=1)"
    exit 0
fi

file_args=()
for f in "${scripts[@]}"; do
    file_args+=(-f "$f")
done

"$psql_bin" "${psql_common[@]}" --single-transaction "$@" "${file_args[@]}" >/dev/null

count="$("$psql_bin" "${psql_common[@]}" -At "$@" -c "SELECT count(*) FROM orleansquery")"
if [[ "$present" == "t" ]]; then
    echo "apply-postgres: schema refreshed ($count queries in orleansquery)"
else
    echo "apply-postgres: schema created ($count queries in orleansquery)"
fi
