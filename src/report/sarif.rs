//! Findings as SARIF 2.1.0, the format GitHub code scanning ingests (`github/codeql-action/upload-sarif`).
//!
//! One run; `tool.driver.rules` lists every rule (id, short and full description, help, `helpUri` to
//! the playbook page, default level) so results can point at them by `ruleIndex`. Locations are
//! relative to `%SRCROOT%` (the repository root) with forward slashes, regions carry start and end
//! line and column, and columns count Unicode code points (`columnKind: unicodeCodePoints`), as our
//! columns do everywhere. `partialFingerprints` hash the rule, the path and the normalised command
//! text, so an alert survives line moves the same way a baseline entry does. Unusable inputs become
//! `toolExecutionNotifications` and `executionSuccessful: false`.
//!
//! The structs are our own (a hundred lines) rather than a SARIF crate: we emit a small subset and
//! its shape is pinned by the tests and by `scripts/sarif-validate.sh` (Microsoft's SARIF Multitool
//! with its GitHub ingestion rules).

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use serde::Serialize;

use super::{playbook_url, Finding, InputError, Severity, SourceFile};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const INFORMATION_URI: &str = crate::HOME_URL;
/// The key of our fingerprint in `partialFingerprints` (versioned: change the recipe, bump it).
pub const FINGERPRINT_KEY: &str = "faultline/v1";

/// What SARIF needs to know about a rule. The gate builds these from the rule catalog.
#[derive(Debug, Clone)]
pub struct RuleInfo {
    pub id: String,
    /// One line.
    pub summary: String,
    /// The long explanation (Markdown).
    pub explanation: String,
    pub severity: Severity,
    /// Where to read more: the playbook page of the failure the rule prevents.
    pub help_uri: String,
}

/// Where a file lives for SARIF: relative to the repository root when it is inside it.
pub enum ArtifactPath {
    /// Relative to `%SRCROOT%`, forward slashes.
    Relative(String),
    /// Outside the repository: an absolute path, written as a `file://` URI.
    Absolute(std::path::PathBuf),
}

/// 1-based start and end of a span; columns count characters and `end_column` is exclusive (the
/// column just after the last character), as SARIF defines it. A span that ends with a newline
/// ends on its last line, not at column 1 of the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub fn region(file: &SourceFile, span: &Range<usize>) -> Region {
    let (start_line, start_column) = file.line_col(span.start);
    let (end_line, end_column) = if span.end > span.start {
        // Position of the last character, then one column past it.
        let last = file
            .text
            .get(..span.end)
            .and_then(|s| s.char_indices().next_back())
            .map_or(span.start, |(i, _)| i);
        let last = last.max(span.start);
        let (l, c) = file.line_col(last);
        (l, c + 1)
    } else {
        (start_line, start_column)
    };
    Region {
        start_line,
        start_column,
        end_line,
        end_column,
    }
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    original_uri_base_ids: HashMap<&'static str, ArtifactLocation>,
    invocations: [Invocation; 1],
    results: Vec<SarifResult>,
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Descriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor<'a> {
    id: &'a str,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: &'a str,
    default_configuration: Configuration,
    properties: DescriptorProperties,
}

#[derive(Serialize)]
struct DescriptorProperties {
    tags: [&'static str; 1],
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: HashMap<&'static str, String>,
    /// The mechanical fix, when the finding has one (`faultline lint --fix` applies it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text,
    artifact_changes: [ArtifactChange; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: SarifRegion,
    inserted_content: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<SarifRegion>,
    /// The lines around the region, so a viewer can show the code without the checkout.
    #[serde(skip_serializing_if = "Option::is_none")]
    context_region: Option<SarifRegion>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRegion {
    start_line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<usize>,
    end_line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Text>,
}

impl From<Region> for SarifRegion {
    fn from(r: Region) -> Self {
        SarifRegion {
            start_line: r.start_line,
            start_column: Some(r.start_column),
            end_line: r.end_line,
            end_column: Some(r.end_column),
            snippet: None,
        }
    }
}

pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Render one SARIF log. `rules` is the catalog (every rule, found or not); a finding whose rule is
/// missing from it gets a minimal descriptor so `ruleIndex` always resolves. `artifact` maps a file
/// path to its SARIF location; `root_uri` is the `file://` URI of the repository root (ending in `/`)
/// for `originalUriBaseIds`; `fingerprint` gives each finding's stable identity.
pub fn render(
    findings: &[Finding],
    errors: &[InputError],
    rules: &[RuleInfo],
    artifact: &dyn Fn(&Path) -> ArtifactPath,
    root_uri: Option<String>,
    fingerprint: &dyn Fn(&Finding) -> String,
) -> String {
    let mut catalog: Vec<RuleInfo> = rules.to_vec();
    for f in findings {
        if !catalog.iter().any(|r| r.id == f.rule) {
            catalog.push(RuleInfo {
                id: f.rule.to_string(),
                summary: f.rule.to_string(),
                explanation: String::new(),
                severity: f.severity,
                help_uri: if f.playbook.is_empty() {
                    INFORMATION_URI.to_string()
                } else {
                    playbook_url(f.playbook)
                },
            });
        }
    }
    let index: HashMap<&str, usize> = catalog
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();

    let results = findings
        .iter()
        .map(|f| {
            let uri = artifact_location(artifact(&f.file.path));
            let mut text = f.message.clone();
            if let Some(help) = &f.help {
                text.push_str("\n\nhelp: ");
                text.push_str(help);
            }
            let related_locations = f
                .related
                .iter()
                .map(|l| (&f.file, l))
                .chain(f.related_elsewhere.iter().map(|(file, l)| (file, l)))
                .enumerate()
                .map(|(i, (file, l))| Location {
                    id: Some(i + 1),
                    physical_location: PhysicalLocation {
                        artifact_location: artifact_location(artifact(&file.path)),
                        region: Some(region(file, &l.span).into()),
                        context_region: None,
                    },
                    message: Some(Text {
                        text: l.message.clone(),
                    }),
                })
                .collect();
            SarifResult {
                rule_id: f.rule.to_string(),
                rule_index: index
                    .get(f.rule)
                    .copied()
                    .expect("internal error: every finding's rule was added to the catalog"),
                level: level(f.severity),
                message: Text { text },
                locations: [Location {
                    id: None,
                    physical_location: PhysicalLocation {
                        artifact_location: uri,
                        region: Some(SarifRegion {
                            snippet: (f.snippet().len() <= MAX_SNIPPET).then(|| Text {
                                text: f.snippet().to_string(),
                            }),
                            ..region(&f.file, &f.primary.span).into()
                        }),
                        context_region: context_region(&f.file, &f.primary.span),
                    },
                    message: None,
                }],
                related_locations,
                partial_fingerprints: HashMap::from([(FINGERPRINT_KEY, fingerprint(f))]),
                fixes: f
                    .fix
                    .iter()
                    .map(|fix| SarifFix {
                        description: Text {
                            text: fix.description.clone(),
                        },
                        artifact_changes: [ArtifactChange {
                            artifact_location: artifact_location(artifact(&f.file.path)),
                            replacements: fix
                                .edits
                                .iter()
                                .map(|e| Replacement {
                                    deleted_region: region(&f.file, &e.span).into(),
                                    inserted_content: Text {
                                        text: e.replacement.clone(),
                                    },
                                })
                                .collect(),
                        }],
                    })
                    .collect(),
            }
        })
        .collect();

    let notifications = errors
        .iter()
        .map(|e| Notification {
            level: "error",
            message: Text {
                text: e.message.clone(),
            },
            locations: vec![Location {
                id: None,
                physical_location: PhysicalLocation {
                    artifact_location: artifact_location(artifact(&e.path)),
                    region: e.line.map(|l| {
                        let c = e.column.unwrap_or(1);
                        SarifRegion {
                            start_line: l,
                            start_column: Some(c),
                            end_line: l,
                            end_column: Some(c + 1),
                            snippet: None,
                        }
                    }),
                    context_region: None,
                },
                message: None,
            }],
        })
        .collect();

    let descriptors = catalog
        .iter()
        .map(|r| {
            let full = first_paragraph(&r.explanation).unwrap_or_else(|| r.summary.clone());
            let mut help = if r.explanation.trim().is_empty() {
                r.summary.clone()
            } else {
                r.explanation.trim_end().to_string()
            };
            help.push_str(&format!("\n\nMore: {}", r.help_uri));
            Descriptor {
                id: &r.id,
                name: pascal_case(&r.id),
                short_description: Text {
                    text: r.summary.clone(),
                },
                full_description: Text { text: full },
                help: Help {
                    text: help.clone(),
                    markdown: help,
                },
                help_uri: &r.help_uri,
                default_configuration: Configuration {
                    level: level(r.severity),
                },
                properties: DescriptorProperties { tags: ["ci"] },
            }
        })
        .collect();

    let mut base_ids = HashMap::new();
    if let Some(uri) = root_uri {
        base_ids.insert(
            "%SRCROOT%",
            ArtifactLocation {
                uri,
                uri_base_id: None,
            },
        );
    }
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "faultline",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules: descriptors,
                },
            },
            original_uri_base_ids: base_ids,
            invocations: [Invocation {
                execution_successful: errors.is_empty(),
                tool_execution_notifications: notifications,
            }],
            results,
            column_kind: "unicodeCodePoints",
        }],
    };
    let mut s = serde_json::to_string_pretty(&log).expect("internal error: SARIF of plain data");
    s.push('\n');
    s
}

/// Whole lines from the one before the span to the one after it, with their text.
/// The longest snippet (bytes) a result carries, for its region and for its context region: a
/// finding on a line of 100,000 commands must not repeat that line in each result. Longer ones
/// are left out (a viewer then reads the file), never cut: a snippet is the region's exact text.
pub const MAX_SNIPPET: usize = 4096;

fn context_region(file: &SourceFile, span: &Range<usize>) -> Option<SarifRegion> {
    let r = region(file, span);
    let last = file.lines.line_count().max(1);
    let start_line = r.start_line.saturating_sub(1).max(1);
    // A file ending in a newline has an empty last "line": don't count it.
    let last = if file.text.ends_with('\n') && last > 1 {
        last - 1
    } else {
        last
    };
    let end_line = (r.end_line + 1).min(last).max(r.end_line);
    let from = file.lines.line_start(start_line - 1).min(file.text.len());
    let to = file.lines.line_start(end_line).min(file.text.len());
    if to.saturating_sub(from) > MAX_SNIPPET {
        return None;
    }
    let text = file.text.get(from..to).unwrap_or("").to_string();
    Some(SarifRegion {
        start_line,
        start_column: None,
        end_line,
        end_column: None,
        snippet: Some(Text { text }),
    })
}

fn artifact_location(p: ArtifactPath) -> ArtifactLocation {
    match p {
        ArtifactPath::Relative(rel) => ArtifactLocation {
            uri: percent_encode_path(&rel),
            uri_base_id: Some("%SRCROOT%"),
        },
        ArtifactPath::Absolute(abs) => ArtifactLocation {
            uri: file_uri(&abs, false),
            uri_base_id: None,
        },
    }
}

/// `file:///abs/path` (with a trailing `/` for a directory), percent-encoded.
pub fn file_uri(abs: &Path, dir: bool) -> String {
    let mut s = abs.to_string_lossy().replace('\\', "/");
    if !s.starts_with('/') {
        s.insert(0, '/'); // Windows drive paths: file:///C:/...
    }
    if dir && !s.ends_with('/') {
        s.push('/');
    }
    format!("file://{}", percent_encode_path(&s))
}

/// Percent-encode what may not appear raw in a URI path (RFC 3986 `pchar` plus `/`).
fn percent_encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The first paragraph of prose in a Markdown explanation (headings dropped, hard wraps joined).
fn first_paragraph(text: &str) -> Option<String> {
    text.split("\n\n")
        .map(|p| {
            p.lines()
                .filter(|l| !l.trim_start().starts_with('#'))
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .find(|p| !p.trim().is_empty())
}

/// SARIF's `name` is a friendly identifier: `pip-install-externally-managed` → `PipInstallExternallyManaged`.
fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use serde_json::Value;

    use super::*;
    use crate::report::Label;

    fn file(path: &str, text: &str) -> Arc<SourceFile> {
        SourceFile::new(PathBuf::from(path), text.to_string())
    }

    fn finding(
        file: &Arc<SourceFile>,
        needle: &str,
        rule: &'static str,
        severity: Severity,
    ) -> Finding {
        let start = file.text.find(needle).expect("needle in text");
        Finding {
            rule,
            severity,
            playbook: "python-externally-managed",
            file: file.clone(),
            message: "pip install will fail".into(),
            primary: Label {
                span: start..start + needle.len(),
                message: "here".into(),
            },
            related: vec![Label {
                span: 0..4,
                message: "the image".into(),
            }],
            related_elsewhere: Vec::new(),
            help: Some("use a venv".into()),
            fix: None,
        }
    }

    fn catalog() -> Vec<RuleInfo> {
        vec![
            RuleInfo {
                id: "pip-install-externally-managed".into(),
                summary: "pip install into an externally managed Python".into(),
                explanation: "## What it flags\nA pip install\nthat fails.\n\nMore text.".into(),
                severity: Severity::Error,
                help_uri: playbook_url("python-externally-managed"),
            },
            RuleInfo {
                id: "other-rule".into(),
                summary: "other".into(),
                explanation: String::new(),
                severity: Severity::Warning,
                help_uri: playbook_url("other"),
            },
        ]
    }

    fn render_json(findings: &[Finding], errors: &[InputError]) -> Value {
        let rel = |p: &Path| ArtifactPath::Relative(p.to_string_lossy().replace('\\', "/"));
        let s = render(
            findings,
            errors,
            &catalog(),
            &rel,
            Some("file:///repo/".into()),
            &|f| format!("fp-{}", f.rule),
        );
        serde_json::from_str(&s).expect("valid JSON")
    }

    #[test]
    fn region_is_exclusive_and_counts_characters() {
        let f = file("x", "é: a\nRUN pip install \\\n  flask\n");
        let s = f.text.find("pip").expect("pip");
        assert_eq!(
            region(&f, &(s..s + 3)),
            Region {
                start_line: 2,
                start_column: 5,
                end_line: 2,
                end_column: 8
            }
        );
        // A span that ends with its newline ends on its own line.
        let line_end = f.text.find("flask\n").expect("flask") + 6;
        assert_eq!(
            region(&f, &(s..line_end)),
            Region {
                start_line: 2,
                start_column: 5,
                end_line: 3,
                end_column: 9
            }
        );
        // 'é' is one column wide though it is two bytes.
        assert_eq!(
            region(&f, &(0..2)),
            Region {
                start_line: 1,
                start_column: 1,
                end_line: 1,
                end_column: 2
            }
        );
    }

    #[test]
    fn log_shape() {
        let f = file(
            "docker/Dockerfile",
            "FROM debian:12\nRUN pip install flask\n",
        );
        let v = render_json(
            &[finding(
                &f,
                "pip install flask",
                "pip-install-externally-managed",
                Severity::Error,
            )],
            &[],
        );
        assert_eq!(v["version"], "2.1.0");
        assert_eq!(v["$schema"], SCHEMA);
        let run = &v["runs"][0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        assert_eq!(
            run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            "file:///repo/"
        );
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "faultline");
        assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(driver["informationUri"], INFORMATION_URI);
        let rule = &driver["rules"][0];
        assert_eq!(rule["id"], "pip-install-externally-managed");
        assert_eq!(rule["name"], "PipInstallExternallyManaged");
        assert_eq!(
            rule["shortDescription"]["text"],
            "pip install into an externally managed Python"
        );
        assert_eq!(rule["fullDescription"]["text"], "A pip install that fails.");
        assert_eq!(
            rule["helpUri"],
            "https://github.com/faultline-ci/faultline/blob/main/docs/playbooks/python-externally-managed.md"
        );
        assert_eq!(rule["defaultConfiguration"]["level"], "error");
        assert_eq!(
            driver["rules"][1]["defaultConfiguration"]["level"],
            "warning"
        );
        assert_eq!(driver["rules"][1]["fullDescription"]["text"], "other");

        let res = &run["results"][0];
        assert_eq!(res["ruleId"], "pip-install-externally-managed");
        assert_eq!(res["ruleIndex"], 0);
        assert_eq!(res["level"], "error");
        assert_eq!(
            res["message"]["text"],
            "pip install will fail\n\nhelp: use a venv"
        );
        let loc = &res["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "docker/Dockerfile");
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(loc["region"]["startLine"], 2);
        assert_eq!(loc["region"]["startColumn"], 5);
        assert_eq!(loc["region"]["endLine"], 2);
        assert_eq!(loc["region"]["endColumn"], 22);
        assert_eq!(loc["region"]["snippet"]["text"], "pip install flask");
        assert_eq!(loc["contextRegion"]["startLine"], 1);
        assert_eq!(loc["contextRegion"]["endLine"], 2);
        assert_eq!(
            loc["contextRegion"]["snippet"]["text"],
            "FROM debian:12\nRUN pip install flask\n"
        );
        assert_eq!(res["relatedLocations"][0]["id"], 1);
        assert_eq!(res["relatedLocations"][0]["message"]["text"], "the image");
        assert_eq!(
            res["partialFingerprints"][FINGERPRINT_KEY],
            "fp-pip-install-externally-managed"
        );
        assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    }

    #[test]
    fn unknown_rules_get_a_descriptor_and_errors_a_notification() {
        let f = file("a b.yml", "x: 1\n");
        let v = render_json(
            &[finding(
                &f,
                "x: 1",
                "faultline-suppression",
                Severity::Warning,
            )],
            &[InputError {
                path: PathBuf::from("bad.yml"),
                line: Some(2),
                column: Some(3),
                message: "broken".into(),
            }],
        );
        let run = &v["runs"][0];
        assert_eq!(
            run["tool"]["driver"]["rules"][2]["id"],
            "faultline-suppression"
        );
        assert_eq!(run["results"][0]["ruleIndex"], 2);
        assert_eq!(run["results"][0]["level"], "warning");
        assert_eq!(
            run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "a%20b.yml"
        );
        let inv = &run["invocations"][0];
        assert_eq!(inv["executionSuccessful"], false);
        assert_eq!(
            inv["toolExecutionNotifications"][0]["message"]["text"],
            "broken"
        );
        assert_eq!(
            inv["toolExecutionNotifications"][0]["locations"][0]["physicalLocation"]["region"]
                ["startLine"],
            2
        );
    }

    #[test]
    fn file_uris() {
        assert_eq!(
            file_uri(Path::new("/tmp/my repo"), true),
            "file:///tmp/my%20repo/"
        );
        assert_eq!(
            file_uri(Path::new("/x/Dockerfile"), false),
            "file:///x/Dockerfile"
        );
    }
}
