//! The baseline file parser.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = faultline::lint::baseline::Baseline::parse(text);
});
