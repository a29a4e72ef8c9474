//! The compiled catalog: every signal of every playbook in two multi-pattern regexes.
//!
//! - `find` (leftmost-first) runs over a whole normalised chunk and jumps to the next candidate
//!   line. Its lazy-DFA cache is raised to 32 MiB: at the default size a few hundred patterns
//!   thrash the cache and the search runs ~30x slower (measured, see /work/shared/CRATES.md).
//! - `which` (match kind `All`) runs on that one candidate line only and reports every signal that
//!   matches it.
//!
//! Every character class is rewritten to exclude `\n` before compiling (`\s`, `[^x]` would
//! otherwise let a match span lines of the chunk), so a match found in the chunk always lies
//! within one line, exactly as the per-line check sees it. Word boundaries become ASCII ones, which
//! keeps both searches on the lazy DFA (see `ascii_word_boundary`).

use regex_automata::meta::{self, Regex};
use regex_automata::{Input, MatchKind, PatternSet};
use regex_syntax::hir::{
    Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Look,
};

use crate::playbook::load::{parse_regex, patterns, Catalog, LoadError, SignalKind};
use crate::playbook::schema::Strength;

/// What one compiled pattern is.
#[derive(Debug, Clone, Copy)]
pub struct PatRef {
    /// Index of the playbook in `Catalog::entries()`.
    pub playbook: u32,
    pub kind: SignalKind,
    /// Index in the playbook's `any` / `all` / `none` list.
    pub index: u32,
    /// `none` patterns have no strength; they carry `Weak` here and are never evidence.
    pub strength: Strength,
}

/// Per playbook: its `none` window and the pattern ids of its evidence (`any` then `all`).
#[derive(Debug, Clone)]
pub struct PlaybookPats {
    pub window: u64,
    pub evidence: std::ops::Range<usize>,
}

pub struct Matcher {
    find: Regex,
    which: Regex,
    pub pats: Vec<PatRef>,
    pub playbooks: Vec<PlaybookPats>,
}

/// Reusable search state for one scanning thread.
pub struct MatchCache {
    find: meta::Cache,
    which: meta::Cache,
    set: PatternSet,
}

impl Matcher {
    /// Compile every signal of `catalog`. Patterns were validated at load time, so an error here
    /// is a size limit; it names the playbook file.
    pub fn new(catalog: &Catalog) -> Result<Matcher, LoadError> {
        let mut hirs = Vec::new();
        let mut pats = Vec::new();
        let mut playbooks = Vec::new();
        for (pi, entry) in catalog.entries().iter().enumerate() {
            let start = pats.len();
            let mut evidence_end = start;
            for (kind, index, pattern) in patterns(&entry.playbook) {
                let hir = parse_regex(pattern).map_err(|message| LoadError::Path {
                    path: entry.path.clone(),
                    message: format!("match.{}[{index}]: {message}", kind.key()),
                })?;
                hirs.push(single_line(hir));
                let strength = crate::playbook::load::signal_of(&entry.playbook, kind, index)
                    .map_or(Strength::Weak, |s| s.strength());
                pats.push(PatRef {
                    playbook: pi as u32,
                    kind,
                    index: index as u32,
                    strength,
                });
                if kind != SignalKind::None {
                    evidence_end = pats.len();
                }
            }
            playbooks.push(PlaybookPats {
                window: u64::from(entry.playbook.matcher.window),
                evidence: start..evidence_end,
            });
        }
        let build = |kind: MatchKind, cache: usize| {
            meta::Builder::new()
                .configure(
                    meta::Config::new()
                        .match_kind(kind)
                        .hybrid_cache_capacity(cache),
                )
                .build_many_from_hir(&hirs)
                .map_err(|e| LoadError::Path {
                    path: "playbook catalog".to_string(),
                    message: format!("cannot compile the catalog's signals: {e}"),
                })
        };
        let find = build(MatchKind::LeftmostFirst, 32 << 20)?;
        let which = build(MatchKind::All, 4 << 20)?;
        Ok(Matcher {
            find,
            which,
            pats,
            playbooks,
        })
    }

    pub fn cache(&self) -> MatchCache {
        MatchCache {
            find: self.find.create_cache(),
            which: self.which.create_cache(),
            set: PatternSet::new(self.pats.len()),
        }
    }

    /// The end offset of the next signal match in `hay[from..]`, if any. Only the forward DFA
    /// runs: the line of the match is all the caller needs.
    pub fn next_candidate_end(
        &self,
        cache: &mut MatchCache,
        hay: &[u8],
        from: usize,
    ) -> Option<usize> {
        let input = Input::new(hay).span(from..hay.len());
        self.find
            .search_half_with(&mut cache.find, &input)
            .map(|m| m.offset())
    }

    /// Every pattern that matches `line` (one normalised line, no `\n`), in pattern order.
    pub fn which<'c>(
        &self,
        cache: &'c mut MatchCache,
        line: &[u8],
    ) -> impl Iterator<Item = usize> + 'c {
        cache.set.clear();
        self.which.which_overlapping_matches_with(
            &mut cache.which,
            &Input::new(line),
            &mut cache.set,
        );
        cache.set.iter().map(|p| p.as_usize())
    }
}

/// Rewrite every character class of `hir` so that it cannot match `\n`.
fn single_line(hir: Hir) -> Hir {
    match hir.into_kind() {
        HirKind::Class(Class::Unicode(mut class)) => {
            class.difference(&ClassUnicode::new([ClassUnicodeRange::new('\n', '\n')]));
            Hir::class(Class::Unicode(class))
        }
        HirKind::Class(Class::Bytes(mut class)) => {
            class.difference(&ClassBytes::new([ClassBytesRange::new(b'\n', b'\n')]));
            Hir::class(Class::Bytes(class))
        }
        HirKind::Repetition(mut rep) => {
            rep.sub = Box::new(single_line(*rep.sub));
            Hir::repetition(rep)
        }
        HirKind::Capture(mut cap) => {
            cap.sub = Box::new(single_line(*cap.sub));
            Hir::capture(cap)
        }
        HirKind::Concat(subs) => Hir::concat(subs.into_iter().map(single_line).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.into_iter().map(single_line).collect()),
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(lit) => Hir::literal(lit.0),
        HirKind::Look(look) => Hir::look(ascii_word_boundary(look)),
    }
}

/// Unicode word boundaries make the lazy DFA give up at the first non-ASCII byte (`×`, `╰─>` in
/// pip's output), and the fallback engines are orders of magnitude slower and hungrier. Log text
/// around a boundary is ASCII in practice, so `\b` means an ASCII word boundary here.
fn ascii_word_boundary(look: Look) -> Look {
    match look {
        Look::WordUnicode => Look::WordAscii,
        Look::WordUnicodeNegate => Look::WordAsciiNegate,
        Look::WordStartUnicode => Look::WordStartAscii,
        Look::WordEndUnicode => Look::WordEndAscii,
        Look::WordStartHalfUnicode => Look::WordStartHalfAscii,
        Look::WordEndHalfUnicode => Look::WordEndHalfAscii,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_never_cross_lines() {
        let hir = single_line(parse_regex(r"error:\s*externally[^x]+managed").expect("valid"));
        let re = Regex::builder().build_from_hir(&hir).expect("compiles");
        assert!(re.is_match("ERROR:  externally - managed"));
        assert!(!re.is_match("error:\nexternally managed"));
        assert!(!re.is_match("error: externally\nmanaged"));
    }
}
