//! `pip install --break-system-packages` run by a pip older than 23.0.1, which does not know the
//! option (pep668.md §1.1, §5): `no such option: --break-system-packages` (rc 2).

use super::{finding, platform_label, quote, Rule};
use crate::lint::command::{Invoker, PyCmd};
use crate::lint::env::{Site, Target};
use crate::lint::facts::Version;
use crate::lint::platform::{self, Tri};
use crate::lint::source::shell::Separator;
use crate::report::{Finding, Label};

pub struct PipBreakSystemPackagesOldPip;

/// The first pip with `--break-system-packages` (pypa/pip #11780).
const FIRST: &str = "23.0.1";

impl Rule for PipBreakSystemPackagesOldPip {
    fn id(&self) -> &'static str {
        "pip-break-system-packages-old-pip"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/pip-break-system-packages-old-pip.yaml")
    }

    fn check(&self, site: &Site<'_>, out: &mut Vec<Finding>) {
        let PyCmd::Pip { invoker, sub, opts } = site.py else {
            return;
        };
        if !opts.break_system_packages || (sub != "install" && sub != "uninstall") {
            return;
        }
        // `pip install --break-system-packages x || pip install x`: a fallback written for old
        // pips; `pip install x || pip install --break-system-packages x`: it runs only when the
        // plain install failed, which these unmarked Pythons do not make it do.
        if site.cmd.condition || site.cmd.separator == Separator::Or {
            return;
        }
        // Only the platform's own pip: `pip3.11` or `python3.11 -m pip` may be another one.
        let name = match invoker {
            Invoker::BarePip(n) | Invoker::PythonM(n) => n.as_str(),
            Invoker::PathPip(p) | Invoker::PathPython(p) => match p.as_str() {
                "/usr/bin/pip" | "/usr/bin/pip3" => "pip3",
                "/usr/bin/python3" => "python3",
                _ => return,
            },
        };
        if !matches!(name, "pip" | "pip3" | "python" | "python3") {
            return;
        }
        let st = site.state;
        if st.pip_replaced.is_some()
            || st.opaque_script.is_some()
            || st.other_python.is_some()
            || site.shell.sourced.is_some()
        {
            return; // pip may have been upgraded where the files do not show it
        }
        let Some(r) = site.pip_reach() else { return };
        if r.target != Target::System || r.pip_present != Tri::Yes || r.python_what.is_some() {
            return;
        }
        let Some(p) = &site.scope.platform else {
            return;
        };
        // The platform's pip (a hosted runner's), or the distribution's python3-pip that the job
        // installed: both are the table's version.
        let from_platform = p.facts.pip == Tri::Yes && st.pip_installed.is_none();
        let from_package = st.pip_installed.is_some() && !p.runner;
        if !(from_platform || from_package || p.runner) {
            return;
        }
        let Some(row) = platform::system_pip(p) else {
            return;
        };
        let (Some(have), Some(first)) = (Version::parse(row.version), Version::parse(FIRST)) else {
            return;
        };
        if !have.always_below(&first) {
            return;
        }
        let whose = if p.runner {
            format!("the pip of {}", p.describe)
        } else {
            format!("the distribution's pip (python3-pip) in `{}`", p.name)
        };
        let message = format!(
            "`{}` will fail with `no such option: --break-system-packages`: {whose}{} is {} ({}), and the option came in pip {FIRST}",
            quote(site),
            site.scope.note,
            row.version,
            row.source,
        );
        let mut related: Vec<Label> = platform_label(site, "its pip predates the option")
            .into_iter()
            .collect();
        if let (Some(span), false) = (&st.pip_installed, p.runner) {
            related.push(Label {
                span: span.clone(),
                message: format!("the distribution's pip {} comes from here", row.version),
            });
        }
        let help = "this Python is not externally managed, so the option is not needed here: drop it, or set `PIP_BREAK_SYSTEM_PACKAGES=1` in the environment instead (old pips ignore it), or run `python3 -m pip install --upgrade pip` first".to_string();
        out.push(finding(
            site,
            self.id(),
            None,
            message,
            "this pip does not know `--break-system-packages`",
            related,
            help,
        ));
    }
}
