# p304 - build, test, demo, bench, install. See README.md.
#   make                 build build/p304 and build/libp304.a
#   make test            every test; ends with "N passed, N failed"
#   make demo            run the default scenario on inputs/, write outputs/
#   make bench           performance figures
#   make SANITIZE=address,undefined test
#   make install PREFIX=/usr/local

comma    := ,
CC       ?= gcc
PREFIX   ?= /usr/local
SANITIZE ?=
DEMO_SCENARIO ?= inputs/scenarios/2020-vague1.json

ifeq ($(SANITIZE),)
BUILD    := build
OPT      := -O2
else
BUILD    := build/san-$(subst $(comma),-,$(SANITIZE))
OPT      := -O1 -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

# V=1 shows the full compiler command lines.
Q        := $(if $(V),,@)
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wvla
# -fno-math-errno: we never read errno after a libm call, and it lets gcc
# inline llrintl (one x87 instruction) in the rounding loop.
CFLAGS   += -std=c17 $(WARN) $(OPT) -fno-math-errno -g -Iinclude -Isrc -D_GNU_SOURCE
LDFLAGS  += $(if $(SANITIZE),-fsanitize=$(SANITIZE))
LIBS     := -lcsv -lcjson -lcrypto -lxlsxwriter -lmicrohttpd -lsqlite3 -lm -lpthread
TESTLIBS := -lcmocka

CORE_SRC := $(wildcard src/core/*.c)
FORMAT_SRC := $(wildcard src/format/*.c)
FLOW_SRC := $(wildcard src/workflow/*.c)
# the campaign ledger (SQLite), beside the workflows
LEDGER_SRC := $(wildcard src/ledger/*.c)
IO_SRC   := $(FORMAT_SRC) $(FLOW_SRC) $(LEDGER_SRC)
CHART_SRC:= $(wildcard src/chart/*.c)
SERVER_SRC:= $(wildcard src/server/*.c)
CLI_SRC  := $(wildcard src/cli/*.c)
LIB_OBJ  := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(CORE_SRC) $(IO_SRC) $(CHART_SRC) $(SERVER_SRC))
CLI_OBJ  := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(CLI_SRC))
UNIT_SRC := $(wildcard test/unit/test_*.c)
UNIT_BIN := $(patsubst test/unit/%.c,$(BUILD)/test/%,$(UNIT_SRC))
DEPS_OK  := build/.deps-ok
# French messages (GNU gettext): po/fr.po compiled into the build tree; the
# program finds it beside itself (build/locale, or <prefix>/share/locale
# once installed).
LOCALE_MO := $(BUILD)/locale/fr/LC_MESSAGES/p304.mo

.PHONY: all deps test unit cases demo serve bench install clean fuzz data pot browser-deps
all: $(BUILD)/p304 $(LOCALE_MO)

# Missing Debian packages are installed when root, otherwise the exact
# command is printed and make stops (scripts/ensure-deps.sh).
$(DEPS_OK): scripts/ensure-deps.sh
	@sh scripts/ensure-deps.sh
	@mkdir -p build && touch $@
deps: $(DEPS_OK)

# Tests and the demo also need cmocka, gnuplot (charts), a French locale (the
# locale test: scripts/ensure-locale.sh), pandoc (.docx), chromium and
# poppler-utils (the note printed to PDF), wrk and curl (the server's load and
# API tests) and xlsx2csv (to read workbooks back); p304 itself runs without
# gnuplot or pandoc.
TEST_DEPS_OK := build/.test-deps-ok
$(TEST_DEPS_OK): scripts/ensure-deps.sh scripts/ensure-locale.sh
	@sh scripts/ensure-deps.sh libcmocka-dev gnuplot-nox fonts-dejavu-core xlsx2csv locales wrk curl python3 pandoc chromium poppler-utils unzip
	@sh scripts/ensure-locale.sh
	@mkdir -p build && touch $@

# Browser tests of the page (test/browser/): Debian's chromium and node, and
# playwright-core from the npm registry (test/browser/package-lock.json,
# `npm ci` when node_modules is missing or older than the lock file). Where
# they cannot be installed, build/.browser-skip[-npm] holds the reason and the
# browser tests are counted as skipped, never as passed.
BROWSER_DEPS_OK := build/.browser-deps-ok
BROWSER_NPM_OK  := test/browser/node_modules/.package-lock.json
$(BROWSER_DEPS_OK): scripts/ensure-deps.sh
	@mkdir -p build && rm -f build/.browser-skip
	@pkgs=chromium; command -v node >/dev/null 2>&1 || pkgs="$$pkgs nodejs"; \
	command -v npm >/dev/null 2>&1 || pkgs="$$pkgs npm"; \
	sh scripts/ensure-deps.sh $$pkgs || \
		echo "Debian packages $$pkgs could not be installed (see the message above)" >build/.browser-skip
	@touch $@
$(BROWSER_NPM_OK): test/browser/package-lock.json $(BROWSER_DEPS_OK)
	@rm -f build/.browser-skip-npm; if [ ! -f build/.browser-skip ]; then \
		(cd test/browser && npm ci --no-audit --no-fund) || \
		echo "npm ci could not install playwright-core in test/browser" >build/.browser-skip-npm; \
	fi
browser-deps: $(BROWSER_NPM_OK)

# Each object lists the headers it includes in its .d file (-MMD; -MP adds
# an empty rule per header so that a removed header does not stop make): a
# header edit rebuilds only the objects that include it. An object without
# its .d (older build tree) is rebuilt once, through the empty %.d rule.
DEPFLAGS := -MMD -MP
$(BUILD)/obj/%.o: src/%.c $(BUILD)/obj/%.d $(DEPS_OK)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -DP304_DATADIR='"$(CURDIR)/inputs"' -DP304_WEBDIR='"$(CURDIR)/src/web"' \
		-DP304_LOCALEDIR='"$(CURDIR)/$(BUILD)/locale"' -c $< -o $@
$(BUILD)/obj/%.d: ;
.PRECIOUS: $(BUILD)/obj/%.d
-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

$(LOCALE_MO): po/fr.po $(DEPS_OK)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MSGFMT  $<")
	$(Q)msgfmt --check -o $@ $<

# Regenerates po/p304.pot from the marked messages and merges it into
# po/fr.po (new messages then appear untranslated; `make test` fails until
# they are translated).
pot: $(DEPS_OK)
	sh po/xgettext.sh . po/p304.pot
	msgmerge --quiet --update --backup=none --no-fuzzy-matching po/fr.po po/p304.pot

$(BUILD)/libp304.a: $(LIB_OBJ)
	@rm -f $@
	@$(if $(Q),echo "  AR      $@")
	$(Q)ar rcs $@ $^

$(BUILD)/p304: $(CLI_OBJ) $(BUILD)/libp304.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libp304.a $(LIBS)

$(BUILD)/test/%: test/unit/%.c $(BUILD)/libp304.a test/unit/testutil.h $(TEST_DEPS_OK)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -MF $@.d -Isrc $(LDFLAGS) -o $@ $< $(BUILD)/libp304.a $(LIBS) $(TESTLIBS)
-include $(UNIT_BIN:=.d)

test: $(BUILD)/p304 $(LOCALE_MO) $(UNIT_BIN) browser-deps
	@sh test/run-tests.sh $(BUILD)

DEMO_NEEDS    ?= inputs/besoins/besoins-2020-vague1-ILLUSTRATIF.csv
DEMO_LEDGER   ?= outputs/campagne-2020-ILLUSTRATIF.sqlite

demo: $(BUILD)/p304 $(LOCALE_MO) $(TEST_DEPS_OK)
	./$(BUILD)/p304 allocate $(DEMO_SCENARIO) --by region
	./$(BUILD)/p304 reconcile $(DEMO_SCENARIO) --needs $(DEMO_NEEDS) --no-allocation-warnings
	./$(BUILD)/p304 note $(DEMO_SCENARIO) --no-allocation-warnings --compare inputs/scenarios/2025-avec-bornes-2020.json \
		--needs $(DEMO_NEEDS) -o outputs/note-2020-vague1
	@# the campaign ledger, ILLUSTRATIF (inputs/registre/README.md): 2020 wave -> 2021 avenant;
	@# a second make demo finds every set and file already recorded
	./$(BUILD)/p304 ledger record outputs/2020-vague1 --ledger $(DEMO_LEDGER) --year 2020 \
		--comment ILLUSTRATIF
	./$(BUILD)/p304 ledger record outputs/2020-vague1-notification --ledger $(DEMO_LEDGER) --year 2020 \
		--comment ILLUSTRATIF
	./$(BUILD)/p304 ledger import inputs/registre/delegue-2020-vague1-ILLUSTRATIF.csv --ledger $(DEMO_LEDGER) \
		--stage delegated --year 2020 --comment ILLUSTRATIF
	./$(BUILD)/p304 ledger import inputs/registre/consomme-2020-vague1-ILLUSTRATIF.csv --ledger $(DEMO_LEDGER) \
		--stage consumed --year 2020 --comment ILLUSTRATIF
	./$(BUILD)/p304 avenant --ledger $(DEMO_LEDGER) --year 2020 --rule reduce-unconsumed --record \
		-o outputs/campagne-2021-avenant-ILLUSTRATIF
	./$(BUILD)/p304 ledger view --ledger $(DEMO_LEDGER) --stage delegated --minus consumed \
		--from 2020 --to 2021 -o outputs/campagne-ecart-ILLUSTRATIF -q

# The workbench on the shipped inputs/: open the address it prints.
SERVE_PORT ?= 8304
serve: $(BUILD)/p304 $(LOCALE_MO)
	./$(BUILD)/p304 serve --port $(SERVE_PORT)

$(BUILD)/bench: test/bench/bench.c $(BUILD)/libp304.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Isrc $(LDFLAGS) -o $@ $< $(BUILD)/libp304.a $(LIBS)

bench: $(BUILD)/bench $(BUILD)/p304 $(LOCALE_MO) $(TEST_DEPS_OK)
	./$(BUILD)/bench
	sh test/bench/serve-bench.sh ./$(BUILD)/p304 .

install: $(BUILD)/p304 $(LOCALE_MO)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib \
		$(DESTDIR)$(PREFIX)/include/p304 $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/p304/reference $(DESTDIR)$(PREFIX)/share/p304/data \
		$(DESTDIR)$(PREFIX)/share/p304/scenarios $(DESTDIR)$(PREFIX)/share/p304/besoins \
		$(DESTDIR)$(PREFIX)/share/p304/web \
		$(DESTDIR)$(PREFIX)/share/locale/fr/LC_MESSAGES \
		$(DESTDIR)$(PREFIX)/share/man/en/man1
	install -m 755 $(BUILD)/p304 $(DESTDIR)$(PREFIX)/bin/p304
	install -m 644 $(LOCALE_MO) $(DESTDIR)$(PREFIX)/share/locale/fr/LC_MESSAGES/p304.mo
	install -m 644 $(BUILD)/libp304.a $(DESTDIR)$(PREFIX)/lib/libp304.a
	install -m 644 include/p304/*.h $(DESTDIR)$(PREFIX)/include/p304/
	install -m 644 docs/p304.1 $(DESTDIR)$(PREFIX)/share/man/man1/p304.1
	install -m 644 docs/p304.en.1 $(DESTDIR)$(PREFIX)/share/man/en/man1/p304.1
	install -m 644 inputs/reference/*.csv $(DESTDIR)$(PREFIX)/share/p304/reference/
	install -m 644 inputs/data/*.csv $(DESTDIR)$(PREFIX)/share/p304/data/
	install -m 644 inputs/scenarios/*.json $(DESTDIR)$(PREFIX)/share/p304/scenarios/
	install -d $(DESTDIR)$(PREFIX)/share/p304/complements
	install -m 644 inputs/complements/*.csv $(DESTDIR)$(PREFIX)/share/p304/complements/
	install -m 644 inputs/besoins/*.csv $(DESTDIR)$(PREFIX)/share/p304/besoins/
	install -d $(DESTDIR)$(PREFIX)/share/p304/registre
	install -m 644 inputs/registre/*.csv $(DESTDIR)$(PREFIX)/share/p304/registre/
	if [ -d src/web ]; then cp -R src/web/. $(DESTDIR)$(PREFIX)/share/p304/web/ && \
		chmod -R a+rX $(DESTDIR)$(PREFIX)/share/p304/web; fi

clean:
	rm -rf build

# libFuzzer harnesses (clang): make fuzz FUZZ_SECONDS=60 runs each that long.
FUZZ_SECONDS ?= 60
FUZZERS  := fuzz_csv fuzz_number fuzz_scenario fuzz_needs fuzz_parts fuzz_result fuzz_ledger
FUZZ_BIN := $(patsubst %,build/fuzz/%,$(FUZZERS))
FUZZ_CFLAGS := -std=c17 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Iinclude -Isrc -D_GNU_SOURCE -DP304_DATADIR='"$(CURDIR)/inputs"'

build/.fuzz-deps-ok: scripts/ensure-deps.sh
	@sh scripts/ensure-deps.sh clang libclang-rt-14-dev
	@mkdir -p build && touch $@

build/fuzz/%: test/fuzz/%.c $(CORE_SRC) $(IO_SRC) build/.fuzz-deps-ok
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)clang $(FUZZ_CFLAGS) -o $@ $< $(CORE_SRC) $(IO_SRC) $(LIBS)

# the server's part collector is included by its harness (no libmicrohttpd)
build/fuzz/fuzz_parts: src/server/parts.c src/server/parts.h

fuzz: $(FUZZ_BIN)
	@for f in $(FUZZERS); do \
		mkdir -p build/fuzz/corpus/$$f build/fuzz/crashes; \
		echo "== $$f ($(FUZZ_SECONDS) s)"; \
		./build/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=build/fuzz/crashes/$$f- \
			build/fuzz/corpus/$$f test/fuzz/corpus/$$f >build/fuzz/$$f.log 2>&1; \
		rc=$$?; \
		grep -E "^stat::(number_of_executed_units|new_units_added)" build/fuzz/$$f.log; \
		if [ $$rc -ne 0 ]; then \
			echo "FUZZ FAILURE in $$f (exit $$rc):"; tail -40 build/fuzz/$$f.log; exit 1; \
		fi; \
	done

# Rebuilds inputs/reference and inputs/data from the INSEE/DREES files in
# RAW (laid out as docs/data.md says). Not run by tests or CI.
RAW ?= ../shared/data/raw
data:
	python3 scripts/build-reference.py $(RAW)/insee_cog/derived_cog_departements_from_COGiter.csv \
		$(RAW)/insee_cog/derived_cog_regions_from_COGiter.csv inputs/reference
	python3 scripts/build-tiles.py $(RAW)/geo/derived_tilegrid_departements_hex.csv \
		inputs/reference/collectivites.csv inputs/reference/tuiles.csv
	python3 scripts/build-outlines.py $(RAW)/geo/departements-avec-outre-mer.geojson \
		inputs/reference/collectivites.csv inputs/reference/contours.csv
	python3 scripts/build-criteria.py 2020 inputs/reference/collectivites.csv inputs/data/criteres-2020.csv \
		--pop $(RAW)/insee_estim_pop/derived_pop_0_19_by_dep.csv --pop-year 2019 --pop-release 2020-01-14 \
		--ase $(RAW)/drees_aide_sociale/derived_drees_ase_beneficiaires_2010_2022_from_asdep.csv --ase-year 2017 \
		--jm $(RAW)/drees_aide_sociale/derived_drees_2020_jeunes_majeurs_by_dep.csv \
		--households $(RAW)/insee_filosofi/FILO2016_DISP_DEP.csv --households-col NBMEN16 \
		--poverty $(RAW)/insee_filosofi/derived_FILO2021_DISP_PAUVRES_DEP_extract_TP40_TP50_TP60.csv --poverty-col TP6021
	python3 scripts/build-criteria.py 2025 inputs/reference/collectivites.csv inputs/data/criteres-2025.csv \
		--pop $(RAW)/insee_estim_pop/derived_pop_0_19_by_dep.csv --pop-year 2022 --pop-release 2022-01-19 \
		--ase $(RAW)/drees_aide_sociale/derived_drees_ase_beneficiaires_2010_2022_from_asdep.csv --ase-year 2022 \
		--jm $(RAW)/drees_aide_sociale/derived_drees_2020_jeunes_majeurs_by_dep.csv \
		--households $(RAW)/insee_filosofi/FILO2019_DISP_DEP.csv --households-col NBMEN19 \
		--poverty $(RAW)/insee_filosofi/derived_FILO2021_DISP_PAUVRES_DEP_extract_TP40_TP50_TP60.csv --poverty-col TP6021
