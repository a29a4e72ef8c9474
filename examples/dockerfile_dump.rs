//! Print a Dockerfile the way BuildKit's parser tests dump it: one `(keyword "arg" …)` line per
//! instruction (`frontend/dockerfile/parser/testfiles/*/result`). Used by
//! `scripts/buildkit-conformance.sh` to compare faultline's Dockerfile parser with BuildKit's.
//!
//! Usage: `cargo run --example dockerfile_dump -- [--check] path/to/Dockerfile...`. It dumps
//! BuildKit's parser level (`parse_syntax`), which lets through what only the build step rejects
//! (unknown instructions, `HEALTHCHECK CONNECT`, unknown flags), as the corpus expects. With
//! `--check` it runs the full `parse` instead and prints `PATH: ok` or `PATH:LINE:COL: message`.
//! A parse error goes to stderr as `error: line L, column C: message`; exit code 1 when any file
//! failed to parse, 2 when one could not be read.

use std::io::Write;
use std::process::ExitCode;

use faultline::lint::source::dockerfile;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.first().is_some_and(|a| a == "--check");
    if check {
        args.remove(0);
    }
    if args.is_empty() {
        eprintln!("usage: dockerfile_dump [--check] <Dockerfile>...");
        return ExitCode::from(2);
    }
    let mut out = String::new();
    let mut code = 0u8;
    for path in &args {
        let src = match std::fs::read(path) {
            // BuildKit reads bytes; a file that is not UTF-8 is read lossily here.
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                eprintln!("error: {path}: {e}");
                code = 2;
                continue;
            }
        };
        if check {
            match dockerfile::parse(&src) {
                Ok(_) => out.push_str(&format!("{path}: ok\n")),
                Err(e) => {
                    out.push_str(&format!("{path}:{}:{}: {}\n", e.line, e.column, e.message));
                    code = code.max(1);
                }
            }
            continue;
        }
        match dockerfile::parse_syntax(&src) {
            Ok(df) => out.push_str(&dockerfile::buildkit_dump(&df, &src)),
            Err(e) => {
                eprintln!("error: {e}");
                code = code.max(1);
            }
        }
    }
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::from(code),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
