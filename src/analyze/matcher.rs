//! The compiled catalog: every signal of every playbook, searched in two stages.
//!
//! - `find`: the Aho-Corasick automaton over the signals' required literals runs over a whole
//!   normalised chunk and jumps to the next line holding one of them; the few signals without a
//!   required literal get a lazy DFA of their own, searched alongside. (One lazy DFA over every
//!   signal did this until the catalog passed a thousand signals: on dense logs it spent its time
//!   building states, each an epsilon closure over the whole NFA, at 0.1 MB/s.)
//! - `which`: on that one line, the same Aho-Corasick automaton names the few signals that can
//!   match, and each of those runs alone in its own lazy DFA: anchored at each occurrence of its
//!   literal when every match starts with one (the search stops as soon as the signal cannot
//!   match), else from the start of the line. A typical line costs one or two such searches.
//!
//! A signal's lazy DFA is compiled the first time the signal is a candidate, so a log only pays
//! (in time and memory) for the signals its lines come near: the catalog loads in a few
//! milliseconds and a noisy log compiles a handful of signals. One small DFA per signal, rather
//! than one over the whole catalog, also keeps each DFA state small (a signal's alphabet has a few
//! dozen byte classes, the catalog's has hundreds), so the states a dense log needs fit in a few
//! megabytes. (One multi-pattern DFA needed 39 MB of states for the fixtures' failure text, and
//! thrashed its cache at 8 MB.)
//!
//! Those DFAs are compiled from an *ASCII view* of each signal: a Unicode class keeps its ASCII
//! part, and its non-ASCII part, if any, becomes "any non-ASCII character". On ASCII text that
//! is the same language; the DFAs stay small (Unicode `\w`, `\d`, `\s` and case folding otherwise
//! multiply the states), and the view only ever matches more. When a line holds non-ASCII text
//! and a signal whose view differs from it matched, a lazy DFA of the exact signal (also compiled
//! on first use) confirms it.
//!
//! Memory is bounded whatever the input: each lazy DFA's cache has a fixed capacity and never gives
//! up (when full it is cleared and the search goes on, so no slower engine takes over), and the
//! caches of one scan together stay within `SIGNALS_BUDGET` (past it they are all dropped and
//! made again as needed). Caches are created once per scanning thread (`Matcher::cache`) and
//! reused for every line; nothing is allocated per line.
//!
//! Every character class is rewritten to exclude `\n` before compiling (`\s`, `[^x]` would
//! otherwise let a match span lines of the chunk), so a match found in the chunk always lies
//! within one line, exactly as the per-line check sees it. Word boundaries become ASCII ones (see
//! `ascii_word_boundary`).

use std::sync::{Mutex, OnceLock};

use aho_corasick::AhoCorasick;
use regex_automata::hybrid::dfa::{self, DFA};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::{Anchored, Input, MatchKind};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{
    Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Look,
};

use crate::playbook::load::{parse_regex, patterns, Catalog, LoadError, SignalKind};
use crate::playbook::schema::Strength;

/// Longest required literal searched (longer ones are cut).
const LITERAL_MAX: usize = 16;
/// Lazy-DFA cache of the `find` stage: the signals without a required literal (one in the bundled
/// catalog, whose states take about 50 KB on the fixtures' text). Well below the capacity, a
/// multi-pattern DFA thrashes and runs ~30x slower (see /work/shared/CRATES.md).
const FIND_CACHE: usize = 4 << 20;
/// Capacity of each signal's own lazy-DFA cache: past it, that cache is cleared and goes on.
const SIGNAL_CACHE: usize = 1 << 20;
/// What the signals' caches of one scan may hold together (as they report it; the allocator's
/// slack can add up to as much again). The fixtures' failure text, every playbook's, needs about
/// a quarter of it.
const SIGNALS_BUDGET: usize = 16 << 20;

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

/// Where a signal's required literals sit in its matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LitSide {
    /// Every match starts with one of them: the search may start at the first occurrence.
    Prefix,
    /// Every match contains one of them (a suffix, or the prefix of a part of the signal).
    Inside,
}

/// One signal, compiled on first use.
struct Signal {
    /// The pattern as the playbook writes it (parsed again when a DFA is compiled).
    pattern: Box<str>,
    /// Every match starts at the start of the line (`^…`, or alternatives that all do): a
    /// search from the line's start is anchored there, and gives up at the first byte that
    /// cannot begin a match instead of reading the line to its end.
    at_line_start: bool,
    /// Its exact form differs from its ASCII view (see the module docs).
    differs: bool,
    /// It ignores ASCII case: its view is compiled for lowercase text and searches the line
    /// ASCII-lowercased (half the byte classes, so DFA states take half the memory).
    folded: bool,
    /// The lazy DFA of the ASCII view, and of the exact form (`None`: it did not compile, which
    /// a pattern that passed the catalog's checks never does).
    view: OnceLock<Option<DFA>>,
    exact: OnceLock<Option<DFA>>,
}

pub struct Matcher {
    /// The signals without a required literal, as one lazy DFA (`None`: every signal has one).
    find: Option<DFA>,
    signals: Vec<Signal>,
    /// Every distinct required literal (ASCII-lowercased) of every signal.
    literals: AhoCorasick,
    /// Per literal: the signals that require it (one of theirs), and where.
    literal_pats: Vec<Vec<(u32, LitSide)>>,
    /// Signals without a usable literal: a candidate on every line.
    always: Vec<u32>,
    /// Caches of finished scans, warm for the next log (`eval`, the fuzzer): at most one per scan
    /// that ran at the same time.
    pool: Mutex<Vec<MatchCache>>,
    pub pats: Vec<PatRef>,
    pub playbooks: Vec<PlaybookPats>,
}

/// Reusable search state for one scanning thread.
pub struct MatchCache {
    find: Option<dfa::Cache>,
    /// The last search of `find`: the haystack (address, length), where it started and what it
    /// found. A later search of the same haystack from a point before that match (or after the
    /// start, when there was none) reuses it: otherwise each candidate line would search to the
    /// end of the chunk again.
    bare: Option<((usize, usize), usize, Option<usize>)>,
    /// Per signal `p`: the caches of its view (`2p`) and exact (`2p + 1`) DFAs, made on first use.
    signal: Vec<Option<dfa::Cache>>,
    /// Per cache above: the most memory it reported (its buffers keep that capacity); their sum.
    held: Vec<u32>,
    held_total: usize,
    budget: usize,
    /// How many times the budget was reached.
    drops: u32,
    /// Per signal: the line number (`generation`) it was last made a candidate on.
    stamp: Vec<u32>,
    generation: u32,
    /// The candidates of the line searched from its start, and the (signal, offset) of each
    /// occurrence of a literal that starts a signal's matches.
    candidates: Vec<u32>,
    occurrences: Vec<(u32, u32)>,
    found: Vec<usize>,
    /// The line being matched, ASCII-lowercased (for the `folded` signals).
    lower: Vec<u8>,
    /// The line being matched with `ſ` and `K` folded to `s` and `k` (for its literals).
    folded: Vec<u8>,
    /// This cache searches the signals `p % parts == part` (see `share`).
    part: u32,
    parts: u32,
}

impl MatchCache {
    /// Make this cache search only the signals `p` with `p % parts == part`: `parts` finders
    /// share the signals, and the memory budget with them, instead of each holding all of them.
    pub fn share(&mut self, part: usize, parts: usize) {
        self.part = part as u32;
        self.parts = parts.max(1) as u32;
        self.budget = SIGNALS_BUDGET / parts.max(1);
    }

    fn owns(&self, p: u32) -> bool {
        self.parts <= 1 || p % self.parts == self.part
    }

    /// Forget what was found in the last haystack (the next search is of new text).
    pub fn new_haystack(&mut self) {
        self.bare = None;
    }

    /// Make signal `p` a candidate of the line (`generation`) for a search from its start.
    fn mark(&mut self, p: u32, generation: u32) {
        let i = p as usize;
        if self.stamp[i] != generation && self.owns(p) {
            self.stamp[i] = generation;
            self.candidates.push(p);
        }
    }

    /// Search `line[from..]` with `dfa` (for a match starting at `from` when `anchored`), whose
    /// cache is `slot`; keeps every cache of the scan within the budget.
    fn search(&mut self, slot: usize, dfa: &DFA, line: &[u8], from: usize, anchored: bool) -> bool {
        let cache = self.signal[slot].get_or_insert_with(|| dfa.create_cache());
        let input = Input::new(line)
            .span(from..line.len())
            .anchored(if anchored {
                Anchored::Yes
            } else {
                Anchored::No
            })
            .earliest(true);
        // The DFA has no quit bytes and never gives up, so the search cannot fail.
        let hit = matches!(dfa.try_search_fwd(cache, &input), Ok(Some(_)));
        let used = cache.memory_usage();
        let held = &mut self.held[slot];
        if used > *held as usize {
            self.held_total += used - *held as usize;
            *held = used as u32;
            if self.held_total > self.budget {
                self.signal.iter_mut().for_each(|c| *c = None);
                self.held.iter_mut().for_each(|h| *h = 0);
                self.held_total = 0;
                self.drops += 1;
            }
        }
        hit
    }
}

impl Matcher {
    /// Read every signal of `catalog`, and compile the literal-less ones (the others compile on
    /// first use). Patterns were validated at load time; an error here names the playbook file.
    pub fn new(catalog: &Catalog) -> Result<Matcher, LoadError> {
        let mut sources = Vec::new();
        let mut pats = Vec::new();
        let mut playbooks = Vec::new();
        for (pi, entry) in catalog.entries().iter().enumerate() {
            let start = pats.len();
            let mut evidence_end = start;
            for (kind, index, pattern) in patterns(&entry.playbook) {
                sources.push((entry.path.as_str(), kind, index, pattern));
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
        Matcher::from_patterns(&sources, pats, playbooks)
    }

    /// `sources`: per signal, the playbook's path, where the pattern sits in it, and the pattern.
    fn from_patterns(
        sources: &[(&str, SignalKind, usize, &str)],
        pats: Vec<PatRef>,
        playbooks: Vec<PlaybookPats>,
    ) -> Result<Matcher, LoadError> {
        let too_big = |e: &dyn std::fmt::Display| LoadError::Path {
            path: "playbook catalog".to_string(),
            message: format!("cannot compile the catalog's signals: {e}"),
        };
        let mut signals = Vec::with_capacity(sources.len());
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut literal_pats: Vec<Vec<(u32, LitSide)>> = Vec::new();
        let mut index = std::collections::HashMap::new();
        let mut always = Vec::new();
        let mut without_literals = Vec::new();
        // Each signal on its own (a Unicode signal's classes are large: only the literals, the
        // pattern and, for the literal-less ones, the small ASCII view are kept), on every core:
        // this is most of `analyze`'s start-up.
        let prepared = prepare_all(sources);
        for (p, prepared) in prepared.into_iter().enumerate() {
            let (signal, literals_of) = prepared?;
            signals.push(signal);
            let (side, lits) = match literals_of {
                Ok(found) => found,
                Err(view) => {
                    always.push(p as u32);
                    without_literals.push(view);
                    continue;
                }
            };
            for lit in lits {
                let i = *index.entry(lit.clone()).or_insert_with(|| {
                    literals.push(lit);
                    literal_pats.push(Vec::new());
                    literals.len() - 1
                });
                literal_pats[i].push((p as u32, side));
            }
        }
        // After the literals, `ſ` and `K` (see `ODD_FOLDS`): a line holding one is a candidate.
        literals.extend(ODD_FOLDS.iter().map(|&(c, _)| c.to_string().into_bytes()));
        let literals = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&literals)
            .map_err(|e| too_big(&e))?;
        let find = if always.is_empty() {
            None
        } else {
            let nfa = thompson::Compiler::new()
                .configure(nfa_config())
                .build_many_from_hir(&without_literals)
                .map_err(|e| too_big(&e))?;
            Some(lazy_dfa(nfa, FIND_CACHE).map_err(|e| too_big(&e))?)
        };
        Ok(Matcher {
            find,
            signals,
            literals,
            literal_pats,
            always,
            pool: Mutex::new(Vec::new()),
            pats,
            playbooks,
        })
    }

    /// A matcher with no signals: the scan's structure alone.
    #[cfg(test)]
    pub(crate) fn empty() -> Matcher {
        Matcher::from_patterns(&[], Vec::new(), Vec::new()).expect("no signals compile")
    }

    /// A cache from the pool, or a new one.
    pub fn take_cache(&self) -> MatchCache {
        let pooled = self.pool.lock().ok().and_then(|mut p| p.pop());
        pooled.unwrap_or_else(|| self.cache())
    }

    /// Return a cache taken with `take_cache` (searching every signal again).
    pub fn give_back(&self, mut cache: MatchCache) {
        cache.share(0, 1);
        if let Ok(mut pool) = self.pool.lock() {
            pool.push(cache);
        }
    }

    pub fn cache(&self) -> MatchCache {
        let n = self.pats.len();
        MatchCache {
            find: self.find.as_ref().map(DFA::create_cache),
            bare: None,
            signal: (0..2 * n).map(|_| None).collect(),
            held: vec![0; 2 * n],
            held_total: 0,
            budget: SIGNALS_BUDGET,
            drops: 0,
            stamp: vec![0; n],
            generation: 0,
            candidates: Vec::new(),
            occurrences: Vec::new(),
            found: Vec::new(),
            lower: Vec::new(),
            folded: Vec::new(),
            part: 0,
            parts: 1,
        }
    }

    /// An offset on the next candidate line of `hay[from..]`, if any: the end of the first
    /// required literal, or of the first match of a signal without one. Every match holds one of
    /// these within its line, so no line before it holds a match (the line itself may not).
    pub fn next_candidate_end(
        &self,
        cache: &mut MatchCache,
        hay: &[u8],
        from: usize,
    ) -> Option<usize> {
        // The first required literal ends on a candidate line; so does the first match of a
        // signal without one. Literals hold no `\n`, so the line of a literal's end is its line.
        let literal = self
            .literals
            .find(aho_corasick::Input::new(hay).span(from..hay.len()))
            .map(|m| m.end());
        let key = (hay.as_ptr() as usize, hay.len());
        let bare = match (&self.find, cache.find.as_mut()) {
            (Some(dfa), Some(c)) => match cache.bare {
                Some((k, start, found))
                    if k == key && start <= from && found.is_none_or(|f| f >= from) =>
                {
                    found
                }
                _ => {
                    let input = Input::new(hay).span(from..hay.len()).earliest(true);
                    // The DFA has no quit bytes and never gives up, so the search cannot fail.
                    let found = dfa
                        .try_search_fwd(c, &input)
                        .ok()
                        .flatten()
                        .map(|m| m.offset());
                    cache.bare = Some((key, from, found));
                    found
                }
            },
            _ => None,
        };
        match (literal, bare) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Every pattern that matches `line` (one normalised line, no `\n`), in pattern order.
    pub fn which<'c>(
        &self,
        cache: &'c mut MatchCache,
        line: &[u8],
    ) -> impl Iterator<Item = usize> + 'c {
        self.which_of(cache, line, true)
    }

    /// [`which`](Self::which) for the line `hay[line]` (its end is the `\n` or the end of `hay`)
    /// that [`next_candidate_end`](Self::next_candidate_end) found in `hay`. The search for the
    /// literal-less signals that it ran says whether any of them matches there: when its first
    /// match ends past the line, none is searched again (on a log where every line holds a
    /// literal, that is one search less per line).
    pub fn which_on<'c>(
        &self,
        cache: &'c mut MatchCache,
        hay: &[u8],
        line: std::ops::Range<usize>,
    ) -> impl Iterator<Item = usize> + 'c {
        let key = (hay.as_ptr() as usize, hay.len());
        let bare = match cache.bare {
            // The search began at or before the line: its first match end is the first of any
            // literal-less signal's matches from there (matches never span lines).
            Some((k, start, found)) if k == key && start <= line.start => {
                found.is_some_and(|f| f <= line.end)
            }
            _ => true,
        };
        self.which_of(cache, &hay[line], bare)
    }

    fn which_of<'c>(
        &self,
        cache: &'c mut MatchCache,
        line: &[u8],
        bare: bool,
    ) -> impl Iterator<Item = usize> + 'c {
        cache.found.clear();
        cache.candidates.clear();
        cache.generation = cache.generation.wrapping_add(1);
        if cache.generation == 0 {
            cache.stamp.iter_mut().for_each(|s| *s = 0);
            cache.generation = 1;
        }
        let generation = cache.generation;
        let mut occurrences = std::mem::take(&mut cache.occurrences);
        occurrences.clear();
        let mut odd = false;
        for m in self.literals.find_overlapping_iter(line) {
            let Some(pats) = self.literal_pats.get(m.pattern().as_usize()) else {
                odd = true; // `ſ` or `K`
                continue;
            };
            for &(p, side) in pats {
                match side {
                    LitSide::Prefix if cache.owns(p) => occurrences.push((p, m.start() as u32)),
                    LitSide::Prefix => {}
                    LitSide::Inside => cache.mark(p, generation),
                }
            }
        }
        if odd {
            // The literals are ASCII: search the line again with `ſ` and `K` folded, and take
            // the signals found there as candidates anywhere on the line (offsets moved).
            let mut folded = std::mem::take(&mut cache.folded);
            folded.clear();
            fold_odd_letters(line, &mut folded);
            for m in self.literals.find_overlapping_iter(&folded[..]) {
                for &(p, _) in self
                    .literal_pats
                    .get(m.pattern().as_usize())
                    .into_iter()
                    .flatten()
                {
                    cache.mark(p, generation);
                }
            }
            cache.folded = folded;
        }
        if bare {
            for &p in &self.always {
                cache.mark(p, generation);
            }
        }
        occurrences.sort_unstable();
        occurrences.dedup();
        let mut line = Line {
            text: line,
            lower: std::mem::take(&mut cache.lower),
            ascii: None,
        };
        line.lower.clear();
        // Signals whose every match starts with one of their literals: an anchored search at
        // each occurrence, in order (it stops where the signal can no longer match, rather than
        // at the end of the line).
        for group in occurrences.chunk_by(|a, b| a.0 == b.0) {
            let p = group[0].0 as usize;
            let starts = group.iter().map(|&(_, at)| at as usize);
            if self.matches(cache, &mut line, p, starts, true) {
                cache.found.push(p);
            }
        }
        // The others: one search from the start of the line.
        for ci in 0..cache.candidates.len() {
            let p = cache.candidates[ci] as usize;
            let anchored = self.signals[p].at_line_start;
            if self.matches(cache, &mut line, p, std::iter::once(0), anchored) {
                cache.found.push(p);
            }
        }
        cache.lower = line.lower;
        cache.occurrences = occurrences;
        cache.found.sort_unstable();
        cache.found.dedup(); // on a line with `ſ` or `K`, a signal can be searched both ways
        cache.found.iter().copied()
    }

    /// Whether signal `p` matches the line: its view from one of `starts` (each an anchored
    /// search when `anchored`), then, when the line holds non-ASCII text and the view differs
    /// from the signal, the exact signal from the first of them.
    fn matches(
        &self,
        cache: &mut MatchCache,
        line: &mut Line<'_>,
        p: usize,
        mut starts: impl Iterator<Item = usize> + Clone,
        anchored: bool,
    ) -> bool {
        let signal = &self.signals[p];
        let Some(view) = signal.dfa(false) else {
            return false;
        };
        let text = if signal.folded {
            if line.lower.is_empty() {
                line.lower
                    .extend(line.text.iter().map(u8::to_ascii_lowercase));
            }
            &line.lower[..]
        } else {
            line.text
        };
        let first = starts.clone().next().unwrap_or(0);
        if !starts.any(|at| cache.search(2 * p, view, text, at, anchored)) {
            return false;
        }
        if signal.differs && !*line.ascii.get_or_insert_with(|| line.text.is_ascii()) {
            // The exact form has the same required literals: its matches start at or after the
            // first. Should it not compile, the view's word stands.
            if let Some(exact) = signal.dfa(true) {
                return cache.search(2 * p + 1, exact, line.text, first, false);
            }
        }
        true
    }
}

/// The line `which` is matching, and what it learnt about it.
struct Line<'a> {
    text: &'a [u8],
    /// `text` ASCII-lowercased, once a `folded` signal needs it (empty until then).
    lower: Vec<u8>,
    /// Whether `text` is all ASCII, once known.
    ascii: Option<bool>,
}

impl Signal {
    /// The lazy DFA of the exact form or of the ASCII view, compiled on first use.
    fn dfa(&self, exact: bool) -> Option<&DFA> {
        let cell = if exact { &self.exact } else { &self.view };
        cell.get_or_init(|| {
            let hir = single_line(parse_regex(&self.pattern).ok()?);
            let hir = match (exact, self.folded) {
                (true, _) => hir,
                (false, false) => ascii_view(hir),
                (false, true) => without_upper(ascii_view(hir)),
            };
            let nfa = thompson::Compiler::new()
                .configure(nfa_config())
                .build_from_hir(&hir)
                .ok()?;
            lazy_dfa(nfa, SIGNAL_CACHE).ok()
        })
        .as_ref()
    }
}

fn nfa_config() -> thompson::Config {
    thompson::Config::new()
        .which_captures(WhichCaptures::None)
        .utf8(false)
}

/// A lazy DFA (anchored and unanchored searches) whose cache holds at most `capacity` bytes of
/// states.
fn lazy_dfa(nfa: thompson::NFA, capacity: usize) -> Result<DFA, String> {
    DFA::builder()
        .configure(
            DFA::config()
                .match_kind(MatchKind::LeftmostFirst)
                .cache_capacity(capacity)
                .skip_cache_capacity_check(true)
                // Never give up on a busy cache: clear it and go on (bounded memory, and no
                // fallback to a slower engine).
                .minimum_cache_clear_count(None)
                .minimum_bytes_per_state(None),
        )
        .build_from_nfa(nfa)
        .map_err(|e| e.to_string())
}

/// The literals one of which every match of `hir` holds, lowercased and deduplicated; `None`
/// when there is no such finite set of non-empty literals. The prefixes of the signal, its
/// suffixes, or the prefixes of one part of a signal that is a sequence (`(^|\s)FAIL\s+…`),
/// whichever has the longest shortest literal (each cut to `LITERAL_MAX` bytes), then the fewest.
fn required_literals(hir: &Hir) -> Option<(LitSide, Vec<Vec<u8>>)> {
    // The literals are searched ignoring ASCII case, so `[Ee]` can be the literal `e`: literals
    // stay long instead of being cut where their case variants exceed the extractor's limits.
    let folded = fold_ascii_case(hir.clone());
    let hir = &folded;
    let mut tries = vec![
        (ExtractKind::Prefix, LitSide::Prefix, hir),
        (ExtractKind::Suffix, LitSide::Inside, hir),
    ];
    let mut top = hir;
    while let HirKind::Capture(cap) = top.kind() {
        top = &cap.sub;
    }
    if let HirKind::Concat(parts) = top.kind() {
        tries.extend(
            parts
                .iter()
                .map(|p| (ExtractKind::Prefix, LitSide::Inside, p)),
        );
    }
    let mut best: Option<(usize, LitSide, Vec<Vec<u8>>)> = None;
    for (kind, side, hir) in tries {
        let seq = Extractor::new().kind(kind).extract(hir);
        let Some(lits) = seq.literals() else { continue };
        // A literal's first bytes are as required as the literal, and a short one is as
        // selective on log lines: long ones only make the automaton larger and slower to build.
        let mut lits: Vec<Vec<u8>> = lits
            .iter()
            .map(|l| l.as_bytes()[..l.len().min(LITERAL_MAX)].to_ascii_lowercase())
            .collect();
        lits.sort();
        lits.dedup();
        let shortest = lits.iter().map(Vec::len).min().unwrap_or(0);
        if shortest == 0 {
            continue;
        }
        // Cut to `LITERAL_MAX`, several choices often tie: the fewer literals, the better.
        if best
            .as_ref()
            .is_none_or(|b| shortest > b.0 || (shortest == b.0 && lits.len() < b.2.len()))
        {
            best = Some((shortest, side, lits));
        }
    }
    best.map(|(_, side, lits)| (side, lits))
}

/// The two non-ASCII letters that simple case folding maps to ASCII ones: `ſ` (long s) and `K`
/// (Kelvin sign) match `s` and `k` in case-insensitive signals.
const ODD_FOLDS: [(char, u8); 2] = [('\u{17F}', b's'), ('\u{212A}', b'k')];

/// `line` with `ſ` and `K` replaced by `s` and `k`, into `out`.
fn fold_odd_letters(line: &[u8], out: &mut Vec<u8>) {
    let mut rest = line;
    while !rest.is_empty() {
        let odd = ODD_FOLDS.iter().find_map(|&(c, ascii)| {
            let mut buf = [0; 4];
            let bytes = c.encode_utf8(&mut buf).as_bytes();
            rest.starts_with(bytes).then_some((bytes.len(), ascii))
        });
        match odd {
            Some((len, ascii)) => {
                out.push(ascii);
                rest = &rest[len..];
            }
            None => {
                out.push(rest[0]);
                rest = &rest[1..];
            }
        }
    }
}

/// `hir` with each class that is exactly one ASCII letter in both cases (`[Ee]`, as case-insensitive
/// signals are compiled; `[Ssſ]` and `[KkK]` too) replaced by that letter in lower case. Only for
/// literal extraction.
fn fold_ascii_case(hir: Hir) -> Hir {
    match hir.into_kind() {
        HirKind::Class(Class::Unicode(class)) => {
            let r = class.ranges();
            // `s` and `k` also fold to `ſ` and `K` (Kelvin): left out here, so that literals stay
            // ASCII (with them, each `s` or `k` tripled the variants, and the extractor cut
            // ` issues` down to ` i`); lines holding them are searched folded (`which_of`).
            let letters: Vec<char> = if r.len() <= 3 && r.iter().all(|x| x.start() == x.end()) {
                r.iter()
                    .map(|x| x.start())
                    .filter(|&c| !ODD_FOLDS.iter().any(|&(odd, _)| odd == c))
                    .collect()
            } else {
                Vec::new()
            };
            let letter = match letters[..] {
                [up, low] => {
                    (up.is_ascii_uppercase() && low == up.to_ascii_lowercase()).then_some(low)
                }
                _ => None,
            };
            match letter {
                Some(c) => Hir::literal(c.to_string().into_bytes()),
                None => Hir::class(Class::Unicode(class)),
            }
        }
        HirKind::Class(class) => Hir::class(class),
        HirKind::Repetition(mut rep) => {
            rep.sub = Box::new(fold_ascii_case(*rep.sub));
            Hir::repetition(rep)
        }
        HirKind::Capture(mut cap) => {
            cap.sub = Box::new(fold_ascii_case(*cap.sub));
            Hir::capture(cap)
        }
        HirKind::Concat(subs) => Hir::concat(subs.into_iter().map(fold_ascii_case).collect()),
        HirKind::Alternation(subs) => {
            Hir::alternation(subs.into_iter().map(fold_ascii_case).collect())
        }
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(lit) => Hir::literal(lit.0),
        HirKind::Look(look) => Hir::look(look),
    }
}

/// Whether `hir` ignores ASCII case: wherever it accepts an ASCII letter, it accepts the letter
/// in the other case too (as signals do, unless they turn case sensitivity on with `(?-i)`).
fn ascii_case_closed(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => (b'a'..=b'z').all(|c| {
            let has = |c: u8| {
                let c = char::from(c);
                class.iter().any(|r| r.start() <= c && c <= r.end())
            };
            has(c) == has(c.to_ascii_uppercase())
        }),
        HirKind::Class(Class::Bytes(class)) => (b'a'..=b'z').all(|c| {
            let has = |c: u8| class.iter().any(|r| r.start() <= c && c <= r.end());
            has(c) == has(c.to_ascii_uppercase())
        }),
        HirKind::Literal(lit) => !lit.0.iter().any(u8::is_ascii_alphabetic),
        HirKind::Repetition(rep) => ascii_case_closed(&rep.sub),
        HirKind::Capture(cap) => ascii_case_closed(&cap.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs.iter().all(ascii_case_closed),
        HirKind::Empty | HirKind::Look(_) => true,
    }
}

/// `hir` without the ASCII capital letters: for a signal that ignores ASCII case
/// (`ascii_case_closed`), the same language on ASCII-lowercased text.
fn without_upper(hir: Hir) -> Hir {
    match hir.into_kind() {
        HirKind::Class(Class::Unicode(mut class)) => {
            class.difference(&ClassUnicode::new([ClassUnicodeRange::new('A', 'Z')]));
            Hir::class(Class::Unicode(ClassUnicode::new(class.iter().copied())))
        }
        HirKind::Class(Class::Bytes(mut class)) => {
            class.difference(&ClassBytes::new([ClassBytesRange::new(b'A', b'Z')]));
            Hir::class(Class::Bytes(class))
        }
        HirKind::Repetition(mut rep) => {
            rep.sub = Box::new(without_upper(*rep.sub));
            Hir::repetition(rep)
        }
        HirKind::Capture(mut cap) => {
            cap.sub = Box::new(without_upper(*cap.sub));
            Hir::capture(cap)
        }
        HirKind::Concat(subs) => Hir::concat(subs.into_iter().map(without_upper).collect()),
        HirKind::Alternation(subs) => {
            Hir::alternation(subs.into_iter().map(without_upper).collect())
        }
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(lit) => Hir::literal(lit.0),
        HirKind::Look(look) => Hir::look(look),
    }
}

/// The ASCII view of a signal: each Unicode class keeps its ASCII part, and its non-ASCII part
/// becomes every non-ASCII character. Same language on ASCII text, a superset elsewhere.
fn ascii_view(hir: Hir) -> Hir {
    match hir.into_kind() {
        HirKind::Class(Class::Unicode(class)) => {
            let wide = class.ranges().iter().any(|r| r.end() > '\x7f');
            let mut view = class;
            view.intersect(&ClassUnicode::new([ClassUnicodeRange::new('\0', '\x7f')]));
            if wide {
                view.union(&ClassUnicode::new([ClassUnicodeRange::new(
                    '\u{80}',
                    '\u{10FFFF}',
                )]));
            }
            // Set operations keep the vector of the larger class: copy the few ranges left.
            Hir::class(Class::Unicode(ClassUnicode::new(view.iter().copied())))
        }
        HirKind::Class(class) => Hir::class(class),
        HirKind::Repetition(mut rep) => {
            rep.sub = Box::new(ascii_view(*rep.sub));
            Hir::repetition(rep)
        }
        HirKind::Capture(mut cap) => {
            cap.sub = Box::new(ascii_view(*cap.sub));
            Hir::capture(cap)
        }
        HirKind::Concat(subs) => Hir::concat(subs.into_iter().map(ascii_view).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.into_iter().map(ascii_view).collect()),
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(lit) => Hir::literal(lit.0),
        HirKind::Look(look) => Hir::look(look),
    }
}

/// A signal read for the matcher, and its required literals (or, without any, its ASCII view).
type Prepared = (Signal, Result<(LitSide, Vec<Vec<u8>>), Hir>);

/// [`prepare`] for every signal, in order, split over the machine's cores.
fn prepare_all(sources: &[(&str, SignalKind, usize, &str)]) -> Vec<Result<Prepared, LoadError>> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let per = sources.len().div_ceil(cores).max(64);
    if sources.len() <= per {
        return sources.iter().map(prepare).collect();
    }
    std::thread::scope(|scope| {
        let parts: Vec<_> = sources
            .chunks(per)
            .map(|part| scope.spawn(move || part.iter().map(prepare).collect::<Vec<_>>()))
            .collect();
        let mut out = Vec::with_capacity(sources.len());
        for (part, handle) in sources.chunks(per).zip(parts) {
            match handle.join() {
                Ok(done) => out.extend(done),
                // A panic in a worker: do its part here (and panic here, if it must).
                Err(_) => out.extend(part.iter().map(prepare)),
            }
        }
        out
    })
}

fn prepare(
    &(path, kind, at, pattern): &(&str, SignalKind, usize, &str),
) -> Result<Prepared, LoadError> {
    let hir = parse_regex(pattern).map_err(|message| LoadError::Path {
        path: path.to_string(),
        message: format!("match.{}[{at}]: {message}", kind.key()),
    })?;
    let hir = single_line(hir);
    let view = ascii_view(hir.clone());
    let signal = Signal {
        pattern: pattern.into(),
        at_line_start: at_line_start(&hir),
        differs: hir != view,
        folded: ascii_case_closed(&view),
        view: OnceLock::new(),
        exact: OnceLock::new(),
    };
    // Required literals come from the exact signal: they hold for its matches on any text.
    Ok((signal, required_literals(&hir).ok_or(view)))
}

/// Whether every match of `hir` starts at the start of a line (or of the text).
fn at_line_start(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Look(look) => matches!(look, Look::Start | Look::StartLF | Look::StartCRLF),
        HirKind::Capture(cap) => at_line_start(&cap.sub),
        HirKind::Concat(subs) => subs.first().is_some_and(at_line_start),
        HirKind::Alternation(subs) => subs.iter().all(at_line_start),
        _ => false,
    }
}

/// Rewrite every character class of `hir` so that it cannot match `\n`.
fn single_line(hir: Hir) -> Hir {
    match hir.into_kind() {
        HirKind::Class(Class::Unicode(mut class)) => {
            class.difference(&ClassUnicode::new([ClassUnicodeRange::new('\n', '\n')]));
            Hir::class(Class::Unicode(ClassUnicode::new(class.iter().copied())))
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
    use regex_automata::meta::Regex;

    #[test]
    fn line_start_anchors_are_recognised() {
        let yes = [
            r"^\d+ issues?:",
            r"(^ERROR|^FAIL) x",
            r"^(a|b)",
            r"(?m)^\s*x$",
        ];
        let no = [r"(^|\s)FAIL", r"x^", r"\d+ issues?", r"^a|b"];
        for (want, patterns) in [(true, &yes[..]), (false, &no[..])] {
            for p in patterns {
                let hir = single_line(parse_regex(p).expect("valid"));
                assert_eq!(at_line_start(&hir), want, "{p}");
            }
        }
    }

    #[test]
    fn classes_never_cross_lines() {
        let hir = single_line(parse_regex(r"error:\s*externally[^x]+managed").expect("valid"));
        let re = Regex::builder().build_from_hir(&hir).expect("compiles");
        assert!(re.is_match("ERROR:  externally - managed"));
        assert!(!re.is_match("error:\nexternally managed"));
        assert!(!re.is_match("error: externally\nmanaged"));
    }

    /// The two-stage search names exactly the signals that match each line, as each signal's own
    /// exact regex sees it: on every fixture line, and on lines where the ASCII view and the exact
    /// signal differ (non-ASCII spaces, digits, letters, case folding).
    #[test]
    fn which_is_every_signal_that_matches() {
        let catalog = crate::playbook::load::bundled_catalog().expect("bundled catalog");
        let matcher = Matcher::new(catalog).expect("compiles");
        let mut reference = Vec::new();
        for entry in catalog.entries() {
            for (_, _, p) in patterns(&entry.playbook) {
                let hir = single_line(parse_regex(p).expect("valid"));
                reference.push(Regex::builder().build_from_hir(&hir).expect("compiles"));
            }
        }
        let mut lines: Vec<Vec<u8>> = Vec::new();
        let (mut scratch, mut markers) = (Vec::new(), Vec::new());
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/analyze");
        for dir in std::fs::read_dir(root).expect("fixtures") {
            let Ok(files) = std::fs::read_dir(dir.expect("entry").path().join("match")) else {
                continue;
            };
            for file in files {
                let text = std::fs::read(file.expect("entry").path()).expect("readable");
                for raw in text.split(|&b| b == b'\n') {
                    let mut out = Vec::new();
                    crate::analyze::normalize::normalize_line(
                        raw,
                        &mut out,
                        &mut scratch,
                        &mut markers,
                    );
                    lines.push(String::from_utf8_lossy(&out).into_owned().into_bytes());
                }
            }
        }
        assert!(lines.len() > 1000, "fixtures found: {}", lines.len());
        for extra in [
            "error:\u{a0}externally-managed-environment",
            "error:\u{d7}externally-managed-environment",
            "ERROR: Could not find a version that satisfies the requirement fla\u{212a}",
            "E   ModuleNotFoundError: No module named '\u{e9}t\u{e9}'",
            "npm ERR! code E\u{665}\u{660}\u{664}",
            "\u{2570}\u{2500}> error: externally-managed-environment",
            "FAIL\u{3000}src/\u{65e5}\u{672c}.test.ts",
            // `ſ` and `K` fold to `s` and `k`: the signals' ASCII literals are not on these lines.
            "3 i\u{17f}\u{17f}ues:",
            "E   ModuleNotFoundError: No module named 'ya\u{212a}'",
            "error: externally-managed-environment \u{17f}\u{212a}",
            "npm ERR! code ELIFECYCLE \u{212a}\u{17f}",
            // Lines only a literal-less signal matches (no literal of any signal on them).
            "There were test failures",
            "12 tests completed",
        ] {
            lines.push(extra.as_bytes().to_vec());
        }
        let mut cache = matcher.cache();
        // A scan whose caches keep reaching their budget (and are dropped) finds the same.
        let mut small = matcher.cache();
        small.budget = 256 << 10;
        let mut matched = 0;
        for line in &lines {
            let got: Vec<usize> = matcher.which(&mut cache, line).collect();
            let want: Vec<usize> = (0..reference.len())
                .filter(|&p| reference[p].is_match(line.as_slice()))
                .collect();
            assert_eq!(got, want, "line {:?}", String::from_utf8_lossy(line));
            let got: Vec<usize> = matcher.which(&mut small, line).collect();
            assert_eq!(
                got,
                want,
                "line {:?}, small budget",
                String::from_utf8_lossy(line)
            );
            assert!(small.held_total <= small.budget);
            matched += usize::from(!want.is_empty());
            if !want.is_empty() {
                let end = matcher.next_candidate_end(&mut cache, line, 0);
                assert!(
                    end.is_some(),
                    "find misses {:?}",
                    String::from_utf8_lossy(line)
                );
            }
        }
        assert!(matched > 200, "matching lines: {matched}");
        // The scan's way: candidate lines of a whole haystack, each matched with `which_on`.
        let hay = lines.join(&b'\n');
        let mut starts = vec![0];
        starts.extend(
            hay.iter()
                .enumerate()
                .filter(|&(_, &b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        let mut cache = matcher.cache();
        let mut pos = 0;
        let mut visited = vec![false; lines.len()];
        while let Some(end) = matcher.next_candidate_end(&mut cache, &hay, pos) {
            let li = starts.partition_point(|&s| s <= end) - 1;
            let le = starts.get(li + 1).map_or(hay.len(), |&s| s - 1);
            let got: Vec<usize> = matcher.which_on(&mut cache, &hay, starts[li]..le).collect();
            let want: Vec<usize> = (0..reference.len())
                .filter(|&p| reference[p].is_match(lines[li].as_slice()))
                .collect();
            assert_eq!(got, want, "line {li} in the haystack");
            visited[li] = true;
            pos = le + 1;
        }
        for (li, line) in lines.iter().enumerate() {
            if !visited[li] {
                let none = reference.iter().all(|r| !r.is_match(line.as_slice()));
                assert!(none, "skipped matching line {li}");
            }
        }
        assert_eq!(cache.drops, 0, "the fixtures' lines fit the budget");
        assert!(small.drops > 5, "caches dropped {} times", small.drops);
    }
}
