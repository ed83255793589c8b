#!/bin/bash
# make fuzz: build the libFuzzer harnesses of tests/fuzz with clang
# (-fsanitize=fuzzer,address,undefined) into build/fuzz and run each for
# FUZZ_SECONDS (default 60), starting from tests/fuzz/corpus/<harness>.
#   tests/fuzz/run.sh                  build and run every harness
#   tests/fuzz/run.sh money quote      only these
#   FUZZ_SECONDS=0 tests/fuzz/run.sh   replay the corpora, no fuzzing
# New inputs go to build/fuzz/work/<harness> (not committed); a crash,
# leak or broken property stops that harness, leaves the input in
# build/fuzz/crashes/ and makes the run fail.  Installs clang and the
# libFuzzer runtime (libclang-rt-N-dev) if they are missing.
set -u
cd "$(dirname "$0")/../.."
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
out=build/fuzz
all="money dates scheme quote accounts formdata"
targets=${*:-$all}

deps() {
	local ver pkgs=""
	command -v clang >/dev/null 2>&1 || pkgs="clang"
	if [ -z "$pkgs" ]; then
		ver=$(clang -dumpversion | cut -d. -f1)
		[ -f "$(clang -print-resource-dir)/lib/linux/libclang_rt.fuzzer-x86_64.a" ] ||
			pkgs="libclang-rt-$ver-dev"
	else
		pkgs="clang libclang-rt-dev"
	fi
	[ -z "$pkgs" ] && return 0
	echo "fuzz: installing $pkgs"
	SUDO=""
	[ "$(id -u)" -ne 0 ] && SUDO="sudo"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $pkgs ||
	    { $SUDO apt-get update -q &&
	    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $pkgs; }
}

# The core files the harnesses reach, and what they link against.  Only
# these, so work in progress elsewhere in app/core cannot break the build.
CORE="money dates errors schemes funding auth orgs actor db audit notify formdata"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CFLAGS="-std=gnu11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra
-Wno-unused-parameter -Iapp/core -I/usr/include/postgresql"

build() {
	local f objs="" rc=0
	mkdir -p "$out/core" "$out/crashes"
	for f in $CORE; do
		if [ ! -f "$out/core/$f.o" ] ||
		    [ "app/core/$f.c" -nt "$out/core/$f.o" ] ||
		    [ -n "$(find app/core -name '*.h' -newer "$out/core/$f.o")" ]; then
			clang $CFLAGS $SAN -fsanitize=fuzzer-no-link \
			    -c -o "$out/core/$f.o" "app/core/$f.c" || rc=1
		fi
		objs="$objs $out/core/$f.o"
	done
	[ "$rc" -eq 0 ] || return 1
	for t in $targets; do
		clang $CFLAGS -Werror $SAN -fsanitize=fuzzer \
		    -o "$out/fuzz_$t" "tests/fuzz/fuzz_$t.c" $objs \
		    -lpq -ljansson -lsodium -lm || return 1
	done
}

deps || exit 1
build || { echo "fuzz: build failed"; exit 1; }

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:symbolize=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
failed=0
for t in $targets; do
	corpus=tests/fuzz/corpus/$t
	work=$out/work/$t
	mkdir -p "$work"
	args="-timeout=10 -rss_limit_mb=2048 -print_final_stats=1"
	args="$args -artifact_prefix=$out/crashes/$t-"
	[ -f "tests/fuzz/$t.dict" ] && args="$args -dict=tests/fuzz/$t.dict"
	if [ "$FUZZ_SECONDS" -gt 0 ]; then
		args="$args -max_total_time=$FUZZ_SECONDS"
	else
		args="$args -runs=0"
	fi
	t0=$(date +%s)
	# shellcheck disable=SC2086
	"$out/fuzz_$t" $args "$work" "$corpus" > "$out/$t.log" 2>&1
	rc=$?
	t1=$(date +%s)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$out/$t.log" | tail -1)
	if [ "$rc" -eq 0 ]; then
		echo "fuzz $t: ok, ${execs:-?} runs in $((t1 - t0)) s," \
		    "${cov:-no coverage line}, corpus $(ls "$work" | wc -l) new" \
		    "+ $(ls "$corpus" | wc -l) committed"
	else
		failed=$((failed + 1))
		echo "fuzz $t: FAILED (exit $rc) after $((t1 - t0)) s; log $out/$t.log"
		grep -E "ERROR|SUMMARY|fuzz_$t:|runtime error|Test unit written" \
		    "$out/$t.log" | head -12
		for a in $(sed -n 's/.*Test unit written to \(.*\)$/\1/p' \
		    "$out/$t.log"); do
			echo "  reproduce: $out/fuzz_$t $a"
		done
	fi
done
echo "fuzz: $failed failed"
[ "$failed" -eq 0 ]
