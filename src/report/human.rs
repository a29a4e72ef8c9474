//! Findings for people: miette's graphical report (colour only when `Ui::color`), one per finding,
//! and a summary line.

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

use super::{playbook_url, Finding, Severity};

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
    for (i, f) in findings.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let diag = to_miette(f);
        let src =
            NamedSource::new(f.file.display_path(), f.file.text.clone()).with_language("yaml");
        let report = miette::Report::new(diag).with_source_code(src);
        if handler.render_report(&mut out, report.as_ref()).is_err() {
            out.push_str(&format!("{}: {}\n", f.file.display_path(), f.message));
        }
    }
    out
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

/// `3 errors, 1 warning in 2 files (12 files checked)`, and `, 1 unreadable` inside the brackets
/// when some files could not be read or parsed.
pub fn summary(findings: &[Finding], files_checked: usize, unreadable: usize) -> String {
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
    let unreadable = if unreadable > 0 {
        format!(", {unreadable} unreadable")
    } else {
        String::new()
    };
    format!(
        "{}, {} in {} ({} checked{unreadable})\n",
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        plural(files.len(), "file"),
        plural(files_checked, "file"),
    )
}
