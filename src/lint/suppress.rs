//! Inline suppressions: `# faultline: ignore[rule-id, other-id] reason`.
//!
//! A suppression is a comment (a `#` at the start of a line or after whitespace) in a workflow, a
//! GitLab file or a Dockerfile; inside a `run: |` block or a `RUN`, a `#` line is a shell comment,
//! so the same syntax works there. It covers findings whose primary span starts on its own line
//! (a trailing comment) or, when the comment is alone on its line, on the next line, and the lines
//! that continue it with a trailing `\` (a multi-line `RUN`). The reason after `]` is free text.
//!
//! Suppressions must not rot: an id that is no rule, a suppression that suppresses nothing, and a
//! `# faultline:` comment we cannot read are reported as warnings under the rule id
//! `faultline-suppression` (outside the rule namespace; it can be configured like a rule).

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use crate::report::{Finding, Label, Severity, SourceFile};

/// The rule id of findings about suppressions themselves.
pub const RULE: &str = "faultline-suppression";
pub const SUMMARY: &str =
    "An inline suppression that names no rule, suppresses nothing, or cannot be read";
pub const EXPLANATION: &str = "`# faultline: ignore[rule-id] reason` silences one finding on its line, or on the next \
line when the comment stands alone. A suppression naming an unknown rule, one that no longer suppresses anything, \
and a `# faultline:` comment that is not of this form are reported so suppressions do not rot. Remove or fix the comment.";

const MARKER: &str = "faultline:";

/// One `# faultline: ignore[...]` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// 0-based line of the comment.
    pub line0: usize,
    /// Nothing but whitespace before the `#`: the comment also covers the next line.
    pub comment_only: bool,
    /// Each id with its byte span.
    pub ids: Vec<(String, Range<usize>)>,
    /// The reason after `]`, if any.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Directive(Directive),
    /// A `# faultline:` comment that is not a suppression we can read.
    Malformed {
        span: Range<usize>,
        message: String,
    },
}

/// Every `# faultline:` comment in `text`.
pub fn scan(text: &str) -> Vec<Parsed> {
    let mut out = Vec::new();
    let finder = memchr::memmem::Finder::new(MARKER);
    let bytes = text.as_bytes();
    // One line index for the file: counting lines from the start for each comment was
    // quadratic in a file with thousands of suppressions.
    let lines = super::source::span::LineIndex::new(text);
    for at in finder.find_iter(bytes) {
        // Walk back over spaces to the `#`.
        let mut hash = at;
        while hash > 0 && matches!(bytes[hash - 1], b' ' | b'\t') {
            hash -= 1;
        }
        if hash == 0 || bytes[hash - 1] != b'#' {
            continue;
        }
        let hash = hash - 1;
        let line0 = lines.line0(hash);
        let line_start = lines.line_start(line0);
        // A comment starts a line or follows whitespace (YAML and shell alike).
        if hash > line_start && !matches!(bytes[hash - 1], b' ' | b'\t') {
            continue;
        }
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let comment_only = text[line_start..hash].trim().is_empty();
        out.push(parse_one(
            text,
            at + MARKER.len(),
            line_end,
            hash,
            line0,
            comment_only,
        ));
    }
    out
}

fn parse_one(
    text: &str,
    after: usize,
    line_end: usize,
    hash: usize,
    line0: usize,
    comment_only: bool,
) -> Parsed {
    let rest = text[after..line_end].trim_end_matches('\r');
    let lead = rest.len() - rest.trim_start().len();
    let body = &rest[lead..];
    let malformed = |message: &str| Parsed::Malformed {
        span: hash..after + rest.len(),
        message: message.to_string(),
    };
    let Some(args) = body.strip_prefix("ignore") else {
        return malformed(
            "unreadable `# faultline:` comment: expected `# faultline: ignore[rule-id] reason`",
        );
    };
    let Some(inner) = args.strip_prefix('[') else {
        return malformed(
            "a suppression names its rules in brackets: `# faultline: ignore[rule-id] reason`",
        );
    };
    let Some(close) = inner.find(']') else {
        return malformed("unclosed `[` in suppression: `# faultline: ignore[rule-id] reason`");
    };
    let inner_start = after + lead + "ignore[".len();
    let mut ids = Vec::new();
    let mut pos = 0;
    for part in inner[..close].split(',') {
        let trimmed = part.trim();
        let offset = part.len() - part.trim_start().len();
        if !trimmed.is_empty() {
            let start = inner_start + pos + offset;
            ids.push((trimmed.to_string(), start..start + trimmed.len()));
        }
        pos += part.len() + 1;
    }
    if ids.is_empty() {
        return malformed(
            "empty suppression: name the rules, `# faultline: ignore[rule-id] reason`",
        );
    }
    let reason = inner[close + 1..].trim();
    Parsed::Directive(Directive {
        line0,
        comment_only,
        ids,
        reason: (!reason.is_empty()).then(|| reason.to_string()),
    })
}

/// Apply the suppressions in `files` to `findings`: suppressed findings are dropped, and findings
/// about the suppressions themselves are added. `known_rule` says which ids exist.
pub fn apply(
    findings: Vec<Finding>,
    files: &[Arc<SourceFile>],
    known_rule: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    // Directives per file, with a "used" flag per id.
    struct FileDirectives {
        parsed: Vec<Parsed>,
        used: Vec<Vec<bool>>,
        /// 0-based line → indices into `parsed` of the directives covering it.
        covers: HashMap<usize, Vec<usize>>,
    }
    let mut by_file: HashMap<*const SourceFile, FileDirectives> = HashMap::new();
    let mut all_files: Vec<Arc<SourceFile>> = files.to_vec();
    for f in &findings {
        if !all_files.iter().any(|x| Arc::ptr_eq(x, &f.file)) {
            all_files.push(f.file.clone());
        }
    }
    for file in &all_files {
        if memchr::memmem::find(file.text.as_bytes(), MARKER.as_bytes()).is_none() {
            continue;
        }
        let parsed = scan(&file.text);
        let used = parsed
            .iter()
            .map(|p| match p {
                Parsed::Directive(d) => vec![false; d.ids.len()],
                Parsed::Malformed { .. } => Vec::new(),
            })
            .collect();
        let mut covers: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, p) in parsed.iter().enumerate() {
            if let Parsed::Directive(d) = p {
                for line in covered_lines(&file.text, &file.lines, d) {
                    covers.entry(line).or_default().push(i);
                }
            }
        }
        by_file.insert(
            Arc::as_ptr(file),
            FileDirectives {
                parsed,
                used,
                covers,
            },
        );
    }

    let mut kept = Vec::with_capacity(findings.len());
    for f in findings {
        let Some(fd) = by_file.get_mut(&Arc::as_ptr(&f.file)) else {
            kept.push(f);
            continue;
        };
        let line = f.file.lines.line0(f.primary.span.start);
        let mut suppressed = false;
        if let Some(idx) = fd.covers.get(&line) {
            for &i in idx {
                if let Parsed::Directive(d) = &fd.parsed[i] {
                    for (j, (id, _)) in d.ids.iter().enumerate() {
                        if id == f.rule {
                            fd.used[i][j] = true;
                            suppressed = true;
                        }
                    }
                }
            }
        }
        if !suppressed {
            kept.push(f);
        }
    }

    for file in &all_files {
        let Some(fd) = by_file.get(&Arc::as_ptr(file)) else {
            continue;
        };
        for (i, p) in fd.parsed.iter().enumerate() {
            match p {
                Parsed::Malformed { span, message } => {
                    kept.push(meta(file, span.clone(), message.clone(), None))
                }
                Parsed::Directive(d) => {
                    for (j, (id, span)) in d.ids.iter().enumerate() {
                        if !known_rule(id) {
                            kept.push(meta(
                                file,
                                span.clone(),
                                format!("`{id}` is not a faultline rule, so this suppression does nothing"),
                                Some("check the id with `faultline rules`, or remove it".into()),
                            ));
                        } else if !fd.used[i][j] {
                            kept.push(meta(
                                file,
                                span.clone(),
                                format!("this suppression of `{id}` suppresses nothing here"),
                                Some(format!(
                                    "remove `{id}` from the comment (it must be on the finding's line, or alone on the line above)"
                                )),
                            ));
                        }
                    }
                }
            }
        }
    }
    kept
}

/// The 0-based lines a directive covers: its own; if alone on its line, the next one and the lines
/// that continue it with a trailing backslash.
fn covered_lines(
    text: &str,
    lines: &crate::lint::source::span::LineIndex,
    d: &Directive,
) -> Vec<usize> {
    let mut out = vec![d.line0];
    if !d.comment_only {
        return out;
    }
    let mut line = d.line0 + 1;
    while line < lines.line_count() {
        out.push(line);
        let start = lines.line_start(line);
        let end = if line + 1 < lines.line_count() {
            lines.line_start(line + 1)
        } else {
            text.len()
        };
        let content = text.get(start..end).unwrap_or("").trim_end();
        if !content.ends_with('\\') {
            break;
        }
        line += 1;
    }
    out
}

fn meta(
    file: &Arc<SourceFile>,
    span: Range<usize>,
    message: String,
    help: Option<String>,
) -> Finding {
    Finding {
        rule: RULE,
        severity: Severity::Warning,
        playbook: "",
        file: file.clone(),
        message,
        primary: Label {
            span,
            message: "suppression".into(),
        },
        related: Vec::new(),
        related_elsewhere: Vec::new(),
        help,
        fix: None,
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn file(text: &str) -> Arc<SourceFile> {
        SourceFile::new(PathBuf::from("Dockerfile"), text.to_string())
    }

    fn finding(file: &Arc<SourceFile>, needle: &str, rule: &'static str) -> Finding {
        crate::report::test_finding(file, 0, needle, rule)
    }

    fn known(id: &str) -> bool {
        matches!(id, "rule-a" | "rule-b")
    }

    fn summary(out: &[Finding]) -> Vec<(String, usize, usize, String)> {
        out.iter()
            .map(|f| {
                let (l, c) = f.start();
                (f.rule.to_string(), l, c, f.message.clone())
            })
            .collect()
    }

    #[test]
    fn parses_ids_spans_and_reasons() {
        let text =
            "RUN x # faultline: ignore[rule-a, rule-b] we accept it\n  #faultline:ignore[rule-a]\n";
        let got = scan(text);
        assert_eq!(got.len(), 2);
        let Parsed::Directive(d) = &got[0] else {
            panic!("directive expected")
        };
        assert_eq!(d.line0, 0);
        assert!(!d.comment_only);
        assert_eq!(
            d.ids.iter().map(|(i, _)| i.as_str()).collect::<Vec<_>>(),
            ["rule-a", "rule-b"]
        );
        assert_eq!(&text[d.ids[1].1.clone()], "rule-b");
        assert_eq!(d.reason.as_deref(), Some("we accept it"));
        let Parsed::Directive(d) = &got[1] else {
            panic!("directive expected")
        };
        assert_eq!((d.line0, d.comment_only, d.reason.clone()), (1, true, None));
    }

    #[test]
    fn not_comments_and_malformed() {
        // `#` glued to a word is not a comment; a quoted one is not either.
        assert!(
            scan("RUN echo a#faultline: ignore[rule-a]\nRUN echo \"#faultline: ignore[x]\"\n")
                .is_empty()
        );
        let got = scan("# faultline: disable[rule-a]\n# faultline: ignore rule-a\n# faultline: ignore[rule-a\n# faultline: ignore[ , ]\n");
        let msgs: Vec<_> = got
            .iter()
            .map(|p| match p {
                Parsed::Malformed { message, .. } => message.as_str(),
                Parsed::Directive(_) => "directive",
            })
            .collect();
        assert_eq!(
            msgs,
            [
                "unreadable `# faultline:` comment: expected `# faultline: ignore[rule-id] reason`",
                "a suppression names its rules in brackets: `# faultline: ignore[rule-id] reason`",
                "unclosed `[` in suppression: `# faultline: ignore[rule-id] reason`",
                "empty suppression: name the rules, `# faultline: ignore[rule-id] reason`",
            ]
        );
    }

    #[test]
    fn same_line_and_line_above() {
        let f = file(
            "FROM debian:12\n\
             # faultline: ignore[rule-a] accepted\n\
             RUN pip install a\n\
             RUN pip install b # faultline: ignore[rule-a]\n\
             RUN pip install c\n",
        );
        let findings = vec![
            finding(&f, "pip install a", "rule-a"),
            finding(&f, "pip install b", "rule-a"),
            finding(&f, "pip install c", "rule-a"),
        ];
        let out = apply(findings, std::slice::from_ref(&f), &known);
        // Only c survives: a trailing comment does not reach the next line.
        assert_eq!(summary(&out), [("rule-a".into(), 5, 5, "fails".into())]);
    }

    #[test]
    fn other_rules_are_not_suppressed_and_unused_is_reported() {
        let f = file("# faultline: ignore[rule-b]\nRUN pip install a\n");
        let out = apply(
            vec![finding(&f, "pip install a", "rule-a")],
            std::slice::from_ref(&f),
            &known,
        );
        assert_eq!(
            summary(&out),
            [
                ("rule-a".into(), 2, 5, "fails".into()),
                (
                    RULE.into(),
                    1,
                    21,
                    "this suppression of `rule-b` suppresses nothing here".into()
                ),
            ]
        );
        assert_eq!(out[1].severity, Severity::Warning);
    }

    #[test]
    fn unknown_ids_and_files_without_findings() {
        let f = file("# faultline: ignore[rule-a, no-such-rule]\nRUN true\n");
        let out = apply(Vec::new(), std::slice::from_ref(&f), &known);
        assert_eq!(
            summary(&out),
            [
                (
                    RULE.into(),
                    1,
                    21,
                    "this suppression of `rule-a` suppresses nothing here".into()
                ),
                (
                    RULE.into(),
                    1,
                    29,
                    "`no-such-rule` is not a faultline rule, so this suppression does nothing"
                        .into()
                ),
            ]
        );
    }

    #[test]
    fn continuation_lines_and_run_blocks() {
        let f = file(
            "FROM debian:12\n\
             # faultline: ignore[rule-a]\n\
             RUN apt-get update && \\\n    pip install a\n\
             RUN pip install z\n",
        );
        let out = apply(
            vec![
                finding(&f, "pip install a", "rule-a"),
                finding(&f, "pip install z", "rule-a"),
            ],
            std::slice::from_ref(&f),
            &known,
        );
        assert_eq!(summary(&out), [("rule-a".into(), 5, 5, "fails".into())]);

        // A shell comment inside a YAML block scalar, with non-ASCII text before it.
        let y = SourceFile::new(
            PathBuf::from("ci.yml"),
            "steps:\n  - run: |\n      echo é\n      # faultline: ignore[rule-b] pinned image\n      pip install x\n".into(),
        );
        let out = apply(
            vec![finding(&y, "pip install x", "rule-b")],
            std::slice::from_ref(&y),
            &known,
        );
        assert!(out.is_empty(), "{:?}", summary(&out));
    }
}
