#!/bin/bash
# make bench: measure the service against its own references in one run on
# this machine, and print one Markdown table last.  Never part of make test.
# Starts its own PostgreSQL and Kore on private loopback ports and stops
# them; every load is bounded (wrk -d).
set -eu
. "$(dirname "$0")/env.sh"
cd "$ITF_ROOT"
DUR=${ITF_BENCH_SECONDS:-10}
CONNS=${ITF_BENCH_CONNECTIONS:-64}

command -v wrk >/dev/null 2>&1 || {
	SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q wrk >/dev/null
}

tmp=$(mktemp -d /tmp/itf-bench.XXXXXX)
chmod 755 "$tmp"
pgport=$((57000 + RANDOM % 1000))
port=$((19000 + RANDOM % 1000))
kpid=""
cleanup() {
	[ -n "$kpid" ] && kill -TERM "$kpid" 2>/dev/null && wait "$kpid" 2>/dev/null
	scripts/pg.sh stop "$tmp/pg" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

scripts/pg.sh start "$tmp/pg" "$pgport" >/dev/null
export ITF_DATABASE_URL="host=$(readlink -f "$tmp/pg/run") port=$pgport dbname=itf user=itf"
bin/itfctl migrate >/dev/null
bin/itfctl schemes load >/dev/null
mkdir -p "$tmp/body"
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

cat > "$tmp/quote.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"submitted_on":"2020-04-01","eligible_cost_cents":80000000,"prior_approved_cents":0,"prior_projects":0}'
LUA

# wrk_run NAME URL [SCRIPT] -> sets rps_NAME, p50_NAME, p99_NAME
to_ms() {
	awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); v/=1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v*=1000 } printf "%.2f", v }'
}
wrk_run() {
	local name=$1 url=$2 script=${3:-}
	local out
	out=$(wrk -t2 -c"$CONNS" -d"${DUR}s" --latency ${script:+-s "$script"} "$url")
	printf '%s\n' "$out" > "$tmp/wrk-$name.txt"
	eval "rps_$name=$(printf '%s\n' "$out" | awk '/^Requests\/sec/ {printf "%d", $2}')"
	eval "p50_$name=$(printf '%s\n' "$out" | awk '$1 == "50%" {print $2}' | to_ms)"
	eval "p99_$name=$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}' | to_ms)"
	eval "non2xx_$name=$(printf '%s\n' "$out" | awk '/Non-2xx/ {print $4}')"
	eval "non2xx_$name=\${non2xx_$name:-0}"
}

wrk_run nodb "$base/api/v1/version"
wrk_run health "$base/api/v1/health"
wrk_run quote "$base/api/v1/schemes/TVP/quote" "$tmp/quote.lua"

# pgbench running the health check's query directly: the database's own
# ceiling for the cheapest round trip.
echo "SELECT 1;" > "$tmp/select1.sql"
pgb=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pgbench
rps_pgbench=$("$pgb" -n -c "$CONNS" -j 2 -T "$DUR" -f "$tmp/select1.sql" \
    -h "$(readlink -f "$tmp/pg/run")" -p "$pgport" -U itf itf 2>/dev/null |
    awk '/^tps/ {printf "%d", $3}')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
deaths=$(grep -c "gone (\|sandbox violation" "$tmp/kore.log" || true)

cat <<TABLE

### make bench ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), wrk -t2 -c$CONNS -d${DUR}s, Kore workers 2)

| measurement | requests/s | p50 ms | p99 ms | non-2xx | reference | ratio |
| --- | ---: | ---: | ---: | ---: | --- | ---: |
| GET /api/v1/version (no database) | $rps_nodb | $p50_nodb | $p99_nodb | $non2xx_nodb | itself | 1.00 |
| POST /api/v1/schemes/TVP/quote (pure computation) | $rps_quote | $p50_quote | $p99_quote | $non2xx_quote | no-database handler | $(ratio "$rps_quote" "$rps_nodb") |
| GET /api/v1/health (SELECT 1 through libpq) | $rps_health | $p50_health | $p99_health | $non2xx_health | pgbench SELECT 1, $CONNS clients: $rps_pgbench tps | $(ratio "$rps_health" "$rps_pgbench") |

Worker deaths during the run: $deaths.
Not yet measured (need the demo data set of issue 6): application list reads at 1x/10x/50x,
writes versus pgbench, project-register versus the libxlsxwriter floor and exceljs.
TABLE
