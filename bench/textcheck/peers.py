#!/usr/bin/env python3
"""The installable peers over the same terms and corpus: pyahocorasick, ahocorasick-rs and
matcher-py (all from PyPI). Each builds one automaton over the raw stress-lexicon terms
(they have no use for our rule files) and scans the corpus document by document, single
threaded, returning its matches. Prints one JSON line per peer.
Usage: peers.py CORPUS LEXICON_DIR
"""
import glob
import json
import os
import statistics
import sys
import time

corpus_path, lexicon_dir = sys.argv[1:3]
docs = open(corpus_path, encoding="utf-8").read().split("\n")
docs = [d for d in docs if d]
mb = sum(len(d.encode("utf-8")) + 1 for d in docs) / 1e6
terms = []
for path in sorted(glob.glob(os.path.join(lexicon_dir, "*.txt"))):
    terms += [t.strip() for t in open(path, encoding="utf-8") if t.strip()]
terms = sorted(set(terms))
sample = [d for d in docs if 1900 <= len(d.encode("utf-8")) <= 2100][:2000]


def run(name, build, scan):
    t = time.perf_counter()
    m = build()
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    found = 0
    for d in docs:
        found += len(scan(m, d))
    scan_s = time.perf_counter() - t
    lat = []
    for d in sample:
        t = time.perf_counter()
        scan(m, d)
        lat.append((time.perf_counter() - t) * 1e6)
    lat.sort()
    print(json.dumps({
        "tool": name, "patterns": len(terms), "corpus_mb": round(mb, 1), "build_s": round(build_s, 3),
        "mb_s_1t": round(mb / scan_s, 1), "findings": found,
        "lat2k_us_p50": round(statistics.median(lat), 1), "lat2k_us_p99": round(lat[int((len(lat) - 1) * 0.99)], 1),
    }), flush=True)


import ahocorasick  # pyahocorasick


def build_pyac():
    a = ahocorasick.Automaton()
    for i, t in enumerate(terms):
        a.add_word(t, i)
    a.make_automaton()
    return a


# iter_long: leftmost-longest, non-overlapping, like ours.
run("pyahocorasick", build_pyac, lambda a, d: list(a.iter_long(d)))

import ahocorasick_rs

run("ahocorasick-rs",
    lambda: ahocorasick_rs.AhoCorasick(terms, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest),
    lambda a, d: a.find_matches_as_indexes(d))

from matcher_py import ProcessType, SimpleMatcher


def build_matcher(pt):
    # matcher-py reads & ~ | \b as operators; keep the terms that use none of them.
    words = {i: t for i, t in enumerate(terms) if not any(c in t for c in "&~|\\")}
    return lambda: SimpleMatcher.from_dict({int(pt): words})


run("matcher-py", build_matcher(ProcessType.NONE), lambda m, d: m.process(d))
# matcher-py can also normalise (variants, deleting noise, full-width); it returns no offsets.
run("matcher-py (normalising)", build_matcher(ProcessType.VARIANT_NORM_DELETE_NORMALIZE),
    lambda m, d: m.process(d))
