//! The Dockerfile parser, then the whole Dockerfile lint (environment walk and rules).
#![no_main]
use libfuzzer_sys::fuzz_target;

use faultline::lint::env::lint_dockerfile;
use faultline::report::SourceFile;

fuzz_target!(|text: &str| {
    let _ = faultline::lint::source::dockerfile::parse(text);
    let file = SourceFile::new("Dockerfile".into(), text.to_string());
    let _ = lint_dockerfile(&file, &common::options());
});

#[path = "common.rs"]
mod common;
