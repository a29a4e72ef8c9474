//! GitHub Actions: workflows and composite actions as a spanned model. Only what the environment
//! model needs is kept: env at each level, runs-on (with the matrix expanded), container, defaults,
//! and steps (uses/with/run/shell/env). Shapes that are not what GitHub accepts are skipped, not
//! errors: actionlint's job, not ours.

use std::collections::BTreeMap;

use super::span::Span;
use super::yaml::{Node, ScriptText};

/// An `env:` entry (or `with:` input).
#[derive(Debug, Clone)]
pub struct EnvVar {
    pub name: String,
    /// The value as written (scalars only; `${{ … }}` kept).
    pub value: String,
    /// The whole `NAME: value` entry.
    pub span: Span,
}

impl EnvVar {
    /// Whether the value is (or contains) a `${{ }}` expression, so its run-time value is unknown.
    pub fn dynamic(&self) -> bool {
        self.value.contains("${{")
    }
}

#[derive(Debug, Clone)]
pub struct Workflow {
    pub env: Vec<EnvVar>,
    pub default_shell: Option<String>,
    /// `defaults.run.working-directory` as written.
    pub default_working_directory: Option<String>,
    pub jobs: Vec<Job>,
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub id_span: Span,
    /// `runs-on` labels as written (one per label), or `None` when absent or not a plain label list
    /// (`group:`/`labels:` objects count as unknown).
    pub runs_on: Option<Vec<String>>,
    pub runs_on_span: Option<Span>,
    pub container: Option<(String, Span)>,
    pub env: Vec<EnvVar>,
    pub default_shell: Option<String>,
    /// `defaults.run.working-directory` as written.
    pub default_working_directory: Option<String>,
    /// Matrix combinations (empty map when there is no matrix); `None` when the matrix cannot be
    /// expanded statically (`matrix: ${{ fromJSON(…) }}`).
    pub matrix: Option<Vec<BTreeMap<String, String>>>,
    pub steps: Vec<Step>,
    /// `continue-on-error` as written.
    pub continue_on_error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub span: Span,
    /// The step's `if:` condition, as written.
    pub if_cond: Option<String>,
    /// `continue-on-error` as written (`true`, or an expression).
    pub continue_on_error: Option<String>,
    pub uses: Option<(String, Span)>,
    pub with: Vec<EnvVar>,
    pub run: Option<ScriptText>,
    pub shell: Option<String>,
    pub env: Vec<EnvVar>,
    /// `working-directory` as written.
    pub working_directory: Option<String>,
}

impl Step {
    pub fn with_value(&self, name: &str) -> Option<&EnvVar> {
        self.with.iter().find(|w| w.name == name)
    }
}

/// A composite action (`runs.using: composite`). Other actions have no steps to model.
#[derive(Debug, Clone)]
pub struct Action {
    pub steps: Vec<Step>,
}

/// Whether a YAML document looks like a workflow (for explicitly named files of unknown kind).
pub fn looks_like_workflow(doc: &Node) -> bool {
    doc.get("jobs").and_then(Node::as_map).is_some()
        && (doc.get("on").is_some() || doc.get("true").is_some())
}

pub fn looks_like_action(doc: &Node) -> bool {
    doc.get("runs").and_then(|r| r.get("using")).is_some()
}

fn scalar_text(n: &Node) -> Option<String> {
    n.as_scalar().map(|s| s.value.clone())
}

fn env_of(node: Option<&Node>) -> Vec<EnvVar> {
    let Some(node) = node else { return Vec::new() };
    node.entries()
        .filter_map(|(k, kn, v)| {
            let value = scalar_text(v)?;
            let span = kn.span.start..v.span.end.max(kn.span.end);
            Some(EnvVar {
                name: k.to_string(),
                value,
                span,
            })
        })
        .collect()
}

fn default_working_directory(node: &Node) -> Option<String> {
    node.get("defaults")?
        .get("run")?
        .get("working-directory")
        .and_then(scalar_text)
}

fn default_shell(node: &Node) -> Option<String> {
    node.get("defaults")?
        .get("run")?
        .get("shell")
        .and_then(scalar_text)
}

pub fn workflow(doc: &Node, src: &str) -> Workflow {
    let jobs = doc
        .get("jobs")
        .map(|j| j.entries().map(|(id, k, v)| job(id, k, v, src)).collect())
        .unwrap_or_default();
    Workflow {
        env: env_of(doc.get("env")),
        default_shell: default_shell(doc),
        default_working_directory: default_working_directory(doc),
        jobs,
    }
}

fn job(id: &str, key: &Node, node: &Node, src: &str) -> Job {
    let (runs_on, runs_on_span) = match node.get("runs-on") {
        Some(r) => {
            let labels = match &r.as_seq() {
                Some(items) => items.iter().map(scalar_text).collect::<Option<Vec<_>>>(),
                None => scalar_text(r).map(|s| vec![s]),
            };
            (labels, Some(r.span.clone()))
        }
        None => (None, None),
    };
    let container = node.get("container").and_then(|c| {
        let image = if c.as_scalar().is_some() {
            c
        } else {
            c.get("image")?
        };
        Some((scalar_text(image)?, image.span.clone()))
    });
    let steps = node
        .get("steps")
        .and_then(Node::as_seq)
        .map(|s| s.iter().map(|n| step(n, src)).collect())
        .unwrap_or_default();
    Job {
        id: id.to_string(),
        id_span: key.span.clone(),
        runs_on,
        runs_on_span,
        container,
        env: env_of(node.get("env")),
        default_shell: default_shell(node),
        default_working_directory: default_working_directory(node),
        continue_on_error: node.get("continue-on-error").and_then(scalar_text),
        matrix: node
            .get("strategy")
            .and_then(|s| s.get("matrix"))
            .map_or(Some(vec![BTreeMap::new()]), |m| matrix(m, src)),
        steps,
    }
}

fn step(node: &Node, src: &str) -> Step {
    let uses = node
        .get("uses")
        .and_then(|u| Some((scalar_text(u)?, u.span.clone())));
    let run = node.get("run").and_then(|r| r.script(src));
    Step {
        span: node.span.clone(),
        if_cond: node.get("if").and_then(scalar_text),
        continue_on_error: node.get("continue-on-error").and_then(scalar_text),
        uses,
        with: env_of(node.get("with")),
        run,
        shell: node.get("shell").and_then(scalar_text),
        env: env_of(node.get("env")),
        working_directory: node.get("working-directory").and_then(scalar_text),
    }
}

pub fn action(doc: &Node, src: &str) -> Option<Action> {
    let runs = doc.get("runs")?;
    if runs.get("using").and_then(Node::as_str) != Some("composite") {
        return Some(Action { steps: Vec::new() });
    }
    let steps = runs
        .get("steps")
        .and_then(Node::as_seq)
        .map(|s| s.iter().map(|n| step(n, src)).collect())
        .unwrap_or_default();
    Some(Action { steps })
}

/// Expand `strategy.matrix` as GitHub does (`matrix::legs`, which keeps spans), as plain strings.
fn matrix(node: &Node, src: &str) -> Option<Vec<BTreeMap<String, String>>> {
    let legs = super::matrix::legs(node, src)?;
    Some(
        legs.into_iter()
            .map(|leg| leg.into_iter().map(|(k, v)| (k, v.text)).collect())
            .collect(),
    )
}

/// Substitute `${{ matrix.KEY }}` in `s`. `None` when another expression remains or a key is
/// missing: the value is then unknown.
pub fn expand_matrix(s: &str, combo: &BTreeMap<String, String>) -> Option<String> {
    expand(s, combo, false)
}

/// Like `expand_matrix`, but a key missing from this leg is the empty string, as GitHub evaluates
/// it (`container: ${{ matrix.container }}` on a leg without one means no container).
pub fn expand_matrix_or_empty(s: &str, combo: &BTreeMap<String, String>) -> Option<String> {
    expand(s, combo, true)
}

fn expand(s: &str, combo: &BTreeMap<String, String>, missing_empty: bool) -> Option<String> {
    super::matrix::substitute(s, missing_empty, |key| combo.get(key).map(String::as_str))
}

/// The outcome of a step's `if:` for one matrix leg on one runner OS, when it can be told:
/// `Some(true)` runs, `Some(false)` is skipped, `None` cannot tell. Only single comparisons of
/// `runner.os` or `matrix.KEY` with a literal, and `always()`/`success()`, are evaluated.
pub fn eval_if(
    cond: &str,
    combo: &BTreeMap<String, String>,
    runner_os: Option<&str>,
) -> Option<bool> {
    let c = cond.trim();
    let c = c
        .strip_prefix("${{")
        .and_then(|c| c.strip_suffix("}}"))
        .unwrap_or(c)
        .trim();
    match c {
        "always()" | "success()" | "true" => return Some(true),
        "false" => return Some(false),
        _ => {}
    }
    let (lhs, rhs, eq) = if let Some((l, r)) = c.split_once("==") {
        (l.trim(), r.trim(), true)
    } else if let Some((l, r)) = c.split_once("!=") {
        (l.trim(), r.trim(), false)
    } else {
        return None;
    };
    if [lhs, rhs]
        .iter()
        .any(|s| s.contains("&&") || s.contains("||") || s.contains('('))
    {
        return None;
    }
    let literal = |s: &str| {
        s.strip_prefix('\'')
            .and_then(|s| s.strip_suffix('\''))
            .map(str::to_string)
    };
    let value = |s: &str| -> Option<String> {
        if s == "runner.os" {
            return runner_os.map(str::to_string);
        }
        combo.get(s.strip_prefix("matrix.")?).cloned()
    };
    let (a, b) = match (literal(lhs), literal(rhs)) {
        (None, Some(b)) => (value(lhs)?, b),
        (Some(a), None) => (value(rhs)?, a),
        _ => return None,
    };
    // GitHub compares strings case-insensitively.
    Some(a.eq_ignore_ascii_case(&b) == eq)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::source::yaml;

    fn wf(src: &str) -> Workflow {
        let docs = yaml::parse(src).expect("yaml");
        workflow(&docs[0], src)
    }

    #[test]
    fn matrix_expands_with_include_and_exclude() {
        let w = wf("on: push\njobs:\n  t:\n    strategy:\n      matrix:\n        os: [ubuntu-22.04, ubuntu-24.04]\n        py: ['3.11', '3.12']\n        exclude:\n          - os: ubuntu-22.04\n            py: '3.12'\n        include:\n          - os: ubuntu-24.04\n            image: debian:12\n          - os: macos-14\n            py: '3.13'\n    runs-on: ${{ matrix.os }}\n    steps: []\n");
        let combos = w.jobs[0].matrix.clone().expect("static matrix");
        let os: Vec<String> = combos
            .iter()
            .map(|c| expand_matrix("${{ matrix.os }}", c).unwrap_or_default())
            .collect();
        assert_eq!(
            os,
            ["ubuntu-22.04", "ubuntu-24.04", "ubuntu-24.04", "macos-14"]
        );
        assert_eq!(
            combos[1].get("image").map(String::as_str),
            Some("debian:12")
        );
        assert_eq!(expand_matrix("${{ matrix.nope }}", &combos[0]), None);
        assert_eq!(expand_matrix("${{ inputs.x }}", &combos[0]), None);
    }

    #[test]
    fn step_conditions_per_leg() {
        let mut combo = BTreeMap::new();
        combo.insert("os".to_string(), "macos-14".to_string());
        assert_eq!(
            eval_if("runner.os == 'Linux'", &combo, Some("macOS")),
            Some(false)
        );
        assert_eq!(
            eval_if("${{ runner.os == 'macos' }}", &combo, Some("macOS")),
            Some(true)
        );
        assert_eq!(
            eval_if("matrix.os != 'macos-14'", &combo, None),
            Some(false)
        );
        assert_eq!(eval_if("github.event_name == 'push'", &combo, None), None);
        assert_eq!(
            eval_if("runner.os == 'Linux' && matrix.x", &combo, Some("Linux")),
            None
        );
    }

    #[test]
    fn container_string_or_image_and_run_spans() {
        let src = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    container:\n      image: ubuntu:24.04\n    steps:\n      - run: |\n          apt-get update\n          pip install x\n";
        let w = wf(src);
        let j = &w.jobs[0];
        assert_eq!(
            j.runs_on.as_deref(),
            Some(&["ubuntu-latest".to_string()][..])
        );
        assert_eq!(
            j.container.as_ref().map(|c| c.0.as_str()),
            Some("ubuntu:24.04")
        );
        let run = j.steps[0].run.as_ref().expect("run");
        let off = run.text.find("pip").expect("pip");
        assert_eq!(&src[run.to_file(off)..run.to_file(off) + 3], "pip");
    }
}
