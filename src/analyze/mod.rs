//! The diagnose engine: one streaming pass over a log, normalising CI noise, matching playbook
//! signals, and ranking diagnoses with a calibrated confidence.

use std::process::ExitCode;

use crate::cli::{AnalyzeArgs, EvalArgs, FixArgs};
use crate::ui::Ui;

pub fn run_analyze(_args: &AnalyzeArgs, ui: &Ui) -> ExitCode {
    ui.fail("analyze: not implemented yet")
}

pub fn run_fix(_args: &FixArgs, ui: &Ui) -> ExitCode {
    ui.fail("fix: not implemented yet")
}

pub fn run_eval(_args: &EvalArgs, ui: &Ui) -> ExitCode {
    ui.fail("eval: not implemented yet")
}
