#!/bin/bash
# Back up the service's database.
#   scripts/backup.sh [FILE]             dump to FILE (default
#                                        var/backups/itf-YYYYmmddTHHMMSSZ.dump)
#   scripts/backup.sh --fingerprint      print the database's fingerprint
# The database is the one the service and itfctl use: ITF_DATABASE_URL, else
# libpq's PG* environment, else the private cluster under var/ (env.sh).
#
# FILE is a custom-format archive (pg_dump -Fc), for scripts/restore.sh or
# pg_restore.  FILE.fingerprint is taken in the same snapshot as the dump
# (pg_export_snapshot), so it describes exactly what FILE holds: per table
# the row count and an order-independent checksum of the rows, the audit
# trail's row count, last hash and first broken link (0: none), and, when
# the ledger exists, each account's balance and the sum of its postings
# (the ledger position).  restore.sh checks a restored database against it.
# Both files are written with umask 077: the dump holds password hashes.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$ITF_ROOT"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "backup.sh: PostgreSQL client binaries not found" >&2; exit 1; }
export PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-10}

# The connection string itfctl would use (db_default_conninfo()); "" means
# libpq's own environment.
conninfo() {
	if [ -n "${ITF_DATABASE_URL:-}" ]; then
		printf '%s' "$ITF_DATABASE_URL"
	elif [ "$external" -eq 1 ]; then
		printf ''
	else
		printf 'host=%s/var/run port=%s dbname=itf user=itf' "$ITF_ROOT" \
		    "$ITF_PGPORT"
	fi
}
conn=$(conninfo)
dbarg=()
[ -n "$conn" ] && dbarg=(-d "$conn")

# One psql session for the whole run: sql TEXT runs TEXT in it and prints
# the rows; it fails (printing psql's error) if psql stops.
start_session() {
	coproc PSQL { "$bin/psql" "${dbarg[@]}" -X -Atq -v ON_ERROR_STOP=1 2>&1; }
}
sql() {
	local line q=$1
	case "$q" in *\;) ;; *) q="$q;" ;; esac
	printf '%s\n\\echo __itf_end__\n' "$q" >&"${PSQL[1]}" || return 1
	while IFS= read -r line <&"${PSQL[0]}"; do
		[ "$line" = "__itf_end__" ] && return 0
		printf '%s\n' "$line"
	done
	return 1
}

# The fingerprint of what the session's transaction sees, one fact a line.
fingerprint() {
	local tables rel lit
	sql "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD';
	    SET IntervalStyle = 'postgres'; SET extra_float_digits = 3;
	    SET bytea_output = 'hex';" || return 1
	# Per table: its name as an identifier and as a literal, tab-separated.
	tables=$(sql "SELECT format('%I', c.relname) || E'\t' ||
	    format('%L', 'table ' || c.relname)
	    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
	    ORDER BY c.relname COLLATE \"C\"") ||
	    { printf '%s\n' "$tables"; return 1; }
	while IFS=$'\t' read -r rel lit; do
		[ -n "$rel" ] || continue
		sql "SELECT $lit || ' rows=' || count(*) || ' sum=' ||
		    coalesce(sum(('x' || left(md5(x::text), 15))::bit(60)::bigint),
		    0) FROM public.$rel x" || return 1
	done <<< "$tables"
	if [ "$(sql "SELECT to_regclass('public.audit_log') IS NOT NULL")" = t ]; then
		sql "SELECT 'audit rows=' || count(*) || ' last=' ||
		    coalesce((SELECT hash FROM audit_log ORDER BY id DESC
		    LIMIT 1), '-') || ' broken=' ||
		    coalesce(min(id) FILTER (WHERE NOT ok), 0) FROM (
		    SELECT id, prev_hash = coalesce(lag(hash) OVER w,
		    repeat('0', 64)) AND hash = audit_row_hash(prev_hash, id, at,
		    actor_id, actor_label, action, record_type, record_id,
		    before, after, reason) AS ok
		    FROM audit_log WINDOW w AS (ORDER BY id)) c" || return 1
	fi
	if [ "$(sql "SELECT to_regclass('public.ledger_accounts') IS NOT NULL AND
	    to_regclass('public.ledger_postings') IS NOT NULL")" = t ]; then
		sql "SELECT 'ledger ' || a.code || ' balance=' || a.balance_cents ||
		    ' postings=' || coalesce(p.total, 0) FROM ledger_accounts a
		    LEFT JOIN (SELECT account, sum(amount_cents) AS total
		    FROM ledger_postings GROUP BY account) p ON p.account = a.code
		    ORDER BY a.code COLLATE \"C\"" || return 1
	fi
}

if [ "${1:-}" = "--fingerprint" ]; then
	start_session
	sql "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;" &&
	    fingerprint && sql "COMMIT;" >/dev/null
	exit $?
fi
case "${1:-}" in -*) echo "usage: backup.sh [FILE] | --fingerprint" >&2; exit 2;; esac

out=${1:-var/backups/itf-$(date -u +%Y%m%dT%H%M%SZ).dump}
umask 077
mkdir -p "$(dirname "$out")"
rm -f "$out.part" "$out.fingerprint.part"
trap 'rm -f "$out.part" "$out.fingerprint.part"' EXIT

start_session
snap=$(sql "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
    SELECT pg_export_snapshot();") || { echo "backup.sh: $snap" >&2; exit 1; }
# ITF_BACKUP_PAUSE (seconds, for tests): let writes commit between the
# snapshot and pg_dump's start, which the shared snapshot makes harmless.
[ -n "${ITF_BACKUP_PAUSE:-}" ] && sleep "$ITF_BACKUP_PAUSE"
"$bin/pg_dump" "${dbarg[@]}" --snapshot="$snap" -Fc -f "$out.part"
if ! fingerprint > "$out.fingerprint.part"; then
	echo "backup.sh: fingerprint failed:" >&2
	tail -3 "$out.fingerprint.part" >&2
	exit 1
fi
sql "COMMIT;" >/dev/null || { echo "backup.sh: COMMIT failed" >&2; exit 1; }
mv "$out.part" "$out"
mv "$out.fingerprint.part" "$out.fingerprint"
trap - EXIT
echo "backup: $out ($(stat -c %s "$out") bytes, $(grep -c '^table ' "$out.fingerprint") tables)"
