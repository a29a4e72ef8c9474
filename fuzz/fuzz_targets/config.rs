//! The `.faultline.yaml` configuration parser.
#![no_main]
use libfuzzer_sys::fuzz_target;

use std::path::Path;

fuzz_target!(|text: &str| {
    let _ = faultline::lint::config::parse(
        text,
        Path::new(".faultline.yaml"),
        Path::new("/nonexistent/faultline-fuzz-root"),
        &faultline::lint::gate::is_known_rule,
    );
});
