#!/bin/bash
# make test: unit tests (cmocka), then integration tests (node's test runner
# against the real Kore service on a private PostgreSQL cluster of its own,
# on private ports, stopped afterwards).  Ends with "N passed, N failed".
#   scripts/test.sh            everything
#   scripts/test.sh unit       unit tests only
#   scripts/test.sh integration [FILE...]
set -u
. "$(dirname "$0")/env.sh"
cd "$ITF_ROOT"
what=${1:-all}
[ $# -gt 0 ] && shift
passed=0
failed=0
art=test-artifacts
mkdir -p "$art"

run_unit() {
	for t in ${1:-build/tests}/test_*; do
		[ -x "$t" ] || continue
		out=$("$t" 2>&1)
		rc=$?
		printf '%s\n' "$out" > "$art/$(basename "$t").log"
		p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
		f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
		echo "$(basename "$(dirname "$t")") $(basename "$t"): $p passed, $f failed"
		[ "$f" -gt 0 ] && printf '%s\n' "$out" | grep -E "FAIL|ERROR|error:|Assert|failure" | head -20
		passed=$((passed + p))
		failed=$((failed + f))
	done
}

free_port() {
	# A port in [lo, lo+2000) nobody listens on.
	lo=$1
	while :; do
		p=$((lo + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 2000))
		if ! (echo > /dev/tcp/127.0.0.1/$p) 2>/dev/null &&
		    ! ss -ltn 2>/dev/null | grep -q ":$p "; then
			echo "$p"
			return
		fi
	done
}

run_integration() {
	tmp=$(mktemp -d /tmp/itf-test.XXXXXX)
	chmod 755 "$tmp"
	pgport=$(free_port 56000)
	port=$(free_port 18000)
	kpid=""
	cleanup() {
		[ -n "$kpid" ] && kill -TERM "$kpid" 2>/dev/null && wait "$kpid" 2>/dev/null
		scripts/pg.sh stop "$tmp/pg" >/dev/null 2>&1
		cp "$tmp/kore.log" "$art/kore-test.log" 2>/dev/null
		rm -rf "$tmp"
	}
	trap cleanup EXIT INT TERM
	if ! scripts/pg.sh start "$tmp/pg" "$pgport" >"$tmp/pg.out" 2>&1; then
		cat "$tmp/pg.out"
		failed=$((failed + 1))
		return
	fi
	pgsock=$(readlink -f "$tmp/pg/run")
	ITF_DATABASE_URL="host=$pgsock port=$pgport dbname=itf user=itf"
	export ITF_DATABASE_URL
	if ! bin/itfctl migrate >"$tmp/migrate.out" 2>&1 ||
	    ! bin/itfctl schemes load >>"$tmp/migrate.out" 2>&1; then
		cat "$tmp/migrate.out"
		failed=$((failed + 1))
		return
	fi
	# Core tests that need a database (tests/db/), on the same cluster.
	run_unit build/dbtests
	mkdir -p "$tmp/body"
	sed -e "s|^\tbind.*|\tbind\t127.0.0.1 $port|" \
	    -e "s|^pidfile.*|pidfile\t\t\t$tmp/kore.pid|" \
	    -e "s|^http_body_disk_path.*|http_body_disk_path\t$tmp/body|" \
	    -e "s|^workers.*|workers\t\t\t2|" \
	    -e "s|^load.*|load\t\t$ITF_ROOT/build/app.so|" \
	    kore.conf > "$tmp/kore.conf"
	stdbuf -oL kore -c "$tmp/kore.conf" -f -n -r > "$tmp/kore.log" 2>&1 &
	kpid=$!
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$port/api/v1/version"; do
		i=$((i + 1))
		if [ "$i" -gt 100 ] || ! kill -0 "$kpid" 2>/dev/null; then
			echo "kore did not start:"; cat "$tmp/kore.log"
			failed=$((failed + 1))
			return
		fi
		sleep 0.1
	done
	export ITF_BASE_URL="http://127.0.0.1:$port" ITF_TEST_TMP="$tmp"
	export ITF_KORE_PID="$kpid" ITF_PG_DIR="$tmp/pg" ITF_PGPORT_TEST="$pgport"
	# Three groups, in this order, each one node --test run (node sorts
	# the files it is given): the integration files; the browser tests
	# (tests/browser, headless Chromium); the zz_ files, which kill and
	# restart the service or the database.  The ledger's FCR(2021-22)22
	# scenario is dated 2021, so it must run before anything moves a
	# subhead today.
	if [ $# -gt 0 ]; then
		groups=("$*")
	else
		groups=("$(ls tests/integration/*.test.mjs 2>/dev/null | grep -v '/zz_' | tr '\n' ' ')"
		    "$(ls tests/browser/*.test.mjs 2>/dev/null | tr '\n' ' ')"
		    "$(ls tests/integration/zz_*.test.mjs 2>/dev/null | tr '\n' ' ')")
	fi
	: > "$art/integration.tap"
	p=0
	f=0
	for files in "${groups[@]}"; do
		[ -n "${files// /}" ] || continue
		# shellcheck disable=SC2086
		out=$(node --test --test-reporter=tap --test-concurrency=1 $files 2>&1)
		printf '%s\n' "$out" >> "$art/integration.tap"
		gp=$(printf '%s\n' "$out" | sed -n 's/^# pass \([0-9]*\)/\1/p' | tail -1)
		gf=$(printf '%s\n' "$out" | sed -n 's/^# fail \([0-9]*\)/\1/p' | tail -1)
		gp=${gp:-0}
		gf=${gf:-1}
		[ "$gf" -gt 0 ] && printf '%s\n' "$out" | grep -B2 -A25 "^not ok\|^    not ok" | grep -v "# TODO" | head -150
		p=$((p + gp))
		f=$((f + gf))
	done
	echo "integration: $p passed, $f failed"
	if grep -q "sandbox violation\|gone (" "$tmp/kore.log"; then
		echo "kore: a worker died (see $art/kore-test.log):"
		grep "sandbox violation\|gone (" "$tmp/kore.log" | head
		f=$((f + 1))
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

case "$what" in
unit) run_unit ;;
integration) run_integration "$@" ;;
all) run_unit; run_integration ;;
*) echo "usage: test.sh [unit|integration [FILE...]]"; exit 2 ;;
esac
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
