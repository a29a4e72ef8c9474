//! Findings for people: miette's graphical report (colour only when `Ui::color`), one per finding,
//! and a summary line.

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

use super::{playbook_url, Finding, Severity};

/// Render findings as miette reports. `color` picks the theme; widths stay at 100 columns so the
/// output is stable in tests and CI logs.
pub fn render(findings: &[Finding], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    for f in findings {
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
