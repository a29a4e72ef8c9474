//! Findings for people: miette's graphical report (colour only when `Ui::color`), one per finding,
//! and a summary line.

use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::{playbook_url, Finding, Severity, SourceFile};

/// The longest line (in bytes) shown with miette's graphical report. miette cannot draw a label
/// past column 65,535 (it panics), and a line of thousands of characters helps no one: such a
/// finding is printed plainly, with its path, line and column.
pub const MAX_SHOWN_LINE: usize = 4096;

/// How many findings the human format shows; the summary still counts them all, and the other
/// formats list them all.
pub const MAX_SHOWN_FINDINGS: usize = 1000;

/// Render findings as miette reports, a blank line between two. `color` picks the theme; `width`
/// is the terminal's (the command layer decides). Words are never broken, and never split at a
/// hyphen, so a URL stays whole (a terminal makes it a link).
pub fn render(findings: &[Finding], color: bool, width: usize) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_break_words(false)
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_links(false);
    let mut out = String::new();
    for (i, f) in findings.iter().take(MAX_SHOWN_FINDINGS).enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if !fits(f) {
            out.push_str(&plain(f));
            continue;
        }
        let diag = to_miette(f);
        let src = Window {
            file: f.file.clone(),
            name: f.file.display_path(),
        };
        let report = WithSource { diag, src };
        let mut one = String::new();
        match handler.render_report(&mut one, &report) {
            Ok(()) => out.push_str(&one),
            Err(_) => out.push_str(&plain(f)),
        }
    }
    if findings.len() > MAX_SHOWN_FINDINGS {
        out.push_str(&format!(
            "… and {} more findings, not shown: the human format shows the first \
             {MAX_SHOWN_FINDINGS} (`--format json` lists them all)\n",
            findings.len() - MAX_SHOWN_FINDINGS
        ));
    }
    out
}

/// Whether every line miette would draw for `f` (its labels' lines, one line of context each
/// side) is short enough to show.
fn fits(f: &Finding) -> bool {
    let file = &f.file;
    let len = file.text.len();
    std::iter::once(&f.primary).chain(&f.related).all(|l| {
        if l.span.start > l.span.end || l.span.end > len {
            return false;
        }
        let first = file.lines.line0(l.span.start).saturating_sub(1);
        let last = file.lines.line0(l.span.end) + 1;
        (first..=last.min(file.lines.line_count() - 1)).all(|line| {
            let start = file.lines.line_start(line);
            let end = file.lines.line_start(line + 1).min(len);
            end.saturating_sub(start) <= MAX_SHOWN_LINE
        })
    })
}

/// A finding without the source drawing: `path:line:col`, the message, the label and the help.
fn plain(f: &Finding) -> String {
    let (line, col) = f.start();
    let severity = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "advice",
    };
    let mut out = format!(
        "{severity}[{}]: {}\n  --> {}:{line}:{col} (the line is too long to show)\n  {}\n",
        f.rule,
        f.message,
        f.file.display_path(),
        f.primary.message
    );
    for l in &f.related {
        let (line, col) = f.file.line_col(l.span.start);
        out.push_str(&format!("  {line}:{col}: {}\n", l.message));
    }
    if let Some(help) = &f.help {
        out.push_str(&format!("  help: {help}\n"));
    }
    if !f.playbook.is_empty() {
        out.push_str(&format!("  playbook: faultline explain {}\n", f.playbook));
    }
    out.push('\n');
    out
}

/// A diagnostic and its file: what `miette::Report::new(d).with_source_code(s)` renders, without
/// building two `Report`s per finding (each asks miette's global hook for a handler, which probes
/// the terminal: seven system calls per finding).
#[derive(Debug)]
struct WithSource {
    diag: MietteDiagnostic,
    src: Window,
}

impl std::fmt::Display for WithSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.diag, f)
    }
}

impl std::error::Error for WithSource {}

impl miette::Diagnostic for WithSource {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.diag.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.diag.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.diag.help()
    }
    fn url<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.diag.url()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.diag.labels()
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.src)
    }
}

/// The file as miette reads it, one window of lines at a time: miette's own `str` source scans
/// from the start of the file on every read, which is quadratic over many findings.
#[derive(Debug)]
struct Window {
    file: Arc<SourceFile>,
    name: String,
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.file.text.as_str();
        let lines = &self.file.lines;
        let (start, end) = (span.offset(), span.offset() + span.len());
        if end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let first = lines.line0(start).saturating_sub(before);
        let last = lines.line0(end) + after;
        let lo = lines.line_start(first);
        let hi = lines.line_start(last + 1).min(text.len());
        let window = &text[lo..hi];
        let inner = window.read_span(
            &SourceSpan::new((start - lo).into(), span.len()),
            before,
            after,
        )?;
        Ok(Box::new(
            MietteSpanContents::new_named(
                self.name.clone(),
                inner.data(),
                SourceSpan::new((inner.span().offset() + lo).into(), inner.span().len()),
                inner.line() + first,
                inner.column(),
                inner.line_count() + first,
            )
            .with_language("yaml"),
        ))
    }
}

fn to_miette(f: &Finding) -> MietteDiagnostic {
    let severity = match f.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        Some(f.primary.message.clone()),
        (
            f.primary.span.start,
            f.primary.span.end - f.primary.span.start,
        ),
    )];
    for l in &f.related {
        labels.push(LabeledSpan::new_with_span(
            Some(l.message.clone()),
            (l.span.start, l.span.end - l.span.start),
        ));
    }
    let mut help = f.help.clone().unwrap_or_default();
    if !help.is_empty() {
        help.push('\n');
    }
    // Places in other files cannot be labels on this file's snippet: one line each.
    for (file, l) in &f.related_elsewhere {
        let (line, column) = file.line_col(l.span.start);
        help.push_str(&format!(
            "{}:{line}:{column}: {}\n",
            file.display_path(),
            l.message
        ));
    }
    if f.playbook.is_empty() {
        // Findings about faultline's own input (suppressions) prevent no failure: no playbook.
        help = help.trim_end().to_string();
    } else {
        help.push_str(&format!(
            "playbook: faultline explain {} ({})",
            f.playbook,
            playbook_url(f.playbook)
        ));
    }
    let diag = MietteDiagnostic::new(f.message.clone())
        .with_code(f.rule)
        .with_severity(severity)
        .with_labels(labels);
    if help.is_empty() {
        diag
    } else {
        diag.with_help(help)
    }
}

/// `3 errors, 1 warning in 2 files (12 files checked)`, and `, 1 input error` when some inputs
/// were unusable or met a limit (their errors are printed before).
pub fn summary(findings: &[Finding], files_checked: usize, unusable: usize) -> String {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let plural = |n: usize, w: &str| {
        if n == 1 {
            format!("{n} {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    let mut files: Vec<_> = findings.iter().map(|f| f.file.display_path()).collect();
    files.sort();
    files.dedup();
    let unusable = if unusable > 0 {
        format!(", {}", plural(unusable, "input error"))
    } else {
        String::new()
    };
    format!(
        "{}, {} in {} ({} checked{unusable})\n",
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        plural(files.len(), "file"),
        plural(files_checked, "file"),
    )
}

/// `--statistics` as a table: findings per rule, most first (then by id), and the total.
pub fn statistics(findings: &[Finding]) -> String {
    let mut out = String::new();
    for (n, rule, sev) in super::json::rule_counts(findings) {
        out.push_str(&format!("{n:>6}  {:<7}  {rule}\n", sev.as_str()));
    }
    out.push_str(&format!(
        "{:>6}  finding{} in all\n",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" }
    ));
    out
}
