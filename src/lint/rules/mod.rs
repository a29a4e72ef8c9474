//! The lint rules. Adding one: write `rules/<id>.yaml` (metadata and explanation), write
//! `src/lint/rules/<rule_id>.rs` with a unit struct implementing `Rule`, and add it to `RULES`.
//! Rules read the command model (`lint::command`) and the environment model (`lint::env`), never
//! raw text; they decide whether the facts mean a failure and say why.

mod action_versions;
mod apt_install_without_update;
mod apt_install_without_yes;
mod apt_update_on_archived_release;
mod artifact_action_deprecated;
mod cache_action_deprecated;
mod dind_tls_port_mismatch;
mod js_action_in_old_glibc_container;
mod npm_ci_without_lockfile;
mod oidc_without_id_token_permission;
mod pip_break_system_packages_old_pip;
mod pip_install_externally_managed;
mod pip_install_relies_on_runner_pip_conf;
mod pip_unavailable;
mod retired_runner_label;
mod rules_with_only_except;
mod secrets_in_if;
mod set_env_command_disabled;
mod setup_cache_lockfile;
mod setup_node_cache_without_lockfile;
mod setup_python_cache_without_file;
mod setup_python_version_unavailable;
mod tool_version_number;
mod upload_artifact_name_conflict;
mod uv_pip_system_externally_managed;
mod venv_activated_in_earlier_step;
mod venv_without_python3_venv;

use std::sync::OnceLock;

use serde::Deserialize;

use super::checkpoint::{Checkpoint, Context};
use super::env::{ScopeKind, Site};
use super::legs::Runs;
use super::source::span::Span;
use crate::report::{Finding, Fix, Label, Severity};

/// A lint rule's logic. Metadata (severity, summary, playbook) lives in its YAML file. A rule
/// subscribes to what it needs: shell commands (`check`, one `Site` per command with the
/// environment it runs in) and/or the other checkpoints of a workflow (`check_point`: runner
/// labels per leg, `uses:` references, tool versions as written, conditions, scripts).
pub trait Rule: Sync {
    fn id(&self) -> &'static str;
    /// The rule's `rules/<id>.yaml`, embedded.
    fn yaml(&self) -> &'static str;
    fn check(&self, _site: &Site<'_>, _out: &mut Vec<Finding>) {}
    fn check_point(&self, _cp: &Checkpoint<'_>, _ctx: &Context, _out: &mut Vec<Finding>) {}
}

/// Every rule, alphabetical.
pub const RULES: &[&dyn Rule] = &[
    &apt_install_without_update::AptInstallWithoutUpdate,
    &apt_install_without_yes::AptInstallWithoutYes,
    &apt_update_on_archived_release::AptUpdateOnArchivedRelease,
    &artifact_action_deprecated::ArtifactActionDeprecated,
    &cache_action_deprecated::CacheActionDeprecated,
    &dind_tls_port_mismatch::DindTlsPortMismatch,
    &js_action_in_old_glibc_container::JsActionInOldGlibcContainer,
    &npm_ci_without_lockfile::NpmCiWithoutLockfile,
    &oidc_without_id_token_permission::OidcWithoutIdTokenPermission,
    &pip_break_system_packages_old_pip::PipBreakSystemPackagesOldPip,
    &pip_install_externally_managed::PipInstallExternallyManaged,
    &pip_install_relies_on_runner_pip_conf::PipInstallReliesOnRunnerPipConf,
    &pip_unavailable::PipUnavailable,
    &retired_runner_label::RetiredRunnerLabel,
    &rules_with_only_except::RulesWithOnlyExcept,
    &secrets_in_if::SecretsInIf,
    &set_env_command_disabled::SetEnvCommandDisabled,
    &setup_node_cache_without_lockfile::SetupNodeCacheWithoutLockfile,
    &setup_python_cache_without_file::SetupPythonCacheWithoutFile,
    &setup_python_version_unavailable::SetupPythonVersionUnavailable,
    &tool_version_number::ToolVersionNumber,
    &upload_artifact_name_conflict::UploadArtifactNameConflict,
    &uv_pip_system_externally_managed::UvPipSystemExternallyManaged,
    &venv_activated_in_earlier_step::VenvActivatedInEarlierStep,
    &venv_without_python3_venv::VenvWithoutPython3Venv,
];

/// A rule's metadata, from `rules/<id>.yaml`.
#[derive(Debug, Clone, Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    /// The rule id (for `--select`, `.faultline.yaml` and suppressions).
    pub id: String,
    /// The default severity (a finding may be lower where the facts are uncertain).
    pub severity: Severity,
    /// What the rule flags, in one line.
    pub summary: String,
    /// The file kinds the rule reads: `github-actions`, `gitlab-ci`, `dockerfile`.
    pub applies_to: Vec<String>,
    /// The playbook of the failure the rule prevents (`faultline explain PLAYBOOK`).
    pub playbook: String,
    /// Markdown: what it flags, why it fails, an example, what to use instead.
    pub explanation: String,
}

/// `rules --format json`.
#[derive(serde::Serialize, schemars::JsonSchema)]
pub struct RulesDoc {
    /// Every rule, alphabetical.
    pub rules: &'static [RuleMeta],
}

/// The schema of `rules --format json`.
pub fn rules_schema() -> schemars::Schema {
    crate::envelope::schema_of::<RulesDoc>("rules", "rule list (rules --format json)")
}

/// The schema of `explain RULE --format json`: the rule's metadata in the envelope.
pub fn rule_schema() -> schemars::Schema {
    crate::envelope::schema_of::<RuleMeta>("rule", "rule (explain RULE --format json)")
}

impl<'de> Deserialize<'de> for Severity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Severity::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("unknown severity `{s}` (error, warning, info)"))
        })
    }
}

/// All rules' metadata, parsed once. The YAML is embedded and checked by tests, so a parse failure
/// here is a build defect.
pub fn all() -> &'static [RuleMeta] {
    static META: OnceLock<Vec<RuleMeta>> = OnceLock::new();
    META.get_or_init(|| {
        RULES
            .iter()
            .map(|r| {
                serde_saphyr::from_str::<RuleMeta>(r.yaml()).unwrap_or_else(|e| {
                    panic!("internal error: rules/{}.yaml is invalid: {e}", r.id())
                })
            })
            .collect()
    })
}

/// One rule's metadata. Parsed alone, on first use: a lint run needs the severity and playbook of
/// the rules that found something, not every rule's explanation (parsing them all was a tenth of
/// linting one file).
pub fn meta(id: &str) -> Option<&'static RuleMeta> {
    static ONE: OnceLock<Vec<OnceLock<RuleMeta>>> = OnceLock::new();
    let i = RULES.iter().position(|r| r.id() == id)?;
    let slot = &ONE.get_or_init(|| RULES.iter().map(|_| OnceLock::new()).collect())[i];
    Some(slot.get_or_init(|| {
        let r = RULES[i];
        serde_saphyr::from_str::<RuleMeta>(r.yaml())
            .unwrap_or_else(|e| panic!("internal error: rules/{}.yaml is invalid: {e}", r.id()))
    }))
}

/// Whether `id` names a lint rule (used by `faultline explain`).
pub fn is_rule_id(id: &str) -> bool {
    if id == super::suppress::RULE {
        return true;
    }
    RULES.iter().any(|r| r.id() == id)
}

/// Run every rule on one command.
pub fn check(site: &Site<'_>, out: &mut Vec<Finding>) {
    for rule in RULES {
        rule.check(site, out);
    }
}

/// Run every rule on a file's checkpoints.
pub fn check_points(points: &[Checkpoint<'_>], ctx: &Context, out: &mut Vec<Finding>) {
    for cp in points {
        for rule in RULES {
            rule.check_point(cp, ctx, out);
        }
    }
}

/// A finding on a checkpoint, with the rule's metadata (`severity` overrides the default).
#[allow(clippy::too_many_arguments)]
pub(crate) fn point_finding(
    ctx: &Context,
    rule: &'static str,
    severity: Option<Severity>,
    message: String,
    primary: (Span, &str),
    related: Vec<Label>,
    help: String,
    fix: Option<Fix>,
) -> Finding {
    let meta = meta(rule).unwrap_or_else(|| panic!("internal error: rule {rule} has no metadata"));
    Finding {
        rule,
        severity: severity.unwrap_or(meta.severity),
        playbook: meta.playbook.as_str(),
        file: ctx.file.clone(),
        message,
        primary: Label {
            span: primary.0,
            message: primary.1.to_string(),
        },
        related,
        help: Some(help),
        fix,
        related_elsewhere: Vec::new(),
    }
}

/// Build a finding with the rule's metadata. `severity` is the rule's default unless the rule
/// lowers it; findings on a platform that can be overridden (an `ARG` base image) are warnings.
pub(crate) fn finding(
    site: &Site<'_>,
    rule: &'static str,
    severity: Option<Severity>,
    message: String,
    primary: &str,
    related: Vec<Label>,
    help: String,
) -> Finding {
    let meta = meta(rule).unwrap_or_else(|| panic!("internal error: rule {rule} has no metadata"));
    let mut severity = severity.unwrap_or(meta.severity);
    let mut message = message;
    // An error means "this will fail". A command in a branch (`if`, `case`, a loop, a function)
    // may not run, and one whose failure is tolerated (`|| true`, an `if` condition) does not fail
    // the job: say less.
    if severity == Severity::Error {
        if site.cmd.condition {
            severity = Severity::Warning;
            message.push_str(" (its failure is tolerated here, so the job may go on)");
        } else if let Some(why) = site.tolerated {
            severity = Severity::Warning;
            message.push_str(&format!(" ({why})"));
        } else if site.runs == Runs::Maybe {
            severity = Severity::Warning;
            message.push_str(" (if this branch runs)");
        } else if site.scope.platform_overridable {
            severity = Severity::Warning;
        }
    }
    let playbook = meta.playbook.as_str();
    Finding {
        rule,
        severity,
        playbook,
        file: site.scope.file.clone(),
        message,
        primary: Label {
            span: site.span.clone(),
            message: primary.to_string(),
        },
        related,
        related_elsewhere: Vec::new(),
        help: Some(help),
        fix: None,
    }
}

/// The label on what decided the platform (`container: ubuntu:24.04`).
pub(crate) fn platform_label(site: &Site<'_>, text: &str) -> Option<Label> {
    site.scope.platform_span.clone().map(|span| Label {
        span,
        message: text.to_string(),
    })
}

/// A short quote of the command for messages: `pip install -r requirements.txt`.
pub(crate) fn quote(site: &Site<'_>) -> String {
    // The command as written (wrappers and `VAR=x` prefixes included: they are often what
    // decides), on one line, shortened.
    // Only the first 60 characters are shown: stop reading there (a span that falls back to a
    // whole folded scalar would otherwise be read in full for each of its commands).
    let text = site.scope.file.text.get(site.span.clone()).unwrap_or("");
    let mut one_line = String::new();
    for part in text.split_whitespace().filter(|p| *p != "\\") {
        if !one_line.is_empty() {
            one_line.push(' ');
        }
        one_line.push_str(part);
        if one_line.len() > 4 * 61 {
            break;
        }
    }
    if one_line.is_empty() || one_line.contains('`') {
        one_line = site
            .cmd
            .words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
    }
    if one_line.chars().count() > 60 {
        let cut: String = one_line.chars().take(57).collect();
        return format!("{} …", cut.trim_end());
    }
    one_line
}

/// Where the fix goes, in this kind of file.
pub(crate) fn venv_help(site: &Site<'_>) -> String {
    let debian = site
        .scope
        .platform
        .as_ref()
        .is_some_and(|p| p.facts.os.is_debian_like());
    let venv_pkg = if debian && site.state.venv_pkg_installed.is_none() {
        "install `python3-venv`, then "
    } else {
        ""
    };
    match site.scope.kind {
        ScopeKind::DockerStage => format!(
            "start from an official Python image (`FROM python:3.12-slim`), or {venv_pkg}create a venv and put it first on PATH: `RUN python3 -m venv /opt/venv` and `ENV PATH=/opt/venv/bin:$PATH`; in a throwaway image where you accept the risk, `ENV PIP_BREAK_SYSTEM_PACKAGES=1`"
        ),
        ScopeKind::GitlabJob => format!(
            "use an official Python image (`image: python:3.12`), or {venv_pkg}install into a venv in the same script: `python3 -m venv .venv && . .venv/bin/activate && pip install …`; or set `PIP_BREAK_SYSTEM_PACKAGES: \"1\"` under `variables:` if you accept the risk"
        ),
        _ if site.scope.platform.as_ref().is_some_and(|p| p.runner) => {
            "add `actions/setup-python` before this step (its Python is not externally managed), or install into a venv: `python3 -m venv .venv && .venv/bin/pip install …`".to_string()
        }
        _ => format!(
            "use a `python:3.12` container, or {venv_pkg}install into a venv in the same step: `python3 -m venv .venv && . .venv/bin/activate && pip install …`; or set `PIP_BREAK_SYSTEM_PACKAGES: 1` in the job's `env:` if you accept the risk"
        ),
    }
}

/// A rule's documentation page (`faultline explain RULE --format markdown`, and the page
/// `faultline docs` writes under `rules/`, which SARIF's `helpUri` points at).
pub fn markdown(m: &RuleMeta) -> String {
    format!(
        "# `{}`\n\n{}\n\n- Severity: {}\n- Applies to: {}\n- Prevents: [`{}`]({})\n\n{}",
        m.id,
        m.summary,
        m.severity.as_str(),
        m.applies_to.join(", "),
        m.playbook,
        crate::report::playbook_url(&m.playbook),
        m.explanation
    )
}

/// The index of the rule pages.
pub fn markdown_index() -> String {
    let mut out = String::from("# Lint rules\n\n| rule | severity | prevents |\n|---|---|---|\n");
    for m in all() {
        out.push_str(&format!(
            "| [`{id}`]({id}.md) | {} | [`{pb}`](../{pb}.md) |\n",
            m.severity.as_str(),
            id = m.id,
            pb = m.playbook
        ));
    }
    out
}

/// ` (did you mean `x`?)` after an unknown rule id (the configuration, `--select`), or a pointer to
/// `faultline rules` when no id is near.
pub fn did_you_mean(id: &str) -> String {
    let ids = all()
        .iter()
        .map(|m| m.id.as_str())
        .chain([super::suppress::RULE]);
    let near = crate::playbook::render::suggestions(id, ids);
    if near.is_empty() {
        " (see `faultline rules`)".to_string()
    } else {
        let quoted: Vec<String> = near.iter().map(|n| format!("`{n}`")).collect();
        format!(" (did you mean {}?)", quoted.join(", "))
    }
}

#[cfg(test)]
mod meta_tests {
    /// `meta` finds a rule by its `id()`, `all` lists the YAML: they must agree.
    #[test]
    fn each_rule_yaml_has_the_rule_id() {
        assert_eq!(super::RULES.len(), super::all().len());
        for (r, m) in super::RULES.iter().zip(super::all()) {
            assert_eq!(r.id(), m.id);
            assert_eq!(super::meta(r.id()).map(|m| &m.id), Some(&m.id));
        }
        assert!(super::meta("no-such-rule").is_none());
    }
}
