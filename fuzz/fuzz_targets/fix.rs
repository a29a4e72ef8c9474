//! `lint --fix`: lint, apply every fix (safe and unsafe), lint the result again, until no fix
//! applies. Checks that fixing and re-linting never panic and that fixes settle: a text seen
//! before (a fix that undoes another, or re-creates its own finding) or more than `MAX_ROUNDS`
//! rounds (a fix that keeps adding) is a failure. The first byte picks the kind (workflow,
//! GitLab CI, Dockerfile).
#![no_main]
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;

use faultline::lint::discover::FileKind;
use faultline::lint::env::{lint_dockerfile, lint_yaml};
use faultline::lint::fix;
use faultline::report::{Finding, SourceFile};

/// Overlapping fixes wait for the next round; no real file needs this many.
const MAX_ROUNDS: usize = 32;

fn lint(path: &str, text: &str) -> Vec<Finding> {
    let file = Arc::new(SourceFile::new(path.into(), text.to_string()));
    let opts = common::options();
    let linted = match path {
        "Dockerfile" => lint_dockerfile(&file, &opts),
        ".gitlab-ci.yml" => lint_yaml(&file, Some(FileKind::GitlabCi), &opts),
        _ => lint_yaml(&file, Some(FileKind::GithubWorkflow), &opts),
    };
    match linted {
        Ok(Some((findings, _))) => findings,
        _ => Vec::new(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let path = match pick % 3 {
        0 => ".github/workflows/ci.yml",
        1 => ".gitlab-ci.yml",
        _ => "Dockerfile",
    };
    let mut text = text.to_string();
    let mut seen = std::collections::HashSet::new();
    for _ in 0..MAX_ROUNDS {
        let findings = lint(path, &text);
        let Some(f) = fix::apply(&findings, true).into_iter().next() else {
            return; // settled
        };
        assert!(seen.insert(text), "fixes cycle back to a text seen before:\n{}", f.fixed);
        text = f.fixed;
    }
    panic!("fixes still apply after {MAX_ROUNDS} rounds:\n{text}");
});

#[path = "common.rs"]
mod common;
