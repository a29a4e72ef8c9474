//! `actions/setup-python` asked for a CPython that versions-manifest.json has no build of for the
//! leg's runner image and architecture (`3.7` on `ubuntu-24.04` or arm64 macOS, `3.10` on
//! `windows-11-arm`, a security-only patch on macOS or Windows), per matrix leg.

use super::tool_version_number::github_number_string;
use super::{point_finding, Rule};
use crate::lint::checkpoint::{Checkpoint, Context, ToolVersion};
use crate::lint::facts::{
    runner_labels, setup_python_manifest, Availability, LabelStatus, PySpec, PythonBuilds,
};
use crate::lint::source::yaml::Style;
use crate::report::{Finding, Severity};

pub struct SetupPythonVersionUnavailable;

/// The one hosted label of the leg whose manifest key the table knows. Several labels, a
/// `self-hosted` one, an unknown label or a retired one (retired-runner-label's finding): `None`.
fn hosted_key(tv: &ToolVersion<'_>, ctx: &Context) -> Option<(&'static PythonBuilds, String)> {
    let [label] = tv.labels.as_slice() else {
        return None;
    };
    if matches!(
        runner_labels().status(label, ctx.today),
        LabelStatus::Retired(_)
    ) {
        return None;
    }
    setup_python_manifest()
        .for_label(label)
        .map(|k| (k, label.clone()))
}

/// Where else a version has a build: the first hosted label on the same OS that is neither
/// deprecated nor retired.
fn elsewhere(native: &PythonBuilds, spec: PySpec, ctx: &Context) -> Option<String> {
    let m = setup_python_manifest();
    m.platforms
        .iter()
        .filter(|k| k.platform == native.platform && !std::ptr::eq(*k, native))
        .filter(|k| m.availability(k, spec) == Availability::Available)
        .flat_map(|k| k.labels.iter())
        .find(|l| matches!(runner_labels().status(l, ctx.today), LabelStatus::Fine))
        .cloned()
}

impl Rule for SetupPythonVersionUnavailable {
    fn id(&self) -> &'static str {
        "setup-python-version-unavailable"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/setup-python-version-unavailable.yaml")
    }

    fn check_point(&self, cp: &Checkpoint<'_>, ctx: &Context, out: &mut Vec<Finding>) {
        let Checkpoint::ToolVersion(tv) = cp else {
            return;
        };
        // In a job container the action reads the container's OS release, not the runner's.
        if tv.action != "actions/setup-python" || ctx.ghes || tv.in_container {
            return;
        }
        // `3.10` as a number is tool-version-number's finding: it reaches the action as `3.1`.
        if tv.style == Style::Plain && github_number_string(&tv.written).is_some() {
            return;
        }
        let value = tv.value.trim();
        // A list of versions, PyPy/GraalPy (their own manifests), ranges: not judged.
        if value.contains('\n') || !value.starts_with(|c: char| c.is_ascii_digit()) {
            return;
        }
        // Freethreaded builds are other manifest keys, not in the table.
        if tv.input("freethreaded").is_some_and(|v| v != Some("false")) {
            return;
        }
        let Some((native, label)) = hosted_key(tv, ctx) else {
            return;
        };
        let arch = match tv.input("architecture") {
            None => native.arch.clone(),
            Some(None) => return, // an expression: unknown
            Some(Some(a)) if a.trim().is_empty() => native.arch.clone(),
            Some(Some(a)) => a.trim().to_string(),
        };
        let manifest = setup_python_manifest();
        let leg = format!("`{label}` ({} {})", native.os, native.arch);
        let shown = format!("`{}: {}`", tv.input, tv.written);
        let not_found =
            format!("`The version '{value}' with architecture '{arch}' was not found for …`");
        let key = if arch == native.arch {
            Some(native)
        } else {
            manifest.with_arch(native, &arch)
        };
        let (message, help, primary) = match key {
            None => {
                // Only plain lowercase names: the tool cache on Windows matches `X64` too.
                if !arch
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                {
                    return;
                }
                (
                    format!(
                        "{shown} with `architecture: {arch}` on {leg}: actions/setup-python has no {} builds with architecture '{arch}', so the step fails: {not_found}",
                        native.os
                    ),
                    format!(
                        "use `architecture: {}` (the runner's own), or drop `architecture:`",
                        native.arch
                    ),
                    "no build for this architecture",
                )
            }
            Some(key) => {
                let Some(spec) = PySpec::parse(value) else {
                    return;
                };
                match manifest.availability(key, spec) {
                    Availability::Missing { nearest, why } => {
                        let what = if std::ptr::eq(key, native) {
                            leg.clone()
                        } else {
                            format!("{leg} with `architecture: {arch}`")
                        };
                        let mut help = format!(
                            "use {nearest} (the nearest version built for {} {})",
                            key.os, key.arch
                        );
                        if let Some(other) = elsewhere(native, spec, ctx) {
                            help.push_str(&format!(", or run this leg on `{other}`"));
                        }
                        (
                            format!(
                                "{shown} on {what}: actions/setup-python has no CPython {value} build there ({why}), so the step fails: {not_found}"
                            ),
                            help,
                            "no build of this version for the runner",
                        )
                    }
                    Availability::Available => {
                        // §D1(f): an x64 build below 3.11 on arm64 macOS installs, then aborts.
                        let Some(foreign) = native.foreign(&arch) else {
                            return;
                        };
                        let below = PySpec::parse(&foreign.fails_below).map(PySpec::minor);
                        if below.is_none_or(|b| spec.minor() >= b) {
                            return;
                        }
                        (
                            format!(
                                "{shown} with `architecture: {arch}` on {leg}: the {arch} build of Python {value} is not universal and aborts on this machine: `dyld[…]: Library not loaded: /usr/local/opt/gettext/lib/libintl.8.dylib`"
                            ),
                            format!(
                                "drop `architecture: {arch}` (the native {} build exists), or use Python {} or later",
                                native.arch, foreign.fails_below
                            ),
                            "an x64 build that does not run here",
                        )
                    }
                    Availability::Unknown => return,
                }
            }
        };
        // A leg-specific `if:` may skip this leg; `continue-on-error` lets the run go on.
        let (severity, message) = if tv.continues {
            (
                Severity::Warning,
                format!("{message} (`continue-on-error` lets the run go on)"),
            )
        } else if tv
            .step_if
            .as_deref()
            .is_some_and(|c| c.contains("matrix.") || c.contains("runner."))
        {
            (
                Severity::Warning,
                format!("{message} (if the step's `if:` lets this leg run it)"),
            )
        } else {
            (Severity::Error, message)
        };
        // Findings keep one per span: a value shared by several failing legs names them all.
        if let Some(f) = out.iter_mut().find(|f| {
            f.rule == self.id()
                && f.primary.span == tv.span
                && std::sync::Arc::ptr_eq(&f.file, &ctx.file)
        }) {
            if !f.message.contains(&format!("`{label}`")) {
                f.message
                    .push_str(&format!("; the leg on `{label}` fails too"));
            }
            return;
        }
        let related = tv.via_labels();
        out.push(point_finding(
            ctx,
            self.id(),
            Some(severity),
            message,
            (tv.span.clone(), primary),
            related,
            help,
            None,
        ));
    }
}
