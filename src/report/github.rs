//! Findings as GitHub Actions workflow commands (`::error file=…,line=…::message`), which the runner
//! turns into annotations on the run and on the pull request's diff. One line per finding.
//!
//! Escaping follows the runner's parser (actions/toolkit `command.ts`): in the message, `%`, CR and
//! LF are percent-encoded; in properties, `:` and `,` are too. Columns are sent only when the
//! finding starts and ends on one line: the runner drops `col`/`endColumn` when `line` and
//! `endLine` differ (actions/runner `ValidateLinesAndColumns`).

use std::fmt::Write as _;

use super::sarif::{region, Region};
use super::{playbook_url, Finding, InputError, Severity};

/// Render findings (and unusable inputs, as errors) as workflow commands. `path_of` maps a file to
/// the path GitHub knows it by (relative to the repository root, forward slashes).
pub fn render(
    findings: &[Finding],
    errors: &[InputError],
    path_of: &dyn Fn(&std::path::Path) -> String,
) -> String {
    let mut out = String::new();
    for f in findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let Region {
            start_line,
            start_column,
            end_line,
            end_column,
        } = region(&f.file, &f.primary.span);
        let mut props = format!(
            "file={},line={start_line}",
            escape_property(&path_of(&f.file.path))
        );
        if end_line == start_line {
            write!(props, ",col={start_column},endColumn={end_column}")
                .expect("internal error: write to String");
        } else {
            write!(props, ",endLine={end_line}").expect("internal error: write to String");
        }
        write!(
            props,
            ",title={}",
            escape_property(&format!("faultline ({})", f.rule))
        )
        .expect("internal error: write to String");
        let mut message = f.message.clone();
        if let Some(help) = &f.help {
            message.push_str("\n\nhelp: ");
            message.push_str(help);
        }
        if !f.playbook.is_empty() {
            message.push_str("\nplaybook: ");
            message.push_str(&playbook_url(f.playbook));
        }
        writeln!(out, "::{command} {props}::{}", escape_data(&message))
            .expect("internal error: write to String");
    }
    for e in errors {
        let mut props = format!("file={}", escape_property(&path_of(&e.path)));
        if let Some(line) = e.line {
            write!(props, ",line={line}").expect("internal error: write to String");
            if let Some(col) = e.column {
                write!(props, ",col={col}").expect("internal error: write to String");
            }
        }
        props.push_str(",title=faultline");
        writeln!(out, "::error {props}::{}", escape_data(&e.message))
            .expect("internal error: write to String");
    }
    out
}

/// The message part of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value (`file=`, `title=`): also `:` and `,`, which would end the value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    use super::*;
    use crate::report::{Label, SourceFile};

    fn finding(
        file: &Arc<SourceFile>,
        needle: &str,
        severity: Severity,
        help: Option<&str>,
    ) -> Finding {
        let start = file.text.find(needle).expect("needle in text");
        Finding {
            rule: "pip-install-externally-managed",
            severity,
            playbook: "python-externally-managed",
            file: file.clone(),
            message: "pip install will fail: 50% of the time, always".into(),
            primary: Label {
                span: start..start + needle.len(),
                message: "here".into(),
            },
            related: Vec::new(),
            related_elsewhere: Vec::new(),
            help: help.map(str::to_string),
            fix: None,
        }
    }

    fn rel(p: &Path) -> String {
        p.to_string_lossy().replace('\\', "/")
    }

    #[test]
    fn escapes_data_and_properties() {
        assert_eq!(escape_data("a%b\r\nc: d, e"), "a%25b%0D%0Ac: d, e");
        assert_eq!(escape_property("a%b\r\nc: d, e"), "a%25b%0D%0Ac%3A d%2C e");
    }

    #[test]
    fn one_line_per_finding_with_columns_on_one_line() {
        // The é before the command makes byte and character columns differ: columns count characters.
        let file = SourceFile::new(
            PathBuf::from(".github/workflows/ci.yml"),
            "jobs:\n  b:\n    steps:\n      - run: echo é; pip install requests\n".into(),
        );
        let f = finding(
            &file,
            "pip install requests",
            Severity::Error,
            Some("use a venv"),
        );
        let out = render(&[f], &[], &rel);
        assert_eq!(
            out,
            "::error file=.github/workflows/ci.yml,line=4,col=22,endColumn=42,title=faultline (pip-install-externally-managed)::\
             pip install will fail: 50%25 of the time, always%0A%0Ahelp: use a venv%0A\
             playbook: https://github.com/faultline-ci/faultline/blob/main/docs/playbooks/python-externally-managed.md\n"
        );
    }

    #[test]
    fn multi_line_spans_drop_columns_and_severities_map() {
        let file = SourceFile::new(
            PathBuf::from("Dockerfile"),
            "FROM debian:12\nRUN pip install \\\n    flask\n".into(),
        );
        let w = finding(&file, "pip install \\\n    flask", Severity::Warning, None);
        let mut i = finding(&file, "FROM", Severity::Info, None);
        i.playbook = "";
        let out = render(&[w, i], &[], &rel);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "::warning file=Dockerfile,line=2,endLine=3,title=faultline (pip-install-externally-managed)::pip install will fail: 50%25 \
             of the time, always%0Aplaybook: https://github.com/faultline-ci/faultline/blob/main/docs/playbooks/python-externally-managed.md"
        );
        assert_eq!(
            lines[1],
            "::notice file=Dockerfile,line=1,col=1,endColumn=5,title=faultline (pip-install-externally-managed)::pip install will fail: 50%25 of the time, always"
        );
    }

    #[test]
    fn input_errors_are_error_annotations() {
        let e = InputError {
            path: PathBuf::from("a,b.yml"),
            line: Some(3),
            column: Some(7),
            message: "did not find expected key".into(),
        };
        assert_eq!(
            render(&[], &[e], &rel),
            "::error file=a%2Cb.yml,line=3,col=7,title=faultline::did not find expected key\n"
        );
    }
}
