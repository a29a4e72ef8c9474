//! The environment model: walks each GitHub job, GitLab job or Dockerfile stage step by step, and
//! tells, for every shell command, which Python a bare `pip` reaches, whether it is externally
//! managed, whether pip is installed there, and what decided it. Facts follow
//! `../shared/ground-truth/pep668.md`; where the files cannot decide (unknown image, self-hosted
//! runner, a sourced script) the model says unknown, and rules stay silent at error severity.
//!
//! The walk keeps two layers of state: what persists for the whole job or image (packages
//! installed, venvs created, env vars, `$GITHUB_PATH`, pip.conf writes) and what lives in one
//! shell (`run:` step, `RUN`, GitLab `before_script`+`script`): an activated venv, `export`s.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use super::command::{self, Invoker, PyCmd, VenvTool};
use super::discover::FileKind;
use super::legs::{self, LegFacts, Runs};
use super::platform::{self, Os, Platform, Tri};
use super::rules;
use super::source::shell::{self, Command, Nesting, Separator};
use super::source::span::Span;
use super::source::{github, yaml};
use super::LintOptions;
use crate::report::{Finding, InputError, Label, SourceFile};

/// Where a scope comes from; rules tailor their help to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    GithubJob,
    GithubComposite,
    GitlabJob,
    DockerStage,
}

/// A value of an environment variable as far as the files show it.
#[derive(Debug, Clone)]
pub struct EnvValue {
    /// `None` when set from something the file cannot show (`${{ secrets.X }}`, `$(cmd)`).
    pub value: Option<String>,
    pub span: Span,
}

/// Environment variables: a shared base (a workflow's `env:`, a GitLab file's top-level
/// `variables:`, built once per file) under the scope's own settings. Every job starts from the
/// same base instead of copying it: 5,000 variables and 5,000 jobs would be 25 million copies.
#[derive(Debug, Clone, Default)]
pub struct Env {
    base: Arc<BTreeMap<String, EnvValue>>,
    /// Set (`Some`) or removed (`None`, hiding the base) in this scope.
    own: BTreeMap<String, Option<EnvValue>>,
}

impl Env {
    pub fn with_base(base: Arc<BTreeMap<String, EnvValue>>) -> Self {
        Env {
            base,
            own: BTreeMap::new(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&EnvValue> {
        match self.own.get(name) {
            Some(v) => v.as_ref(),
            None => self.base.get(name),
        }
    }

    pub fn insert(&mut self, name: String, value: EnvValue) {
        self.own.insert(name, Some(value));
    }

    pub fn remove(&mut self, name: &str) {
        if self.base.contains_key(name) {
            self.own.insert(name.to_string(), None);
        } else {
            self.own.remove(name);
        }
    }

    /// Rewrite every span (a composite action's walk moves the caller's spans aside and back).
    pub fn map_spans(&mut self, f: &mut dyn FnMut(Span) -> Span) {
        for v in Arc::make_mut(&mut self.base).values_mut() {
            v.span = f(v.span.clone());
        }
        for v in self.own.values_mut().flatten() {
            v.span = f(v.span.clone());
        }
    }

    /// Fold this scope's settings into a new shared base, once, before it is cloned for many
    /// scopes (a Dockerfile stage that several stages are built `FROM`).
    pub fn freeze(&mut self) {
        if self.own.is_empty() {
            return;
        }
        let mut base = (*self.base).clone();
        for (name, value) in std::mem::take(&mut self.own) {
            match value {
                Some(v) => base.insert(name, v),
                None => base.remove(&name),
            };
        }
        self.base = Arc::new(base);
    }
}

/// The folder a command in shell `at` runs in: the nearest shell (itself, then its parents) that
/// ran `cd`, else where the script started.
fn shell_cwd(
    script: &shell::Script,
    at: usize,
    sh: &ShellState,
    start: Option<&str>,
) -> Option<String> {
    let mut s = Some(at);
    while let Some(i) = s {
        if let Some(dir) = sh.cwds.get(&i) {
            return dir.clone();
        }
        s = script.shells.get(i).and_then(|sh| sh.parent);
    }
    start.map(str::to_string)
}

/// Where `cd DIR` (or `pushd DIR`) goes from `from`, relative to the repository root. `None` when
/// it cannot be told: no argument (`$HOME`), `-`, an absolute path, a variable other than the
/// workspace's, or a climb above the root.
fn cd_target(cmd: &Command, from: Option<&str>) -> Option<String> {
    let arg = cmd.args().iter().find(|w| !w.text.starts_with('-'))?;
    let text = arg.text.as_str();
    let (base, rest) = [
        "$GITHUB_WORKSPACE",
        "${GITHUB_WORKSPACE}",
        "${{ github.workspace }}",
        "$CI_PROJECT_DIR",
        "${CI_PROJECT_DIR}",
    ]
    .iter()
    .find_map(|v| text.strip_prefix(v).map(|rest| ("", rest)))
    .or_else(|| (!arg.dynamic && !text.starts_with('/')).then_some((from?, text)))?;
    if rest.contains('$') {
        return None;
    }
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in rest.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The shared base of [`Env`] for variables set before any step or script: every one but
/// `PATH`, which also moves venvs and is set through [`Walker::set_env`] in each scope.
pub fn env_base<'a>(
    vars: impl Iterator<Item = (&'a str, Option<String>, Span)>,
) -> Arc<BTreeMap<String, EnvValue>> {
    let mut base = BTreeMap::new();
    for (name, value, span) in vars {
        if name != "PATH" {
            base.insert(name.to_string(), EnvValue { value, span });
        }
    }
    Arc::new(base)
}

/// A venv the job created.
#[derive(Debug, Clone)]
pub struct Venv {
    pub dir: String,
    pub has_pip: bool,
    pub span: Span,
}

/// What persists across shells within one job, stage or image.
#[derive(Debug, Clone, Default)]
pub struct State {
    /// An install of python3 (apt/apk/dnf…).
    pub python_installed: Option<Span>,
    /// An install of pip for the system Python (python3-pip, py3-pip, get-pip).
    pub pip_installed: Option<Span>,
    /// An install of python3-venv / python3-full.
    pub venv_pkg_installed: Option<Span>,
    /// `actions/setup-python` put an unmarked Python first on PATH.
    pub setup_python: Option<Span>,
    /// Its `major.minor`, when `python-version` names one (`3.11`, `3.11.4`).
    pub setup_python_version: Option<String>,
    /// astral-sh/setup-uv `activate-environment: true`: a venv without pip first on PATH.
    pub uv_venv_on_path: Option<Span>,
    /// A venv put first on PATH for later steps (`$GITHUB_PATH`, Dockerfile `ENV PATH=`).
    pub venv_on_path: Option<Venv>,
    /// A pip.conf written with `break-system-packages` (or `pip config set …`).
    pub pip_conf_written: Option<Span>,
    pub marker_removed: Option<Span>,
    /// Environment variables in force (workflow/job/step env, `$GITHUB_ENV`, ENV/ARG, variables).
    pub env: Env,
    /// Something switched to a Python this model does not follow (conda, pyenv, an unknown
    /// action that may set up Python).
    pub other_python: Option<Span>,
    /// A script we cannot see ran and may have installed packages.
    pub opaque_script: Option<Span>,
    pub venvs: Vec<Venv>,
    /// The last `activate` of a shell that has ended (it does not carry over).
    pub activated_in_earlier_shell: Option<Span>,
    /// `apt-get update` ran earlier in this job or stage (the lists exist).
    pub apt_updated: Option<Span>,
    /// `APT::Get::Assume-Yes` was written to apt's configuration.
    pub apt_assume_yes: Option<Span>,
    /// apt's sources were rewritten (`sed … /etc/apt/sources.list`, a write of an
    /// `archive.debian.org` line, a copied sources file).
    pub apt_sources_rewritten: Option<Span>,
    /// pip was upgraded or installed by something other than the platform's package
    /// (`pip install --upgrade pip`, get-pip.py, ensurepip): its version is not the platform's.
    pub pip_replaced: Option<Span>,
    /// What the workspace holds: `Some(true)` this repository at the root (GitLab's project
    /// folder, or after a plain `actions/checkout`), `Some(false)` something else (another
    /// repository, a `path:` checkout), `None` nothing known yet.
    pub workspace_repo: Option<bool>,
    /// A command or step that may have written a `package-lock.json` (`npm install`, a `cp`, an
    /// action faultline does not model).
    pub lockfile_written: Option<Span>,
}

impl State {
    /// The venv a PATH value puts first (`/opt/venv/bin:$PATH`, `$PWD/.venv/bin:$PATH`,
    /// `$VIRTUAL_ENV/bin:$PATH`), if any.
    pub fn venv_first_on(&self, value: &str, span: Span) -> Option<Venv> {
        let first = strip_dir_vars(value.trim_matches('"').split(':').next().unwrap_or(""));
        let dir = first
            .strip_suffix("/bin")
            .or_else(|| first.strip_suffix("/bin/"))?;
        if dir.contains("$VIRTUAL_ENV") || dir.contains("${VIRTUAL_ENV}") {
            return Some(Venv {
                dir: dir.to_string(),
                has_pip: true,
                span,
            });
        }
        if let Some(v) = self.find_venv(dir) {
            return Some(Venv { span, ..v });
        }
        (dir.contains("venv") || dir.contains("virtualenv") || dir.ends_with("/env")).then(|| {
            Venv {
                dir: dir.to_string(),
                has_pip: true,
                span,
            }
        })
    }

    /// The venv this job created at `dir` (relative or absolute spellings of the same folder).
    pub fn find_venv(&self, dir: &str) -> Option<Venv> {
        let norm = |d: &str| d.trim_start_matches("./").trim_end_matches('/').to_string();
        let want = norm(dir);
        self.venvs
            .iter()
            .rev()
            .find(|v| {
                let have = norm(&v.dir);
                have == want
                    || want.ends_with(&format!("/{have}"))
                    || have.ends_with(&format!("/{want}"))
            })
            .cloned()
    }
}

/// What lives in one shell.
#[derive(Debug, Clone, Default)]
pub struct ShellState {
    pub active_venv: Option<Venv>,
    /// `apt-get update` ran in this shell (this `RUN`, this step).
    pub apt_updated: bool,
    pub exports: BTreeMap<String, EnvValue>,
    /// A script was sourced: its effect on this shell is unknown.
    pub sourced: Option<Span>,
    /// The current folder of each shell that ran `cd` (by `Script::shells` index), relative to
    /// the repository root (`""` = the root; `None` = unknown). Shells without an entry are in
    /// their parent's folder, the script's own shell in [`Walker::start_dir`].
    pub cwds: BTreeMap<usize, Option<String>>,
}

/// Which interpreter a pip (or uv) command reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A virtual environment (never externally managed).
    Venv,
    /// The toolcache Python of actions/setup-python.
    SetupPython,
    /// The platform's system Python.
    System,
    /// Cannot tell.
    Unknown,
}

/// Why pip will skip the PEP 668 check, if it will.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Override {
    Flag,
    AlternateRoot,
    DryRunReport,
    EnvVar(Span),
    PipConf(Span),
    MarkerRemoved(Span),
    /// The value cannot be known (an expression, a sourced script): say nothing.
    Unknown,
}

/// The model's answer for one pip or uv command.
#[derive(Debug, Clone)]
pub struct PipReach {
    pub target: Target,
    /// The target carries an EXTERNALLY-MANAGED marker.
    pub marked: Tri,
    /// pip is installed for the target.
    pub pip_present: Tri,
    /// What installed pip (the `apt-get install python3-pip` command).
    pub pip_installed_at: Option<Span>,
    pub overridden: Option<Override>,
    /// Only the hosted runner's `/etc/pip.conf` lets it pass.
    pub runner_pip_conf: bool,
    /// A venv was activated in an earlier step or RUN, and is not active here.
    pub stale_activation: Option<Span>,
    pub via_sudo: bool,
    /// The command names another Python than the platform's default (`/usr/bin/python3` in a
    /// `python:` image): how to name it in a message.
    pub python_what: Option<&'static str>,
}

/// One command, with everything a rule may read.
pub struct Site<'a> {
    pub cmd: &'a Command,
    pub py: &'a PyCmd,
    /// File span of the command.
    pub span: Span,
    /// The file span of a range of the script (a word of `cmd`, for a fix that edits it).
    pub to_file: &'a dyn Fn(&Range<usize>) -> Span,
    pub scope: &'a Scope,
    pub state: &'a State,
    pub shell: &'a ShellState,
    /// Why this command may not run, or why its failure may not fail the step or build
    /// (`None`: if it fails, the job fails). Rules say less when it is set.
    pub tolerated: Option<&'static str>,
    /// Whether it runs when the walk gets there: `Maybe` in a branch the files cannot decide on
    /// this leg (rules say less), `Sure` in straight-line code or a branch decided to run.
    pub runs: Runs,
    /// `pip_reach()`'s answer, once asked.
    pub reach: std::cell::OnceCell<Option<PipReach>>,
    /// The folder the command runs in, relative to the repository root (`""` = the root), when
    /// the files tell.
    pub cwd: Option<String>,
    /// The repository root, when the walk knows it (for rules that look at its files).
    pub root: Option<&'a std::path::Path>,
}

impl Site<'_> {
    /// The model's answer for a pip command.
    /// Computed once per command, however many rules ask.
    pub fn pip_reach(&self) -> Option<PipReach> {
        self.reach
            .get_or_init(|| match self.py {
                PyCmd::Pip { invoker, opts, .. } => Some(
                    self.scope
                        .pip_reach(self.cmd, invoker, opts, self.state, self.shell),
                ),
                _ => None,
            })
            .clone()
    }
}

/// One job, stage or composite action being walked.
pub struct Scope {
    pub file: Arc<SourceFile>,
    pub kind: ScopeKind,
    pub platform: Option<Platform>,
    /// Where the platform was declared (`runs-on`, `container`, `image`, `FROM`).
    pub platform_span: Option<Span>,
    /// The platform comes from a default that can be overridden (`FROM $BASE` with an ARG
    /// default, a matrix value): findings are warnings, not errors.
    pub platform_overridable: bool,
    /// Extra words for messages: ` (matrix: os=ubuntu-24.04)`.
    pub note: String,
    /// The container image's release, when the scope runs in one the files name and it is known
    /// (`FROM`, GitLab `image:`, GitHub `container:`), judged on the linted day.
    pub image: Option<ScopeImage>,
}

/// The release of a scope's image, with the archive move as of the linted day.
#[derive(Debug, Clone)]
pub struct ScopeImage {
    /// The reference (a leg's matrix value substituted, `ARG` defaults expanded).
    pub reference: String,
    pub release: &'static super::distro::Release,
    /// The release's apt sources have left the default mirror by the linted day.
    pub archived: Option<&'static super::distro::Archive>,
}

impl ScopeImage {
    /// The release behind `reference` on `today`; `None` when the reference names none.
    pub fn of(reference: &str, today: super::facts::Date) -> Option<ScopeImage> {
        let release = super::distro::release_of(reference)?;
        Some(ScopeImage {
            reference: reference.to_string(),
            release,
            archived: release.archived_on(today),
        })
    }
}

/// A shell script with a way to map its offsets back to the file.
pub struct ScriptSource<'s> {
    pub text: &'s str,
    pub to_file: &'s dyn Fn(&Range<usize>) -> Span,
}

impl Scope {
    fn facts(&self) -> Option<&platform::PyFacts> {
        self.platform.as_ref().map(|p| &p.facts)
    }

    /// Effective value of an env var for a command: command prefix, then shell exports, then
    /// persistent env. `Some(None)` = set, value unknown.
    fn env_lookup<'s>(
        &self,
        name: &str,
        cmd: &'s Command,
        state: &'s State,
        shell: &'s ShellState,
        sudo_reset: bool,
    ) -> Option<(Option<String>, Option<Span>)> {
        // `X=1 sudo pip` loses X to sudo's env_reset; `sudo X=1 pip` and `env X=1 pip` keep it.
        let kept = |a: &&shell::Assignment| a.name == name && (!sudo_reset || a.wrapper.is_some());
        if let Some(a) = cmd.assignments.iter().rev().find(kept) {
            let v = (!a.value.dynamic).then(|| a.value.text.clone());
            return Some((v, None));
        }
        if sudo_reset {
            return None;
        }
        if let Some(v) = shell.exports.get(name) {
            return Some((v.value.clone(), Some(v.span.clone())));
        }
        state
            .env
            .get(name)
            .map(|v| (v.value.clone(), Some(v.span.clone())))
    }

    fn pip_reach(
        &self,
        cmd: &Command,
        invoker: &Invoker,
        opts: &command::PipOptions,
        state: &State,
        shell: &ShellState,
    ) -> PipReach {
        let sudo = cmd.wrappers.iter().find(|w| w.name == "sudo");
        // sudo resets the environment (env_reset) and PATH (secure_path) unless told otherwise.
        let sudo_keeps_env = sudo.is_some_and(|w| w.has_option(Some('E'), Some("preserve-env")));
        let sudo_reset = sudo.is_some() && !sudo_keeps_env;
        let facts = self.facts();
        let mut reach = PipReach {
            target: Target::Unknown,
            marked: Tri::Unknown,
            pip_present: Tri::Unknown,
            pip_installed_at: state.pip_installed.clone(),
            overridden: None,
            runner_pip_conf: false,
            stale_activation: None,
            via_sudo: sudo.is_some(),
            python_what: None,
        };
        reach.target = match invoker.path() {
            Some(p) if p.contains('$') || p.contains("{{") => Target::Unknown,
            Some(p) if p.starts_with("/usr/bin/") || p.starts_with("/bin/") => Target::System,
            Some(p) if p.starts_with("/usr/local/bin/") => {
                if facts.is_some_and(|f| f.marked == Tri::No && f.pip == Tri::Yes) {
                    Target::System
                } else {
                    Target::Unknown
                }
            }
            Some(_) => Target::Venv,
            None => {
                let bare_pip = matches!(invoker, Invoker::BarePip(_));
                // `PATH=/opt/venv/bin:$PATH pip install …` for this command only.
                let prefix_path = cmd
                    .assignments
                    .iter()
                    .rev()
                    .find(|a| a.name == "PATH" && (!sudo_reset || a.wrapper.is_some()))
                    .and_then(|a| state.venv_first_on(&a.value.text, cmd.span.clone()));
                let active = if sudo_reset {
                    prefix_path.as_ref()
                } else {
                    prefix_path
                        .as_ref()
                        .or(shell.active_venv.as_ref())
                        .or(state.venv_on_path.as_ref())
                };
                match active {
                    // A venv without pip (uv venv) lets a bare `pip` fall through to the next PATH entry.
                    Some(v) if v.has_pip || !bare_pip => Target::Venv,
                    _ if shell.sourced.is_some() && !sudo_reset => Target::Unknown,
                    _ if state.other_python.is_some() && !sudo_reset => Target::Unknown,
                    _ if state.setup_python.is_some() && !sudo_reset => {
                        self.versioned_after_setup_python(invoker, state)
                    }
                    _ => Target::System,
                }
            }
        };
        if opts.python.is_some() {
            reach.target = Target::Unknown;
        }
        if reach.target != Target::System {
            return reach;
        }
        let Some(f) = facts else { return reach };
        // `/usr/bin/python3` where the image's own Python is elsewhere: the distribution's.
        let explicit_usr_bin = invoker
            .path()
            .is_some_and(|p| p.starts_with("/usr/bin/") || p.starts_with("/bin/"));
        let usr_bin_facts;
        let f = match f.usr_bin.filter(|_| explicit_usr_bin) {
            Some(u) => {
                reach.python_what = Some(u.what);
                usr_bin_facts = platform::PyFacts {
                    marked: u.marked,
                    pip: u.pip,
                    pip_conf_override: false,
                    usr_bin: None,
                    ..f.clone()
                };
                &usr_bin_facts
            }
            None => f,
        };
        // macOS: Homebrew links `pip3` and `python3`, not `pip` or `python`; those reach some other
        // Python (runner-images #10385), so only the versioned names are certain.
        if f.os == Os::MacOs
            && matches!(invoker, Invoker::BarePip(n) | Invoker::PythonM(n) if n == "pip" || n == "python")
        {
            return reach;
        }
        reach.marked = f.marked;
        reach.pip_present = if state.pip_installed.is_some() {
            Tri::Yes
        } else if f.pip == Tri::No && state.opaque_script.is_none() && state.other_python.is_none()
        {
            Tri::No
        } else if f.pip == Tri::Yes {
            Tri::Yes
        } else {
            Tri::Unknown
        };
        if state.activated_in_earlier_shell.is_some()
            && shell.active_venv.is_none()
            && state.venv_on_path.is_none()
        {
            reach.stale_activation = state.activated_in_earlier_shell.clone();
        }
        // What makes pip skip the check, in pip's own order (install.py, then config).
        reach.overridden = if opts.break_system_packages {
            Some(Override::Flag)
        } else if opts.alternate_root {
            Some(Override::AlternateRoot)
        } else if opts.dry_run && opts.report {
            Some(Override::DryRunReport)
        } else if let Some(s) = &state.marker_removed {
            Some(Override::MarkerRemoved(s.clone()))
        } else {
            self.config_override(cmd, opts, state, shell, sudo_reset)
        };
        if reach.overridden.is_none()
            && f.pip_conf_override
            && !opts.isolated
            && !self.config_disabled(cmd, state, shell, sudo_reset)
        {
            reach.runner_pip_conf = true;
        }
        reach
    }

    /// `python3.12 -m pip` (or `pip3.12`) after setup-python installed another version: that name
    /// is not setup-python's, so it falls to the runner's own `/usr/bin/python3.12` when that is
    /// the system version (pep668.md), else to something the files cannot show.
    fn versioned_after_setup_python(&self, invoker: &Invoker, state: &State) -> Target {
        let name = match invoker {
            Invoker::PythonM(n) => n.strip_prefix("python"),
            Invoker::BarePip(n) => n.strip_prefix("pip"),
            _ => None,
        };
        let Some(named) = name.filter(|v| v.contains('.')) else {
            return Target::SetupPython;
        };
        match &state.setup_python_version {
            Some(v) if v == named => Target::SetupPython,
            Some(_) => {
                let system = self
                    .platform
                    .as_ref()
                    .and_then(platform::runner_system_python);
                if system == Some(named) {
                    Target::System
                } else {
                    Target::Unknown
                }
            }
            None => Target::Unknown,
        }
    }

    /// Env vars and pip.conf writes that set break-system-packages (or an alternate root).
    fn config_override(
        &self,
        cmd: &Command,
        opts: &command::PipOptions,
        state: &State,
        shell: &ShellState,
        sudo_reset: bool,
    ) -> Option<Override> {
        if !opts.isolated {
            for name in ["PIP_TARGET", "PIP_PREFIX", "PIP_ROOT"] {
                if let Some((v, _)) = self.env_lookup(name, cmd, state, shell, sudo_reset) {
                    if v.as_deref() != Some("") {
                        return Some(Override::AlternateRoot);
                    }
                }
            }
            if let Some((v, span)) =
                self.env_lookup("PIP_BREAK_SYSTEM_PACKAGES", cmd, state, shell, sudo_reset)
            {
                match v.as_deref().map(command::truthy) {
                    Some(Some(true)) => {
                        return Some(Override::EnvVar(span.unwrap_or_else(|| cmd.span.clone())))
                    }
                    Some(Some(false)) => {}
                    // Unknown or invalid (pip exits 2 on an invalid value: another failure).
                    _ => return Some(Override::Unknown),
                }
            }
            if let Some((v, _)) = self.env_lookup("PIP_CONFIG_FILE", cmd, state, shell, sudo_reset)
            {
                if v.as_deref() != Some("/dev/null") {
                    return Some(Override::Unknown);
                }
            }
        }
        if let Some(s) = &state.pip_conf_written {
            if !opts.isolated && !self.config_disabled(cmd, state, shell, sudo_reset) {
                return Some(Override::PipConf(s.clone()));
            }
        }
        if shell.sourced.is_some() {
            return Some(Override::Unknown);
        }
        None
    }

    /// `PIP_CONFIG_FILE=/dev/null` turns off every config file.
    fn config_disabled(
        &self,
        cmd: &Command,
        state: &State,
        shell: &ShellState,
        sudo_reset: bool,
    ) -> bool {
        self.env_lookup("PIP_CONFIG_FILE", cmd, state, shell, sudo_reset)
            .is_some_and(|(v, _)| v.as_deref() == Some("/dev/null"))
    }
}

/// Walks one scope's steps, running the rules on every command.
pub struct Walker {
    pub scope: Scope,
    pub state: State,
    pub findings: Vec<Finding>,
    /// Why the current step may not run or may fail without failing the job (a step `if:`,
    /// `continue-on-error`, GitLab `allow_failure`).
    pub step_tolerated: Option<&'static str>,
    /// How the next shell starts: `-e` (errexit) and `-o pipefail`.
    pub errexit: bool,
    pub pipefail: bool,
    /// `$GITHUB_ENV` / `$GITHUB_PATH` writes take effect from the next step on.
    pending_env: Vec<(String, Option<String>, Span)>,
    pending_path: Option<Venv>,
    /// The repository root, for local actions (`uses: ./.github/actions/x`).
    pub root: Option<std::path::PathBuf>,
    /// The folder the next shell starts in, relative to the repository root (`Some("")` = the
    /// root), when the files tell (a step's `working-directory`, GitLab's project folder).
    pub start_dir: Option<String>,
    /// `defaults.run.working-directory` of the job or workflow being walked.
    pub default_working_directory: Option<String>,
    /// Why the `uses:` step that called the composite action being walked may not fail the job.
    outer_tolerated: Option<&'static str>,
    /// How deep in local composite actions the walk is.
    depth: u8,
    /// Spans of other files held in the state while a composite action is walked (see
    /// `FOREIGN`): the file and the span in it.
    foreign: Vec<(Arc<SourceFile>, Span)>,
    /// Local composite actions, each read and parsed once per walk (`None`: nothing to walk).
    actions: std::collections::HashMap<std::path::PathBuf, Option<LocalAction>>,
    /// Local action calls walked so far (at most [`MAX_ACTION_WALKS`]).
    action_walks: usize,
    /// Where the walk stopped at a limit: positioned messages for the user (exit 2).
    pub notes: Vec<InputError>,
    /// The matrix leg being walked (runner OS, matrix values), for `if:` and script tests.
    pub leg: LegFacts,
    /// Literal env values may decide tests (`[ "$METHOD" = pip ]`): GitHub, where nothing outside
    /// the files sets them. GitLab project variables and Docker build args can.
    pub env_decides: bool,
    /// bash runs the current shell (`[[ … ]]`, `[ a == b ]` work; dash fails on them).
    pub bash: bool,
}

/// A span at `FOREIGN + i` stands for `Walker::foreign[i]`, a place in another file (the caller of
/// the composite action being walked). No file is that long, so it can be told from a real span.
const FOREIGN: usize = 1 << 60;

fn is_foreign(s: &Span) -> bool {
    s.start >= FOREIGN
}

/// How many local composite action calls one job's walk follows (nested calls included); past
/// it, the calls are treated like any other action and the user is told where the walk stopped.
pub const MAX_ACTION_WALKS: usize = 100;

type LocalAction = (Arc<SourceFile>, Arc<github::Action>);

impl Walker {
    pub fn new(scope: Scope) -> Self {
        Walker {
            scope,
            state: State::default(),
            findings: Vec::new(),
            step_tolerated: None,
            errexit: true,
            pipefail: false,
            pending_env: Vec::new(),
            pending_path: None,
            root: None,
            start_dir: None,
            default_working_directory: None,
            outer_tolerated: None,
            foreign: Vec::new(),
            depth: 0,
            actions: std::collections::HashMap::new(),
            action_walks: 0,
            notes: Vec::new(),
            leg: LegFacts::default(),
            env_decides: false,
            bash: false,
        }
    }

    /// Which commands of a script run on this leg (`Runs` per command), decided once before the
    /// walk from the env in force when the shell starts.
    fn decide(&self, script: &shell::Script, text: &str, unknown_start: bool) -> Vec<Runs> {
        let assigned = legs::assigned_names(script, text);
        let sources = unknown_start
            || script
                .commands
                .iter()
                .any(|c| matches!(c.program(), Some("source" | ".")));
        let literal_env = |name: &str| -> Option<String> {
            if !self.env_decides || sources {
                return None;
            }
            self.state.env.get(name)?.value.clone()
        };
        let var = |name: &str| -> Option<String> {
            if assigned.contains(name) || (sources && name != "RUNNER_OS") {
                return None;
            }
            match name {
                "RUNNER_OS" => self.leg.runner_os.map(str::to_string),
                _ => literal_env(name),
            }
        };
        let cx = |path: &[String]| legs::context_value(&self.leg, &literal_env, path);
        let mut d = legs::Decider::new(script, text, &var, &cx, self.bash);
        (0..script.commands.len()).map(|i| d.runs(i)).collect()
    }

    /// Set a persistent env var (workflow/job/step env, ENV, ARG, GitLab variables).
    pub fn set_env(&mut self, name: &str, value: Option<String>, span: Span) {
        if name == "PATH" {
            if let Some(v) = &value {
                self.path_changed(v, span.clone());
            }
        }
        self.state
            .env
            .insert(name.to_string(), EnvValue { value, span });
    }

    /// A PATH that puts a venv's bin first (`ENV PATH=/opt/venv/bin:$PATH`).
    fn path_changed(&mut self, value: &str, span: Span) {
        if let Some(v) = self.state.venv_first_on(value, span) {
            self.state.venv_on_path = Some(v);
        }
    }

    /// A `uses:` step (GitHub).
    pub fn action(&mut self, uses: &str, span: Span, with: &[github::EnvVar]) {
        let name = uses.split('@').next().unwrap_or(uses).to_ascii_lowercase();
        let with_val = |k: &str| {
            with.iter()
                .find(|w| w.name == k)
                .map(|w| w.value.trim().to_ascii_lowercase())
        };
        match name.as_str() {
            "actions/checkout" => {
                let other_repo =
                    with_val("repository").is_some_and(|r| !r.contains("github.repository"));
                self.state.workspace_repo = Some(with_val("path").is_none() && !other_repo);
                return;
            }
            // Setup and cache actions write no project files.
            _ if name.starts_with("actions/setup-")
                || name.starts_with("actions/cache")
                || name == "pnpm/action-setup" => {}
            // Any other action may bring files (an artifact, a generated lockfile).
            _ => {
                self.state.lockfile_written.get_or_insert(span.clone());
            }
        }
        match name.as_str() {
            "actions/setup-python" => {
                if with_val("update-environment").as_deref() == Some("false") {
                    return;
                }
                self.state.setup_python = Some(span);
                self.state.setup_python_version = with_val("python-version")
                    .as_deref()
                    .and_then(minor_version);
            }
            "astral-sh/setup-uv" if with_val("activate-environment").as_deref() == Some("true") => {
                self.state.uv_venv_on_path = Some(span.clone());
                self.state.venv_on_path = Some(Venv {
                    dir: ".venv".into(),
                    has_pip: false,
                    span,
                });
            }
            _ if name.starts_with("docker://") => {}
            _ if name.starts_with("./") => {
                // A local action: unknown unless it is a plain composite we could read; say less.
                self.state.other_python = Some(span);
            }
            _ if name.contains("python")
                || name.contains("conda")
                || name.contains("mamba")
                || name.contains("pyenv")
                || name.contains("pdm")
                || name.contains("poetry")
                || name.contains("pixi") =>
            {
                self.state.other_python = Some(span);
            }
            _ => {}
        }
    }

    /// Run one shell (a `run:` step, a `RUN`).
    pub fn shell(&mut self, src: &ScriptSource<'_>) {
        self.shell_lines(std::slice::from_ref(src), false);
    }

    /// Run several pieces of script in one shell (GitLab's `before_script` + `script` lines).
    /// `unknown_start`: a piece we cannot see runs first (an unresolved `!reference`).
    pub fn shell_lines(&mut self, srcs: &[ScriptSource<'_>], unknown_start: bool) {
        let mut sh = ShellState::default();
        if unknown_start {
            sh.sourced = Some(0..0);
        }
        let (mut errexit, mut pipefail) = (self.errexit, self.pipefail);
        let last_piece = srcs.len().saturating_sub(1);
        for (piece, src) in srcs.iter().enumerate() {
            let script = shell::parse(src.text);
            // Each piece numbers its child shells afresh; only the script's own shell carries on.
            sh.cwds.retain(|shell, _| *shell == 0);
            let runs = self.decide(&script, src.text, unknown_start);
            // Without errexit, only the last and-or list of the script decides its status.
            let last_list = script
                .commands
                .iter()
                .enumerate()
                .filter(|(_, c)| c.shell == 0 && c.nesting == Nesting::TopLevel)
                .filter(|(_, c)| {
                    matches!(
                        c.separator,
                        Separator::Start
                            | Separator::Newline
                            | Separator::Semicolon
                            | Separator::Background
                    )
                })
                .map(|(i, _)| i)
                .next_back()
                .unwrap_or(0);
            for (i, cmd) in script.commands.iter().enumerate() {
                // A branch that cannot run on this leg changes nothing and fails nothing.
                let runs = runs.get(i).copied().unwrap_or(Runs::Maybe);
                if runs == Runs::Never {
                    continue;
                }
                if cmd.shell == 0 && cmd.program() == Some("set") {
                    for w in cmd.args() {
                        let t = w.text.as_str();
                        if (t.starts_with('-') && !t.starts_with("--") && t.contains('e'))
                            || t == "errexit"
                        {
                            errexit = true;
                        }
                        if t.starts_with('+') && t.contains('e') {
                            errexit = false;
                        }
                        if t == "pipefail" {
                            pipefail = true;
                        }
                    }
                }
                let next_is_pipe = script.commands[i + 1..]
                    .iter()
                    .find(|c| c.shell == cmd.shell && c.parent == cmd.parent)
                    .is_some_and(|c| c.separator == Separator::Pipe);
                let tolerated = self.step_tolerated.or(if cmd.nesting == Nesting::Substitution {
                    Some("inside a command substitution, its failure does not stop the script")
                } else if next_is_pipe && !pipefail {
                    Some("not the last command of a pipeline, and without `pipefail` its failure is ignored")
                } else if !errexit && cmd.nesting == Nesting::TopLevel && (i < last_list || piece < last_piece) {
                    Some("the shell goes on after it (no `set -e`), so it does not decide the exit status")
                } else if cmd.background {
                    Some("it runs in the background")
                } else {
                    None
                });
                let expanded = self.expand_program(cmd, &sh);
                let cmd = expanded.as_ref().unwrap_or(cmd);
                let cwd = shell_cwd(&script, cmd.shell, &sh, self.start_dir.as_deref());
                if matches!(cmd.program(), Some("cd" | "pushd" | "popd")) && !cmd.in_pipeline {
                    let to = if cmd.program() == Some("popd") {
                        None
                    } else {
                        cd_target(cmd, cwd.as_deref())
                    };
                    sh.cwds.insert(cmd.shell, to);
                }
                if command::may_write_lockfile(cmd) {
                    let span = (src.to_file)(&cmd.span);
                    self.state.lockfile_written.get_or_insert(span);
                }
                // Noted after the rules saw the command: `pip install -U pip --break-system-packages`
                // runs on the old pip.
                let replaces_pip = command::replaces_pip(cmd);
                let Some(py) = command::classify(cmd) else {
                    if replaces_pip {
                        let span = (src.to_file)(&cmd.span);
                        self.state.pip_replaced.get_or_insert(span);
                    }
                    self.side_effects(cmd, src, &mut sh);
                    continue;
                };
                let span = (src.to_file)(&cmd.span);
                {
                    let site = Site {
                        cmd,
                        py: &py,
                        span: span.clone(),
                        to_file: src.to_file,
                        scope: &self.scope,
                        state: &self.state,
                        shell: &sh,
                        tolerated,
                        runs,
                        reach: std::cell::OnceCell::new(),
                        cwd,
                        root: self.root.as_deref(),
                    };
                    rules::check(&site, &mut self.findings);
                }
                if replaces_pip {
                    self.state.pip_replaced.get_or_insert(span.clone());
                }
                self.apply(cmd, &py, span, src, &mut sh);
                self.side_effects(cmd, src, &mut sh);
            }
        }
        if let Some(v) = sh.active_venv {
            self.state.activated_in_earlier_shell = Some(v.span);
        }
    }

    /// What a step wrote to `$GITHUB_ENV` / `$GITHUB_PATH` holds from the next step on.
    /// A place in another file, as a span the state or scope can hold: a label on it is reported
    /// in that file (see `resolve_foreign`).
    pub fn foreign_span(&mut self, file: &Arc<SourceFile>, span: Span) -> Span {
        self.foreign.push((file.clone(), span));
        let at = FOREIGN + self.foreign.len() - 1;
        at..at
    }

    /// Labels of `findings[from..]` on foreign spans move to `related_elsewhere`, in their files.
    pub fn resolve_foreign(&mut self, from: usize) {
        for f in &mut self.findings[from..] {
            let (elsewhere, own): (Vec<Label>, Vec<Label>) = std::mem::take(&mut f.related)
                .into_iter()
                .partition(|l| is_foreign(&l.span));
            f.related = own;
            for l in elsewhere {
                if let Some((file, span)) = self.foreign.get(l.span.start - FOREIGN) {
                    f.related_elsewhere.push((
                        file.clone(),
                        Label {
                            span: span.clone(),
                            message: l.message,
                        },
                    ));
                }
            }
        }
    }

    /// Every span the walk keeps between steps, in the state and in the scope.
    fn map_spans(&mut self, f: &mut dyn FnMut(Span) -> Span) {
        let s = &mut self.state;
        let opts = [
            &mut s.python_installed,
            &mut s.pip_installed,
            &mut s.venv_pkg_installed,
            &mut s.setup_python,
            &mut s.uv_venv_on_path,
            &mut s.pip_conf_written,
            &mut s.marker_removed,
            &mut s.other_python,
            &mut s.opaque_script,
            &mut s.activated_in_earlier_shell,
            &mut s.pip_replaced,
            &mut self.scope.platform_span,
        ];
        for span in opts.into_iter().flatten() {
            *span = f(span.clone());
        }
        for v in s
            .venv_on_path
            .iter_mut()
            .chain(s.venvs.iter_mut())
            .chain(self.pending_path.iter_mut())
        {
            v.span = f(v.span.clone());
        }
        s.env.map_spans(f);
        for (_, _, span) in &mut self.pending_env {
            *span = f(span.clone());
        }
    }

    pub fn end_step(&mut self) {
        for (name, value, span) in std::mem::take(&mut self.pending_env) {
            self.set_env(&name, value, span);
        }
        if let Some(v) = self.pending_path.take() {
            self.state.venv_on_path = Some(v);
        }
    }

    /// `$APT_GET_INSTALL python3-pip` with `APT_GET_INSTALL: "apt-get install -y"` in the
    /// variables: the command as it runs. A program from a variable we cannot see may do anything:
    /// note it as a script we cannot see.
    fn expand_program(&mut self, cmd: &Command, sh: &ShellState) -> Option<Command> {
        let first = cmd.words.first()?;
        if !first.dynamic || !first.text.starts_with('$') {
            return None;
        }
        let name = first
            .text
            .trim_start_matches('$')
            .trim_start_matches('{')
            .trim_end_matches('}');
        let value = sh
            .exports
            .get(name)
            .or_else(|| self.state.env.get(name))
            .and_then(|v| v.value.clone());
        let Some(value) = value.filter(|v| !v.contains('$')) else {
            self.state.opaque_script.get_or_insert(cmd.span.clone());
            return None;
        };
        let mut out = cmd.clone();
        let words = value.split_whitespace().map(|w| shell::Word {
            span: first.span.clone(),
            text: w.to_string(),
            quoted: false,
            dynamic: false,
        });
        out.words.splice(0..1, words);
        Some(out)
    }

    fn apply(
        &mut self,
        cmd: &Command,
        py: &PyCmd,
        span: Span,
        src: &ScriptSource<'_>,
        sh: &mut ShellState,
    ) {
        // bash runs each element of a pipeline in a subshell too.
        let same_shell = !cmd.nesting.is_child_shell() && !cmd.in_pipeline;
        match py {
            PyCmd::PkgInstall {
                packages, unknown, ..
            } => {
                if *unknown {
                    // `apt-get install $PKGS`: it may bring pip or not.
                    self.state.opaque_script.get_or_insert(span.clone());
                }
                let b = command::brings(packages);
                if b.python {
                    self.state.python_installed.get_or_insert(span.clone());
                }
                if b.pip {
                    self.state.pip_installed.get_or_insert(span.clone());
                }
                if b.venv {
                    self.state.venv_pkg_installed.get_or_insert(span);
                }
            }
            PyCmd::PkgIndexUpdate => {
                self.state.apt_updated = Some(span);
                // The lists are files: a subshell or pipeline fetches them for everyone.
                sh.apt_updated = true;
            }
            PyCmd::CreateVenv {
                tool,
                dir,
                without_pip,
                ..
            } => {
                let has_pip = !*without_pip || *tool == VenvTool::Virtualenv;
                self.state.venvs.push(Venv {
                    dir: dir.clone(),
                    has_pip,
                    span,
                });
            }
            PyCmd::Activate { dir } => {
                if same_shell {
                    let v = self.state.find_venv(dir).unwrap_or(Venv {
                        dir: dir.clone(),
                        has_pip: true,
                        span: span.clone(),
                    });
                    sh.active_venv = Some(Venv { span, ..v });
                }
            }
            PyCmd::Deactivate => {
                if same_shell {
                    sh.active_venv = None;
                }
            }
            PyCmd::Pip { sub, .. } if sub == "config" => {
                // `pip config set global.break-system-packages true` (not `… false`).
                let words: Vec<&str> = cmd.words.iter().map(|w| w.text.as_str()).collect();
                if words.windows(2).any(|p| {
                    p[0].ends_with("break-system-packages") && command::truthy(p[1]) == Some(true)
                }) && words.contains(&"set")
                {
                    self.state.pip_conf_written.get_or_insert(span);
                }
            }
            PyCmd::Pip { .. } | PyCmd::UvPip { .. } => {}
            PyCmd::Ensurepip => {
                self.state.pip_installed.get_or_insert(span);
            }
            PyCmd::RemoveMarker => {
                self.state.marker_removed.get_or_insert(span);
            }
            PyCmd::Export(vars) => {
                for (name, value) in vars {
                    if name == "PATH" {
                        if let (Some(v), true) = (value, same_shell) {
                            if let Some(venv) = self.state.venv_first_on(v, span.clone()) {
                                sh.active_venv = Some(venv);
                            }
                        }
                        continue;
                    }
                    if same_shell {
                        sh.exports.insert(
                            name.clone(),
                            EnvValue {
                                value: value.clone(),
                                span: span.clone(),
                            },
                        );
                    }
                }
            }
            PyCmd::OpaqueScript => {
                self.state.opaque_script.get_or_insert(span);
            }
            PyCmd::SourceScript => {
                if same_shell {
                    sh.sourced = Some(span);
                }
            }
            PyCmd::OtherPython => {
                self.state.other_python.get_or_insert(span);
            }
            PyCmd::NpmCi { .. } => {}
        }
        let _ = src;
    }

    /// Writes that matter whatever the command is: `>> $GITHUB_ENV`, `>> $GITHUB_PATH`, pip.conf.
    fn side_effects(&mut self, cmd: &Command, src: &ScriptSource<'_>, sh: &mut ShellState) {
        if rewrites_apt_sources(cmd) {
            let span = (src.to_file)(&cmd.span);
            self.state.apt_sources_rewritten.get_or_insert(span);
        }
        let mut targets: Vec<&str> = cmd
            .redirects
            .iter()
            .filter(|r| r.op.contains('>'))
            .filter_map(|r| r.target.as_ref())
            .map(|w| w.text.as_str())
            .collect();
        if cmd.program() == Some("tee") {
            targets.extend(
                cmd.words[1..]
                    .iter()
                    .filter(|w| !w.text.starts_with('-'))
                    .map(|w| w.text.as_str()),
            );
        }
        if targets.is_empty() {
            return;
        }
        let span = (src.to_file)(&cmd.span);
        // What is written: echo/printf arguments or a heredoc body.
        let mut content = String::new();
        if matches!(cmd.program(), Some("echo") | Some("printf")) {
            for w in &cmd.words[1..] {
                content.push_str(&w.text);
                content.push('\n');
            }
        }
        for h in &cmd.heredocs {
            content.push_str(&h.body);
        }
        if content.contains("APT::Get::Assume-Yes") && targets.iter().any(|t| t.contains("/apt/")) {
            self.state.apt_assume_yes.get_or_insert(span.clone());
        }
        let known_content = !content.is_empty();
        for t in targets {
            let t = t.trim_matches('"');
            if t.ends_with("GITHUB_ENV") || t.ends_with("GITHUB_ENV}") {
                if !known_content {
                    // `printf … | tee -a "$GITHUB_ENV"`: something is set, we cannot tell what.
                    self.pending_env
                        .push(("PIP_BREAK_SYSTEM_PACKAGES".into(), None, span.clone()));
                }
                for line in content.lines() {
                    if let Some((k, v)) = line.split_once('=') {
                        let k = k.trim().to_string();
                        let value = (!v.contains('$') || k == "PATH").then(|| v.trim().to_string());
                        self.pending_env.push((k, value, span.clone()));
                    }
                }
            } else if t.ends_with("GITHUB_PATH") || t.ends_with("GITHUB_PATH}") {
                let first = content.lines().next().unwrap_or("").trim();
                if let Some(v) = self.state.venv_first_on(first, span.clone()) {
                    self.pending_path = Some(v);
                } else if !known_content || first.contains("python") || first.contains("conda") {
                    // A PATH entry we cannot read may put another Python first.
                    self.state.other_python.get_or_insert(span.clone());
                }
            } else if (t.ends_with("pip.conf") || t.ends_with("pip.ini"))
                && (!known_content
                    || content.contains("break-system-packages")
                    || content.contains("break_system_packages"))
            {
                self.state.pip_conf_written.get_or_insert(span.clone());
            }
        }
        let _ = sh;
    }
}

/// A command that points apt elsewhere (ci-failures.md §E3's false-positive trap): it names an
/// archive host (`sed -i s/deb.debian.org/archive.debian.org/ …`, `echo "deb
/// http://archive.debian.org/debian stretch main" > …`), or edits or writes a sources file
/// (`sed -i … /etc/apt/sources.list`, `> /etc/apt/sources.list.d/x.list`, `rm`, `cp`, `mv`).
fn rewrites_apt_sources(cmd: &Command) -> bool {
    const ARCHIVES: [&str; 3] = [
        "archive.debian.org",
        "old-releases.ubuntu.com",
        "snapshot.debian.org",
    ];
    let names_archive = |t: &str| ARCHIVES.iter().any(|a| t.contains(a));
    let is_sources = |t: &str| {
        let t = t.trim_matches(['"', '\'']);
        t.starts_with("/etc/apt/sources.list") || t.contains("/etc/apt/sources.list.d")
    };
    let words = cmd.words.iter().map(|w| w.text.as_str());
    let heredocs = cmd.heredocs.iter().map(|h| h.body.as_str());
    if words.clone().chain(heredocs).any(names_archive) {
        return true;
    }
    let writes = cmd
        .redirects
        .iter()
        .filter(|r| r.op.contains('>'))
        .filter_map(|r| r.target.as_ref())
        .any(|t| is_sources(&t.text));
    let edits = matches!(
        cmd.program(),
        Some("sed" | "tee" | "cp" | "mv" | "rm" | "ln" | "install" | "perl" | "echo" | "printf")
    ) && cmd.words.iter().skip(1).any(|w| is_sources(&w.text));
    writes || edits
}

// ---------------------------------------------------------------------------------------------
// Files → scopes

/// What linting one file gave: its findings, and where the walk stopped at one of faultline's
/// limits (positioned messages, reported like input errors).
pub type Linted = (Vec<Finding>, Vec<InputError>);

/// Lint a YAML file: a workflow, a composite action, or a GitLab CI file. `Ok(None)`: not a kind
/// we lint (skipped quietly).
pub fn lint_yaml(
    file: &Arc<SourceFile>,
    kind: Option<FileKind>,
    opts: &LintOptions,
) -> Result<Option<Linted>, InputError> {
    let docs = yaml::parse(&file.text).map_err(|e| InputError {
        path: file.path.clone(),
        line: Some(e.line),
        column: Some(e.column),
        message: if e.limit {
            e.message
        } else {
            format!("invalid YAML: {}", e.message)
        },
    })?;
    // A GitLab CI/CD component or input file starts with a `spec:` document; the pipeline follows.
    let doc = match docs.as_slice() {
        [first, second, ..] if first.get("spec").is_some() => second,
        [first, ..] => first,
        [] => return Ok(Some((Vec::new(), Vec::new()))),
    };
    let kind = match kind {
        Some(k) => k,
        None if github::looks_like_workflow(doc) => FileKind::GithubWorkflow,
        None if github::looks_like_action(doc) => FileKind::GithubAction,
        None if super::source::gitlab::looks_like_gitlab(doc) => FileKind::GitlabCi,
        None => return Ok(None),
    };
    let mut notes = Vec::new();
    let mut gitlab_points = Vec::new();
    let mut findings = match kind {
        FileKind::GithubWorkflow => lint_workflow(file, doc, opts, &mut notes),
        FileKind::GithubAction => lint_action(file, doc, opts, &mut notes),
        FileKind::GitlabCi => {
            let (findings, points) = super::gitlab_env::lint_gitlab(file, doc, opts);
            gitlab_points = points;
            findings
        }
        FileKind::Dockerfile => Vec::new(),
    };
    // The checkpoints beside the commands: runner labels, `uses:`, versions, conditions, scripts;
    // GitLab jobs after merging (built with the pipeline, which reads the included files).
    let points = match kind {
        FileKind::GithubWorkflow => super::checkpoint::workflow(doc, &file.text),
        FileKind::GithubAction => super::checkpoint::action(doc, &file.text),
        FileKind::GitlabCi => {
            let mut points = super::checkpoint::gitlab(doc);
            points.extend(gitlab_points);
            points
        }
        _ => Vec::new(),
    };
    let ctx = super::checkpoint::Context {
        file: file.clone(),
        today: opts.today.unwrap_or_else(super::facts::Date::today),
        ghes: opts.ghes,
        repo: super::checkpoint::RepoTree::of(&opts.root),
    };
    super::rules::check_points(&points, &ctx, &mut findings);
    // Matrix legs walk the same steps: one note per place.
    notes.sort_by_key(|n| (n.path.clone(), n.line, n.column));
    notes.dedup();
    Ok(Some((dedup(findings), notes)))
}

pub fn lint_dockerfile(
    file: &Arc<SourceFile>,
    opts: &LintOptions,
) -> Result<Option<Linted>, InputError> {
    super::docker_env::lint_dockerfile(file, opts).map(|f| Some((dedup(f), Vec::new())))
}

/// Matrix legs often give the same finding several times: keep the first per rule and span.
fn dedup(mut findings: Vec<Finding>) -> Vec<Finding> {
    // The most severe first, so the leg that fails is the one reported.
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let mut seen = std::collections::HashSet::new();
    findings.retain(|f| seen.insert((f.rule, f.primary.span.start, f.primary.span.end)));
    findings
}

fn env_values(vars: &[github::EnvVar]) -> impl Iterator<Item = (&str, Option<String>, Span)> {
    vars.iter().map(|v| {
        (
            v.name.as_str(),
            (!v.dynamic()).then(|| v.value.clone()),
            v.span.clone(),
        )
    })
}

fn lint_workflow(
    file: &Arc<SourceFile>,
    doc: &yaml::Node,
    opts: &LintOptions,
    notes: &mut Vec<InputError>,
) -> Vec<Finding> {
    let wf = github::workflow(doc, &file.text);
    let base = env_base(env_values(&wf.env));
    let mut out = Vec::new();
    for job in &wf.jobs {
        // A job whose `if:` is false never runs (`if: false`). Its other contexts (`github`,
        // `needs`, `inputs`) are unknown, and `matrix`/`runner`/`env` are not available there.
        let no_env = |_: &str| None;
        if job
            .if_cond
            .as_deref()
            .map(|c| legs::eval_if(c, &LegFacts::default(), &no_env))
            == Some(Some(false))
        {
            continue;
        }
        let combos = job.matrix.clone().unwrap_or_else(|| vec![BTreeMap::new()]);
        type LegKey = (
            Option<Platform>,
            bool,
            Option<&'static str>,
            Option<BTreeMap<String, String>>,
            Option<String>,
        );
        let mut seen: Vec<LegKey> = Vec::new();
        // Each leg's findings, with the leg's note, merged once every leg is walked.
        let mut job_findings: Vec<(Finding, String)> = Vec::new();
        let steps_read_matrix = job
            .default_shell
            .as_deref()
            .is_some_and(|c| c.contains("matrix."))
            || job.steps.iter().any(|s| {
                s.if_cond.as_deref().is_some_and(|c| c.contains("matrix."))
                    || s.with.iter().any(|w| w.value.contains("matrix."))
                    || s.shell.as_deref().is_some_and(|c| c.contains("matrix."))
                    || s.run.as_ref().is_some_and(|r| r.text.contains("matrix."))
            });
        for combo in &combos {
            let (platform, span, overridable) =
                github_platform(job, combo, job.matrix.is_none(), opts);
            let note = match (&platform, combo.is_empty()) {
                (Some(p), false)
                    if job
                        .runs_on
                        .as_ref()
                        .is_some_and(|l| l.iter().any(|s| s.contains("${{")))
                        || job.container.as_ref().is_some_and(|c| c.0.contains("${{")) =>
                {
                    format!(" (matrix leg `{}`)", p.name)
                }
                _ => String::new(),
            };
            let runner_os = leg_os(job, combo);
            let image = container_reference(job, combo, job.matrix.is_none()).and_then(|r| {
                ScopeImage::of(&r, opts.today.unwrap_or_else(super::facts::Date::today))
            });
            // Legs that differ in nothing the walk reads give the same findings: walk one.
            let key = (
                platform.clone(),
                overridable,
                runner_os,
                steps_read_matrix.then(|| combo.clone()),
                image.as_ref().map(|i| i.reference.clone()),
            );
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let scope = Scope {
                file: file.clone(),
                kind: ScopeKind::GithubJob,
                platform,
                platform_span: span,
                platform_overridable: overridable,
                note,
                image,
            };
            let mut w = Walker::new(scope);
            w.root = Some(opts.root.clone());
            w.state.env = Env::with_base(base.clone());
            let wf_path = env_values(&wf.env).filter(|(name, _, _)| *name == "PATH");
            for (name, value, span) in wf_path.chain(env_values(&job.env)) {
                w.set_env(name, value, span);
            }
            w.default_working_directory = job
                .default_working_directory
                .clone()
                .or_else(|| wf.default_working_directory.clone());
            let leg = Leg {
                combo,
                runner_os,
                matrix_known: job.matrix.is_some(),
            };
            w.env_decides = true;
            walk_steps(
                &mut w,
                &job.steps,
                &leg,
                job.default_shell.as_deref().or(wf.default_shell.as_deref()),
                job.continue_on_error.as_deref(),
            );
            let note = w.scope.note.clone();
            job_findings.extend(w.findings.drain(..).map(|f| (f, note.clone())));
            notes.append(&mut w.notes);
        }
        out.extend(merge_legs(job_findings));
    }
    out
}

/// The same finding (rule, place, severity) on several matrix legs: one finding whose message
/// names every leg it holds on (` (matrix leg `a`, also on `b`)`), in leg order. A leg that does not fail
/// there (a branch it skips, another platform) is not named.
fn merge_legs(findings: Vec<(Finding, String)>) -> Vec<Finding> {
    type Key = (&'static str, String, usize, usize, crate::report::Severity);
    let key = |f: &Finding| -> Key {
        (
            f.rule,
            f.file.path.display().to_string(),
            f.primary.span.start,
            f.primary.span.end,
            f.severity,
        )
    };
    let mut groups: Vec<(Key, Finding, String, Vec<String>)> = Vec::new();
    let mut index: std::collections::HashMap<Key, usize> = std::collections::HashMap::new();
    for (f, note) in findings {
        let k = key(&f);
        let leg = note
            .strip_prefix(" (matrix leg `")
            .and_then(|n| n.split('`').next())
            .map(str::to_string);
        match index.get(&k) {
            Some(&i) => {
                let legs = &mut groups[i].3;
                if let Some(l) = leg {
                    if !legs.contains(&l) {
                        legs.push(l);
                    }
                }
            }
            None => {
                index.insert(k.clone(), groups.len());
                groups.push((k, f, note, leg.into_iter().collect()));
            }
        }
    }
    groups
        .into_iter()
        .map(|(_, mut f, note, legs)| {
            let own = format!(
                " (matrix leg `{}`)",
                legs.first().map_or("", String::as_str)
            );
            if legs.len() > 1 && note.starts_with(&own) {
                let others: Vec<String> = legs[1..].iter().map(|l| format!("`{l}`")).collect();
                let all = format!(" (matrix leg `{}`, also on {})", legs[0], others.join(", "));
                f.message = f.message.replacen(&own, &all, 1);
            }
            f
        })
        .collect()
}

/// `runner.os` of a leg: `Linux` in a container, else from the runner label.
fn leg_os(job: &github::Job, combo: &BTreeMap<String, String>) -> Option<&'static str> {
    if let Some((image, _)) = &job.container {
        if github::expand_matrix_or_empty(image, combo).is_some_and(|i| !i.trim().is_empty()) {
            return Some("Linux");
        }
    }
    let labels = job.runs_on.as_ref()?;
    labels.iter().find_map(|l| {
        let l = github::expand_matrix(l, combo)?.to_ascii_lowercase();
        if l.starts_with("ubuntu") || l == "linux" {
            Some("Linux")
        } else if l.starts_with("macos") || l == "macos" {
            Some("macOS")
        } else if l.starts_with("windows") {
            Some("Windows")
        } else {
            None
        }
    })
}

/// The container image of a GitHub job on one matrix leg (`None`: no container, or unknown).
fn container_reference(
    job: &github::Job,
    combo: &BTreeMap<String, String>,
    matrix_unknown: bool,
) -> Option<String> {
    let (image, _) = job.container.as_ref()?;
    if matrix_unknown && image.contains("${{") {
        return None;
    }
    github::expand_matrix_or_empty(image, combo)
        .map(|i| i.trim().to_string())
        .filter(|i| !i.is_empty())
}

/// The platform of a GitHub job for one matrix leg: the container when there is one, else the runner.
fn github_platform(
    job: &github::Job,
    combo: &BTreeMap<String, String>,
    matrix_unknown: bool,
    opts: &LintOptions,
) -> (Option<Platform>, Option<Span>, bool) {
    if let Some((image, span)) = &job.container {
        let expanded = if matrix_unknown && image.contains("${{") {
            None
        } else {
            github::expand_matrix_or_empty(image, combo)
        };
        match expanded {
            // This leg has no container: the runner decides.
            Some(i) if i.trim().is_empty() => {}
            other => {
                let p = other.and_then(|i| platform::image(&i, &opts.declared));
                return (p, Some(span.clone()), false);
            }
        }
    }
    let labels = job.runs_on.as_ref().and_then(|ls| {
        ls.iter()
            .map(|l| {
                if matrix_unknown && l.contains("${{") {
                    None
                } else {
                    github::expand_matrix(l, combo)
                }
            })
            .collect::<Option<Vec<_>>>()
    });
    let p = labels.and_then(|ls| platform::runner(&ls, &opts.declared));
    (p, job.runs_on_span.clone(), false)
}

fn walk_steps(
    w: &mut Walker,
    steps: &[github::Step],
    leg: &Leg<'_>,
    default_shell: Option<&str>,
    job_continue_on_error: Option<&str>,
) {
    w.leg = LegFacts {
        runner_os: leg.runner_os,
        matrix: leg.matrix_known.then(|| leg.combo.clone()),
    };
    for step in steps {
        // A step skipped on this leg changes nothing; one that may be skipped is a branch.
        let cond = step.if_cond.as_deref().map(|c| {
            // The step's own `env:` is not known to be set when its `if:` is evaluated.
            let env = |name: &str| -> Option<String> {
                if step.env.iter().any(|e| e.name == name) {
                    return None;
                }
                w.state.env.get(name)?.value.clone()
            };
            legs::eval_if(c, &w.leg, &env)
        });
        if cond == Some(Some(false)) {
            continue;
        }
        let may_skip = matches!(cond, Some(None));
        let continues = [step.continue_on_error.as_deref(), job_continue_on_error]
            .into_iter()
            .flatten()
            .any(|v| v.trim() != "false");
        w.step_tolerated = if continues {
            Some("`continue-on-error` lets the job go on")
        } else if may_skip {
            Some("if the step's `if:` lets it run")
        } else {
            w.outer_tolerated
        };
        if let Some((uses, span)) = &step.uses {
            if !walk_local_action(w, uses, span, leg) {
                // `with:` values on this leg (`python-version: ${{ matrix.python }}`).
                let with: Vec<github::EnvVar> = step
                    .with
                    .iter()
                    .map(|e| github::EnvVar {
                        value: github::expand_matrix(&e.value, leg.combo)
                            .unwrap_or_else(|| e.value.clone()),
                        ..e.clone()
                    })
                    .collect();
                w.action(uses, span.clone(), &with);
            }
            continue;
        }
        let Some(run) = &step.run else { continue };
        // `shell: ${{ matrix.shell }}`: this leg's shell.
        let expanded_shell = step
            .shell
            .as_deref()
            .or(default_shell)
            .map(|s| match &w.leg.matrix {
                Some(m) if s.contains("${{") => {
                    github::expand_matrix(s, m).unwrap_or_else(|| s.to_string())
                }
                _ => s.to_string(),
            });
        let shell = expanded_shell.as_deref();
        if !shell.is_none_or(is_posix_shell) {
            continue;
        }
        // Windows runs a step without `shell:` in PowerShell.
        if shell.is_none() && leg.runner_os == Some("Windows") {
            continue;
        }
        let prog = shell
            .and_then(|s| s.split_whitespace().next())
            .unwrap_or("bash");
        w.bash = prog.rsplit('/').next() == Some("bash");
        // GitHub runs `bash -e {0}` (or `sh -e {0}`) by default, and `shell: bash` adds pipefail.
        (w.errexit, w.pipefail) = match shell.map(str::trim) {
            None => (true, false),
            Some("bash") => (true, true),
            Some("sh") => (true, false),
            Some(custom) => (
                custom.contains(" -e") || custom.contains("-eo"),
                custom.contains("pipefail"),
            ),
        };
        // Step env applies to this step only.
        // Only the step's own names are saved: copying the whole env per step was quadratic.
        let saved: BTreeMap<&str, EnvValue> = env_values(&step.env)
            .filter_map(|(name, _, _)| Some((name, w.state.env.get(name)?.clone())))
            .collect();
        for (name, value, span) in env_values(&step.env) {
            w.set_env(name, value, span);
        }
        // The folder the step starts in, relative to the repository root, when the workspace
        // holds this repository: its `working-directory`, or the job's or workflow's default. A
        // composite action's steps run in its caller's workspace: unknown here.
        w.start_dir = match (w.state.workspace_repo, w.depth) {
            (Some(true), 0) => {
                let wd = step
                    .working_directory
                    .as_deref()
                    .or(w.default_working_directory.as_deref());
                match wd.map(str::trim) {
                    None => Some(String::new()),
                    Some(d) if d.contains('$') || d.starts_with('/') => None,
                    Some(d) => {
                        let parts: Vec<&str> = d
                            .split('/')
                            .filter(|p| !p.is_empty() && *p != ".")
                            .collect();
                        (!parts.contains(&"..")).then(|| parts.join("/"))
                    }
                }
            }
            _ => None,
        };
        let to_file = |r: &Range<usize>| run.span_to_file(r);
        w.shell(&ScriptSource {
            text: &run.text,
            to_file: &to_file,
        });
        for (name, _, _) in env_values(&step.env) {
            match saved.get(name) {
                Some(v) => {
                    w.state.env.insert(name.to_string(), v.clone());
                }
                None => {
                    w.state.env.remove(name);
                }
            }
        }
        w.end_step();
    }
    w.step_tolerated = w.outer_tolerated;
}

/// `uses: ./path/to/action`: walk the composite action's steps in the caller's job, so what they
/// set up (setup-python, a venv on `$GITHUB_PATH`) counts, and what fails in them is reported in
/// the action's file. `false` when it is not a readable composite action (the caller then treats it
/// as an action it cannot see).
fn walk_local_action(w: &mut Walker, uses: &str, uses_span: &Span, leg: &Leg<'_>) -> bool {
    let Some(rel) = uses.strip_prefix("./") else {
        return false;
    };
    let Some(root) = w.root.clone() else {
        return false;
    };
    if w.depth >= 3 || rel.contains('$') {
        return false;
    }
    let dir = root.join(rel);
    let Some(path) = ["action.yml", "action.yaml"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
    else {
        return false;
    };
    let cached = match w.actions.get(&path) {
        Some(c) => c.clone(),
        None => {
            let loaded = load_local_action(&path);
            w.actions.insert(path, loaded.clone());
            loaded
        }
    };
    let Some((file, action)) = cached else {
        return false;
    };
    if w.action_walks >= MAX_ACTION_WALKS {
        if w.notes.is_empty() {
            let (line, column) = w.scope.file.line_col(uses_span.start);
            w.notes.push(InputError {
                path: w.scope.file.path.clone(),
                line: Some(line),
                column: Some(column),
                message: format!(
                    "more than {MAX_ACTION_WALKS} local composite action calls in one job \
                     (faultline's limit): `{uses}` and the calls after it are not followed"
                ),
            });
        }
        return false;
    }
    w.action_walks += 1;
    let caller = w.scope.file.clone();
    let caller_name = caller.display_path();
    // The caller's spans in the state (where pip was installed, the container line…) stand for
    // places in the caller's file while the action's file is the scope's: make them foreign.
    let mut foreign = std::mem::take(&mut w.foreign);
    w.map_spans(&mut |s| {
        if is_foreign(&s) {
            return s;
        }
        foreign.push((caller.clone(), s));
        let at = FOREIGN + foreign.len() - 1;
        at..at
    });
    w.foreign = foreign;
    let saved_file = std::mem::replace(&mut w.scope.file, file.clone());
    let note = format!("{} (when `{caller_name}` uses this action)", w.scope.note);
    let saved_note = std::mem::replace(&mut w.scope.note, note);
    let saved_outer = w.outer_tolerated;
    w.outer_tolerated = w.step_tolerated;
    let first_new = w.findings.len();
    w.depth += 1;
    // The action's steps see the runner, not the caller's matrix.
    let inner = Leg {
        matrix_known: false,
        ..*leg
    };
    let saved_leg = w.leg.clone();
    walk_steps(w, &action.steps, &inner, None, None);
    w.leg = saved_leg;
    w.depth -= 1;
    // Findings in the action: labels on foreign spans go to their own files, and each finding
    // points back to the `uses:` line that runs the action in this job.
    w.resolve_foreign(first_new);
    for f in &mut w.findings[first_new..] {
        f.related_elsewhere.push((
            caller.clone(),
            Label {
                span: uses_span.clone(),
                message: "this job runs the action here".into(),
            },
        ));
    }
    // Back in the caller: its own spans come back; what the action set up points at `uses:`.
    let table = w.foreign.clone();
    w.map_spans(&mut |s| {
        if !is_foreign(&s) {
            return uses_span.clone();
        }
        match table.get(s.start - FOREIGN) {
            Some((file, span)) if Arc::ptr_eq(file, &caller) => span.clone(),
            _ => s,
        }
    });
    w.outer_tolerated = saved_outer;
    w.scope.note = saved_note;
    w.scope.file = saved_file;
    true
}

/// Read and model a local composite action (`None`: unreadable, invalid, or not composite).
fn load_local_action(path: &std::path::Path) -> Option<LocalAction> {
    let text = super::read::read_text(path).ok()?;
    let docs = yaml::parse(&text).ok()?;
    let action = docs.first().and_then(|d| github::action(d, &text))?;
    if action.steps.is_empty() {
        return None; // a JavaScript or Docker action: nothing to walk
    }
    Some((
        SourceFile::new(super::display_path(path), text),
        Arc::new(action),
    ))
}

/// One matrix leg of a job: its values and the runner OS (`Linux`, `macOS`, `Windows`).
#[derive(Clone, Copy)]
struct Leg<'a> {
    combo: &'a BTreeMap<String, String>,
    runner_os: Option<&'static str>,
    /// The matrix was expanded (`matrix.*` is known; a key the leg lacks is null).
    matrix_known: bool,
}

/// `3.11`, `3.11.4`, `'3.12'` → `3.11`/`3.12`; anything else (`3.x`, `pypy3.10`, ranges) → `None`.
fn minor_version(v: &str) -> Option<String> {
    let v = v.trim().trim_matches(|c| c == '"' || c == '\'');
    let mut parts = v.split('.');
    let (major, minor) = (parts.next()?, parts.next()?);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(major) && digits(minor) && parts.all(digits)).then(|| format!("{major}.{minor}"))
}

/// `$PWD/.venv/bin` → `.venv/bin`: the variables that only say "here".
fn strip_dir_vars(dir: &str) -> String {
    let mut d = dir.trim_matches('"');
    for prefix in [
        "$PWD/",
        "${PWD}/",
        "$GITHUB_WORKSPACE/",
        "${GITHUB_WORKSPACE}/",
        "$CI_PROJECT_DIR/",
        "${CI_PROJECT_DIR}/",
        "./",
    ] {
        if let Some(rest) = d.strip_prefix(prefix) {
            d = rest;
        }
    }
    d.to_string()
}

/// `bash`, `sh`, `bash -el {0}`, `/bin/bash -e {0}`: shells whose scripts we parse.
pub fn is_posix_shell(shell: &str) -> bool {
    let prog = shell.split_whitespace().next().unwrap_or("");
    let base = prog.rsplit('/').next().unwrap_or(prog);
    matches!(base, "bash" | "sh" | "dash" | "zsh" | "ash" | "ksh")
}

fn lint_action(
    file: &Arc<SourceFile>,
    doc: &yaml::Node,
    opts: &LintOptions,
    notes: &mut Vec<InputError>,
) -> Vec<Finding> {
    let Some(action) = github::action(doc, &file.text) else {
        return Vec::new();
    };
    // The caller's runner is unknown: the walk still runs (rules that need no platform work).
    let scope = Scope {
        file: file.clone(),
        kind: ScopeKind::GithubComposite,
        platform: None,
        platform_span: None,
        platform_overridable: false,
        note: String::new(),
        image: None,
    };
    let mut w = Walker::new(scope);
    w.root = Some(opts.root.clone());
    let combo = BTreeMap::new();
    let leg = Leg {
        combo: &combo,
        runner_os: None,
        matrix_known: false,
    };
    w.env_decides = true;
    walk_steps(&mut w, &action.steps, &leg, None, None);
    notes.append(&mut w.notes);
    w.findings
}

#[cfg(test)]
mod tests {
    use super::minor_version;

    #[test]
    fn setup_python_versions_that_name_one_minor_version() {
        assert_eq!(minor_version("3.11").as_deref(), Some("3.11"));
        assert_eq!(minor_version("'3.12.4'").as_deref(), Some("3.12"));
        assert_eq!(minor_version("3.x"), None);
        assert_eq!(minor_version("pypy3.10"), None);
        assert_eq!(minor_version(">=3.10"), None);
        assert_eq!(minor_version("3"), None);
    }
}
