//! The prevent engine. `lint()` is the engine: discovery, one spanned model per file (`source`),
//! the environment model (`env`), and the rules (`rules`), producing raw findings and input errors.
//! `gate` is the command around it: configuration, suppressions, baselines, output, exit codes.

pub mod baseline;
pub mod checkpoint;
pub mod command;
pub mod config;
pub mod discover;
mod docker_env;
pub mod env;
pub mod facts;
pub mod fix;
pub mod gate;
mod gitlab_env;
pub mod platform;
mod platform_data;
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
    /// The text behind a `-` path (standard input), and the path it stands for.
    pub stdin: Option<StdinInput>,
    /// The date time-dependent facts are judged at (`None`: today).
    pub today: Option<facts::Date>,
    /// GitHub Enterprise Server: the artifact and cache deprecations do not apply.
    pub ghes: bool,
}

/// Standard input linted as if it were the file at `path` (`--stdin-filename`; `-` when unnamed).
#[derive(Debug, Clone, Default)]
pub struct StdinInput {
    pub path: PathBuf,
    pub text: String,
}

/// The engine's result, before configuration, suppressions and baselines are applied.
#[derive(Debug, Default)]
pub struct LintRun {
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    /// Every file that was read and modelled (clean or not).
    pub files: Vec<Arc<SourceFile>>,
    /// Paths given (or the repository, when none was) in which nothing was found to lint.
    pub empty: Vec<PathBuf>,
}

/// Lint the files `opts` names. Never panics on bad input: unreadable or unparsable files become
/// `errors`, and the other files are still linted.
pub fn lint(opts: &LintOptions) -> LintRun {
    let stdin_named = opts.paths.iter().any(|p| p.as_os_str() == "-");
    let paths: Vec<PathBuf> = opts
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    let (targets, missing) = if stdin_named && paths.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        discover::discover(&paths, &opts.root)
    };
    let mut run = LintRun::default();
    if paths.is_empty() && !stdin_named && targets.is_empty() && missing.is_empty() {
        run.empty.push(opts.root.clone());
    }
    for p in &paths {
        let found = targets.iter().any(|t| t.path.starts_with(p))
            || missing.iter().any(|(m, _)| m.starts_with(p));
        if !found {
            run.empty.push(p.clone());
        }
    }
    for (path, message) in missing {
        run.errors.push(InputError {
            path,
            line: None,
            column: None,
            message,
        });
    }
    if let (true, Some(input)) = (stdin_named, &opts.stdin) {
        lint_text(&input.path, input.text.clone(), opts, &mut run);
    }
    for target in &targets {
        lint_target(target, opts, &mut run);
    }
    run.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    run
}

fn lint_target(target: &Target, opts: &LintOptions, run: &mut LintRun) {
    let text = match std::fs::read(&target.path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                run.errors.push(InputError {
                    path: target.path.clone(),
                    line: None,
                    column: None,
                    message: "not valid UTF-8 text".into(),
                });
                return;
            }
        },
        Err(e) => {
            run.errors.push(InputError {
                path: target.path.clone(),
                line: None,
                column: None,
                message: discover::describe_io(&e),
            });
            return;
        }
    };
    lint_modelled(
        SourceFile::new(display_path(&target.path), text),
        target.kind,
        opts,
        run,
    );
}

/// Standard input: its kind comes from the path it stands for, else from its first instruction.
fn lint_text(path: &Path, text: String, opts: &LintOptions, run: &mut LintRun) {
    let kind = discover::kind_from_path(path).or_else(|| {
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))?;
        let word = first.split_whitespace().next()?;
        matches!(word.to_ascii_uppercase().as_str(), "FROM" | "ARG").then_some(FileKind::Dockerfile)
    });
    lint_modelled(SourceFile::new(path.to_path_buf(), text), kind, opts, run);
}

fn lint_modelled(
    file: Arc<SourceFile>,
    kind: Option<FileKind>,
    opts: &LintOptions,
    run: &mut LintRun,
) {
    let result = match kind {
        Some(FileKind::Dockerfile) => env::lint_dockerfile(&file, opts),
        Some(kind) => env::lint_yaml(&file, Some(kind), opts),
        None => env::lint_yaml(&file, None, opts),
    };
    match result {
        Ok(Some(mut findings)) => {
            run.findings.append(&mut findings);
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
