//! Applying fixes: a finding's edits change the bytes of its span and nothing else, so comments,
//! quoting and key order survive. Fixes of one file are applied together, in order; a fix with
//! an edit that overlaps one already taken is left whole for the next run. The engine returns new texts; the command
//! layer writes them (whole or not at all) or shows them as a diff.

use std::path::PathBuf;

use crate::report::{Edit, Finding};

/// One file's new text and how many findings it fixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedFile {
    pub path: PathBuf,
    pub original: String,
    pub fixed: String,
    pub applied: usize,
}

/// Apply the fixes of `findings` (safe ones, and unsafe ones when `unsafe_too`), file by file.
pub fn apply(findings: &[Finding], unsafe_too: bool) -> Vec<FixedFile> {
    let mut by_file: Vec<(usize, Vec<&Finding>)> = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        let Some(fix) = &f.fix else { continue };
        if !fix.safe && !unsafe_too {
            continue;
        }
        match by_file
            .iter_mut()
            .find(|(first, _)| std::sync::Arc::ptr_eq(&findings[*first].file, &f.file))
        {
            Some((_, list)) => list.push(f),
            None => by_file.push((i, vec![f])),
        }
    }
    let mut out = Vec::new();
    for (_, list) in by_file {
        let file = &list[0].file;
        let text = &file.text;
        // A finding's fix is taken whole or not at all: every edit inside the text, on
        // character boundaries, and clear of the edits already taken (a fix half applied could
        // leave the file worse than it was).
        let mut taken: Vec<&Edit> = Vec::new();
        let mut applied = 0;
        for f in &list {
            let edits = &f.fix.as_ref().expect("filtered above").edits;
            let fits = |e: &Edit, others: &[&Edit]| {
                e.span.start <= e.span.end
                    && e.span.end <= text.len()
                    && text.is_char_boundary(e.span.start)
                    && text.is_char_boundary(e.span.end)
                    && others.iter().all(|o| !overlaps(e, o))
            };
            let whole = edits
                .iter()
                .enumerate()
                .all(|(k, e)| fits(e, &taken) && edits[..k].iter().all(|o| !overlaps(e, o)));
            if whole && !edits.is_empty() {
                taken.extend(edits);
                applied += 1;
            }
        }
        taken.sort_by_key(|e| (e.span.start, e.span.end));
        let mut fixed = String::with_capacity(text.len());
        let mut at = 0;
        for e in taken {
            fixed.push_str(&text[at..e.span.start]);
            fixed.push_str(&e.replacement);
            at = e.span.end;
        }
        fixed.push_str(&text[at..]);
        if fixed != *text {
            out.push(FixedFile {
                path: file.path.clone(),
                original: text.clone(),
                fixed,
                applied,
            });
        }
    }
    out
}

/// Two edits touch the same bytes, or insert at the same place (their order would be a guess).
fn overlaps(a: &Edit, b: &Edit) -> bool {
    let (a, b) = (&a.span, &b.span);
    (a.start < b.end && b.start < a.end) || (a.start == b.start && (a.is_empty() || b.is_empty()))
}

/// A unified diff of one fixed file (`--diff`).
pub fn diff(f: &FixedFile) -> String {
    let name = f.path.display().to_string();
    similar::TextDiff::from_lines(&f.original, &f.fixed)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Fix, Label, Severity, SourceFile};
    use std::sync::Arc;

    fn finding(file: &Arc<SourceFile>, edits: &[(std::ops::Range<usize>, &str)]) -> Finding {
        Finding {
            rule: "demo-rule",
            severity: Severity::Error,
            playbook: "demo-playbook",
            file: Arc::clone(file),
            message: "message".to_string(),
            primary: Label {
                span: 0..1,
                message: String::new(),
            },
            related: Vec::new(),
            related_elsewhere: Vec::new(),
            help: None,
            fix: Some(Fix {
                description: "demo".to_string(),
                edits: edits
                    .iter()
                    .map(|(span, r)| Edit {
                        span: span.clone(),
                        replacement: (*r).to_string(),
                    })
                    .collect(),
                safe: true,
            }),
        }
    }

    #[test]
    fn a_fix_is_applied_whole_or_left_for_the_next_run() {
        let file = SourceFile::new("f".into(), "abcdef".to_string());
        let findings = [
            finding(&file, &[(1..2, "B")]),
            // Its second edit overlaps the first fix: none of its edits is applied.
            finding(&file, &[(4..5, "E"), (1..3, "xx")]),
            finding(&file, &[(5..6, "F"), (0..0, ">")]),
            // Out of the text: left alone.
            finding(&file, &[(3..9, "?")]),
        ];
        let fixed = apply(&findings, false);
        assert_eq!(fixed.len(), 1);
        assert_eq!(fixed[0].fixed, ">aBcdeF");
        assert_eq!(fixed[0].applied, 2);
    }
}
