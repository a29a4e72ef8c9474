//! The prevent engine: discovery, spanned models (`source`), the environment model, rules, and the
//! driver that runs rules over models and hands findings to `report`.

pub mod rules;
pub mod source;

use std::process::ExitCode;

use crate::cli::{ExplainArgs, LintArgs, RulesArgs};
use crate::ui::Ui;

pub fn run_lint(_args: &LintArgs, ui: &Ui) -> ExitCode {
    ui.fail("lint: not implemented yet")
}

pub fn run_rules(_args: &RulesArgs, ui: &Ui) -> ExitCode {
    ui.fail("rules: not implemented yet")
}

pub fn run_explain_rule(_args: &ExplainArgs, ui: &Ui) -> ExitCode {
    ui.fail("explain: not implemented yet")
}
