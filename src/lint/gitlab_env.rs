//! GitLab CI through the environment model: one scope per job, its image as the platform (no
//! image: unknown, since the runner's default image is not in the file), variables as env, and
//! `before_script` + `script` as one shell, `after_script` as another. Local `include:` files are
//! read so their templates and jobs count.

use std::sync::Arc;

use super::env::{env_base, Env, Scope, ScopeKind, ScriptSource, Walker};
use super::platform;
use super::source::gitlab::{self, Line};
use super::source::yaml::{self, Node};
use super::LintOptions;
use crate::report::{Finding, SourceFile};

pub fn lint_gitlab(file: &Arc<SourceFile>, doc: &Node, opts: &LintOptions) -> Vec<Finding> {
    // Included files, read once each (a missing or broken include is not this file's error:
    // GitLab reports it when the pipeline is created; we only lose its context).
    let mut files: Vec<Arc<SourceFile>> = vec![file.clone()];
    let mut parsed: Vec<Node> = Vec::new();
    let mut queue = gitlab::local_includes(doc);
    let mut seen = std::collections::BTreeSet::new();
    while let Some(inc) = queue.pop() {
        if files.len() > 50 || !seen.insert(inc.clone()) {
            continue;
        }
        let path = opts.root.join(inc.trim_start_matches('/'));
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
        files.push(SourceFile::new(path, text));
        parsed.push(d);
    }
    let docs: Vec<&Node> = std::iter::once(doc).chain(parsed.iter()).collect();
    let srcs: Vec<&str> = files.iter().map(|f| f.text.as_str()).collect();
    let jobs = gitlab::pipeline(&docs, &srcs);
    // The main file's top-level variables, shared by every job's walk. Those of included files
    // (whose spans point elsewhere: labels use the job's name) are set per job, unless the main
    // file sets the same name (it wins).
    let globals: &[gitlab::Variable] = jobs.first().map_or(&[], |j| &j.global_variables[..]);
    let main_names: std::collections::HashSet<&str> = globals
        .iter()
        .filter(|v| v.file == 0)
        .map(|v| v.name.as_str())
        .collect();
    let in_base = |v: &gitlab::Variable| v.file == 0 && v.name != "PATH";
    let base = env_base(
        globals
            .iter()
            .filter(|v| in_base(v))
            .map(|v| (v.name.as_str(), v.value.clone(), v.span.clone())),
    );
    let mut out = Vec::new();
    for job in jobs.iter().filter(|j| j.file == 0) {
        // No image in the file: the runner decides (GitLab.com's default, or a self-managed
        // runner's config): unknown. `tags:` may route the job to a shell executor, which ignores
        // `image:` (pep668.md §4): the image is then likely but not certain, so warnings only.
        let platform = match &job.image {
            Some((image, _, _)) => platform::image(image, &opts.declared),
            _ => None,
        };
        let platform_span = job
            .image
            .as_ref()
            .filter(|(_, _, f)| *f == 0)
            .map(|(_, s, _)| s.clone());
        let scope = Scope {
            file: file.clone(),
            kind: ScopeKind::GitlabJob,
            platform,
            platform_span,
            platform_overridable: job.has_tags,
            note: if job.has_tags {
                " (if the job's `tags:` pick a Docker executor; a shell executor ignores `image:`)"
                    .to_string()
            } else {
                String::new()
            },
        };
        let mut w = Walker::new(scope);
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
            let span = if v.file == 0 {
                v.span.clone()
            } else {
                job.name_span.clone()
            };
            w.set_env(&v.name, v.value.clone(), span);
        }
        run_lines(
            &mut w,
            &job.before_script
                .iter()
                .chain(job.script.iter())
                .collect::<Vec<_>>(),
            &job.name_span,
        );
        run_lines(
            &mut w,
            &job.after_script.iter().collect::<Vec<_>>(),
            &job.name_span,
        );
        out.append(&mut w.findings);
    }
    out
}

/// Maps a span in one script line to the file.
type ToFile = Box<dyn Fn(&std::ops::Range<usize>) -> std::ops::Range<usize>>;

/// Lines from other files still run (they change the state), but their findings would point into
/// another file: map their spans to the job name instead.
fn run_lines(w: &mut Walker, lines: &[&Line], job_span: &std::ops::Range<usize>) {
    let unknown = lines.iter().any(|l| matches!(l, Line::Unknown));
    let maps: Vec<ToFile> = lines
        .iter()
        .map(|l| -> ToFile {
            match l {
                Line::Script { file: 0, text } => {
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
