#!/bin/sh
# French messages (GNU gettext): every message marked in src/ has a French
# translation in po/fr.po, none fuzzy, and the catalogue compiles.
#   test/i18n-check.sh ROOT
set -u
ROOT=$1
work=$(mktemp -d /tmp/p304-i18n.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL i18n catalogue: $*"; exit 1; }
for t in xgettext msgmerge msgfmt; do
	command -v $t >/dev/null 2>&1 || fail "$t is missing (Debian package gettext)"
done
cd "$ROOT" || fail "no $ROOT"
# The messages the sources mark today (the same command as `make pot`).
sh po/xgettext.sh "$ROOT" "$work/p304.pot" 2>"$work/xgettext.err" ||
	fail "xgettext: $(cat "$work/xgettext.err")"
msgmerge --quiet --no-fuzzy-matching -o "$work/fr.po" po/fr.po "$work/p304.pot" 2>"$work/merge.err" ||
	fail "msgmerge: $(cat "$work/merge.err")"
msgfmt --check --statistics -o /dev/null "$work/fr.po" 2>"$work/stats" ||
	fail "msgfmt --check: $(cat "$work/stats")"
stats=$(cat "$work/stats")
case "$stats" in
*untranslated* | *fuzzy*)
	msgattrib --untranslated --no-obsolete "$work/fr.po" | grep '^msgid' | sed -n '2,11p' >"$work/missing"
	fail "$stats (run 'make pot' and translate in po/fr.po; first ones:
$(cat "$work/missing"))" ;;
esac
# po/fr.po itself (not only the merge above, which revives obsolete entries)
msgcmp po/fr.po "$work/p304.pot" 2>"$work/cmp" ||
	fail "po/fr.po lacks marked messages (run 'make pot'): $(head -3 "$work/cmp")"
msgfmt --check --statistics -o /dev/null po/fr.po 2>"$work/stats2" || fail "po/fr.po: $(cat "$work/stats2")"
case "$(cat "$work/stats2")" in
*fuzzy*) fail "po/fr.po: $(cat "$work/stats2")" ;;
esac
echo "ok   i18n catalogue (po/fr.po: $stats)"
