//! From a diagnosis back to the configuration line that caused it (`faultline analyze --repo DIR`):
//! lint the repository's CI files and keep the findings whose rule names a diagnosed playbook.
//! The two engines meet here; neither knows the other's internals.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::lint::{self, config::Config, gate, LintOptions};
use crate::report::Finding;

/// A lint finding that predicts a diagnosed failure.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigLine {
    /// The playbook both sides name.
    #[serde(skip)]
    pub playbook: String,
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub rule: String,
    pub severity: &'static str,
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
            severity: f.severity.as_str(),
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
            l.path, l.line, l.column, l.rule, l.severity, l.message
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
            l.path, l.line, l.column, l.rule, l.severity, l.message
        );
    }
    out
}

/// Add `"configuration": [...]` to each diagnosis of analyze's JSON (an additive field of schema 1).
pub fn json(report: &str, lines: &[ConfigLine]) -> String {
    let Ok(mut v) = serde_json::from_str::<serde_json::Value>(report) else {
        return report.to_string();
    };
    if let Some(diags) = v.get_mut("diagnoses").and_then(|d| d.as_array_mut()) {
        for d in diags {
            let id = d
                .get("playbook")
                .and_then(|p| p.as_str())
                .unwrap_or("")
                .to_string();
            let mine: Vec<&ConfigLine> = lines.iter().filter(|l| l.playbook == id).collect();
            d["configuration"] = serde_json::to_value(mine).unwrap_or_default();
        }
    }
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_else(|_| report.to_string());
    s.push('\n');
    s
}
