"""Build a gold annotated apart (heldout-gold, round3-gold, round5-gold) from its hand-written specs (<gold>/src/<doc>.ann).

    python3 tests/data/build_gold.py tests/data/round3-gold k1.md k2.txt … [-u]

The reports are read from the gold folder's sibling without "-gold" (tests/data/round3); <doc>.jsonl is written
into the gold folder.

Spec line: anchor|kind|value|unit|approx|indicator|period|subject|metric
 - anchor: a piece of text containing [[raw]] (or just the raw); searched from the
   previous fact's start onward, so facts are listed in text order.
   In anchors and markers, the two-character escapes \\n and \\f stand for a line break and a
   form feed (k2.txt: numbers split across PDF lines).
 - metric: a title from indicators.md, or empty.
Section and item come from src/<doc>.sec: lines 'marker|section|item' — each marker is a
text string; from its first occurrence (after the previous marker) on, facts take that
section/item ('-' = null).
"""
import json
import re
import sys
import os
ROOT = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else ''
HERE = os.path.join(ROOT, 'src')
DATA = ROOT[:-len('-gold')] if ROOT.endswith('-gold') else ROOT
TITLES = set()
for l in open('/work/shared/reference/indicators.md', encoding='utf-8'):
    m = re.match(r'\| ([^|]+?) \|', l)
    if m and m.group(1) not in ('metric (title)', '---'):
        TITLES.add(m.group(1))
KINDS = {'percent', 'money', 'count', 'date', 'ratio', 'number', 'duration', 'age'}

def val(kind, v):
    if kind in ('date', 'ratio') or '/' in v or ':' in v:
        return v
    f = float(v)
    return int(f) if f == int(f) else f

def build(doc, ext):
    text = open(os.path.join(DATA, doc + '.' + ext), encoding='utf-8', newline='').read()   # CRLF kept: offsets as written
    marks = []
    pos = 0
    for l in open(os.path.join(HERE, doc + '.sec'), encoding='utf-8'):
        l = l.rstrip('\n')
        if not l or l.startswith('#'):
            continue
        mk, s, i = l.rsplit('|', 2)
        mk = mk.replace('\\n', '\n').replace('\\f', '\f').replace('\\t', '\t')
        p = text.find(mk, pos)
        assert p >= 0, (doc, 'marker', mk)
        marks.append((p, None if s == '-' else int(s), None if i == '-' else int(i)))
        pos = p + 1
    out = []
    cur = 0
    for n, l in enumerate(open(os.path.join(HERE, doc + '.ann'), encoding='utf-8'), 1):
        l = l.rstrip('\n')
        if not l.strip() or l.startswith('#'):
            continue
        f = l.rsplit('|', 8)
        assert len(f) == 9, (doc, n, l)
        anc, kind, v, unit, approx, ind, per, subj, met = f
        assert kind in KINDS, (n, kind)
        assert approx in ('', 'more', 'less', 'about'), (n, approx)
        assert met == '' or met in TITLES, (n, met)
        anc = anc.replace('\\n', '\n').replace('\\f', '\f').replace('\\t', '\t')
        if '[[' in anc:
            pre, rest = anc.split('[[')
            raw, post = rest.split(']]')
        else:
            pre, raw, post = '', anc, ''
        p = text.find(pre + raw + post, cur)
        assert p >= 0, (doc, n, anc)
        start = p + len(pre)
        end = start + len(raw)
        assert text[start:end] == raw
        sec = item = None
        for mp, s, i in marks:
            if mp <= start:
                sec, item = s, i
        out.append(dict(doc=doc, kind=kind, value=val(kind, v), unit=unit, approx=approx,
                        section=sec, item=item, indicator=ind, period=per, subject=subj,
                        raw=raw, start=start, end=end, metric=met))
        cur = start
    with open(os.path.join(ROOT, doc + '.jsonl'), 'w', encoding='utf-8') as fo:
        for d in out:
            fo.write(json.dumps(d, ensure_ascii=False) + '\n')
    # uncovered numerals for review
    cov = set()
    for d in out:
        cov.update(range(d['start'], d['end']))
    print(doc, len(out), 'facts,', sum(1 for d in out if d['metric']), 'metric links')
    if '-u' in sys.argv:
        for m in re.finditer(r'[0-9０-９]+(?:[ .][0-9]+)*|[〇零一二两三四五六七八九十百千万]+', text):
            if not any(k in cov for k in range(m.start(), m.end())):
                print('  uncovered', m.start(), repr(text[max(0, m.start()-8):m.end()+6]))

if __name__ == '__main__':
    for a in sys.argv[2:]:
        if a.startswith('-'):
            continue
        doc, ext = a.split('.')
        build(doc, ext)
