//! Dockerfiles through the environment model: each stage starts from its `FROM` image (or the
//! stage it builds on), `ENV` and `ARG` set variables, `ENV PATH=` can put a venv first, `SHELL`
//! picks the shell, and every `RUN` is a new shell.

use std::sync::Arc;

use super::env::{is_posix_shell, Scope, ScopeImage, ScopeKind, ScriptSource, State, Walker};
use super::platform::{self, Platform};
use super::source::dockerfile::{self, Args, Instruction};
use super::source::span::Span;
use super::LintOptions;
use crate::report::{Finding, InputError, SourceFile};

/// What a later stage built `FROM` this one starts with: its platform, where that was declared,
/// whether an ARG can change it, the state at its end, and the ARG names (which do not carry over).
type StageEnd = (Option<Platform>, Option<Span>, bool, State, Vec<String>);

pub fn lint_dockerfile(
    file: &Arc<SourceFile>,
    opts: &LintOptions,
) -> Result<Vec<Finding>, InputError> {
    let df = dockerfile::parse(&file.text).map_err(|e| InputError {
        path: file.path.clone(),
        line: Some(e.line),
        column: Some(e.column),
        message: format!("invalid Dockerfile: {}", e.message),
    })?;
    let mut findings = Vec::new();
    // The state at the end of each stage, for stages built `FROM` an earlier one: kept only
    // while a later stage still needs it, and handed over (not copied) to the last one, so a
    // chain of thousands of stages does not keep thousands of growing states.
    let mut children = vec![0usize; df.stages.len()];
    for stage in &df.stages {
        if let Some(c) = stage.parent_stage.and_then(|i| children.get_mut(i)) {
            *c += 1;
        }
    }
    let mut finals: Vec<Option<StageEnd>> = Vec::new();
    for (index, stage) in df.stages.iter().enumerate() {
        let parent = stage.parent_stage.and_then(|i| {
            let left = children.get_mut(i)?;
            *left = left.saturating_sub(1);
            let slot = finals.get_mut(i)?;
            if *left == 0 {
                slot.take()
            } else {
                slot.clone()
            }
        });
        let (platform, span, overridable, state) = match parent {
            Some((p, s, o, mut st, args)) => {
                // ENV is part of the image and carries over; ARG does not.
                for a in &args {
                    st.env.remove(a);
                }
                (p, s, o, st)
            }
            None => {
                let p = stage
                    .image
                    .as_deref()
                    .and_then(|i| platform::image(i, &opts.declared));
                (
                    p,
                    Some(stage.image_span.clone()),
                    stage.image_depends_on_arg,
                    State::default(),
                )
            }
        };
        // An image from an `ARG` default is judged as the default build (what `docker build .`
        // does); the message names the default and says `--build-arg` changes it.
        let note = if overridable {
            " (the default build: an ARG default, which `--build-arg` can change)".to_string()
        } else {
            String::new()
        };
        let scope = Scope {
            file: file.clone(),
            kind: ScopeKind::DockerStage,
            platform: platform.clone(),
            platform_span: span.clone(),
            platform_overridable: false,
            note,
            image: root_image(&df, index).and_then(|r| {
                ScopeImage::of(r, opts.today.unwrap_or_else(super::facts::Date::today))
            }),
        };
        let mut w = Walker::new(scope);
        w.state = state;
        // RUN is `/bin/sh -c`: no errexit, no pipefail (until `set -e` or a SHELL says otherwise).
        w.errexit = false;
        w.pipefail = false;
        let mut posix = true;
        let mut args = Vec::new();
        for inst in &df.instructions[stage.instructions.clone()] {
            if let ("ARG", Args::KeyValues { pairs }) = (inst.keyword.as_str(), &inst.args) {
                args.extend(pairs.iter().map(|kv| kv.key.clone()));
            }
            instruction(&mut w, inst, &mut posix, file);
        }
        findings.append(&mut w.findings);
        let needed = children.get(index).copied().unwrap_or(0);
        if needed > 1 {
            w.state.env.freeze();
        }
        let needed = needed > 0;
        finals.push(needed.then_some((platform, span, overridable, w.state, args)));
    }
    // The checkpoints beside the commands: each base image.
    let points = super::checkpoint::dockerfile(&df);
    let ctx = super::checkpoint::Context {
        file: file.clone(),
        today: opts.today.unwrap_or_else(super::facts::Date::today),
        ghes: opts.ghes,
        repo: super::checkpoint::RepoTree::of(&opts.root),
    };
    super::rules::check_points(&points, &ctx, &mut findings);
    Ok(findings)
}

fn instruction(w: &mut Walker, inst: &Instruction, posix: &mut bool, file: &Arc<SourceFile>) {
    match (inst.keyword.as_str(), &inst.args) {
        ("ENV", Args::KeyValues { pairs }) | ("ARG", Args::KeyValues { pairs }) => {
            for kv in pairs {
                let raw = kv.value.clone();
                let value = match (&raw, kv.key.as_str()) {
                    (Some(v), "PATH") => Some(v.clone()),
                    (Some(v), _) if !v.contains('$') => Some(v.clone()),
                    // ARG without a default: `--build-arg` may set it; ENV with `$x`: unknown.
                    _ => None,
                };
                if inst.keyword == "ARG" && raw.is_none() && !is_pip_var(&kv.key) {
                    continue;
                }
                w.set_env(&kv.key, value, kv.span.clone());
            }
        }
        ("SHELL", Args::Exec { items, .. }) => {
            *posix = items.first().is_some_and(|(s, _)| is_posix_shell(s));
            // `SHELL ["/bin/bash", "-eo", "pipefail", "-c"]`
            let flags: Vec<&str> = items.iter().skip(1).map(|(s, _)| s.as_str()).collect();
            w.errexit = flags
                .iter()
                .any(|f| f.starts_with('-') && !f.starts_with("--") && f.contains('e'));
            w.pipefail = flags.contains(&"pipefail");
        }
        (
            "RUN",
            Args::Shell {
                span, shell_source, ..
            },
        ) if *posix => {
            let base = span.start;
            let to_file = move |r: &std::ops::Range<usize>| (base + r.start)..(base + r.end);
            w.shell(&ScriptSource {
                text: shell_source,
                to_file: &to_file,
            });
            // `RUN <<EOF` (or `RUN bash <<EOF`) runs the heredoc body as the script.
            let head = shell_source.trim_start();
            let runs_body = head.starts_with("<<")
                || ["sh ", "bash ", "/bin/sh ", "/bin/bash "]
                    .iter()
                    .any(|p| head.starts_with(p));
            for h in inst.heredocs.iter().filter(|_| runs_body) {
                let start = h.body_span.start;
                let to_file = move |r: &std::ops::Range<usize>| (start + r.start)..(start + r.end);
                let body = file.text.get(h.body_span.clone()).unwrap_or("");
                w.shell(&ScriptSource {
                    text: body,
                    to_file: &to_file,
                });
            }
        }
        // `["/bin/sh", "-c", "script"]`: the script is the third string.
        ("RUN", Args::Exec { items, .. })
            if *posix && items.len() >= 3 && is_posix_shell(&items[0].0) && items[1].0 == "-c" =>
        {
            let (script, span) = &items[2];
            let exact =
                file.text.get(span.start + 1..span.end.saturating_sub(1)) == Some(script.as_str());
            let start = span.start + 1;
            let whole = span.clone();
            let to_file = move |r: &std::ops::Range<usize>| {
                if exact {
                    (start + r.start)..(start + r.end)
                } else {
                    whole.clone()
                }
            };
            w.shell(&ScriptSource {
                text: script,
                to_file: &to_file,
            });
        }
        // `RUN ["pip", "install", "x"]`: one command, no shell; findings point at the array.
        ("RUN", Args::Exec { items, span })
            if !items.is_empty() && !is_posix_shell(&items[0].0) =>
        {
            let text = items
                .iter()
                .map(|(s, _)| {
                    if s.is_empty() || s.contains(char::is_whitespace) {
                        format!("'{s}'")
                    } else {
                        s.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ");
            let whole = span.clone();
            let to_file = move |_: &std::ops::Range<usize>| whole.clone();
            w.shell(&ScriptSource {
                text: &text,
                to_file: &to_file,
            });
        }
        // A pip.conf copied into the image may set break-system-packages: `COPY pip.conf /etc/`,
        // `COPY <<EOF /etc/pip.conf`.
        ("COPY" | "ADD", args) => {
            let words: Vec<&str> = match args {
                Args::Words { words } => words.iter().map(|(s, _)| s.as_str()).collect(),
                Args::Exec { items, .. } => items.iter().map(|(s, _)| s.as_str()).collect(),
                _ => Vec::new(),
            };
            let Some((dest, sources)) = words.split_last() else {
                return;
            };
            // A sources list copied in points apt somewhere the file shows us nothing of: say less.
            let apt = |p: &str| {
                p.starts_with("/etc/apt/sources.list") || p == "/etc/apt/" || p == "/etc/apt"
            };
            if apt(dest)
                || (dest.starts_with("/etc/apt")
                    && sources.iter().any(|s| s.contains("sources.list")))
            {
                w.state
                    .apt_sources_rewritten
                    .get_or_insert(inst.span.clone());
            }
            let names_conf = |p: &str| p.ends_with("pip.conf") || p.ends_with("pip.ini");
            let conf =
                names_conf(dest) || (dest.ends_with('/') && sources.iter().any(|s| names_conf(s)));
            let body_ok = inst.heredocs.is_empty()
                || inst
                    .heredocs
                    .iter()
                    .any(|h| h.body.contains("break-system-packages"));
            if conf && body_ok {
                w.state.pip_conf_written.get_or_insert(inst.span.clone());
            }
        }
        _ => {}
    }
}

/// The base image of a stage: its `FROM`, or the `FROM` of the first stage of its chain.
fn root_image(df: &dockerfile::Dockerfile, index: usize) -> Option<&str> {
    let mut i = index;
    // Each stage can only be built on an earlier one: the chain ends.
    for _ in 0..=df.stages.len() {
        let stage = df.stages.get(i)?;
        match stage.parent_stage {
            Some(p) if p < i => i = p,
            Some(_) => return None,
            None => return stage.image.as_deref(),
        }
    }
    None
}

fn is_pip_var(name: &str) -> bool {
    name.starts_with("PIP_") || name.starts_with("UV_")
}
