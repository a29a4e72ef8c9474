//! `pip install` / `pip uninstall` that reaches an externally managed system Python (PEP 668).

use super::{finding, platform_label, quote, venv_help, Rule};
use crate::lint::command::PyCmd;
use crate::lint::env::{Site, Target};
use crate::lint::platform::Tri;
use crate::report::{Finding, Label};

pub struct PipInstallExternallyManaged;

impl Rule for PipInstallExternallyManaged {
    fn id(&self) -> &'static str {
        "pip-install-externally-managed"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/pip-install-externally-managed.yaml")
    }

    fn check(&self, site: &Site<'_>, out: &mut Vec<Finding>) {
        if let PyCmd::Ensurepip = site.py {
            return ensurepip(self, site, out);
        }
        let PyCmd::Pip { sub, .. } = site.py else {
            return;
        };
        // `get-pip` is `python3 get-pip.py`: a pip install that needs no pip.
        if sub != "install" && sub != "uninstall" && sub != "get-pip" {
            return;
        }
        let Some(r) = site.pip_reach() else { return };
        let pip_needed = sub != "get-pip";
        // Only what will fail: a marked system Python with pip, nothing that overrides the check.
        // A stale activation is `venv-activated-in-earlier-step`'s finding, a pass through the
        // runner's pip.conf is `pip-install-relies-on-runner-pip-conf`'s.
        if r.target != Target::System
            || r.marked != Tri::Yes
            || (pip_needed && r.pip_present != Tri::Yes)
            || r.overridden.is_some()
            || r.runner_pip_conf
            || r.stale_activation.is_some()
        {
            return;
        }
        let Some(platform) = &site.scope.platform else {
            return;
        };
        let env_dropped = site
            .state
            .env
            .get("PIP_BREAK_SYSTEM_PACKAGES")
            .or_else(|| site.shell.exports.get("PIP_BREAK_SYSTEM_PACKAGES"))
            .is_some_and(|v| {
                v.value.as_deref().and_then(crate::lint::command::truthy) == Some(true)
            });
        let sudo = match (r.via_sudo, env_dropped) {
            (true, true) => " (`sudo` resets the environment, so `PIP_BREAK_SYSTEM_PACKAGES` does not reach pip: use `sudo -E` or `sudo PIP_BREAK_SYSTEM_PACKAGES=1 pip …`)",
            (true, false) => " (sudo does not help: pip checks the interpreter, not the user)",
            _ => "",
        };
        let message = format!(
            "`{}` will fail with `error: externally-managed-environment`: it installs into the system Python of {}{}, which is externally managed (PEP 668){sudo}",
            quote(site),
            r.python_what
                .map_or_else(|| platform.describe.clone(), |w| format!("{w} (`{}`)", platform.name)),
            site.scope.note,
        );
        let mut related: Vec<Label> =
            platform_label(site, "this Python is marked EXTERNALLY-MANAGED")
                .into_iter()
                .collect();
        if let Some(span) = r.pip_installed_at {
            related.push(Label {
                span,
                message: "pip for the system Python comes from here".into(),
            });
        }
        out.push(finding(
            site,
            self.id(),
            None,
            message,
            "installs into the externally managed system Python",
            related,
            venv_help(site),
        ));
    }
}

/// `python3 -m ensurepip` runs `pip install` on the bundled wheel: on a marked Python outside
/// Debian/Ubuntu it fails with the PEP 668 error, and no env var helps (ensurepip drops `PIP_*` and
/// sets `PIP_CONFIG_FILE=/dev/null`; python/cpython #118384). Debian/Ubuntu disable it outright,
/// which `python3-pip` avoids: not this rule's finding.
fn ensurepip(rule: &PipInstallExternallyManaged, site: &Site<'_>, out: &mut Vec<Finding>) {
    let st = site.state;
    if st.setup_python.is_some()
        || st.other_python.is_some()
        || site.shell.active_venv.is_some()
        || st.venv_on_path.is_some()
        || site.shell.sourced.is_some()
        || st.marker_removed.is_some()
    {
        return;
    }
    if site
        .cmd
        .words
        .first()
        .is_some_and(|w| w.text.contains('/') && !w.text.starts_with("/usr/bin/"))
    {
        return;
    }
    let Some(platform) = &site.scope.platform else {
        return;
    };
    let f = &platform.facts;
    let python_there = f.python == Tri::Yes || st.python_installed.is_some();
    if f.marked != Tri::Yes || f.os.is_debian_like() || !python_there || platform.runner {
        return;
    }
    let message = format!(
        "`{}` will fail with `error: externally-managed-environment`: ensurepip installs pip into the system Python of {}{}, which is externally managed (PEP 668), and ensurepip ignores `PIP_BREAK_SYSTEM_PACKAGES`",
        quote(site),
        platform.describe,
        site.scope.note,
    );
    let related = platform_label(site, "this Python is marked EXTERNALLY-MANAGED")
        .into_iter()
        .collect();
    let help = "install pip with the package manager (`apk add py3-pip`) and use it in a venv, or use an official `python:` image, which ships pip".to_string();
    out.push(finding(
        site,
        rule.id(),
        None,
        message,
        "ensurepip runs pip install on the system Python",
        related,
        help,
    ));
}
