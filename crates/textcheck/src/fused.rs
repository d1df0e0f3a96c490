//! The fused scan: the dictionary automaton and the typo model's three- and four-char rule
//! in one pass over the normalised chars, instead of one pass each.
//!
//! Each normalised char is read once: one table lookup gives both its automaton symbol and
//! its syllable ([`Symbols`]); the automaton takes its step, and the typo model rolls its
//! window over the char ([`TypoModel::long_step`]) the first time the automaton reads it (a
//! restart after a match reads a few chars again). It executes 5–7 % more instructions than
//! the two passes (the loop keeps both stages' state, and some of it spills), but runs in
//! about 5 % less time: the automaton's step is a chain of dependent loads (the root's table,
//! then the double array), and the typo model's hash and filter test, which do not depend on
//! it, fill the time the processor waits for them (`docs/benchmarks.md`, "Fourth pass").
//!
//! Invariant (why it is exact): [`Automaton::leftmost_visiting`] is the automaton's
//! leftmost-longest scan ([`Automaton::leftmost`]'s two phases: the same matches in the same
//! order, tested against daachorse like it), and it hands every char to the typo model
//! exactly once, in order; `long_step` is the body of the typo model's own one-pass scan. The
//! two share no state, so interleaving them changes neither's output: the same matches and
//! typo hits, in the same order, as the two passes (tested against them on random texts,
//! `checker::tests`). It applies when the checker has an automaton and the typo model without
//! its two-character rule (which needs the runs of the text: that keeps the two passes), to
//! every scan that runs the typo model and has no early stop ([`Checker::has_finding`] keeps
//! the automaton's own scan, which stops at the first deciding match and skips the typo
//! model).
//!
//! Normalisation stays a pass of its own: stepping the automaton inside its loop cost 12 %
//! more instructions and more time, noting each char's entry there 5 % more instructions for
//! no clear gain in time (its loop already has the most state).
//!
//! [`Checker::has_finding`]: crate::Checker::has_finding

use crate::automaton::{Automaton, Visit};
use crate::normalize::Normalized;
use crate::typo::{LongScan, TypoHit, TypoModel};

/// For every char of the Basic Multilingual Plane, its automaton symbol (low 16 bits) and
/// its syllable id (high 16 bits): one load instead of two tables' for each char.
pub(crate) struct Symbols {
    table: Box<[u32; 0x10000]>,
}

impl Symbols {
    pub(crate) fn new(automaton: &Automaton, typo: &TypoModel) -> Symbols {
        let table: Box<[u32; 0x10000]> = (0..0x10000u32)
            .map(|c| u32::from(automaton.symbol(c)) | u32::from(typo.syllable(c)) << 16)
            .collect::<Vec<u32>>()
            .into_boxed_slice()
            .try_into()
            .unwrap_or_else(|_| unreachable!("0x10000 entries"));
        Symbols { table }
    }

    /// The entry of the char with code point `c`: above the BMP, its symbol and no syllable
    /// (the typo model reads none there).
    #[inline(always)]
    fn entry(&self, automaton: &Automaton, c: u32) -> u32 {
        if c < 0x10000 {
            self.table[c as usize & 0xFFFF]
        } else {
            u32::from(automaton.symbol(c))
        }
    }
}

/// The typo model's scan, riding along the automaton's.
struct TypoVisit<'a> {
    typo: &'a TypoModel,
    norm: &'a Normalized,
    long: LongScan,
    hits: &'a mut Vec<TypoHit>,
}

impl Visit for TypoVisit<'_> {
    #[inline(always)]
    fn visit(&mut self, k: usize, entry: u32) {
        self.typo.long_step(
            &mut self.long,
            self.norm,
            k,
            (entry >> 16) as u16,
            self.hits,
        );
    }
}

/// Passes the dictionary matches of `norm` to `each` (as [`Automaton::leftmost`] does,
/// without the early stop) and appends the typo model's three- and four-char hits to `hits`,
/// in one pass over the chars.
#[inline(always)]
pub(crate) fn scan(
    automaton: &Automaton,
    typo: &TypoModel,
    symbols: &Symbols,
    norm: &Normalized,
    each: impl FnMut(usize, usize, u32),
    hits: &mut Vec<TypoHit>,
) {
    let mut visit = TypoVisit {
        typo,
        norm,
        long: LongScan::default(),
        hits,
    };
    automaton.leftmost_visiting(
        norm.chars(),
        |c| symbols.entry(automaton, c),
        each,
        &mut visit,
    );
}
