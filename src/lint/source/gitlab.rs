//! GitLab CI as a spanned model: jobs with their image (job, `default:`, or top level), variables,
//! `before_script` + `script` (one shell) and `after_script`, with `extends:` and `!reference`
//! resolved, over the main file and its local `include:` files. Every piece remembers which file
//! it came from, so findings point into the right file.

use std::collections::BTreeMap;

use super::span::Span;
use super::yaml::{Node, ScriptText};

/// Top-level keys that are not jobs.
const RESERVED: &[&str] = &[
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "before_script",
    "after_script",
    "cache",
    "spec",
    "pages:deploy",
];

/// A node and the index of the file it is in (0 = the file being linted).
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    pub file: usize,
    pub node: &'a Node,
}

#[derive(Debug, Clone)]
pub struct Variable {
    pub name: String,
    /// `None` when not a literal (or not a scalar).
    pub value: Option<String>,
    pub span: Span,
    pub file: usize,
}

/// One line of script (a sequence item), or a piece that cannot be resolved.
#[derive(Debug, Clone)]
pub enum Line {
    Script { file: usize, text: ScriptText },
    Unknown,
}

#[derive(Debug, Clone)]
pub struct Job {
    pub name: String,
    pub file: usize,
    pub name_span: Span,
    /// The image reference, where it is written, and in which file.
    pub image: Option<(String, Span, usize)>,
    pub variables: Vec<Variable>,
    pub before_script: Vec<Line>,
    pub script: Vec<Line>,
    pub after_script: Vec<Line>,
    /// `allow_failure: true` (or `exit_codes:`): the pipeline goes on when the job fails.
    pub allow_failure: bool,
    /// The job picks runners by `tags:`: they may be shell executors, which ignore `image:`.
    pub has_tags: bool,
}

/// Whether a YAML document looks like a GitLab CI file.
pub fn looks_like_gitlab(doc: &Node) -> bool {
    doc.entries()
        .any(|(k, _, v)| !k.starts_with('.') && !RESERVED.contains(&k) && v.get("script").is_some())
        || doc.get("stages").is_some() && doc.get("jobs").is_none()
}

/// Local files named by `include:` (strings, `local:` entries), relative to the repository root.
pub fn local_includes(doc: &Node) -> Vec<String> {
    let Some(inc) = doc.get("include") else {
        return Vec::new();
    };
    let items: Vec<&Node> = match inc.as_seq() {
        Some(s) => s.iter().collect(),
        None => vec![inc],
    };
    items
        .into_iter()
        .filter_map(|n| match n.as_str() {
            Some(s) if !s.contains("://") => Some(s.to_string()),
            Some(_) => None,
            None => n.get("local").and_then(Node::as_str).map(str::to_string),
        })
        .filter(|s| !s.contains('*') && !s.contains('$'))
        .collect()
}

/// Build the jobs of `docs[0]`'s pipeline. `docs` are the main file and then its included files;
/// `srcs` their texts (for script offsets).
pub fn pipeline(docs: &[&Node], srcs: &[&str]) -> Vec<Job> {
    // Global keys: included files first, the main file overrides them.
    let mut globals: BTreeMap<&str, At<'_>> = BTreeMap::new();
    for (file, doc) in docs
        .iter()
        .enumerate()
        .skip(1)
        .chain(docs.iter().enumerate().take(1))
    {
        for (k, _, v) in doc.entries() {
            globals.insert(k, At { file, node: v });
        }
    }
    // `default:` keys and top-level `variables:` merge across files (the main file wins per key).
    let defaults: Vec<At<'_>> = std::iter::once(0)
        .chain((1..docs.len()).rev())
        .filter_map(|file| docs[file].get("default").map(|node| At { file, node }))
        .collect();
    let lookup_default = |key: &str| -> Option<At<'_>> {
        defaults
            .iter()
            .find_map(|d| {
                d.node.get(key).map(|n| At {
                    file: d.file,
                    node: n,
                })
            })
            .or_else(|| globals.get(key).copied())
    };
    let global_vars: Vec<At<'_>> = (1..docs.len())
        .chain(std::iter::once(0))
        .filter_map(|file| docs[file].get("variables").map(|node| At { file, node }))
        .collect();
    let mut jobs = Vec::new();
    for (file, doc) in docs.iter().enumerate() {
        for (name, key, node) in doc.entries() {
            if name.starts_with('.') || RESERVED.contains(&name) || node.as_map().is_none() {
                continue;
            }
            // A file included twice, or a job overridden by the main file: keep the winner only.
            if globals.get(name).is_some_and(|g| g.file != file) {
                continue;
            }
            let layers = layers(At { file, node }, &globals, 0);
            let get = |k: &str| {
                layers.iter().rev().find_map(|l| {
                    l.node.get(k).map(|n| At {
                        file: l.file,
                        node: n,
                    })
                })
            };
            if get("script").is_none() {
                continue; // trigger jobs and the like
            }
            let image = get("image")
                .or_else(|| lookup_default("image"))
                .and_then(|at| {
                    let n = if at.node.as_scalar().is_some() {
                        at.node
                    } else {
                        at.node.get("name")?
                    };
                    Some((n.as_str()?.to_string(), n.span.clone(), at.file))
                });
            let mut variables = Vec::new();
            let mut push_vars = |at: At<'_>| {
                for (k, kn, v) in at.node.entries() {
                    let value = match v.as_str() {
                        Some(s) => Some(s.to_string()),
                        None => v.get("value").and_then(Node::as_str).map(str::to_string),
                    };
                    let value = value.filter(|s| !s.contains('$'));
                    variables.push(Variable {
                        name: k.to_string(),
                        value,
                        span: kn.span.start..v.span.end.max(kn.span.end),
                        file: at.file,
                    });
                }
            };
            for g in &global_vars {
                push_vars(*g);
            }
            for l in &layers {
                if let Some(v) = l.node.get("variables") {
                    push_vars(At {
                        file: l.file,
                        node: v,
                    });
                }
            }
            let script_of = |k: &str, fallback: bool| -> Vec<Line> {
                match get(k).or_else(|| if fallback { lookup_default(k) } else { None }) {
                    Some(at) => lines(at, &globals, srcs, 0),
                    None => Vec::new(),
                }
            };
            jobs.push(Job {
                name: name.to_string(),
                file,
                name_span: key.span.clone(),
                image,
                variables,
                before_script: script_of("before_script", true),
                script: script_of("script", false),
                after_script: script_of("after_script", true),
                allow_failure: get("allow_failure")
                    .is_some_and(|a| a.node.as_str() != Some("false")),
                has_tags: get("tags")
                    .is_some_and(|t| t.node.as_seq().is_some_and(|s| !s.is_empty())),
            });
        }
    }
    jobs
}

/// The job's mapping and its `extends:` ancestors, most distant first.
fn layers<'a>(job: At<'a>, globals: &BTreeMap<&str, At<'a>>, depth: usize) -> Vec<At<'a>> {
    let mut out = Vec::new();
    if depth > 10 {
        return out;
    }
    if let Some(ext) = job.node.get("extends") {
        let names: Vec<&str> = match ext.as_seq() {
            Some(s) => s.iter().filter_map(Node::as_str).collect(),
            None => ext.as_str().into_iter().collect(),
        };
        for n in names {
            if let Some(parent) = globals.get(n) {
                out.extend(layers(*parent, globals, depth + 1));
            }
        }
    }
    out.push(job);
    out
}

fn lines(at: At<'_>, globals: &BTreeMap<&str, At<'_>>, srcs: &[&str], depth: usize) -> Vec<Line> {
    if depth > 10 {
        return vec![Line::Unknown];
    }
    if at
        .node
        .tag
        .as_deref()
        .is_some_and(|t| t.ends_with("reference"))
    {
        return reference(at, globals, srcs, depth);
    }
    match at.node.as_seq() {
        Some(items) => items
            .iter()
            .flat_map(|n| {
                lines(
                    At {
                        file: at.file,
                        node: n,
                    },
                    globals,
                    srcs,
                    depth + 1,
                )
            })
            .collect(),
        None => match at.node.script(srcs.get(at.file).copied().unwrap_or("")) {
            Some(text) => vec![Line::Script {
                file: at.file,
                text,
            }],
            None => vec![Line::Unknown],
        },
    }
}

/// `!reference [.job, script]` → the lines it points at.
fn reference(
    at: At<'_>,
    globals: &BTreeMap<&str, At<'_>>,
    srcs: &[&str],
    depth: usize,
) -> Vec<Line> {
    let path: Vec<&str> = at
        .node
        .as_seq()
        .unwrap_or(&[])
        .iter()
        .filter_map(Node::as_str)
        .collect();
    let Some((first, rest)) = path.split_first() else {
        return vec![Line::Unknown];
    };
    let Some(mut cur) = globals.get(first).copied() else {
        return vec![Line::Unknown];
    };
    for k in rest {
        match cur.node.get(k) {
            Some(n) => {
                cur = At {
                    file: cur.file,
                    node: n,
                }
            }
            None => return vec![Line::Unknown],
        }
    }
    lines(cur, globals, srcs, depth + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::source::yaml;

    #[test]
    fn extends_default_image_and_reference() {
        let src = "default:\n  image: ubuntu:24.04\nvariables:\n  A: '1'\n.setup:\n  before_script:\n    - apt-get update\n.tmpl:\n  image: debian:12\n  script:\n    - echo tmpl\nbuild:\n  extends: .tmpl\n  variables:\n    B: x\n  script:\n    - !reference [.setup, before_script]\n    - pip install x\ntest:\n  script: [make test]\n";
        let docs = yaml::parse(src).expect("yaml");
        let jobs = pipeline(&[&docs[0]], &[src]);
        let names: Vec<_> = jobs.iter().map(|j| j.name.as_str()).collect();
        assert_eq!(names, ["build", "test"]);
        assert_eq!(
            jobs[0].image.as_ref().map(|i| i.0.as_str()),
            Some("debian:12")
        );
        assert_eq!(
            jobs[1].image.as_ref().map(|i| i.0.as_str()),
            Some("ubuntu:24.04")
        );
        let texts: Vec<String> = jobs[0]
            .script
            .iter()
            .map(|l| match l {
                Line::Script { text, .. } => text.text.clone(),
                Line::Unknown => "?".into(),
            })
            .collect();
        assert_eq!(texts, ["apt-get update", "pip install x"]);
        let vars: Vec<_> = jobs[0].variables.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(vars, ["A", "B"]);
    }
}
