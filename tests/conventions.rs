//! The conventions users bring from ruff, actionlint and zizmor, on the real binary: `--format
//! concise` and `--format gitlab`, `--statistics`, `-o`, `--select`/`--ignore`, `lint -` with
//! `--stdin-filename`, a path with nothing to lint (`--strict`), GitHub annotation titles, and the
//! human format's width (`COLUMNS`), whole URLs and blank lines between diagnostics.

mod common;

use common::Repo;

use serde_json::Value;

const DOCKERFILE: &str = "FROM debian:bookworm\n\
RUN apt-get update && apt-get install -y python3-pip\n\
RUN pip install requests\n";

const WORKFLOW: &str = "on: push\n\
jobs:\n\
\x20 test:\n\
\x20   runs-on: ubuntu-24.04\n\
\x20   container: ubuntu:24.04\n\
\x20   steps:\n\
\x20     - run: |\n\
\x20         apt-get update && apt-get install -y python3-pip\n\
\x20         pip install pytest\n\
\x20     - run: pip install tox\n";

/// A scratch repository holding a Dockerfile and a workflow with 3 findings.
fn repo() -> Repo {
    Repo::with(&[
        ("Dockerfile", DOCKERFILE),
        (".github/workflows/ci.yml", WORKFLOW),
    ])
}

const CONCISE: &str = "\
.github/workflows/ci.yml:9:11: error[pip-install-externally-managed] `pip install pytest` will fail with `error: externally-managed-environment`: it installs into the system Python of Ubuntu 24.04 (`ubuntu:24.04`), which is externally managed (PEP 668)
.github/workflows/ci.yml:10:14: error[pip-install-externally-managed] `pip install tox` will fail with `error: externally-managed-environment`: it installs into the system Python of Ubuntu 24.04 (`ubuntu:24.04`), which is externally managed (PEP 668)
Dockerfile:3:5: error[pip-install-externally-managed] `pip install requests` will fail with `error: externally-managed-environment`: it installs into the system Python of Debian 12 (bookworm) (`debian:bookworm`), which is externally managed (PEP 668)
";

#[test]
fn concise_is_one_line_per_finding() {
    let repo = repo();
    let out = repo.run_with(&["lint", "--format", "concise"], &[], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!("{CONCISE}3 errors, 0 warnings in 2 files (2 files checked)\n")
    );
    let quiet = repo.run_with(&["lint", "--format", "concise", "--quiet"], &[], None);
    assert_eq!(quiet.stdout, CONCISE);
}

#[test]
fn gitlab_code_quality_has_the_documented_fields() {
    let repo = repo();
    let first = repo.run_with(&["lint", "--format", "gitlab"], &[], None);
    assert_eq!(first.code, 1, "{}", first.stderr);
    let issues: Value = serde_json::from_str(&first.stdout).expect("JSON");
    let issues = issues.as_array().expect("an array of issues");
    assert_eq!(issues.len(), 3);
    let mut fingerprints = Vec::new();
    for issue in issues {
        assert!(issue["description"]
            .as_str()
            .is_some_and(|d| d.contains("will fail")));
        assert_eq!(issue["check_name"], "pip-install-externally-managed");
        assert!(["info", "minor", "major", "critical", "blocker"]
            .contains(&issue["severity"].as_str().expect("severity")));
        assert!(issue["location"]["path"].is_string());
        assert!(issue["location"]["lines"]["begin"].is_u64());
        fingerprints.push(
            issue["fingerprint"]
                .as_str()
                .expect("fingerprint")
                .to_string(),
        );
    }
    let lines: Vec<(String, u64)> = issues
        .iter()
        .map(|i| {
            (
                i["location"]["path"].as_str().unwrap().to_string(),
                i["location"]["lines"]["begin"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (".github/workflows/ci.yml".to_string(), 9),
            (".github/workflows/ci.yml".to_string(), 10),
            ("Dockerfile".to_string(), 3)
        ]
    );
    assert_eq!(issues[0]["severity"], "critical");
    let mut unique = fingerprints.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 3, "fingerprints are unique: {fingerprints:?}");
    // Stable across runs, and across an edit elsewhere in the file (lines move).
    repo.write("Dockerfile", &format!("# a comment\n{DOCKERFILE}"));
    let second = repo.run_with(&["lint", "--format", "gitlab"], &[], None);
    let again: Value = serde_json::from_str(&second.stdout).expect("JSON");
    let again: Vec<&str> = again
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(again, fingerprints);
}

#[test]
fn statistics_count_findings_per_rule() {
    let repo = repo();
    let out = repo.run_with(&["lint", "--statistics"], &[], None);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        "     3  error    pip-install-externally-managed\n     3  findings in all\n"
    );
    let json = repo.run_with(&["lint", "--statistics", "--format", "json"], &[], None);
    let rows: Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(
        rows["statistics"],
        serde_json::json!([{"rule": "pip-install-externally-managed", "severity": "error", "count": 3}])
    );
    assert_eq!(rows["total"], 3);
    let sarif = repo.run_with(&["lint", "--statistics", "--format", "sarif"], &[], None);
    assert_eq!(sarif.code, 2);
    assert!(
        sarif.stderr.contains("--statistics goes with"),
        "{}",
        sarif.stderr
    );
}

#[test]
fn output_file_is_written_whole_and_stdout_stays_empty() {
    let repo = repo();
    let out = repo.run_with(
        &["lint", "--format", "concise", "-q", "-o", "report.txt"],
        &[],
        None,
    );
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        std::fs::read_to_string(repo.dir.join("report.txt")).unwrap(),
        CONCISE
    );
    let bad = repo.run_with(&["lint", "-o", "no/such/dir/report.txt"], &[], None);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("cannot write no/such/dir/report.txt"),
        "{}",
        bad.stderr
    );
    assert!(!repo.dir.join("no").exists());
}

#[test]
fn select_and_ignore_take_rule_ids() {
    let repo = repo();
    let ignored = repo.run_with(
        &["lint", "--ignore", "pip-install-externally-managed"],
        &[],
        None,
    );
    assert_eq!(ignored.code, 0, "{}", ignored.stdout);
    assert_eq!(
        ignored.stdout,
        "0 errors, 0 warnings in 0 files (2 files checked)\n"
    );
    let selected = repo.run_with(
        &[
            "lint",
            "--format",
            "concise",
            "-q",
            "--select",
            "pip-unavailable,pip-install-externally-managed",
        ],
        &[],
        None,
    );
    assert_eq!(selected.stdout, CONCISE);
    let other = repo.run_with(&["lint", "--select", "pip-unavailable"], &[], None);
    assert_eq!(other.code, 0);
    let typo = repo.run_with(
        &["lint", "--select", "pip-install-externaly-managed"],
        &[],
        None,
    );
    assert_eq!(typo.code, 2);
    assert_eq!(
        typo.stderr,
        "faultline: error: unknown rule `pip-install-externaly-managed` (did you mean `pip-install-externally-managed`, `uv-pip-system-externally-managed`?)\n"
    );
}

#[test]
fn lint_dash_reads_stdin_as_the_named_file() {
    let repo = repo();
    let named = repo.run_with(
        &[
            "lint",
            "-",
            "--stdin-filename",
            "docker/app.Dockerfile",
            "--format",
            "concise",
            "-q",
        ],
        &[],
        Some(DOCKERFILE),
    );
    assert_eq!(named.code, 1, "{}", named.stderr);
    assert!(
        named
            .stdout
            .starts_with("docker/app.Dockerfile:3:5: error[pip-install-externally-managed] "),
        "{}",
        named.stdout
    );
    assert_eq!(named.stdout.lines().count(), 1);
    // Unnamed: a Dockerfile is recognised by its first instruction, and reported as `-`.
    let unnamed = repo.run_with(
        &["lint", "-", "--format", "concise", "-q"],
        &[],
        Some(DOCKERFILE),
    );
    assert!(
        unnamed.stdout.starts_with("-:3:5: error["),
        "{}",
        unnamed.stdout
    );
    // A workflow through stdin needs its name to be recognised as one.
    let wf = repo.run_with(
        &[
            "lint",
            "-",
            "--stdin-filename",
            ".github/workflows/ci.yml",
            "--format",
            "concise",
            "-q",
        ],
        &[],
        Some(WORKFLOW),
    );
    assert_eq!(wf.stdout.lines().count(), 2, "{}", wf.stdout);
    let misuse = repo.run_with(&["lint", "--stdin-filename", "Dockerfile"], &[], None);
    assert_eq!(misuse.code, 2);
}

#[test]
fn a_path_with_nothing_to_lint_warns_and_fails_under_strict() {
    let repo = repo();
    std::fs::create_dir_all(repo.dir.join("docs")).unwrap();
    repo.write("docs/readme.md", "# nothing\n");
    let out = repo.run_with(&["lint", "docs"], &[], None);
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stderr,
        "faultline: warning: docs: nothing to lint (no GitHub workflow or action, GitLab CI file or Dockerfile found)\n"
    );
    let strict = repo.run_with(&["lint", "docs", "--strict"], &[], None);
    assert_eq!(strict.code, 2);
    // A path that holds CI files is not "empty", whatever the findings.
    let fine = repo.run_with(&["lint", "Dockerfile", "--strict", "-q"], &[], None);
    assert_eq!(fine.code, 1);
    assert_eq!(fine.stderr, "");
}

#[test]
fn github_annotations_are_titled_with_the_tool() {
    let repo = repo();
    let out = repo.run_with(&["lint", "Dockerfile", "--format", "github"], &[], None);
    assert!(
        out.stdout.starts_with(
            "::error file=Dockerfile,line=3,col=5,endColumn=25,title=faultline (pip-install-externally-managed)::"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn human_output_follows_columns_keeps_urls_whole_and_separates_diagnostics() {
    let repo = repo();
    let url = "(https://github.com/faultline-ci/faultline/blob/main/docs/playbooks/python-externally-managed.md)";
    for columns in ["60", "140"] {
        let out = repo.run_with(&["lint"], &[("COLUMNS", columns)], None);
        assert!(
            out.stdout.lines().any(|l| l.trim_start().ends_with(url)),
            "COLUMNS={columns}: the URL is split:\n{}",
            out.stdout
        );
        let width: usize = columns.parse().unwrap();
        let too_wide: Vec<&str> = out
            .stdout
            .lines()
            // Prose wraps; source lines and their labels (`·`, `12 │ RUN …`) cannot.
            .filter(|l| {
                let source = l.contains('·')
                    || l.split('│')
                        .next()
                        .is_some_and(|h| h.trim().parse::<usize>().is_ok());
                l.chars().count() > width && !l.contains(url) && !source
            })
            .collect();
        assert!(too_wide.is_empty(), "COLUMNS={columns}: {too_wide:?}");
        // Three diagnostics, a blank line before the second and the third.
        assert_eq!(
            out.stdout
                .matches("\n\npip-install-externally-managed\n")
                .count(),
            2,
            "{}",
            out.stdout
        );
    }
    let narrow = repo.run_with(&["lint"], &[("COLUMNS", "60")], None);
    let wide = repo.run_with(&["lint"], &[("COLUMNS", "140")], None);
    assert!(narrow.stdout.lines().count() > wide.stdout.lines().count());
}

/// `analyze --select/--ignore` take playbook categories (or ids), as `lint`'s take rule ids; an
/// unknown one is a usage error with the nearest names.
#[test]
fn analyze_selects_and_ignores_playbook_categories() {
    let log = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "tests/fixtures/analyze/python-externally-managed/match/gha-container-bookworm-ansi.log",
    ))
    .expect("fixture log");
    let repo = Repo::with(&[("build.log", &log)]);
    let top = |args: &[&str]| {
        let mut all = vec!["analyze", "build.log", "--format", "json"];
        all.extend_from_slice(args);
        let out = repo.run(&all);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        let v: Value = serde_json::from_str(&out.stdout).expect("JSON");
        v["diagnoses"]
            .as_array()
            .expect("diagnoses")
            .iter()
            .map(|d| {
                format!(
                    "{}/{}",
                    d["category"].as_str().unwrap_or(""),
                    d["playbook"].as_str().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(top(&[])[0], "python/python-externally-managed");
    assert_eq!(
        top(&["--select", "python"])[0],
        "python/python-externally-managed"
    );
    assert!(top(&["--select", "python"])
        .iter()
        .all(|d| d.starts_with("python/")));
    assert!(!top(&["--ignore", "python"])
        .iter()
        .any(|d| d.starts_with("python/")));
    // An id works too.
    assert!(!top(&["--ignore", "python-externally-managed"])
        .iter()
        .any(|d| d.ends_with("/python-externally-managed")));

    let out = repo.run(&["analyze", "build.log", "--select", "pyhton"]);
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (
            2,
            "",
            "faultline: error: no playbook category or id `pyhton`; did you mean python?\n"
        )
    );
    let out = repo.run(&["fix", "build.log", "--ignore", "python"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        !out.stdout.contains("python-externally-managed"),
        "{}",
        out.stdout
    );
}
