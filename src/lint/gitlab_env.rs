//! GitLab CI through the environment model: one scope per job, its image as the platform (no
//! image: unknown, since the runner's default image is not in the file), variables as env, and
//! `before_script` + `script` as one shell, `after_script` as another. Local `include:` files are
//! read so their templates and jobs count. A file that the repository's `.gitlab-ci.yml` includes
//! is linted in that pipeline's context (its `default:`, `variables:`, templates), whichever file
//! is named: pre-commit, for one, passes the included file alone.

use std::path::Path;
use std::sync::Arc;

use super::checkpoint::Checkpoint;
use super::env::{env_base, Env, Scope, ScopeImage, ScopeKind, ScriptSource, Walker};
use super::platform;
use super::source::gitlab::{self, Line};
use super::source::yaml::{self, Node};
use super::LintOptions;
use crate::report::{Finding, SourceFile};

/// The pipeline's main file at the repository root.
const MAIN_FILES: [&str; 2] = [".gitlab-ci.yml", ".gitlab-ci.yaml"];

/// A pipeline: the main file and its local includes (read once each), and which of them is linted.
struct Pipeline {
    files: Vec<Arc<SourceFile>>,
    docs: Vec<Node>,
    /// The index of the file whose jobs are linted.
    target: usize,
}

/// The main file and its local includes. `named`, when it is one of the includes, is used as read
/// (its `SourceFile` is the one findings point into). A missing or broken include is not this
/// file's error: GitLab reports it when the pipeline is created; we only lose its context.
fn gather(
    main: (Arc<SourceFile>, Node),
    named: Option<(&Arc<SourceFile>, &Node, &Path)>,
    opts: &LintOptions,
) -> Pipeline {
    let mut queue = gitlab::local_includes(&main.1);
    let mut p = Pipeline {
        files: vec![main.0],
        docs: vec![main.1],
        target: 0,
    };
    let mut seen = std::collections::BTreeSet::new();
    while let Some(inc) = queue.pop() {
        if p.files.len() > 50 || !seen.insert(inc.clone()) {
            continue;
        }
        let path = opts.root.join(inc.trim_start_matches('/'));
        if let Some((file, doc, canon)) = named {
            if std::fs::canonicalize(&path).is_ok_and(|c| c == canon) {
                queue.extend(gitlab::local_includes(doc));
                p.target = p.files.len();
                p.files.push(file.clone());
                p.docs.push(doc.clone());
                continue;
            }
        }
        let Ok(text) = super::read::read_text(&path) else {
            continue;
        };
        let Ok(mut docs) = yaml::parse(&text) else {
            continue;
        };
        if docs.is_empty() {
            continue;
        }
        let d = docs.swap_remove(0);
        queue.extend(gitlab::local_includes(&d));
        p.files
            .push(SourceFile::new(super::display_path(&path), text));
        p.docs.push(d);
    }
    p
}

/// The pipeline `file` belongs to: the repository's main file when it includes `file` (directly
/// or through other includes), else `file` as its own main file.
fn pipeline_of(file: &Arc<SourceFile>, doc: &Node, opts: &LintOptions) -> Pipeline {
    let canon = std::fs::canonicalize(&file.path).ok();
    let main = MAIN_FILES
        .iter()
        .map(|n| opts.root.join(n))
        .find(|p| p.is_file());
    if let (Some(canon), Some(main)) = (&canon, main) {
        let is_main = std::fs::canonicalize(&main).is_ok_and(|c| &c == canon);
        if !is_main {
            if let Some(d) = std::fs::read_to_string(&main).ok().and_then(|text| {
                let mut docs = yaml::parse(&text).ok()?;
                (!docs.is_empty()).then(|| (text, docs.swap_remove(0)))
            }) {
                let main_file = SourceFile::new(super::display_path(&main), d.0);
                let p = gather((main_file, d.1), Some((file, doc, canon)), opts);
                if p.target != 0 {
                    return p;
                }
            }
        }
    }
    gather((file.clone(), doc.clone()), None, opts)
}

/// Files the repository's main pipeline file includes locally (for discovery: their jobs are
/// linted in the pipeline's context, whatever their names).
pub fn included_files(root: &Path) -> Vec<std::path::PathBuf> {
    let Some(main) = MAIN_FILES
        .iter()
        .map(|n| root.join(n))
        .find(|p| p.is_file())
    else {
        return Vec::new();
    };
    let Some((file, doc)) = std::fs::read_to_string(&main).ok().and_then(|text| {
        let mut docs = yaml::parse(&text).ok()?;
        (!docs.is_empty()).then(|| (SourceFile::new(main.clone(), text), docs.swap_remove(0)))
    }) else {
        return Vec::new();
    };
    let opts = LintOptions {
        root: root.to_path_buf(),
        ..LintOptions::default()
    };
    let p = gather((file, doc), None, &opts);
    p.files.iter().skip(1).map(|f| f.path.clone()).collect()
}

/// Whether the repository's main pipeline file includes `path` (directly or through includes).
pub fn is_included(path: &Path, root: &Path) -> bool {
    let Ok(canon) = std::fs::canonicalize(path) else {
        return false;
    };
    included_files(root)
        .iter()
        .any(|p| std::fs::canonicalize(p).is_ok_and(|c| c == canon))
}

/// The findings of the shell walk over the jobs of `file`, and the jobs' checkpoints (for the
/// rules' `check_point`, dispatched with the other kinds').
pub fn lint_gitlab(
    file: &Arc<SourceFile>,
    doc: &Node,
    opts: &LintOptions,
) -> (Vec<Finding>, Vec<Checkpoint<'static>>) {
    let Pipeline {
        files,
        docs,
        target,
    } = pipeline_of(file, doc, opts);
    let file = &files[target];
    let docs: Vec<&Node> = docs.iter().collect();
    let srcs: Vec<&str> = files.iter().map(|f| f.text.as_str()).collect();
    let jobs = gitlab::pipeline(&docs, &srcs);
    // The main file's top-level variables, shared by every job's walk when the main file is the
    // one linted (their spans are then local). The others are set per job, labelled in their own
    // file, unless the main file sets the same name (it wins).
    let globals: &[gitlab::Variable] = jobs.first().map_or(&[], |j| &j.global_variables[..]);
    let main_names: std::collections::HashSet<&str> = globals
        .iter()
        .filter(|v| v.file == 0)
        .map(|v| v.name.as_str())
        .collect();
    let in_base = |v: &gitlab::Variable| target == 0 && v.file == 0 && v.name != "PATH";
    let base = env_base(
        globals
            .iter()
            .filter(|v| in_base(v))
            .map(|v| (v.name.as_str(), v.value.clone(), v.span.clone())),
    );
    let mut out = Vec::new();
    for job in jobs.iter().filter(|j| j.file == target && j.has_script) {
        // No image in the file: the runner decides (GitLab.com's default, or a self-managed
        // runner's config): unknown. `tags:` may route the job to a shell executor, which ignores
        // `image:` (pep668.md §4): the image is then likely but not certain, so warnings only.
        let platform = match &job.image {
            Some((image, _, _)) => platform::image(image, &opts.declared),
            _ => None,
        };
        let platform_span = job.image.as_ref().map(|(_, s, f)| (s.clone(), *f));
        let scope = Scope {
            file: file.clone(),
            kind: ScopeKind::GitlabJob,
            platform,
            platform_span: None,
            platform_overridable: job.has_tags,
            image: job.image.as_ref().and_then(|(image, _, _)| {
                ScopeImage::of(image, opts.today.unwrap_or_else(super::facts::Date::today))
            }),
            note: if job.has_tags {
                " (if the job's `tags:` pick a Docker executor; a shell executor ignores `image:`)"
                    .to_string()
            } else {
                String::new()
            },
        };
        let mut w = Walker::new(scope);
        // What comes from another file of the pipeline (the includer's `default: image:`, its
        // variables) is labelled in that file.
        w.scope.platform_span = platform_span.map(|(s, f)| {
            if f == target {
                s
            } else {
                w.foreign_span(&files[f], s)
            }
        });
        if job.allow_failure {
            w.step_tolerated = Some("the job has `allow_failure`, so the pipeline goes on");
        }
        w.state.env = Env::with_base(base.clone());
        let per_job = job
            .global_variables
            .iter()
            .filter(|v| !in_base(v) && (v.file == 0 || !main_names.contains(v.name.as_str())))
            .chain(&job.variables);
        for v in per_job {
            let span = if v.file == target {
                v.span.clone()
            } else {
                w.foreign_span(&files[v.file], v.span.clone())
            };
            w.set_env(&v.name, v.value.clone(), span);
        }
        // The job starts in the project folder, a clone of this repository (unless
        // `GIT_STRATEGY: none` skips it).
        let git_none = w
            .state
            .env
            .get("GIT_STRATEGY")
            .is_some_and(|v| v.value.as_deref().is_none_or(|s| s.trim() == "none"));
        if !git_none {
            w.state.workspace_repo = Some(true);
            w.start_dir = Some(String::new());
            w.root = Some(opts.root.clone());
        }
        run_lines(
            &mut w,
            &job.before_script
                .iter()
                .chain(job.script.iter())
                .collect::<Vec<_>>(),
            &job.name_span,
            target,
        );
        run_lines(
            &mut w,
            &job.after_script.iter().collect::<Vec<_>>(),
            &job.name_span,
            target,
        );
        w.resolve_foreign(0);
        out.append(&mut w.findings);
    }
    let points = super::checkpoint::gitlab_jobs(&jobs, &files, target);
    (out, points)
}

/// Maps a span in one script line to the file.
type ToFile = Box<dyn Fn(&std::ops::Range<usize>) -> std::ops::Range<usize>>;

/// Lines from other files still run (they change the state), but their findings would point into
/// another file: map their spans to the job name instead.
fn run_lines(w: &mut Walker, lines: &[&Line], job_span: &std::ops::Range<usize>, target: usize) {
    let unknown = lines.iter().any(|l| matches!(l, Line::Unknown));
    let maps: Vec<ToFile> = lines
        .iter()
        .map(|l| -> ToFile {
            match l {
                Line::Script { file, text } if *file == target => {
                    let t = text.clone();
                    Box::new(move |r: &std::ops::Range<usize>| t.span_to_file(r))
                }
                _ => {
                    let s = job_span.clone();
                    Box::new(move |_: &std::ops::Range<usize>| s.clone())
                }
            }
        })
        .collect();
    let srcs: Vec<ScriptSource<'_>> = lines
        .iter()
        .zip(maps.iter())
        .filter_map(|(l, m)| match l {
            Line::Script { text, .. } => Some(ScriptSource {
                text: &text.text,
                to_file: m.as_ref(),
            }),
            Line::Unknown => None,
        })
        .collect();
    w.shell_lines(&srcs, unknown);
}
