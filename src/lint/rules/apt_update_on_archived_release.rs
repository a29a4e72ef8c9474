//! `apt-get update` in a container whose release has left the default mirror (ci-failures.md §E3):
//! `E: The repository '… buster Release' does not have a Release file`, or `Release file for … is
//! expired`.

use super::{finding, platform_label, quote, Rule};
use crate::lint::command::PyCmd;
use crate::lint::distro::How;
use crate::lint::env::Site;
use crate::report::{Finding, Severity};

pub struct AptUpdateOnArchivedRelease;

impl Rule for AptUpdateOnArchivedRelease {
    fn id(&self) -> &'static str {
        "apt-update-on-archived-release"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/apt-update-on-archived-release.yaml")
    }

    fn check(&self, site: &Site<'_>, out: &mut Vec<Finding>) {
        if !matches!(site.py, PyCmd::PkgIndexUpdate) {
            return;
        }
        let Some(image) = &site.scope.image else {
            return;
        };
        let Some(archive) = image.archived else {
            return;
        };
        // Sources pointed elsewhere, or a script we cannot see ran first (it may have): say less.
        if site.state.apt_sources_rewritten.is_some()
            || site.state.opaque_script.is_some()
            || site.shell.sourced.is_some()
        {
            return;
        }
        let words: Vec<&str> = site.cmd.words.iter().map(|w| w.text.as_str()).collect();
        let ignores_expiry = words.iter().any(|w| w.contains("Check-Valid-Until=false"))
            || words
                .windows(2)
                .any(|p| p[0] == "-o" && p[1].contains("Check-Valid-Until"));
        if archive.how == How::Expired && ignores_expiry {
            return;
        }
        let release = image.release;
        let codename = release.codename.as_deref().unwrap_or(&release.release);
        let log = match archive.how {
            How::Removed if release.distro == "ubuntu" => {
                format!("E: The repository '… {codename} Release' no longer has a Release file")
            }
            How::Removed => {
                format!("E: The repository '… {codename} Release' does not have a Release file")
            }
            How::Expired => {
                format!("E: Release file for …/{codename}-security/InRelease is expired")
            }
        };
        let severity = (!archive.certain).then_some(Severity::Warning);
        let eol = release
            .eol
            .map(|d| format!(", end of life {d}"))
            .unwrap_or_default();
        let what = match (archive.how, archive.certain) {
            (How::Removed, true) => format!(
                "its sources moved to {} around {}",
                archive.host, archive.moved
            ),
            (How::Removed, false) => format!(
                "its sources move to {} after its end of life (the day is not certain)",
                archive.host
            ),
            (How::Expired, _) => format!(
                "its security Release file is no longer re-signed from {} (Medium confidence)",
                archive.moved
            ),
        };
        out.push(finding(
            site,
            self.id(),
            severity,
            format!(
                "`{}` {} with `{log}` (exit 100): `{}` is {}{eol}, and {what}{}",
                quote(site),
                if archive.certain { "will fail" } else { "is likely to fail" },
                image.reference,
                release.describe(),
                site.scope.note,
            ),
            "its sources are gone from the mirror",
            platform_label(site, &format!("{} (end of life)", release.describe()))
                .into_iter()
                .collect(),
            format!(
                "move to a supported release (`bookworm`, `trixie`, `ubuntu:24.04`); to keep this one, point apt at {} before the update (`sed -i 's|deb.debian.org|archive.debian.org|g; s|security.debian.org|archive.debian.org|g; /-updates/d' /etc/apt/sources.list`)",
                archive.host
            ),
        ));
    }
}
