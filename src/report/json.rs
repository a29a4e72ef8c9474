//! Versioned JSON for machines. The DTO here is the contract (`"version": 1`); internal types can
//! change without changing it.

use serde::Serialize;

use super::{playbook_url, Finding, InputError};

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    tool: &'static str,
    findings: Vec<JsonFinding<'a>>,
    errors: Vec<JsonError>,
    files_checked: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    path: String,
    /// 1-based; columns count characters.
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
    rule: &'a str,
    severity: &'a str,
    message: &'a str,
    playbook: &'a str,
    /// `null` for findings that prevent no failure (about suppressions).
    playbook_url: Option<String>,
    help: Option<&'a str>,
    snippet: &'a str,
    related: Vec<JsonLabel<'a>>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    /// The finding's own path, or another file's (a composite action's caller).
    path: String,
    line: usize,
    column: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonError {
    path: String,
    line: Option<usize>,
    column: Option<usize>,
    message: String,
}

pub fn render(findings: &[Finding], errors: &[InputError], files_checked: usize) -> String {
    let out = Output {
        version: 1,
        tool: "faultline",
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
                    severity: f.severity.as_str(),
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
    let mut s = serde_json::to_string_pretty(&out).expect("internal error: JSON of plain data");
    s.push('\n');
    s
}
