#!/bin/sh
# Runs every test of p304 and ends with one line "N passed, N failed"
# (", N skipped" added when a check cannot run on this machine).
#   test/run-tests.sh BUILD_DIR
# 1. each cmocka unit-test binary in BUILD_DIR/test/ (its counts are summed);
# 2. each CLI case in test/cases/NAME/ (see test/cases/README.md): the case
#    folder is copied to a scratch directory, `p304 <cmd>` runs there, and
#    exit code, stdout, stderr and the files under expected/ are compared;
#    any other file created or changed in the folder is a failure.
# VALGRIND="valgrind -q --error-exitcode=99" runs the CLI under valgrind.
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
P304="$ROOT/$BUILD/p304"
export P304_REFERENCE="$ROOT/inputs/reference/collectivites.csv"
export LC_ALL=C
# The golden cases and the bad-input catalogue hold the English messages
# (msgids); French, the default, is checked by test/i18n-check.sh.
export LANGUAGE=en
export P304
export P304_ROOT="$ROOT"
pass=0
fail=0
skip=0 # checks that could not run here: counted apart, never as passed
scratch=$(mktemp -d /tmp/p304-cases.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

# Under VALGRIND (CI's third pass) only what runs the CLI or the server
# under valgrind is run: the unit tests and the checks below run the same
# native binaries as the first pass, so repeating them would only cost CI
# minutes (about 8 of its 26).
native() { [ -z "${VALGRIND:-}" ]; }
native || echo "valgrind pass: the CLI cases, determinism and the API under valgrind; unit tests and native checks ran in the native pass"

for t in "$ROOT/$BUILD"/test/test_*; do
	native || break
	[ -x "$t" ] || continue
	out=$("$t" 2>&1)
	rc=$?
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed before its summary (sanitizer, abort)
	fi
	if [ "$f" -ne 0 ]; then
		printf '%s\n' "$out" | grep -E 'ERROR|FAILED|LINE|Sanitizer|runtime error' | head -20
		echo "FAIL unit $(basename "$t"): $f failed"
	else
		echo "ok   unit $(basename "$t"): $p passed"
	fi
	pass=$((pass + p))
	fail=$((fail + f))
done

# Lists every file of a tree with its checksum, to see what a run changed.
snapshot() { (cd "$1" && find . -type f ! -path './expected*' -exec sha256sum {} + | sort); }

for dir in "$ROOT"/test/cases/*/ "$ROOT"/test/bad/*/; do
	name=$(basename "$dir")
	[ -f "$dir/cmd" ] || continue
	case "$dir" in */test/bad/*) name="bad/$name" ;; esac
	# P304_CASES='sweep_*' (a shell pattern) runs only the matching cases
	# while working on one command; the whole suite ignores it.
	case "$name" in ${P304_CASES:-*}) ;; *) continue ;; esac
	work="$scratch/$name"
	mkdir -p "$(dirname "$work")"
	cp -R "$dir" "$work"
	[ -x "$work/setup" ] && (cd "$work" && ./setup)
	before=$(snapshot "$work")
	# an optional `env` file sets variables for the command (e.g. PATH)
	(cd "$work" && eval "set -- $(cat cmd)" &&
		if [ -f env ]; then
			${VALGRIND:-} env $(cat env) "$P304" "$@"
		else
			${VALGRIND:-} "$P304" "$@"
		fi >"$scratch/$name.out" 2>"$scratch/$name.err")
	rc=$?
	# Paths of the checkout vary between machines: compare them as @ROOT@.
	sed -i "s|$ROOT|@ROOT@|g" "$scratch/$name.out" "$scratch/$name.err"
	[ -x "$work/teardown" ] && (cd "$work" && ./teardown)
	why=""
	want=$(cat "$dir/expected_exit" 2>/dev/null || echo 0)
	[ "$rc" -eq "$want" ] || why="exit $rc, expected $want"
	for s in out err; do
		exp="$dir/expected_std$s"
		[ -f "$exp" ] || continue
		if ! cmp -s "$exp" "$scratch/$name.$s"; then
			why="$why; std$s differs"
			diff "$exp" "$scratch/$name.$s" | head -10
		fi
	done
	if [ -f "$dir/expected_stderr_contains" ]; then
		while IFS= read -r line; do
			grep -qF -- "$line" "$scratch/$name.err" || why="$why; stderr lacks '$line'"
		done <"$dir/expected_stderr_contains"
	fi
	created=""
	if [ -d "$dir/expected" ]; then
		for f in $(cd "$dir/expected" && find . -type f | sort); do
			if ! cmp -s "$dir/expected/$f" "$work/$f"; then
				why="$why; $f differs"
				diff "$dir/expected/$f" "$work/$f" 2>&1 | head -10
			fi
		done
		created=$(cd "$dir/expected" && find . -type f | sort)
	fi
	# files that must exist, content not compared (images)
	if [ -f "$dir/expected_files" ]; then
		while IFS= read -r f; do
			[ -s "$work/$f" ] || why="$why; $f was not created"
			created="$created
./$f"
		done <"$dir/expected_files"
	fi
	# Nothing else may appear or change (manifest.json beside an expected
	# output is allowed: it holds the time).
	snapshot "$work" >"$scratch/$name.after"
	printf '%s\n' "$before" >"$scratch/$name.before"
	extra=$(comm -13 "$scratch/$name.before" "$scratch/$name.after" |
		awk '{print $2}' | while read -r f; do
			case "$created" in *"$f"*) continue ;; esac
			case "$f" in */manifest.json) [ -n "$created" ] && continue ;; esac
			echo "$f"
		done)
	[ -z "$extra" ] || why="$why; unexpected or modified files: $(echo $extra)"
	# An error case runs again in the default language (French): see
	# test/french-check.py after the loop.
	if native && [ "$want" -ne 0 ] && ! grep -q LANGUAGE= "$dir/env" 2>/dev/null; then
		cp -R "$dir" "$work.fr"
		[ -x "$work.fr/setup" ] && (cd "$work.fr" && ./setup)
		(cd "$work.fr" && eval "set -- $(cat cmd)" &&
			if [ -f env ]; then
				env LANGUAGE=fr $(cat env) "$P304" "$@"
			else
				LANGUAGE=fr "$P304" "$@"
			fi >"$scratch/$name.fr.out" 2>"$scratch/$name.fr.err")
		[ -x "$work.fr/teardown" ] && (cd "$work.fr" && ./teardown)
		sed -i "s|$ROOT|@ROOT@|g" "$scratch/$name.fr.err"
		frcases="${frcases:-} $name"
	fi
	if [ -z "$why" ]; then
		echo "ok   case $name"
		pass=$((pass + 1))
	else
		echo "FAIL case $name: ${why#; }"
		sed 's/^/     stderr: /' "$scratch/$name.err" | head -5
		fail=$((fail + 1))
	fi
done

# Determinism and locale independence: the shipped 2020 wave twice, under
# the C locale and a French one; repartition.json and .csv must be identical.
# Without a French locale (make test builds one when root:
# scripts/ensure-locale.sh) the comparison would be C with C: skipped.
det="$scratch/determinism"
mkdir -p "$det"
frloc=$(locale -a 2>/dev/null | grep -i -m1 '^fr_FR')
if [ -z "$frloc" ]; then
	echo "skip determinism: no French locale (as root: localedef -i fr_FR -f UTF-8 fr_FR.UTF-8)"
	skip=$((skip + 1))
else
	LC_ALL=C ${VALGRIND:-} "$P304" allocate "$ROOT/inputs/scenarios/2020-vague1.json" -o "$det/a" -q 2>/dev/null
	# (the second run also in French, the default language: messages only)
	LC_ALL=$frloc LANG=$frloc LANGUAGE= ${VALGRIND:-} "$P304" allocate "$ROOT/inputs/scenarios/2020-vague1.json" -o "$det/b" -q 2>/dev/null
	if cmp -s "$det/a/repartition.json" "$det/b/repartition.json" &&
	   cmp -s "$det/a/repartition.csv" "$det/b/repartition.csv" &&
	   [ -s "$det/a/repartition.json" ]; then
		echo "ok   determinism (LC_ALL=C and LC_ALL=$frloc give identical files)"
		pass=$((pass + 1))
	else
		echo "FAIL determinism: two runs differ (LC_ALL=C vs $frloc)"
		fail=$((fail + 1))
	fi
fi

# One check script: one test, passed when it exits 0.
check() {
	if "$@"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
}
if native; then
	# shellcheck disable=SC2086
	check python3 "$ROOT/test/french-check.py" "$ROOT/po/fr.po" "$scratch" ${frcases:-}
	check sh "$ROOT/test/commands-check.sh" "$P304" "$ROOT"
	check sh "$ROOT/test/layers-check.sh" "$ROOT/$BUILD"
	check sh "$ROOT/test/i18n-check.sh" "$ROOT"
	check sh "$ROOT/test/readme-check.sh" "$P304" "$ROOT"
	check sh "$ROOT/test/deps-check.sh" "$ROOT"
	check sh "$ROOT/test/progress-check.sh" "$P304" "$ROOT"
	check sh "$ROOT/test/note-check.sh" "$P304" "$ROOT"
	check sh "$ROOT/test/note-history-check.sh" "$P304" "$ROOT"
	check sh "$ROOT/test/fiches-check.sh" "$P304" "$ROOT"
	check sh "$ROOT/test/xlsx-check.sh" "$P304" "$ROOT"
	check sh "$ROOT/test/injection-check.sh" "$P304" "$ROOT"
	check sh "$ROOT/test/fulldisk-check.sh" "$P304" "$ROOT"
	check sh "$ROOT/test/outset-check.sh" "$P304" "$ROOT"
	check sh "$ROOT/test/atomic-kill.sh" "$P304" 60
	# The campaign ledger killed in the middle of imports (issue 22).
	check sh "$ROOT/test/ledger-kill.sh" "$P304" 20
	# 8 writers importing into one ledger at once: nothing lost or duplicated.
	check sh "$ROOT/test/ledger-concurrency.sh" "$P304" 8 15
	# 8 clients x 500 records through the API of one p304 serve (issue 22).
	check python3 "$ROOT/test/ledger-api-concurrency.py" "$P304" 8 500
fi

# The HTTP API of p304 serve (test/api-test.py): each check is one test.
# VALGRIND (as above) runs the server under valgrind too.
api_out=$(python3 "$ROOT/test/api-test.py" "$P304" "$ROOT" 2>&1)
printf '%s\n' "$api_out" | grep -E '^(FAIL|ok   api SIGTERM|api:)'
api_p=$(printf '%s\n' "$api_out" | grep -c '^ok   api ')
api_f=$(printf '%s\n' "$api_out" | grep -c '^FAIL api ')
if ! printf '%s\n' "$api_out" | grep -q '^api: '; then
	printf '%s\n' "$api_out" | tail -20
	api_f=$((api_f + 1)) # crashed before its summary
fi
pass=$((pass + api_p))
fail=$((fail + api_f))

# The workbench page in a real browser (test/browser/workbench.mjs):
# playwright-core drives Debian's chromium against `p304 serve`. Skipped,
# with the reason, only where chromium or playwright-core is not installed
# (make browser-deps writes the reason in build/.browser-skip*).
# P304_NODE names another node than the PATH's: CI runs them under Debian 12's
# own Node.js 18, the oldest a fresh user has (scripts/debian-node.sh).
NODE=${P304_NODE:-node}
if [ -n "${VALGRIND:-}" ]; then
	# the browser drives the build's own p304 serve, never valgrind's: the
	# same run as the native pass, so CI's valgrind pass saves its minutes
	echo "skip browser tests: VALGRIND is set (they do not run the server under valgrind; run natively and under ASan)"
	skip=$((skip + 1))
elif [ -f "$ROOT/build/.browser-skip" ] || [ -f "$ROOT/build/.browser-skip-npm" ]; then
	echo "skip browser tests: $(cat "$ROOT"/build/.browser-skip*)"
	skip=$((skip + 1))
elif [ ! -x "${P304_CHROMIUM:-/usr/bin/chromium}" ] || ! command -v "$NODE" >/dev/null 2>&1 ||
	[ ! -d "$ROOT/test/browser/node_modules/playwright-core" ]; then
	echo "skip browser tests: chromium, node or test/browser/node_modules missing (run: make browser-deps)"
	skip=$((skip + 1))
else
	echo "browser tests under Node.js $("$NODE" --version) and $("${P304_CHROMIUM:-/usr/bin/chromium}" --version 2>/dev/null)"
	# P304_BROWSER_TESTS="09-officers-round ..." runs only those (CI's
	# sanitizer pass: the server's routes under ASan, in fewer minutes)
	# shellcheck disable=SC2086
	"$NODE" "$ROOT/test/browser/workbench.mjs" "$BUILD" ${P304_BROWSER_TESTS:-} >"$scratch/browser.out" 2>&1
	grep -v '^browser: ' "$scratch/browser.out"
	bp=$(grep -c '^ok   browser ' "$scratch/browser.out")
	bf=$(grep -c '^FAIL browser ' "$scratch/browser.out")
	if ! tail -1 "$scratch/browser.out" | grep -q '^browser: '; then
		bf=$((bf + 1)) # crashed before its summary
		echo "FAIL browser: the test script stopped early"
	fi
	pass=$((pass + bp))
	fail=$((fail + bf))
fi

if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
