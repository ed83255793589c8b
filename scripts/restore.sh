#!/bin/bash
# Restore a backup made by scripts/backup.sh into a new database.
#   scripts/restore.sh FILE DBNAME          create DBNAME and restore FILE
#   scripts/restore.sh --verify FILE DBNAME compare DBNAME with FILE's
#                                           fingerprint only
# DBNAME is created on the server of the service's database (ITF_DATABASE_URL,
# else libpq's PG* environment, else the private cluster under var/), which
# must not already have it: nothing is ever overwritten.  To replace the
# live database, restore under a new name, check it, stop the service and
# swap the names (ALTER DATABASE ... RENAME TO ...).
#
# The restore runs in one transaction (pg_restore --single-transaction
# --exit-on-error), so it is all or nothing.  Roles are not in a dump: the
# roles that own the objects must exist (the script says which are missing);
# the service's role itf_app is created (NOLOGIN) if absent, as migration
# 0001 does.  If FILE.fingerprint exists, the restored database must match
# it (backup.sh --fingerprint: rows and checksums per table, the audit
# trail's last hash and chain check, ledger balances), else exit 1.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$ITF_ROOT"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "restore.sh: PostgreSQL client binaries not found" >&2; exit 1; }
export PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-10}

verify_only=0
if [ "${1:-}" = "--verify" ]; then
	verify_only=1
	shift
fi
[ $# -eq 2 ] || { echo "usage: restore.sh [--verify] FILE DBNAME" >&2; exit 2; }
file=$1
db=$2
[ -r "$file" ] || { echo "restore.sh: cannot read $file" >&2; exit 1; }
case "$db" in
[a-z_]*) ;;
*) echo "restore.sh: DBNAME must be a lower-case identifier" >&2; exit 2 ;;
esac
case "$db" in *[!a-z0-9_]*)
	echo "restore.sh: DBNAME must be a lower-case identifier" >&2; exit 2 ;;
esac

# The service's connection string with another database name: a URL gets a
# new path, a keyword/value string a later dbname (libpq keeps the last).
with_db() {
	local base
	if [ -n "${ITF_DATABASE_URL:-}" ]; then
		base=$ITF_DATABASE_URL
	elif [ "$external" -eq 1 ]; then
		base=""
	else
		base="host=$ITF_ROOT/var/run port=$ITF_PGPORT user=itf"
	fi
	case "$base" in
	postgres://*|postgresql://*)
		printf '%s' "$base" | sed -E "s|^(postgres(ql)?://[^/?]*)(/[^?]*)?|\\1/$1|" ;;
	*)
		printf '%s dbname=%s' "$base" "$1" ;;
	esac
}
admin=$(with_db postgres)
target=$(with_db "$db")
psql_admin() { "$bin/psql" -X -Atq -v ON_ERROR_STOP=1 -d "$admin" "$@"; }
# 1 if the role exists (the name is passed as a psql variable, not spliced).
role_exists() {
	printf '%s\n' "SELECT count(*) FROM pg_roles WHERE rolname = :'r';" |
	    psql_admin -v r="$1"
}

verify() {
	local got
	if [ ! -f "$file.fingerprint" ]; then
		echo "restore: no $file.fingerprint, nothing to compare"
		return 0
	fi
	got=$(ITF_DATABASE_URL=$target "$ITF_ROOT/scripts/backup.sh" --fingerprint) ||
	    { echo "restore.sh: fingerprint of $db failed: $got" >&2; return 1; }
	if ! diff <(printf '%s\n' "$got") "$file.fingerprint" > /dev/null; then
		echo "restore.sh: $db does NOT match $file.fingerprint:" >&2
		diff <(printf '%s\n' "$got") "$file.fingerprint" | head -20 >&2
		return 1
	fi
	echo "restore: $db matches $file.fingerprint ($(wc -l < "$file.fingerprint") facts)"
}

if [ "$verify_only" -eq 1 ]; then
	verify
	exit $?
fi

"$bin/pg_restore" -l "$file" > /dev/null ||
    { echo "restore.sh: $file is not a pg_dump archive" >&2; exit 1; }
if [ "$(psql_admin -c "SELECT count(*) FROM pg_database WHERE datname = '$db'")" != 0 ]; then
	echo "restore.sh: database $db exists; choose a new name" >&2
	exit 1
fi
# Owners named in the archive's table of contents (its last field).
missing=""
for r in $("$bin/pg_restore" -l "$file" | sed -n 's/^[0-9][0-9]*; .* \([^ ]*\)$/\1/p' |
    sort -u); do
	[ "$r" = "-" ] && continue
	[ "$(role_exists "$r")" = 1 ] ||
	    missing="$missing $r"
done
if [ -n "$missing" ]; then
	echo "restore.sh: roles missing on the server:$missing (create them first)" >&2
	exit 1
fi
psql_admin -c "SET client_min_messages = warning; DO \$\$ BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'itf_app') THEN
		CREATE ROLE itf_app NOLOGIN;
	END IF;
	EXECUTE format('GRANT itf_app TO %I', current_user);
END \$\$"
psql_admin -c "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8'"
if ! "$bin/pg_restore" --single-transaction --exit-on-error -d "$target" "$file"; then
	echo "restore.sh: pg_restore failed; $db is left empty (drop it)" >&2
	exit 1
fi
"$bin/psql" -X -q -d "$target" -c "ANALYZE"
echo "restore: $file restored into $db"
verify
