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

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use crate::cli::{FailOn, LintArgs, LintFormat};
use crate::report::sarif::{self, ArtifactPath, RuleInfo};
use crate::report::{self, Finding, InputError, Severity, SourceFile};
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
            help_uri: report::rule_url(&m.id),
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
    /// Named files that are no CI file faultline knows (warnings).
    pub skipped: Vec<InputError>,
}

/// Apply ignored paths, suppressions and rule settings to an engine run.
pub fn apply(run: super::LintRun, config: &Config, cwd: &Path) -> Gated {
    let super::LintRun {
        mut findings,
        mut errors,
        mut files,
        mut skipped,
    } = run;
    if !config.ignore.is_empty() {
        findings.retain(|f| !config.is_ignored(&f.file.path, cwd));
        errors.retain(|e| !config.is_ignored(&e.path, cwd));
        files.retain(|f| !config.is_ignored(&f.path, cwd));
        skipped.retain(|e| !config.is_ignored(&e.path, cwd));
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
        skipped,
    }
}

/// The files of one lint run that share a repository root and a configuration file.
#[derive(Debug)]
struct Group {
    root: PathBuf,
    config: Config,
    targets: Vec<discover::Target>,
}

/// Find the files to lint and split them by what applies to them: the repository root of the path
/// they were found from (the enclosing git checkout; else the one around the current folder when
/// the path is below it; else the path's folder) and the nearest `.faultline.yaml` from each file's
/// folder up to that root. With no path, the repository around the current folder, whose root
/// configuration is always read (and checked), even when there is nothing to lint. Paths that do
/// not exist come back as input errors.
/// Paths (or, with none, the repository) in which nothing was found to lint come back in the third
/// place. `-` (standard input) is not a path here: with only `-`, nothing is walked.
type Groups = (Vec<Group>, Vec<InputError>, Vec<PathBuf>);

fn groups(args: &LintArgs, cwd: &Path) -> Result<Groups, config::ConfigError> {
    let cwd_root = discover::repo_root(cwd);
    let mut keyed: Vec<(PathBuf, Option<PathBuf>, Vec<discover::Target>)> = Vec::new();
    let stdin_named = args.paths.iter().any(|p| p.as_os_str() == "-");
    let paths: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    let mut empty = Vec::new();
    let inputs = if stdin_named && paths.is_empty() {
        let found = match &args.config {
            Some(c) => Some(c.clone()),
            None => config::find(&cwd_root)?,
        };
        keyed.push((cwd_root.clone(), found, Vec::new()));
        Vec::new()
    } else if paths.is_empty() {
        let found = match &args.config {
            Some(c) => Some(c.clone()),
            None => config::find(&cwd_root)?,
        };
        keyed.push((cwd_root.clone(), found, Vec::new()));
        vec![cwd_root.clone()]
    } else {
        paths
    };
    let mut missing = Vec::new();
    let mut nearest: std::collections::HashMap<PathBuf, Option<PathBuf>> =
        std::collections::HashMap::new();
    let mut seen = std::collections::HashSet::new();
    for p in &inputs {
        let abs = config::absolute(p, cwd);
        let dir = if abs.is_dir() {
            abs.clone()
        } else {
            abs.parent().map_or_else(|| abs.clone(), Path::to_path_buf)
        };
        let git_root = discover::repo_root(&dir);
        let root = if git_root.join(".git").exists() {
            git_root
        } else if dir.starts_with(&cwd_root) {
            cwd_root.clone()
        } else {
            dir.clone()
        };
        let (targets, errors) = discover::discover(std::slice::from_ref(p), &root, !args.no_ignore);
        if targets.is_empty() && errors.is_empty() {
            empty.push(p.clone());
        }
        missing.extend(errors.into_iter().map(|(path, message)| InputError {
            path,
            line: None,
            column: None,
            message,
        }));
        for target in targets {
            let abs = config::absolute(&target.path, cwd);
            if !seen.insert(abs.clone()) {
                continue;
            }
            let found = match &args.config {
                Some(c) => Some(c.clone()),
                None => {
                    let folder = abs.parent().map_or_else(|| abs.clone(), Path::to_path_buf);
                    match nearest.get(&folder) {
                        Some(f) => f.clone(),
                        None => {
                            let f = config::find_upward(&folder, &root)?;
                            nearest.insert(folder, f.clone());
                            f
                        }
                    }
                }
            };
            match keyed.iter_mut().find(|(r, c, _)| *r == root && *c == found) {
                Some((_, _, ts)) => ts.push(target),
                None => keyed.push((root.clone(), found, vec![target])),
            }
        }
    }
    let groups = keyed
        .into_iter()
        .map(|(root, found, targets)| {
            let config = match found {
                Some(f) => config::load(&f, &is_known_rule)?,
                None => Config::for_dir(None, &root, &root, &is_known_rule)?,
            };
            Ok(Group {
                root,
                config,
                targets,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((groups, missing, empty))
}

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
        Some(super::StdinInput { path, text })
    } else {
        if args.stdin_filename.is_some() {
            return ui.fail("--stdin-filename goes with `-` as the PATH (standard input)");
        }
        None
    };
    let (groups, missing, empty) = match groups(args, &cwd) {
        Ok(g) => g,
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

    // Each group with its configuration; standard input with the first group's (the repository
    // around the current folder when `-` is the only path).
    let run_all = |stdin: Option<&super::StdinInput>| {
        let mut gated = Gated {
            errors: missing.clone(),
            ..Gated::default()
        };
        for (i, g) in groups.iter().enumerate() {
            let opts = LintOptions {
                paths: Vec::new(),
                targets: Some(g.targets.clone()),
                root: g.root.clone(),
                declared: g.config.declared.clone(),
                no_ignore: args.no_ignore,
                today: args.today.or(g.config.today),
                ghes: g.config.ghes,
            };
            let mut run = lint(&opts);
            if let (0, Some(input)) = (i, stdin) {
                let mut more = super::lint_stdin(input, &opts);
                run.findings.append(&mut more.findings);
                run.errors.append(&mut more.errors);
                run.files.append(&mut more.files);
                run.skipped.append(&mut more.skipped);
            }
            let mut part = apply(run, &g.config, &cwd);
            gated.findings.append(&mut part.findings);
            gated.errors.append(&mut part.errors);
            gated.files.append(&mut part.files);
            gated.skipped.append(&mut part.skipped);
        }
        gated.findings.retain(|f| {
            (args.select.is_empty() || args.select.iter().any(|s| s == f.rule))
                && !args.ignore.iter().any(|s| s == f.rule)
        });
        gated
            .findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        gated
    };
    let mut gated = run_all(stdin.as_ref());
    // Reports and baselines name paths from the (first) repository root.
    let root = groups
        .first()
        .map_or_else(|| discover::repo_root(&cwd), |g| g.root.clone());
    let path_of = |p: &Path| repo_path(p, &root, &cwd);

    if args.fix || args.diff {
        let fixed = super::fix::apply(&gated.findings, args.unsafe_fixes);
        if args.diff {
            let text: String = fixed.iter().map(super::fix::diff).collect();
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
                    if let Err(e) = crate::ui::write_file_atomic(&f.path, &f.fixed) {
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
            gated = run_all(stdin.as_ref());
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
    for p in &empty {
        eprintln!(
            "faultline: warning: {}: nothing to lint (no GitHub workflow or action, GitLab CI file or Dockerfile found)",
            p.display()
        );
    }
    if args.strict && !empty.is_empty() {
        return ExitCode::from(ui::EXIT_INPUT);
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

    let fingerprints = Fingerprints::new(&findings, &path_of);
    let out = match args.format {
        _ if args.statistics => statistics(&findings, args.format == LintFormat::Json),
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
                &rule_catalog(),
                &artifact,
                root_uri,
                &|f| fingerprints.of(f),
            )
        }
    };
    let written = match &args.output_file {
        Some(path) => crate::ui::write_file_atomic(path, &out)
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

/// `--statistics`: findings per rule, most first (then by id), as a table or JSON.
fn statistics(findings: &[Finding], json: bool) -> String {
    let mut counts: Vec<(usize, &'static str, Severity)> = Vec::new();
    for f in findings {
        match counts.iter_mut().find(|(_, rule, _)| *rule == f.rule) {
            Some(entry) => {
                entry.0 += 1;
                entry.2 = entry.2.max(f.severity);
            }
            None => counts.push((1, f.rule, f.severity)),
        }
    }
    counts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    if json {
        let rows: Vec<serde_json::Value> = counts
            .iter()
            .map(|(n, rule, sev)| serde_json::json!({"rule": rule, "severity": sev.as_str(), "count": n}))
            .collect();
        let mut s =
            serde_json::to_string_pretty(&rows).expect("internal error: JSON of plain data");
        s.push('\n');
        return s;
    }
    let mut out = String::new();
    for (n, rule, sev) in &counts {
        out.push_str(&format!("{n:>6}  {:<7}  {rule}\n", sev.as_str()));
    }
    out.push_str(&format!(
        "{:>6}  finding{} in all\n",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" }
    ));
    out
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
            related_elsewhere: Vec::new(),
            help: None,
            fix: None,
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
            skipped: Vec::new(),
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
            skipped: Vec::new(),
        };
        assert!(apply(run, &off, &dir).findings.is_empty());
    }
}
