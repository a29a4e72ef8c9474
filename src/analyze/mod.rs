//! The diagnose engine: one streaming pass over a log, normalising CI noise, matching playbook
//! signals, and ranking diagnoses with a calibrated confidence.
//!
//! - `normalize`: what CI adds around a line (ANSI, timestamps, markers, BuildKit prefixes);
//! - `matcher`: the catalog's signals compiled into two multi-pattern regexes;
//! - `scan`: the chunked pass, bounded evidence, log structure (steps, failing step);
//! - `scoring`: candidates, confidence and bands;
//! - `report`: human, JSON and Markdown output;
//! - `eval`: `faultline eval`, scoring the catalog against labelled logs.

pub mod eval;
pub mod input;
pub mod landmarks;
mod link;
pub mod matcher;
pub mod normalize;
pub mod report;
pub mod scan;
pub mod scoring;

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::{AnalyzeArgs, AnalyzeFormat, EvalArgs, FixArgs};
use crate::playbook::load::{Catalog, LoadError};
use crate::ui::Ui;

use matcher::Matcher;
use scan::ScanOutcome;
use scoring::Diagnosis;

/// A catalog with its signals compiled, ready to analyse any number of logs.
pub struct Engine {
    pub catalog: Catalog,
    pub matcher: Matcher,
}

/// The result of analysing one log.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The input as the user named it (`-` for stdin).
    pub input: String,
    pub outcome: ScanOutcome,
    /// Every candidate, best first.
    pub diagnoses: Vec<Diagnosis>,
    /// Where the log came from, when the input was a log archive (`.zip`).
    pub archive: Option<input::ArchiveOrigin>,
}

impl Engine {
    /// Load the bundled catalog plus `team_dirs`, and compile every signal.
    pub fn load(team_dirs: &[PathBuf]) -> Result<Engine, LoadError> {
        let catalog = Catalog::load(team_dirs)?;
        let matcher = Matcher::new(&catalog)?;
        Ok(Engine { catalog, matcher })
    }

    /// Analyse a log read from `reader`.
    pub fn analyze<R: Read>(&self, reader: R, input: &str) -> io::Result<Analysis> {
        let outcome = scan::scan(reader, &self.matcher)?;
        let diagnoses = scoring::rank(&self.catalog, &self.matcher, &outcome);
        Ok(Analysis {
            input: input.to_string(),
            outcome,
            diagnoses,
            archive: None,
        })
    }

    /// Analyse a file, or stdin for `-`: plain text, a `.gz` log, or GitHub's log archive
    /// (`.zip`: the failed job's log). Errors read `<path>: <what went wrong>`; binary input and
    /// paths that are not regular files (FIFOs, devices) are errors.
    pub fn analyze_path(&self, path: &Path) -> Result<Analysis, String> {
        let shown = path.display().to_string();
        let opened = if shown == "-" {
            input::open_stdin()
        } else {
            input::open_path(path)
        };
        let log = opened.map_err(|e| format!("{shown}: {e}"))?;
        let mut analysis = self
            .analyze(log.reader, &shown)
            .map_err(|e| format!("{shown}: {}", io_message(&e)))?;
        analysis.archive = log.archive;
        Ok(analysis)
    }
}

/// An I/O error without Rust's `(os error N)` suffix.
pub fn io_message(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::IsADirectory => "is a directory, not a log file".to_string(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(p) => s[..p].to_string(),
                None => s,
            }
        }
    }
}

/// The bundled catalog plus the team folders (`.faultline.yaml`, then `--playbooks`).
fn load_engine(catalog: &crate::cli::CatalogArgs) -> Result<Engine, String> {
    let dirs = catalog.dirs()?;
    Engine::load(&dirs).map_err(|e| e.to_string())
}

/// Load the catalog and analyze `log` (a path, or `-` for stdin).
fn load_and_analyze(
    catalog: &crate::cli::CatalogArgs,
    log: &Path,
) -> Result<(Engine, Analysis), String> {
    let engine = load_engine(catalog)?;
    let analysis = engine.analyze_path(log).map_err(|e| e.to_string())?;
    Ok((engine, analysis))
}

pub fn run_analyze(args: &AnalyzeArgs, ui: &Ui) -> ExitCode {
    let (engine, analysis) = match load_and_analyze(&args.catalog, &args.log) {
        Ok(r) => r,
        Err(e) => return ui.fail(e),
    };
    let top = args.top.max(1);
    let mut text = match args.format {
        AnalyzeFormat::Human => report::human(&analysis, &engine.catalog, top, ui.color),
        AnalyzeFormat::Json => report::json(&analysis, &engine.catalog, top),
        AnalyzeFormat::Markdown => report::markdown(&analysis, &engine.catalog, top),
    };
    if let Some(repo) = &args.repo {
        let shown: Vec<&str> = analysis
            .diagnoses
            .iter()
            .take(top)
            .map(|d| engine.catalog.entries()[d.playbook].playbook.id.as_str())
            .collect();
        let lines = match link::config_lines(repo, &shown) {
            Ok(l) => l,
            Err(e) => return ui.fail(e),
        };
        match args.format {
            AnalyzeFormat::Human => text.push_str(&link::human(&lines)),
            AnalyzeFormat::Markdown => text.push_str(&link::markdown(&lines)),
            AnalyzeFormat::Json => text = link::json(&text, &lines),
        }
    }
    ui.emit(&text)
}

pub fn run_fix(args: &FixArgs, ui: &Ui) -> ExitCode {
    let (engine, analysis) = match load_and_analyze(&args.catalog, &args.log) {
        Ok(r) => r,
        Err(e) => return ui.fail(e),
    };
    ui.emit(&report::fix(
        &analysis,
        &engine.catalog,
        args.format,
        ui.color,
    ))
}

pub fn run_eval(args: &EvalArgs, ui: &Ui) -> ExitCode {
    let engine = match load_engine(&args.catalog) {
        Ok(e) => e,
        Err(e) => return ui.fail(e),
    };
    let labels = args
        .labels
        .clone()
        .unwrap_or_else(|| args.dir.join("labels.tsv"));
    let result = match eval::evaluate(&engine, &args.dir, &labels) {
        Ok(r) => r,
        Err(e) => return ui.fail(e),
    };
    let text = match args.format {
        crate::cli::ListFormat::Human => eval::human(&result),
        crate::cli::ListFormat::Json => eval::json(&result),
    };
    let code = ui.emit(&text);
    if !result.unreadable.is_empty() {
        for u in &result.unreadable {
            eprintln!("faultline: error: {}: {}", u.file, u.error);
        }
        return ExitCode::from(crate::ui::EXIT_INPUT);
    }
    code
}
