//! The lint rules: one Rust file each (its logic), one `rules/<id>.yaml` each (its metadata and
//! explanation), registered in `RULES`. Rules read the command model and the environment model
//! (`lint::env`), never raw text.

use std::process::ExitCode;

use crate::cli::{ExplainArgs, RulesArgs};
use crate::ui::Ui;

/// Whether `id` names a lint rule (used by `faultline explain`).
pub fn is_rule_id(id: &str) -> bool {
    let _ = id;
    false
}

pub fn run_rules(_args: &RulesArgs, ui: &Ui) -> ExitCode {
    ui.fail("rules: not implemented yet")
}

pub fn run_explain_rule(_args: &ExplainArgs, ui: &Ui) -> ExitCode {
    ui.fail("explain: not implemented yet")
}
