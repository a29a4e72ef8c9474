//! `pip` used where no pip is installed: `pip: not found` or `No module named pip`.

use super::{finding, platform_label, quote, Rule};
use crate::lint::command::{Invoker, PyCmd};
use crate::lint::env::{Site, Target};
use crate::lint::platform::{Os, Tri};
use crate::report::Finding;

pub struct PipUnavailable;

impl Rule for PipUnavailable {
    fn id(&self) -> &'static str {
        "pip-unavailable"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/pip-unavailable.yaml")
    }

    fn check(&self, site: &Site<'_>, out: &mut Vec<Finding>) {
        let PyCmd::Pip { invoker, sub, .. } = site.py else {
            return;
        };
        if sub == "get-pip" {
            return; // get-pip.py is how pip gets there
        }
        let Some(r) = site.pip_reach() else { return };
        if r.target != Target::System || r.pip_present != Tri::No || r.stale_activation.is_some() {
            return;
        }
        let Some(platform) = &site.scope.platform else {
            return;
        };
        let python_there =
            platform.facts.python == Tri::Yes || site.state.python_installed.is_some();
        let (outcome, why) = match invoker {
            Invoker::BarePip(name) => (
                format!("`{name}: not found` (exit 127)"),
                "there is no pip on PATH",
            ),
            Invoker::PythonM(name) if python_there => (
                format!("`{name}: No module named pip`"),
                "its Python has no pip module",
            ),
            // A full path to a Python the platform facts name (`/usr/bin/python3` in `python:`).
            Invoker::PathPython(path) if r.python_what.is_some() => (
                format!("`{path}: No module named pip`"),
                "that Python has no pip module",
            ),
            _ => return,
        };
        let message = format!(
            "`{}` will fail with {outcome}: {why} in {}{}, and nothing earlier installs it",
            quote(site),
            r.python_what.map_or_else(
                || platform.describe.clone(),
                |w| format!("{w} (`{}`)", platform.name)
            ),
            site.scope.note,
        );
        let related = platform_label(site, "no pip in this image")
            .into_iter()
            .collect();
        let install = match platform.facts.os {
            Os::Alpine => "`apk add py3-pip`",
            Os::Fedora => "`dnf install -y python3-pip`",
            Os::Arch => "`pacman -S --noconfirm python-pip`",
            Os::OpenSuse => "`zypper install -y python3-pip`",
            _ => "`apt-get install -y python3-pip`",
        };
        let help = if platform.facts.marked == Tri::Yes {
            format!("use an official Python image (`python:3.12-slim`), or create a venv (`python3 -m venv .venv`, with `python3-venv` on Debian/Ubuntu) and use its pip; installing pip with {install} leads to `externally-managed-environment` on this distribution")
        } else {
            format!("use an official Python image (`python:3.12-slim`), or install pip first ({install})")
        };
        out.push(finding(
            site,
            self.id(),
            None,
            message,
            "no pip here",
            related,
            help,
        ));
    }
}
