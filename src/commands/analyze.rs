//! `faultline analyze`, `faultline fix` and `faultline eval`: load the catalog, run the diagnose
//! engine on a log (or a labelled folder), hand the result to its report, pick the exit code.

use std::path::Path;
use std::process::ExitCode;

use crate::analyze::{eval, link, report, Analysis, Engine, Selection};
use crate::cli::{AnalyzeArgs, AnalyzeFormat, CatalogArgs, EvalArgs, FixArgs, ListFormat};
use crate::ui::{self, Ui};

/// The bundled catalog plus the team folders (`.faultline.yaml`, then `--playbooks`).
fn load_engine(catalog: &CatalogArgs) -> Result<Engine, String> {
    let dirs = catalog.dirs()?;
    Engine::load(&dirs).map_err(|e| e.to_string())
}

/// Load the catalog, check the selection against it (before reading the log), analyze `log` (a
/// path, or `-` for stdin) and keep the selected diagnoses.
fn load_and_analyze(
    catalog: &CatalogArgs,
    log: &Path,
    select: &[String],
    ignore: &[String],
) -> Result<(Engine, Analysis), String> {
    let selection = Selection {
        select: select.to_vec(),
        ignore: ignore.to_vec(),
    };
    let selection = &selection;
    let engine = load_engine(catalog)?;
    selection.check(&engine.catalog)?;
    let mut analysis = engine.analyze_path(log).map_err(|e| e.to_string())?;
    analysis.select(&engine.catalog, selection);
    Ok((engine, analysis))
}

pub fn run_analyze(args: &AnalyzeArgs, ui: &Ui) -> ExitCode {
    let (engine, analysis) =
        match load_and_analyze(&args.catalog, &args.log, &args.select, &args.ignore) {
            Ok(r) => r,
            Err(e) => return ui.fail(e),
        };
    let top = args.top.max(1);
    // `--repo DIR`: the configuration lines that lint says cause the diagnoses shown.
    let config = match &args.repo {
        Some(repo) => {
            let shown: Vec<&str> = analysis
                .diagnoses
                .iter()
                .take(top)
                .map(|d| engine.catalog.entries()[d.playbook].playbook.id.as_str())
                .collect();
            match link::config_lines(repo, &shown) {
                Ok(l) => Some(l),
                Err(e) => return ui.fail(e),
            }
        }
        None => None,
    };
    let text = match args.format {
        AnalyzeFormat::Human => {
            let mut text = report::human(&analysis, &engine.catalog, top, ui.color);
            if let Some(lines) = &config {
                text.push_str(&link::human(lines));
            }
            text
        }
        AnalyzeFormat::Markdown => {
            let mut text = report::markdown(&analysis, &engine.catalog, top);
            if let Some(lines) = &config {
                text.push_str(&link::markdown(lines));
            }
            text
        }
        AnalyzeFormat::Json => report::json(&analysis, &engine.catalog, top, config.as_deref()),
    };
    ui.emit(&text)
}

pub fn run_fix(args: &FixArgs, ui: &Ui) -> ExitCode {
    let (engine, analysis) =
        match load_and_analyze(&args.catalog, &args.log, &args.select, &args.ignore) {
            Ok(r) => r,
            Err(e) => return ui.fail(e),
        };
    let format = match args.format {
        AnalyzeFormat::Human => report::Format::Human,
        AnalyzeFormat::Json => report::Format::Json,
        AnalyzeFormat::Markdown => report::Format::Markdown,
    };
    ui.emit(&report::fix(&analysis, &engine.catalog, format, ui.color))
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
        ListFormat::Human => eval::human(&result),
        ListFormat::Json => eval::json(&result),
    };
    let code = ui.emit(&text);
    if !result.unreadable.is_empty() {
        for u in &result.unreadable {
            eprintln!("faultline: error: {}: {}", u.file, u.error);
        }
        return ExitCode::from(ui::EXIT_INPUT);
    }
    code
}
