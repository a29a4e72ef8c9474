//! Ranking and calibrated confidence.
//!
//! A playbook is a candidate when one of its `any` signals matched and every `all` signal matched.
//! Its confidence (0..1) is built from what a reader would weigh:
//!
//! | factor | effect |
//! |---|---|
//! | strongest matched signal | base: strong 0.74, medium 0.50, weak 0.20 |
//! | each further distinct signal | +0.08 strong, +0.05 medium, +0.02 weak (at most +0.15 in all) |
//! | `all` corroboration present and satisfied | +0.05 |
//! | failing step known, evidence inside it | +0.08 |
//! | failing step known, no evidence inside it | −0.20 (what printed it did not fail the job) |
//! | no failing step known, evidence in the log's tail | +0.04 |
//! | a signal seen only on `##[warning]` lines | counts as weak |
//! | a retry (same step, within 10 lines) follows the playbook's last matching line | every signal counts as weak: the job recovered from it |
//! | only weak signals matched | capped at 0.40: generic lines never make a confident diagnosis |
//! | the log says the job succeeded | capped at 0.45 |
//! | every matching line vetoed by a `none` signal | capped at 0.25, ranked below all others |
//!
//! Order: candidates with live evidence before vetoed ones, then candidates with a specific
//! (medium or strong) signal before generic-only ones, then confidence. A candidate's confidence
//! is lowered to that of the one ranked above it when the order says so.
//!
//! Bands: high ≥ 0.80, medium ≥ 0.50, low below. So a strong, tool-specific message inside the
//! failing step is high; the same message with no structure to confirm it is medium; a lone
//! medium signal is medium only where nothing speaks against it; weak lines stay low.

use super::matcher::Matcher;
use super::scan::ScanOutcome;
use crate::playbook::load::{Catalog, SignalKind};
use crate::playbook::schema::Strength;

/// Evidence shown per diagnosis.
pub const EVIDENCE_SHOWN: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Band {
    Low,
    Medium,
    High,
}

impl Band {
    pub fn of(confidence: f64) -> Band {
        if confidence >= 0.8 {
            Band::High
        } else if confidence >= 0.5 {
            Band::Medium
        } else {
            Band::Low
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Band::Low => "low",
            Band::Medium => "medium",
            Band::High => "high",
        }
    }
}

/// One evidence line of a diagnosis.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub line: u64,
    pub text: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// The regex of the strongest signal that matched the line.
    pub signal: String,
    pub strength: Strength,
    pub in_failing_step: bool,
}

/// Why a candidate was pushed down, if it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Demotion {
    /// Every matching line was vetoed by one of the playbook's `none` signals: ranked below
    /// every other candidate, and never above low confidence.
    Vetoed,
    /// The last matching line was followed by a retry in the same step: the job recovered from
    /// it, so the evidence counts as weak.
    Retried,
}

impl Demotion {
    pub fn as_str(self) -> &'static str {
        match self {
            Demotion::Vetoed => "vetoed",
            Demotion::Retried => "retried",
        }
    }
}

/// A ranked candidate.
#[derive(Debug, Clone)]
pub struct Diagnosis {
    /// Index in `Catalog::entries()`.
    pub playbook: usize,
    pub confidence: f64,
    pub band: Band,
    pub strongest: Strength,
    /// Distinct signals that matched.
    pub signals_matched: usize,
    /// Lines matched in all (after vetoes), including those not kept as evidence.
    pub hits: u64,
    /// Up to `EVIDENCE_SHOWN` lines, in line order.
    pub evidence: Vec<Evidence>,
    pub demoted: Option<Demotion>,
}

/// Lines after a playbook's last matching line in which a retry means the job recovered from it.
pub const RETRY_WINDOW: u64 = 10;
/// The most a candidate whose every line was vetoed can reach.
const VETOED_CAP: f64 = 0.25;

/// Score every candidate playbook and sort best first.
///
/// Order: candidates with live evidence before vetoed ones; among them, candidates with a
/// specific (medium or strong) signal before those with only generic (weak) lines, wherever in the
/// log the specific line is; then by confidence. A candidate's confidence never exceeds that of a
/// candidate ranked above it, so the figures read in the same order as the list.
pub fn rank(catalog: &Catalog, matcher: &Matcher, outcome: &ScanOutcome) -> Vec<Diagnosis> {
    let mut out: Vec<Diagnosis> = (0..matcher.playbooks.len())
        .filter_map(|pi| {
            score(catalog, matcher, outcome, pi, false)
                .or_else(|| score(catalog, matcher, outcome, pi, true))
        })
        .collect();
    out.sort_by(|a, b| {
        let tier = |d: &Diagnosis| {
            (
                d.demoted != Some(Demotion::Vetoed),
                d.strongest > Strength::Weak,
            )
        };
        tier(b)
            .cmp(&tier(a))
            .then(b.confidence.total_cmp(&a.confidence))
            .then(b.strongest.cmp(&a.strongest))
            .then(b.signals_matched.cmp(&a.signals_matched))
            .then_with(|| last_line(b).cmp(&last_line(a)))
            .then(a.playbook.cmp(&b.playbook))
    });
    for i in 1..out.len() {
        if out[i].confidence > out[i - 1].confidence {
            out[i].confidence = out[i - 1].confidence;
            out[i].band = Band::of(out[i].confidence);
        }
    }
    out
}

/// Score playbook `pi`: from its live evidence, or (`vetoed`) from the lines its `none` signals
/// vetoed as well. `None` when it is no candidate that way.
fn score(
    catalog: &Catalog,
    matcher: &Matcher,
    outcome: &ScanOutcome,
    pi: usize,
    vetoed: bool,
) -> Option<Diagnosis> {
    let failing = outcome.failing.as_ref();
    let tail_len = (outcome.lines / 50).max(250);
    let in_tail = |line: u64| line + tail_len > outcome.lines;
    let pats = &matcher.playbooks[pi];
    let entry = &catalog.entries()[pi];
    let hits_of = |p: usize| {
        let sig = &outcome.signals[p];
        let extra = if vetoed { &sig.vetoed[..] } else { &[][..] };
        sig.hits().chain(extra.iter())
    };
    let count_of = |p: usize| {
        let sig = &outcome.signals[p];
        sig.count + if vetoed { sig.vetoed_count } else { 0 }
    };
    // The playbook's last matching line: a retry right after it (same step) means the job
    // recovered from what it matched.
    let last_hit = pats
        .evidence
        .clone()
        .flat_map(&hits_of)
        .max_by_key(|h| h.line)?;
    let retried = outcome
        .landmarks
        .retry_after(last_hit.line, last_hit.step, last_hit.vertex, RETRY_WINDOW)
        .is_some();

    let mut any_matched = false;
    let mut strengths = Vec::new();
    let mut evidence: Vec<Evidence> = Vec::new();
    let mut hits = 0;
    for p in pats.evidence.clone() {
        let pat = matcher.pats[p];
        if count_of(p) == 0 {
            if pat.kind == SignalKind::All {
                return None;
            }
            continue;
        }
        any_matched |= pat.kind == SignalKind::Any;
        // A signal seen only on GitHub `##[warning]` annotations says little: passing jobs print
        // warnings too. Neither does one the job retried past.
        let strength = if retried || hits_of(p).all(|h| h.warning) {
            Strength::Weak
        } else {
            pat.strength
        };
        strengths.push(strength);
        hits += count_of(p);
        let regex = crate::playbook::load::signal_of(&entry.playbook, pat.kind, pat.index as usize)
            .map_or(String::new(), |s| s.regex().to_string());
        for hit in hits_of(p) {
            let in_failing = failing.is_some_and(|f| {
                (f.step_index != 0 && hit.step == f.step_index)
                    || (f.vertex != 0 && hit.vertex == f.vertex)
            });
            match evidence.iter_mut().find(|e| e.line == hit.line) {
                Some(e) if e.strength >= strength => {}
                Some(e) => {
                    e.strength = strength;
                    e.signal = regex.clone();
                }
                None => evidence.push(Evidence {
                    line: hit.line,
                    text: hit.text.clone(),
                    before: hit.before.clone(),
                    after: hit.after.clone(),
                    signal: regex.clone(),
                    strength,
                    in_failing_step: in_failing,
                }),
            }
        }
    }
    if !any_matched {
        return None;
    }
    strengths.sort_unstable_by(|a, b| b.cmp(a));
    let strongest = strengths[0];
    let mut confidence = match strongest {
        Strength::Strong => 0.74,
        Strength::Medium => 0.50,
        Strength::Weak => 0.20,
    };
    let extra: f64 = strengths[1..]
        .iter()
        .map(|s| match s {
            Strength::Strong => 0.08,
            Strength::Medium => 0.05,
            Strength::Weak => 0.02,
        })
        .sum();
    confidence += extra.min(0.15);
    if !entry.playbook.matcher.all.is_empty() {
        confidence += 0.05;
    }
    if failing.is_some() {
        if evidence.iter().any(|e| e.in_failing_step) {
            confidence += 0.08;
        } else {
            confidence -= 0.20;
        }
    } else if evidence.iter().any(|e| in_tail(e.line)) {
        confidence += 0.04;
    }
    if strongest == Strength::Weak {
        confidence = confidence.min(0.40);
    }
    if outcome.succeeded {
        confidence = confidence.min(0.45);
    }
    if vetoed {
        confidence = confidence.min(VETOED_CAP);
    }
    let confidence = (confidence.clamp(0.01, 0.99) * 100.0).round() / 100.0;

    // Show the most telling lines: from the failing step, strongest, latest.
    evidence.sort_by(|a, b| {
        (b.in_failing_step, b.strength, b.line).cmp(&(a.in_failing_step, a.strength, a.line))
    });
    evidence.truncate(EVIDENCE_SHOWN);
    evidence.sort_by_key(|e| e.line);
    Some(Diagnosis {
        playbook: pi,
        confidence,
        band: Band::of(confidence),
        strongest,
        signals_matched: strengths.len(),
        hits,
        evidence,
        demoted: if vetoed {
            Some(Demotion::Vetoed)
        } else if retried {
            Some(Demotion::Retried)
        } else {
            None
        },
    })
}

fn last_line(d: &Diagnosis) -> u64 {
    d.evidence.last().map_or(0, |e| e.line)
}
