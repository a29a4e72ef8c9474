//! Ranking and calibrated confidence.
//!
//! A playbook is a candidate when one of its `any` signals matched and every `all` signal matched
//! (after `none` vetoes). Its confidence (0..1) is built from what a reader would weigh:
//!
//! | factor | effect |
//! |---|---|
//! | strongest matched signal | base: strong 0.74, medium 0.50, weak 0.20 |
//! | each further distinct signal | +0.08 strong, +0.05 medium, +0.02 weak (at most +0.15 in all) |
//! | `all` corroboration present and satisfied | +0.05 |
//! | failing step known, evidence inside it | +0.08 |
//! | failing step known, no evidence inside it | −0.20 (what printed it did not fail the job) |
//! | no failing step known, evidence in the log's tail | +0.04 |
//! | only weak signals matched | capped at 0.40: generic lines never make a confident diagnosis |
//! | the log says the job succeeded | capped at 0.45 |
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
}

/// Score every candidate playbook and sort best first.
pub fn rank(catalog: &Catalog, matcher: &Matcher, outcome: &ScanOutcome) -> Vec<Diagnosis> {
    let failing = outcome.failing.as_ref();
    let tail_len = (outcome.lines / 50).max(250);
    let in_tail = |line: u64| line + tail_len > outcome.lines;
    let mut out = Vec::new();
    for (pi, pats) in matcher.playbooks.iter().enumerate() {
        let entry = &catalog.entries()[pi];
        let mut any_matched = false;
        let mut all_ok = true;
        let mut strengths = Vec::new();
        let mut evidence: Vec<Evidence> = Vec::new();
        let mut hits = 0;
        for p in pats.evidence.clone() {
            let pat = matcher.pats[p];
            let sig = &outcome.signals[p];
            if sig.count == 0 {
                if pat.kind == SignalKind::All {
                    all_ok = false;
                }
                continue;
            }
            any_matched |= pat.kind == SignalKind::Any;
            // A signal seen only on GitHub `##[warning]` annotations says little: passing jobs
            // print warnings too.
            let strength = if sig.hits().all(|h| h.warning) {
                Strength::Weak
            } else {
                pat.strength
            };
            strengths.push(strength);
            hits += sig.count;
            let regex =
                crate::playbook::load::signal_of(&entry.playbook, pat.kind, pat.index as usize)
                    .map_or(String::new(), |s| s.regex().to_string());
            for hit in sig.hits() {
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
        if !any_matched || !all_ok {
            continue;
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
        let confidence = (confidence.clamp(0.01, 0.99) * 100.0).round() / 100.0;

        // Show the most telling lines: from the failing step, strongest, latest.
        evidence.sort_by(|a, b| {
            (b.in_failing_step, b.strength, b.line).cmp(&(a.in_failing_step, a.strength, a.line))
        });
        evidence.truncate(EVIDENCE_SHOWN);
        evidence.sort_by_key(|e| e.line);
        out.push(Diagnosis {
            playbook: pi,
            confidence,
            band: Band::of(confidence),
            strongest,
            signals_matched: strengths.len(),
            hits,
            evidence,
        });
    }
    out.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then(b.strongest.cmp(&a.strongest))
            .then(b.signals_matched.cmp(&a.signals_matched))
            .then_with(|| last_line(b).cmp(&last_line(a)))
            .then(a.playbook.cmp(&b.playbook))
    });
    out
}

fn last_line(d: &Diagnosis) -> u64 {
    d.evidence.last().map_or(0, |e| e.line)
}
