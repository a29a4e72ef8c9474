//! `python3 -m venv` on Debian/Ubuntu without `python3-venv`: ensurepip is not available.

use super::{finding, platform_label, Rule};
use crate::lint::command::{PyCmd, VenvTool};
use crate::lint::env::Site;
use crate::lint::platform::Tri;
use crate::report::{Finding, Label};

pub struct VenvWithoutPython3Venv;

impl Rule for VenvWithoutPython3Venv {
    fn id(&self) -> &'static str {
        "venv-without-python3-venv"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/venv-without-python3-venv.yaml")
    }

    fn check(&self, site: &Site<'_>, out: &mut Vec<Finding>) {
        let PyCmd::CreateVenv {
            tool: VenvTool::Venv,
            python,
            without_pip,
            ..
        } = site.py
        else {
            return;
        };
        if *without_pip || python.contains('/') && !python.starts_with("/usr/bin/") {
            return;
        }
        let st = site.state;
        if st.venv_pkg_installed.is_some()
            || st.setup_python.is_some()
            || st.other_python.is_some()
            || st.opaque_script.is_some()
            || site.shell.sourced.is_some()
            || site.shell.active_venv.is_some()
            || st.venv_on_path.is_some()
        {
            return;
        }
        let Some(platform) = &site.scope.platform else {
            return;
        };
        let f = &platform.facts;
        let python_there = f.python == Tri::Yes || st.python_installed.is_some();
        if !f.os.is_debian_like() || f.venv != Tri::No || platform.runner || !python_there {
            return;
        }
        let message = format!(
            "`{python} -m venv` will fail with `ensurepip is not available`: {} has no `python3-venv`, and nothing earlier installs it{}",
            platform.describe, site.scope.note,
        );
        let mut related: Vec<Label> =
            platform_label(site, "Debian/Ubuntu split venv support into python3-venv")
                .into_iter()
                .collect();
        if let Some(span) = st.python_installed.clone() {
            related.push(Label {
                span,
                message: "installs Python without python3-venv".into(),
            });
        }
        let help = "install `python3-venv` (or `python3-full`) in the same image before creating the venv, e.g. `apt-get install -y python3-venv`".to_string();
        out.push(finding(
            site,
            self.id(),
            None,
            message,
            "needs ensurepip from python3-venv",
            related,
            help,
        ));
    }
}
