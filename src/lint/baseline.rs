//! Baselines: `faultline lint --write-baseline FILE` records today's findings, and `--baseline FILE`
//! reports only the ones not recorded, so a team can adopt the gate without fixing everything first.
//!
//! An entry is keyed by rule id, file path (relative to the repository root, forward slashes) and
//! the finding's command text with whitespace and line continuations normalised, plus a count for
//! identical commands. Line numbers are deliberately not part of the key: adding a step above a
//! recorded finding must not resurrect it, while changing the command itself must. The file is
//! versioned JSON, sorted, so it diffs well in review.

use std::collections::HashMap;
use std::path::Path;

use schemars::{JsonSchema, Schema};
use serde::{Deserialize, Serialize};

use crate::envelope::SCHEMA_VERSION;

use crate::report::Finding;

/// The `version` of baselines written before the common envelope (faultline 0.1 with
/// `"version": 1`): still read.
const LEGACY_VERSION: u64 = 1;

/// A baseline as read: the envelope's keys (`schema_version`, `tool`, `version`), or the older
/// `version: 1` alone.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    #[serde(default)]
    schema_version: Option<u32>,
    #[serde(default)]
    #[allow(dead_code)]
    tool: Option<String>,
    #[serde(default)]
    version: Option<serde_json::Value>,
    findings: Vec<Entry>,
}

/// The baseline as written (`lint --write-baseline FILE`), inside the common envelope.
#[derive(Debug, Serialize, JsonSchema)]
struct BaselineOut {
    /// One entry per rule, path and command, sorted.
    findings: Vec<Entry>,
}

/// The schema of the baseline file.
pub fn schema() -> Schema {
    crate::envelope::schema_of::<BaselineOut>("baseline", "baseline (lint --write-baseline FILE)")
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Entry {
    /// The rule id.
    rule: String,
    /// The file, relative to the repository root, with forward slashes.
    path: String,
    /// The finding's command or source text, whitespace-normalised: re-indenting does not change
    /// it, changing a word does.
    command: String,
    /// How many findings with this rule, path and command are accepted.
    #[serde(default = "one")]
    count: usize,
}

fn one() -> usize {
    1
}

type Key = (String, String, String);

/// A loaded baseline: how many findings of each key are still allowed.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    remaining: HashMap<Key, usize>,
}

/// A baseline file that cannot be used, with the position of the problem when there is one
/// (the same shape as every input error: `path:line:col: message`).
pub type BaselineError = crate::report::InputError;

/// The command text as the baseline sees it: backslash-newline continuations removed, runs of
/// whitespace collapsed to one space, ends trimmed. Re-indenting a `run:` block or re-wrapping a
/// `RUN` does not change it; changing a word does.
pub fn normalize_command(snippet: &str) -> String {
    let joined = snippet.replace("\\\r\n", " ").replace("\\\n", " ");
    joined.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn key(f: &Finding, path_of: &dyn Fn(&Path) -> String) -> Key {
    (
        f.rule.to_string(),
        path_of(&f.file.path),
        normalize_command(f.snippet()),
    )
}

/// The baseline file's text for `findings`. `path_of` gives each file's repository-relative path.
pub fn render(findings: &[Finding], path_of: &dyn Fn(&Path) -> String) -> String {
    let mut counts: HashMap<Key, usize> = HashMap::new();
    for f in findings {
        *counts.entry(key(f, path_of)).or_default() += 1;
    }
    let mut entries: Vec<Entry> = counts
        .into_iter()
        .map(|((rule, path, command), count)| Entry {
            rule,
            path,
            command,
            count,
        })
        .collect();
    entries.sort();
    crate::envelope::render(BaselineOut { findings: entries })
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let err = |line, column, message: String| BaselineError {
            path: path.to_path_buf(),
            line,
            column,
            message,
        };
        let text = super::read::read_text(path).map_err(|e| {
            err(
                e.line,
                e.column,
                format!("cannot read the baseline: {}", e.message),
            )
        })?;
        Baseline::parse(&text).map_err(|(line, column, message)| err(line, column, message))
    }

    /// Parse baseline text; errors are (line, column, message).
    pub fn parse(text: &str) -> Result<Baseline, (Option<usize>, Option<usize>, String)> {
        let file: BaselineFile = serde_json::from_str(text).map_err(|e| {
            let msg = e.to_string();
            // serde_json appends " at line L column C"; we print the position in front instead.
            let msg = msg
                .rsplit_once(" at line ")
                .map_or(msg.as_str(), |(m, _)| m)
                .to_string();
            (
                Some(e.line()),
                Some(e.column()),
                format!("not a faultline baseline: {msg}"),
            )
        })?;
        let supported = match (file.schema_version, &file.version) {
            (Some(n), _) => (n == SCHEMA_VERSION).then_some(()).ok_or(format!(
                "baseline schema_version {n} is not supported (this faultline writes schema_version {SCHEMA_VERSION})"
            )),
            (None, Some(v)) if v.as_u64() == Some(LEGACY_VERSION) => Ok(()),
            (None, Some(v)) => Err(format!(
                "baseline version {v} is not supported (this faultline writes schema_version {SCHEMA_VERSION})"
            )),
            (None, None) => Err("not a faultline baseline: missing field `schema_version`".into()),
        };
        if let Err(msg) = supported {
            return Err((
                None,
                None,
                format!("{msg}; rewrite it with --write-baseline"),
            ));
        }
        let mut remaining: HashMap<Key, usize> = HashMap::new();
        for e in file.findings {
            *remaining
                .entry((e.rule, e.path, normalize_command(&e.command)))
                .or_default() += e.count;
        }
        Ok(Baseline { remaining })
    }

    /// Drop the findings the baseline records (each entry absorbs up to `count` of them, earliest
    /// first); returns the rest and how many were dropped.
    pub fn filter(
        &mut self,
        findings: Vec<Finding>,
        path_of: &dyn Fn(&Path) -> String,
    ) -> (Vec<Finding>, usize) {
        let mut kept = Vec::with_capacity(findings.len());
        let mut dropped = 0;
        for f in findings {
            match self.remaining.get_mut(&key(&f, path_of)) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    dropped += 1;
                }
                _ => kept.push(f),
            }
        }
        (kept, dropped)
    }

    /// Recorded findings that no longer occur (fixed since the baseline was written).
    pub fn stale(&self) -> usize {
        self.remaining.values().sum()
    }
}

/// SARIF fingerprints: rule, repository path and normalised command (the baseline's key), plus the
/// occurrence number among identical keys, hashed with FNV-1a 64 (stable across Rust versions,
/// unlike `DefaultHasher`).
pub struct Fingerprints {
    by_ptr: std::collections::HashMap<*const Finding, String>,
}

impl Fingerprints {
    pub fn new(findings: &[Finding], path_of: &dyn Fn(&Path) -> String) -> Self {
        let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut by_ptr = std::collections::HashMap::new();
        for f in findings {
            let key = format!(
                "{}\0{}\0{}",
                f.rule,
                path_of(&f.file.path),
                normalize_command(f.snippet())
            );
            let n = seen.entry(key.clone()).or_default();
            let fp = format!("{:016x}:{}", fnv1a64(key.as_bytes()), *n);
            *n += 1;
            by_ptr.insert(f as *const Finding, fp);
        }
        Fingerprints { by_ptr }
    }

    pub fn of(&self, f: &Finding) -> String {
        self.by_ptr
            .get(&(f as *const Finding))
            .cloned()
            .unwrap_or_default()
    }
}

fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::report::SourceFile;

    #[test]
    fn fnv_is_the_reference_function() {
        // Reference values of FNV-1a 64.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    fn finding(file: &Arc<SourceFile>, nth: usize, needle: &str, rule: &'static str) -> Finding {
        crate::report::test_finding(file, nth, needle, rule)
    }

    fn rel(p: &Path) -> String {
        p.to_string_lossy().into_owned()
    }

    #[test]
    fn normalizes_whitespace_and_continuations() {
        assert_eq!(
            normalize_command("pip install \\\n      flask   requests"),
            "pip install flask requests"
        );
        assert_eq!(normalize_command("  pip\tinstall x\r\n"), "pip install x");
        assert_ne!(
            normalize_command("pip install flask"),
            normalize_command("pip install flask==3")
        );
    }

    #[test]
    fn round_trip_survives_line_moves_but_not_changed_commands() {
        let before = SourceFile::new(
            "Dockerfile".into(),
            "FROM debian:12\nRUN pip install a\nRUN pip install a\n".into(),
        );
        let text = render(
            &[
                finding(&before, 0, "pip install a", "rule-a"),
                finding(&before, 1, "pip install a", "rule-a"),
            ],
            &rel,
        );
        assert!(text.contains("\"count\": 2"), "{text}");
        assert!(
            text.starts_with(
                "{\n  \"schema_version\": 2,\n  \"tool\": \"faultline\",\n  \"version\": \""
            ),
            "{text}"
        );

        // Lines moved down, one more identical command, and one changed command.
        let after = SourceFile::new(
            "Dockerfile".into(),
            "FROM debian:12\nRUN apt-get update\nRUN pip install a\nRUN pip   install a\nRUN pip install a\nRUN pip install b\n".into(),
        );
        let findings = vec![
            finding(&after, 0, "pip install a", "rule-a"),
            finding(&after, 0, "pip   install a", "rule-a"),
            finding(&after, 1, "pip install a", "rule-a"),
            finding(&after, 0, "pip install b", "rule-a"),
        ];
        let mut b = Baseline::parse(&text).expect("valid baseline");
        let (kept, dropped) = b.filter(findings, &rel);
        assert_eq!(dropped, 2);
        let lines: Vec<usize> = kept.iter().map(|f| f.start().0).collect();
        assert_eq!(lines, [5, 6]);
        assert_eq!(b.stale(), 0);
    }

    #[test]
    fn other_rule_or_path_is_not_matched_and_stale_entries_count() {
        let f = SourceFile::new("a/Dockerfile".into(), "RUN pip install a\n".into());
        let text = render(&[finding(&f, 0, "pip install a", "rule-a")], &rel);
        let g = SourceFile::new("b/Dockerfile".into(), "RUN pip install a\n".into());
        let mut b = Baseline::parse(&text).expect("valid");
        let (kept, dropped) = b.filter(
            vec![
                finding(&f, 0, "pip install a", "rule-b"),
                finding(&g, 0, "pip install a", "rule-a"),
            ],
            &rel,
        );
        assert_eq!((kept.len(), dropped, b.stale()), (2, 0, 1));
    }

    #[test]
    fn bad_files_have_positions() {
        assert_eq!(
            Baseline::parse(
                "{\n  \"version\": 1,\n  \"findings\": [\n    {\"rule\": \"x\"}\n  ]\n}\n"
            )
            .expect_err("missing fields"),
            (
                Some(4),
                Some(17),
                "not a faultline baseline: missing field `path`".to_string()
            )
        );
        assert_eq!(
            Baseline::parse("{\"version\": 2, \"findings\": []}").expect_err("version").2,
            "baseline version 2 is not supported (this faultline writes schema_version 2); rewrite it with --write-baseline"
        );
        assert_eq!(
            Baseline::parse("{\"schema_version\": 3, \"tool\": \"faultline\", \"version\": \"9.0.0\", \"findings\": []}")
                .expect_err("schema version")
                .2,
            "baseline schema_version 3 is not supported (this faultline writes schema_version 2); rewrite it with --write-baseline"
        );
        // A baseline written before the envelope (`"version": 1`) is still read.
        assert!(
            Baseline::parse("{\"version\": 1, \"tool\": \"faultline\", \"findings\": []}").is_ok()
        );
        let (line, col, msg) =
            Baseline::parse("{\"version\": 1,\n \"findngs\": []}").expect_err("typo");
        assert_eq!((line, col), (Some(2), Some(10)));
        assert!(
            msg.starts_with("not a faultline baseline: unknown field `findngs`"),
            "{msg}"
        );
    }
}
