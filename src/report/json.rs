//! Lint's JSON for machines, in the common envelope (`crate::envelope`). The DTOs here are the
//! contract (`docs/schema/lint.schema.json`); internal types can change without changing it.

use schemars::{JsonSchema, Schema};
use serde::Serialize;

use super::{playbook_url, Finding, InputError, Severity};
use crate::envelope;

/// `lint --format json`.
#[derive(Serialize, JsonSchema)]
struct Output<'a> {
    /// Every finding after configuration, suppressions, selection and the baseline, sorted by
    /// path, position and rule.
    findings: Vec<JsonFinding<'a>>,
    /// Inputs that could not be used (unreadable, not valid YAML, past a limit), each with its
    /// position when there is one. Any error makes the exit code 2.
    errors: Vec<JsonError>,
    /// How many files were read and modelled (clean or not).
    files_checked: usize,
}

#[derive(Serialize, JsonSchema)]
struct JsonFinding<'a> {
    /// The file, relative to the current folder when it is below it.
    path: String,
    /// 1-based line where the finding starts.
    start_line: usize,
    /// 1-based; columns count characters, not bytes.
    start_column: usize,
    /// 1-based line where the finding ends (inclusive).
    end_line: usize,
    /// 1-based column just past the last character.
    end_column: usize,
    /// The rule id (`faultline explain RULE`).
    rule: &'a str,
    /// After the configuration's rule settings.
    severity: Severity,
    /// What will fail, and why, in one sentence.
    message: &'a str,
    /// The playbook of the failure this finding predicts (`faultline explain PLAYBOOK`); empty
    /// for findings that prevent no failure (about suppressions).
    playbook: &'a str,
    /// `null` for findings that prevent no failure (about suppressions).
    playbook_url: Option<String>,
    /// How to fix it, when the rule knows.
    help: Option<&'a str>,
    /// The source text the finding points at (the command, the key, the value).
    snippet: &'a str,
    /// Other places that explain the finding: where the image or the interpreter was decided,
    /// or the caller of a composite action.
    related: Vec<JsonLabel<'a>>,
}

#[derive(Serialize, JsonSchema)]
struct JsonLabel<'a> {
    /// The finding's own path, or another file's (a composite action's caller).
    path: String,
    /// 1-based.
    line: usize,
    /// 1-based; columns count characters.
    column: usize,
    /// What this place adds (e.g. "the image is decided here").
    message: &'a str,
}

#[derive(Serialize, JsonSchema)]
struct JsonError {
    /// The input that could not be used.
    path: String,
    /// 1-based, when the problem has a position.
    line: Option<usize>,
    /// 1-based (characters), when the problem has a position.
    column: Option<usize>,
    /// What is wrong, and what was expected.
    message: String,
}

/// The schema of `lint --format json`.
pub fn schema() -> Schema {
    envelope::schema_of::<Output<'static>>("lint", "lint report (lint --format json)")
}

pub fn render(findings: &[Finding], errors: &[InputError], files_checked: usize) -> String {
    let out = Output {
        findings: findings
            .iter()
            .map(|f| {
                let (start_line, start_column) = f.start();
                let (end_line, end_column) = f.end();
                JsonFinding {
                    path: f.file.display_path(),
                    start_line,
                    start_column,
                    end_line,
                    end_column,
                    rule: f.rule,
                    severity: f.severity,
                    message: &f.message,
                    playbook: f.playbook,
                    playbook_url: (!f.playbook.is_empty()).then(|| playbook_url(f.playbook)),
                    help: f.help.as_deref(),
                    snippet: f.snippet(),
                    related: f
                        .related
                        .iter()
                        .map(|l| (&f.file, l))
                        .chain(f.related_elsewhere.iter().map(|(file, l)| (file, l)))
                        .map(|(file, l)| {
                            let (line, column) = file.line_col(l.span.start);
                            JsonLabel {
                                path: file.display_path(),
                                line,
                                column,
                                message: &l.message,
                            }
                        })
                        .collect(),
                }
            })
            .collect(),
        errors: errors
            .iter()
            .map(|e| JsonError {
                path: e.path.display().to_string(),
                line: e.line,
                column: e.column,
                message: e.message.clone(),
            })
            .collect(),
        files_checked,
    };
    envelope::render(out)
}

/// `lint --statistics --format json`.
#[derive(Serialize, JsonSchema)]
struct Statistics<'a> {
    /// One row per rule with findings, most findings first, then by rule id.
    statistics: Vec<StatisticsRow<'a>>,
    /// Findings in all.
    total: usize,
}

#[derive(Serialize, JsonSchema)]
struct StatisticsRow<'a> {
    /// The rule id.
    rule: &'a str,
    /// The highest severity among the rule's findings.
    severity: Severity,
    /// Findings of this rule.
    count: usize,
}

/// The schema of `lint --statistics --format json`.
pub fn statistics_schema() -> Schema {
    envelope::schema_of::<Statistics<'static>>(
        "lint-statistics",
        "lint statistics (lint --statistics --format json)",
    )
}

/// Findings per rule, most first (then by id): `(count, rule, highest severity)`.
pub fn rule_counts(findings: &[Finding]) -> Vec<(usize, &'static str, Severity)> {
    let mut counts: Vec<(usize, &'static str, Severity)> = Vec::new();
    for f in findings {
        match counts.iter_mut().find(|(_, rule, _)| *rule == f.rule) {
            Some(entry) => {
                entry.0 += 1;
                entry.2 = entry.2.max(f.severity);
            }
            None => counts.push((1, f.rule, f.severity)),
        }
    }
    counts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    counts
}

/// `--statistics` as JSON.
pub fn statistics(findings: &[Finding]) -> String {
    envelope::render(Statistics {
        statistics: rule_counts(findings)
            .into_iter()
            .map(|(count, rule, severity)| StatisticsRow {
                rule,
                severity,
                count,
            })
            .collect(),
        total: findings.len(),
    })
}
