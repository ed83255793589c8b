# ITF grant administration: build, run, test.
#   make run    install what is missing, start the private PostgreSQL, migrate,
#               load schemes, seed demo data, serve on 127.0.0.1:8888
#   make test   build and run every test; last line "N passed, N failed"
#   make bench  benchmarks (not part of make test)

CC	?= cc
KORE_FEATURES := $(shell cat /usr/share/kore/features 2>/dev/null)
WARN	= -Wall -Wextra -Werror -Wno-unused-parameter -Wmissing-prototypes \
	  -Wshadow -Wstrict-prototypes -Wpointer-arith -Wno-missing-field-initializers
CFLAGS	?= -O2 -g
CFLAGS	+= -std=gnu11 -fPIC $(WARN) -I/usr/include/postgresql -Iapp/core -Ireports
LIBS	= -lpq -ljansson -lxlsxwriter -lsodium -lm -lpthread

BUILD	= build
CORE_SRC	= $(wildcard app/core/*.c)
REPORT_SRC	= $(wildcard reports/*.c)
HTTP_SRC	= $(wildcard app/http/*.c)
CLI_SRC		= $(wildcard app/cli/*.c)
UNIT_SRC	= $(wildcard tests/unit/test_*.c)
DBTEST_SRC	= $(wildcard tests/db/test_*.c)
# tests/db/dbtest.c: the private database, linked into each test_*.c
DBTEST_LIB	= tests/db/dbtest.c

CORE_OBJ	= $(CORE_SRC:%.c=$(BUILD)/%.o) $(REPORT_SRC:%.c=$(BUILD)/%.o)
HTTP_OBJ	= $(HTTP_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ		= $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN	= $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
DBTEST_BIN	= $(DBTEST_SRC:tests/db/%.c=$(BUILD)/dbtests/%)

all: $(BUILD)/app.so bin/itfctl $(UNIT_BIN) $(DBTEST_BIN) ui

deps:
	@scripts/install-deps.sh

$(BUILD)/%.o: %.c $(wildcard app/core/*.h reports/*.h app/http/*.h app/cli/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# The Kore module: compiled with exactly Debian's Kore feature flags, or
# struct http_request does not match the binary (kore-4.1-notes.md section 1).
$(BUILD)/app/http/%.o: app/http/%.c $(wildcard app/core/*.h reports/*.h app/http/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(KORE_FEATURES) -Iapp/http -c -o $@ $<

$(BUILD)/app.so: $(CORE_OBJ) $(HTTP_OBJ)
	$(CC) -shared -o $@ $^ $(LIBS)

bin/itfctl: $(CORE_OBJ) $(CLI_OBJ)
	@mkdir -p bin
	$(CC) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(CORE_OBJ) $(LIBS) -lcmocka

# Core tests against a real database (scripts/test.sh runs them with
# ITF_DATABASE_URL pointing at its private cluster).
$(BUILD)/dbtests/%: tests/db/%.c $(DBTEST_LIB) tests/db/dbtest.h $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(DBTEST_LIB) $(CORE_OBJ) $(LIBS) \
	    -lcmocka

# The web UI: app/ui plus the npm libraries pinned in package-lock.json
# (npm ci, no install scripts), copied into build/ui with the MANIFEST of
# the files app/http/ui.c may serve.  node_modules is never committed.
UI_SRC		= $(shell find app/ui 2>/dev/null)
UI_VENDOR	= node_modules/chart.js/dist/chart.umd.min.js

ui: $(BUILD)/ui/MANIFEST

node_modules/.itf-npm: package.json $(wildcard package-lock.json)
	@if [ -f package-lock.json ]; then npm ci --ignore-scripts --no-audit --no-fund; \
	else npm install --ignore-scripts --no-audit --no-fund; fi
	@touch $@

$(BUILD)/ui/MANIFEST: node_modules/.itf-npm $(UI_SRC) Makefile
	@rm -rf $(BUILD)/ui.new && mkdir -p $(BUILD)/ui.new/assets/vendor
	cp -R app/ui/. $(BUILD)/ui.new/
	cp $(UI_VENDOR) $(BUILD)/ui.new/assets/vendor/
	@cd $(BUILD)/ui.new && find . -type f | sed 's|^\./||' | LC_ALL=C sort > ../ui.MANIFEST
	@mv $(BUILD)/ui.MANIFEST $(BUILD)/ui.new/MANIFEST
	@rm -rf $(BUILD)/ui && mv $(BUILD)/ui.new $(BUILD)/ui

run: deps all
	@scripts/run.sh

test: deps all
	@scripts/test.sh

unit: all
	@scripts/test.sh unit

bench: deps all
	@scripts/bench.sh

clean:
	rm -rf $(BUILD) bin

.PHONY: all deps run test unit bench clean ui

# make fuzz: libFuzzer harnesses (tests/fuzz), built with clang into
# build/fuzz, FUZZ_SECONDS (default 60) each; installs clang's fuzzer
# runtime if missing.  Not part of make test.
fuzz:
	@tests/fuzz/run.sh

# make test-asan: the core, itfctl, the unit and database tests and the
# Kore module rebuilt with AddressSanitizer and UBSan into build/asan (never
# mixed with build/), then every test run against that build.  Any
# sanitizer report (build/asan/report.*) fails the run.  build/asan/root is
# a view of the project whose bin/ and build/ are the ASan ones, so
# scripts/test.sh and the tests run unchanged.  Warnings are not errors
# here: instrumentation makes gcc warn differently, and make test already
# holds the code to -Werror.  Kore itself is not instrumented: the kore
# first in PATH (build/asan/wrap) preloads the ASan runtime and
# tests/fuzz/asan_exit.c; the module also gets tests/fuzz/asan_seccomp.c
# (both files say why).
ASAN		= build/asan
ASAN_CC		= gcc -fsanitize=address,undefined -fno-sanitize-recover=undefined \
		  -fno-omit-frame-pointer
ASAN_VIEW	= $(filter-out bin build test-artifacts var,$(wildcard *))

test-asan: deps
	@CFLAGS="-O2 -g" $(MAKE) --no-print-directory -j$$(nproc) BUILD=$(ASAN) \
	    CC="$(ASAN_CC)" WARN="$(filter-out -Werror,$(WARN))" \
	    HTTP_OBJ="$(HTTP_SRC:%.c=$(ASAN)/%.o) $(ASAN)/tests/fuzz/asan_seccomp.o" \
	    $(ASAN)/app.so $(ASAN)/ui/MANIFEST $(CLI_SRC:%.c=$(ASAN)/%.o) \
	    $(UNIT_SRC:tests/unit/%.c=$(ASAN)/tests/%) \
	    $(DBTEST_SRC:tests/db/%.c=$(ASAN)/dbtests/%)
	@mkdir -p $(ASAN)/bin $(ASAN)/wrap $(ASAN)/root test-artifacts/asan
	$(ASAN_CC) -o $(ASAN)/bin/itfctl $(CORE_OBJ:$(BUILD)/%=$(ASAN)/%) \
	    $(CLI_OBJ:$(BUILD)/%=$(ASAN)/%) $(LIBS)
	@gcc -Wall -shared -fPIC -o $(ASAN)/wrap/exit.so tests/fuzz/asan_exit.c
	@printf '#!/bin/sh\nLD_PRELOAD="%s:%s$${LD_PRELOAD:+:$$LD_PRELOAD}" ASAN_OPTIONS="$$ASAN_OPTIONS:detect_leaks=0" exec %s "$$@"\n' \
	    "$$(gcc -print-file-name=libasan.so)" "$(CURDIR)/$(ASAN)/wrap/exit.so" \
	    "$$(command -v kore)" > $(ASAN)/wrap/kore && chmod +x $(ASAN)/wrap/kore
	@for f in $(ASAN_VIEW); do ln -sfn ../../../$$f $(ASAN)/root/$$f; done
	@ln -sfn .. $(ASAN)/root/build && ln -sfn ../bin $(ASAN)/root/bin && \
	    ln -sfn ../../../test-artifacts/asan $(ASAN)/root/test-artifacts
	@rm -f $(ASAN)/report.*
	@PATH="$(CURDIR)/$(ASAN)/wrap:$$PATH" \
	    ASAN_OPTIONS="log_path=$(CURDIR)/$(ASAN)/report:detect_leaks=1" \
	    UBSAN_OPTIONS="log_path=$(CURDIR)/$(ASAN)/report:print_stacktrace=1" \
	    $(ASAN)/root/scripts/test.sh; rc=$$?; \
	if ls $(ASAN)/report.* >/dev/null 2>&1; then \
	    echo "sanitizer reports:"; head -40 $(ASAN)/report.*; rc=1; \
	else echo "asan: no sanitizer reports"; fi; exit $$rc

.PHONY: fuzz test-asan

# make soak: a mixed workload for SOAK_SECONDS (default 300) at a bounded
# rate against a cluster and service of its own (scripts/soak.sh,
# tests/soak/workload.mjs); reports errors and the workers' RSS.  Not part
# of make test.
soak: deps all
	@scripts/soak.sh

.PHONY: soak
