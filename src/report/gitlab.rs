//! A GitLab Code Quality report (`artifacts:reports:codequality`): a JSON array of issues with the
//! fields GitLab documents as required: `description`, `check_name`, `fingerprint` (unique per
//! finding and stable across runs: the SARIF fingerprint recipe), `severity` (`info`, `minor`,
//! `major`, `critical` or `blocker`) and `location.path` + `location.lines.begin`.

use serde::Serialize;

use super::{Finding, Severity};

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    engine_name: &'static str,
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    categories: [&'static str; 1],
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

/// An error finding is a job that will fail (`critical`); a warning may fail (`minor`).
fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

pub fn render(
    findings: &[Finding],
    path_of: &dyn Fn(&std::path::Path) -> String,
    fingerprint_of: &dyn Fn(&Finding) -> String,
) -> String {
    let issues: Vec<Issue<'_>> = findings
        .iter()
        .map(|f| Issue {
            kind: "issue",
            engine_name: "faultline",
            description: format!("{} ({})", f.message, f.rule),
            check_name: f.rule,
            fingerprint: fingerprint_of(f),
            severity: severity(f.severity),
            categories: ["Bug Risk"],
            location: Location {
                path: path_of(&f.file.path),
                lines: Lines {
                    begin: f.start().0,
                    end: f.end().0,
                },
            },
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&issues).expect("internal error: JSON of plain data");
    s.push('\n');
    s
}
