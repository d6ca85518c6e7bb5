#!/bin/sh
# The layers call one way (docs/ARCHITECTURE.md: cli → server → chart →
# workflow → format → core): no object of a layer may need a symbol that only
# a layer above it defines. Read from the compiled objects (nm), so a call
# hidden behind a header of the right layer is caught too (issue 20 found
# format/ calling workflow/'s p304_compare_order).
#   test/layers-check.sh BUILD_DIR
set -u
OBJ=$1/obj
layers="core format workflow chart server"
work=$(mktemp -d /tmp/p304-layers.XXXXXX)
trap 'rm -rf "$work"' EXIT
for l in $layers; do
	nm -g --defined-only "$OBJ/$l"/*.o | awk 'NF == 3 { print $3 }' | sort -u >"$work/$l.def"
done
bad=0
for l in $layers; do
	above=""
	seen=0
	for m in $layers; do
		[ "$m" = "$l" ] && { seen=1; continue; }
		[ $seen -eq 1 ] && above="$above $m"
	done
	for m in $above; do
		for o in "$OBJ/$l"/*.o; do
			nm -u "$o" | awk '{ print $2 }' | sort -u | comm -12 - "$work/$m.def" >"$work/hit"
			while read -r sym; do
				echo "FAIL layers: ${o#"$OBJ"/} ($l) calls $sym, defined in $m/"
				bad=1
			done <"$work/hit"
		done
	done
done
[ $bad -eq 0 ] || exit 1
echo "ok   layers (no object calls a layer above its own: $layers)"
