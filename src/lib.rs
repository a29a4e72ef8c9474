//! faultline: diagnose failed CI logs (`analyze`) and lint CI configuration (`lint`) against one
//! catalog of playbooks.
//!
//! - `playbook`: the catalog (schema, loading, rendering);
//! - `analyze`: the streaming log matcher and its reports;
//! - `lint`: spanned models of workflows, GitLab files and Dockerfiles, the environment model, rules;
//! - `report`: lint output formats (human, JSON, SARIF, GitHub annotations).
//!
//! `main_entry` parses arguments, dispatches, and maps the outcome to an exit code.

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
pub mod lint;
pub mod playbook;
pub mod report;
pub mod ui;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

/// Parse the command line and run the subcommand. Exit codes: 0 ok, 1 findings, 2 usage/input error.
pub fn main_entry() -> ExitCode {
    let cli = Cli::parse();
    let ui = ui::Ui::new(cli.color);
    match &cli.command {
        Command::Analyze(args) => analyze::run_analyze(args, &ui),
        Command::Fix(args) => analyze::run_fix(args, &ui),
        Command::Explain(args) => {
            if lint::rules::is_rule_id(&args.id) {
                lint::run_explain_rule(args, &ui)
            } else {
                playbook::run_explain(args, &ui)
            }
        }
        Command::List(args) => playbook::run_list(args, &ui),
        Command::Docs(args) => playbook::run_docs(args, &ui),
        Command::Eval(args) => analyze::run_eval(args, &ui),
        Command::Lint(args) => lint::run_lint(args, &ui),
        Command::Rules(args) => lint::run_rules(args, &ui),
        Command::Completions { shell } => ui::print_completions(*shell),
        Command::Man { dir } => ui::print_man(dir.as_deref()),
    }
}
