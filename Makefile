# smpr - scalp micropigmentation preview renderer.
#
#   make            the library (build/libsmp.a) and ./smpr
#   make demo       install missing packages, render the bundled samples
#   make gallery    install missing packages, render samples/manifest.csv
#                   into a web gallery, gallery-out/index.html
#   make check      install missing packages, build and run every test
#   make asan       the tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make valgrind   the tests under valgrind memcheck
#   make tsan       the tests under ThreadSanitizer (clang)
#   make fuzz       each libFuzzer harness for FUZZ_SECONDS (60); fuzz-smoke: 10 s
#   make install    PREFIX=/usr/local DESTDIR=
#
# CC, CFLAGS, LDFLAGS, PREFIX, DESTDIR and BUILD may be overridden.

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-unused-parameter
BUILD   ?= build
PREFIX  ?= /usr/local
DESTDIR ?=

PKGS      = libpng libjpeg cairo libexif json-c
# deferred, so that `make deps` can install what pkg-config looks for
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_CFLAGS = $(shell pkg-config --cflags cmocka zlib 2>/dev/null)
TEST_LIBS   = $(shell pkg-config --libs cmocka zlib 2>/dev/null)

ALL_CFLAGS = $(WARN) -Iinclude -Isrc $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
LIBS       = $(PKG_LIBS) -lcsv -lm

CLI_SRC  = $(wildcard src/cli*.c)
LIB_SRC  = $(filter-out $(CLI_SRC),$(wildcard src/*.c))
LIB_OBJ  = $(LIB_SRC:src/%.c=$(BUILD)/%.o)
CLI_OBJ  = $(CLI_SRC:src/%.c=$(BUILD)/%.o)
TEST_SRC = $(wildcard tests/test_*.c)
TEST_BIN = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TUTIL_SRC = $(wildcard tests/util/*.c)
TUTIL_OBJ = $(TUTIL_SRC:tests/util/%.c=$(BUILD)/tests/util/%.o)
LIB      = $(BUILD)/libsmp.a
SMPR     = smpr

.PHONY: all deps check test-run asan tsan valgrind demo samples install clean bench
.PHONY: gallery
.SECONDARY:

all: $(SMPR)

$(BUILD)/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(SMPR): $(CLI_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LIBS)

$(BUILD)/tests/util/%.o: tests/util/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -Itests -Itests/util -c $< -o $@

$(BUILD)/tests/%: tests/%.c $(TUTIL_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -Itests -Itests/util $(LDFLAGS) -o $@ $< \
	    $(TUTIL_OBJ) $(LIB) $(TEST_LIBS) $(LIBS)

deps:
	@sh .ci/deps.sh

# Each test program runs alone; the CLI tests run the ./smpr built alongside.
test-run: $(TEST_BIN) $(SMPR)
	@SMPR=$(abspath $(SMPR)) RUNNER="$(RUNNER)" sh tests/run.sh $(TEST_BIN)

check: deps
	@$(MAKE) --no-print-directory test-run

asan: deps
	@LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	$(MAKE) --no-print-directory BUILD=build-asan SMPR=build-asan/smpr \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" test-run

# A render writes its sessions from one canvas on several threads.
tsan: deps
	@$(MAKE) --no-print-directory BUILD=build-tsan SMPR=build-tsan/smpr \
	    CC=clang CFLAGS="-O1 -g -fsanitize=thread" \
	    LDFLAGS="-fsanitize=thread" test-run

valgrind: deps
	@$(MAKE) --no-print-directory BUILD=build-vg SMPR=build-vg/smpr \
	    CFLAGS="-O1 -g" \
	    RUNNER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --suppressions=$(CURDIR)/tests/valgrind.supp --trace-children=yes --trace-children-skip=*/sh,*/cp,*/rm,*/chromium" \
	    test-run

# Sample photos are drawn by the project's own generator; `make samples`
# draws them again (they are committed, so the demo needs no rebuild).
$(BUILD)/mksamples: samples/mksamples.c $(wildcard samples/gen/*.[ch]) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^) $(LIB) $(LIBS)

samples: $(BUILD)/mksamples
	$(BUILD)/mksamples samples

demo: deps
	@$(MAKE) --no-print-directory $(SMPR)
	@sh samples/demo.sh ./$(SMPR) demo-out

# The sample manifest rendered into a gallery: gallery-out/index.html.
gallery: deps
	@$(MAKE) --no-print-directory $(SMPR)
	./$(SMPR) batch samples/manifest.csv -o gallery-out

install: $(SMPR)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib \
	    $(DESTDIR)$(PREFIX)/include/smp $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(SMPR) $(DESTDIR)$(PREFIX)/bin/smpr
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libsmp.a
	install -m 644 include/smp/smp.h $(DESTDIR)$(PREFIX)/include/smp/smp.h
	install -m 644 assets/smpr.1 $(DESTDIR)$(PREFIX)/share/man/man1/smpr.1

clean:
	rm -rf build build-asan build-vg build-tsan build-fuzz $(SMPR) demo-out gallery-out

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

# Benchmarks: ratios measured in one run, printed next to their targets.
$(BUILD)/bench: tests/bench/bench.c $(LIB)
	$(CC) $(ALL_CFLAGS) -O2 -o $@ $< $(LIB) $(LIBS)

bench: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench $(SMPR)
	@d=$$(mktemp -d) && $(BUILD)/bench $$d $(abspath $(SMPR)) \
	    samples/manifest.csv; rc=$$?; rm -rf $$d; exit $$rc

# Fuzzing: clang's libFuzzer with ASan and UBSan, one harness per parser of
# outside data (tests/fuzz/fuzz_*.c), built in FUZZ_BUILD and each run for
# FUZZ_SECONDS from seeds that tests/fuzz/mkcorpus.c generates; inputs that
# find new code are kept in FUZZ_BUILD/fuzz/corpus, crashes beside it.
FUZZ_SECONDS ?= 60
FUZZ_BUILD   ?= build-fuzz
FUZZ_BIN = $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CFLAGS = -O1 -g -fno-omit-frame-pointer -fno-sanitize-recover=all \
              -fsanitize=fuzzer-no-link,address,undefined
.PHONY: fuzz fuzz-smoke fuzz-build

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h tests/fuzz/fuzz_image.h \
                 $(BUILD)/cli_options.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -fsanitize=fuzzer -o $@ $< \
	    $(BUILD)/cli_options.o $(LIB) $(LIBS) -lz

$(BUILD)/fuzz/mkcorpus: tests/fuzz/mkcorpus.c tests/util/imgmake.c \
                        tests/util/imgmake.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/util $(LDFLAGS) -o $@ $(filter %.c,$^) \
	    $(LIBS) -lz

fuzz-build: $(FUZZ_BIN) $(BUILD)/fuzz/mkcorpus

fuzz fuzz-smoke: deps
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang \
	    CFLAGS="$(FUZZ_CFLAGS)" LDFLAGS="-fsanitize=address,undefined" \
	    fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_BUILD)/fuzz \
	    $(if $(filter fuzz-smoke,$@),10,$(FUZZ_SECONDS))
