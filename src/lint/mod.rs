//! The prevent engine. `lint()` is the engine: discovery, one spanned model per file (`source`),
//! the environment model (`env`), and the rules (`rules`), producing raw findings and input errors.
//! `gate` is the policy around it: configuration, suppressions, rule settings and selection.

pub mod baseline;
pub mod checkpoint;
pub mod command;
pub mod config;
pub mod discover;
pub mod distro;
mod docker_env;
pub mod env;
pub mod facts;
pub mod fix;
pub mod gate;
mod gitlab_env;
pub mod platform;
mod platform_data;
pub mod read;
pub mod rules;
pub mod source;
pub mod suppress;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::report::{Finding, InputError, SourceFile};

use discover::{FileKind, Target};

/// What the engine needs to know beyond the files.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Files or folders; empty means the repository at `root`.
    pub paths: Vec<PathBuf>,
    /// Files already discovered (the gate splits them by configuration): `paths` is then unused.
    pub targets: Option<Vec<Target>>,
    /// The repository root (for discovery and for resolving local includes and actions).
    pub root: PathBuf,
    /// Facts the files cannot show, declared in the configuration.
    pub declared: platform::Declared,
    /// `--no-ignore`: walk what `.gitignore`, `.ignore` and git's exclude files exclude.
    pub no_ignore: bool,
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
    /// Files named on the command line that are no CI file faultline knows (warnings, skipped).
    pub skipped: Vec<InputError>,
}

/// The warning for a named file that is not one faultline lints.
pub const NOT_CI_FILE: &str = "not a CI file I know (a GitHub Actions workflow or composite action, a GitLab CI file or a Dockerfile): skipped";

/// Lint the files `opts` names. Never panics on bad input: unreadable or unparsable files become
/// `errors`, and the other files are still linted.
pub fn lint(opts: &LintOptions) -> LintRun {
    let (targets, missing) = match &opts.targets {
        Some(t) => (t.clone(), Vec::new()),
        None => discover::discover(&opts.paths, &opts.root, !opts.no_ignore),
    };
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

/// Lint standard input as the file it stands for: its kind comes from that path, else from its
/// content (a Dockerfile's first instruction, a YAML document's keys).
pub fn lint_stdin(input: &StdinInput, opts: &LintOptions) -> LintRun {
    let mut run = LintRun::default();
    let kind = discover::kind_from_path(&input.path);
    let file = SourceFile::new(input.path.clone(), input.text.clone());
    let result = match kind {
        Some(FileKind::Dockerfile) => env::lint_dockerfile(&file, opts),
        Some(kind) => env::lint_yaml(&file, Some(kind), opts),
        None if discover::sniff_dockerfile(&file.text) => env::lint_dockerfile(&file, opts),
        None => env::lint_yaml(&file, None, opts),
    };
    record(&mut run, file, &input.path, result);
    run.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
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
    let yaml_name = target
        .path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"));
    // A named file the repository's pipeline includes is a GitLab file, even one that holds only
    // templates (hidden `.jobs`), which its content alone would not show.
    let kind = target.kind.or_else(|| {
        (yaml_name && gitlab_env::is_included(&target.path, &opts.root))
            .then_some(FileKind::GitlabCi)
    });
    let file = SourceFile::new(display_path(&target.path), text);
    let result = match kind {
        Some(FileKind::Dockerfile) => env::lint_dockerfile(&file, opts),
        Some(kind) => env::lint_yaml(&file, Some(kind), opts),
        // Named on the command line, and the path says nothing: the content decides.
        // Named after Dockerfiles but excluded by name (a template, source code): not one.
        None if !yaml_name && discover::docker_name(&target.path) == Some(false) => Ok(None),
        None if !yaml_name && discover::sniff_dockerfile(&file.text) => {
            env::lint_dockerfile(&file, opts)
        }
        None => match env::lint_yaml(&file, None, opts) {
            // A file that is not YAML and not named like YAML is no CI file, not a broken one.
            Err(_) if !yaml_name => Ok(None),
            other => other,
        },
    };
    record(run, file, &target.path, result);
}

/// What linting one file gives: its findings and limit notes, `None` for no CI file, or why it
/// could not be used.
type FileOutcome = Result<Option<(Vec<Finding>, Vec<InputError>)>, InputError>;

/// Add one file's outcome to the run: its findings and limit notes, or that it is no CI file, or
/// its input error.
fn record(run: &mut LintRun, file: Arc<SourceFile>, path: &Path, result: FileOutcome) {
    match result {
        Ok(Some((mut findings, mut notes))) => {
            run.findings.append(&mut findings);
            run.errors.append(&mut notes);
            run.files.push(file);
        }
        Ok(None) => run.skipped.push(InputError {
            path: path.to_path_buf(),
            line: None,
            column: None,
            message: NOT_CI_FILE.into(),
        }),
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
