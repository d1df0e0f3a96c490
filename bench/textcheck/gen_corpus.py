#!/usr/bin/env python3
"""Deterministic benchmark corpus: about TARGET_MB of Chinese government-style text.

One ~2 KB document per line, built from the sentences of the seed policy documents (one of
them is traditional Chinese with pinyin annotations, so normalisation has work to do), with
a stress-lexicon term, a dodged term (敏*感), a phone number or a URL mixed in now and then.
Usage: gen_corpus.py SEEDS_DIR LEXICON_DIR OUT_FILE [TARGET_MB]
"""
import glob
import os
import random
import re
import sys

seeds_dir, lexicon_dir, out_path = sys.argv[1:4]
target = int(float(sys.argv[4]) * 1024 * 1024) if len(sys.argv) > 4 else 100 * 1024 * 1024
rng = random.Random(20260401)

sentences = []
for path in sorted(glob.glob(os.path.join(seeds_dir, "*.txt"))):
    text = open(path, encoding="utf-8", errors="replace").read()
    for s in re.split(r"(?<=[。！？；])|\n", text):
        s = s.strip()
        if len(s) >= 8:
            sentences.append(s)
terms = []
for path in sorted(glob.glob(os.path.join(lexicon_dir, "*.txt"))):
    terms += [t.strip() for t in open(path, encoding="utf-8") if t.strip()]
terms.sort()

def extra():
    r = rng.random()
    if r < 0.5:
        return rng.choice(terms)
    if r < 0.7:
        t = rng.choice(terms)
        return "*".join(t) if len(t) <= 4 else t
    if r < 0.85:
        return "联系电话1%d%09d" % (rng.randint(3, 9), rng.randint(0, 999999999))
    return "详见https://www.example.gov.cn/art/%d.html" % rng.randint(1, 99999)

written = 0
with open(out_path, "w", encoding="utf-8") as out:
    while written < target:
        doc = []
        size = 0
        goal = rng.randint(1800, 2300)
        while size < goal:
            s = rng.choice(sentences)
            if rng.random() < 0.15:
                cut = rng.randint(0, len(s))
                s = s[:cut] + extra() + s[cut:]
            doc.append(s)
            size += len(s.encode("utf-8"))
        line = "".join(doc).replace("\t", " ") + "\n"
        out.write(line)
        written += len(line.encode("utf-8"))
print(f"{out_path}: {written / 1e6:.1f} MB, {len(sentences)} seed sentences, {len(terms)} lexicon terms", file=sys.stderr)
