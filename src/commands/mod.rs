//! The command layer: each subcommand parses its arguments (`cli`) into what its engine takes,
//! calls the engine, hands the result to a reporter and picks the exit code. Nothing below this
//! layer imports `cli` or `ui`.

mod analyze;
mod catalog;
mod lint;
mod rules;

use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::ui::{self, Ui};

/// Run one parsed command line. Exit codes: 0 ok, 1 findings, 2 usage or input error.
pub fn run(cli: &Cli) -> ExitCode {
    let ui = Ui::new(cli.color);
    match &cli.command {
        Command::Analyze(args) => analyze::run_analyze(args, &ui),
        Command::Fix(args) => analyze::run_fix(args, &ui),
        Command::Explain(args) => {
            if crate::lint::rules::is_rule_id(&args.id) {
                rules::run_explain_rule(args, &ui)
            } else {
                catalog::run_explain(args, &ui)
            }
        }
        Command::List(args) => catalog::run_list(args, &ui),
        Command::Docs(args) => catalog::run_docs(args, &ui),
        Command::Eval(args) => analyze::run_eval(args, &ui),
        Command::Lint(args) => lint::run_lint(args, &ui),
        Command::Rules(args) => rules::run_rules(args, &ui),
        Command::Completions { shell } => ui::print_completions(*shell),
        Command::Man { dir } => ui::print_man(dir.as_deref()),
    }
}
