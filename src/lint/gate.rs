//! The gate around the engine: configuration (`config`), the engine (`lint()`), ignored paths,
//! inline suppressions (`suppress`), rule settings and rule selection. Baselines (`baseline`) and
//! output belong to the command (`commands::lint`), which calls this with a plain options struct.
//!
//! Order matters and is deliberate: suppressions are matched against everything the engine found,
//! before rules are turned off, so a suppression of a rule that is off is not reported as unused;
//! the baseline applies last (in the command), to what the user would otherwise see, and
//! `--write-baseline` records exactly that.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::report::sarif::RuleInfo;
use crate::report::{self, Finding, InputError, Severity, SourceFile};

use super::config::{self, Config, RuleSetting};
use super::facts::Date;
use super::{discover, lint, rules, suppress, LintOptions, StdinInput};

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
/// `-` (standard input) is not a path here: with only `-`, nothing is walked.
#[derive(Debug)]
pub struct Plan {
    groups: Vec<Group>,
    /// Paths that do not exist.
    missing: Vec<InputError>,
    /// Paths (or, with none, the repository) in which nothing was found to lint.
    pub empty: Vec<PathBuf>,
    /// The first group's repository root (else the one around the current folder): reports and
    /// baselines name paths from it.
    pub root: PathBuf,
}

/// What a lint run asks of the gate: a plain options struct that the command builds once from its
/// arguments (the gate knows no flags).
#[derive(Debug, Clone, Default)]
pub struct GateOptions {
    /// Files or folders; `-` stands for standard input. None: the repository around the current
    /// folder.
    pub paths: Vec<PathBuf>,
    /// One configuration file for every linted file, instead of the nearest `.faultline.yaml`.
    pub config: Option<PathBuf>,
    /// Also walk what `.gitignore`, `.ignore` and git's exclude files exclude.
    pub no_ignore: bool,
    /// The date time-dependent facts are judged at (`None`: the configuration's, else today).
    pub today: Option<Date>,
    /// Only these rules' findings (empty: every rule's).
    pub select: Vec<String>,
    /// Never these rules' findings.
    pub ignore: Vec<String>,
}

impl Plan {
    /// Discover the files and load their configurations. A configuration that cannot be used is
    /// an error: nothing is linted.
    pub fn new(opts: &GateOptions, cwd: &Path) -> Result<Plan, config::ConfigError> {
        let (groups, missing, empty) = groups(opts, cwd)?;
        let root = groups
            .first()
            .map_or_else(|| discover::repo_root(cwd), |g| g.root.clone());
        Ok(Plan {
            groups,
            missing,
            empty,
            root,
        })
    }

    /// Lint every group with its configuration, and standard input (when given) with the first
    /// group's (the repository around the current folder when `-` is the only path). Returns what
    /// is left after ignored paths, suppressions, rule settings and the selection.
    pub fn run(&self, opts: &GateOptions, cwd: &Path, stdin: Option<&StdinInput>) -> Gated {
        let mut gated = Gated {
            errors: self.missing.clone(),
            ..Gated::default()
        };
        for (i, g) in self.groups.iter().enumerate() {
            let lint_opts = LintOptions {
                paths: Vec::new(),
                targets: Some(g.targets.clone()),
                root: g.root.clone(),
                declared: g.config.declared.clone(),
                no_ignore: opts.no_ignore,
                today: opts.today.or(g.config.today),
                ghes: g.config.ghes,
            };
            let mut run = lint(&lint_opts);
            if let (0, Some(input)) = (i, stdin) {
                let mut more = super::lint_stdin(input, &lint_opts);
                run.findings.append(&mut more.findings);
                run.errors.append(&mut more.errors);
                run.files.append(&mut more.files);
                run.skipped.append(&mut more.skipped);
            }
            let mut part = apply(run, &g.config, cwd);
            gated.findings.append(&mut part.findings);
            gated.errors.append(&mut part.errors);
            gated.files.append(&mut part.files);
            gated.skipped.append(&mut part.skipped);
        }
        gated.findings.retain(|f| {
            (opts.select.is_empty() || opts.select.iter().any(|s| s == f.rule))
                && !opts.ignore.iter().any(|s| s == f.rule)
        });
        gated
            .findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        gated
    }
}

type Groups = (Vec<Group>, Vec<InputError>, Vec<PathBuf>);

fn groups(args: &GateOptions, cwd: &Path) -> Result<Groups, config::ConfigError> {
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
    let mut upward = std::collections::HashMap::new();
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
                            let f = config::find_upward_cached(&folder, &root, &mut upward)?;
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

/// A path as reports and baselines name it: relative to the repository root with forward slashes,
/// or absolute (forward slashes) when the file is outside it.
pub fn repo_path(p: &Path, root: &Path, cwd: &Path) -> String {
    config::relative_path(p, root, cwd).unwrap_or_else(|| {
        config::absolute(p, cwd)
            .to_string_lossy()
            .replace('\\', "/")
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::report::Label;

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
