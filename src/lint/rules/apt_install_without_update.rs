//! `apt-get install` with no `apt-get update` earlier in the stage or job, on an image that ships
//! empty package lists (ci-failures.md §E2): `E: Unable to locate package`.

use super::{finding, platform_label, quote, Rule};
use crate::lint::command::PyCmd;
use crate::lint::env::{ScopeKind, Site};
use crate::report::{Finding, Severity};

pub struct AptInstallWithoutUpdate;

impl Rule for AptInstallWithoutUpdate {
    fn id(&self) -> &'static str {
        "apt-install-without-update"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/apt-install-without-update.yaml")
    }

    fn check(&self, site: &Site<'_>, out: &mut Vec<Finding>) {
        let PyCmd::PkgInstall {
            manager, packages, ..
        } = site.py
        else {
            return;
        };
        if manager != "apt" || site.shell.apt_updated || site.state.opaque_script.is_some() {
            return;
        }
        let Some(platform) = &site.scope.platform else {
            return; // a vendor image may keep its lists
        };
        // Hosted runners keep (possibly old) lists: at most a stale-list risk, not this failure.
        if platform.runner || !platform.facts.os.is_debian_like() {
            return;
        }
        let words: Vec<&str> = site.cmd.words.iter().map(|w| w.text.as_str()).collect();
        let local = packages
            .iter()
            .all(|p| p.starts_with("./") || p.starts_with('/') || p.ends_with(".deb"));
        if local || words.contains(&"--no-download") {
            return; // local .deb files need no lists
        }
        let (severity, message, primary) = match &site.state.apt_updated {
            None => (
                None,
                format!(
                    "`{}` will fail with `E: Unable to locate package` (exit 100): {}{} ships empty package lists and nothing earlier runs `apt-get update`",
                    quote(site),
                    platform.describe,
                    site.scope.note
                ),
                "no package lists here",
            ),
            // The lists exist, but a cached layer keeps them while the archive moves on.
            Some(_) if site.scope.kind == ScopeKind::DockerStage => (
                Some(Severity::Warning),
                format!(
                    "`{}` relies on `apt-get update` from an earlier `RUN`: when that layer comes from the build cache, its lists can be stale (`404  Not Found`)",
                    quote(site)
                ),
                "lists from an earlier layer",
            ),
            Some(_) => return,
        };
        out.push(finding(
            site,
            self.id(),
            severity,
            message,
            primary,
            platform_label(site, "its package lists are empty")
                .into_iter()
                .collect(),
            "run `apt-get update` in the same `RUN` (or script line): `apt-get update && apt-get install -y …`".to_string(),
        ));
    }
}
