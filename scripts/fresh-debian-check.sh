#!/bin/sh
# Follows the README from its first line on a minimal Debian 12, as a new user
# would: a debootstrap'd bookworm root (variant minbase: no make, no git, no
# compiler, no Node.js), then in it
#   apt-get update && apt-get install make git; git clone; make demo;
#   make serve (page and POST /api/allocate); make test [; bash .ci/run]
# printing each step's time and its closing lines. Run as root, on Debian:
#   sh scripts/fresh-debian-check.sh [--ci | --reuse] [ROOT_DIR]
# --ci then runs `.ci/run` in a fresh clone in that root; --reuse skips the
# debootstrap and the README's steps and runs only that, in a root an earlier
# run built (its `make test` installed every dependency, as on a user's
# machine), to check a later commit.
# It clones the checkout's committed HEAD (not the working tree), needs the
# network of Debian's mirrors, and takes about 15 minutes (40 with --ci) on 2
# cores. ROOT_DIR (default /var/tmp/p304-fresh-debian) is made anew each time.
# Not run by `make test` or CI: it downloads a whole system.
set -eu
with_ci=0
reuse=0
case "${1:-}" in
--ci) with_ci=1; shift ;;
--reuse) with_ci=1; reuse=1; shift ;;
esac
root=${1:-/var/tmp/p304-fresh-debian}
mirror=${P304_MIRROR:-http://deb.debian.org/debian}
repo=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "fresh-debian-check: run as root (debootstrap, chroot, mount)" >&2; exit 2; }
command -v debootstrap >/dev/null 2>&1 || sh "$repo/scripts/ensure-deps.sh" debootstrap

summary=""
record() { summary="$summary$(printf '%-28s %6ss  %s' "$1" "$2" "$3")
"; }
unmount_all() {
	for m in dev/shm dev/pts dev sys proc src; do
		mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m"
	done
	return 0
}
trap unmount_all EXIT INT TERM

unmount_all
if [ "$reuse" = 1 ]; then
	[ -d "$root/root/p304" ] || { echo "fresh-debian-check: no earlier root in $root (run without --reuse first)" >&2; exit 2; }
else
	rm -rf "$root"
	t0=$(date +%s)
	debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
		{ tail -20 "$root.debootstrap.log"; exit 1; }
	record "debootstrap (minbase)" $(($(date +%s) - t0)) "$(du -sh "$root" | cut -f1)"
fi

mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount -t devpts devpts "$root/dev/pts" -o newinstance,ptmxmode=0666 2>/dev/null || true
mount -t tmpfs -o size=1g tmpfs "$root/dev/shm"
mkdir -p "$root/src"
mount --bind "$repo" "$root/src"
mount -o remount,bind,ro "$root/src"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# A machine behind a proxy that re-signs TLS trusts that proxy's certificate
# (here /usr/local/share/ca-certificates, read by update-ca-certificates once
# the clone installs ca-certificates): the new root trusts it too, or npm ci
# cannot reach the registry. Nothing else of this machine is carried over.
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
	mkdir -p "$root/usr/local/share/ca-certificates"
	cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
fi
printf '%s\n' "deb $mirror bookworm main" "deb http://deb.debian.org/debian-security bookworm-security main" \
	>"$root/etc/apt/sources.list"

# Runs one README step in the chroot, as root in /root/p304, with a clean
# environment (no variable of this machine's shell leaks in).
in_root() {
	chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb \
		${NODE_EXTRA_CA_CERTS:+NODE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS} \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/sh -c "$1"
}
step() {
	name=$1 cmd=$2 log="$root.$(echo "$1" | tr ' /' '__').log"
	t=$(date +%s)
	if in_root "$cmd" >"$log" 2>&1; then rc=0; else rc=$?; fi
	dt=$(($(date +%s) - t))
	echo "== $name: exit $rc, ${dt}s (log: $log)"
	tail -n "${3:-3}" "$log" | sed 's/^/   | /'
	record "$name" "$dt" "exit $rc"
	return "$rc"
}

if [ "$reuse" = 0 ]; then
step "apt-get install make git" "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y make git"
step "git clone" "git config --global --add safe.directory '*' && git clone -q /src /root/p304"
step "make demo" "cd /root/p304 && make demo" 12
# The first thing a new user reads must be French (issue 23): the summary of
# make demo, printed by the program, and the address make serve prints.
grep -q "réparti" "$root.make_demo.log" || { echo "FAIL: make demo did not print French"; exit 1; }
grep -q "^  participants" "$root.make_demo.log" && grep -q "enveloppe" "$root.make_demo.log"

t=$(date +%s)
in_root "cd /root/p304 && exec make serve SERVE_PORT=0" >"$root.make_serve.log" 2>&1 &
serve_pid=$!
port=""
for _ in $(seq 1 600); do
	port=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$root.make_serve.log" | head -1)
	[ -n "$port" ] && break
	sleep 0.5
done
[ -n "$port" ] || { echo "FAIL: make serve printed no address"; cat "$root.make_serve.log"; exit 1; }
grep -q "Ouvrez" "$root.make_serve.log" || { echo "FAIL: make serve did not print French"; cat "$root.make_serve.log"; exit 1; }
page=$(curl -sf "http://127.0.0.1:$port/" | grep -c "p304" || true)
in_root "cd /root/p304 && ./build/p304 allocate inputs/scenarios/2025-national.json -q -o /tmp/cli-2025"
curl -sf -X POST --data-binary "@$root/root/p304/inputs/scenarios/2025-national.json" \
	"http://127.0.0.1:$port/api/allocate" -o "$root/tmp/api-2025.json"
cmp "$root/tmp/api-2025.json" "$root/tmp/cli-2025/repartition.json"
# only the chroot's server: other p304 servers may run on this machine
for proc in /proc/[0-9]*; do
	[ "$(readlink "$proc/root" 2>/dev/null)" = "$root" ] || continue
	case "$(tr '\0' ' ' <"$proc/cmdline" 2>/dev/null)" in
	*"p304 serve"*) kill -TERM "${proc#/proc/}" 2>/dev/null || true ;;
	esac
done
wait "$serve_pid" || true
echo "== make serve: page served ($page lines name p304), POST /api/allocate = CLI repartition.json"
sed -n '1,3p' "$root.make_serve.log" | sed 's/^/   | /'
record "make serve (+ API check)" $(($(date +%s) - t)) "page and API answer, French address line"

step "make test" "cd /root/p304 && make test" 4 || true
fi
# CI's own run, in a fresh clone of the checkout's HEAD (not the folder the
# README's steps built in)
if [ "$with_ci" = 1 ]; then
	step "git clone (for .ci/run)" "rm -rf /root/p304-ci && git clone -q /src /root/p304-ci && git -C /root/p304-ci log --oneline -1"
	step ".ci/run" "cd /root/p304-ci && CI=true bash .ci/run" 6 || true
fi

echo
echo "Summary (Debian $(cat "$root/etc/debian_version"), node $(in_root 'node --version 2>/dev/null' || echo none), $(in_root 'chromium --version 2>/dev/null' || echo 'no chromium')):"
printf '%s' "$summary"
