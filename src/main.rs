//! faultline: diagnose failed CI logs (`analyze`) and lint CI configuration (`lint`) against one
//! catalog of playbooks. `main` only parses arguments, dispatches, and maps the outcome to an exit code.

mod cli;
mod playbook;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let _ = cli;
    ExitCode::SUCCESS
}
