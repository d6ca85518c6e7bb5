#!/bin/sh
# Checks the Debian packages p304 builds and tests with. As root, installs the
# missing ones (apt-get update, then apt-get install -y); otherwise prints the
# exact command to run (with sudo when there is one, else to run as root with
# su) and fails.
# Extra packages may be named on the command line (make fuzz adds clang).
PKGS="${*:-gcc make libc6-dev gettext libcsv-dev libcjson-dev libssl-dev libxlsxwriter-dev libmicrohttpd-dev libsqlite3-dev}"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "p304: not a Debian system; install the equivalents of:$missing" >&2
	exit 1
fi
if [ "$(id -u)" = 0 ]; then
	echo "p304: installing missing Debian packages:$missing" >&2
	# `make -j` may run two installs at once (build and test dependencies),
	# and apt refuses a second client ("Could not get lock"): p304's own
	# installs wait for each other, and for any other apt client.
	lock=/var/lock/p304-apt.lock
	if command -v flock >/dev/null 2>&1 && [ -z "${P304_APT_LOCKED:-}" ]; then
		P304_APT_LOCKED=1 exec flock "$lock" sh "$0" "$@"
	fi
	apt-get -o DPkg::Lock::Timeout=600 update &&
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y $missing
	exit $?
fi
echo "p304: missing Debian packages:$missing" >&2
if command -v sudo >/dev/null 2>&1; then
	echo "run:  sudo apt-get update && sudo apt-get install -y$missing" >&2
else
	echo "run as root (su asks for the root password):" >&2
	echo "  su -c 'apt-get update && apt-get install -y$missing'" >&2
fi
exit 1
