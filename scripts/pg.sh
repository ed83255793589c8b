#!/bin/sh
# A private PostgreSQL cluster in a directory of its own.
#   scripts/pg.sh start DIR PORT   initdb if needed, start, create database itf
#   scripts/pg.sh stop DIR         fast shutdown
#   scripts/pg.sh status DIR
# The socket lives in DIR/run, data in DIR/data, log in DIR/log.  initdb
# refuses root, so as root the cluster runs as the unprivileged user itfpg.
# Only a Unix socket is opened (listen_addresses = ''); trust auth is local
# to that socket, whose directory only the cluster's user (and root) enter.
set -eu
cmd=${1:?usage: pg.sh start|stop|status DIR [PORT]}
dir=${2:?directory}
port=${3:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "pg.sh: PostgreSQL server binaries not found" >&2; exit 1; }

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u itfpg -- "$@"
	else
		"$@"
	fi
}

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [ "$(id -u)" -eq 0 ]; then
	id itfpg >/dev/null 2>&1 || useradd --system --no-create-home \
		--home-dir /nonexistent --shell /usr/sbin/nologin itfpg
	# The cluster user must reach the directory: if a parent is closed to
	# it (a repository under /root), keep the cluster under /var/tmp and
	# point DIR at it with symlinks.
	if ! runuser -u itfpg -- test -x "$dir"; then
		alt=/var/tmp/itf-pg-$(printf %s "$dir" | md5sum | cut -c1-12)
		mkdir -p "$alt"
		for d in data run log; do
			[ -L "$dir/$d" ] || { rm -rf "$dir/$d"; ln -s "$alt/$d" "$dir/$d"; }
		done
		dir=$alt
	fi
fi
data=$dir/data run=$dir/run log=$dir/log
mkdir -p "$run" "$log"
[ "$(id -u)" -eq 0 ] && chown itfpg "$dir" "$run" "$log" && chmod 700 "$run"

case "$cmd" in
start)
	if [ ! -f "$data/PG_VERSION" ]; then
		mkdir -p "$data"
		[ "$(id -u)" -eq 0 ] && chown itfpg "$data"
		as_pg "$bin/initdb" -D "$data" -U itf -A trust -E UTF8 \
			--locale=C.UTF-8 >"$log/initdb.log" 2>&1 ||
			{ cat "$log/initdb.log" >&2; exit 1; }
		cat >>"$data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$run'
port = $port
max_connections = 200
shared_buffers = 256MB
log_min_messages = warning
log_min_error_statement = panic
CONF
	fi
	if ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		as_pg "$bin/pg_ctl" -D "$data" -l "$log/postgresql.log" \
			-o "-p $port -k $run" -w -t 60 start >/dev/null ||
			{ tail -20 "$log/postgresql.log" >&2; exit 1; }
	fi
	"$bin/psql" -h "$run" -p "$port" -U itf -d postgres -Atqc \
		"SELECT 1 FROM pg_database WHERE datname = 'itf'" | grep -q 1 ||
		"$bin/createdb" -h "$run" -p "$port" -U itf itf
	;;
stop)
	if [ -f "$data/PG_VERSION" ] &&
	    as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
	fi
	;;
status)
	as_pg "$bin/pg_ctl" -D "$data" status
	;;
*)
	echo "pg.sh: unknown command $cmd" >&2
	exit 2
	;;
esac
