//! YAML parsing, GitHub workflow and composite-action model building, the environment walk and
//! the rules. The first byte picks the kind (workflow, action, or detected from the content).
#![no_main]
use libfuzzer_sys::fuzz_target;

use faultline::lint::discover::FileKind;
use faultline::lint::env::lint_yaml;
use faultline::report::SourceFile;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (path, kind) = match pick % 3 {
        0 => (".github/workflows/ci.yml", Some(FileKind::GithubWorkflow)),
        1 => ("action.yml", Some(FileKind::GithubAction)),
        _ => ("ci.yml", None),
    };
    let file = SourceFile::new(path.into(), text.to_string());
    let _ = lint_yaml(&file, kind, &common::options());
});

#[path = "common.rs"]
mod common;
