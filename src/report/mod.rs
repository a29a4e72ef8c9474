//! Lint findings and their output formats. A `Finding` is what a rule produced, already resolved to
//! byte spans in one file; reporters only format (human via miette, JSON, SARIF, GitHub annotations)
//! and never know rule logic.

pub mod concise;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod sarif;

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use crate::lint::source::span::LineIndex;

/// How sure a finding is that the build will break.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a gate.
    Info,
    /// Fragile or uncertain: passes today or where the facts are unknown.
    Warning,
    /// This will fail.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// One linted file's text, shared by every finding in it.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user should see it (relative to the current directory when possible).
    pub path: PathBuf,
    pub text: String,
    pub lines: LineIndex,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> Arc<Self> {
        let lines = LineIndex::new(&text);
        Arc::new(SourceFile { path, text, lines })
    }

    /// 1-based (line, column) of a byte offset; columns count characters.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.lines.line_col(&self.text, offset)
    }

    pub fn display_path(&self) -> String {
        self.path.display().to_string()
    }
}

/// A labelled span: the primary one says what is wrong, related ones what decided it.
#[derive(Debug, Clone)]
pub struct Label {
    pub span: Range<usize>,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    /// The playbook of the failure this finding predicts.
    pub playbook: &'static str,
    pub file: Arc<SourceFile>,
    /// One sentence: what will fail and why.
    pub message: String,
    pub primary: Label,
    pub related: Vec<Label>,
    /// Related places in other files (a composite action's finding points back to the caller's
    /// workflow: its `uses:` line, the install that put pip there).
    pub related_elsewhere: Vec<(Arc<SourceFile>, Label)>,
    /// The fix that fits this file.
    pub help: Option<String>,
    /// A mechanical fix, when there is one (`faultline lint --fix`).
    pub fix: Option<Fix>,
}

/// Edits that make a finding go away. `safe` fixes keep the behaviour the file meant (quote a
/// version, move to the supported major of an action); the others change it (a retired runner
/// label to its successor) and need `--unsafe-fixes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub description: String,
    pub edits: Vec<Edit>,
    pub safe: bool,
}

/// Replace the bytes of `span` with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Range<usize>,
    pub replacement: String,
}

impl Finding {
    /// The text of the primary span (the command), used by baselines so line moves don't matter.
    pub fn snippet(&self) -> &str {
        self.file.text.get(self.primary.span.clone()).unwrap_or("")
    }

    pub fn start(&self) -> (usize, usize) {
        self.file.line_col(self.primary.span.start)
    }

    /// End position, inclusive of the last character (1-based column of the last character + 1
    /// is what SARIF and GitHub call the end column; see the reporters).
    pub fn end(&self) -> (usize, usize) {
        self.file.line_col(self.primary.span.end)
    }

    /// Sort key: path (as `display_path` shows it), then position, then rule. The path is
    /// borrowed when it is UTF-8: sorting thousands of findings compared freshly formatted
    /// strings, two allocations per comparison.
    pub fn sort_key(&self) -> (std::borrow::Cow<'_, str>, usize, &'static str) {
        (
            self.file.path.to_string_lossy(),
            self.primary.span.start,
            self.rule,
        )
    }
}

/// A file that could not be used (unreadable, invalid YAML or Dockerfile syntax, a bad
/// configuration or baseline): exit 2, but the other files are still linted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InputError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// An error finding on the `nth` occurrence of `needle` in `file`, for unit tests of the layers
/// that filter findings (suppressions, baselines, the gate).
#[cfg(test)]
pub(crate) fn test_finding(
    file: &Arc<SourceFile>,
    nth: usize,
    needle: &str,
    rule: &'static str,
) -> Finding {
    let start = file
        .text
        .match_indices(needle)
        .nth(nth)
        .expect("needle in text")
        .0;
    Finding {
        rule,
        severity: Severity::Error,
        playbook: "python-externally-managed",
        file: file.clone(),
        message: "fails".into(),
        primary: Label {
            span: start..start + needle.len(),
            message: "here".into(),
        },
        related: Vec::new(),
        related_elsewhere: Vec::new(),
        help: None,
        fix: None,
    }
}

/// The documentation URL of a lint rule (the generated page in this repository).
pub fn rule_url(rule: &str) -> String {
    format!(
        "{}/blob/main/docs/playbooks/rules/{rule}.md",
        crate::HOME_URL
    )
}

/// The documentation URL of a playbook (the generated page in this repository).
pub fn playbook_url(playbook: &str) -> String {
    format!("{}/blob/main/docs/playbooks/{playbook}.md", crate::HOME_URL)
}
