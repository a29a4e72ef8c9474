//! `faultline lint`: build the gate's options from the arguments, read standard input and the
//! baseline, run the gate (`lint::gate`), apply fixes, pick the output format and the exit code.
//!
//! Exit codes: 0 nothing at or above `--fail-on`; 1 findings at or above it; 2 the configuration
//! or the baseline is unusable (nothing is linted), or a linted file could not be read or parsed
//! (the others are still linted and reported).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::{FailOn, LintArgs, LintFormat};
use crate::lint::baseline::{self, Baseline, Fingerprints};
use crate::lint::gate::{self, is_known_rule, repo_path, GateOptions, Plan};
use crate::lint::{config, fix, rules, StdinInput};
use crate::report::sarif::{self, ArtifactPath};
use crate::report::{self, Severity};
use crate::ui::{self, Ui};

pub fn run_lint(args: &LintArgs, ui: &Ui) -> ExitCode {
    let cwd = match std::env::current_dir() {
        Ok(c) => c,
        Err(e) => return ui.fail(format!("cannot read the current directory: {e}")),
    };
    for id in args.select.iter().chain(&args.ignore) {
        if !is_known_rule(id) {
            return ui.fail(format!("unknown rule `{id}`{}", rules::did_you_mean(id)));
        }
    }
    if args.statistics
        && !matches!(
            args.format,
            LintFormat::Human | LintFormat::Concise | LintFormat::Json
        )
    {
        return ui.fail("--statistics goes with --format human, concise or json");
    }
    let stdin_named = args.paths.iter().any(|p| p.as_os_str() == "-");
    let mut stdin = if stdin_named {
        let mut text = String::new();
        if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text) {
            return ui.fail(format!("-: cannot read standard input: {e}"));
        }
        let path = args
            .stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from("-"));
        Some(StdinInput { path, text })
    } else {
        if args.stdin_filename.is_some() {
            return ui.fail("--stdin-filename goes with `-` as the PATH (standard input)");
        }
        None
    };
    let opts = GateOptions {
        paths: args.paths.clone(),
        config: args.config.clone(),
        no_ignore: args.no_ignore,
        today: args.today,
        select: args.select.clone(),
        ignore: args.ignore.clone(),
    };
    let plan = match Plan::new(&opts, &cwd) {
        Ok(p) => p,
        Err(mut e) => {
            // A discovered file is named from the root: show it relative to where the user is.
            if let Ok(rel) = e.path.strip_prefix(&cwd) {
                e.path = rel.to_path_buf();
            }
            return ui.fail(e);
        }
    };
    // Read the baseline before linting: a broken one is a usage error, not a surprise at the end.
    let mut base = match &args.baseline {
        Some(p) if args.write_baseline.is_none() => match Baseline::load(p) {
            Ok(b) => Some(b),
            Err(e) => return ui.fail(e),
        },
        _ => None,
    };

    let mut gated = plan.run(&opts, &cwd, stdin.as_ref());
    // Reports and baselines name paths from the (first) repository root.
    let root = plan.root.clone();
    let path_of = |p: &Path| repo_path(p, &root, &cwd);

    if args.fix || args.diff {
        let fixed = fix::apply(&gated.findings, args.unsafe_fixes);
        if args.diff {
            let text: String = fixed.iter().map(fix::diff).collect();
            if let Err(e) = ui::write_stdout(&text) {
                return ui.fail(e);
            }
            let n: usize = fixed.iter().map(|f| f.applied).sum();
            if !args.quiet {
                eprintln!(
                    "faultline: {n} fix{} available in {} file{} (--diff wrote nothing)",
                    if n == 1 { "" } else { "es" },
                    fixed.len(),
                    if fixed.len() == 1 { "" } else { "s" }
                );
            }
            return if !gated.errors.is_empty() {
                ExitCode::from(ui::EXIT_INPUT)
            } else if fixed.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            };
        }
        for f in &fixed {
            match &mut stdin {
                // Standard input is fixed to standard output, as ruff does.
                Some(input) if f.path == input.path => {
                    if let Err(e) = ui::write_stdout(&f.fixed) {
                        return ui.fail(e);
                    }
                    input.text = f.fixed.clone();
                }
                _ => {
                    if let Err(e) = ui::write_file_atomic(&f.path, &f.fixed) {
                        return ui.fail(format!("cannot write {}: {e}", f.path.display()));
                    }
                }
            }
        }
        if !args.quiet {
            let n: usize = fixed.iter().map(|f| f.applied).sum();
            eprintln!(
                "faultline: fixed {n} finding{} in {} file{}",
                if n == 1 { "" } else { "s" },
                fixed.len(),
                if fixed.len() == 1 { "" } else { "s" }
            );
        }
        if !fixed.is_empty() {
            gated = plan.run(&opts, &cwd, stdin.as_ref());
        }
    }

    for e in &gated.errors {
        eprintln!("faultline: error: {e}");
    }
    if !args.quiet {
        for e in &gated.skipped {
            eprintln!("faultline: warning: {e}");
        }
    }
    for p in &plan.empty {
        eprintln!(
            "faultline: warning: {}: nothing to lint (no GitHub workflow or action, GitLab CI file or Dockerfile found)",
            p.display()
        );
    }
    if args.strict && !plan.empty.is_empty() {
        return ExitCode::from(ui::EXIT_INPUT);
    }

    if let Some(out) = &args.write_baseline {
        let text = baseline::render(&gated.findings, &path_of);
        if let Err(e) = ui::write_file_atomic(out, &text) {
            return ui.fail(format!("cannot write the baseline {}: {e}", out.display()));
        }
        if !args.quiet {
            let n = gated.findings.len();
            eprintln!(
                "faultline: recorded {n} finding{} in {}",
                if n == 1 { "" } else { "s" },
                out.display()
            );
        }
        return if gated.errors.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(ui::EXIT_INPUT)
        };
    }

    let (findings, hidden, stale) = match base.as_mut() {
        Some(b) => {
            let (kept, hidden) = b.filter(gated.findings, &path_of);
            (kept, hidden, b.stale())
        }
        None => (gated.findings, 0, 0),
    };

    let fingerprints = Fingerprints::new(&findings, &path_of);
    let out = match args.format {
        _ if args.statistics && args.format == LintFormat::Json => {
            report::json::statistics(&findings)
        }
        _ if args.statistics => report::human::statistics(&findings),
        LintFormat::Concise => {
            let mut s = report::concise::render(&findings, &path_of);
            if !args.quiet {
                s.push_str(&report::human::summary(
                    &findings,
                    gated.files.len(),
                    gated.errors.len(),
                ));
            }
            s
        }
        LintFormat::Gitlab => report::gitlab::render(&findings, &path_of, &|f| fingerprints.of(f)),
        LintFormat::Human => {
            let mut s = report::human::render(&findings, ui.color, ui.width);
            if !args.quiet {
                s.push_str(&report::human::summary(
                    &findings,
                    gated.files.len(),
                    gated.errors.len(),
                ));
                if hidden > 0 || stale > 0 {
                    s.push_str(&baseline_note(hidden, stale));
                }
            }
            s
        }
        LintFormat::Json => report::json::render(&findings, &gated.errors, gated.files.len()),
        LintFormat::Github => report::github::render(&findings, &gated.errors, &path_of),
        LintFormat::Sarif => {
            let artifact = |p: &Path| match config::relative_path(p, &root, &cwd) {
                Some(rel) => ArtifactPath::Relative(rel),
                None => ArtifactPath::Absolute(config::absolute(p, &cwd)),
            };
            let root_uri = Some(sarif::file_uri(&root, true));
            sarif::render(
                &findings,
                &gated.errors,
                &gate::rule_catalog(),
                &artifact,
                root_uri,
                &|f| fingerprints.of(f),
            )
        }
    };
    let written = match &args.output_file {
        Some(path) => ui::write_file_atomic(path, &out)
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => ui::write_stdout(&out).map_err(|e| e.to_string()),
    };
    if let Err(e) = written {
        return ui.fail(e);
    }

    let threshold = match args.fail_on.unwrap_or(FailOn::Error) {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Never => None,
    };
    if !gated.errors.is_empty() {
        ExitCode::from(ui::EXIT_INPUT)
    } else if threshold.is_some_and(|t| findings.iter().any(|f| f.severity >= t)) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn baseline_note(hidden: usize, stale: usize) -> String {
    let mut parts = Vec::new();
    if hidden > 0 {
        parts.push(format!(
            "{hidden} finding{} hidden by the baseline",
            if hidden == 1 { "" } else { "s" }
        ));
    }
    if stale > 0 {
        parts.push(format!(
            "{stale} baseline entr{} no longer found (rewrite it with --write-baseline)",
            if stale == 1 { "y" } else { "ies" }
        ));
    }
    format!("{}\n", parts.join("; "))
}
