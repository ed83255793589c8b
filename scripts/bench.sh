#!/bin/bash
# make bench: measure the service against its own references, in one run on
# this machine, and print one Markdown table last.  Never part of make test.
# Starts its own PostgreSQL and Kore on private loopback ports and stops
# them; every load is bounded (wrk -d, pgbench -T); progress goes to stderr.
# docs/bench.md explains each measurement and its reference.
#
# Data: a base seeded through the real core (itfctl seed demo --scale 0.05),
# multiplied to 1x, 10x and 50x the demo volume by tests/bench/clone.sql
# (bench-only: it bypasses the core and the audit chain).  The cluster with
# the four databases is kept under var/bench-cache/KEY (KEY: a hash of
# migrations/, schemes/, app/core/seed.c and tests/bench/clone.sql), so only
# the first run pays for building it.
#   ITF_BENCH_SECONDS (10)  ITF_BENCH_CONNECTIONS (64)
#   ITF_BENCH_WRITE_CONNECTIONS (16)  ITF_BENCH_REBUILD=1 (drop the cache)
set -eu
. "$(dirname "$0")/env.sh"
cd "$ITF_ROOT"
unset ITF_DATABASE_URL PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGSERVICE
DUR=${ITF_BENCH_SECONDS:-10}
CONNS=${ITF_BENCH_CONNECTIONS:-64}
WCONNS=${ITF_BENCH_WRITE_CONNECTIONS:-16}
BASE_SCALE=0.05
VOLUMES="1 10 50"
t_start=$(date +%s)
say() { printf 'bench [%4ds]: %s\n' "$(($(date +%s) - t_start))" "$*" >&2; }

command -v wrk >/dev/null 2>&1 || {
	SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q wrk >/dev/null
}
[ -d node_modules/exceljs ] || npm ci --no-audit --no-fund >/dev/null
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
mkdir -p build/bench
cc -O2 -Wall -o build/bench/xlsx_floor tests/bench/xlsx_floor.c -lxlsxwriter

free_port() {
	# A port in [lo, lo+2000) nobody listens on (as scripts/test.sh).
	local lo=$1 p
	while :; do
		p=$((lo + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 2000))
		if ! (echo > /dev/tcp/127.0.0.1/$p) 2>/dev/null &&
		    ! ss -ltn 2>/dev/null | grep -q ":$p "; then
			echo "$p"
			return
		fi
	done
}

# --- the cached cluster ---------------------------------------------------
mkdir -p var/bench-cache
exec 9>var/bench-cache/lock
flock -n 9 || { echo "bench: another make bench is running" >&2; exit 1; }
key=$(cat migrations/*.sql schemes/*.json app/core/seed.c \
    tests/bench/clone.sql | { cat; echo "$BASE_SCALE $VOLUMES"; } |
    sha256sum | cut -c1-16)
cache=$ITF_ROOT/var/bench-cache/$key
drop_cache() {
	# pg.sh may have put the cluster under /var/tmp (symlinks here).
	local d=$1 t
	scripts/pg.sh stop "$d/pg" >/dev/null 2>&1 || true
	for t in data run log; do
		[ -L "$d/pg/$t" ] && rm -rf "$(readlink -f "$d/pg/$t")"
	done
	rm -rf "$d"
}
for d in var/bench-cache/*/; do
	[ -d "$d" ] || continue
	d=$(cd "$d" && pwd)
	[ "$d" = "$cache" ] && [ "${ITF_BENCH_REBUILD:-0}" != 1 ] && continue
	say "dropping the cached cluster $(basename "$d")"
	drop_cache "$d"
done

tmp=$(mktemp -d /tmp/itf-bench.XXXXXX)
chmod 755 "$tmp"
pgport=$(free_port 57000)
port=$(free_port 19000)
kpid=""
stop_kore() {
	if [ -n "$kpid" ]; then
		kill -TERM "$kpid" 2>/dev/null || true
		wait "$kpid" 2>/dev/null || true
		cat "$tmp/kore.log" >> "$tmp/kore-all.log" 2>/dev/null || true
	fi
	kpid=""
}
cleanup() {
	stop_kore
	"$pgbin/psql" -h "$pgsock" -p "$pgport" -U itf -d postgres -qc \
	    "DROP DATABASE IF EXISTS itf_w" >/dev/null 2>&1 || true
	scripts/pg.sh stop "$cache/pg" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
pgsock=""
trap cleanup EXIT
trap 'exit 130' INT TERM

scripts/pg.sh stop "$cache/pg" >/dev/null 2>&1 || true
[ -f "$cache/ready" ] || drop_cache "$cache"
mkdir -p "$cache"
scripts/pg.sh start "$cache/pg" "$pgport" >/dev/null
pgsock=$(readlink -f "$cache/pg/run")
dsn() { echo "host=$pgsock port=$pgport dbname=$1 user=itf"; }
sql() {
	local db=$1
	shift
	PGOPTIONS='-c client_min_messages=warning' "$pgbin/psql" "$(dsn "$db")" \
	    -v ON_ERROR_STOP=1 -Atq "$@"
}

if [ ! -f "$cache/ready" ]; then
	say "building the data set (first run, or migrations/seed/clone changed)"
	ITF_DATABASE_URL=$(dsn itf) bin/itfctl migrate >/dev/null
	ITF_DATABASE_URL=$(dsn itf) bin/itfctl schemes load >/dev/null
	# Bulk copies: fewer checkpoints (this cluster only).
	sql postgres -c "ALTER SYSTEM SET max_wal_size = '4GB'" \
	    -c "SELECT pg_reload_conf()" >/dev/null
	say "seed demo --scale $BASE_SCALE through the core"
	ITF_DATABASE_URL=$(dsn itf) bin/itfctl seed demo --scale "$BASE_SCALE" \
	    > "$cache/seed.log" 2>&1 || { tail -20 "$cache/seed.log"; exit 1; }
	# The three copies first (a template must have no other session),
	# then the clones side by side.
	for v in $VOLUMES; do
		sql postgres -c "DROP DATABASE IF EXISTS itf_${v}x" \
		    -c "CREATE DATABASE itf_${v}x TEMPLATE itf"
	done
	pids=""
	for v in $VOLUMES; do
		factor=$(awk -v v="$v" -v b="$BASE_SCALE" 'BEGIN { printf "%d", v / b + 0.5 }')
		full=1; [ "$v" -ge 50 ] && full=0
		say "cloning to ${v}x (factor $factor)"
		sql "itf_${v}x" -v factor="$factor" -v history="$full" \
		    -v gin="$full" -f tests/bench/clone.sql >"$tmp/clone-$v.log" 2>&1 &
		pids="$pids $!"
	done
	for p in $pids; do
		wait "$p" || { cat "$tmp"/clone-*.log >&2; exit 1; }
	done
	say "clones done"
	date -u +%FT%TZ > "$cache/ready"
else
	say "using the cached data set $key (built $(cat "$cache/ready"))"
fi
sql postgres -c "DROP DATABASE IF EXISTS itf_w" -c "CHECKPOINT"

# --- the service ------------------------------------------------------------
mkdir -p "$tmp/body"
workers_line=$(awk '/^workers[ \t]/ {print $2}' kore.conf)
[ -n "$workers_line" ] || workers_line="$(nproc) (one per CPU)"
start_kore() {
	stop_kore
	sed -e "s|^\tbind.*|\tbind\t127.0.0.1 $port|" \
	    -e "s|^pidfile.*|pidfile\t\t\t$tmp/kore.pid|" \
	    -e "s|^http_body_disk_path.*|http_body_disk_path\t$tmp/body|" \
	    -e "s|^load.*|load\t\t$ITF_ROOT/build/app.so|" \
	    kore.conf > "$tmp/kore.conf"
	ITF_DATABASE_URL=$(dsn "$1") stdbuf -oL kore -c "$tmp/kore.conf" \
	    -f -n -r > "$tmp/kore.log" 2>&1 &
	kpid=$!
	for _ in $(seq 1 100); do
		curl -s -o /dev/null "$base/api/v1/version" && return 0
		sleep 0.1
	done
	cat "$tmp/kore.log" >&2
	exit 1
}
base="http://127.0.0.1:$port"
login() { # login DB ROLE [ORGTYPE] -> prints "itf_session=..."
	local email
	email=$(sql "$1" -c "SELECT u.email FROM users u
	    JOIN user_roles r ON r.user_id = u.id AND r.role = '$2'
	    LEFT JOIN organisations o ON o.id = u.org_id
	    WHERE u.active AND ('${3:-}' = '' OR o.org_type = '${3:-}')
	    ORDER BY u.id LIMIT 1")
	curl -s -D - -o /dev/null -H 'content-type: application/json' \
	    -H 'x-itf-request: 1' \
	    -d "{\"email\":\"$email\",\"password\":\"ITF-demo-2021\"}" \
	    "$base/api/v1/session" |
	    sed -n 's/^[Ss]et-[Cc]ookie: \(itf_session=[^;]*\).*/\1/p'
}

to_ms() {
	awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); v/=1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v*=1000 } printf "%.2f", v }'
}
# wrk_run NAME URL [wrk options...] -> rps_NAME p50_NAME p99_NAME bad_NAME
wrk_run() {
	local name=$1 url=$2 out
	shift 2
	out=$(wrk -t2 -c"$CONNS" -d"${DUR}s" --latency "$@" "$url")
	printf '%s\n' "$out" > "$tmp/wrk-$name.txt"
	cp "$tmp/wrk-$name.txt" "$cache/last-wrk-$name.txt"
	eval "rps_$name=$(printf '%s\n' "$out" | awk '/^Requests\/sec/ {printf "%d", $2}')"
	eval "p50_$name=$(printf '%s\n' "$out" | awk '$1 == "50%" {print $2}' | to_ms)"
	eval "p99_$name=$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}' | to_ms)"
	eval "bad_$name=$(printf '%s\n' "$out" | awk '/Non-2xx|Socket errors/ {s += $NF} END {print s + 0}')"
}
# pgb NAME DB CLIENTS SCRIPT [pgbench options...] -> tps_NAME
pgb() {
	local name=$1 db=$2 c=$3 f=$4 out
	shift 4
	out=$("$pgbin/pgbench" -n -M extended -c "$c" -j 2 -T "$DUR" -f "$f" \
	    "$@" -h "$pgsock" -p "$pgport" -U itf "$db" 2>&1) || true
	printf '%s\n' "$out" > "$cache/last-pgbench-$name.txt"
	eval "tps_$name=$(printf '%s\n' "$out" | awk '/^tps/ {printf "%d", $3} END {}' | head -1)"
	eval "tps_$name=\${tps_$name:-0}"
}
# timed NAME CMD... -> wall_NAME (s), mem_NAME (MiB peak RSS)
timed() {
	local name=$1
	shift
	if ! /usr/bin/time -v -o "$tmp/time-$name.txt" "$@" > "$tmp/out-$name.txt" 2>&1; then
		say "$name failed: $(tail -1 "$tmp/out-$name.txt")"
		eval "wall_$name=\"failed after \$(awk -F': ' '/Elapsed/ {print \$2}' \"$tmp/time-$name.txt\") ($(tail -1 "$tmp/out-$name.txt" | sed 's/^itfctl: //'))\""
		eval "mem_$name=n/a"
		return
	fi
	eval "wall_$name=$(awk -F': ' '/Elapsed/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' "$tmp/time-$name.txt")"
	eval "mem_$name=$(awk -F': ' '/Maximum resident/ { printf "%.1f", $2 / 1024 }' "$tmp/time-$name.txt")"
}
secs() { case $1 in [0-9]*) echo "$1 s" ;; *) echo "$1" ;; esac; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
fmt() { awk -v a="$1" 'BEGIN { s = sprintf("%d", a); r = ""; while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) } print s r }'; }
count() { fmt "$(sql "$1" -c "SELECT count(*) FROM $2")"; }

LIST="/api/v1/applications?scheme=TVP&status=approved,agreement_signed"
LIST0="/api/v1/applications?scheme=TVP&status=approved"
cat > "$tmp/quote.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"submitted_on":"2020-04-01","eligible_cost_cents":80000000,"prior_approved_cents":0,"prior_projects":0}'
LUA
echo "SELECT 1;" > "$tmp/select1.sql"

# --- 10x: the handlers, the reads, the references -----------------------------
say "service on the 10x data set"
start_kore itf_10x
cookie=$(login itf_10x officer)
[ -n "$cookie" ] || { echo "bench: officer login failed" >&2; exit 1; }
say "wrk: no-database handler, quote, health"
wrk_run nodb "$base/api/v1/version"
wrk_run quote "$base/api/v1/schemes/TVP/quote" -s "$tmp/quote.lua"
wrk_run health "$base/api/v1/health"
pgb select1 itf_10x "$CONNS" "$tmp/select1.sql"
curl -s -H "Cookie: $cookie" "$base$LIST" > "$tmp/page.json"
page_rows=$(grep -o '"reference"' "$tmp/page.json" | wc -l)
page0_rows=$(curl -s -H "Cookie: $cookie" "$base$LIST0" | grep -o '"reference"' | wc -l)
say "wrk: reads at 10x"
wrk_run list0 "$base$LIST0" -H "Cookie: $cookie"
read_volume() { # VOLUME: reads through the service, then pgbench, then EXPLAIN
	local v=$1
	wrk_run "list$v" "$base$LIST" -H "Cookie: $cookie"
	pgb "list$v" "itf_${v}x" "$CONNS" tests/bench/list.pgbench \
	    -D scheme=TVP -D 'statuses={approved,agreement_signed}' -D limit=51
	{ echo "EXPLAIN (ANALYZE, BUFFERS)"; sed -e '/^--/d' \
	    -e "s/:scheme/'TVP'/g" -e "s/:statuses/'{approved,agreement_signed}'/g" \
	    -e 's/:limit/51/' tests/bench/list.pgbench; } > "$tmp/explain.sql"
	sql "itf_${v}x" -f "$tmp/explain.sql" > /dev/null	# warm
	sql "itf_${v}x" -f "$tmp/explain.sql" > "$cache/last-explain-${v}x.txt"
	eval "plan_$v=\"$(grep -o 'Index Scan[^(]* using [a-z_]*\|Seq Scan on [a-z_]*\|Bitmap Heap Scan on [a-z_]*' "$cache/last-explain-${v}x.txt" | head -1)\""
	eval "exec_$v=$(awk '/Execution Time/ {print $3}' "$cache/last-explain-${v}x.txt")"
	eval "apps_$v=$(count "itf_${v}x" applications)"
	eval "projects_$v=$(count "itf_${v}x" projects)"
}
read_volume 10
for v in 1 50; do
	say "service on the ${v}x data set: reads"
	start_kore "itf_${v}x"
	cookie=$(login "itf_${v}x" officer)
	read_volume "$v"
done

# --- writes -------------------------------------------------------------------
say "writes: HTTP create+submit, then pgbench with the same statements"
sql postgres -c "CREATE DATABASE itf_w TEMPLATE itf"
start_kore itf_w
cookie=$(login itf_w applicant company)
out=$(wrk -t2 -c"$WCONNS" -d"${DUR}s" --latency -s tests/bench/write.lua \
    -H "Cookie: $cookie" "$base/")
printf '%s\n' "$out" > "$cache/last-wrk-write.txt"
w_sub=$(printf '%s\n' "$out" | awk '/^created/ {print $4}')
w_fail=$(printf '%s\n' "$out" | awk '/^created/ {print $6}')
w_secs=$(printf '%s\n' "$out" | awk '/requests in/ {sub(/s,$/, "", $4); print $4}')
rps_write=$(awk -v n="$w_sub" -v s="$w_secs" 'BEGIN { printf "%d", n / s }')
p50_write=$(printf '%s\n' "$out" | awk '$1 == "50%" {print $2}' | to_ms)
p99_write=$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}' | to_ms)
uid=$(sql itf_w -c "SELECT s.user_id FROM sessions s ORDER BY s.created_at DESC LIMIT 1")
read -r org email th <<EOF
$(sql itf_w -F ' ' -c "SELECT u.org_id, u.email, s.token_hash FROM sessions s
    JOIN users u ON u.id = s.user_id WHERE u.id = $uid
    ORDER BY s.created_at DESC LIMIT 1")
EOF
stop_kore
pgb write itf_w "$WCONNS" tests/bench/write.pgbench -D org="$org" \
    -D uid="$uid" -D email="$email" -D th="$th" \
    -D yy="$(TZ=Asia/Hong_Kong date +%y)"
sql postgres -c "DROP DATABASE itf_w"

# --- reports ------------------------------------------------------------------
say "reports: project-register at 10x, the floor, exceljs"
export ITF_TMPDIR=$tmp
ITF_DATABASE_URL=$(dsn itf_10x) timed reg10 bin/itfctl report project-register \
    --out "$tmp/register-10x.xlsx"
sql itf_10x -f tests/bench/register.sql > "$tmp/register.tsv"
reg_rows=$(fmt "$(wc -l < "$tmp/register.tsv")")
timed floor build/bench/xlsx_floor "$tmp/register.tsv" "$tmp/floor.xlsx"
timed exceljs node tests/bench/exceljs_register.mjs "$tmp/register.tsv" \
    "$tmp/exceljs.xlsx"
rm -f "$tmp/register.tsv" "$tmp"/*.xlsx
say "reports: project-register at 1x (50x: see below), TVP at 1x/10x/50x, scheme-statistics"
ITF_DATABASE_URL=$(dsn itf_1x) timed reg1 bin/itfctl report project-register \
    --out "$tmp/register-1x.xlsx"
# At 50x the register has more rows than an Excel sheet holds (1,048,576):
# the report refuses it ("row or column index out of range") after writing
# a million rows, so it is not run; the growth is measured on one scheme.
xl_max=1048570
reg50_note="not run: $projects_50 rows > Excel's 1,048,576-row sheet"
[ "$(sql itf_50x -c "SELECT count(*) FROM projects")" -le "$xl_max" ] && {
	ITF_DATABASE_URL=$(dsn itf_50x) timed reg50 bin/itfctl report \
	    project-register --out "$tmp/register-50x.xlsx"
	reg50_note="$wall_reg50 s, $mem_reg50 MiB"
}
for v in $VOLUMES; do
	ITF_DATABASE_URL=$(dsn "itf_${v}x") timed "tvp$v" bin/itfctl report \
	    project-register --scheme TVP --out "$tmp/register-tvp-${v}x.xlsx"
	eval "tvprows_$v=$(count "itf_${v}x" "projects WHERE scheme_code = 'TVP'")"
	rm -f "$tmp"/*.xlsx
done
ITF_DATABASE_URL=$(dsn itf_10x) timed stats10 bin/itfctl report \
    scheme-statistics --out "$tmp/statistics-10x.xlsx"
ITF_DATABASE_URL=$(dsn itf_1x) timed stats1 bin/itfctl report \
    scheme-statistics --out "$tmp/statistics-1x.xlsx"
rm -f "$tmp"/*.xlsx

deaths=$(grep -c "gone (\|sandbox violation" "$tmp/kore-all.log" 2>/dev/null || true)
yes_no() { awk "BEGIN { print ($1) ? \"met\" : \"**missed**\" }"; }
r_nodb10=$(ratio "$rps_list10" "$rps_nodb")
growth=$(ratio "$p50_list50" "$p50_list1")
growth99=$(ratio "$p99_list50" "$p99_list1")
r_floor=$(ratio "$wall_reg10" "$wall_floor")
r_exceljs=$(ratio "$wall_reg10" "$wall_exceljs")
elapsed=$(($(date +%s) - t_start))
say "done in ${elapsed}s"

cat <<TABLE

### make bench ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), Kore workers $workers_line, wrk -t2 -c$CONNS -d${DUR}s, writes $WCONNS connections)

Data: base seeded through the core at scale $BASE_SCALE, cloned (tests/bench/clone.sql) to 1x = $apps_1 applications / $projects_1 projects, 10x = $apps_10 / $projects_10, 50x = $apps_50 / $projects_50. Reads: \`GET $LIST\` as an officer, a page of $page_rows (\`status=approved\` alone matches $page0_rows rows in this data: approved applications move on to agreement_signed). pgbench runs the same list query with -M extended, $CONNS clients; the service also runs a session lookup per request. Whole run ${elapsed}s; the machine is shared, so only ratios within this run count.

| measurement | volume | result | p50 ms | p99 ms | reference (same run) | ratio | target | |
| --- | --- | ---: | ---: | ---: | --- | ---: | --- | --- |
| GET /api/v1/version (no database) | - | $(fmt "$rps_nodb") req/s | $p50_nodb | $p99_nodb | itself | 1.00 | | |
| POST /api/v1/schemes/TVP/quote | - | $(fmt "$rps_quote") req/s | $p50_quote | $p99_quote | no-database handler | $(ratio "$rps_quote" "$rps_nodb") | | |
| GET /api/v1/health (SELECT 1) | - | $(fmt "$rps_health") req/s | $p50_health | $p99_health | pgbench SELECT 1: $(fmt "$tps_select1") tps | $(ratio "$rps_health" "$tps_select1") | | |
| list, \`status=approved\` ($page0_rows rows) | 10x | $(fmt "$rps_list0") req/s | $p50_list0 | $p99_list0 | no-database handler | $(ratio "$rps_list0" "$rps_nodb") | | |
| list, page of $page_rows | 1x | $(fmt "$rps_list1") req/s | $p50_list1 | $p99_list1 | pgbench, same query: $(fmt "$tps_list1") tps | $(ratio "$rps_list1" "$tps_list1") | | |
| list, page of $page_rows | 10x | $(fmt "$rps_list10") req/s | $p50_list10 | $p99_list10 | pgbench, same query: $(fmt "$tps_list10") tps | $(ratio "$rps_list10" "$tps_list10") | | |
| list, page of $page_rows | 10x | | | | no-database handler | $r_nodb10 | >= 0.25 | $(yes_no "$r_nodb10 >= 0.25") |
| list, p99 at $CONNS connections | 10x | | | $p99_list10 | | | < 20 ms | $(yes_no "$p99_list10 < 20") |
| list, page of $page_rows | 50x | $(fmt "$rps_list50") req/s | $p50_list50 | $p99_list50 | pgbench, same query: $(fmt "$tps_list50") tps | $(ratio "$rps_list50" "$tps_list50") | | |
| list latency growth 1x -> 50x (p50; p99 $growth99) | 1x-50x | | | | p50 at 1x | $growth | <= 2 | $(yes_no "$growth <= 2") |
| list query plan (EXPLAIN ANALYZE execution ms) | 1x / 10x / 50x | $exec_1 / $exec_10 / $exec_50 ms | | | ${plan_50:-?} | | | |
| create + submit an application | 1x base | $(fmt "$rps_write") apps/s | $p50_write | $p99_write | pgbench, same statements: $(fmt "$tps_write") apps/s | $(ratio "$rps_write" "$tps_write") | >= 0.50 | $(yes_no "$(ratio "$rps_write" "$tps_write") >= 0.5") |
| project-register ($reg_rows rows) | 10x | $wall_reg10 s, $mem_reg10 MiB | | | libxlsxwriter floor: $wall_floor s, $mem_floor MiB | $r_floor | <= 1.5 | $(yes_no "$r_floor <= 1.5") |
| project-register ($reg_rows rows) | 10x | | | | exceljs streaming: $wall_exceljs s, $mem_exceljs MiB | $r_exceljs | <= 0.4 | $(yes_no "$r_exceljs <= 0.4") |
| project-register peak memory | 10x | $mem_reg10 MiB | | | | | < 64 MiB | $(yes_no "$mem_reg10 < 64") |
| project-register, all projects | 1x / 50x | $(secs "$wall_reg1"), $mem_reg1 MiB / $reg50_note | | | 10x: $wall_reg10 s | | | |
| project-register --scheme TVP ($tvprows_1 / $tvprows_10 / $tvprows_50 rows) | 1x / 10x / 50x | $wall_tvp1 / $wall_tvp10 / $wall_tvp50 s, peak $mem_tvp50 MiB | | | per row, 50x against 10x | $(awk -v a="$wall_tvp50" -v b="$wall_tvp10" -v ra="$tvprows_50" -v rb="$tvprows_10" 'BEGIN { gsub(",", "", ra); gsub(",", "", rb); if (b > 0 && ra > 0) printf "%.2f", (a / ra) / (b / rb); else print "n/a" }') | | |
| scheme-statistics, full history | 1x / 10x | $(secs "$wall_stats1"), $mem_stats1 MiB / $(secs "$wall_stats10"), $mem_stats10 MiB | | | | | | |

Non-2xx answers or socket errors (wrk gives up on a request after 2 s): version $bad_nodb, quote $bad_quote, health $bad_health, list $bad_list1/$bad_list10/$bad_list50; write failures $w_fail. Worker deaths: $deaths.
TABLE
