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
	bin/itfctl seed demo --if-empty
fi

echo "Serving on http://127.0.0.1:8888 (Ctrl-C to stop)"
stdbuf -oL kore -c kore.conf -f -n -r &
kpid=$!
wait "$kpid" || true
