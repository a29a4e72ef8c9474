//! The prevent engine. `lint()` is the engine: discovery, one spanned model per file (`source`),
//! the environment model (`env`), and the rules (`rules`), producing raw findings and input errors.
//! `gate` is the command around it: configuration, suppressions, baselines, output, exit codes.

pub mod baseline;
pub mod command;
pub mod config;
pub mod discover;
mod docker_env;
pub mod env;
pub mod gate;
mod gitlab_env;
pub mod platform;
mod platform_data;
pub mod read;
pub mod rules;
pub mod source;
pub mod suppress;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use crate::cli::{ExplainArgs, LintArgs, RulesArgs};
use crate::report::{Finding, InputError, SourceFile};
use crate::ui::Ui;

use discover::{FileKind, Target};

/// What the engine needs to know beyond the files.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Files or folders; empty means the repository at `root`.
    pub paths: Vec<PathBuf>,
    /// The repository root (for discovery and for resolving local includes and actions).
    pub root: PathBuf,
    /// Facts the files cannot show, declared in the configuration.
    pub declared: platform::Declared,
}

/// The engine's result, before configuration, suppressions and baselines are applied.
#[derive(Debug, Default)]
pub struct LintRun {
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    /// Every file that was read and modelled (clean or not).
    pub files: Vec<Arc<SourceFile>>,
}

/// Lint the files `opts` names. Never panics on bad input: unreadable or unparsable files become
/// `errors`, and the other files are still linted.
pub fn lint(opts: &LintOptions) -> LintRun {
    let (targets, missing) = discover::discover(&opts.paths, &opts.root);
    let mut run = LintRun::default();
    for (path, message) in missing {
        run.errors.push(InputError {
            path,
            line: None,
            column: None,
            message,
        });
    }
    for target in &targets {
        lint_target(target, opts, &mut run);
    }
    run.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    // A limit met in a local action is met again by every file that uses it: say it once.
    let mut seen = std::collections::HashSet::new();
    run.errors.retain(|e| seen.insert(e.clone()));
    run
}

fn lint_target(target: &Target, opts: &LintOptions, run: &mut LintRun) {
    let text = match read::read_text(&target.path) {
        Ok(t) => t,
        Err(e) => {
            run.errors.push(InputError {
                path: display_path(&target.path),
                line: e.line,
                column: e.column,
                message: e.message,
            });
            return;
        }
    };
    let file = SourceFile::new(display_path(&target.path), text);
    let result = match target.kind {
        Some(FileKind::Dockerfile) => env::lint_dockerfile(&file, opts),
        Some(kind) => env::lint_yaml(&file, Some(kind), opts),
        None => env::lint_yaml(&file, None, opts),
    };
    match result {
        Ok(Some((mut findings, mut notes))) => {
            run.findings.append(&mut findings);
            run.errors.append(&mut notes);
            run.files.push(file);
        }
        Ok(None) => {} // a YAML file of no kind we lint: skipped quietly
        Err(e) => run.errors.push(e),
    }
}

/// Paths are shown relative to the current directory when they are below it.
pub(crate) fn display_path(path: &Path) -> PathBuf {
    let cwd = std::env::current_dir().ok();
    match cwd.as_deref().and_then(|c| path.strip_prefix(c).ok()) {
        Some(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        _ => path.strip_prefix("./").unwrap_or(path).to_path_buf(),
    }
}

pub fn run_lint(args: &LintArgs, ui: &Ui) -> ExitCode {
    gate::run_lint(args, ui)
}

pub fn run_rules(args: &RulesArgs, ui: &Ui) -> ExitCode {
    rules::run_rules(args, ui)
}

pub fn run_explain_rule(args: &ExplainArgs, ui: &Ui) -> ExitCode {
    rules::run_explain_rule(args, ui)
}
