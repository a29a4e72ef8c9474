//! Terminal concerns shared by every command: colour choice (`--color`, `NO_COLOR`), writing to
//! stdout without panicking on a closed pipe, error messages, completions and the man page.

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::{Cli, ColorChoice};

/// Exit code for usage errors and unusable input.
pub const EXIT_INPUT: u8 = 2;

#[derive(Debug, Clone)]
pub struct Ui {
    /// Whether stdout output may carry ANSI colour.
    pub color: bool,
    /// Columns for human output: `COLUMNS`, else the terminal's width, else 100.
    pub width: usize,
}

impl Ui {
    pub fn new(choice: ColorChoice) -> Self {
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && io::stdout().is_terminal()
            }
        };
        Ui {
            color,
            width: output_width(),
        }
    }

    /// Write a command's output to stdout: exit 0, or 2 when stdout cannot be written.
    pub fn emit(&self, text: &str) -> ExitCode {
        match write_stdout(text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => self.fail(format!("cannot write output: {e}")),
        }
    }

    /// Print `faultline: error: MSG` to stderr and return exit code 2.
    pub fn fail(&self, msg: impl std::fmt::Display) -> ExitCode {
        eprintln!("faultline: error: {msg}");
        ExitCode::from(EXIT_INPUT)
    }
}

/// Write all of `s` to stdout. A closed pipe (`faultline list | head`) is not an error.
pub fn write_stdout(s: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Write `text` to `path` whole or not at all: into a temporary file beside it, then renamed over
/// it, so an interrupted or failed write never leaves half a file.
pub fn write_file_atomic(path: &Path, text: &str) -> io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.faultline-{}.tmp", std::process::id()));
    let result = std::fs::write(&tmp, text).and_then(|_| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

pub fn print_completions(shell: clap_complete::Shell) -> ExitCode {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "faultline", &mut buf);
    match write_stdout(&String::from_utf8_lossy(&buf)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => Ui {
            color: false,
            width: 100,
        }
        .fail(e),
    }
}

pub fn print_man(dir: Option<&Path>) -> ExitCode {
    let cmd = Cli::command();
    let result = match dir {
        Some(dir) => std::fs::create_dir_all(dir)
            .and_then(|_| clap_mangen::generate_to(cmd, dir))
            .map(|_| ()),
        None => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut buf)
                .and_then(|_| write_stdout(&String::from_utf8_lossy(&buf)))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => Ui {
            color: false,
            width: 100,
        }
        .fail(e),
    }
}

/// `COLUMNS` when set to a number (what shells export and users set for a pipe), else the width of
/// the terminal on stdout, else 100. Never below 40: a narrower report is unreadable anyway.
fn output_width() -> usize {
    let from_env = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok());
    let from_tty = || terminal_size::terminal_size_of(io::stdout()).map(|(w, _)| usize::from(w.0));
    from_env.or_else(from_tty).unwrap_or(100).max(40)
}
