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
pub mod link;
pub mod matcher;
pub mod normalize;
pub mod report;
pub mod scan;
pub mod scoring;

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::playbook::load::{Catalog, LoadError};

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

/// Which playbooks may be diagnosed: `select` (empty: all) and `ignore` hold playbook categories
/// or ids.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selection {
    /// Check every name against the catalog: an unknown one is an error with the nearest
    /// categories and ids.
    pub fn check(&self, catalog: &Catalog) -> Result<(), String> {
        let names: Vec<&str> = catalog
            .entries()
            .iter()
            .flat_map(|e| [e.playbook.category.as_str(), e.playbook.id.as_str()])
            .collect();
        for name in self.select.iter().chain(&self.ignore) {
            if !names.contains(&name.as_str()) {
                let near = crate::playbook::render::suggestions(name, names.iter().copied());
                let hint = if near.is_empty() {
                    "see `faultline list` for the categories and ids".to_string()
                } else {
                    format!("did you mean {}?", near.join(", "))
                };
                return Err(format!("no playbook category or id `{name}`; {hint}"));
            }
        }
        Ok(())
    }

    fn allows(&self, category: &str, id: &str) -> bool {
        let named = |list: &[String]| list.iter().any(|n| n == category || n == id);
        (self.select.is_empty() || named(&self.select)) && !named(&self.ignore)
    }
}

impl Analysis {
    /// Keep only the diagnoses `selection` allows (the others are dropped before ranking is
    /// shown; the scores of those left do not change).
    pub fn select(&mut self, catalog: &Catalog, selection: &Selection) {
        self.diagnoses.retain(|d| {
            let p = &catalog.entries()[d.playbook].playbook;
            selection.allows(&p.category, &p.id)
        });
    }
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
