# Sourced by run.sh, test.sh and bench.sh: decide which database to use.
# ITF_DATABASE_URL or libpq's PG* environment -> that database (external=1);
# otherwise the private cluster under var/ on port ITF_PGPORT (55432).
ITF_ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ITF_ROOT
external=0
if [ -n "${ITF_DATABASE_URL:-}" ]; then
	external=1
else
	for v in PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGSERVICE; do
		eval "val=\${$v:-}"
		[ -n "$val" ] && external=1
	done
fi
: "${ITF_PGPORT:=55432}"
export ITF_PGPORT
