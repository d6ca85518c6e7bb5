#!/usr/bin/env python3
"""French by default: every error case of the golden cases and of the
bad-input catalogue, run again without LANGUAGE=en, must print a stderr that
differs from the English one and holds no English sentence of po/fr.po's
msgids (a message left unmarked, or marked but missing from the catalogue,
shows in English and fails here).
    test/french-check.py PO_FILE SCRATCH NAME...   (NAME.err and NAME.fr.err;
    NAME.fr.out, the French stdout, is searched for English too)"""
import re
import sys

def read_po(path):
    """[(msgid, [msgstr...])] of a .po file (no dependency: a small parser)."""
    entries, cur, key = [], None, None
    def unq(s):
        return bytes(s[1:-1], 'utf-8').decode('unicode_escape').encode('latin-1').decode('utf-8')
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if line.startswith('#~') or line.startswith('#'):
            continue
        m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line)
        if m:
            if m.group(1) == 'msgid':
                cur = {'msgid': '', 'msgstr': []}
                entries.append(cur)
            key = m.group(1)
            if key.startswith('msgstr'):
                cur['msgstr'].append('')
            val = unq(m.group(2))
        elif line.startswith('"') and cur is not None:
            val = unq(line)
        else:
            continue
        if key == 'msgid':
            cur['msgid'] += val
        elif key == 'msgid_plural':
            cur.setdefault('plural', '')
            cur['plural'] += val
        else:
            cur['msgstr'][-1] += val
    return [e for e in entries if e['msgid']]

FMT = re.compile(r"%[-+ #0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|z|j|t)?[a-zA-Z%]|\n|'")

def english_chunks(entries):
    """Pieces of English text (3 words or more) that the translations do not
    contain: finding one in a French stderr means English leaked."""
    out = set()
    for e in entries:
        tr = ' '.join(e['msgstr'])
        for mid in (e['msgid'], e.get('plural', '')):
            for chunk in FMT.split(mid):
                chunk = chunk.strip(' ;:,.()')
                if len(chunk) >= 12 and chunk.count(' ') >= 2 and chunk not in tr \
                        and re.search(r'[a-z]{3}', chunk):
                    out.add(chunk)
    return out

def main():
    po, scratch, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    chunks = english_chunks(read_po(po))
    bad = []
    for name in names:
        en = open(f'{scratch}/{name}.err', encoding='utf-8', errors='replace').read()
        fr = open(f'{scratch}/{name}.fr.err', encoding='utf-8', errors='replace').read()
        try:
            # stdout too: verify reports its differences there (issue 19)
            fr_out = open(f'{scratch}/{name}.fr.out', encoding='utf-8', errors='replace').read()
        except OSError:
            fr_out = ''
        leaked_out = sorted(c for c in chunks if c in fr_out)
        if en.strip() and en == fr:
            bad.append(f'{name}: the default language prints the English text')
            continue
        leaked = sorted(c for c in chunks if c in fr)
        if leaked_out and not leaked:
            leaked, fr = leaked_out, fr_out
        if leaked:
            bad.append(f"{name}: English in the French messages: '{leaked[0]}'"
                       f"{' (+%d more)' % (len(leaked) - 1) if len(leaked) > 1 else ''}"
                       f"\n       {fr.splitlines()[0] if fr else ''}")
    if bad:
        print(f'FAIL french messages: {len(bad)} of {len(names)} error cases')
        for b in bad[:15]:
            print('     ' + b)
        return 1
    print(f'ok   french messages ({len(names)} error cases in French by default, '
          f'no English sentence among {len(chunks)} checked)')
    return 0

if __name__ == "__main__":   # test/api-test.py imports english_chunks
    sys.exit(main())
