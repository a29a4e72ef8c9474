//! YAML parsing, GitLab CI model building (extends, includes, !reference), the environment walk
//! and the rules.
#![no_main]
use libfuzzer_sys::fuzz_target;

use faultline::lint::discover::FileKind;
use faultline::lint::env::lint_yaml;
use faultline::report::SourceFile;

fuzz_target!(|text: &str| {
    let file = SourceFile::new(".gitlab-ci.yml".into(), text.to_string());
    let _ = lint_yaml(&file, Some(FileKind::GitlabCi), &common::options());
});

#[path = "common.rs"]
mod common;
