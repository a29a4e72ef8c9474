//! `uv pip install --system` into an externally managed Python. uv ignores pip.conf and
//! `PIP_BREAK_SYSTEM_PACKAGES`, so GitHub's hosted runner override does not help.

use super::{finding, platform_label, Rule};
use crate::lint::command::{self, PyCmd};
use crate::lint::env::Site;
use crate::lint::platform::Tri;
use crate::report::Finding;

pub struct UvPipSystemExternallyManaged;

impl Rule for UvPipSystemExternallyManaged {
    fn id(&self) -> &'static str {
        "uv-pip-system-externally-managed"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/uv-pip-system-externally-managed.yaml")
    }

    fn check(&self, site: &Site<'_>, out: &mut Vec<Finding>) {
        let PyCmd::UvPip {
            sub,
            system,
            python,
            break_system_packages,
            alternate_root,
        } = site.py
        else {
            return;
        };
        if !matches!(sub.as_str(), "install" | "sync" | "uninstall")
            || *break_system_packages
            || *alternate_root
        {
            return;
        }
        let env = |name: &str| -> Option<Option<String>> {
            site.cmd
                .assignments
                .iter()
                .rev()
                .find(|a| a.name == name)
                .map(|a| (!a.value.dynamic).then(|| a.value.text.clone()))
                .or_else(|| site.shell.exports.get(name).map(|v| v.value.clone()))
                .or_else(|| site.state.env.get(name).map(|v| v.value.clone()))
        };
        let truthy = |v: Option<Option<String>>| v.map(|v| v.as_deref().and_then(command::truthy));
        let system_by_env = truthy(env("UV_SYSTEM_PYTHON"));
        let system_python = python
            .as_deref()
            .is_some_and(|p| p.starts_with("/usr/bin/python"));
        let targets_system = *system || system_by_env == Some(Some(true)) || system_python;
        if !targets_system || system_by_env.is_some_and(|v| v.is_none()) && !*system {
            return;
        }
        match truthy(env("UV_BREAK_SYSTEM_PACKAGES")) {
            Some(Some(false)) | None => {}
            _ => return,
        }
        // uv picks the first Python on PATH: setup-python's, an activated venv, or another one we
        // cannot follow make the target unknown or safe.
        if !system_python
            && (site.state.setup_python.is_some()
                || site.state.other_python.is_some()
                || site.shell.active_venv.is_some()
                || site.state.venv_on_path.is_some()
                || site.shell.sourced.is_some())
        {
            return;
        }
        let Some(platform) = &site.scope.platform else {
            return;
        };
        let python_there =
            platform.facts.python == Tri::Yes || site.state.python_installed.is_some();
        if platform.facts.marked != Tri::Yes || !python_there {
            return;
        }
        let why_runner = if platform.facts.pip_conf_override {
            " (uv ignores the runner's `/etc/pip.conf` override)"
        } else {
            ""
        };
        let what = if *system {
            format!("`uv pip {sub} --system`")
        } else if system_python {
            format!(
                "`uv pip {sub} --python {}`",
                python.as_deref().unwrap_or("")
            )
        } else {
            format!("`uv pip {sub}` with `UV_SYSTEM_PYTHON` set")
        };
        let message = format!(
            "{what} will fail: the system Python of {}{} is externally managed (PEP 668){why_runner}",
            platform.describe, site.scope.note,
        );
        let related = platform_label(site, "this Python is marked EXTERNALLY-MANAGED")
            .into_iter()
            .collect();
        let help = "install into a venv (`uv venv && uv pip install …`, or `uv sync`), add `actions/setup-python` first so uv finds an unmarked Python, or pass `--break-system-packages` if you accept the risk".to_string();
        out.push(finding(
            site,
            self.id(),
            None,
            message,
            "uv refuses an externally managed interpreter",
            related,
            help,
        ));
    }
}
