//! Team playbooks: parsing, validation and regex checks of one playbook file.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = faultline::playbook::load::parse_playbook("team/fuzz.yaml", text, Some("team"));
});
