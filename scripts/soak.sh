#!/bin/bash
# make soak: a long mixed workload against a service of its own, bounded in
# time (SOAK_SECONDS, default 300) and rate (SOAK_RATE operations/s, default
# 40, from SOAK_CLIENTS=8 clients).  Never part of make test.  Starts its own
# PostgreSQL and Kore (kore.conf as is, on private loopback ports), seeds
# users, organisations, money and a panel, runs tests/soak/workload.mjs
# (reads, submissions, screening, scores, decisions, reports, payments and
# refusals that must be refused), then checks the ledger and the audit
# chain and counts worker deaths.  Prints a Markdown summary last (also in
# test-artifacts/soak.md); exits 1 on any error answer or failed check.
set -eu
. "$(dirname "$0")/env.sh"
cd "$ITF_ROOT"
: "${SOAK_SECONDS:=300}" "${SOAK_RATE:=40}" "${SOAK_CLIENTS:=8}"
export SOAK_SECONDS SOAK_RATE SOAK_CLIENTS

tmp=$(mktemp -d /tmp/itf-soak.XXXXXX)
chmod 755 "$tmp"
pgport=$((58000 + RANDOM % 1000))
port=$((20000 + RANDOM % 1000))
kpid=""
cleanup() {
	[ -n "$kpid" ] && kill -TERM "$kpid" 2>/dev/null && wait "$kpid" 2>/dev/null
	scripts/pg.sh stop "$tmp/pg" >/dev/null 2>&1 || true
	mkdir -p test-artifacts
	cp "$tmp/kore.log" test-artifacts/kore-soak.log 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

scripts/pg.sh start "$tmp/pg" "$pgport" >/dev/null
export ITF_DATABASE_URL="host=$(readlink -f "$tmp/pg/run") port=$pgport dbname=itf user=itf"
bin/itfctl migrate >/dev/null
bin/itfctl schemes load >/dev/null
mkdir -p "$tmp/body" "$tmp/uploads"
export ITF_UPLOAD_DIR="$tmp/uploads"
sed -e "s|^\tbind.*|\tbind\t127.0.0.1 $port|" \
    -e "s|^pidfile.*|pidfile\t\t\t$tmp/kore.pid|" \
    -e "s|^http_body_disk_path.*|http_body_disk_path\t$tmp/body|" \
    -e "s|^load.*|load\t\t$ITF_ROOT/build/app.so|" \
    kore.conf > "$tmp/kore.conf"
stdbuf -oL kore -c "$tmp/kore.conf" -f -n -r > "$tmp/kore.log" 2>&1 &
kpid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
	curl -s -o /dev/null "$base/api/v1/version" && break
	sleep 0.1
done
curl -s -o /dev/null "$base/api/v1/version" || { echo "kore did not start"; cat "$tmp/kore.log"; exit 1; }

rc=0
ITF_BASE_URL=$base KORE_PID=$kpid SOAK_JSON=test-artifacts/soak.json \
    node tests/soak/workload.mjs > "$tmp/summary.md" || rc=1
# Afterwards: the ledger's invariants, the audit chain, worker deaths.
if bin/itfctl ledger verify > "$tmp/ledger.txt" 2>&1; then ledger="intact"; else ledger="BROKEN"; rc=1; fi
if bin/itfctl audit verify > "$tmp/audit.txt" 2>&1; then audit="intact"; else audit="BROKEN"; rc=1; fi
deaths=$(grep -c "gone (\|sandbox violation" "$tmp/kore.log" || true)
[ "$deaths" -eq 0 ] || rc=1
paid=$(psql "$ITF_DATABASE_URL" -Atc "SELECT to_char(coalesce(sum(amount_cents), 0) / 100.0, 'FM999,999,999,990.00')
    FROM payments WHERE status = 'approved'")
ledgerpaid=$(psql "$ITF_DATABASE_URL" -Atc "SELECT to_char(coalesce(sum(CASE WHEN reverses_id IS NULL
    THEN amount_cents ELSE -amount_cents END), 0) / 100.0, 'FM999,999,999,990.00') FROM ledger_entries
    WHERE kind = 'payment'")
rows=$(psql "$ITF_DATABASE_URL" -Atc "SELECT (SELECT count(*) FROM applications) || ' applications, ' ||
    (SELECT count(*) FROM projects) || ' projects, ' || (SELECT count(*) FROM payments) || ' payments, ' ||
    (SELECT count(*) FROM audit_log) || ' audit rows'")
{
	echo
	cat "$tmp/summary.md"
	echo
	echo "After the soak: ledger verify: $ledger ($(tail -1 "$tmp/ledger.txt")); audit verify: $audit;" \
	    "worker deaths: $deaths; approved payments HK\$$paid, the ledger's payments HK\$$ledgerpaid;" \
	    "$rows. $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)."
} | tee test-artifacts/soak.md
[ "$paid" = "$ledgerpaid" ] || { echo "payments and ledger disagree"; rc=1; }
exit $rc
