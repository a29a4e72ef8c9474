//! Command-line definitions (clap derive). The doc comments here are the `--help` text, and the
//! same definitions generate the man page and shell completions, so they stay in one place.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Diagnose failed CI logs, and lint CI configuration for failures before they happen.
///
/// Two engines share one catalog of playbooks:
///   faultline analyze build.log       diagnose a failed CI log (or `-` for stdin)
///   faultline lint .github/workflows  flag what will fail before it runs
///
/// Exit codes: 0 ran clean (analyze: it ran, matched or not), 1 lint findings at or above
/// --fail-on, 2 usage error or unusable input.
#[derive(Debug, Parser)]
#[command(
    name = "faultline",
    version,
    propagate_version = true,
    max_term_width = 100,
    verbatim_doc_comment
)]
pub struct Cli {
    /// When to use colour: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Diagnose a failed CI log: rank playbooks and print evidence, root cause and fix.
    ///
    /// Reads the log in one streaming pass (a file, or `-` for stdin; a `.gz` log is decompressed
    /// on the fly; GitHub's "Download log archive" `.zip` is read for its failed job, and the job
    /// and step are named). Binary files, FIFOs and devices are refused. ANSI colour, GitHub
    /// Actions timestamps and ##[group] markers, GitLab section markers, BuildKit `#12 0.5`
    /// prefixes and CRLF are normalised before matching; evidence keeps input line numbers.
    ///
    /// Exit codes: 0 when the log was read (diagnosed or not: the JSON says which),
    /// 2 when the input or a playbook is unusable.
    ///
    /// Examples:
    ///   faultline analyze build.log
    ///   gh run view 123 --log-failed | faultline analyze -
    ///   faultline analyze logs_123.zip
    ///   faultline analyze build.log --format markdown >> "$GITHUB_STEP_SUMMARY"
    #[command(verbatim_doc_comment)]
    Analyze(AnalyzeArgs),

    /// Print only the fix steps of the top diagnosis for a log.
    Fix(FixArgs),

    /// Render a playbook (or a lint rule) by id.
    ///
    /// Unknown ids exit 2 and suggest the nearest ids.
    Explain(ExplainArgs),

    /// List the playbooks in the catalog.
    List(ListArgs),

    /// Write one documentation page per playbook, plus an index, into OUT_DIR.
    Docs(DocsArgs),

    /// Score the catalog against labelled logs (for playbook authors).
    ///
    /// DIR holds the logs and a labels.tsv with the columns `file`, `expected_playbook`,
    /// `top_n`. An `expected_playbook` of `-` or `none` marks a log that must get no diagnosis
    /// at medium confidence or above (a negative case).
    Eval(EvalArgs),

    /// Lint GitHub Actions workflows, composite actions, GitLab CI files and Dockerfiles.
    ///
    /// With no PATH, lints the repository around the current directory. Files that are none of
    /// the known kinds (a docker-compose.yml, say) are skipped quietly.
    ///
    /// Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it,
    /// 2 a file could not be read or parsed (the other files are still linted).
    ///
    /// Examples:
    ///   faultline lint
    ///   faultline lint .github/workflows Dockerfile
    ///   faultline lint --format sarif -o faultline.sarif
    ///   faultline lint --format concise --select pip-install-externally-managed
    ///   cat Dockerfile | faultline lint - --stdin-filename Dockerfile
    ///   faultline lint --diff          (then --fix to write the fixes)
    #[command(verbatim_doc_comment)]
    Lint(LintArgs),

    /// List the lint rules with their severity and the playbook each one prevents.
    Rules(RulesArgs),

    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell to generate for.
        shell: clap_complete::Shell,
    },

    /// Print the man page (roff) to stdout, or write one page per command into DIR.
    Man {
        /// Write faultline.1 and faultline-<command>.1 here instead of printing.
        dir: Option<PathBuf>,
    },
}

/// Where playbooks come from, besides the bundled catalog.
#[derive(Debug, Clone, Args, Default)]
pub struct CatalogArgs {
    /// A folder of team playbooks (YAML, searched recursively). Repeatable; a playbook here
    /// overrides a bundled one with the same id.
    #[arg(long = "playbooks", value_name = "DIR")]
    pub playbooks: Vec<PathBuf>,
}

impl CatalogArgs {
    /// Team playbook folders: those of the repository's `.faultline.yaml` (`playbooks:`), then
    /// the `--playbooks` flags (a later folder overrides an earlier one).
    pub fn dirs(&self) -> Result<Vec<PathBuf>, String> {
        let cwd = std::env::current_dir()
            .map_err(|e| format!("cannot read the current directory: {e}"))?;
        let mut dirs =
            crate::lint::config::team_playbook_dirs(None, &cwd).map_err(|e| e.to_string())?;
        dirs.extend(self.playbooks.iter().cloned());
        Ok(dirs)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnalyzeFormat {
    /// Readable report for a terminal.
    Human,
    /// Versioned, stable JSON (see README for the schema).
    Json,
    /// Markdown for a PR comment or $GITHUB_STEP_SUMMARY.
    Markdown,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// The log file, or `-` for stdin.
    #[arg(value_name = "LOG")]
    pub log: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AnalyzeFormat::Human)]
    pub format: AnalyzeFormat,
    /// How many diagnoses to show (the best one and its runners-up).
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub top: usize,
    /// Also lint the CI files of the repository at DIR and point at the lines that cause the
    /// diagnosed failure (each lint rule names the playbook of the failure it predicts).
    #[arg(long, value_name = "DIR")]
    pub repo: Option<PathBuf>,
    /// Only diagnoses of these playbook categories or ids (comma-separated or repeated; see
    /// `faultline list` for the categories).
    #[arg(long, value_name = "CATEGORY", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Never diagnoses of these playbook categories or ids (comma-separated or repeated).
    #[arg(long, value_name = "CATEGORY", value_delimiter = ',')]
    pub ignore: Vec<String>,
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    /// The log file, or `-` for stdin.
    #[arg(value_name = "LOG")]
    pub log: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AnalyzeFormat::Human)]
    pub format: AnalyzeFormat,
    /// Only diagnoses of these playbook categories or ids (comma-separated or repeated; see
    /// `faultline list` for the categories).
    #[arg(long, value_name = "CATEGORY", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Never diagnoses of these playbook categories or ids (comma-separated or repeated).
    #[arg(long, value_name = "CATEGORY", value_delimiter = ',')]
    pub ignore: Vec<String>,
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    /// Terminal rendering.
    Human,
    /// The documentation page (Markdown).
    Markdown,
    /// The playbook or rule as JSON.
    Json,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A playbook id (`python-externally-managed`) or a lint rule id.
    pub id: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DocFormat::Human)]
    pub format: DocFormat,
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only playbooks of this category (e.g. `python`, `docker`).
    #[arg(long)]
    pub category: Option<String>,
    /// Only playbooks with this tag.
    #[arg(long)]
    pub tag: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

#[derive(Debug, Args)]
pub struct DocsArgs {
    /// The folder to write the pages into (created if missing).
    pub out_dir: PathBuf,
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The folder of logs.
    pub dir: PathBuf,
    /// The labels file (default: DIR/labels.tsv).
    #[arg(long)]
    pub labels: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// miette diagnostics for people (colour on a terminal; plain with NO_COLOR).
    Human,
    /// Versioned JSON: one object per finding with path, line/column span, rule, severity.
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (::error file=...), shown as annotations.
    Github,
    /// One line per finding, `path:line:col: severity[rule] message`, for editors and grep.
    Concise,
    /// A GitLab Code Quality report (JSON), for `artifacts:reports:codequality`.
    Gitlab,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Exit 1 when any error-severity finding remains.
    Error,
    /// Exit 1 on warnings too.
    Warning,
    /// Always exit 0 unless the input was unusable.
    Never,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files or folders to lint (default: the repository around the current directory).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub format: LintFormat,
    /// Which severities make the exit code 1.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
    /// Use this configuration file instead of the nearest .faultline.yaml from each path up to
    /// its repository root.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Also lint what .gitignore, .ignore and git's exclude files exclude.
    #[arg(long)]
    pub no_ignore: bool,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record today's findings into FILE (then exit 0).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Print nothing for a clean run, and no summary line.
    #[arg(long, short)]
    pub quiet: bool,
    /// Only these rules (ids, comma-separated or repeated), on top of the configuration.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Not these rules (ids, comma-separated or repeated), on top of the configuration.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Print the number of findings per rule instead of the findings.
    #[arg(long)]
    pub statistics: bool,
    /// Write the report to FILE (whole or not at all) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// With `-` as PATH: the path standard input stands for (decides the kind and the reported path).
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// Exit 2 when a PATH holds nothing to lint (otherwise a warning).
    #[arg(long)]
    pub strict: bool,
    /// Judge time-dependent facts (runner retirements, action deprecations) at this date,
    /// YYYY-MM-DD, instead of today (also `today:` in .faultline.yaml).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<crate::lint::facts::Date>,
    /// Apply the safe fixes in place (quote a version, move a deprecated action to its supported
    /// major, …), then report what is left. Files are written whole or not at all.
    #[arg(long)]
    pub fix: bool,
    /// With --fix or --diff: also the fixes that change behaviour (a retired runner label to its
    /// successor).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them (exit 1 when there are any).
    #[arg(long)]
    pub diff: bool,
}

fn parse_date(s: &str) -> Result<crate::lint::facts::Date, String> {
    crate::lint::facts::Date::parse(s).ok_or_else(|| format!("`{s}` is not a date (YYYY-MM-DD)"))
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
}
