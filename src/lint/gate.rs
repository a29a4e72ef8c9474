//! `faultline lint` as a command: options from the command line, output format, exit code.
//! (Configuration, suppressions and baselines hook in here.)

use std::process::ExitCode;

use crate::cli::{FailOn, LintArgs, LintFormat};
use crate::report::{self, Severity};
use crate::ui::{self, Ui};

use super::{discover, lint, LintOptions};

pub fn run_lint(args: &LintArgs, ui: &Ui) -> ExitCode {
    let cwd = match std::env::current_dir() {
        Ok(c) => c,
        Err(e) => return ui.fail(format!("cannot read the current directory: {e}")),
    };
    let opts = LintOptions { paths: args.paths.clone(), root: discover::repo_root(&cwd), ..Default::default() };
    let run = lint(&opts);
    let out = match args.format {
        LintFormat::Json => report::json::render(&run.findings, &run.errors, run.files.len()),
        _ => {
            let mut s = report::human::render(&run.findings, ui.color);
            if !args.quiet || !run.findings.is_empty() {
                s.push_str(&report::human::summary(&run.findings, run.files.len()));
            }
            s
        }
    };
    for e in &run.errors {
        eprintln!("faultline: error: {e}");
    }
    if let Err(e) = ui::write_stdout(&out) {
        return ui.fail(e);
    }
    let threshold = match args.fail_on.unwrap_or(FailOn::Error) {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Never => None,
    };
    if !run.errors.is_empty() {
        ExitCode::from(ui::EXIT_INPUT)
    } else if threshold.is_some_and(|t| run.findings.iter().any(|f| f.severity >= t)) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
