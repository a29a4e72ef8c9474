//! The playbook catalog: the schema, loading (bundled at build time, team folders at run time),
//! validation, and rendering as terminal text, Markdown pages and JSON.

pub mod schema;

use std::process::ExitCode;

use crate::cli::{DocsArgs, ExplainArgs, ListArgs};
use crate::ui::Ui;

pub fn run_explain(_args: &ExplainArgs, ui: &Ui) -> ExitCode {
    ui.fail("explain: not implemented yet")
}

pub fn run_list(_args: &ListArgs, ui: &Ui) -> ExitCode {
    ui.fail("list: not implemented yet")
}

pub fn run_docs(_args: &DocsArgs, ui: &Ui) -> ExitCode {
    ui.fail("docs: not implemented yet")
}
