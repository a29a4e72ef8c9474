//! The analyze engine on any log: line normalisation, the two-stage matcher, the streaming scan
//! (steps, sections, failing step) and scoring. The catalog is compiled once, in a static; each
//! input only runs the scan.
#![no_main]
use libfuzzer_sys::fuzz_target;

use std::sync::OnceLock;

use faultline::analyze::normalize::{display_text, normalize_line};
use faultline::analyze::Engine;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::load(&[]).expect("the bundled catalog compiles"))
}

fuzz_target!(|data: &[u8]| {
    let (mut out, mut scratch, mut markers) = (Vec::new(), Vec::new(), Vec::new());
    for line in data.split(|&b| b == b'\n') {
        normalize_line(line, &mut out, &mut scratch, &mut markers);
        let _ = display_text(line, 80);
    }
    let analysis = engine().analyze(data, "-").expect("reading from memory cannot fail");
    for d in &analysis.diagnoses {
        assert!(d.playbook < engine().catalog.entries().len());
    }
});
