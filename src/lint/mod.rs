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
pub mod gitindex;
mod gitlab_env;
pub mod legs;
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
    for part in lint_targets(&targets, opts) {
        run.append(part);
    }
    run.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    // A limit met in a local action is met again by every file that uses it: say it once.
    let mut seen = std::collections::HashSet::new();
    run.errors.retain(|e| seen.insert(e.clone()));
    run
}

/// At most this many threads lint files at once.
const MAX_THREADS: usize = 8;

/// Each target's run, in the order of `targets` (whatever order the threads finish in, so the
/// output is the same as a one-thread run's). Files are independent (their shared facts are
/// `OnceLock`s and `RepoTree`'s cache), so they are linted on every core: a 4,000-file tree takes
/// half the time on two. One file (the pre-commit case) starts no thread.
fn lint_targets(targets: &[Target], opts: &LintOptions) -> Vec<LintRun> {
    let one = |target: &Target| {
        let mut part = LintRun::default();
        lint_target(target, opts, &mut part);
        part
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_THREADS)
        .min(targets.len());
    if threads <= 1 {
        return targets.iter().map(one).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, LintRun)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(target) = targets.get(i) else { break };
                        mine.push((i, one(target)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| match w.join() {
                Ok(mine) => mine,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, part)| part).collect()
}

impl LintRun {
    /// Add `other`'s findings, errors, files and skipped files after this run's.
    fn append(&mut self, mut other: LintRun) {
        self.findings.append(&mut other.findings);
        self.errors.append(&mut other.errors);
        self.files.append(&mut other.files);
        self.skipped.append(&mut other.skipped);
    }
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
