//! The playbook file format: one YAML file per failure class under `playbooks/bundled/log/<category>/<id>.yaml`
//! (or a team folder given with `--playbooks`). Unknown fields are errors so typos do not silently
//! disable a signal. `playbooks/README.md` documents every field for playbook authors.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One failure class: how to recognise it in a log, and what to tell the user.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Playbook {
    /// Stable kebab-case id; the file stem must equal it.
    pub id: String,
    /// One line, sentence case, no trailing period.
    pub title: String,
    /// The folder the file lives in (`python`, `docker`, `node`, ...).
    pub category: String,
    /// How bad the failure is for the pipeline.
    pub severity: Severity,
    /// Free-form labels for `faultline list --tag`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// What this failure means, in two or three sentences.
    pub summary: String,
    /// The root cause, and how to tell it apart from look-alikes (Markdown).
    pub diagnosis: String,
    /// Ordered fix steps (Markdown, code allowed).
    pub fix: Vec<String>,
    /// How to confirm the fix worked.
    #[serde(default)]
    pub validation: Vec<String>,
    /// Why the failure matters beyond this one red build.
    #[serde(default)]
    pub why_it_matters: Option<String>,
    /// How to keep it from coming back (lint rules, pins, habits).
    #[serde(default)]
    pub prevention: Vec<String>,
    /// How to reproduce it locally (Markdown, usually a shell snippet).
    #[serde(default)]
    pub reproduce: Option<String>,
    /// Files that usually hold the cause (globs).
    #[serde(default)]
    pub likely_files: Vec<String>,
    /// Further reading.
    #[serde(default)]
    pub links: Vec<Link>,
    /// Other ids this failure class is known by (the Go Faultline catalog's, a team's old labels).
    /// `explain`, `eval` labels and `--select` accept an alias for the playbook.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Where the matched messages come from: the tool's source (format string), its documentation,
    /// or a public issue thread with a pasted log. Every bundled playbook has at least one.
    #[serde(default)]
    pub references: Vec<Reference>,
    /// How the analyzer recognises the failure.
    #[serde(rename = "match")]
    pub matcher: MatchSpec,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// What the page is.
    pub title: String,
    /// Where it is.
    pub url: String,
}

/// One source of the messages a playbook matches: a URL, or a repository and a path in it, and
/// what it shows (the format string, the pasted log line, the documented message).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// A page that shows the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `owner/name`, with `path`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// The file in `repo` that holds the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What the reference shows, in one line.
    pub shows: String,
}

/// Signals are regular expressions, matched case-insensitively against each normalised log line
/// (ANSI colour, timestamps and CI prefixes already removed). Do not anchor them with `^` unless the
/// text really starts the line after normalisation.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchSpec {
    /// At least one must match for the playbook to be a candidate. Each match is evidence.
    pub any: Vec<Signal>,
    /// Every one must also match somewhere in the log (corroboration); matches are evidence too.
    #[serde(default)]
    pub all: Vec<Signal>,
    /// A match of one of these within `window` lines of a piece of evidence vetoes that evidence
    /// (not the whole log: a huge log mentions everything somewhere).
    #[serde(default)]
    pub none: Vec<String>,
    /// Lines either side of an evidence line that `none` looks at.
    #[serde(default = "default_window")]
    pub window: u32,
}

fn default_window() -> u32 {
    5
}

/// A signal: either a bare regex (strength `medium`) or `{regex, strength}`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Signal {
    Bare(String),
    Full {
        regex: String,
        #[serde(default)]
        strength: Strength,
    },
}

impl Signal {
    pub fn regex(&self) -> &str {
        match self {
            Signal::Bare(r) => r,
            Signal::Full { regex, .. } => regex,
        }
    }
    pub fn strength(&self) -> Strength {
        match self {
            Signal::Bare(_) => Strength::Medium,
            Signal::Full { strength, .. } => *strength,
        }
    }
}

/// How much one matching signal says on its own.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    /// Generic text many failures print (`Error:`, `exit code 1`): never a confident diagnosis alone.
    Weak,
    /// Suggestive, but shared with look-alikes.
    #[default]
    Medium,
    /// The tool's own distinctive message: alone it identifies the failure.
    Strong,
}
