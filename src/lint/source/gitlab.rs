//! GitLab CI as a spanned model: jobs with their image (job, `default:`, or top level), variables,
//! `before_script` + `script` (one shell) and `after_script`, with `extends:` and `!reference`
//! resolved, over the main file and its local `include:` files. Every piece remembers which file
//! it came from, so findings point into the right file.

use std::collections::BTreeMap;

use super::span::Span;
use super::yaml::{Node, ScriptText, Style};

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
    /// The value's scalar (`X: v` or `X: {value: v}`) as YAML read it, before GitLab's typing.
    pub scalar: Option<VarScalar>,
}

/// A variable's value scalar: its text after YAML's quoting rules, its style, where it is.
#[derive(Debug, Clone)]
pub struct VarScalar {
    pub text: String,
    pub style: Style,
    /// A plain `null`/`~`/empty value (GitLab rejects it).
    pub null: bool,
    /// An explicit tag (`!!str 3.10`): YAML's own typing does not apply.
    pub tagged: bool,
    pub span: Span,
}

/// A top-level key of a job after merging (`include:` files, then `extends:`), as the winning
/// layer writes it.
#[derive(Debug, Clone)]
pub struct Key {
    pub name: String,
    /// The key as written, and in which file.
    pub span: Span,
    pub file: usize,
    /// The value is `null` (GitLab drops such keys before some checks).
    pub null: bool,
    /// Written in a definition of the job itself (not inherited through `extends:`).
    pub own: bool,
}

/// One entry of `services:`.
#[derive(Debug, Clone)]
pub struct Service {
    /// The image reference (`docker:27-dind`).
    pub image: String,
    pub span: Span,
    pub file: usize,
    /// `alias:` names (comma-separated in GitLab), trimmed.
    pub aliases: Vec<String>,
    /// `command:` or `entrypoint:` is set: the service does not start the way its image does.
    pub custom_start: bool,
    /// The service's own `variables:` (passed to it alone).
    pub variables: Vec<Variable>,
}

/// What `inherit:default` / `inherit:variables` let a job take.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Inherit {
    #[default]
    All,
    Nothing,
    Only(Vec<String>),
}

impl Inherit {
    pub fn allows(&self, name: &str) -> bool {
        match self {
            Inherit::All => true,
            Inherit::Nothing => false,
            Inherit::Only(names) => names.iter().any(|n| n == name),
        }
    }

    fn of(node: Option<&Node>) -> Inherit {
        let Some(n) = node else {
            return Inherit::All;
        };
        if let Some(items) = n.as_seq() {
            return Inherit::Only(
                items
                    .iter()
                    .filter_map(Node::as_str)
                    .map(str::to_string)
                    .collect(),
            );
        }
        match n.as_str() {
            Some("false") => Inherit::Nothing,
            _ => Inherit::All,
        }
    }
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
    /// Top-level `variables:`, shared by every job (not copied into each: 5,000 variables and
    /// 5,000 jobs would be 25 million copies).
    pub global_variables: std::sync::Arc<[Variable]>,
    /// The job's own `variables:` and those of its `extends:` ancestors, in force after the
    /// global ones.
    pub variables: Vec<Variable>,
    pub before_script: Vec<Line>,
    pub script: Vec<Line>,
    pub after_script: Vec<Line>,
    /// `allow_failure: true` (or `exit_codes:`): the pipeline goes on when the job fails.
    pub allow_failure: bool,
    /// The job picks runners by `tags:`: they may be shell executors, which ignore `image:`.
    pub has_tags: bool,
    /// The job runs scripts (`script:`); a trigger job (`trigger:`) or a `run:` job does not.
    pub has_script: bool,
    /// Its top-level keys after merging, each as its winning layer writes it.
    pub keys: Vec<Key>,
    /// `services:` (the job's, else `default:`'s or the top level's when inherited).
    pub services: Vec<Service>,
    /// `inherit:default` and `inherit:variables`.
    pub inherit_default: Inherit,
    pub inherit_variables: Inherit,
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
    // Every definition of a name, in merge order: GitLab deep-merges the included files and then
    // the main file (`External::Processor`), so a job written in two files has the keys of both.
    let mut defs: BTreeMap<&str, Vec<At<'_>>> = BTreeMap::new();
    for (file, doc) in docs
        .iter()
        .enumerate()
        .skip(1)
        .chain(docs.iter().enumerate().take(1))
    {
        for (k, _, v) in doc.entries() {
            globals.insert(k, At { file, node: v });
            defs.entry(k).or_default().push(At { file, node: v });
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
    let global_variables: std::sync::Arc<[Variable]> = {
        let mut vars = Vec::new();
        for g in &global_vars {
            push_variables(*g, &mut vars);
        }
        vars.into()
    };
    let mut jobs = Vec::new();
    let mut key_cache = std::collections::HashMap::new();
    for (file, doc) in docs.iter().enumerate() {
        for (name, key, node) in doc.entries() {
            if name.starts_with('.') || RESERVED.contains(&name) || node.as_map().is_none() {
                continue;
            }
            // A file included twice, or a job overridden by the main file: the winner owns it.
            if globals.get(name).is_some_and(|g| g.file != file) {
                continue;
            }
            let layers = layers(name, &defs);
            let get = |k: &str| {
                layers.iter().rev().find_map(|l| {
                    l.node.get(k).map(|n| At {
                        file: l.file,
                        node: n,
                    })
                })
            };
            let has_script = get("script").is_some();
            // A job runs `script:`, `run:` or `trigger:` (`Entry::Jobs` types); anything else is
            // not a job GitLab creates.
            if !has_script && get("trigger").is_none() && get("run").is_none() {
                continue;
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
            for l in &layers {
                if let Some(v) = l.node.get("variables") {
                    let at = At {
                        file: l.file,
                        node: v,
                    };
                    push_variables(at, &mut variables);
                }
            }
            let script_of = |k: &str, fallback: bool| -> Vec<Line> {
                match get(k).or_else(|| if fallback { lookup_default(k) } else { None }) {
                    Some(at) => script_lines(at, &globals, srcs),
                    None => Vec::new(),
                }
            };
            let inherit = get("inherit");
            let inherit_default = Inherit::of(inherit.and_then(|i| i.node.get("default")));
            let inherit_variables = Inherit::of(inherit.and_then(|i| i.node.get("variables")));
            let services = get("services")
                .or_else(|| {
                    inherit_default
                        .allows("services")
                        .then(|| lookup_default("services"))
                        .flatten()
                })
                .map(services_of)
                .unwrap_or_default();
            jobs.push(Job {
                name: name.to_string(),
                file,
                name_span: key.span.clone(),
                image,
                global_variables: global_variables.clone(),
                variables,
                before_script: script_of("before_script", true),
                script: script_of("script", false),
                after_script: script_of("after_script", true),
                allow_failure: get("allow_failure")
                    .is_some_and(|a| a.node.as_str() != Some("false")),
                has_tags: get("tags")
                    .is_some_and(|t| t.node.as_seq().is_some_and(|s| !s.is_empty())),
                has_script,
                keys: merged_keys(
                    &layers,
                    defs.get(name).map_or(&[][..], Vec::as_slice),
                    &mut key_cache,
                ),
                services,
                inherit_default,
                inherit_variables,
            });
        }
    }
    jobs
}

/// The job keywords GitLab knows (`Entry::Job`, `Entry::Bridge`, `Processable`): a merged job
/// keeps only these, so a template of 20,000 junk keys extended by 5,000 jobs copies nothing
/// (GitLab rejects unknown keys anyway).
const JOB_KEYWORDS: &[&str] = &[
    "after_script",
    "allow_failure",
    "artifacts",
    "before_script",
    "cache",
    "coverage",
    "dast_configuration",
    "dependencies",
    "environment",
    "except",
    "extends",
    "hooks",
    "id_tokens",
    "identity",
    "image",
    "inherit",
    "interruptible",
    "manual_confirmation",
    "needs",
    "only",
    "pages",
    "parallel",
    "release",
    "resource_group",
    "retry",
    "rules",
    "run",
    "script",
    "secrets",
    "services",
    "stage",
    "start_in",
    "tags",
    "timeout",
    "trigger",
    "type",
    "variables",
    "when",
];

/// At most this many `services:` per job are read (real jobs have a handful), and this many
/// variables per service.
const MAX_SERVICES: usize = 64;
const MAX_SERVICE_VARIABLES: usize = 256;

/// The top-level keys of the merged job: for each name, the last layer that writes it.
/// A layer's job keywords: (keyword, key span, null value), read once per mapping and shared by
/// every job that extends it.
type LayerKeys<'a> = std::rc::Rc<Vec<(&'a str, Span, bool)>>;

fn layer_keys<'a>(
    node: &'a Node,
    cache: &mut std::collections::HashMap<*const Node, LayerKeys<'a>>,
) -> LayerKeys<'a> {
    cache
        .entry(node as *const Node)
        .or_insert_with(|| {
            std::rc::Rc::new(
                node.entries()
                    .filter_map(|(k, kn, v)| {
                        let kw = JOB_KEYWORDS.iter().find(|w| **w == k)?;
                        Some((*kw, kn.span.clone(), v.is_null()))
                    })
                    .collect(),
            )
        })
        .clone()
}

/// The top-level keys of the merged job: for each name, the last layer that writes it.
fn merged_keys<'a>(
    layers: &[At<'a>],
    own: &[At<'a>],
    cache: &mut std::collections::HashMap<*const Node, LayerKeys<'a>>,
) -> Vec<Key> {
    let mut out: Vec<Key> = Vec::new();
    for l in layers {
        let is_own = own.iter().any(|o| std::ptr::eq(o.node, l.node));
        for (k, span, null) in layer_keys(l.node, cache).iter() {
            let key = Key {
                name: k.to_string(),
                span: span.clone(),
                file: l.file,
                null: *null,
                own: is_own,
            };
            // At most the few dozen keywords: a scan is enough.
            match out.iter_mut().find(|e| e.name == *k) {
                Some(e) => *e = key,
                None => out.push(key),
            }
        }
    }
    out
}

fn services_of(at: At<'_>) -> Vec<Service> {
    let items: Vec<&Node> = match at.node.as_seq() {
        Some(s) => s.iter().collect(),
        None => return Vec::new(),
    };
    items
        .into_iter()
        .take(MAX_SERVICES)
        .filter_map(|n| {
            let (name_node, entry) = if n.as_scalar().is_some() {
                (n, None)
            } else {
                (n.get("name")?, Some(n))
            };
            let mut variables = Vec::new();
            if let Some(v) = entry.and_then(|e| e.get("variables")) {
                push_variables_capped(
                    At {
                        file: at.file,
                        node: v,
                    },
                    &mut variables,
                    MAX_SERVICE_VARIABLES,
                );
            }
            Some(Service {
                image: name_node.as_str()?.trim().to_string(),
                span: name_node.span.clone(),
                file: at.file,
                aliases: entry
                    .and_then(|e| e.get("alias"))
                    .and_then(Node::as_str)
                    .map(|a| {
                        a.split(',')
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
                custom_start: entry
                    .is_some_and(|e| e.get("command").is_some() || e.get("entrypoint").is_some()),
                variables,
            })
        })
        .collect()
}

fn push_variables(at: At<'_>, out: &mut Vec<Variable>) {
    push_variables_capped(at, out, usize::MAX);
}

fn push_variables_capped(at: At<'_>, out: &mut Vec<Variable>, cap: usize) {
    for (k, kn, v) in at.node.entries().take(cap) {
        let value_node = if v.as_scalar().is_some() {
            Some(v)
        } else {
            v.get("value")
        };
        let scalar = value_node.and_then(|n| {
            let s = n.as_scalar()?;
            Some(VarScalar {
                text: s.value.clone(),
                style: s.style,
                null: n.is_null(),
                tagged: n.tag.is_some(),
                span: n.span.clone(),
            })
        });
        let value = value_node
            .and_then(Node::as_str)
            .map(str::to_string)
            .filter(|s| !s.contains('$'));
        out.push(Variable {
            name: k.to_string(),
            value,
            span: kn.span.start..v.span.end.max(kn.span.end),
            file: at.file,
            scalar,
        });
    }
}

impl Job {
    /// Every variable in force, in order: the global ones, then the job's.
    pub fn all_variables(&self) -> impl Iterator<Item = &Variable> {
        self.global_variables.iter().chain(&self.variables)
    }
}

/// The definitions that make up job `name`, most distant `extends:` ancestor first, the job's own
/// definitions (one per file that writes it) last. GitLab merges the files first and resolves
/// `extends:` on the result (`Config::Extendable`), so the `extends:` that counts is the one of
/// the last definition that has it. Each name counts once (GitLab rejects cycles; a parent named
/// twice adds nothing the first time did not), so the work is bounded by the number of jobs,
/// whatever the fan-out: `extends: [j, j, j, …]` nested 11 deep would otherwise be 8^11 layers.
fn layers<'a>(name: &'a str, defs: &BTreeMap<&'a str, Vec<At<'a>>>) -> Vec<At<'a>> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    seen.insert(name);
    add_layers(name, defs, 0, &mut seen, &mut out);
    out
}

fn add_layers<'a>(
    name: &'a str,
    defs: &BTreeMap<&'a str, Vec<At<'a>>>,
    depth: usize,
    seen: &mut std::collections::HashSet<&'a str>,
    out: &mut Vec<At<'a>>,
) {
    let Some(own) = defs.get(name) else { return };
    // GitLab allows 11 levels of `extends`.
    if depth <= 10 {
        if let Some(ext) = own.iter().rev().find_map(|d| d.node.get("extends")) {
            let names: Vec<&str> = match ext.as_seq() {
                Some(s) => s.iter().filter_map(Node::as_str).collect(),
                None => ext.as_str().into_iter().collect(),
            };
            for n in names {
                if let Some((&key, _)) = defs.get_key_value(n) {
                    if seen.insert(key) {
                        add_layers(key, defs, depth + 1, seen, out);
                    }
                }
            }
        }
    }
    out.extend(own.iter().copied().filter(|d| d.node.as_map().is_some()));
}

/// How much script one job key may expand to through `!reference` (bytes of text, plus
/// [`LINE_COST`] per line): references nest 10 deep, so a few lines that each reference the previous key several
/// times would otherwise expand exponentially. Past it the rest is an unknown line.
const MAX_SCRIPT_EXPANSION: usize = 16 << 20;
const LINE_COST: usize = 64;

fn script_lines(at: At<'_>, globals: &BTreeMap<&str, At<'_>>, srcs: &[&str]) -> Vec<Line> {
    let mut budget = MAX_SCRIPT_EXPANSION;
    let mut out = Vec::new();
    lines(at, globals, srcs, 0, &mut budget, &mut out);
    out
}

fn lines(
    at: At<'_>,
    globals: &BTreeMap<&str, At<'_>>,
    srcs: &[&str],
    depth: usize,
    budget: &mut usize,
    out: &mut Vec<Line>,
) {
    if *budget == 0 {
        if !matches!(out.last(), Some(Line::Unknown)) {
            out.push(Line::Unknown);
        }
        return;
    }
    if depth > 10 {
        *budget = budget.saturating_sub(LINE_COST);
        return out.push(Line::Unknown);
    }
    if at
        .node
        .tag
        .as_deref()
        .is_some_and(|t| t.ends_with("reference"))
    {
        return reference(at, globals, srcs, depth, budget, out);
    }
    match at.node.as_seq() {
        Some(items) => {
            for n in items {
                let item = At {
                    file: at.file,
                    node: n,
                };
                lines(item, globals, srcs, depth + 1, budget, out);
            }
        }
        None => {
            let cost = at.node.as_str().map_or(0, str::len) + LINE_COST;
            if cost > *budget {
                *budget = 0;
                out.push(Line::Unknown);
                return;
            }
            *budget -= cost;
            out.push(
                match at.node.script(srcs.get(at.file).copied().unwrap_or("")) {
                    Some(text) => Line::Script {
                        file: at.file,
                        text,
                    },
                    None => Line::Unknown,
                },
            );
        }
    }
}

/// `!reference [.job, script]` → the lines it points at.
fn reference(
    at: At<'_>,
    globals: &BTreeMap<&str, At<'_>>,
    srcs: &[&str],
    depth: usize,
    budget: &mut usize,
    out: &mut Vec<Line>,
) {
    let path: Vec<&str> = at
        .node
        .as_seq()
        .unwrap_or(&[])
        .iter()
        .filter_map(Node::as_str)
        .collect();
    let Some((first, rest)) = path.split_first() else {
        return out.push(Line::Unknown);
    };
    let Some(mut cur) = globals.get(first).copied() else {
        return out.push(Line::Unknown);
    };
    for k in rest {
        match cur.node.get(k) {
            Some(n) => {
                cur = At {
                    file: cur.file,
                    node: n,
                }
            }
            None => return out.push(Line::Unknown),
        }
    }
    lines(cur, globals, srcs, depth + 1, budget, out);
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
        let vars: Vec<_> = jobs[0].all_variables().map(|v| v.name.as_str()).collect();
        assert_eq!(vars, ["A", "B"]);
    }

    #[test]
    fn extends_fan_out_and_reference_fan_out_stay_bounded() {
        // Without deduplication: 8^11 layers. GitLab rejects the cycle; we see one layer.
        let src = "j:\n  script: [pip install x]\n  extends: [j, j, j, j, j, j, j, j]\n";
        let docs = yaml::parse(src).expect("yaml");
        let jobs = pipeline(&[&docs[0]], &[src]);
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].script.len(), 1);
        // A diamond: `c` extends `a` and `b`, both extend `base`: base counts once.
        let src = "base:\n  script: [x]\na:\n  extends: base\nb:\n  extends: base\nc:\n  extends: [a, b]\n";
        let docs = yaml::parse(src).expect("yaml");
        let jobs = pipeline(&[&docs[0]], &[src]);
        assert_eq!(jobs.iter().map(|j| j.script.len()).sum::<usize>(), 4);
        // `!reference` fan-out: 100 references per level, 3 levels: 100^3 lines without a budget.
        let mut src =
            String::from(".l0:\n  script: [\"pip install aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]\n");
        for i in 1..=3 {
            let r = format!("!reference [.l{}, script]", i - 1);
            src.push_str(&format!(
                ".l{i}:\n  script: [{}]\n",
                vec![r; 100].join(", ")
            ));
        }
        src.push_str("job:\n  script: [!reference [.l3, script]]\n");
        let docs = yaml::parse(&src).expect("yaml");
        let jobs = pipeline(&[&docs[0]], &[&src]);
        let script = &jobs[0].script;
        assert!(script.len() < 180_000, "{}", script.len());
        assert!(matches!(script[0], Line::Script { .. }));
        assert!(matches!(script.last(), Some(Line::Unknown)));
    }

    #[test]
    fn a_job_merges_its_definitions_across_files_and_its_ancestors() {
        let main = "include: [x.yml]\n.base:\n  rules: [{when: always}]\n  services: [docker:dind]\nscan:\n  extends: .base\n  only: [main]\n";
        let inc = "scan:\n  script: [scan]\n  except: null\n  inherit:\n    variables: [A]\n";
        let d0 = yaml::parse(main).expect("yaml");
        let d1 = yaml::parse(inc).expect("yaml");
        let jobs = pipeline(&[&d0[0], &d1[0]], &[main, inc]);
        assert_eq!(jobs.len(), 1);
        let keys: Vec<String> = jobs[0]
            .keys
            .iter()
            .map(|k| {
                format!(
                    "{}@{}{}{}",
                    k.name,
                    k.file,
                    if k.own { "" } else { " inherited" },
                    if k.null { " null" } else { "" }
                )
            })
            .collect();
        assert_eq!(
            keys,
            [
                "rules@0 inherited",
                "services@0 inherited",
                "script@1",
                "except@1 null",
                "inherit@1",
                "extends@0",
                "only@0",
            ]
        );
        assert_eq!(jobs[0].services[0].image, "docker:dind");
        assert_eq!(
            jobs[0].inherit_variables,
            Inherit::Only(vec!["A".to_string()])
        );
        assert_eq!(jobs[0].inherit_default, Inherit::All);
    }
}
