//! A bare `pip install` after a venv was activated in an earlier step or RUN: each step is a new
//! shell, so `pip` is the system one again.

use super::{finding, quote, Rule};
use crate::lint::command::{Invoker, PyCmd};
use crate::lint::env::{ScopeKind, Site, Target};
use crate::lint::platform::Tri;
use crate::report::{Finding, Label, Severity};

pub struct VenvActivatedInEarlierStep;

impl Rule for VenvActivatedInEarlierStep {
    fn id(&self) -> &'static str {
        "venv-activated-in-earlier-step"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/venv-activated-in-earlier-step.yaml")
    }

    fn check(&self, site: &Site<'_>, out: &mut Vec<Finding>) {
        let PyCmd::Pip { sub, invoker, .. } = site.py else {
            return;
        };
        if sub != "install" || !matches!(invoker, Invoker::BarePip(_) | Invoker::PythonM(_)) {
            return;
        }
        let Some(r) = site.pip_reach() else { return };
        let Some(activated) = r.stale_activation.clone() else {
            return;
        };
        if r.target != Target::System
            || r.marked != Tri::Yes
            || r.pip_present != Tri::Yes
            || r.overridden.is_some()
        {
            return;
        }
        let Some(platform) = &site.scope.platform else {
            return;
        };
        let (severity, outcome) = if r.runner_pip_conf {
            (Some(Severity::Warning), "passes only through the runner's pip.conf and installs into the system Python, not the venv")
        } else {
            (None, "will fail with `externally-managed-environment`")
        };
        let unit = match site.scope.kind {
            ScopeKind::DockerStage => "RUN",
            ScopeKind::GitlabJob => "script block",
            _ => "step",
        };
        let message = format!(
            "`{}` {outcome}: the venv was activated in an earlier {unit}, and each {unit} starts a new shell, so `pip` is the system Python of {} again",
            quote(site),
            platform.describe,
        );
        let related = vec![Label {
            span: activated,
            message: format!("activated here, in an earlier {unit}"),
        }];
        let help = match site.scope.kind {
            ScopeKind::DockerStage => "activate and install in the same RUN (`RUN . /opt/venv/bin/activate && pip install …`), call `/opt/venv/bin/pip`, or set `ENV PATH=/opt/venv/bin:$PATH` once".to_string(),
            ScopeKind::GitlabJob => "activate and install in the same script (`before_script` and `script` share one shell; `after_script` does not), or call `.venv/bin/pip` directly".to_string(),
            _ => "activate and install in the same step, call `.venv/bin/pip` directly, or persist the venv with `echo \"$PWD/.venv/bin\" >> \"$GITHUB_PATH\"`".to_string(),
        };
        out.push(finding(
            site,
            self.id(),
            severity,
            message,
            "runs in a new shell without the venv",
            related,
            help,
        ));
    }
}
