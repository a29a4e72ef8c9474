//! Applying fixes: a finding's edits change the bytes of its span and nothing else, so comments,
//! quoting and key order survive. Fixes of one file are applied together, in order; an edit that
//! overlaps one already taken is left for the next run. The engine returns new texts; the command
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
        let mut edits: Vec<(&Edit, usize)> = Vec::new();
        for (n, f) in list.iter().enumerate() {
            for e in &f.fix.as_ref().expect("filtered above").edits {
                edits.push((e, n));
            }
        }
        edits.sort_by_key(|(e, _)| (e.span.start, e.span.end));
        let mut text = String::with_capacity(file.text.len());
        let mut at = 0;
        let mut fixed_findings = std::collections::BTreeSet::new();
        let mut skipped = std::collections::BTreeSet::new();
        for (e, n) in &edits {
            let valid = e.span.start >= at
                && e.span.end <= file.text.len()
                && file.text.is_char_boundary(e.span.start)
                && file.text.is_char_boundary(e.span.end);
            if !valid || skipped.contains(n) {
                skipped.insert(*n);
                continue;
            }
            text.push_str(&file.text[at..e.span.start]);
            text.push_str(&e.replacement);
            at = e.span.end;
            fixed_findings.insert(*n);
        }
        text.push_str(&file.text[at..]);
        let applied = fixed_findings.difference(&skipped).count();
        if text != file.text {
            out.push(FixedFile {
                path: file.path.clone(),
                original: file.text.clone(),
                fixed: text,
                applied,
            });
        }
    }
    out
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
