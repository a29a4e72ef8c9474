//! `faultline lint` as a command, the gate around the engine: configuration (`config`), the engine
//! (`lint()`), ignored paths, inline suppressions (`suppress`), rule settings, baselines
//! (`baseline`), then one output format and the exit code.
//!
//! Order matters and is deliberate: suppressions are matched against everything the engine found,
//! before rules are turned off, so a suppression of a rule that is off is not reported as unused;
//! the baseline applies last, to what the user would otherwise see, and `--write-baseline` records
//! exactly that.
//!
//! Exit codes: 0 nothing at or above `--fail-on`; 1 findings at or above it; 2 the configuration
//! or the baseline is unusable (nothing is linted), or a linted file could not be read or parsed
//! (the others are still linted and reported).

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use crate::cli::{FailOn, LintArgs, LintFormat};
use crate::report::sarif::{self, ArtifactPath, RuleInfo};
use crate::report::{self, playbook_url, Finding, InputError, Severity, SourceFile};
use crate::ui::{self, Ui};

use super::baseline::{self, Baseline};
use super::config::{self, Config, RuleSetting};
use super::{discover, lint, rules, suppress, LintOptions};

/// Where the suppression syntax is documented (the `helpUri` of `faultline-suppression`).
pub const SUPPRESSION_DOC_URL: &str =
    "https://github.com/faultline-ci/faultline/blob/main/docs/configuration.md#inline-suppressions";

/// Whether `id` is a rule the configuration and suppressions may name.
pub fn is_known_rule(id: &str) -> bool {
    id == suppress::RULE || rules::is_rule_id(id)
}

/// Every rule's SARIF metadata: the catalog's rules, then `faultline-suppression`.
pub fn rule_catalog() -> Vec<RuleInfo> {
    let mut out: Vec<RuleInfo> = rules::all()
        .iter()
        .map(|m| RuleInfo {
            id: m.id.clone(),
            summary: m.summary.clone(),
            explanation: m.explanation.clone(),
            severity: m.severity,
            help_uri: playbook_url(&m.playbook),
        })
        .collect();
    out.push(RuleInfo {
        id: suppress::RULE.to_string(),
        summary: suppress::SUMMARY.to_string(),
        explanation: suppress::EXPLANATION.to_string(),
        severity: Severity::Warning,
        help_uri: SUPPRESSION_DOC_URL.to_string(),
    });
    out
}

/// What is left to report after the gate.
#[derive(Debug, Default)]
pub struct Gated {
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    pub files: Vec<Arc<SourceFile>>,
}

/// Apply ignored paths, suppressions and rule settings to an engine run.
pub fn apply(run: super::LintRun, config: &Config, cwd: &Path) -> Gated {
    let super::LintRun {
        mut findings,
        mut errors,
        mut files,
    } = run;
    if !config.ignore.is_empty() {
        findings.retain(|f| !config.is_ignored(&f.file.path, cwd));
        errors.retain(|e| !config.is_ignored(&e.path, cwd));
        files.retain(|f| !config.is_ignored(&f.path, cwd));
    }
    let findings = suppress::apply(findings, &files, &is_known_rule);
    let mut findings: Vec<Finding> = findings
        .into_iter()
        .filter_map(|mut f| match config.rule(f.rule) {
            Some(RuleSetting::Off) => None,
            Some(RuleSetting::Severity(s)) => {
                f.severity = s;
                Some(f)
            }
            None => Some(f),
        })
        .collect();
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Gated {
        findings,
        errors,
        files,
    }
}

pub fn run_lint(args: &LintArgs, ui: &Ui) -> ExitCode {
    let cwd = match std::env::current_dir() {
        Ok(c) => c,
        Err(e) => return ui.fail(format!("cannot read the current directory: {e}")),
    };
    let root = discover::repo_root(&cwd);
    let config = match Config::for_lint(args.config.as_deref(), &root, &is_known_rule) {
        Ok(c) => c,
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

    let opts = LintOptions {
        paths: args.paths.clone(),
        root: root.clone(),
        declared: config.declared.clone(),
    };
    let gated = apply(lint(&opts), &config, &cwd);
    let path_of = |p: &Path| repo_path(p, &root, &cwd);

    for e in &gated.errors {
        eprintln!("faultline: error: {e}");
    }

    if let Some(out) = &args.write_baseline {
        let text = baseline::render(&gated.findings, &path_of);
        if let Err(e) = crate::ui::write_file_atomic(out, &text) {
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

    let out = match args.format {
        LintFormat::Human => {
            let mut s = report::human::render(&findings, ui.color);
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
            let fingerprints = Fingerprints::new(&findings, &path_of);
            sarif::render(
                &findings,
                &gated.errors,
                &rule_catalog(),
                &artifact,
                root_uri,
                &|f| fingerprints.of(f),
            )
        }
    };
    if let Err(e) = ui::write_stdout(&out) {
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

/// A path as reports and baselines name it: relative to the repository root with forward slashes,
/// or absolute (forward slashes) when the file is outside it.
pub fn repo_path(p: &Path, root: &Path, cwd: &Path) -> String {
    config::relative_path(p, root, cwd).unwrap_or_else(|| {
        config::absolute(p, cwd)
            .to_string_lossy()
            .replace('\\', "/")
    })
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

/// SARIF fingerprints: rule, repository path and normalised command (the baseline's key), plus the
/// occurrence number among identical keys, hashed with FNV-1a 64 (stable across Rust versions,
/// unlike `DefaultHasher`).
struct Fingerprints {
    by_ptr: std::collections::HashMap<*const Finding, String>,
}

impl Fingerprints {
    fn new(findings: &[Finding], path_of: &dyn Fn(&Path) -> String) -> Self {
        let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut by_ptr = std::collections::HashMap::new();
        for f in findings {
            let key = format!(
                "{}\0{}\0{}",
                f.rule,
                path_of(&f.file.path),
                baseline::normalize_command(f.snippet())
            );
            let n = seen.entry(key.clone()).or_default();
            let fp = format!("{:016x}:{}", fnv1a64(key.as_bytes()), *n);
            *n += 1;
            by_ptr.insert(f as *const Finding, fp);
        }
        Fingerprints { by_ptr }
    }

    fn of(&self, f: &Finding) -> String {
        self.by_ptr
            .get(&(f as *const Finding))
            .cloned()
            .unwrap_or_default()
    }
}

fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::report::Label;

    #[test]
    fn fnv_is_the_reference_function() {
        // Reference values of FNV-1a 64.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn catalog_lists_every_rule_and_the_suppression_rule() {
        let cat = rule_catalog();
        assert_eq!(cat.len(), rules::all().len() + 1);
        assert!(cat.iter().any(|r| r.id == "pip-install-externally-managed"));
        assert_eq!(cat.last().map(|r| r.id.as_str()), Some(suppress::RULE));
        assert!(is_known_rule(suppress::RULE));
        assert!(!is_known_rule("no-such-rule"));
    }

    #[test]
    fn apply_turns_rules_off_changes_severity_and_ignores_paths() {
        let dir = PathBuf::from("/repo");
        let a = SourceFile::new(
            PathBuf::from("/repo/Dockerfile"),
            "RUN pip install a\n".into(),
        );
        let v = SourceFile::new(
            PathBuf::from("/repo/vendor/Dockerfile"),
            "RUN pip install v\n".into(),
        );
        let mk = |file: &Arc<SourceFile>, rule: &'static str| Finding {
            rule,
            severity: Severity::Error,
            playbook: "p",
            file: file.clone(),
            message: "m".into(),
            primary: Label {
                span: 4..17,
                message: "x".into(),
            },
            related: Vec::new(),
            help: None,
        };
        let text = "rules:\n  faultline-suppression: info\nignore: [vendor/]\n";
        let config = config::parse(
            text,
            Path::new("/repo/.faultline.yaml"),
            &dir,
            &is_known_rule,
        )
        .expect("valid");
        let run = super::super::LintRun {
            findings: vec![mk(&a, suppress::RULE), mk(&v, suppress::RULE)],
            errors: vec![InputError {
                path: PathBuf::from("/repo/vendor/x.yml"),
                line: None,
                column: None,
                message: "bad".into(),
            }],
            files: vec![a.clone(), v.clone()],
        };
        let g = apply(run, &config, &dir);
        assert_eq!(g.findings.len(), 1);
        assert_eq!(g.findings[0].severity, Severity::Info);
        assert!(g.errors.is_empty());
        assert_eq!(g.files.len(), 1);

        let off = config::parse(
            "rules:\n  faultline-suppression: off\n",
            Path::new("c"),
            &dir,
            &is_known_rule,
        )
        .expect("valid");
        let run = super::super::LintRun {
            findings: vec![mk(&a, suppress::RULE)],
            errors: Vec::new(),
            files: vec![a],
        };
        assert!(apply(run, &off, &dir).findings.is_empty());
    }
}
