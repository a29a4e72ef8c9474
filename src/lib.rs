//! faultline: diagnose failed CI logs (`analyze`) and lint CI configuration (`lint`) against one
//! catalog of playbooks.
//!
//! - `playbook`: the catalog (schema, loading, rendering);
//! - `analyze`: the streaming log matcher and its reports;
//! - `lint`: spanned models of workflows, GitLab files and Dockerfiles, the environment model, rules;
//! - `report`: lint output formats (human, JSON, SARIF, GitHub annotations).
//!
//! - `commands` (with `cli` and `ui`): the command layer on top; nothing below it imports `cli`
//!   or `ui`.
//!
//! `main_entry` parses the arguments and hands them to `commands::run`.

/// The project's home: every documentation link (SARIF `helpUri`, playbook and rule pages,
/// suppression docs) is built from it. A fork changes this one literal (and `repository` in
/// `Cargo.toml` and `pyproject.toml`): see docs/distribution.md.
#[macro_export]
macro_rules! home_url {
    () => {
        "https://github.com/faultline-ci/faultline"
    };
}

/// [`home_url!`] as a constant.
pub const HOME_URL: &str = home_url!();

pub mod analyze;
pub mod cli;
pub mod commands;
pub mod envelope;
pub mod lint;
pub mod playbook;
pub mod report;
pub mod ui;

use std::process::ExitCode;

use clap::Parser;

/// Parse the command line and run the subcommand. Exit codes: 0 ok, 1 findings, 2 usage/input error.
pub fn main_entry() -> ExitCode {
    commands::run(&cli::Cli::parse())
}
