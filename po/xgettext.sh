#!/bin/sh
# Extracts the messages marked in src/ into a .pot file (make pot, and
# test/i18n-check.sh): _() and N_() single messages, Q_() and cli_count()
# singular/plural pairs.
#   po/xgettext.sh ROOT OUTPUT.pot
cd "$1" || exit 1
exec xgettext --language=C --from-code=UTF-8 --keyword=_ --keyword=N_ \
	--keyword=Q_:1,2 --keyword=cli_count:4,5 --add-comments=TRANSLATORS: \
	--package-name=p304 --msgid-bugs-address=none --sort-by-file --force-po \
	-o "$2" $(ls src/*/*.c src/*/*.h | LC_ALL=C sort)
