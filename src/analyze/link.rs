//! From a diagnosis back to the configuration line that caused it (`faultline analyze --repo DIR`):
//! lint the repository's CI files and keep the findings whose rule names a diagnosed playbook.
//! The two engines meet here; neither knows the other's internals.

use std::fmt::Write as _;
use std::path::Path;

use schemars::JsonSchema;
use serde::Serialize;

use crate::lint::{self, config::Config, gate, LintOptions};
use crate::report::Finding;

/// A lint finding that predicts a diagnosed failure.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ConfigLine {
    /// The playbook both sides name.
    #[serde(skip)]
    pub playbook: String,
    /// The CI file, relative to the current folder when it is below it.
    pub path: String,
    /// 1-based.
    pub line: usize,
    /// 1-based; columns count characters.
    pub column: usize,
    /// The lint rule that predicts the failure.
    pub rule: String,
    pub severity: crate::report::Severity,
    /// The lint finding's message.
    pub message: String,
}

impl ConfigLine {
    fn from(f: &Finding) -> Self {
        let (line, column) = f.start();
        ConfigLine {
            playbook: f.playbook.to_string(),
            path: f.file.display_path(),
            line,
            column,
            rule: f.rule.to_string(),
            severity: f.severity,
            message: f.message.clone(),
        }
    }
}

/// Lint `repo` (with its `.faultline.yaml`: declared facts, ignores) and keep the findings whose
/// playbook is one of `playbooks`.
pub fn config_lines(repo: &Path, playbooks: &[&str]) -> Result<Vec<ConfigLine>, String> {
    if !repo.is_dir() {
        return Err(format!("{}: --repo needs a folder", repo.display()));
    }
    let root = lint::discover::repo_root(repo);
    let config = Config::for_lint(None, &root, &gate::is_known_rule).map_err(|e| e.to_string())?;
    let run = lint::lint(&LintOptions {
        paths: vec![repo.to_path_buf()],
        root,
        declared: config.declared.clone(),
        no_ignore: false,
        targets: None,
        today: config.today,
        ghes: config.ghes,
    });
    let cwd = std::env::current_dir().unwrap_or_default();
    Ok(run
        .findings
        .iter()
        .filter(|f| playbooks.contains(&f.playbook) && !config.is_ignored(&f.file.path, &cwd))
        .map(ConfigLine::from)
        .collect())
}

pub fn human(lines: &[ConfigLine]) -> String {
    let mut out = String::new();
    if lines.is_empty() {
        return out;
    }
    let _ = writeln!(out, "\nIn the repository (faultline lint)");
    for l in lines {
        let _ = writeln!(
            out,
            "  {}:{}:{} {} ({}): {}",
            l.path,
            l.line,
            l.column,
            l.rule,
            l.severity.as_str(),
            l.message
        );
    }
    out
}

pub fn markdown(lines: &[ConfigLine]) -> String {
    let mut out = String::new();
    if lines.is_empty() {
        return out;
    }
    let _ = writeln!(out, "\n### In the repository\n");
    for l in lines {
        let _ = writeln!(
            out,
            "- `{}:{}:{}` **{}** ({}): {}",
            l.path,
            l.line,
            l.column,
            l.rule,
            l.severity.as_str(),
            l.message
        );
    }
    out
}
