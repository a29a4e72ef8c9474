//! What a shell command does to Python, read from the shell model: pip and uv invocations with the
//! options that matter for PEP 668, venv creation and activation, package installs, pip.conf
//! writes, marker removal. The environment model and the rules share this classification.

use super::source::shell::{Command, Word};

/// How a pip command names its interpreter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invoker {
    /// `pip`, `pip3`, `pip3.12`: whatever is first on PATH.
    BarePip(String),
    /// `python3 -m pip`, `python -m pip`, `python3.12 -m pip`.
    PythonM(String),
    /// `/usr/bin/pip3`, `.venv/bin/pip`, `$VENV/bin/pip`.
    PathPip(String),
    /// `/usr/bin/python3 -m pip`, `.venv/bin/python -m pip`.
    PathPython(String),
}

impl Invoker {
    /// The explicit path, if the command names one.
    pub fn path(&self) -> Option<&str> {
        match self {
            Invoker::PathPip(p) | Invoker::PathPython(p) => Some(p),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PipOptions {
    pub break_system_packages: bool,
    /// `--target`, `--prefix` or `--root`: pip skips the check.
    pub alternate_root: bool,
    pub dry_run: bool,
    pub report: bool,
    pub user: bool,
    pub isolated: bool,
    /// `--python X` (pip ≥ 22.3): the check runs in that interpreter.
    pub python: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PyCmd {
    Pip {
        invoker: Invoker,
        sub: String,
        opts: PipOptions,
    },
    UvPip {
        sub: String,
        system: bool,
        python: Option<String>,
        break_system_packages: bool,
        alternate_root: bool,
    },
    /// `python3 -m venv DIR`, `virtualenv DIR`, `uv venv [DIR]`.
    CreateVenv {
        tool: VenvTool,
        python: String,
        dir: String,
        without_pip: bool,
    },
    /// `. DIR/bin/activate`, `source DIR/bin/activate`.
    Activate {
        dir: String,
    },
    Deactivate,
    Ensurepip,
    /// A package manager installing packages: `apt-get install`, `apk add`, `dnf install`, ...
    PkgInstall {
        manager: String,
        packages: Vec<String>,
        /// Some packages come from an expansion (`$PKGS`, `$(cat list)`, xargs): unknown.
        unknown: bool,
    },
    /// `apt-get update` / `apt update`: the package lists are fetched.
    PkgIndexUpdate,
    /// `rm`/`mv`/`dpkg-divert` of an `EXTERNALLY-MANAGED` file.
    RemoveMarker,
    /// `export NAME=value` (value `None` when it is not a literal).
    Export(Vec<(String, Option<String>)>),
    /// Runs code we cannot see that may change files: `./setup.sh`, `bash ci/install.sh`, `make`.
    OpaqueScript,
    /// Sources code we cannot see into this shell: `. ./env.sh`, `source x`, `eval …`.
    SourceScript,
    /// Switches to a Python we do not model: conda/mamba activate, pyenv, `uv python install`.
    OtherPython,
    /// `npm ci` (`clean-install`, `ic`, `install-clean`): installs only from a lockfile.
    /// `prefix`: the folder `--prefix` names (`None`: the current one), `Some(None)` when it cannot
    /// be read.
    NpmCi {
        prefix: Option<Option<String>>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VenvTool {
    Venv,
    Virtualenv,
    Uv,
}

/// apt's action word: the first argument that is neither an option nor the value of `-o`, `-c`,
/// `-t` (`apt-get -o Acquire::Check-Valid-Until=false update`).
fn apt_action<'s>(args: &[&'s str]) -> Option<&'s str> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match *a {
            "-o" | "-c" | "-t" | "--option" | "--config-file" | "--target-release" => {
                it.next();
            }
            a if a.starts_with('-') => {}
            a => return Some(a),
        }
    }
    None
}

fn base(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

fn is_python(name: &str) -> bool {
    let b = base(name);
    b == "python"
        || b == "python3"
        || (b.starts_with("python3.") && b[8..].chars().all(|c| c.is_ascii_digit()))
}

fn is_pip(name: &str) -> bool {
    let b = base(name);
    b == "pip"
        || b == "pip3"
        || (b.starts_with("pip3.") && b[5..].chars().all(|c| c.is_ascii_digit()))
}

fn texts(words: &[Word]) -> Vec<&str> {
    words.iter().map(|w| w.text.as_str()).collect()
}

/// Classify one simple command.
pub fn classify(cmd: &Command) -> Option<PyCmd> {
    let words = texts(&cmd.words);
    let program = *words.first()?;
    let args = &words[1..];
    if is_pip(program) {
        let invoker = if program.contains('/') {
            Invoker::PathPip(program.to_string())
        } else {
            Invoker::BarePip(program.to_string())
        };
        return pip(invoker, args);
    }
    if is_python(program) {
        let invoker_name = program.to_string();
        // `python3 get-pip.py [pip install options]` runs pip install on that interpreter.
        if let Some(pos) = args.iter().position(|a| a.ends_with("get-pip.py")) {
            let mut rest = vec!["get-pip"];
            rest.extend_from_slice(&args[pos + 1..]);
            let invoker = if program.contains('/') {
                Invoker::PathPython(invoker_name)
            } else {
                Invoker::PythonM(invoker_name)
            };
            return pip(invoker, &rest);
        }
        let (module, rest) = python_module(args)?;
        return match module {
            "pip" => {
                let invoker = if program.contains('/') {
                    Invoker::PathPython(invoker_name)
                } else {
                    Invoker::PythonM(invoker_name)
                };
                pip(invoker, rest)
            }
            "venv" => venv(VenvTool::Venv, program, rest),
            "virtualenv" => venv(VenvTool::Virtualenv, program, rest),
            "ensurepip" => Some(PyCmd::Ensurepip),
            _ => None,
        };
    }
    match base(program) {
        "virtualenv" => venv(VenvTool::Virtualenv, "python3", args),
        "uv" => uv(args),
        "." | "source" => {
            let target = *args.first()?;
            if let Some(dir) = target.strip_suffix("/bin/activate") {
                Some(PyCmd::Activate {
                    dir: dir.to_string(),
                })
            } else if target.ends_with("conda.sh")
                || target.contains("conda")
                || target.contains("pyenv")
            {
                Some(PyCmd::OtherPython)
            } else {
                Some(PyCmd::SourceScript)
            }
        }
        "eval" => Some(PyCmd::SourceScript),
        "deactivate" => Some(PyCmd::Deactivate),
        "conda" | "mamba" | "micromamba" | "pyenv" | "pixi" => match args.first() {
            Some(&"activate") | Some(&"shell") | Some(&"global") | Some(&"local")
            | Some(&"install") => Some(PyCmd::OtherPython),
            _ => None,
        },
        "apt-get" | "apt" | "aptitude" if apt_action(args) == Some("update") => {
            Some(PyCmd::PkgIndexUpdate)
        }
        "apt-get" | "apt" | "aptitude" => pkg(cmd, "apt", &["install"], args),
        "apk" => pkg(cmd, "apk", &["add"], args),
        "dnf" | "yum" | "microdnf" | "tdnf" => pkg(cmd, "dnf", &["install"], args),
        "zypper" => pkg(cmd, "zypper", &["install", "in"], args),
        "pacman" => {
            if args
                .iter()
                .any(|a| a.starts_with("-S") && !a.starts_with("-Ss"))
            {
                Some(PyCmd::PkgInstall {
                    unknown: cmd.words.iter().any(|w| w.dynamic),
                    manager: "pacman".into(),
                    packages: args
                        .iter()
                        .filter(|a| !a.starts_with('-'))
                        .map(|s| s.to_string())
                        .collect(),
                })
            } else {
                None
            }
        }
        // `rm`, `mv`, `dpkg-divert`, `find … -name EXTERNALLY-MANAGED -delete`, …: anything that
        // names the marker except commands that only read it.
        "cat" | "ls" | "test" | "[" | "echo" | "printf" | "stat" | "grep" | "head" => None,
        _ if args.iter().any(|a| a.contains("EXTERNALLY-MANAGED")) => Some(PyCmd::RemoveMarker),
        "export" => Some(PyCmd::Export(
            cmd.words[1..]
                .iter()
                .filter_map(|w| {
                    let (name, value) = w.text.split_once('=')?;
                    let literal = !w.dynamic || !value.contains('$') || name == "PATH";
                    Some((name.to_string(), literal.then(|| value.to_string())))
                })
                .collect(),
        )),
        "npm" => npm_ci(cmd),
        "make" | "just" | "task" | "tox" | "nox" | "hatch" | "poetry" | "pdm" | "pipenv"
        | "ansible-playbook" => None,
        "bash" | "sh" | "zsh" | "dash" => {
            // `bash script.sh` runs a file we cannot see; `bash -c '…'` is parsed by the shell model.
            match args.first() {
                Some(a) if !a.starts_with('-') => Some(PyCmd::OpaqueScript),
                _ => None,
            }
        }
        _ if program.starts_with("./") || program.ends_with(".sh") => Some(PyCmd::OpaqueScript),
        _ => None,
    }
}

/// `-m MODULE rest…` after interpreter flags like `-u`, `-I`, `-X dev`.
fn python_module<'a>(args: &'a [&'a str]) -> Option<(&'a str, &'a [&'a str])> {
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        if a == "-m" {
            return Some((args.get(i + 1)?, args.get(i + 2..).unwrap_or(&[])));
        }
        if let Some(m) = a.strip_prefix("-m") {
            return Some((m, args.get(i + 1..).unwrap_or(&[])));
        }
        if a == "-X" || a == "-W" {
            i += 2;
            continue;
        }
        if a.starts_with('-') {
            i += 1;
            continue;
        }
        return None; // a script file
    }
    None
}

fn pip(invoker: Invoker, args: &[&str]) -> Option<PyCmd> {
    let mut opts = PipOptions::default();
    let mut sub = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        match a {
            "--break-system-packages" => opts.break_system_packages = true,
            "--target" | "-t" | "--prefix" | "--root" => {
                opts.alternate_root = true;
                i += 1;
            }
            "--dry-run" => opts.dry_run = true,
            "--report" => {
                opts.report = true;
                i += 1;
            }
            "--user" => opts.user = true,
            "--isolated" => opts.isolated = true,
            "--python" => {
                opts.python = args.get(i + 1).map(|s| s.to_string());
                i += 1;
            }
            _ if a.starts_with("--target=")
                || a.starts_with("--prefix=")
                || a.starts_with("--root=") =>
            {
                opts.alternate_root = true
            }
            _ if a.starts_with("--report=") => opts.report = true,
            _ if a.starts_with("--python=") => {
                opts.python = Some(a["--python=".len()..].to_string())
            }
            _ if a.starts_with("-t") && a.len() > 2 && !a.starts_with("--") => {
                opts.alternate_root = true
            }
            // Options that take a value: skip it so it is not read as the subcommand.
            "-r" | "--requirement" | "-c" | "--constraint" | "-e" | "--editable" | "-i"
            | "--index-url" | "--extra-index-url" | "-f" | "--find-links" | "--cache-dir"
            | "--log" | "--timeout" | "--retries" | "--trusted-host" | "--proxy" | "--cert"
            | "--client-cert" | "--src" | "--upgrade-strategy" | "--platform"
            | "--python-version" | "--implementation" | "--abi" | "--only-binary"
            | "--no-binary" | "--progress-bar" | "--config-settings" | "-C" | "--global-option"
            | "--exists-action" | "--keyring-provider" | "--use-feature" | "--use-deprecated" => {
                i += 1;
            }
            _ if sub.is_none() && !a.starts_with('-') => sub = Some(a.to_string()),
            _ => {}
        }
        i += 1;
    }
    Some(PyCmd::Pip {
        invoker,
        sub: sub.unwrap_or_default(),
        opts,
    })
}

fn venv(tool: VenvTool, python: &str, args: &[&str]) -> Option<PyCmd> {
    let without_pip = args.contains(&"--without-pip");
    let dir = args
        .iter()
        .rev()
        .find(|a| !a.starts_with('-'))
        .map(|s| s.to_string())
        .unwrap_or_else(|| ".venv".to_string());
    Some(PyCmd::CreateVenv {
        tool,
        python: python.to_string(),
        dir,
        without_pip,
    })
}

fn uv(args: &[&str]) -> Option<PyCmd> {
    match args.first().copied()? {
        "pip" => {
            let sub = args.get(1).copied().unwrap_or("").to_string();
            let rest = args.get(2..).unwrap_or(&[]);
            let mut python = None;
            for (i, a) in rest.iter().enumerate() {
                if *a == "--python" || *a == "-p" {
                    python = rest.get(i + 1).map(|s| s.to_string());
                } else if let Some(p) = a.strip_prefix("--python=") {
                    python = Some(p.to_string());
                }
            }
            Some(PyCmd::UvPip {
                sub,
                system: rest.contains(&"--system"),
                python,
                break_system_packages: rest.contains(&"--break-system-packages"),
                alternate_root: rest
                    .iter()
                    .any(|a| a.starts_with("--target") || a.starts_with("--prefix")),
            })
        }
        "venv" => {
            let rest = &args[1..];
            let seed = rest.contains(&"--seed");
            let dir = rest
                .iter()
                .enumerate()
                .filter(|(i, a)| {
                    !a.starts_with('-')
                        && !matches!(
                            rest.get(i.wrapping_sub(1)),
                            Some(&"--python") | Some(&"-p") | Some(&"--prompt")
                        )
                })
                .map(|(_, a)| a.to_string())
                .next_back()
                .unwrap_or_else(|| ".venv".to_string());
            Some(PyCmd::CreateVenv {
                tool: VenvTool::Uv,
                python: "uv".into(),
                dir,
                without_pip: !seed,
            })
        }
        "python" if args.get(1) == Some(&"install") => Some(PyCmd::OtherPython),
        _ => None,
    }
}

fn pkg(cmd: &Command, manager: &str, verbs: &[&str], args: &[&str]) -> Option<PyCmd> {
    let pos = args.iter().position(|a| verbs.contains(a))?;
    let packages = args[pos + 1..]
        .iter()
        .filter(|a| !a.starts_with('-'))
        .map(|a| a.split('=').next().unwrap_or(a).to_string())
        .collect();
    let unknown =
        cmd.words.iter().any(|w| w.dynamic) || cmd.wrappers.iter().any(|w| w.name == "xargs");
    Some(PyCmd::PkgInstall {
        manager: manager.to_string(),
        packages,
        unknown,
    })
}

/// What a package install brings, for the Python facts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Brings {
    pub python: bool,
    pub pip: bool,
    pub venv: bool,
}

pub fn brings(packages: &[String]) -> Brings {
    let mut b = Brings::default();
    for p in packages {
        let p = p.as_str();
        let pip = matches!(
            p,
            "python3-pip" | "py3-pip" | "python-pip" | "python3-virtualenv" | "pipx"
        ) || (p.starts_with("python3") && p.ends_with("-pip"));
        let venv = matches!(
            p,
            "python3-venv" | "python3-full" | "python3-virtualenv" | "py3-virtualenv" | "pipx"
        ) || (p.starts_with("python3.")
            && (p.ends_with("-venv") || p.ends_with("-full")));
        let python = pip
            || venv
            || p == "python3"
            || p == "python"
            || p == "python-is-python3"
            || p.starts_with("python3.")
            || p == "python3-dev";
        b.pip |= pip;
        b.venv |= venv;
        b.python |= python;
    }
    b
}

/// `npm [options] ci|clean-install|ic|install-clean [options]`.
fn npm_ci(cmd: &Command) -> Option<PyCmd> {
    let args = cmd.args();
    let mut prefix = None;
    let mut sub = None;
    let mut i = 0;
    while i < args.len() {
        let w = &args[i];
        let t = w.text.as_str();
        if t == "--prefix" || t == "-C" {
            prefix = Some(
                args.get(i + 1)
                    .filter(|a| !a.dynamic)
                    .map(|a| a.text.clone()),
            );
            i += 2;
            continue;
        }
        if let Some(p) = t.strip_prefix("--prefix=") {
            prefix = Some((!w.dynamic).then(|| p.to_string()));
        } else if sub.is_none() && !t.starts_with('-') {
            sub = Some(t);
        }
        i += 1;
    }
    matches!(
        sub?,
        "ci" | "clean-install" | "ic" | "install-clean" | "isntall-clean"
    )
    .then_some(PyCmd::NpmCi { prefix })
}

/// Whether a command may write a `package-lock.json` or `npm-shrinkwrap.json`: an npm command that
/// updates the lockfile (`npm install`, `npm i --package-lock-only`, `npm shrinkwrap`, …), or any
/// command that names one (`cp`, `curl -o`, `git checkout -- package-lock.json`, a redirection).
pub fn may_write_lockfile(cmd: &Command) -> bool {
    let names_lock = |t: &str| t.contains("package-lock") || t.contains("npm-shrinkwrap");
    if cmd.words.iter().any(|w| names_lock(&w.text))
        || cmd
            .redirects
            .iter()
            .filter_map(|r| r.target.as_ref())
            .any(|w| names_lock(&w.text))
    {
        return true;
    }
    if cmd.program_name() != Some("npm") {
        return false;
    }
    let sub = cmd
        .args()
        .iter()
        .map(|w| w.text.as_str())
        .find(|t| !t.starts_with('-'));
    matches!(
        sub,
        Some(
            "install"
                | "i"
                | "in"
                | "ins"
                | "inst"
                | "insta"
                | "instal"
                | "isnt"
                | "isnta"
                | "isntal"
                | "isntall"
                | "add"
                | "update"
                | "up"
                | "upgrade"
                | "udpate"
                | "dedupe"
                | "ddp"
                | "shrinkwrap"
                | "uninstall"
                | "unlink"
                | "remove"
                | "rm"
                | "r"
                | "un"
                | "prune"
                | "audit"
                | "init"
                | "create"
                | "link"
                | "ln"
                | "pkg"
        )
    )
}

/// Whether a command puts a pip other than the distribution's in place: `pip install --upgrade
/// pip` (any spelling of the requirement: `pip==24.0`, `"pip>=23.1"`, `pip[…]`), `get-pip.py` run
/// or downloaded (`curl … get-pip.py | python3`), `python3 -m ensurepip`.
pub fn replaces_pip(cmd: &Command) -> bool {
    let words = texts(&cmd.words);
    if words.iter().any(|w| w.contains("get-pip")) {
        return true;
    }
    match classify(cmd) {
        Some(PyCmd::Ensurepip) => true,
        Some(PyCmd::Pip { sub, .. }) if sub == "install" => {
            let after = words
                .iter()
                .position(|w| *w == "install")
                .map_or(&words[..0], |i| &words[i + 1..]);
            after.iter().any(|w| {
                let w = w.trim_matches(|c| c == '"' || c == '\'');
                w == "pip"
                    || w.strip_prefix("pip")
                        .is_some_and(|rest| rest.starts_with(['=', '<', '>', '~', '!', '[']))
            })
        }
        _ => false,
    }
}

/// pip's boolean parsing (`strtobool`): `None` for an invalid value.
pub fn truthy(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" | "t" | "true" | "on" | "1" => Some(true),
        "n" | "no" | "f" | "false" | "off" | "0" | "" => Some(false),
        _ => None,
    }
}
