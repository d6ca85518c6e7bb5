#!/bin/sh
# Prints the path of a `node` that is Debian 12's own Node.js (18.20.x), the
# one a fresh Debian user gets from `apt-get install nodejs`, so that CI runs
# the browser tests under it even where a newer Node.js is on the PATH (a
# newer package hid issue 23: playwright-core then required Node.js 20).
#   P304_NODE=$(sh scripts/debian-node.sh build) make test
# The Debian packages nodejs and libnode108 are fetched with `apt-get download`
# and unpacked with `dpkg -x` into BUILD/debian-node (nothing is installed
# over the machine's own Node.js); their shared-library dependencies are
# installed like every other dependency (scripts/ensure-deps.sh).
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
dest="$(cd "$(dirname "$build")" && pwd)/$(basename "$build")/debian-node"
wrapper="$dest/node"
if [ -x "$wrapper" ] && "$wrapper" --version >/dev/null 2>&1; then
	echo "$wrapper"
	exit 0
fi
# Debian's builds carry "+dfsg" in their version; other repositories' (such
# as a vendor's Node.js 20) do not. apt-cache lists the newest first.
version=$(apt-cache madison nodejs 2>/dev/null | awk -F'|' '$2 ~ /\+dfsg/ {gsub(/ /, "", $2); print $2; exit}')
if [ -z "$version" ]; then
	echo "debian-node: no Debian build of nodejs in apt's lists (run apt-get update)" >&2
	exit 1
fi
libnode=$(apt-cache depends "nodejs=$version" 2>/dev/null | awk '/Depends: libnode[0-9]/ {print $2; exit}')
[ -n "$libnode" ] || { echo "debian-node: nodejs $version names no libnode package" >&2; exit 1; }
# Its dependencies, as apt would install them beside nodejs: shared libraries
# and the builtins Debian's node loads from /usr/share/nodejs (acorn,
# cjs-module-lexer, undici). None replaces the machine's own node.
deps=$(apt-cache depends "nodejs=$version" "$libnode=$version" 2>/dev/null |
	awk '$1 ~ /^\|?Depends:$/ && $2 !~ /^</ && $2 != "'"$libnode"'" {print $2}' | sort -u | tr '\n' ' ')
sh "$here/ensure-deps.sh" $deps >&2
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp/debs"
# apt-get download writes into the current folder, as user _apt when it can.
(cd "$dest.tmp/debs" && chmod 777 . && apt-get download -q "nodejs=$version" "$libnode=$version" >&2)
for deb in "$dest.tmp"/debs/*.deb; do
	dpkg -x "$deb" "$dest.tmp/root"
done
libdir=$(dirname "$(find "$dest.tmp/root" -name 'libnode.so.*' | head -1)")
libdir=$dest${libdir#"$dest.tmp"}
cat >"$dest.tmp/node" <<EOF
#!/bin/sh
# Debian's nodejs $version, unpacked by scripts/debian-node.sh
LD_LIBRARY_PATH="$libdir\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$dest/root/usr/bin/node" "\$@"
EOF
chmod 755 "$dest.tmp/node"
rm -rf "$dest.tmp/debs"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
"$wrapper" --version >/dev/null
echo "$wrapper"
