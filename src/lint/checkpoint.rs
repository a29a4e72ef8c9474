//! Checkpoints: the facts of a GitHub workflow or composite action that rules read beside the shell
//! commands (`env::Site`). Each is built once per file from the spanned YAML model, per matrix leg
//! where the leg decides it; a rule matches the kinds it cares about and ignores the rest.
//!
//! - `Runner`: a job's `runs-on` labels on one leg, each with the span that decides it (the label
//!   as written, or the matrix value it came from);
//! - `Uses`: a step's `uses:` reference, parsed (owner/repo/path, ref, tag/branch/SHA, the
//!   `# vX.Y.Z` comment after a pinned SHA);
//! - `ToolVersion`: a version input of a `setup-*` action as written (plain or quoted), directly,
//!   through the matrix or through `env`;
//! - `Condition`: a job's or step's `if:`;
//! - `Script`: a step's `run:` script, with whether unsecure workflow commands are allowed;
//! - `Image`: a container image the file names (a GitHub job's `container:` per leg, a GitLab
//!   `image:`, a Dockerfile `FROM`), with the distribution release it runs (`distro.rs`).
//!
//! And of a GitLab CI file, one per job of the linted file (built by [`gitlab_jobs`]):
//! - `GitlabJob`: the job after `include:`, `extends:` and `default:` merging: its keys, image,
//!   services and variables (each scalar with its source text and style), each with the file it
//!   is written in, and the places where the job uses a variable as a version or an image tag.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use super::distro::{self, Release};
use super::facts::{Date, Version};
use super::source::gitlab;
use super::source::matrix::{self, Leg};
use super::source::shell;
use super::source::span::Span;
use super::source::yaml::{Node, ScriptText, Style};
use crate::report::SourceFile;

/// What a rule knows beyond the checkpoint.
#[derive(Debug, Clone)]
pub struct Context {
    pub file: Arc<SourceFile>,
    /// The date facts are judged at (`--today`).
    pub today: Date,
    /// GitHub Enterprise Server: artifact and cache deprecations do not apply (`ghes: true`).
    pub ghes: bool,
    /// The repository the file belongs to (its lockfiles and requirement files).
    pub repo: Arc<RepoTree>,
}

/// The names of the files in a repository, for rules that ask "is there a lockfile?": the files
/// its git index tracks (`gitindex.rs`), or a walk of the tree where the index cannot say. Listed on
/// the first question (most runs never ask), once per root, and bounded.
#[derive(Debug, Default)]
pub struct RepoTree {
    root: std::path::PathBuf,
    listing: OnceLock<Listing>,
    package_manager: OnceLock<Option<String>>,
    /// `known()`, asked once (every step of every file asks it).
    git: OnceLock<bool>,
    /// `at_root()` answers by name, each looked up once.
    at_root: std::sync::Mutex<std::collections::HashMap<String, bool>>,
}

#[derive(Debug, Default)]
struct Listing {
    /// Paths relative to the root, with `/`, each followed by `\n`, after a first `\n`.
    paths: String,
    /// The listing is not the whole repository: the root is no git checkout (a folder of CI
    /// files copied out of their repository), or it holds more files than the bound.
    truncated: bool,
    /// `anywhere` answers by name, each searched once (every step of every file may ask).
    asked: std::sync::Mutex<std::collections::HashMap<String, bool>>,
}

/// At most this many files are listed per repository.
const MAX_TREE_FILES: usize = 100_000;

impl RepoTree {
    /// The tree of `root`, shared by every file linted under it (nothing is read yet).
    pub fn of(root: &std::path::Path) -> Arc<RepoTree> {
        use std::collections::HashMap;
        use std::sync::Mutex;
        type Cache = Mutex<HashMap<std::path::PathBuf, Arc<RepoTree>>>;
        static CACHE: OnceLock<Cache> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
        let new = || {
            Arc::new(RepoTree {
                root: root.to_path_buf(),
                ..RepoTree::default()
            })
        };
        let Ok(mut c) = cache.lock() else {
            return new();
        };
        c.entry(root.to_path_buf()).or_insert_with(new).clone()
    }

    fn listing(&self) -> &Listing {
        self.listing.get_or_init(|| list(&self.root))
    }

    /// Whether the root is a git checkout, so its files are the repository's (a folder of CI
    /// files copied out of their repository is not): rules that ask about files need it.
    pub fn known(&self) -> bool {
        *self.git.get_or_init(|| self.root.join(".git").exists())
    }

    /// A file at the root with this name.
    pub fn at_root(&self, name: &str) -> bool {
        remembered(&self.at_root, name, || self.root.join(name).is_file())
    }

    /// The package manager the root `package.json` names (`packageManager: "npm@10.9.0"`, or
    /// `devEngines.packageManager.name`), without its version. `None` when there is no such file,
    /// it cannot be read (past the size limit, not JSON) or it names none.
    pub fn package_manager(&self) -> Option<&str> {
        self.package_manager
            .get_or_init(|| {
                let text = super::read::read_text(&self.root.join("package.json")).ok()?;
                let json: serde_json::Value = serde_json::from_str(&text).ok()?;
                let named = json
                    .get("packageManager")
                    .and_then(|v| v.as_str())
                    .or_else(|| {
                        json.pointer("/devEngines/packageManager/name")
                            .and_then(|v| v.as_str())
                    })?;
                let name = named.split('@').next().unwrap_or(named).trim();
                (!name.is_empty()).then(|| name.to_string())
            })
            .as_deref()
    }

    /// A file with this name anywhere (the root first: no walk when it is there). A tree past
    /// the listing's bound may hold it where it was not listed: then the answer is yes.
    pub fn anywhere(&self, name: &str) -> bool {
        if self.at_root(name) {
            return true;
        }
        let listing = self.listing();
        if listing.truncated {
            return true;
        }
        // `X` itself at the root, or `X` after a `/`: both end a line of the listing.
        remembered(&listing.asked, name, || {
            listing.paths.contains(&format!("/{name}\n"))
                || listing.paths.contains(&format!("\n{name}\n"))
        })
    }
}

/// The answer for `name` in `answers`, looked up with `look` the first time it is asked.
fn remembered(
    answers: &std::sync::Mutex<std::collections::HashMap<String, bool>>,
    name: &str,
    look: impl FnOnce() -> bool,
) -> bool {
    let Ok(mut answers) = answers.lock() else {
        return look();
    };
    if let Some(&found) = answers.get(name) {
        return found;
    }
    let found = look();
    answers.insert(name.to_string(), found);
    found
}

fn list(root: &std::path::Path) -> Listing {
    let mut out = Listing::default();
    if !root.join(".git").exists() {
        out.truncated = true;
        return out;
    }
    // The git index first: one read, and the files the next commit (and its CI checkout) holds.
    if let Some(tracked) = super::gitindex::tracked(root, MAX_TREE_FILES) {
        out.paths = tracked.paths;
        out.truncated = tracked.truncated;
        return out;
    }
    out.paths.push('\n');
    let walk = walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            !(e.depth() > 0
                && e.file_type().is_dir()
                && matches!(
                    name.as_ref(),
                    ".git" | "node_modules" | "target" | ".venv" | "venv"
                ))
        });
    let mut count = 0;
    for entry in walk.flatten() {
        if !entry.file_type().is_file() {
            continue;
        }
        if count >= MAX_TREE_FILES {
            out.truncated = true;
            break;
        }
        if let Ok(rel) = entry.path().strip_prefix(root) {
            out.paths
                .push_str(&rel.to_string_lossy().replace('\\', "/"));
            out.paths.push('\n');
            count += 1;
        }
    }
    out
}

#[derive(Debug)]
pub enum Checkpoint<'a> {
    Runner(Runner<'a>),
    Uses(Uses<'a>),
    ToolVersion(ToolVersion<'a>),
    Condition(Condition<'a>),
    Script(Script<'a>),
    GitlabJob(GitlabJob),
    Image(Image<'a>),
}

/// One runner label of a job on one leg.
#[derive(Debug)]
pub struct Runner<'a> {
    pub job: &'a str,
    pub label: String,
    /// Where the label is written: the `runs-on` value, or the matrix value it came from.
    pub span: Span,
    /// The `runs-on` value, when the label came from the matrix.
    pub runs_on: Option<Span>,
    /// The job also asks for `self-hosted`: the label is the organisation's own.
    pub self_hosted: bool,
    /// The label was written in the file as a plain scalar (a fix may replace it in place).
    pub literal: bool,
}

/// Where a reference points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// `v4`, `v4.2.0`
    Tag,
    /// A full 40-hex commit SHA.
    Sha,
    /// Anything else (`main`, `releases/v1`).
    Branch,
}

/// A `uses: owner/repo[/path]@ref` step (local `./` actions and `docker://` images are not).
#[derive(Debug)]
pub struct Uses<'a> {
    pub job: Option<&'a str>,
    /// `owner/repo/path`, lowercased owner and repo (GitHub's are case-insensitive).
    pub action: String,
    pub git_ref: String,
    pub kind: RefKind,
    /// The version a tag or a version comment (`@<sha> # v3.1.2`) names.
    pub version: Option<Version>,
    /// The whole scalar.
    pub span: Span,
    /// The ref after `@`.
    pub ref_span: Span,
    /// The step's `with:` inputs: name, value as written (scalars), the value's span.
    pub with: Vec<(String, String, Span)>,
    /// The step's `if:`, when it has one.
    pub if_cond: Option<String>,
    /// An `actions/checkout` step (without `path:`) runs before this one in the job.
    pub after_checkout: bool,
    /// A `run:` step runs before this one (it may create files).
    pub after_run: bool,
    /// An `actions/checkout` of another repository (`repository:`) or into a `path:` runs before
    /// this one: the workspace root may not hold this repository.
    pub after_other_checkout: bool,
    /// How many matrix legs run this step (1 without a matrix).
    pub legs: usize,
    /// The job around the step (`None` in a composite action: its caller's job decides).
    pub job_facts: Option<Arc<JobFacts>>,
    /// The step's index in its job's `steps:`.
    pub step_index: usize,
    /// Names set in the step's own `env:`.
    pub step_env: Vec<String>,
}

/// What a job holds beside its steps, shared by the job's `uses:` checkpoints.
#[derive(Debug)]
pub struct JobFacts {
    /// The `GITHUB_TOKEN` permissions the job runs with.
    pub permissions: Permissions,
    /// The job's runner labels on each matrix leg (a leg's list is empty when `runs-on` is a
    /// `group:`/`labels:` object or an expression the matrix does not give).
    pub labels: Vec<Vec<String>>,
    /// Names set in the workflow's and the job's `env:`.
    pub env: Vec<String>,
    /// Each step's `uses:` action (`owner/repo[/path]`, lowercased owner and repo; empty for a
    /// `run:` step), in order.
    pub steps: Vec<String>,
}

/// Where a job's `GITHUB_TOKEN` permissions come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermissionsFrom {
    /// `jobs.<id>.permissions`.
    Job,
    /// The workflow's top-level `permissions:` (the job has none).
    Workflow,
    /// No `permissions:` anywhere: the repository's or organisation's default token.
    Default,
    /// No `permissions:` anywhere in a reusable workflow (`on: workflow_call`): the caller's.
    Caller,
}

/// The value of a `permissions:` key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PermissionsValue {
    WriteAll,
    ReadAll,
    /// A mapping of scopes (`{}` is empty): every scope not named is `none`.
    Scopes(Vec<(String, String, Span)>),
    /// Something else (an expression, a typo): unknown.
    Unknown,
}

/// The permissions in force for a job, with the `permissions:` value that decides them.
#[derive(Debug, Clone)]
pub struct Permissions {
    pub from: PermissionsFrom,
    pub value: PermissionsValue,
    /// The deciding `permissions:` value (`None` for `Default` and `Caller`).
    pub span: Option<Span>,
}

impl Permissions {
    /// The access a block grants to `scope` (`write`, `read`, `none`), when the file decides it:
    /// `None` for the default token, the caller's, and values faultline cannot read.
    pub fn explicit(&self, scope: &str) -> Option<&str> {
        match &self.value {
            PermissionsValue::WriteAll => Some("write"),
            PermissionsValue::ReadAll => Some("read"),
            PermissionsValue::Scopes(entries) => Some(
                entries
                    .iter()
                    .find(|(name, ..)| name == scope)
                    .map_or("none", |(_, access, _)| access.as_str()),
            ),
            PermissionsValue::Unknown => None,
        }
    }
}

fn permissions_value(node: &Node) -> PermissionsValue {
    if let Some(text) = node.as_str() {
        return match text.trim() {
            "write-all" => PermissionsValue::WriteAll,
            "read-all" => PermissionsValue::ReadAll,
            _ => PermissionsValue::Unknown,
        };
    }
    if node.as_map().is_none() {
        return PermissionsValue::Unknown;
    }
    let mut entries = Vec::new();
    for (name, _, value) in node.entries() {
        let Some(access) = value.as_str() else {
            return PermissionsValue::Unknown;
        };
        entries.push((
            name.to_string(),
            access.trim().to_string(),
            value.span.clone(),
        ));
    }
    PermissionsValue::Scopes(entries)
}

/// A workflow that other workflows call (`on: workflow_call`, in any of its spellings).
fn is_reusable(doc: &Node) -> bool {
    let Some(on) = doc.get("on") else {
        return false;
    };
    if let Some(text) = on.as_str() {
        return text.trim() == "workflow_call";
    }
    if let Some(items) = on.as_seq() {
        return items.iter().any(|i| i.as_str() == Some("workflow_call"));
    }
    on.get("workflow_call").is_some()
}

/// A job's permissions: its own block, else the workflow's, else the default (or the caller's).
fn job_permissions(doc: &Node, job: &Node) -> Permissions {
    for (from, node) in [
        (PermissionsFrom::Job, job.get("permissions")),
        (PermissionsFrom::Workflow, doc.get("permissions")),
    ] {
        if let Some(node) = node {
            return Permissions {
                from,
                value: permissions_value(node),
                span: Some(node.span.clone()),
            };
        }
    }
    Permissions {
        from: if is_reusable(doc) {
            PermissionsFrom::Caller
        } else {
            PermissionsFrom::Default
        },
        value: PermissionsValue::Unknown,
        span: None,
    }
}

fn env_names(env: Option<&Node>) -> Vec<String> {
    env.map(|e| e.entries().map(|(k, ..)| k.to_string()).collect())
        .unwrap_or_default()
}

impl Uses<'_> {
    pub fn input(&self, name: &str) -> Option<&(String, String, Span)> {
        self.with.iter().find(|(n, ..)| n == name)
    }
}

/// A version input of a setup action, with the scalar that supplies it.
#[derive(Debug)]
pub struct ToolVersion<'a> {
    pub job: Option<&'a str>,
    /// `actions/setup-python`
    pub action: String,
    /// `python-version`
    pub input: &'a str,
    /// The scalar as written in the file (`3.10`) and its style.
    pub written: String,
    pub style: Style,
    /// Where it is written: the input, or the matrix or env value it came from.
    pub span: Span,
    /// The `with:` input, when the value came through the matrix or env.
    pub via: Option<(String, Span)>,
    /// The leg's runner labels (empty when unknown).
    pub labels: Vec<String>,
    /// The scalar's value (quotes removed), before GitHub types it.
    pub value: String,
    /// The step's other `with:` inputs on this leg: name and value, with `${{ matrix.X }}`
    /// substituted (`None` when another expression is left or the value is not a scalar).
    pub inputs: Vec<(String, Option<String>)>,
    /// The step's `if:`, when it has one.
    pub step_if: Option<String>,
    /// The step or its job has `continue-on-error` (other than `false`): a failure here may not
    /// fail the run.
    pub continues: bool,
    /// The job runs its steps in a `container:`: the action sees the container's OS, not the
    /// runner's.
    pub in_container: bool,
}

impl ToolVersion<'_> {
    /// The label on the `with:` input when the value came through the matrix or env.
    pub fn via_labels(&self) -> Vec<crate::report::Label> {
        self.via
            .clone()
            .map(|(input, span)| crate::report::Label {
                span,
                message: format!("`{input}` takes its value from here"),
            })
            .into_iter()
            .collect()
    }

    /// Another input of the same step, resolved on this leg: `None` when absent,
    /// `Some(None)` when present but not known statically.
    pub fn input(&self, name: &str) -> Option<Option<&str>> {
        self.inputs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_deref())
    }
}

#[derive(Debug)]
pub struct Condition<'a> {
    pub job: &'a str,
    pub text: String,
    pub span: Span,
    pub step: bool,
}

#[derive(Debug)]
pub struct Script<'a> {
    pub job: Option<&'a str>,
    pub script: ScriptText,
    /// `ACTIONS_ALLOW_UNSECURE_COMMANDS: true` in the workflow's, job's or step's `env`.
    pub unsecure_allowed: bool,
    _life: std::marker::PhantomData<&'a ()>,
}

/// A place in one of the files of a GitLab pipeline: the linted file, a file it includes, or the
/// file that includes it.
#[derive(Debug, Clone)]
pub struct Place {
    pub file: Arc<SourceFile>,
    pub span: Span,
}

impl Place {
    /// Whether the place is in the file a finding belongs to.
    pub fn is_in(&self, ctx: &Context) -> bool {
        Arc::ptr_eq(&self.file, &ctx.file)
    }

    /// A label on this place: among the finding's labels when it is in the finding's file, else
    /// among its labels elsewhere.
    pub fn label(&self, ctx: &Context, message: &str, finding: &mut crate::report::Finding) {
        let label = crate::report::Label {
            span: self.span.clone(),
            message: message.to_string(),
        };
        if self.is_in(ctx) {
            finding.related.push(label);
        } else {
            finding.related_elsewhere.push((self.file.clone(), label));
        }
    }
}

/// A GitLab CI job of the linted file, after merging: GitLab deep-merges the included files and
/// the main file, then each job with its `extends:` ancestors, then takes `default:` keys the
/// job does not set. Hidden keys (`.name`) are templates, not jobs: GitLab does not validate them
/// as jobs (`Entry::Hidden`), so they have no checkpoint; what they hold reaches the jobs that
/// extend them.
#[derive(Debug)]
pub struct GitlabJob {
    pub name: String,
    /// The job's key in the linted file.
    pub name_span: Span,
    /// Its top-level keys, each where the winning definition writes it.
    pub keys: Vec<GitlabKey>,
    /// `image:` (or its `name:`) as written, the job's or the inherited default.
    pub image: Option<(String, Place)>,
    pub services: Vec<GitlabService>,
    /// The top-level variables, shared by every job of the file (not copied into each: 5,000
    /// variables and 5,000 jobs would be 25 million copies).
    pub globals: Arc<GitlabGlobals>,
    /// Which of them the job takes (`inherit:variables`).
    pub inherit_variables: gitlab::Inherit,
    /// The job's own variables, in order (a later one wins; `extends:` ancestors first).
    pub own_variables: Vec<GitlabVariable>,
    /// Where the job expands a variable as a version or an image tag (see [`VersionUseKind`]).
    pub version_uses: Vec<VersionUse>,
}

impl GitlabJob {
    pub fn key(&self, name: &str) -> Option<&GitlabKey> {
        self.keys.iter().find(|k| k.name == name)
    }

    /// The variable `name` in force for the job's scripts and keywords: its own, else the
    /// top-level one it inherits.
    pub fn variable(&self, name: &str) -> Option<&GitlabVariable> {
        self.own_variables
            .iter()
            .rev()
            .find(|v| v.name == name)
            .or_else(|| {
                self.inherit_variables
                    .allows(name)
                    .then(|| self.globals.get(name))
                    .flatten()
            })
    }
}

/// The top-level `variables:` of a pipeline, in order, with the last definition of each name.
#[derive(Debug, Default)]
pub struct GitlabGlobals {
    pub list: Vec<GitlabVariable>,
    last: std::collections::HashMap<String, usize>,
}

impl GitlabGlobals {
    fn new(list: Vec<GitlabVariable>) -> GitlabGlobals {
        let last = list
            .iter()
            .enumerate()
            .map(|(i, v)| (v.name.clone(), i))
            .collect();
        GitlabGlobals { list, last }
    }

    pub fn get(&self, name: &str) -> Option<&GitlabVariable> {
        self.last.get(name).and_then(|&i| self.list.get(i))
    }
}

#[derive(Debug)]
pub struct GitlabKey {
    pub name: String,
    /// The key as written.
    pub place: Place,
    /// Its value is `null`.
    pub null: bool,
    /// Written in a definition of the job itself, not inherited through `extends:`.
    pub own: bool,
}

#[derive(Debug, Clone)]
pub struct GitlabVariable {
    pub name: String,
    /// `NAME: value`, key to value.
    pub place: Place,
    /// The value's scalar (`NAME: v` or `NAME: {value: v}`); `None` for anything else.
    pub value: Option<VariableValue>,
}

#[derive(Debug, Clone)]
pub struct VariableValue {
    /// The text after YAML's quoting rules, before GitLab types it.
    pub text: String,
    /// The scalar as written in the file (`3.10`, `'3.10'`).
    pub written: String,
    pub style: Style,
    /// A plain `null`, `~` or empty value.
    pub null: bool,
    /// An explicit tag (`!!str 3.10`).
    pub tagged: bool,
    pub place: Place,
}

#[derive(Debug)]
pub struct GitlabService {
    /// The image reference as written (`docker:27-dind`).
    pub image: String,
    pub place: Place,
    /// `alias:` names.
    pub aliases: Vec<String>,
    /// `command:` or `entrypoint:` is set.
    pub custom_start: bool,
    /// The service's own `variables:` (they win over the job's, for the service alone).
    pub variables: Vec<GitlabVariable>,
}

/// Where a variable's value becomes a version or an image tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionUseKind {
    /// The tag of the job's `image:` (`python:$PYTHON_VERSION`).
    Image,
    /// The tag of a `services:` image.
    Service,
    /// A script word that glues it to a tool name or a version separator (`python$V`,
    /// `node@$V`, `python=$V`, `pkg==$V`, `python:$V`, `go$V`), or hands a variable named like a
    /// version (`*VERSION*`, `*_VER`) to a command other than `echo`/`printf`
    /// (`pyenv install $PYTHON_VERSION`).
    Script,
    /// A variable that a tool the job runs reads as its version (`UV_PYTHON` for `uv`,
    /// `PYENV_VERSION` for `pyenv`, `RUSTUP_TOOLCHAIN` for `cargo`/`rustc`/`rustup`).
    ToolEnv,
}

#[derive(Debug, Clone)]
pub struct VersionUse {
    pub variable: String,
    pub kind: VersionUseKind,
    /// The image reference, the script word (glued) or command (an argument), or the tools.
    pub text: String,
    pub place: Place,
}

/// Where a file names an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageSite {
    /// A GitHub job's `container:` (or `container: image:`).
    GithubContainer,
    /// A GitLab `image:` (or `image: name:`) of a job, of `default:`, or at the top level.
    GitlabImage,
    /// A Dockerfile `FROM` (not a `FROM` of an earlier stage).
    DockerFrom,
}

/// A `uses:` step of the job that runs in a container.
#[derive(Debug, Clone)]
pub struct JobStep {
    /// `owner/repo[/path]`, lowercased owner and repo.
    pub action: String,
    /// The `uses:` scalar.
    pub span: Span,
    /// The step has an `if:` (it may not run).
    pub conditional: bool,
}

/// An image reference and the facts about the release it runs.
#[derive(Debug)]
pub struct Image<'a> {
    pub site: ImageSite,
    /// The GitHub or GitLab job (`default` for GitLab's `default:`; `None` at the top level or in
    /// a Dockerfile).
    pub job: Option<&'a str>,
    /// The reference as written; a GitHub matrix leg's value substituted (`matrix::substitute`), a
    /// Dockerfile's `ARG` defaults expanded.
    pub reference: String,
    /// Where it is written: the scalar, or the matrix value it came from.
    pub span: Span,
    /// The `container:` value, when the reference came from the matrix.
    pub via: Option<Span>,
    /// The release (distribution, end of life, glibc, archive move), when the reference names one.
    pub release: Option<&'static Release>,
    /// A Dockerfile `FROM` that depends on an `ARG` (`--build-arg` can change it).
    pub overridable: bool,
    /// GitHub: the leg's `runs-on` labels (empty when unknown).
    pub labels: Vec<String>,
    /// GitHub: the job asks for `self-hosted`.
    pub self_hosted: bool,
    /// GitHub: the job's `uses:` steps (local and `docker://` ones excluded).
    pub steps: Vec<JobStep>,
}

/// Every checkpoint of a workflow document.
pub fn workflow<'a>(doc: &'a Node, src: &str) -> Vec<Checkpoint<'a>> {
    let mut out = Vec::new();
    let wf_env = doc.get("env");
    let Some(jobs) = doc.get("jobs") else {
        return out;
    };
    for (job_id, _, job) in jobs.entries() {
        let legs = job
            .get("strategy")
            .and_then(|s| s.get("matrix"))
            .map_or(Some(vec![Leg::new()]), |m| matrix::legs(m, src))
            .unwrap_or_default();
        if let Some(cond) = job.get("if") {
            if let Some(text) = cond.as_str() {
                out.push(Checkpoint::Condition(Condition {
                    job: job_id,
                    text: text.to_string(),
                    span: cond.span.clone(),
                    step: false,
                }));
            }
        }
        let mut leg_labels: Vec<Vec<String>> = Vec::new();
        for leg in &legs {
            let labels = runners(job_id, job, leg, &mut out);
            leg_labels.push(labels);
        }
        containers(job_id, job, &legs, &leg_labels, src, &mut out);
        let Some(steps) = job.get("steps").and_then(Node::as_seq) else {
            continue;
        };
        let envs = [wf_env, job.get("env")];
        let facts = Arc::new(JobFacts {
            permissions: job_permissions(doc, job),
            labels: leg_labels.clone(),
            env: envs.iter().flat_map(|e| env_names(*e)).collect(),
            steps: steps
                .iter()
                .map(|step| {
                    step.get("uses")
                        .and_then(|u| parse_uses(None, u, src))
                        .map(|u| u.action)
                        .unwrap_or_default()
                })
                .collect(),
        });
        let first = out.len();
        steps_checkpoints(
            Some(job_id),
            steps,
            &envs,
            &legs,
            &leg_labels,
            src,
            &mut out,
        );
        let (job_continues, container) = (continues(job), job.get("container").is_some());
        for cp in &mut out[first..] {
            match cp {
                Checkpoint::ToolVersion(tv) => {
                    tv.continues |= job_continues;
                    tv.in_container = container;
                }
                Checkpoint::Uses(u) => u.job_facts = Some(facts.clone()),
                _ => {}
            }
        }
    }
    dedup_tool_versions(&mut out);
    out
}

/// Every checkpoint of a composite action (`runs.steps`).
pub fn action<'a>(doc: &'a Node, src: &str) -> Vec<Checkpoint<'a>> {
    let mut out = Vec::new();
    if let Some(steps) = doc
        .get("runs")
        .and_then(|r| r.get("steps"))
        .and_then(Node::as_seq)
    {
        steps_checkpoints(
            None,
            steps,
            &[],
            &[Leg::new()],
            &[Vec::new()],
            src,
            &mut out,
        );
    }
    out
}

/// A job's `container:` image on each leg, with the leg's runner labels and the job's `uses:`
/// steps. A leg whose value is empty has no container; a reference the matrix cannot give is
/// unknown (no checkpoint).
fn containers<'a>(
    job_id: &'a str,
    job: &'a Node,
    legs: &[Leg],
    leg_labels: &[Vec<String>],
    src: &str,
    out: &mut Vec<Checkpoint<'a>>,
) {
    let Some(container) = job.get("container") else {
        return;
    };
    let node = match container.as_scalar() {
        Some(_) => container,
        None => match container.get("image") {
            Some(n) => n,
            None => return,
        },
    };
    let Some(text) = node.as_str() else { return };
    let steps: Vec<JobStep> = job
        .get("steps")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|step| {
            let u = parse_uses(Some(job_id), step.get("uses")?, src)?;
            Some(JobStep {
                action: u.action,
                span: u.span,
                conditional: step.get("if").is_some(),
            })
        })
        .collect();
    let self_hosted = |labels: &[String]| labels.iter().any(|l| l == "self-hosted");
    let no_leg = [Leg::new()];
    let legs: &[Leg] = if legs.is_empty() && !text.contains("${{") {
        &no_leg // a matrix we cannot expand does not change a literal image
    } else {
        legs
    };
    let mut seen: Vec<(String, Span, Vec<String>)> = Vec::new();
    for (i, leg) in legs.iter().enumerate() {
        let labels = leg_labels.get(i).cloned().unwrap_or_default();
        let (reference, span, via) = if text.contains("${{") {
            // A missing key evaluates to the empty string: no container on this leg.
            let Some((value, used)) = matrix::expand(text, leg, true) else {
                continue;
            };
            let span = match used.as_slice() {
                [one] if one.text == value => one.span.clone(),
                _ => node.span.clone(),
            };
            (value, span, Some(node.span.clone()))
        } else {
            (text.to_string(), node.span.clone(), None)
        };
        let reference = reference.trim().to_string();
        if reference.is_empty() {
            continue;
        }
        let key = (reference.clone(), span.clone(), labels.clone());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        out.push(Checkpoint::Image(Image {
            site: ImageSite::GithubContainer,
            job: Some(job_id),
            release: distro::release_of(&reference),
            reference,
            span,
            via,
            overridable: false,
            self_hosted: self_hosted(&labels),
            labels,
            steps: steps.clone(),
        }));
    }
}

/// Every `image:` a GitLab CI document writes: at the top level, under `default:` and in each job
/// (hidden `.templates` included), as a string or `name:`.
pub fn gitlab<'a>(doc: &'a Node) -> Vec<Checkpoint<'a>> {
    let mut out: Vec<(Option<&'a str>, String, Span)> = Vec::new();
    let mut push = |job: Option<&'a str>, owner: &'a Node| {
        let Some(image) = owner.get("image") else {
            return;
        };
        let node = if image.as_scalar().is_some() {
            image
        } else {
            match image.get("name") {
                Some(n) => n,
                None => return,
            }
        };
        let Some(text) = node.as_str() else { return };
        let reference = text.trim().to_string();
        out.push((job, reference, node.span.clone()));
    };
    push(None, doc);
    for (name, _, node) in doc.entries() {
        if node.as_map().is_none() || name == "image" {
            continue;
        }
        if name == "default" {
            push(Some("default"), node);
        } else if !matches!(
            name,
            "variables" | "include" | "workflow" | "spec" | "services"
        ) {
            push(Some(name), node);
        }
    }
    out.into_iter()
        .map(|(job, reference, span)| {
            Checkpoint::Image(Image {
                site: ImageSite::GitlabImage,
                job,
                release: distro::release_of(&reference),
                reference,
                span,
                via: None,
                overridable: false,
                labels: Vec::new(),
                self_hosted: false,
                steps: Vec::new(),
            })
        })
        .collect()
}

/// Every base image a Dockerfile names: the `FROM` of each stage not built on an earlier stage,
/// its `ARG` defaults expanded (an `ARG` with no default: the reference as written, no facts).
pub fn dockerfile(df: &super::source::dockerfile::Dockerfile) -> Vec<Checkpoint<'static>> {
    df.stages
        .iter()
        .filter(|s| s.parent_stage.is_none())
        .map(|s| {
            let reference = s.image.clone().unwrap_or_else(|| s.image_raw.clone());
            Checkpoint::Image(Image {
                site: ImageSite::DockerFrom,
                job: None,
                release: s.image.as_deref().and_then(distro::release_of),
                reference,
                span: s.image_span.clone(),
                via: None,
                overridable: s.image_depends_on_arg,
                labels: Vec::new(),
                self_hosted: false,
                steps: Vec::new(),
            })
        })
        .collect()
}

/// The labels of `runs-on` on one leg, pushing a `Runner` checkpoint for each; returns them.
fn runners<'a>(
    job_id: &'a str,
    job: &'a Node,
    leg: &Leg,
    out: &mut Vec<Checkpoint<'a>>,
) -> Vec<String> {
    let Some(runs_on) = job.get("runs-on") else {
        return Vec::new();
    };
    // `group:`/`labels:` objects pick self-hosted or larger runners: not GitHub's hosted labels.
    let items: Vec<&Node> = match runs_on.as_seq() {
        Some(items) => items.iter().collect(),
        None if runs_on.as_scalar().is_some() => vec![runs_on],
        None => return Vec::new(),
    };
    let mut labels: Vec<(String, Span, Option<Span>, bool)> = Vec::new();
    for item in items {
        let Some(text) = item.as_str() else { continue };
        if text.contains("${{") {
            let Some((value, used)) = matrix::expand(text, leg, false) else {
                continue;
            };
            // A matrix value may itself be a list of labels (`os: [self-hosted, linux]`): skip it.
            let span = match used.as_slice() {
                [one] if one.text == value => one.span.clone(),
                _ => item.span.clone(),
            };
            labels.push((value, span, Some(item.span.clone()), false));
        } else {
            let literal = matches!(item.as_scalar().map(|s| s.style), Some(Style::Plain));
            labels.push((text.to_string(), item.span.clone(), None, literal));
        }
    }
    let self_hosted = labels.iter().any(|(l, ..)| l == "self-hosted");
    for (label, span, runs_on, literal) in &labels {
        out.push(Checkpoint::Runner(Runner {
            job: job_id,
            label: label.clone(),
            span: span.clone(),
            runs_on: runs_on.clone(),
            self_hosted,
            literal: *literal,
        }));
    }
    labels.into_iter().map(|(l, ..)| l).collect()
}

const VERSION_INPUTS: &[(&str, &str)] = &[
    ("actions/setup-python", "python-version"),
    ("actions/setup-go", "go-version"),
    ("ruby/setup-ruby", "ruby-version"),
    ("actions/setup-node", "node-version"),
];

#[allow(clippy::too_many_arguments)]
fn steps_checkpoints<'a>(
    job: Option<&'a str>,
    steps: &'a [Node],
    outer_env: &[Option<&'a Node>],
    legs: &[Leg],
    leg_labels: &[Vec<String>],
    src: &str,
    out: &mut Vec<Checkpoint<'a>>,
) {
    let mut after_checkout = false;
    let mut after_run = false;
    let mut after_other_checkout = false;
    for (index, step) in steps.iter().enumerate() {
        if let (Some(job), Some(cond)) = (job, step.get("if")) {
            if let Some(text) = cond.as_str() {
                out.push(Checkpoint::Condition(Condition {
                    job,
                    text: text.to_string(),
                    span: cond.span.clone(),
                    step: true,
                }));
            }
        }
        if let Some(run) = step.get("run") {
            if let Some(script) = run.script(src) {
                let unsecure_allowed = outer_env
                    .iter()
                    .copied()
                    .chain([step.get("env")])
                    .flatten()
                    .filter_map(|env| env.get("ACTIONS_ALLOW_UNSECURE_COMMANDS"))
                    .any(|v| v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("true")));
                out.push(Checkpoint::Script(Script {
                    job,
                    script,
                    unsecure_allowed,
                    _life: std::marker::PhantomData,
                }));
            }
        }
        let Some(uses_node) = step.get("uses") else {
            after_run |= step.get("run").is_some();
            continue;
        };
        let Some(mut uses) = parse_uses(job, uses_node, src) else {
            continue;
        };
        uses.with = step
            .get("with")
            .map(|w| {
                w.entries()
                    .filter_map(|(k, _, v)| {
                        Some((k.to_string(), v.as_str()?.to_string(), v.span.clone()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        uses.if_cond = step.get("if").and_then(|c| c.as_str()).map(str::to_string);
        uses.after_checkout = after_checkout;
        uses.after_run = after_run;
        uses.after_other_checkout = after_other_checkout;
        uses.legs = legs.len();
        uses.step_index = index;
        uses.step_env = env_names(step.get("env"));
        if uses.action == "actions/checkout" {
            let other_repo = uses
                .input("repository")
                .is_some_and(|(_, r, _)| !r.contains("github.repository"));
            if uses.input("path").is_none() && !other_repo {
                after_checkout = true;
            } else {
                after_other_checkout = true;
            }
        }
        let action = uses.action.clone();
        out.push(Checkpoint::Uses(uses));
        let Some(&(_, input)) = VERSION_INPUTS.iter().find(|(a, _)| *a == action) else {
            continue;
        };
        let Some(value) = step.get("with").and_then(|w| w.get(input)) else {
            continue;
        };
        for (leg, labels) in legs.iter().zip(leg_labels) {
            if let Some(tv) = tool_version(
                job, &action, input, value, leg, labels, outer_env, step, src,
            ) {
                out.push(Checkpoint::ToolVersion(tv));
            }
        }
    }
}

/// The scalar behind a version input on one leg: the input itself, or the matrix value or `env`
/// entry that a single `${{ matrix.X }}` / `${{ env.X }}` names.
#[allow(clippy::too_many_arguments)]
fn tool_version<'a>(
    job: Option<&'a str>,
    action: &str,
    input: &'a str,
    value: &Node,
    leg: &Leg,
    labels: &[String],
    outer_env: &[Option<&Node>],
    step: &Node,
    src: &str,
) -> Option<ToolVersion<'a>> {
    let scalar = value.as_scalar()?;
    let inputs: Vec<(String, Option<String>)> = step
        .get("with")
        .map(|w| {
            w.entries()
                .filter(|(k, _, _)| *k != input)
                .map(|(k, _, v)| {
                    let resolved = v
                        .as_str()
                        .and_then(|t| matrix::expand(t, leg, false))
                        .map(|(t, _)| t);
                    (k.to_string(), resolved)
                })
                .collect()
        })
        .unwrap_or_default();
    let make = |style: Style, span: Span, via: Option<(String, Span)>, value: &str| ToolVersion {
        job,
        action: action.to_string(),
        input,
        written: src.get(span.clone()).unwrap_or_default().to_string(),
        style,
        span,
        via,
        labels: labels.to_vec(),
        value: value.to_string(),
        inputs: inputs.clone(),
        step_if: step.get("if").and_then(Node::as_str).map(str::to_string),
        continues: continues(step),
        in_container: false,
    };
    let text = scalar.value.trim();
    let Some(inner) = text.strip_prefix("${{").and_then(|t| t.strip_suffix("}}")) else {
        return Some(make(scalar.style, value.span.clone(), None, &scalar.value));
    };
    let inner = inner.trim();
    let via = Some((input.to_string(), value.span.clone()));
    if let Some(key) = inner.strip_prefix("matrix.") {
        let v = leg.get(key)?;
        let (style, _) = v.scalar.clone()?;
        return Some(make(style, v.span.clone(), via, &v.text));
    }
    if let Some(name) = inner.strip_prefix("env.") {
        // The nearest `env:` wins: step, then job, then workflow.
        let scopes = [step.get("env")]
            .into_iter()
            .chain(outer_env.iter().rev().copied());
        for env in scopes.flatten() {
            if let Some(v) = env.get(name) {
                let s = v.as_scalar()?;
                return Some(make(s.style, v.span.clone(), via, &s.value));
            }
        }
    }
    None
}

/// The `GitlabJob` checkpoints of the jobs in `files[target]` (`files` are the pipeline's files,
/// as `gitlab::pipeline` indexes them).
pub fn gitlab_jobs(
    jobs: &[gitlab::Job],
    files: &[Arc<SourceFile>],
    target: usize,
) -> Vec<Checkpoint<'static>> {
    let place = |file: usize, span: Span| Place {
        file: files[file].clone(),
        span,
    };
    let variable = |v: &gitlab::Variable| GitlabVariable {
        name: v.name.clone(),
        place: place(v.file, v.span.clone()),
        value: v.scalar.as_ref().map(|s| VariableValue {
            text: s.text.clone(),
            written: files[v.file]
                .text
                .get(s.span.clone())
                .unwrap_or_default()
                .to_string(),
            style: s.style,
            null: s.null,
            tagged: s.tagged,
            place: place(v.file, s.span.clone()),
        }),
    };
    let mut out = Vec::new();
    // Every job shares the same top-level variables (`gitlab::pipeline` gives each job the same
    // list): convert them once.
    let globals = Arc::new(GitlabGlobals::new(
        jobs.first()
            .map(|j| j.global_variables.iter().map(variable).collect())
            .unwrap_or_default(),
    ));
    for job in jobs.iter().filter(|j| j.file == target) {
        let own_variables: Vec<GitlabVariable> = job.variables.iter().map(variable).collect();
        let image = job
            .image
            .as_ref()
            .map(|(text, span, file)| (text.clone(), place(*file, span.clone())));
        let services: Vec<GitlabService> = job
            .services
            .iter()
            .map(|s| GitlabService {
                image: s.image.clone(),
                place: place(s.file, s.span.clone()),
                aliases: s.aliases.clone(),
                custom_start: s.custom_start,
                variables: s.variables.iter().map(variable).collect(),
            })
            .collect();
        let mut version_uses = Vec::new();
        if let Some((text, at)) = &image {
            for name in tag_variables(text) {
                version_uses.push(VersionUse {
                    variable: name,
                    kind: VersionUseKind::Image,
                    text: text.clone(),
                    place: at.clone(),
                });
            }
        }
        for s in &services {
            for name in tag_variables(&s.image) {
                version_uses.push(VersionUse {
                    variable: name,
                    kind: VersionUseKind::Service,
                    text: s.image.clone(),
                    place: s.place.clone(),
                });
            }
        }
        let mut programs = std::collections::BTreeSet::new();
        for line in job
            .before_script
            .iter()
            .chain(&job.script)
            .chain(&job.after_script)
        {
            let gitlab::Line::Script { file, text } = line else {
                continue;
            };
            let script = shell::parse(&text.text);
            for cmd in &script.commands {
                if let Some(p) = cmd.program_name() {
                    programs.insert(p.to_string());
                }
                let program = cmd.program_name().unwrap_or("");
                let words = cmd
                    .words
                    .iter()
                    .chain(cmd.assignments.iter().map(|a| &a.value));
                for (i, word) in words.enumerate() {
                    if !word.dynamic {
                        continue;
                    }
                    for (name, prefix) in expansions(&word.text) {
                        let glued = glued_to_version(prefix);
                        let argument = i > 0
                            && versionish_name(&name)
                            && !matches!(program, "echo" | "printf");
                        if glued || argument {
                            // The word says it when glued; an argument needs its command.
                            let command = cmd.text(&text.text);
                            let shown = if glued || command.len() > 80 || command.contains('\n') {
                                word.text.clone()
                            } else {
                                command.to_string()
                            };
                            version_uses.push(VersionUse {
                                variable: name,
                                kind: VersionUseKind::Script,
                                text: shown,
                                place: place(*file, text.span_to_file(&word.span)),
                            });
                        }
                    }
                }
            }
        }
        for (var, tools) in TOOL_ENV {
            if tools.iter().any(|t| programs.contains(*t)) {
                let job_var = own_variables.iter().rev().find(|v| v.name == *var);
                let inherited = job
                    .inherit_variables
                    .allows(var)
                    .then(|| globals.get(var))
                    .flatten();
                if let Some(v) = job_var.or(inherited) {
                    version_uses.push(VersionUse {
                        variable: var.to_string(),
                        kind: VersionUseKind::ToolEnv,
                        text: tools.join("/"),
                        place: v.place.clone(),
                    });
                }
            }
        }
        out.push(Checkpoint::GitlabJob(GitlabJob {
            name: job.name.clone(),
            name_span: job.name_span.clone(),
            keys: job
                .keys
                .iter()
                .map(|k| GitlabKey {
                    name: k.name.clone(),
                    place: place(k.file, k.span.clone()),
                    null: k.null,
                    own: k.own,
                })
                .collect(),
            image,
            services,
            globals: globals.clone(),
            inherit_variables: job.inherit_variables.clone(),
            own_variables,
            version_uses,
        }));
    }
    out
}

/// Variables a tool reads as the version it runs, and the programs that read them.
const TOOL_ENV: &[(&str, &[&str])] = &[
    ("UV_PYTHON", &["uv", "uvx"]),
    ("PYENV_VERSION", &["pyenv"]),
    ("RBENV_VERSION", &["rbenv"]),
    ("RUSTUP_TOOLCHAIN", &["cargo", "rustc", "rustup"]),
];

/// The variables expanded in an image reference's tag (`python:${PY}-slim` → `PY`).
fn tag_variables(image: &str) -> Vec<String> {
    let last = image.rsplit('/').next().unwrap_or(image);
    let Some((_, tag)) = last.split_once(':') else {
        return Vec::new();
    };
    expansions(tag).into_iter().map(|(n, _)| n).collect()
}

/// `$NAME` and `${NAME}` (also `${NAME:-x}`) in a word, each with the text before it.
fn expansions(text: &str) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let braced = bytes.get(i + 1) == Some(&b'{');
        let start = i + 1 + usize::from(braced);
        let mut end = start;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            end += 1;
        }
        let name = &text[start..end];
        let closed = !braced || matches!(bytes.get(end), Some(b'}' | b':' | b'-'));
        if !name.is_empty() && !name.as_bytes()[0].is_ascii_digit() && closed {
            out.push((name.to_string(), &text[..i]));
        }
        i = end.max(i + 1);
    }
    out
}

/// Text just before an expansion that makes it a version: a tool name (`python$V`, `go$V`,
/// `python=$V`), a version separator (`node@$V`, `pkg==$V`), a version-named assignment
/// (`PYTHON_VERSION=$V`) or an image name (`python:$V`; not a URL's port).
fn glued_to_version(prefix: &str) -> bool {
    const TOOLS: &[&str] = &[
        "python", "pypy", "golang", "go", "node", "nodejs", "ruby", "php", "java", "jdk", "perl",
    ];
    let p = prefix.to_ascii_lowercase();
    let tool_at_end = |t: &str| {
        TOOLS.iter().any(|tool| {
            t.strip_suffix(tool).is_some_and(|before| {
                !before
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
            })
        })
    };
    if p.ends_with('@') || p.ends_with("==") {
        return true;
    }
    if let Some(before) = p.strip_suffix('=') {
        let name = before.rsplit(['-', ' ', '/']).next().unwrap_or(before);
        return tool_at_end(before) || versionish_name(name);
    }
    if let Some(before) = p.strip_suffix(':') {
        if p.contains("://") {
            return false;
        }
        let image = before.rsplit('/').next().unwrap_or(before);
        return !image.is_empty()
            && image
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && image.chars().any(|c| c.is_ascii_alphabetic());
    }
    tool_at_end(&p)
}

/// A variable named like a version: `PYTHON_VERSION`, `NODE_VER`, `version`.
fn versionish_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    n.contains("VERSION") || n.ends_with("_VER") || n == "VER"
}

/// `continue-on-error:` on a step or job, other than a literal `false`.
fn continues(node: &Node) -> bool {
    node.get("continue-on-error").is_some_and(|v| {
        v.as_str()
            .is_none_or(|t| !t.trim().eq_ignore_ascii_case("false"))
    })
}

/// Matrix legs repeat the same input: keep one checkpoint per span, runner labels and other
/// inputs (an `architecture:` from the matrix makes legs differ).
fn dedup_tool_versions(out: &mut Vec<Checkpoint<'_>>) {
    type Key = (usize, usize, Vec<String>, Vec<(String, Option<String>)>);
    let mut seen: BTreeMap<Key, ()> = BTreeMap::new();
    out.retain(|cp| match cp {
        Checkpoint::ToolVersion(tv) => seen
            .insert(
                (
                    tv.span.start,
                    tv.span.end,
                    tv.labels.clone(),
                    tv.inputs.clone(),
                ),
                (),
            )
            .is_none(),
        _ => true,
    });
}

/// `owner/repo[/path]@ref`, with the version a tag or a `# vX.Y.Z` comment after a SHA names.
fn parse_uses<'a>(job: Option<&'a str>, node: &Node, src: &str) -> Option<Uses<'a>> {
    let scalar = node.as_scalar()?;
    let text = scalar.value.trim();
    if text.starts_with("./") || text.starts_with("docker://") || text.contains("${{") {
        return None;
    }
    let (action, git_ref) = text.rsplit_once('@')?;
    let mut parts = action.splitn(3, '/');
    let (owner, repo) = (parts.next()?, parts.next()?);
    let path = parts.next();
    let action = match path {
        Some(p) => format!(
            "{}/{}/{p}",
            owner.to_ascii_lowercase(),
            repo.to_ascii_lowercase()
        ),
        None => format!(
            "{}/{}",
            owner.to_ascii_lowercase(),
            repo.to_ascii_lowercase()
        ),
    };
    let is_sha = git_ref.len() == 40 && git_ref.bytes().all(|b| b.is_ascii_hexdigit());
    let tag = Version::parse(git_ref);
    let kind = if is_sha {
        RefKind::Sha
    } else if tag.is_some() {
        RefKind::Tag
    } else {
        RefKind::Branch
    };
    let version = match kind {
        RefKind::Tag => tag,
        RefKind::Sha => version_comment(src, node.span.end),
        RefKind::Branch => None,
    };
    // The ref's bytes: the scalar's source ends with it (a quote may follow).
    let raw = src.get(node.span.clone())?;
    let at = raw.rfind(git_ref)?;
    let ref_span = node.span.start + at..node.span.start + at + git_ref.len();
    Some(Uses {
        job,
        action,
        git_ref: git_ref.to_string(),
        kind,
        version,
        span: node.span.clone(),
        ref_span,
        with: Vec::new(),
        if_cond: None,
        after_checkout: false,
        after_run: false,
        after_other_checkout: false,
        legs: 1,
        job_facts: None,
        step_index: 0,
        step_env: Vec::new(),
    })
}

/// `# v3.1.2` (or `# 3.1.2`, `# tag=v3.1.2`) after a value on its line, as Dependabot and Renovate
/// write behind a pinned SHA.
fn version_comment(src: &str, end: usize) -> Option<Version> {
    let rest = src.get(end..)?;
    let line = rest.split('\n').next()?;
    let comment = line
        .trim_start()
        .trim_start_matches(['"', '\''])
        .trim_start();
    let comment = comment.strip_prefix('#')?.trim();
    let word = comment.split_whitespace().next()?;
    let word = word.strip_prefix("tag=").unwrap_or(word);
    Version::parse(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cps(src: &str) -> Vec<String> {
        let doc = super::super::source::yaml::parse(src).unwrap().remove(0);
        workflow(&doc, src)
            .iter()
            .map(|cp| match cp {
                Checkpoint::Runner(r) => {
                    format!("runner {} {} {}", r.job, r.label, &src[r.span.clone()])
                }
                Checkpoint::Uses(u) => format!(
                    "uses {} {} {:?} {:?} {}",
                    u.action,
                    u.git_ref,
                    u.kind,
                    u.version.as_ref().map(|v| v.0.clone()),
                    &src[u.ref_span.clone()]
                ),
                Checkpoint::ToolVersion(t) => format!(
                    "version {} {} {:?} {:?} {}",
                    t.input,
                    t.written,
                    t.style,
                    t.labels,
                    t.via.is_some()
                ),
                Checkpoint::Condition(c) => format!("if {} {}", c.job, c.text),
                Checkpoint::Script(s) => format!("run {}", s.unsecure_allowed),
                Checkpoint::GitlabJob(j) => format!("gitlab {}", j.name),
                Checkpoint::Image(i) => image_line(i, src),
            })
            .collect()
    }

    fn image_line(i: &Image<'_>, src: &str) -> String {
        format!(
            "image {:?} {:?} {} at `{}` via {:?} release {:?} labels {:?} self-hosted {} steps {:?}",
            i.site,
            i.job,
            i.reference,
            &src[i.span.clone()],
            i.via.as_ref().map(|v| &src[v.clone()]),
            i.release.map(Release::describe),
            i.labels,
            i.self_hosted,
            i.steps
                .iter()
                .map(|s| format!("{}{}", s.action, if s.conditional { "?" } else { "" }))
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn container_images_per_leg_with_labels_and_steps() {
        let src = "on: push\njobs:\n  t:\n    strategy:\n      matrix:\n        img: ['centos:7', '', debian:12]\n    runs-on: ubuntu-24.04\n    container: ${{ matrix.img }}\n    steps:\n      - uses: actions/checkout@v4\n      - run: make\n      - uses: actions/cache@v4\n        if: always()\n      - uses: ./local\n  h:\n    runs-on: [self-hosted, linux]\n    container:\n      image: quay.io/pypa/manylinux2014_x86_64\n    steps: []\n";
        let got: Vec<String> = cps(src)
            .into_iter()
            .filter(|c| c.starts_with("image"))
            .collect();
        assert_eq!(
            got,
            [
                "image GithubContainer Some(\"t\") centos:7 at `'centos:7'` via Some(\"${{ matrix.img }}\") release Some(\"CentOS 7\") labels [\"ubuntu-24.04\"] self-hosted false steps [\"actions/checkout\", \"actions/cache?\"]",
                "image GithubContainer Some(\"t\") debian:12 at `debian:12` via Some(\"${{ matrix.img }}\") release Some(\"Debian 12 (bookworm)\") labels [\"ubuntu-24.04\"] self-hosted false steps [\"actions/checkout\", \"actions/cache?\"]",
                "image GithubContainer Some(\"h\") quay.io/pypa/manylinux2014_x86_64 at `quay.io/pypa/manylinux2014_x86_64` via None release Some(\"CentOS 7\") labels [\"self-hosted\", \"linux\"] self-hosted true steps []",
            ]
        );
    }

    #[test]
    fn gitlab_images_of_jobs_default_and_top_level() {
        let src = "image: alpine:3.19\ndefault:\n  image:\n    name: debian:buster\n.tmpl:\n  image: $CI_REGISTRY_IMAGE:latest\nbuild:\n  image: ubuntu:23.04\n  script: [make]\nvariables:\n  A: b\n";
        let doc = super::super::source::yaml::parse(src).unwrap().remove(0);
        let got: Vec<String> = gitlab(&doc)
            .iter()
            .map(|cp| match cp {
                Checkpoint::Image(i) => image_line(i, src),
                _ => String::new(),
            })
            .collect();
        assert_eq!(
            got,
            [
                "image GitlabImage None alpine:3.19 at `alpine:3.19` via None release Some(\"Alpine 3.19\") labels [] self-hosted false steps []",
                "image GitlabImage Some(\"default\") debian:buster at `debian:buster` via None release Some(\"Debian 10 (buster)\") labels [] self-hosted false steps []",
                "image GitlabImage Some(\".tmpl\") $CI_REGISTRY_IMAGE:latest at `$CI_REGISTRY_IMAGE:latest` via None release None labels [] self-hosted false steps []",
                "image GitlabImage Some(\"build\") ubuntu:23.04 at `ubuntu:23.04` via None release Some(\"Ubuntu 23.04 (lunar)\") labels [] self-hosted false steps []",
            ]
        );
    }

    #[test]
    fn dockerfile_base_images_with_arg_defaults() {
        let src = "ARG BASE=python:3.8-slim-buster\nARG TAG\nFROM ${BASE} AS a\nFROM a\nFROM debian:${TAG}\n";
        let df = super::super::source::dockerfile::parse(src).unwrap();
        let got: Vec<String> = dockerfile(&df)
            .iter()
            .map(|cp| match cp {
                Checkpoint::Image(i) => format!(
                    "{}{}",
                    image_line(i, src),
                    if i.overridable { " (arg)" } else { "" }
                ),
                _ => String::new(),
            })
            .collect();
        assert_eq!(
            got,
            [
                "image DockerFrom None python:3.8-slim-buster at `${BASE}` via None release Some(\"Debian 10 (buster)\") labels [] self-hosted false steps [] (arg)",
                "image DockerFrom None debian:${TAG} at `debian:${TAG}` via None release None labels [] self-hosted false steps [] (arg)",
            ]
        );
    }

    #[test]
    fn runners_per_leg_point_at_the_matrix_value() {
        let src = "on: push\njobs:\n  t:\n    strategy:\n      matrix:\n        os: [ubuntu-20.04, macos-14]\n    runs-on: ${{ matrix.os }}\n    steps: []\n  h:\n    runs-on: [self-hosted, ubuntu-20.04]\n    steps: []\n";
        assert_eq!(
            cps(src),
            [
                "runner t ubuntu-20.04 ubuntu-20.04",
                "runner t macos-14 macos-14",
                "runner h self-hosted self-hosted",
                "runner h ubuntu-20.04 ubuntu-20.04",
            ]
        );
    }

    #[test]
    fn uses_refs_and_version_comments() {
        let src = "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - uses: actions/upload-artifact@v3\n      - uses: actions/cache@704facf57e6136b1bc63b828d79edcd491f0ee84 # v3.3.2\n      - uses: 'Actions/Cache/restore@main'\n      - uses: ./local\n";
        assert_eq!(
            cps(src)[1..],
            [
                "uses actions/upload-artifact v3 Tag Some([3]) v3",
                "uses actions/cache 704facf57e6136b1bc63b828d79edcd491f0ee84 Sha Some([3, 3, 2]) 704facf57e6136b1bc63b828d79edcd491f0ee84",
                "uses actions/cache/restore main Branch None main",
            ]
        );
    }

    #[test]
    fn tool_versions_carry_the_legs_other_inputs_and_failure_tolerance() {
        let src = "on: push\njobs:\n  t:\n    continue-on-error: ${{ matrix.arch == 'x64' }}\n    strategy:\n      matrix:\n        arch: [x64, arm64]\n    runs-on: macos-15\n    steps:\n      - uses: actions/setup-python@v5\n        if: matrix.arch == 'x64'\n        with:\n          python-version: '3.9'\n          architecture: ${{ matrix.arch }}\n          cache: ${{ inputs.cache }}\n  c:\n    runs-on: ubuntu-24.04\n    container: ubuntu:22.04\n    steps:\n      - uses: actions/setup-python@v5\n        with:\n          python-version: \"3.7\"\n";
        let doc = super::super::source::yaml::parse(src).unwrap().remove(0);
        let got: Vec<String> = workflow(&doc, src)
            .iter()
            .filter_map(|cp| match cp {
                Checkpoint::ToolVersion(t) => Some(format!(
                    "{} {:?} {:?} {:?} {} {}",
                    t.value,
                    t.input("architecture"),
                    t.input("cache"),
                    t.step_if,
                    t.continues,
                    t.in_container
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            got,
            [
                "3.9 Some(Some(\"x64\")) Some(None) Some(\"matrix.arch == 'x64'\") true false",
                "3.9 Some(Some(\"arm64\")) Some(None) Some(\"matrix.arch == 'x64'\") true false",
                "3.7 None None None false true",
            ]
        );
    }

    #[test]
    fn tool_versions_through_matrix_and_env() {
        let src = "on: push\nenv:\n  GO: 1.20\njobs:\n  t:\n    strategy:\n      matrix:\n        py: [3.9, '3.10']\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/setup-python@v5\n        with:\n          python-version: ${{ matrix.py }}\n      - uses: actions/setup-go@v5\n        with:\n          go-version: ${{ env.GO }}\n";
        let got: Vec<String> = cps(src)
            .into_iter()
            .filter(|c| c.starts_with("version"))
            .collect();
        assert_eq!(
            got,
            [
                "version python-version 3.9 Plain [\"ubuntu-24.04\"] true",
                "version python-version '3.10' SingleQuoted [\"ubuntu-24.04\"] true",
                "version go-version 1.20 Plain [\"ubuntu-24.04\"] true",
            ]
        );
    }

    #[test]
    fn version_uses_in_words() {
        assert_eq!(
            expansions("python${PY}-x$V/$ {z} $1"),
            [
                ("PY".to_string(), "python"),
                ("V".to_string(), "python${PY}-x")
            ]
        );
        for glued in [
            "python",
            "/usr/bin/python",
            "go",
            "node@",
            "pip==",
            "python=",
            "--build-arg PYTHON_VERSION=",
            "python:",
            "registry/img:",
        ] {
            assert!(glued_to_version(glued), "{glued}");
        }
        for not in [
            "",
            "cargo",
            "--cov-fail-under=",
            "http://localhost:",
            "echo ",
            "x-",
            "TIMEOUT=",
        ] {
            assert!(!glued_to_version(not), "{not}");
        }
        assert_eq!(tag_variables("python:${PY}-slim"), ["PY"]);
        assert_eq!(tag_variables("$REGISTRY/python:3.12"), Vec::<String>::new());
        assert!(versionish_name("PYTHON_VERSION") && versionish_name("NODE_VER"));
        assert!(!versionish_name("TIMEOUT"));
    }
}
