//! Output of `faultline analyze` and `faultline fix`: a terminal report, a versioned JSON document
//! (its own DTOs, never internal types, so the format stays stable), and Markdown for a PR comment
//! or `$GITHUB_STEP_SUMMARY`. The JSON format is documented in `playbooks/README.md`.

use std::fmt::Write as _;

use schemars::{JsonSchema, Schema};
use serde::Serialize;

use super::landmarks::ErrorLine;
use super::link::ConfigLine;
use super::scoring::{Band, Demotion, Diagnosis, Evidence};
use super::Analysis;
use crate::envelope;
use crate::playbook::load::Catalog;
use crate::playbook::schema::Strength;

/// Width human text is wrapped to.
const WIDTH: usize = 96;
/// Error lines shown when there is no diagnosis.
const ERROR_LINES_SHOWN: usize = 5;

/// For a log archive: which job and step failed, and which file was analysed.
fn archive_line(a: &Analysis) -> Option<String> {
    let o = a.archive.as_ref()?;
    let mut s = format!("failed job: {}", o.job);
    if let Some(step) = &o.step {
        s.push_str(&format!(", step {step}"));
    }
    s.push_str(&format!(" (analysed {} from the archive)", o.file));
    if o.failed_jobs.len() > 1 {
        s.push_str(&format!("; also failed: {}", o.failed_jobs[1..].join(", ")));
    }
    Some(s)
}

/// The top candidate is at medium confidence or above.
fn diagnosed(a: &Analysis) -> bool {
    a.diagnoses.first().is_some_and(|d| d.band >= Band::Medium)
}

/// The last error lines of the failing step, or of the log when no step is known (or none of
/// the kept lines is in it).
fn last_error_lines(a: &Analysis) -> Vec<&ErrorLine> {
    let errors = &a.outcome.landmarks.errors;
    let mut lines: Vec<&ErrorLine> = match &a.outcome.failing {
        Some(f) => errors
            .iter()
            .filter(|e| {
                (f.step_index != 0 && e.step == f.step_index)
                    || (f.vertex != 0 && e.vertex == f.vertex)
            })
            .collect(),
        None => Vec::new(),
    };
    if lines.is_empty() {
        lines = errors.iter().collect();
    }
    let skip = lines.len().saturating_sub(ERROR_LINES_SHOWN);
    lines.split_off(skip)
}

/// `analyze --format json`.
#[derive(Serialize, JsonSchema)]
struct JsonReport<'a> {
    /// The log as named (`-` for standard input).
    input: &'a str,
    /// Lines read.
    lines: u64,
    /// At least one playbook matched (at any confidence).
    matched: bool,
    /// The top diagnosis is at medium confidence or above.
    diagnosed: bool,
    failing_step: Option<JsonStep<'a>>,
    /// For a log archive (`.zip`): the file analysed, the failed job and step.
    archive: Option<JsonArchive<'a>>,
    /// The last error lines of the failing step (of the log when no step is known).
    error_lines: Vec<JsonLine<'a>>,
    /// The diagnoses, best first (at most `--top`).
    diagnoses: Vec<JsonDiagnosis<'a>>,
}

#[derive(Serialize, JsonSchema)]
struct JsonArchive<'a> {
    /// The file of the archive that was analysed.
    file: &'a str,
    /// The failed job it belongs to.
    job: &'a str,
    /// The failed step, when the archive names it.
    step: Option<&'a str>,
    /// Every failed job of the archive.
    failed_jobs: &'a [String],
}

#[derive(Serialize, JsonSchema)]
struct JsonLine<'a> {
    /// 1-based line in the log.
    line: u64,
    /// The line, normalised.
    text: &'a str,
}

/// The step that failed, as the log's structure shows it.
#[derive(Serialize, JsonSchema)]
struct JsonStep<'a> {
    /// The step's title in the log.
    name: &'a str,
    /// How the step was recognised: `github-group`, `gitlab-section`, `buildkit`, …
    kind: &'static str,
    /// 1-based first line of the step.
    start_line: u64,
    /// 1-based last line of the step.
    end_line: u64,
    /// The line that marks the failure (an error annotation, a non-zero exit).
    error_line: u64,
}

#[derive(Serialize, JsonSchema)]
struct JsonDiagnosis<'a> {
    /// 1 for the best.
    rank: usize,
    /// The playbook id (`faultline explain ID`).
    playbook: &'a str,
    /// The playbook's title.
    title: &'a str,
    /// The playbook's category (`faultline list --category`).
    category: &'a str,
    /// The playbook's severity: `low`, `medium`, `high`, `critical`.
    severity: &'static str,
    /// 0 to 1.
    confidence: f64,
    /// `high`, `medium` or `low`.
    band: &'static str,
    /// `"vetoed"` (every line vetoed by a `none` signal) or `"retried"` (the job retried past
    /// it), else null.
    demoted: Option<&'static str>,
    /// The log lines that matched, strongest first.
    evidence: Vec<JsonEvidence<'a>>,
    /// What the failure means.
    summary: &'a str,
    /// The fix steps (Markdown).
    fix: &'a [String],
    /// The command that prints the whole playbook.
    explain: String,
    /// The playbook file.
    source: &'a str,
    /// With `--repo DIR`: the configuration lines that lint says cause this failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    configuration: Option<Vec<&'a ConfigLine>>,
}

#[derive(Serialize, JsonSchema)]
struct JsonEvidence<'a> {
    /// 1-based line in the log.
    line: u64,
    /// The line, normalised (ANSI, timestamps and CI prefixes removed).
    text: &'a str,
    /// The playbook pattern it matched.
    signal: &'a str,
    /// `strong`, `medium` or `weak`.
    strength: &'static str,
    /// The line lies inside the failing step.
    in_failing_step: bool,
    /// The line before it, when there is one.
    context_before: Option<&'a str>,
    /// The line after it, when there is one.
    context_after: Option<&'a str>,
}

/// `fix --format json`.
#[derive(Serialize, JsonSchema)]
struct JsonFix<'a> {
    /// The log as named (`-` for standard input).
    input: &'a str,
    /// A playbook matched (`false`: the other fields are null and `fix` is empty).
    matched: bool,
    /// The top diagnosis's playbook id.
    playbook: Option<&'a str>,
    /// Its title.
    title: Option<&'a str>,
    /// Its confidence (0 to 1).
    confidence: Option<f64>,
    /// `high`, `medium` or `low`.
    band: Option<&'static str>,
    /// Its fix steps (Markdown).
    fix: &'a [String],
}

pub fn strength_str(s: Strength) -> &'static str {
    match s {
        Strength::Strong => "strong",
        Strength::Medium => "medium",
        Strength::Weak => "weak",
    }
}

fn severity_str(s: crate::playbook::schema::Severity) -> &'static str {
    use crate::playbook::schema::Severity;
    match s {
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
        Severity::Critical => "critical",
    }
}

/// The schema of `analyze --format json`.
pub fn schema() -> Schema {
    envelope::schema_of::<JsonReport<'static>>("analyze", "diagnosis (analyze --format json)")
}

/// The schema of `fix --format json`.
pub fn fix_schema() -> Schema {
    envelope::schema_of::<JsonFix<'static>>("fix", "fix steps (fix --format json)")
}

/// `analyze --format json`; `config`: the configuration lines of `--repo DIR`, given to the
/// diagnoses of their playbook.
pub fn json(a: &Analysis, catalog: &Catalog, top: usize, config: Option<&[ConfigLine]>) -> String {
    let failing_step = a.outcome.failing.as_ref().map(|f| JsonStep {
        name: &f.step.name,
        kind: f.step.kind.as_str(),
        start_line: f.step.start_line,
        end_line: f.step.end_line,
        error_line: f.error_line,
    });
    let diagnoses = a
        .diagnoses
        .iter()
        .take(top)
        .enumerate()
        .map(|(i, d)| {
            let e = &catalog.entries()[d.playbook];
            let p = &e.playbook;
            JsonDiagnosis {
                rank: i + 1,
                playbook: &p.id,
                title: &p.title,
                category: &p.category,
                severity: severity_str(p.severity),
                confidence: d.confidence,
                band: d.band.as_str(),
                demoted: d.demoted.map(Demotion::as_str),
                evidence: d
                    .evidence
                    .iter()
                    .map(|ev| JsonEvidence {
                        line: ev.line,
                        text: &ev.text,
                        signal: &ev.signal,
                        strength: strength_str(ev.strength),
                        in_failing_step: ev.in_failing_step,
                        context_before: ev.before.as_deref(),
                        context_after: ev.after.as_deref(),
                    })
                    .collect(),
                summary: p.summary.trim(),
                fix: &p.fix,
                explain: format!("faultline explain {}", p.id),
                source: &e.path,
                configuration: config
                    .map(|lines| lines.iter().filter(|l| l.playbook == p.id).collect()),
            }
        })
        .collect::<Vec<_>>();
    let report = JsonReport {
        input: &a.input,
        lines: a.outcome.lines,
        matched: !diagnoses.is_empty(),
        diagnosed: diagnosed(a),
        failing_step,
        archive: a.archive.as_ref().map(|o| JsonArchive {
            file: &o.file,
            job: &o.job,
            step: o.step.as_deref(),
            failed_jobs: &o.failed_jobs,
        }),
        error_lines: last_error_lines(a)
            .into_iter()
            .map(|e| JsonLine {
                line: e.line,
                text: &e.text,
            })
            .collect(),
        diagnoses,
    };
    envelope::render(report)
}

/// Terminal styling; every method is the identity without colour.
struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    fn band(&self, band: Band, s: &str) -> String {
        match band {
            Band::High => self.paint("1;32", s),
            Band::Medium => self.paint("1;33", s),
            Band::Low => self.paint("2", s),
        }
    }
    fn heading(&self, s: &str) -> String {
        self.paint("1;4", s)
    }
}

/// The diagnoses shown after the best one (`--top N` shows N in all).
fn runners_up(a: &Analysis, top: usize) -> Vec<&Diagnosis> {
    a.diagnoses
        .iter()
        .skip(1)
        .take(top.saturating_sub(1))
        .collect()
}

pub fn human(a: &Analysis, catalog: &Catalog, top: usize, color: bool) -> String {
    let st = Style { color };
    let mut out = String::new();
    let Some(best) = a.diagnoses.first().filter(|d| d.band >= Band::Medium) else {
        return human_no_diagnosis(a, catalog, top, &st);
    };
    let e = &catalog.entries()[best.playbook];
    let p = &e.playbook;
    let _ = writeln!(out, "{}: {}", st.bold(&p.id), p.title);
    let _ = writeln!(
        out,
        "confidence {} · category {} · severity {} · {}",
        st.band(
            best.band,
            &format!("{:.2} ({})", best.confidence, best.band.as_str())
        ),
        p.category,
        severity_str(p.severity),
        a.input
    );
    if let Some(line) = archive_line(a) {
        let _ = writeln!(out, "{line}");
    }
    if let Some(f) = &a.outcome.failing {
        let _ = writeln!(
            out,
            "failing step: {} (lines {}-{}, error at line {})",
            f.step.name, f.step.start_line, f.step.end_line, f.error_line
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", st.heading("Evidence"));
    out.push_str(&human_evidence(&best.evidence, &st));
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", st.heading("What happened"));
    out.push_str(&wrap(p.summary.trim(), "  ", "  "));
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", st.heading("Fix"));
    out.push_str(&human_fix(&p.fix));
    let _ = writeln!(out);
    let _ = writeln!(out, "More: faultline explain {}", p.id);
    let others = runners_up(a, top);
    if !others.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", st.heading("Runners-up"));
        for (i, d) in others.iter().enumerate() {
            out.push_str(&candidate_line(i + 2, d, catalog, &st));
        }
    }
    out
}

/// No candidate at medium or above: say so, and show where the job broke.
fn human_no_diagnosis(a: &Analysis, catalog: &Catalog, top: usize, st: &Style) -> String {
    let mut out = String::new();
    let lines = plural(a.outcome.lines, "line");
    let why = if a.diagnoses.is_empty() {
        format!(
            "no playbook matched. None of the {} playbooks in the catalog fits this log.",
            catalog.len()
        )
    } else {
        "nothing in it is specific enough to name a cause; only low-confidence candidates."
            .to_string()
    };
    let _ = writeln!(
        out,
        "{}",
        st.bold(&format!("No diagnosis for {} ({lines}): {why}", a.input))
    );
    if let Some(line) = archive_line(a) {
        let _ = writeln!(out, "{}", capitalise(&line));
    }
    if let Some(f) = &a.outcome.failing {
        let _ = writeln!(
            out,
            "Failing step: {} (lines {}-{}, error at line {})",
            f.step.name, f.step.start_line, f.step.end_line, f.error_line
        );
    }
    let errors = last_error_lines(a);
    if !errors.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", st.heading("Last error lines"));
        let width = errors
            .iter()
            .map(|e| e.line.to_string().len())
            .max()
            .unwrap_or(1);
        for e in &errors {
            let _ = writeln!(out, "  {:>width$} │ {}", e.line, e.text);
        }
    }
    let low: Vec<&Diagnosis> = a.diagnoses.iter().take(top).collect();
    if !low.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", st.heading("Low-confidence candidates"));
        for (i, d) in low.iter().enumerate() {
            out.push_str(&candidate_line(i + 1, d, catalog, st));
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "See `faultline list` for what it knows, or add a team playbook with --playbooks DIR."
    );
    out
}

/// One ranked candidate in a list: rank, id, confidence, title, evidence lines.
fn candidate_line(rank: usize, d: &Diagnosis, catalog: &Catalog, st: &Style) -> String {
    let p = &catalog.entries()[d.playbook].playbook;
    let lines: Vec<String> = d.evidence.iter().map(|e| e.line.to_string()).collect();
    let note = match d.demoted {
        Some(Demotion::Vetoed) => ", vetoed by a `none` signal",
        Some(Demotion::Retried) => ", retried past",
        None => "",
    };
    format!(
        "  {rank}. {}  {}  {}\n     {}\n",
        st.bold(&p.id),
        st.band(
            d.band,
            &format!("{:.2} ({})", d.confidence, d.band.as_str())
        ),
        p.title,
        st.dim(&format!("evidence at line {}{note}", lines.join(", ")))
    )
}

/// Evidence lines with one line of context, merged where they touch.
fn human_evidence(evidence: &[Evidence], st: &Style) -> String {
    let rows = evidence_rows(evidence);
    let width = rows
        .iter()
        .map(|r| r.0.to_string().len())
        .max()
        .unwrap_or(1);
    let mut out = String::new();
    let mut prev: Option<u64> = None;
    for (line, text, is_hit) in rows {
        if prev.is_some_and(|p| line > p + 1) {
            let _ = writeln!(out, "  {:>width$} {}", "", st.dim("┆"));
        }
        prev = Some(line);
        if is_hit {
            let _ = writeln!(
                out,
                "{} {:>width$} │ {}",
                st.paint("1;31", ">"),
                line,
                st.bold(&text)
            );
        } else {
            let _ = writeln!(out, "  {:>width$} │ {}", line, st.dim(&text));
        }
    }
    out
}

/// (line, text, is evidence) rows: each hit with its context lines, sorted, without repeats.
fn evidence_rows(evidence: &[Evidence]) -> Vec<(u64, String, bool)> {
    let mut rows: Vec<(u64, String, bool)> = Vec::new();
    let mut add = |line: u64, text: &str, hit: bool| match rows.iter_mut().find(|r| r.0 == line) {
        Some(r) => r.2 |= hit,
        None => rows.push((line, text.to_string(), hit)),
    };
    for e in evidence {
        if let (Some(b), true) = (&e.before, e.line > 1) {
            add(e.line - 1, b, false);
        }
        add(e.line, &e.text, true);
        if let Some(a) = &e.after {
            add(e.line + 1, a, false);
        }
    }
    rows.sort_by_key(|r| r.0);
    rows
}

fn human_fix(steps: &[String]) -> String {
    let mut out = String::new();
    for (i, step) in steps.iter().enumerate() {
        let first = format!("  {}. ", i + 1);
        let rest = " ".repeat(first.len());
        out.push_str(&wrap(step.trim(), &first, &rest));
    }
    out
}

fn starts_list_item(l: &str) -> bool {
    let t = l.trim_start();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    t.starts_with("- ") || t.starts_with("* ") || (digits > 0 && t[digits..].starts_with(". "))
}

/// Word-wrap `text` (paragraphs separated by blank lines; list items start a paragraph and hang;
/// code fences kept as they are).
pub fn wrap(text: &str, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut prefix = first;
    let mut in_fence = false;
    let mut para: Vec<&str> = Vec::new();
    fn flush<'a>(para: &mut Vec<&str>, out: &mut String, prefix: &mut &'a str, rest: &'a str) {
        if para.is_empty() {
            return;
        }
        // A list item's continuation lines hang under its text, past the `- ` / `1. ` marker.
        let first = para[0].trim_start();
        let digits = first.bytes().take_while(u8::is_ascii_digit).count();
        let hang = if first.starts_with("- ") || first.starts_with("* ") {
            2
        } else if digits > 0 && first[digits..].starts_with(". ") {
            digits + 2
        } else {
            0
        };
        let cont = format!("{rest}{}", " ".repeat(hang));
        let mut line = String::from(*prefix);
        let mut len = prefix.chars().count();
        let mut empty = true;
        for word in para.iter().flat_map(|l| l.split_whitespace()) {
            let wl = word.chars().count();
            if !empty && len + 1 + wl > WIDTH {
                out.push_str(line.trim_end());
                out.push('\n');
                line = cont.clone();
                len = cont.chars().count();
                empty = true;
            }
            if !empty {
                line.push(' ');
                len += 1;
            }
            line.push_str(word);
            len += wl;
            empty = false;
        }
        out.push_str(line.trim_end());
        out.push('\n');
        para.clear();
        *prefix = rest;
    }
    for l in text.lines() {
        if l.trim_start().starts_with("```") {
            flush(&mut para, &mut out, &mut prefix, rest);
            in_fence = !in_fence;
            let _ = writeln!(out, "{prefix}{l}");
            prefix = rest;
            continue;
        }
        if in_fence {
            let _ = writeln!(out, "{prefix}{l}");
            prefix = rest;
        } else if l.trim().is_empty() {
            flush(&mut para, &mut out, &mut prefix, rest);
            if !out.is_empty() {
                out.push('\n');
            }
        } else if starts_list_item(l) && !para.is_empty() {
            flush(&mut para, &mut out, &mut prefix, rest);
            para.push(l);
        } else {
            para.push(l);
        }
    }
    flush(&mut para, &mut out, &mut prefix, rest);
    out
}

pub fn markdown(a: &Analysis, catalog: &Catalog, top: usize) -> String {
    let mut out = String::new();
    let Some(best) = a.diagnoses.first().filter(|d| d.band >= Band::Medium) else {
        return markdown_no_diagnosis(a, catalog, top);
    };
    let e = &catalog.entries()[best.playbook];
    let p = &e.playbook;
    let _ = writeln!(out, "## faultline: `{}`\n", p.id);
    let _ = writeln!(
        out,
        "**{}**: {} confidence ({:.2}), category `{}`, severity {}.\n",
        md_escape(&p.title),
        best.band.as_str(),
        best.confidence,
        p.category,
        severity_str(p.severity)
    );
    md_where(&mut out, a);
    let _ = writeln!(out, "{}\n", p.summary.trim());
    let _ = writeln!(out, "**Evidence** (`{}`)\n", md_code_text(&a.input));
    let rows = evidence_rows(&best.evidence);
    let body: String = {
        let width = rows
            .iter()
            .map(|r| r.0.to_string().len())
            .max()
            .unwrap_or(1);
        rows.iter()
            .map(|(line, text, hit)| {
                format!("{} {line:>width$} | {text}\n", if *hit { ">" } else { " " })
            })
            .collect()
    };
    let fence = fence_for(&body);
    let _ = write!(out, "{fence}text\n{body}{fence}\n\n");
    let _ = writeln!(out, "**Fix**\n");
    for (i, step) in p.fix.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", i + 1, step.trim().replace('\n', "\n   "));
    }
    let _ = writeln!(
        out,
        "\nRun `faultline explain {}` for the full playbook.",
        p.id
    );
    let others = runners_up(a, top);
    if !others.is_empty() {
        out.push('\n');
        out.push_str(&markdown_candidates("Other candidates", &others, catalog));
    }
    out
}

/// No candidate at medium or above: say so, and show where the job broke.
fn markdown_no_diagnosis(a: &Analysis, catalog: &Catalog, top: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## faultline: no diagnosis\n");
    let input = md_code_text(&a.input);
    let lines = plural(a.outcome.lines, "line");
    if a.diagnoses.is_empty() {
        let _ = writeln!(
            out,
            "No playbook matched `{input}` ({lines}). None of the {} playbooks in the catalog fits this log.\n",
            catalog.len()
        );
    } else {
        let _ = writeln!(
            out,
            "Nothing in `{input}` ({lines}) is specific enough to name a cause: only low-confidence candidates.\n"
        );
    }
    md_where(&mut out, a);
    let errors = last_error_lines(a);
    if !errors.is_empty() {
        let width = errors
            .iter()
            .map(|e| e.line.to_string().len())
            .max()
            .unwrap_or(1);
        let body: String = errors
            .iter()
            .map(|e| format!("{:>width$} | {}\n", e.line, e.text))
            .collect();
        let fence = fence_for(&body);
        let _ = write!(
            out,
            "**Last error lines**\n\n{fence}text\n{body}{fence}\n\n"
        );
    }
    let low: Vec<&Diagnosis> = a.diagnoses.iter().take(top).collect();
    if !low.is_empty() {
        out.push_str(&markdown_candidates(
            "Low-confidence candidates",
            &low,
            catalog,
        ));
    }
    out
}

/// A table of candidates under a bold title.
fn markdown_candidates(title: &str, ds: &[&Diagnosis], catalog: &Catalog) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "**{title}**\n");
    let _ = writeln!(out, "| playbook | confidence | evidence lines |");
    let _ = writeln!(out, "|---|---|---|");
    for d in ds {
        let p = &catalog.entries()[d.playbook].playbook;
        let lines: Vec<String> = d.evidence.iter().map(|e| e.line.to_string()).collect();
        let _ = writeln!(
            out,
            "| `{}` {} | {:.2} ({}) | {} |",
            p.id,
            md_escape(&p.title),
            d.confidence,
            d.band.as_str(),
            lines.join(", ")
        );
    }
    out
}

/// A code fence longer than any backtick run in `body`.
fn fence_for(body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

fn md_code_text(s: &str) -> String {
    s.replace('`', "'")
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The three renderings of a diagnosis (the command maps its `--format` onto these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Markdown,
}

/// `faultline fix`: the fix steps of the top diagnosis.
pub fn fix(a: &Analysis, catalog: &Catalog, format: Format, color: bool) -> String {
    let best = a
        .diagnoses
        .first()
        .map(|d| (d, &catalog.entries()[d.playbook].playbook));
    match format {
        Format::Json => {
            let report = JsonFix {
                input: &a.input,
                matched: best.is_some(),
                playbook: best.map(|(_, p)| p.id.as_str()),
                title: best.map(|(_, p)| p.title.as_str()),
                confidence: best.map(|(d, _)| d.confidence),
                band: best.map(|(d, _)| d.band.as_str()),
                fix: best.map_or(&[][..], |(_, p)| &p.fix[..]),
            };
            envelope::render(report)
        }
        Format::Human => {
            let st = Style { color };
            let Some((d, p)) = best else {
                return format!("No playbook matched {}: no fix to suggest.\n", a.input);
            };
            let mut out = format!(
                "Fix for {} ({}):\n",
                st.bold(&p.id),
                st.band(
                    d.band,
                    &format!("{} confidence, {:.2}", d.band.as_str(), d.confidence)
                )
            );
            out.push_str(&human_fix(&p.fix));
            out
        }
        Format::Markdown => {
            let Some((d, p)) = best else {
                return format!(
                    "No playbook matched `{}`: no fix to suggest.\n",
                    md_code_text(&a.input)
                );
            };
            let mut out = format!(
                "### Fix for `{}` ({} confidence, {:.2})\n\n",
                p.id,
                d.band.as_str(),
                d.confidence
            );
            for (i, step) in p.fix.iter().enumerate() {
                let _ = writeln!(out, "{}. {}", i + 1, step.trim().replace('\n', "\n   "));
            }
            out
        }
    }
}

/// Markdown: which job of an archive and which step failed, when known.
fn md_where(out: &mut String, a: &Analysis) {
    if let Some(line) = archive_line(a) {
        let _ = writeln!(out, "{}.\n", capitalise(&line));
    }
    if let Some(f) = &a.outcome.failing {
        let _ = writeln!(
            out,
            "Failing step: `{}` (lines {}–{}, error at line {}).\n",
            md_code_text(&f.step.name),
            f.step.start_line,
            f.step.end_line,
            f.error_line
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_hangs_list_items() {
        let text = "Intro:\n\n- a list item long enough to wrap past the width of the terminal for sure, yes indeed it is so long\n- b";
        let got = wrap(text, "  ", "  ");
        assert_eq!(
            got,
            "  Intro:\n\n  - a list item long enough to wrap past the width of the terminal for sure, yes indeed it is so\n    long\n  - b\n"
        );
    }

    #[test]
    fn wrap_keeps_paragraphs_and_fences() {
        let text = "one two three\nfour\n\n```sh\nkeep   this\n```\nafter";
        assert_eq!(
            wrap(text, "> ", "  "),
            "> one two three four\n\n  ```sh\n  keep   this\n  ```\n  after\n"
        );
    }

    #[test]
    fn fence_is_longer_than_backticks_inside() {
        assert_eq!(fence_for("plain"), "```");
        assert_eq!(fence_for("a ```` b"), "`````");
    }
}
