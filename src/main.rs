//! The `faultline` binary: everything lives in the library; this only runs it.

use std::process::ExitCode;

fn main() -> ExitCode {
    faultline::main_entry()
}
