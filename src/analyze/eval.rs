//! `faultline eval DIR`: scores the catalog against labelled logs, for playbook authors.
//!
//! `labels.tsv` has the columns `file`, `expected_playbook`, `top_n` (by header name when the first
//! row is a header; extra columns are ignored). An expected playbook of `-` or `none` marks a
//! negative case: a log that must get no diagnosis at medium confidence or above.
//!
//! Rates for positive cases are over the cases whose expected id exists in the catalog (the share
//! of those is reported too): top-1, top-N, unmatched (no candidate at all) and wrong diagnosis
//! (the best candidate is another playbook).

use std::fmt::Write as _;
use std::path::Path;

use schemars::{JsonSchema, Schema};
use serde::Serialize;

use super::scoring::Band;
use super::Engine;

/// One row of labels.tsv.
#[derive(Debug, Clone)]
struct Case {
    file: String,
    expected: Option<String>,
    top_n: usize,
}

/// A case that did not pass.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Miss {
    /// The log, relative to the folder.
    pub file: String,
    /// `-` for a negative case.
    pub expected: String,
    /// The expected playbook had to rank this high.
    pub top_n: usize,
    /// The best candidate, if any.
    pub got: Option<String>,
    /// The best candidate's confidence (0 to 1).
    pub confidence: Option<f64>,
    /// The best candidate's band: `high`, `medium` or `low`.
    pub band: Option<&'static str>,
    /// Where the expected playbook ranked (1-based), if it was a candidate at all.
    pub expected_rank: Option<usize>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct UnknownId {
    /// The log, relative to the folder.
    pub file: String,
    /// The label's playbook id, which the catalog has neither as an id nor as an alias.
    pub expected: String,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Unreadable {
    /// The log, relative to the folder.
    pub file: String,
    /// Why it could not be read.
    pub error: String,
}

/// Calibration: the positive cases (expected id in the catalog) whose top answer fell in one band,
/// and how many of those answers were right.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BandFigures {
    /// `high`, `medium`, `low`, or `none` (no candidate at all).
    pub band: &'static str,
    /// Cases whose top answer fell in this band.
    pub cases: usize,
    /// Of those, how many were the expected playbook.
    pub right: usize,
    /// `right / cases` (0 when there are no cases).
    pub rate: f64,
}

/// `eval --format json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EvalResult {
    /// The folder of labelled logs.
    pub dir: String,
    /// The labels file (`labels.tsv` in the folder by default).
    pub labels: String,
    /// Labelled logs in all.
    pub cases: usize,
    /// Cases that expect a playbook.
    pub positives: usize,
    /// Positive cases whose expected id exists in the catalog.
    pub known: usize,
    /// `known / positives`: the catalog's coverage of the labels.
    pub known_share: f64,
    /// Known cases whose top diagnosis is the expected playbook.
    pub top1: usize,
    /// `top1 / known`.
    pub top1_rate: f64,
    /// Known cases whose expected playbook ranked within the case's `top_n`.
    pub topn: usize,
    /// `topn / known`.
    pub topn_rate: f64,
    /// Known cases with no diagnosis at all.
    pub unmatched: usize,
    /// `unmatched / known`.
    pub unmatched_rate: f64,
    /// Known cases whose top diagnosis is another playbook.
    pub wrong: usize,
    /// `wrong / known`.
    pub wrong_rate: f64,
    /// Cases labelled `-` or `none`: passing builds that must get no diagnosis at medium or above.
    pub negatives: usize,
    /// Negative cases that got none.
    pub negatives_passed: usize,
    /// Top-1 right answers per confidence band of the top answer: high, medium, low, none.
    pub bands: Vec<BandFigures>,
    /// Known cases not answered right at rank 1, and negative cases diagnosed.
    pub misses: Vec<Miss>,
    /// Positive cases whose expected id is not in the catalog.
    pub unknown_ids: Vec<UnknownId>,
    /// Logs that could not be read.
    pub unreadable: Vec<Unreadable>,
}

fn rate(n: usize, d: usize) -> f64 {
    if d == 0 {
        0.0
    } else {
        ((n as f64 / d as f64) * 1000.0).round() / 1000.0
    }
}

fn parse_labels(text: &str, path: &str) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    let mut cols = (0usize, 1usize, Some(2usize));
    let mut first = true;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').map(str::trim).collect();
        if first {
            first = false;
            if fields.first() == Some(&"file") {
                let find = |name: &str| fields.iter().position(|f| *f == name);
                cols = (
                    0,
                    find("expected_playbook")
                        .ok_or_else(|| format!("{path}:1: no `expected_playbook` column"))?,
                    find("top_n"),
                );
                continue;
            }
        }
        let get = |i: usize| fields.get(i).copied().unwrap_or("");
        let file = get(cols.0);
        if file.is_empty() {
            return Err(format!("{path}:{}: empty `file` field", n + 1));
        }
        let expected = match get(cols.1) {
            "" | "-" | "none" => None,
            id => Some(id.to_string()),
        };
        let top_n =
            match cols.2.map(get) {
                None | Some("") => 1,
                Some(t) => t.parse::<usize>().ok().filter(|&t| t > 0).ok_or_else(|| {
                    format!("{path}:{}: top_n `{t}` is not a positive number", n + 1)
                })?,
            };
        cases.push(Case {
            file: file.to_string(),
            expected,
            top_n,
        });
    }
    Ok(cases)
}

/// Run every labelled log through `engine`. Errors (labels file unreadable or malformed) read
/// `<path>: <what>`; unreadable logs are collected in the result.
pub fn evaluate(engine: &Engine, dir: &Path, labels: &Path) -> Result<EvalResult, String> {
    let labels_shown = labels.display().to_string();
    if !dir.is_dir() {
        return Err(format!("{}: not a directory", dir.display()));
    }
    let text = std::fs::read_to_string(labels)
        .map_err(|e| format!("{labels_shown}: {}", super::io_message(&e)))?;
    let cases = parse_labels(&text, &labels_shown)?;
    let mut r = EvalResult {
        dir: dir.display().to_string(),
        labels: labels_shown,
        cases: cases.len(),
        positives: 0,
        known: 0,
        known_share: 0.0,
        top1: 0,
        top1_rate: 0.0,
        topn: 0,
        topn_rate: 0.0,
        unmatched: 0,
        unmatched_rate: 0.0,
        wrong: 0,
        wrong_rate: 0.0,
        negatives: 0,
        negatives_passed: 0,
        bands: ["high", "medium", "low", "none"]
            .into_iter()
            .map(|band| BandFigures {
                band,
                cases: 0,
                right: 0,
                rate: 0.0,
            })
            .collect(),
        misses: Vec::new(),
        unknown_ids: Vec::new(),
        unreadable: Vec::new(),
    };
    for case in &cases {
        let path = dir.join(&case.file);
        let analysis = match engine.analyze_path(&path) {
            Ok(a) => a,
            Err(e) => {
                let msg = e
                    .strip_prefix(&format!("{}: ", path.display()))
                    .unwrap_or(&e)
                    .to_string();
                r.unreadable.push(Unreadable {
                    file: case.file.clone(),
                    error: msg,
                });
                continue;
            }
        };
        let ids: Vec<&str> = analysis
            .diagnoses
            .iter()
            .map(|d| engine.catalog.entries()[d.playbook].playbook.id.as_str())
            .collect();
        let best = analysis.diagnoses.first();
        let mut miss = Miss {
            file: case.file.clone(),
            expected: case.expected.clone().unwrap_or_else(|| "-".to_string()),
            top_n: case.top_n,
            got: ids.first().map(|s| s.to_string()),
            confidence: best.map(|d| d.confidence),
            band: best.map(|d| d.band.as_str()),
            expected_rank: None,
        };
        match &case.expected {
            None => {
                r.negatives += 1;
                if best.is_none_or(|d| d.band == Band::Low) {
                    r.negatives_passed += 1;
                } else {
                    r.misses.push(miss);
                }
            }
            Some(expected) => {
                r.positives += 1;
                // A label may name an alias: it counts as the playbook that declares it.
                let Some(entry) = engine.catalog.resolve(expected) else {
                    r.unknown_ids.push(UnknownId {
                        file: case.file.clone(),
                        expected: expected.clone(),
                    });
                    continue;
                };
                let expected = entry.playbook.id.as_str();
                r.known += 1;
                let rank = ids.iter().position(|id| *id == expected).map(|p| p + 1);
                miss.expected_rank = rank;
                if rank == Some(1) {
                    r.top1 += 1;
                }
                let band = best.map_or("none", |d| d.band.as_str());
                if let Some(b) = r.bands.iter_mut().find(|b| b.band == band) {
                    b.cases += 1;
                    b.right += usize::from(rank == Some(1));
                }
                if rank.is_some_and(|k| k <= case.top_n) {
                    r.topn += 1;
                }
                if ids.is_empty() {
                    r.unmatched += 1;
                } else if rank != Some(1) {
                    r.wrong += 1;
                }
                if rank != Some(1) {
                    r.misses.push(miss);
                }
            }
        }
    }
    r.known_share = rate(r.known, r.positives);
    r.top1_rate = rate(r.top1, r.known);
    r.topn_rate = rate(r.topn, r.known);
    r.unmatched_rate = rate(r.unmatched, r.known);
    r.wrong_rate = rate(r.wrong, r.known);
    for b in &mut r.bands {
        b.rate = rate(b.right, b.cases);
    }
    Ok(r)
}

pub fn human(r: &EvalResult) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "faultline eval {} ({} cases, labels {})",
        r.dir, r.cases, r.labels
    );
    if r.positives > 0 {
        let _ = writeln!(
            out,
            "  positive cases        {:>4}   expected id in catalog: {} ({:.1}%)",
            r.positives,
            r.known,
            r.known_share * 100.0
        );
        let pct = |n: usize, x: f64| format!("{n:>4}   {:>5.1}%", x * 100.0);
        let _ = writeln!(out, "  top-1                 {}", pct(r.top1, r.top1_rate));
        let _ = writeln!(out, "  top-N                 {}", pct(r.topn, r.topn_rate));
        let _ = writeln!(
            out,
            "  unmatched             {}",
            pct(r.unmatched, r.unmatched_rate)
        );
        let _ = writeln!(
            out,
            "  wrong diagnosis       {}",
            pct(r.wrong, r.wrong_rate)
        );
        let _ = writeln!(out, "  top-1 by confidence of the top answer:");
        for b in &r.bands {
            let _ = writeln!(
                out,
                "    {:<8}  {:>4} cases  {:>4} right  {:>5.1}%",
                b.band,
                b.cases,
                b.right,
                b.rate * 100.0
            );
        }
    }
    if r.negatives > 0 || r.positives == 0 {
        let _ = writeln!(
            out,
            "  negatives passed      {:>4} / {}",
            r.negatives_passed, r.negatives
        );
    }
    if !r.misses.is_empty() {
        let _ = writeln!(
            out,
            "\nMisses (rates above are over cases whose expected id is in the catalog):"
        );
        let w_file = r
            .misses
            .iter()
            .map(|m| m.file.len())
            .max()
            .unwrap_or(4)
            .max(4);
        let w_exp = r
            .misses
            .iter()
            .map(|m| m.expected.len())
            .max()
            .unwrap_or(8)
            .max(8);
        let _ = writeln!(out, "  {:<w_file$}  {:<w_exp$}  got", "file", "expected");
        for m in &r.misses {
            let got = match (&m.got, m.confidence, m.band) {
                (Some(id), Some(c), Some(b)) => format!("{id} {c:.2} ({b})"),
                _ => "(no candidate)".to_string(),
            };
            let rank = m
                .expected_rank
                .map_or(String::new(), |k| format!("  [expected ranked {k}]"));
            let _ = writeln!(
                out,
                "  {:<w_file$}  {:<w_exp$}  {got}{rank}",
                m.file, m.expected
            );
        }
    }
    if !r.unknown_ids.is_empty() {
        let mut ids: Vec<&str> = r.unknown_ids.iter().map(|u| u.expected.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let _ = writeln!(
            out,
            "\nNot in the catalog ({} cases, {} ids): {}",
            r.unknown_ids.len(),
            ids.len(),
            ids.join(", ")
        );
    }
    if !r.unreadable.is_empty() {
        let _ = writeln!(out, "\nUnreadable logs: {}", r.unreadable.len());
    }
    out
}

/// The schema of `eval --format json`.
pub fn schema() -> Schema {
    crate::envelope::schema_of::<EvalResult>("eval", "evaluation (eval --format json)")
}

pub fn json(r: &EvalResult) -> String {
    crate::envelope::render(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_by_header_and_position() {
        let with_header = "file\ttitle\texpected_playbook\ttop_n\na.log\tx\tpip-not-installed\t3\nb.log\ty\t-\t1\n";
        let cases = parse_labels(with_header, "l.tsv").expect("valid");
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].expected.as_deref(), Some("pip-not-installed"));
        assert_eq!(cases[0].top_n, 3);
        assert_eq!(cases[1].expected, None);
        let bare = parse_labels("c.log\tnone\n", "l.tsv").expect("valid");
        assert_eq!((bare[0].expected.clone(), bare[0].top_n), (None, 1));
        let bad = parse_labels("file\texpected_playbook\ttop_n\nd.log\tx\tzero\n", "l.tsv")
            .expect_err("bad top_n");
        assert_eq!(bad, "l.tsv:2: top_n `zero` is not a positive number");
    }
}
