//! The dictionary automaton: leftmost-longest Aho-Corasick over the normalised chars.
//!
//! Normalisation decodes every char once and leaves its code point in
//! [`crate::normalize::Normalized::chars`]; this automaton steps over those codes, so the text is
//! not decoded a second time. A char maps to a dense symbol through one table lookup (0: the
//! char is in no term; no state has a child for it). The root's children are a table by
//! symbol (most steps start there or fail to it); the other states' children live in a double
//! array: the child of `s` on symbol `c` is slot `base(s) + c` when that slot names `s` as its
//! parent, one lookup whatever the number of children. The scan carries the current state's
//! base, failure link and output with it (a [`State`]), so a step loads one slot, the child's;
//! a miss one char below the root goes straight to the root's table. A child of the root
//! (where most steps start) also carries one bit per child's symbol modulo 64, so most steps
//! that would miss skip the probe (and the cache miss it mostly was).
//!
//! The matching semantics are those of daachorse's leftmost-longest iterator (which this
//! replaced; the tests below check that the two agree on random dictionaries and texts): match
//! states and their descendants fail to a dead state, a state without a term of its own reports
//! the term of its failure state, and after a match the scan restarts at the match's end.

use std::collections::HashMap;

const ROOT: u32 = 0;
const DEAD: u32 = u32::MAX;
/// `check` of a free slot.
const FREE: u32 = u32::MAX;

/// One slot of the double array: the state whose id is this slot's index, when `check` names
/// its parent. The child of state `s` on symbol `c` is slot `base(s) + c` if that slot's
/// `check` is `s`.
#[derive(Debug, Clone, Copy)]
struct Slot {
    base: u32,
    check: u32,
    fail: u32,
    /// 0: no match here; k: `outputs[k - 1]`.
    out: u32,
}

/// A compiled dictionary automaton.
pub(crate) struct Automaton {
    /// The symbol of every char of the Basic Multilingual Plane (0: in no term).
    sym_bmp: Box<[u16; 0x10000]>,
    /// Symbols of the chars above it.
    sym_astral: HashMap<u32, u16>,
    slots: Box<[Slot]>,
    /// The root's child by symbol, with its slot's fields (`State::ROOT`: none): the state
    /// most steps start from or fail to, looked up without the double array.
    /// Every symbol has an entry (a `u16` indexes it with no bounds check).
    root: Box<[State; 1 << 16]>,
    /// (value, length in chars) of each term.
    outputs: Box<[(u32, u32)]>,
}

impl std::fmt::Debug for Automaton {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Automaton")
            .field("slots", &self.slots.len())
            .field("terms", &self.outputs.len())
            .finish()
    }
}

/// Building failed: more distinct chars in the terms than the symbol table holds.
#[derive(Debug)]
pub(crate) struct TooManyChars;

impl Automaton {
    /// Compiles the terms (non-empty, distinct) with their values.
    pub(crate) fn build<'a>(
        terms: impl IntoIterator<Item = (&'a str, u32)>,
    ) -> Result<Automaton, TooManyChars> {
        let mut sym_bmp: Box<[u16; 0x10000]> = vec![0u16; 0x10000]
            .into_boxed_slice()
            .try_into()
            .map_err(|_| TooManyChars)?;
        let mut sym_astral: HashMap<u32, u16> = HashMap::new();
        let mut nsyms: usize = 1;
        let mut root: Vec<u32> = vec![ROOT];
        // Children of the other states, unsorted while building.
        let mut children: Vec<Vec<(u16, u32)>> = vec![Vec::new()];
        let mut own: Vec<Option<(u32, u32)>> = vec![None];
        for (term, value) in terms {
            let mut s = ROOT;
            let mut len = 0u32;
            for c in term.chars() {
                let code = c as u32;
                let slot = if code < 0x10000 {
                    sym_bmp[code as usize]
                } else {
                    sym_astral.get(&code).copied().unwrap_or(0)
                };
                let sym = if slot != 0 {
                    slot
                } else {
                    let sym = u16::try_from(nsyms).map_err(|_| TooManyChars)?;
                    if sym == u16::MAX {
                        return Err(TooManyChars);
                    }
                    nsyms += 1;
                    root.push(ROOT);
                    if code < 0x10000 {
                        sym_bmp[code as usize] = sym;
                    } else {
                        sym_astral.insert(code, sym);
                    }
                    sym
                };
                len += 1;
                let existing = if s == ROOT {
                    Some(root[sym as usize]).filter(|&t| t != ROOT)
                } else {
                    children[s as usize]
                        .iter()
                        .find(|&&(l, _)| l == sym)
                        .map(|&(_, t)| t)
                };
                s = match existing {
                    Some(t) => t,
                    None => {
                        let t = children.len() as u32;
                        children.push(Vec::new());
                        own.push(None);
                        if s == ROOT {
                            root[sym as usize] = t;
                        } else {
                            children[s as usize].push((sym, t));
                        }
                        t
                    }
                };
            }
            if s != ROOT {
                own[s as usize] = Some((value, len));
            }
        }
        // The root's children, by symbol, as a list like the others'.
        children[ROOT as usize] = root
            .iter()
            .enumerate()
            .filter(|&(_, &t)| t != ROOT)
            .map(|(sym, &t)| (sym as u16, t))
            .collect();
        for c in &mut children {
            c.sort_unstable_by_key(|&(l, _)| l);
        }
        let n = children.len();
        let child = |s: u32, sym: u16| -> Option<u32> {
            if s == ROOT {
                Some(root[sym as usize]).filter(|&t| t != ROOT)
            } else {
                let c = &children[s as usize];
                c.binary_search_by_key(&sym, |&(l, _)| l)
                    .ok()
                    .map(|i| c[i].1)
            }
        };
        // Failure links, breadth first, with the leftmost rules: a match state and everything
        // below it fail to the dead state.
        let mut fail = vec![ROOT; n];
        let mut queue: Vec<u32> = children[ROOT as usize].iter().map(|&(_, t)| t).collect();
        let mut qi = 0;
        while qi < queue.len() {
            let s = queue[qi] as usize;
            qi += 1;
            if own[s].is_some() {
                fail[s] = DEAD;
            }
            for &(c, t) in &children[s] {
                let mut f = fail[s];
                let new = if f == DEAD {
                    DEAD
                } else {
                    loop {
                        if let Some(x) = child(f, c) {
                            break x;
                        }
                        let next = fail[f as usize];
                        if next == DEAD {
                            break DEAD;
                        }
                        if f == ROOT && next == ROOT {
                            break ROOT;
                        }
                        f = next;
                    }
                };
                fail[t as usize] = new;
                queue.push(t);
            }
        }
        // Outputs: a state's own term, else its failure state's.
        let mut outputs: Vec<(u32, u32)> = Vec::new();
        let mut out = vec![0u32; n];
        for &s in &queue {
            let s = s as usize;
            out[s] = match own[s] {
                Some(o) => {
                    outputs.push(o);
                    outputs.len() as u32
                }
                None if fail[s] != DEAD => out[fail[s] as usize],
                None => 0,
            };
        }
        // Lay the states out in the double array, breadth first: each state's children go
        // where all their slots are free, found from the lowest free slot up.
        let mut slot_of = vec![0u32; n];
        let mut placed = DoubleArray::new();
        placed.take(0);
        let mut bases = vec![0u32; n];
        for s in std::iter::once(ROOT).chain(queue.iter().copied()) {
            let c = &children[s as usize];
            let Some(&(first, _)) = c.first() else {
                continue;
            };
            let base = placed.find_base(c.iter().map(|&(l, _)| u32::from(l)), u32::from(first));
            bases[s as usize] = base;
            for &(l, t) in c {
                let at = base + u32::from(l);
                placed.take(at);
                slot_of[t as usize] = at;
            }
        }
        let mut slots = vec![
            Slot {
                base: 0,
                check: FREE,
                fail: DEAD,
                out: 0,
            };
            placed.len()
        ];
        for s in 0..n {
            let at = slot_of[s] as usize;
            slots[at].base = bases[s];
            slots[at].fail = match fail[s] {
                DEAD => DEAD,
                f => slot_of[f as usize],
            };
            slots[at].out = out[s];
            for &(_, t) in &children[s] {
                slots[slot_of[t as usize] as usize].check = at as u32;
            }
        }
        slots[ROOT as usize].check = FREE;
        let mut root_table: Box<[State; 1 << 16]> = vec![State::ROOT; 1 << 16]
            .into_boxed_slice()
            .try_into()
            .map_err(|_| TooManyChars)?;
        for (sym, &t) in root.iter().enumerate() {
            if t != ROOT {
                let at = slot_of[t as usize];
                let mut state = State::at(at, &slots[at as usize]);
                state.children = children[t as usize]
                    .iter()
                    .fold(0u64, |m, &(label, _)| m | 1u64 << (label & 63));
                root_table[sym] = state;
            }
        }
        let root = root_table;
        Ok(Automaton {
            sym_bmp,
            sym_astral,
            slots: slots.into_boxed_slice(),
            root,
            outputs: outputs.into_boxed_slice(),
        })
    }

    #[inline(always)]
    fn sym(&self, code: u32) -> u16 {
        if code < 0x10000 {
            self.sym_bmp[code as usize]
        } else {
            self.sym_astral_of(code)
        }
    }

    /// The symbol of the char with code point `code` (0: in no term).
    #[inline(always)]
    pub(crate) fn symbol(&self, code: u32) -> u16 {
        self.sym(code)
    }

    #[cold]
    fn sym_astral_of(&self, code: u32) -> u16 {
        self.sym_astral.get(&code).copied().unwrap_or(0)
    }

    /// State `id` with its slot's fields.
    #[inline(always)]
    fn state(&self, id: u32) -> State {
        match self.slots.get(id as usize) {
            Some(slot) => State::at(id, slot),
            None => State::ROOT,
        }
    }

    /// The root's child on symbol `sym` (the root when none).
    #[inline(always)]
    fn root_child(&self, sym: u16) -> State {
        self.root[usize::from(sym)]
    }

    /// The next state from `s` on a char with symbol `sym` (leftmost: no restart after a
    /// dead end, the caller restarts at the pending match's end).
    #[inline(always)]
    fn step(&self, mut s: State, sym: u16) -> State {
        loop {
            if s.id == ROOT {
                return self.root_child(sym);
            }
            let t = s.base.wrapping_add(u32::from(sym));
            if s.children & (1u64 << (sym & 63)) != 0
                && let Some(slot) = self.slots.get(t as usize)
                && slot.check == s.id
            {
                return State::at(t, slot);
            }
            match s.fail {
                DEAD => return State::ROOT,
                // Most misses are one char below the root: straight to its child table.
                ROOT => return self.root_child(sym),
                f => s = self.state(f),
            }
        }
    }

    /// Passes each leftmost-longest match in `chars` (code points) to `each` as
    /// `(start, end, value)` in char indices, in order; stops and returns true as soon as
    /// `each` does.
    pub(crate) fn leftmost(
        &self,
        chars: &[u32],
        mut each: impl FnMut(usize, usize, u32) -> bool,
    ) -> bool {
        let mut pos = 0;
        while pos < chars.len() {
            // The pending match (`outputs` index + 1) and its end.
            let (last, last_end) = self.longest_from(chars, pos);
            if last == 0 {
                break;
            }
            let (value, len) = self.outputs[last as usize - 1];
            if each(last_end - len as usize, last_end, value) {
                return true;
            }
            pos = last_end;
        }
        false
    }

    /// From char `pos` on: the first leftmost-longest match (`outputs` index + 1, 0 for
    /// none) and its end.
    ///
    /// Two loops: until a state with an output is reached, a step only has to look for one
    /// (no match is pending, so reaching the root ends nothing); from there on, the scan
    /// extends the pending match until it falls back to the root.
    #[inline(always)]
    fn longest_from(&self, chars: &[u32], pos: usize) -> (u32, usize) {
        let rest = chars.get(pos..).unwrap_or_default();
        let mut it = rest.iter();
        let mut s = State::ROOT;
        loop {
            let Some(&c) = it.next() else {
                return (0, pos);
            };
            s = self.step(s, self.sym(c));
            if s.out != 0 {
                break;
            }
        }
        let mut last = s.out;
        let mut last_end = chars.len() - it.as_slice().len();
        for (p, &c) in (last_end + 1..).zip(it) {
            s = self.step(s, self.sym(c));
            if s.id == ROOT {
                break;
            }
            if s.out != 0 {
                last = s.out;
                last_end = p;
            }
        }
        (last, last_end)
    }

    /// [`Automaton::leftmost`] (the same matches, in the same order, without the early
    /// stop), reading each char's symbol from the low 16 bits of `entry(code)`, and passing
    /// every char to `visit` once, in order, when the scan first reads it (a restart after
    /// a match reads some chars again; they are not passed again), so that a second per-char
    /// scan rides along. The same two phases as [`Automaton::longest_from`]; the first
    /// reads the chars read before (after a restart) in a loop of its own, so the loop over
    /// new chars needs no test for them.
    #[inline(always)]
    pub(crate) fn leftmost_visiting(
        &self,
        chars: &[u32],
        entry: impl Fn(u32) -> u32,
        mut each: impl FnMut(usize, usize, u32),
        visit: &mut impl Visit,
    ) {
        // The first char not yet visited: the chars before it are read again only after a
        // restart.
        let mut frontier = 0;
        let mut pos = 0;
        while pos < chars.len() {
            // Until a state with an output is reached, a step only has to look for one (no
            // match is pending, so reaching the root ends nothing); from there on, the scan
            // extends the pending match until it falls back to the root. The chars read again
            // after a restart first, then new chars, each visited as it is read.
            let mut s = State::ROOT;
            let mut p = pos;
            while let Some(&c) = chars.get(p)
                && p < frontier
            {
                s = self.step(s, entry(c) as u16);
                p += 1;
                if s.out != 0 {
                    break;
                }
            }
            if s.out == 0 {
                while let Some(&c) = chars.get(p) {
                    let e = entry(c);
                    visit.visit(p, e);
                    s = self.step(s, e as u16);
                    p += 1;
                    if s.out != 0 {
                        break;
                    }
                }
                frontier = p;
            }
            if s.out == 0 {
                // The end of the text, no match pending.
                break;
            }
            let (mut last, mut last_end) = (s.out, p);
            while let Some(&c) = chars.get(p) {
                let e = entry(c);
                if p >= frontier {
                    visit.visit(p, e);
                    frontier = p + 1;
                }
                s = self.step(s, e as u16);
                if s.id == ROOT {
                    break;
                }
                p += 1;
                if s.out != 0 {
                    last = s.out;
                    last_end = p;
                }
            }
            let (value, len) = self.outputs[last as usize - 1];
            each(last_end - len as usize, last_end, value);
            pos = last_end;
        }
        // None left when the scan reached the end, as it always does.
        for (p, &c) in chars.iter().enumerate().skip(frontier) {
            visit.visit(p, entry(c));
        }
    }
}

/// What sees each char of [`Automaton::leftmost_visiting`] once (a trait rather than a
/// closure, so that its step is inlined into the scan's loop).
pub(crate) trait Visit {
    /// Char `k`, whose table entry is `entry`, after chars `..k`.
    fn visit(&mut self, k: usize, entry: u32);
}

/// A state with the fields of its slot that a step reads, kept in registers from the step
/// that reached it to the next, so a transition loads one slot (its child's).
#[derive(Debug, Clone, Copy)]
struct State {
    id: u32,
    base: u32,
    fail: u32,
    /// 0: no match here; k: `outputs[k - 1]`.
    out: u32,
    /// One bit per child's symbol modulo 64 (all bits for a state out of the double array,
    /// which are not told apart): a clear bit means no child, and the step needs no probe.
    /// Only the root's children, where most steps start and most probes miss, have theirs.
    children: u64,
}

impl State {
    const ROOT: State = State {
        id: ROOT,
        base: 0,
        fail: DEAD,
        out: 0,
        children: u64::MAX,
    };

    #[inline(always)]
    fn at(id: u32, slot: &Slot) -> State {
        State {
            id,
            base: slot.base,
            fail: slot.fail,
            out: slot.out,
            children: u64::MAX,
        }
    }
}

/// The slots taken so far while laying out the double array, with a "next free slot" pointer
/// per slot (path-compressed) so that finding room skips taken runs quickly.
struct DoubleArray {
    taken: Vec<bool>,
    /// For a taken slot, a slot at or before the next free one.
    next: Vec<u32>,
}

impl DoubleArray {
    fn new() -> Self {
        DoubleArray {
            taken: Vec::new(),
            next: Vec::new(),
        }
    }

    fn len(&self) -> usize {
        self.taken.len()
    }

    fn grow(&mut self, at: u32) {
        let at = at as usize;
        if at >= self.taken.len() {
            let old = self.taken.len();
            self.taken.resize(at + 1, false);
            self.next.extend(old as u32..=at as u32);
        }
    }

    fn take(&mut self, at: u32) {
        self.grow(at);
        self.taken[at as usize] = true;
        self.next[at as usize] = at + 1;
    }

    fn is_free(&self, at: u32) -> bool {
        !self.taken.get(at as usize).copied().unwrap_or(false)
    }

    /// The first free slot at or after `at`.
    fn free_from(&mut self, at: u32) -> u32 {
        let mut p = at;
        while !self.is_free(p) {
            p = self.next[p as usize];
        }
        // Path compression.
        let mut q = at;
        while !self.is_free(q) {
            let n = self.next[q as usize];
            self.next[q as usize] = p;
            q = n;
        }
        p
    }

    /// A base such that `base + l` is free for every label (`first` is the smallest), and
    /// not below 1 for any child (slot 0 is the root).
    fn find_base(&mut self, labels: impl Iterator<Item = u32> + Clone, first: u32) -> u32 {
        let mut p = self.free_from(first.max(1));
        loop {
            let base = p - first;
            if labels.clone().all(|l| self.is_free(base + l)) {
                return base;
            }
            p = self.free_from(p + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use daachorse::{CharwiseDoubleArrayAhoCorasickBuilder, MatchKind};
    use proptest::prelude::*;

    /// Our matches as (start, end, value) in chars.
    fn ours(terms: &[String], text: &str) -> Vec<(usize, usize, u32)> {
        let a = Automaton::build(terms.iter().map(String::as_str).zip(0u32..))
            .unwrap_or_else(|_| panic!("build"));
        let chars: Vec<u32> = text.chars().map(u32::from).collect();
        let mut out = Vec::new();
        a.leftmost(&chars, |s, e, v| {
            out.push((s, e, v));
            false
        });
        out
    }

    /// daachorse's leftmost-longest matches, converted to chars.
    fn oracle(terms: &[String], text: &str) -> Vec<(usize, usize, u32)> {
        let pma = CharwiseDoubleArrayAhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build_with_values(terms.iter().zip(0u32..))
            .unwrap_or_else(|e| panic!("{e}"));
        let char_of = |b: usize| text[..b].chars().count();
        pma.leftmost_find_iter(text)
            .map(|m| (char_of(m.start()), char_of(m.end()), m.value()))
            .collect()
    }

    #[test]
    fn longest_leftmost_and_fail_outputs() {
        let terms: Vec<String> = ["abcd", "bc", "赌博", "赌", "博彩"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(ours(&terms, "abcx"), vec![(1, 3, 1)]);
        assert_eq!(ours(&terms, "abcd"), vec![(0, 4, 0)]);
        assert_eq!(ours(&terms, "赌博彩"), vec![(0, 2, 2)]);
        for text in ["abcx", "abcd", "赌博彩", "xabcbcd赌赌博"] {
            assert_eq!(ours(&terms, text), oracle(&terms, text), "{text}");
        }
    }

    #[test]
    fn astral_chars_and_unknown_chars() {
        let terms = vec!["𠀀字".to_string(), "字a".to_string()];
        assert_eq!(ours(&terms, "x𠀀字a"), oracle(&terms, "x𠀀字a"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        /// The same matches as daachorse's leftmost-longest search, on small alphabets where
        /// terms overlap, nest and share suffixes.
        #[test]
        fn agrees_with_daachorse(
            terms in proptest::collection::hash_set("[ab赌博𠀀]{1,5}", 1..12),
            text in "[abc赌博𠀀]{0,40}",
        ) {
            let terms: Vec<String> = terms.into_iter().collect();
            prop_assert_eq!(ours(&terms, &text), oracle(&terms, &text));
        }

        /// The scan with a visitor: the same matches, and every char visited once, in order,
        /// with its entry.
        #[test]
        fn visiting_sees_each_char_once(
            terms in proptest::collection::hash_set("[abcd赌博]{1,4}", 1..40),
            text in "[abcde赌博𠀀]{0,60}",
        ) {
            struct Record(Vec<(usize, u32)>);
            impl Visit for Record {
                fn visit(&mut self, k: usize, entry: u32) {
                    self.0.push((k, entry));
                }
            }
            let terms: Vec<String> = terms.into_iter().collect();
            let a = Automaton::build(terms.iter().map(String::as_str).zip(0u32..))
                .unwrap_or_else(|_| panic!("build"));
            let chars: Vec<u32> = text.chars().map(u32::from).collect();
            let mut matches = Vec::new();
            let mut seen = Record(Vec::new());
            // The entry: the symbol, and the code above it, to check what is passed.
            a.leftmost_visiting(
                &chars,
                |c| u32::from(a.sym(c)) | c << 16,
                |s, e, v| matches.push((s, e, v)),
                &mut seen,
            );
            prop_assert_eq!(matches, oracle(&terms, &text));
            let want: Vec<(usize, u32)> = chars
                .iter()
                .enumerate()
                .map(|(k, &c)| (k, u32::from(a.sym(c)) | c << 16))
                .collect();
            prop_assert_eq!(seen.0, want);
        }

        #[test]
        fn agrees_with_daachorse_many_terms(
            terms in proptest::collection::hash_set("[abcdef]{1,4}", 1..80),
            text in "[abcdefg]{0,60}",
        ) {
            let terms: Vec<String> = terms.into_iter().collect();
            prop_assert_eq!(ours(&terms, &text), oracle(&terms, &text));
        }
    }
}
