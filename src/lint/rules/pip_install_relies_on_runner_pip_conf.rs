//! `pip install` on GitHub's hosted ubuntu-24.04 runners that passes only through the image's
//! `/etc/pip.conf` (`break-system-packages = true`).

use super::{finding, platform_label, quote, Rule};
use crate::lint::command::PyCmd;
use crate::lint::env::{Site, Target};
use crate::lint::platform::Tri;
use crate::report::Finding;

pub struct PipInstallReliesOnRunnerPipConf;

impl Rule for PipInstallReliesOnRunnerPipConf {
    fn id(&self) -> &'static str {
        "pip-install-relies-on-runner-pip-conf"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/pip-install-relies-on-runner-pip-conf.yaml")
    }

    fn check(&self, site: &Site<'_>, out: &mut Vec<Finding>) {
        let PyCmd::Pip { sub, .. } = site.py else {
            return;
        };
        if sub != "install" && sub != "uninstall" {
            return;
        }
        let Some(r) = site.pip_reach() else { return };
        if r.target != Target::System
            || r.marked != Tri::Yes
            || !r.runner_pip_conf
            || r.stale_activation.is_some()
        {
            return;
        }
        let Some(platform) = &site.scope.platform else {
            return;
        };
        let message = format!(
            "`{}` passes only because {} ships `/etc/pip.conf` with `break-system-packages = true`; the same step fails with `externally-managed-environment` on a self-hosted runner, in a container, or when the image drops the override",
            quote(site),
            platform.describe,
        );
        let related = platform_label(
            site,
            "externally managed Python, allowed by the image's pip.conf",
        )
        .into_iter()
        .collect();
        let help = "add `actions/setup-python` before this step, or install into a venv (`python3 -m venv .venv && .venv/bin/pip install …`)".to_string();
        out.push(finding(
            site,
            self.id(),
            None,
            message,
            "installs into the runner's system Python",
            related,
            help,
        ));
    }
}
