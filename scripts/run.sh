#!/bin/sh
# make run: start (or reuse) the private PostgreSQL cluster, migrate, load the
# schemes, seed the demo data when the database is empty, and serve on
# http://127.0.0.1:8888 in the foreground.  Ctrl-C stops Kore and then the
# cluster.
set -eu
. "$(dirname "$0")/env.sh"
cd "$ITF_ROOT"
mkdir -p var/tmp

if [ "$external" -eq 0 ]; then
	scripts/pg.sh start var "$ITF_PGPORT"
	echo "PostgreSQL: private cluster in var/ (socket var/run, port $ITF_PGPORT)"
else
	echo "PostgreSQL: using the database named by ITF_DATABASE_URL / PG* environment"
fi

stop() {
	trap - INT TERM EXIT
	if [ -n "${kpid:-}" ] && kill -0 "$kpid" 2>/dev/null; then
		kill -TERM "$kpid" 2>/dev/null || true
		wait "$kpid" 2>/dev/null || true
	fi
	if [ "$external" -eq 0 ]; then
		scripts/pg.sh stop var && echo "PostgreSQL stopped"
	fi
}
trap stop INT TERM EXIT

bin/itfctl migrate
bin/itfctl schemes load
if bin/itfctl help 2>/dev/null | grep -q "seed demo"; then
	# The demo data set (docs/seed.md), on an empty database only; it
	# prints the demo logins either way.  ITF_SEED_SCALE=0.1 seeds a
	# tenth of it (quicker; the FCR(2021-22)22 figures need 1).  Exit
	# status 3: an earlier seed was interrupted (Ctrl-C during the first
	# make run) and left part of the data set; the private database is
	# then made again from nothing.  An external one is left alone.
	rc=0
	bin/itfctl seed demo --if-empty --scale "${ITF_SEED_SCALE:-1}" || rc=$?
	if [ "$rc" -eq 3 ] && [ "$external" -eq 0 ]; then
		echo "Seeding again: the private database is recreated"
		psql -h "$ITF_ROOT/var/run" -p "$ITF_PGPORT" -U itf -d postgres \
		    -qc "DROP DATABASE itf"
		scripts/pg.sh start var "$ITF_PGPORT"
		bin/itfctl migrate
		bin/itfctl schemes load
		bin/itfctl seed demo --if-empty --scale "${ITF_SEED_SCALE:-1}"
	elif [ "$rc" -ne 0 ]; then
		exit "$rc"
	fi
fi

echo "Serving on http://127.0.0.1:8888 (Ctrl-C to stop)"
stdbuf -oL kore -c kore.conf -f -n -r &
kpid=$!
wait "$kpid" || true
