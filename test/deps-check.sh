#!/bin/sh
# scripts/ensure-deps.sh for a user who is not root: it must print a command
# that works, with sudo where sudo exists and with su -c where it does not
# (a minimal Debian has no sudo). dpkg-query and id are faked.
#   test/deps-check.sh ROOT
set -u
ROOT=$1
work=$(mktemp -d /tmp/p304-deps.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL deps: $*"; exit 1; }
mkdir "$work/bin"
printf '#!/bin/sh\necho 1000\n' >"$work/bin/id"
printf '#!/bin/sh\necho "unknown ok not-installed"\n' >"$work/bin/dpkg-query"
ln -s "$(command -v grep)" "$work/bin/grep"
chmod +x "$work/bin/id" "$work/bin/dpkg-query"
PATH="$work/bin" /bin/sh "$ROOT/scripts/ensure-deps.sh" gcc libcsv-dev >/dev/null 2>"$work/nosudo.txt" &&
	fail "a missing package did not stop the build"
grep -qF "su -c 'apt-get update && apt-get install -y gcc libcsv-dev'" "$work/nosudo.txt" ||
	fail "without sudo, no su -c command: $(cat "$work/nosudo.txt")"
grep -q sudo "$work/nosudo.txt" && fail "sudo suggested where there is none"
printf '#!/bin/sh\nexit 0\n' >"$work/bin/sudo"
chmod +x "$work/bin/sudo"
PATH="$work/bin" /bin/sh "$ROOT/scripts/ensure-deps.sh" gcc >/dev/null 2>"$work/sudo.txt"
grep -qF "sudo apt-get update && sudo apt-get install -y gcc" "$work/sudo.txt" ||
	fail "with sudo, no sudo command: $(cat "$work/sudo.txt")"
echo "ok   deps (the command printed for a user who is not root: su -c without sudo, sudo with it)"
