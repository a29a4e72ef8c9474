//! The diagnose engine as users meet it: the bundled catalog, every playbook's fixture logs, the
//! negative set, output formats (snapshots), malformed playbooks, unusable input, stdin, and the
//! CI noise that normalisation must see through.
//!
//! Catalog-wide checks call the library with one shared engine (compiling every signal once);
//! behaviour at the command line runs the real binary.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use faultline::analyze::scoring::Band;
use faultline::analyze::{Analysis, Engine};
use faultline::playbook::load::{bundled_catalog, bundled_ids, BUNDLED};

const FIXTURES: &str = "tests/fixtures/analyze";
const TEAM: &str = "tests/fixtures/analyze/team-playbooks";

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::load(&[]).expect("the bundled catalog loads and compiles"))
}

fn analyze_text(text: &str) -> Analysis {
    engine()
        .analyze(text.as_bytes(), "-")
        .expect("reading from memory cannot fail")
}

fn top_id<'a>(engine: &'a Engine, a: &Analysis) -> Option<&'a str> {
    a.diagnoses
        .first()
        .map(|d| engine.catalog.entries()[d.playbook].playbook.id.as_str())
}

fn faultline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the faultline binary runs")
}

fn faultline_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the faultline binary runs");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("faultline finishes");
    writer
        .join()
        .expect("writer thread")
        .expect("stdin accepted");
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn logs_in(dir: &Path) -> Vec<PathBuf> {
    let mut logs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "log"))
                .collect()
        })
        .unwrap_or_default();
    logs.sort();
    logs
}

/// `tests/fixtures/analyze/<id>/<kind>/*.log` for every `<id>` folder that has them.
fn fixture_logs(kind: &str) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(FIXTURES)
        .expect("fixture folder")
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let id = dir
            .file_name()
            .expect("folder name")
            .to_string_lossy()
            .into_owned();
        for log in logs_in(&dir.join(kind)) {
            out.push((id.clone(), log));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The catalog

#[test]
fn every_bundled_playbook_loads_and_validates() {
    let catalog = bundled_catalog().unwrap_or_else(|e| panic!("bundled catalog: {e}"));
    assert_eq!(
        catalog.len(),
        BUNDLED.len(),
        "one playbook per bundled file"
    );
    let ids: Vec<&str> = catalog
        .entries()
        .iter()
        .map(|e| e.playbook.id.as_str())
        .collect();
    assert_eq!(ids, bundled_ids());
    for e in catalog.entries() {
        let p = &e.playbook;
        assert_eq!(
            e.path,
            format!("playbooks/bundled/log/{}/{}.yaml", p.category, p.id)
        );
        assert!(!p.fix.is_empty() && !p.matcher.any.is_empty(), "{}", p.id);
        assert!(faultline::playbook::find_playbook(&p.id).is_some());
    }
    assert!(faultline::playbook::find_playbook("no-such-playbook").is_none());
    // Every signal compiles into the matcher.
    let _ = engine();
}

#[test]
fn every_match_fixture_ranks_its_playbook_first() {
    let fixtures = fixture_logs("match");
    assert!(!fixtures.is_empty(), "no fixture logs found");
    let mut failures = Vec::new();
    for (id, log) in &fixtures {
        let a = engine().analyze_path(log).expect("fixture readable");
        let best = a.diagnoses.first();
        let ok = top_id(engine(), &a) == Some(id.as_str())
            && best.is_some_and(|d| d.band >= Band::Medium);
        if !ok {
            let got = best.map_or("nothing".to_string(), |d| {
                format!(
                    "{} {:.2} ({})",
                    top_id(engine(), &a).unwrap_or("?"),
                    d.confidence,
                    d.band.as_str()
                )
            });
            failures.push(format!(
                "{}: expected {id} at medium or above, got {got}",
                log.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n{}",
        failures.len(),
        fixtures.len(),
        failures.join("\n")
    );
}

/// The contract with playbook authors: every bundled playbook ships at least one log that ranks it
/// first (`tests/fixtures/analyze/<id>/match/*.log`).
#[test]
fn every_bundled_playbook_has_a_match_fixture() {
    let with_fixture: BTreeSet<String> = fixture_logs("match")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let missing: Vec<&str> = bundled_ids()
        .into_iter()
        .filter(|id| !with_fixture.contains(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "playbooks without tests/fixtures/analyze/<id>/match/*.log: {}",
        missing.join(", ")
    );
    let unknown: Vec<&String> = with_fixture
        .iter()
        .filter(|id| engine().catalog.get(id).is_none())
        .collect();
    assert!(
        unknown.is_empty(),
        "fixture folders for ids not in the catalog: {unknown:?}"
    );
}

/// Issue 9's contract, to become a hard test once the catalog is upgraded: every bundled playbook
/// names where its messages come from (`references:`, at least one) and ships at least two match
/// fixtures. Run with `cargo test --test analyze -- --ignored` to list the shortfalls.
#[test]
fn every_bundled_playbook_has_references_and_two_fixtures() {
    let mut fixtures: std::collections::BTreeMap<String, usize> = Default::default();
    for (id, _) in fixture_logs("match") {
        *fixtures.entry(id).or_default() += 1;
    }
    let catalog = bundled_catalog().unwrap_or_else(|e| panic!("bundled catalog: {e}"));
    let mut shortfalls = Vec::new();
    for e in catalog.entries() {
        let p = &e.playbook;
        let refs = p.references.len();
        let logs = fixtures.get(&p.id).copied().unwrap_or(0);
        let mut missing = Vec::new();
        if refs == 0 {
            missing.push("no references".to_string());
        }
        if logs < 2 {
            missing.push(format!("{logs} match fixture(s), needs 2"));
        }
        if !missing.is_empty() {
            shortfalls.push(format!("  {}: {}", p.id, missing.join(", ")));
        }
    }
    if !shortfalls.is_empty() {
        println!(
            "{} of {} bundled playbooks fall short:\n{}",
            shortfalls.len(),
            catalog.len(),
            shortfalls.join("\n")
        );
    }
    assert!(
        shortfalls.is_empty(),
        "{} of {} bundled playbooks lack references or a second match fixture:\n{}",
        shortfalls.len(),
        catalog.len(),
        shortfalls.join("\n")
    );
}

#[test]
fn nomatch_fixtures_do_not_diagnose_their_playbook() {
    let mut failures = Vec::new();
    for (id, log) in fixture_logs("nomatch") {
        let a = engine().analyze_path(&log).expect("fixture readable");
        if let Some(d) = a.diagnoses.iter().find(|d| {
            engine().catalog.entries()[d.playbook].playbook.id == id && d.band >= Band::Medium
        }) {
            failures.push(format!("{}: {id} at {:.2}", log.display(), d.confidence));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn negative_set_stays_below_medium() {
    let dir = Path::new(FIXTURES).join("negative");
    let logs = logs_in(&dir);
    assert!(logs.len() >= 7, "the negative set has {} logs", logs.len());
    for log in &logs {
        let a = engine().analyze_path(log).expect("fixture readable");
        if let Some(d) = a.diagnoses.iter().find(|d| d.band >= Band::Medium) {
            let id = &engine().catalog.entries()[d.playbook].playbook.id;
            panic!(
                "{}: {id} at {:.2} ({})",
                log.display(),
                d.confidence,
                d.band.as_str()
            );
        }
    }
    // labels.tsv lists every log as a negative case, and `faultline eval` agrees.
    let labels = std::fs::read_to_string(dir.join("labels.tsv")).expect("labels.tsv");
    let listed: BTreeSet<String> = labels
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .map(str::to_string)
        .collect();
    let present: BTreeSet<String> = logs
        .iter()
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    assert_eq!(listed, present);
    let out = faultline(&[
        "eval",
        dir.to_str().expect("utf-8 path"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("eval JSON");
    assert_eq!(json["negatives"], logs.len());
    assert_eq!(json["negatives_passed"], logs.len());
}

// ---------------------------------------------------------------------------------------------
// Normalisation: the same failure through every kind of CI noise

/// pip's PEP 668 error as Debian 12 prints it (ground truth §1.5), after a command line.
const PEP668: &[&str] = &[
    "$ pip install requests",
    "error: externally-managed-environment",
    "",
    "× This environment is externally managed",
    "╰─> To install Python packages system-wide, try apt install",
    "    python3-xyz, where xyz is the package you are trying to",
    "    install.",
    "    ",
    "    If you wish to install a non-Debian-packaged Python package,",
    "    create a virtual environment using python3 -m venv path/to/venv.",
    "    Then use path/to/venv/bin/python and path/to/venv/bin/pip. Make",
    "    sure you have python3-full installed.",
    "    ",
    "    See /usr/share/doc/python3.11/README.venv for more information.",
    "",
    "note: If you believe this is a mistake, please contact your Python installation or OS distribution provider. You can override this, at the risk of breaking your Python installation or OS, by passing --break-system-packages.",
    "hint: See PEP 668 for the detailed specification.",
];

/// Some lines of an ordinary build before the failure.
fn preamble(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("Setting up libexample{i}:amd64 (1.{i}.0-1) ..."))
        .collect()
}

/// Lines, a 1-based line number where `error: externally-managed-environment` sits.
fn variant(name: &str) -> (String, u64) {
    let pre = preamble(5);
    let mut lines: Vec<String> = Vec::new();
    let error_at = match name {
        "plain" | "crlf" => {
            lines.extend(pre);
            lines.extend(PEP668.iter().map(|s| s.to_string()));
            7
        }
        "ansi" => {
            lines.extend(pre);
            for l in PEP668 {
                let l = l
                    .replace(
                        "error: externally-managed-environment",
                        "\x1b[1;31merror\x1b[0m: \x1b[1mexternally-managed-environment\x1b[0m",
                    )
                    .replace('×', "\x1b[31m×\x1b[0m")
                    .replace("╰─>", "\x1b[31m╰─>\x1b[0m");
                lines.push(l);
            }
            7
        }
        "github" => {
            lines.push("2024-05-01T12:34:50.0000000Z ##[group]Run actions/checkout@v4".into());
            lines.push("2024-05-01T12:34:51.0000000Z ##[endgroup]".into());
            lines.push("2024-05-01T12:34:55.1234567Z ##[group]Run pip install requests".into());
            lines.push("2024-05-01T12:34:55.1234567Z \x1b[36;1mpip install requests\x1b[0m".into());
            lines.push("2024-05-01T12:34:55.1234567Z ##[endgroup]".into());
            for l in &PEP668[1..] {
                lines.push(format!("2024-05-01T12:34:56.1234567Z {l}"));
            }
            lines.push(
                "2024-05-01T12:34:56.2000000Z ##[error]Process completed with exit code 1.".into(),
            );
            6
        }
        "buildkit" => {
            lines.push("#7 [3/4] RUN pip install requests".into());
            for (i, l) in PEP668[1..].iter().enumerate() {
                lines.push(format!("#7 0.{:03} {l}", 400 + i));
            }
            lines.push("#7 ERROR: process \"/bin/sh -c pip install requests\" did not complete successfully: exit code: 1".into());
            2
        }
        "gitlab" => {
            lines.push("\x1b[0KRunning with gitlab-runner 17.3.1 (66269445)\x1b[0;m".into());
            lines.push("section_start:1717000000:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting \"step_script\" stage of the job script\x1b[0;m".into());
            lines.push("\x1b[32;1m$ pip install requests\x1b[0;m".into());
            lines.extend(PEP668[1..].iter().map(|s| s.to_string()));
            lines.push("section_end:1717000001:step_script\r\x1b[0K\x1b[31;1mERROR: Job failed: exit code 1\x1b[0;m".into());
            4
        }
        "gh-log" => {
            // `gh run view --log-failed`: job and step columns before the timestamp.
            let col =
                |step: &str, l: &str| format!("build\t{step}\t2024-05-01T12:34:56.1234567Z {l}");
            lines.push(col("Set up job", "Current runner version: '2.317.0'"));
            lines.push(col("Install", "##[group]Run pip install requests"));
            lines.push(col("Install", "##[endgroup]"));
            for l in &PEP668[1..] {
                lines.push(col("Install", l));
            }
            lines.push(col(
                "Install",
                "##[error]Process completed with exit code 1.",
            ));
            4
        }
        other => panic!("unknown variant {other}"),
    };
    let eol = if name == "crlf" { "\r\n" } else { "\n" };
    (lines.join(eol) + eol, error_at)
}

#[test]
fn pep668_is_diagnosed_through_ci_noise() {
    for name in [
        "plain", "crlf", "ansi", "github", "buildkit", "gitlab", "gh-log",
    ] {
        let (text, error_at) = variant(name);
        let a = analyze_text(&text);
        assert_eq!(
            top_id(engine(), &a),
            Some("python-externally-managed"),
            "variant {name}"
        );
        let best = &a.diagnoses[0];
        assert!(
            best.band >= Band::Medium,
            "variant {name}: {:.2}",
            best.confidence
        );
        let ev = best
            .evidence
            .iter()
            .find(|e| e.line == error_at)
            .unwrap_or_else(|| {
                panic!(
                    "variant {name}: no evidence at line {error_at}: {:?}",
                    best.evidence
                )
            });
        assert!(
            ev.text.contains("externally-managed-environment"),
            "variant {name}: {}",
            ev.text
        );
        assert!(
            !ev.text.contains('\x1b') && !ev.text.contains('\r'),
            "variant {name}: {:?}",
            ev.text
        );
    }
}

#[test]
fn failing_step_is_found_in_github_gitlab_and_buildkit_logs() {
    // (variant, step name, kind, step start line, error line)
    let cases = [
        (
            "github",
            "Run pip install requests",
            "github-actions",
            3,
            22,
        ),
        ("gitlab", "step_script", "gitlab", 2, 20),
        (
            "buildkit",
            "#7 [3/4] RUN pip install requests",
            "buildkit",
            1,
            18,
        ),
        ("gh-log", "Install", "github-actions", 2, 20),
    ];
    for (name, step, kind, start, error_line) in cases {
        let (text, _) = variant(name);
        let a = analyze_text(&text);
        let f = a
            .outcome
            .failing
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: no failing step"));
        assert_eq!(
            (
                f.step.name.as_str(),
                f.step.kind.as_str(),
                f.step.start_line,
                f.error_line
            ),
            (step, kind, start, error_line),
            "{name}"
        );
        let best = &a.diagnoses[0];
        assert!(
            best.evidence.iter().all(|e| e.in_failing_step),
            "{name}: {:?}",
            best.evidence
        );
        assert_eq!(best.band, Band::High, "{name}: {:.2}", best.confidence);
    }
    assert!(analyze_text(&variant("plain").0).outcome.failing.is_none());
}

#[test]
fn line_numbers_survive_chunk_boundaries_and_huge_lines() {
    // ~3 MiB of ordinary lines, one 1.5 MiB line (read in pieces), then the failure.
    let mut text = String::new();
    let filler = "   Compiling some-crate v1.2.3 (/home/runner/work/app/app/crates/some-crate)\n";
    let filler_lines = 40_000;
    for _ in 0..filler_lines {
        text.push_str(filler);
    }
    text.push_str(&"x".repeat(1_500_000));
    text.push('\n');
    for l in PEP668 {
        text.push_str(l);
        text.push('\n');
    }
    let a = analyze_text(&text);
    assert_eq!(a.outcome.lines, filler_lines + 1 + PEP668.len() as u64);
    assert_eq!(top_id(engine(), &a), Some("python-externally-managed"));
    let lines: Vec<u64> = a.diagnoses[0].evidence.iter().map(|e| e.line).collect();
    assert!(
        lines.contains(&(filler_lines + 3)),
        "evidence lines {lines:?}"
    );
}

#[test]
fn weak_generic_lines_never_reach_medium() {
    let log = "\
2024-05-01T10:00:00.0000000Z ##[group]Run make test
2024-05-01T10:00:00.1000000Z make test
2024-05-01T10:00:00.2000000Z ##[endgroup]
2024-05-01T10:00:05.0000000Z running 212 tests
2024-05-01T10:03:05.0000000Z Killed
2024-05-01T10:03:05.1000000Z make: *** [Makefile:14: test] Error 137
2024-05-01T10:03:05.2000000Z Error: something went wrong
2024-05-01T10:03:05.3000000Z ##[error]Process completed with exit code 2.
";
    let a = analyze_text(log);
    assert!(
        a.diagnoses.iter().all(|d| d.band == Band::Low),
        "{:?}",
        a.diagnoses.first()
    );
    let out = faultline_stdin(&["analyze", "-"], log.as_bytes());
    assert_eq!(out.status.code(), Some(0));
    let first = stdout(&out).lines().next().unwrap_or_default().to_string();
    assert!(
        first.starts_with("No diagnosis for - (8 lines): "),
        "{first}"
    );
}

// ---------------------------------------------------------------------------------------------
// The command line

#[test]
fn stdin_dash_works_and_json_names_it() {
    let (text, error_at) = variant("github");
    let out = faultline_stdin(&["analyze", "-", "--format", "json"], text.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(json["schema_version"], 2);
    assert_eq!(json["input"], "-");
    assert_eq!(json["matched"], true);
    assert_eq!(
        json["diagnoses"][0]["playbook"],
        "python-externally-managed"
    );
    assert_eq!(json["diagnoses"][0]["band"], "high");
    assert_eq!(json["failing_step"]["name"], "Run pip install requests");
    let lines: Vec<u64> = json["diagnoses"][0]["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter_map(|e| e["line"].as_u64())
        .collect();
    assert!(lines.contains(&error_at), "{lines:?}");
}

#[test]
fn unusable_input_exits_2_with_the_path() {
    let out = faultline(&["analyze", "no/such/build.log"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "faultline: error: no/such/build.log: no such file\n"
    );
    assert!(out.stdout.is_empty());

    let out = faultline(&["analyze", FIXTURES]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!("faultline: error: {FIXTURES}: is a directory, not a log file\n")
    );

    let out = faultline(&["fix", "no/such/build.log"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn nothing_matched_is_said_plainly() {
    let log = "hello\nall good here\n";
    let out = faultline_stdin(&["analyze", "-", "--format", "json"], log.as_bytes());
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(json["matched"], false);
    assert_eq!(json["diagnoses"], serde_json::json!([]));
    assert_eq!(json["lines"], 2);
    assert_eq!(json["diagnosed"], false);
    assert_eq!(json["error_lines"], serde_json::json!([]));
    let out = faultline_stdin(&["analyze", "-"], log.as_bytes());
    assert!(
        stdout(&out).starts_with("No diagnosis for - (2 lines): no playbook matched. None of the "),
        "{}",
        stdout(&out)
    );
}

/// Each broken playbook folder, and the exact error (file:line:column) it must produce.
#[test]
fn malformed_playbooks_name_file_line_and_column() {
    let base = "tests/fixtures/analyze/bad-playbooks";
    let cases = [
        ("bad-yaml", "bad-yaml/bad-yaml.yaml:14:9: illegal placement of ':' indicator"),
        (
            "unknown-field",
            "unknown-field/unknown-field.yaml:9:1: unknown field `likely_file`, expected one of id, title, category, severity, tags, summary, diagnosis, fix, validation, why_it_matters, prevention, reproduce, likely_files, links, aliases, references, match",
        ),
        (
            "invalid-regex",
            "invalid-regex/invalid-regex.yaml:13:14: match.any[1]: invalid regex: unclosed group (at character 8 of the pattern)",
        ),
        (
            "duplicate-id",
            "duplicate-id/b/dup-id.yaml:1:5: duplicate playbook id `dup-id` (also defined in tests/fixtures/analyze/bad-playbooks/duplicate-id/a/dup-id.yaml)",
        ),
        (
            "id-mismatch",
            "id-mismatch/id-mismatch.yaml:1:5: id `not-the-file-name` does not match the file name `id-mismatch` (the file must be named `not-the-file-name.yaml`)",
        ),
    ];
    for (dir, want) in cases {
        let team = format!("{base}/{dir}");
        for cmd in [
            &["list", "--playbooks", &team][..],
            &["analyze", "-", "--playbooks", &team][..],
        ] {
            let out = faultline(cmd);
            assert_eq!(out.status.code(), Some(2), "{dir}: {}", stderr(&out));
            assert_eq!(
                stderr(&out),
                format!("faultline: error: {base}/{want}\n"),
                "{dir}"
            );
        }
    }
    let out = faultline(&["list", "--playbooks", "no/such/dir"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "faultline: error: no/such/dir: --playbooks: no such directory\n"
    );
}

#[test]
fn none_signals_veto_only_nearby_evidence() {
    let out = faultline(&[
        "analyze",
        "tests/fixtures/analyze/team/widget-gha.log",
        "--playbooks",
        TEAM,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let d = &json["diagnoses"][0];
    assert_eq!(d["playbook"], "widget-cache-corrupted");
    // Line 12's mismatch is followed by `retrying with a fresh widget cache` (line 13, window 3):
    // vetoed. Lines 20 and 21 are far from it.
    let lines: Vec<u64> = d["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter_map(|e| e["line"].as_u64())
        .collect();
    assert_eq!(lines, vec![20, 21]);
}

#[test]
fn team_playbook_overrides_a_bundled_id() {
    let dir = std::env::temp_dir().join(format!("faultline-override-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let yaml = "id: python-externally-managed\ntitle: Our own wording\ncategory: team\nseverity: low\nsummary: s\ndiagnosis: d\nfix: [use the team venv]\nmatch:\n  any:\n    - regex: 'externally-managed-environment'\n      strength: strong\n";
    std::fs::write(dir.join("python-externally-managed.yaml"), yaml).expect("write");
    let out = faultline(&[
        "explain",
        "python-externally-managed",
        "--playbooks",
        dir.to_str().expect("utf-8"),
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("python-externally-managed: Our own wording\n"),
        "{}",
        stdout(&out)
    );
}

// ---------------------------------------------------------------------------------------------
// Output formats (snapshots use a team playbook, so catalog edits do not churn them)

fn widget(format: &str) -> String {
    let out = faultline(&[
        "analyze",
        "tests/fixtures/analyze/team/widget-gha.log",
        "--playbooks",
        TEAM,
        "--top",
        "1",
        "--format",
        format,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn snapshot_human() {
    insta::assert_snapshot!("analyze_human", widget("human"));
}

#[test]
fn snapshot_json() {
    insta::assert_snapshot!("analyze_json", widget("json"));
}

#[test]
fn snapshot_markdown() {
    insta::assert_snapshot!("analyze_markdown", widget("markdown"));
}

#[test]
fn snapshot_fix() {
    let out = faultline(&[
        "fix",
        "tests/fixtures/analyze/team/widget-gha.log",
        "--playbooks",
        TEAM,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!("fix_human", stdout(&out));
}

#[test]
fn snapshot_explain_markdown() {
    let out = faultline(&[
        "explain",
        "widget-cache-corrupted",
        "--playbooks",
        TEAM,
        "--format",
        "markdown",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!("explain_markdown", stdout(&out));
}

// ---------------------------------------------------------------------------------------------
// explain / list / docs

#[test]
fn explain_unknown_id_exits_2_and_suggests() {
    let out = faultline(&["explain", "python-externaly-managed"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "faultline: error: no playbook or rule `python-externaly-managed`; did you mean python-externally-managed?\n"
    );
}

#[test]
fn explain_markdown_has_every_section() {
    let out = faultline(&[
        "explain",
        "python-externally-managed",
        "--format",
        "markdown",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let page = stdout(&out);
    for heading in [
        "## What this failure means",
        "## Symptoms / signals",
        "## Diagnosis",
        "## Fix steps",
        "## Validation",
        "## Why it matters",
        "## Prevention",
        "## Try it locally",
        "## How faultline detects it",
    ] {
        assert!(
            page.contains(&format!("\n{heading}\n")),
            "missing {heading}"
        );
    }
    assert!(page.contains("faultline explain python-externally-managed"));
    assert!(page.contains("faultline analyze"));
    let json: serde_json::Value = serde_json::from_str(&stdout(&faultline(&[
        "explain",
        "python-externally-managed",
        "--format",
        "json",
    ])))
    .expect("JSON");
    assert_eq!(json["id"], "python-externally-managed");
    assert_eq!(
        json["source"],
        "playbooks/bundled/log/python/python-externally-managed.yaml"
    );
}

#[test]
fn list_filters_by_category_and_tag() {
    let out = faultline(&["list", "--category", "python", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let items = json["playbooks"].as_array().expect("array");
    assert!(items.iter().any(|p| p["id"] == "python-externally-managed"));
    assert!(items.iter().all(|p| p["category"] == "python"));
    let out = faultline(&["list", "--tag", "pep668"]);
    assert!(stdout(&out).contains("python-externally-managed"));
    let out = faultline(&["list", "--category", "no-such-category"]);
    assert_eq!(
        stdout(&out),
        "id  category  severity  title\n0 playbooks. Details: faultline explain <id>\n"
    );
}

#[test]
fn docs_writes_a_page_per_playbook_and_an_index() {
    let dir = std::env::temp_dir().join(format!("faultline-docs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = faultline(&["docs", dir.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let catalog = bundled_catalog().expect("catalog");
    for e in catalog.entries() {
        let page = std::fs::read_to_string(dir.join(format!("{}.md", e.playbook.id)))
            .expect("page written");
        assert!(
            page.contains(&format!("Generated from `{}`", e.path)),
            "{}",
            e.playbook.id
        );
    }
    let index = std::fs::read_to_string(dir.join("index.md")).expect("index");
    assert!(index.contains("[`python-externally-managed`](python-externally-managed.md)"));
    // The rule pages live in rules/, with their own index.
    let rule_pages = std::fs::read_dir(dir.join("rules")).expect("rules").count();
    let rules_index = std::fs::read_to_string(dir.join("rules/index.md")).expect("rules index");
    assert!(rules_index
        .contains("[`pip-install-externally-managed`](pip-install-externally-managed.md)"));
    let pages = std::fs::read_dir(&dir).expect("dir").count();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(pages, catalog.len() + 2, "the pages, index.md and rules/");
    assert_eq!(rule_pages, faultline::lint::rules::all().len() + 1);
}

// ---------------------------------------------------------------------------------------------
// eval

#[test]
fn eval_reports_rates_and_misses() {
    let dir = std::env::temp_dir().join(format!("faultline-eval-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let pep668 = variant("plain").0;
    for (name, text) in [
        ("a.log", pep668.as_str()),
        ("b.log", pep668.as_str()),
        ("c.log", "all good\n"),
        ("d.log", pep668.as_str()),
        ("e.log", "whatever\n"),
    ] {
        std::fs::write(dir.join(name), text).expect("write log");
    }
    let labels = "file\texpected_playbook\ttop_n\tnote\n\
                  a.log\tpython-externally-managed\t1\tright\n\
                  b.log\tpip-not-installed\t3\twrong on purpose\n\
                  c.log\t-\t1\tnegative, silent\n\
                  d.log\tnone\t1\tnegative, not silent\n\
                  e.log\tno-such-playbook\t1\tunknown id\n";
    std::fs::write(dir.join("labels.tsv"), labels).expect("write labels");
    let shown = dir.to_str().expect("utf-8").to_string();
    let out = faultline(&["eval", &shown, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let j: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let figures: Vec<u64> = [
        "cases",
        "positives",
        "known",
        "top1",
        "topn",
        "unmatched",
        "wrong",
        "negatives",
        "negatives_passed",
    ]
    .iter()
    .map(|k| j[k].as_u64().unwrap_or(u64::MAX))
    .collect();
    assert_eq!(figures, vec![5, 3, 2, 1, 1, 0, 1, 2, 1]);
    assert_eq!(j["top1_rate"], 0.5);
    let misses: Vec<(&str, &str, &str)> = j["misses"]
        .as_array()
        .expect("misses")
        .iter()
        .map(|m| {
            (
                m["file"].as_str().unwrap_or(""),
                m["expected"].as_str().unwrap_or(""),
                m["got"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        misses,
        vec![
            ("b.log", "pip-not-installed", "python-externally-managed"),
            ("d.log", "-", "python-externally-managed")
        ]
    );
    assert_eq!(
        j["unknown_ids"],
        serde_json::json!([{"file": "e.log", "expected": "no-such-playbook"}])
    );

    // A labelled log that is missing: the rest is still scored, and the exit code is 2.
    std::fs::write(
        dir.join("labels.tsv"),
        format!("{labels}gone.log\t-\t1\tmissing\n"),
    )
    .expect("write labels");
    let out = faultline(&["eval", &shown]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "faultline: error: gone.log: no such file\n");
    assert!(
        stdout(&out).contains("negatives passed         1 / 2"),
        "{}",
        stdout(&out)
    );
}

// ---------------------------------------------------------------------------------------------
// Ranking that holds on unseen logs (issue 9)

/// A temporary team catalog: `(id, match block)` playbooks in a fresh folder, removed on drop.
struct TeamDir(PathBuf);

impl TeamDir {
    fn new(name: &str, playbooks: &[(&str, &str)]) -> TeamDir {
        let dir = std::env::temp_dir().join(format!("faultline-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        for (id, matcher) in playbooks {
            let yaml = format!(
                "id: {id}\ntitle: Team playbook {id}\ncategory: team\nseverity: medium\nsummary: s\ndiagnosis: d\nfix: [do the thing]\nmatch:\n{matcher}"
            );
            std::fs::write(dir.join(format!("{id}.yaml")), yaml).expect("write playbook");
        }
        TeamDir(dir)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("utf-8")
    }
}

impl Drop for TeamDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn json_of(out: &Output) -> serde_json::Value {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    serde_json::from_str(&stdout(out)).expect("JSON")
}

fn ranked(json: &serde_json::Value) -> Vec<(String, f64, String)> {
    json["diagnoses"]
        .as_array()
        .expect("diagnoses")
        .iter()
        .map(|d| {
            (
                d["playbook"].as_str().unwrap_or("").to_string(),
                d["confidence"].as_f64().unwrap_or(-1.0),
                d["demoted"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect()
}

#[test]
fn none_veto_lowers_a_candidate_below_the_others_instead_of_removing_it() {
    let team = TeamDir::new(
        "veto",
        &[
            (
                "quux-ledger-unbalanced",
                "  any:\n    - regex: 'quuxctl: error: ledger out of balance'\n      strength: strong\n  none:\n    - 'quuxctl: rebalanced the ledger'\n  window: 2\n",
            ),
            (
                "quux-generic-failure",
                "  any:\n    - regex: 'quuxctl: failed'\n      strength: weak\n",
            ),
        ],
    );
    // The strong line (3) is vetoed by line 4; the weak one (6) is not.
    let log = "quuxctl: stage 1\nquuxctl: stage 2\nquuxctl: error: ledger out of balance\nquuxctl: rebalanced the ledger\nquuxctl: stage 3\nquuxctl: failed to seal the bundle\n";
    let out = faultline_stdin(
        &[
            "analyze",
            "-",
            "--playbooks",
            team.path(),
            "--format",
            "json",
        ],
        log.as_bytes(),
    );
    let json = json_of(&out);
    assert_eq!(
        ranked(&json),
        vec![
            ("quux-generic-failure".to_string(), 0.24, "-".to_string()),
            (
                "quux-ledger-unbalanced".to_string(),
                0.24,
                "vetoed".to_string()
            ),
        ]
    );
    assert_eq!(json["diagnoses"][1]["evidence"][0]["line"], 3);
    assert_eq!(json["diagnosed"], false);

    // Without the veto line, the strong message wins outright.
    let log = log.replace("quuxctl: rebalanced the ledger\n", "");
    let json = json_of(&faultline_stdin(
        &[
            "analyze",
            "-",
            "--playbooks",
            team.path(),
            "--format",
            "json",
        ],
        log.as_bytes(),
    ));
    assert_eq!(json["diagnoses"][0]["playbook"], "quux-ledger-unbalanced");
    assert_eq!(json["diagnoses"][0]["band"], "medium");
}

#[test]
fn a_specific_line_in_the_failing_step_beats_a_generic_weak_line() {
    let team = TeamDir::new(
        "specific",
        &[
            (
                "quux-artifact-forbidden",
                "  any:\n    - regex: 'Uploading artifacts as \"archive\" to coordinator\\.\\.\\. 403 Forbidden'\n      strength: medium\n",
            ),
            (
                "quux-fatal-denied",
                "  any:\n    - regex: 'FATAL: permission denied'\n      strength: weak\n    - regex: 'ERROR: Job failed'\n      strength: weak\n",
            ),
        ],
    );
    // A GitLab trace whose script passed: the job failed uploading artifacts, and the runner's
    // generic `FATAL: permission denied` comes later, nearer the end.
    let log = "\
section_start:1717400000:prepare_script\r\x1b[0KPreparing environment
Running on runner-abc via gitlab-runner...
section_end:1717400001:prepare_script\r\x1b[0K
section_start:1717400002:step_script\r\x1b[0KExecuting \"step_script\" stage of the job script
$ make dist
built dist/app.tar.gz
section_end:1717400010:step_script\r\x1b[0K
section_start:1717400011:upload_artifacts_on_success\r\x1b[0KUploading artifacts for successful job
Uploading artifacts...
dist/app.tar.gz: found 1 matching artifact files and directories
WARNING: Uploading artifacts as \"archive\" to coordinator... 403 Forbidden  id=42 responseStatus=403 Forbidden status=403 token=abcd
FATAL: permission denied
section_end:1717400012:upload_artifacts_on_success\r\x1b[0K
section_start:1717400013:cleanup_file_variables\r\x1b[0KCleaning up project directory and file based variables
section_end:1717400014:cleanup_file_variables\r\x1b[0K
ERROR: Job failed: exit code 1
";
    let json = json_of(&faultline_stdin(
        &[
            "analyze",
            "-",
            "--playbooks",
            team.path(),
            "--format",
            "json",
        ],
        log.as_bytes(),
    ));
    assert_eq!(json["failing_step"]["name"], "upload_artifacts_on_success");
    assert_eq!(json["failing_step"]["kind"], "gitlab");
    let r = ranked(&json);
    assert_eq!(
        r[0],
        ("quux-artifact-forbidden".to_string(), 0.58, "-".to_string())
    );
    let generic = r
        .iter()
        .position(|d| d.0 == "quux-fatal-denied")
        .expect("the generic playbook is still a candidate");
    assert!(generic > 0 && r[generic].1 <= 0.4, "{r:?}");
}

#[test]
fn evidence_a_retry_recovered_from_counts_as_weak() {
    let team = TeamDir::new(
        "retry",
        &[(
            "quux-registry-timeout",
            "  any:\n    - regex: 'quuxctl: error: registry timed out'\n      strength: strong\n",
        )],
    );
    let recovered = "\
##[group]Run quuxctl publish
quuxctl publish
##[endgroup]
quuxctl: error: registry timed out after 30s
Retrying in 5 seconds (attempt 2 of 3)
quuxctl: published 3 packages
##[group]Run make check
make check
##[endgroup]
check.sh: assertion failed: totals differ
##[error]Process completed with exit code 2.
";
    let json = json_of(&faultline_stdin(
        &[
            "analyze",
            "-",
            "--playbooks",
            team.path(),
            "--format",
            "json",
        ],
        recovered.as_bytes(),
    ));
    let r = ranked(&json);
    let d = r
        .iter()
        .find(|d| d.0 == "quux-registry-timeout")
        .expect("still a candidate");
    assert_eq!(d.2, "retried");
    assert!(d.1 < 0.5, "{r:?}");
    assert_eq!(json["diagnosed"], false);

    // The same error after the last retry, in the failing step: not recovered.
    let failed = "\
##[group]Run quuxctl publish
quuxctl publish
##[endgroup]
quuxctl: error: registry timed out after 30s
Retrying in 5 seconds (attempt 2 of 3)
quuxctl: error: registry timed out after 30s
##[error]Process completed with exit code 1.
";
    let json = json_of(&faultline_stdin(
        &[
            "analyze",
            "-",
            "--playbooks",
            team.path(),
            "--format",
            "json",
        ],
        failed.as_bytes(),
    ));
    assert_eq!(
        ranked(&json)[0],
        ("quux-registry-timeout".to_string(), 0.82, "-".to_string())
    );
}

const NO_DIAGNOSIS_LOG: &str = "\
2024-06-03T09:15:01.0000000Z ##[group]Run actions/checkout@v4
2024-06-03T09:15:01.1000000Z ##[endgroup]
2024-06-03T09:15:02.0000000Z ##[group]Run ./ci/seal.sh nightly
2024-06-03T09:15:02.1000000Z ./ci/seal.sh nightly
2024-06-03T09:15:02.2000000Z ##[endgroup]
2024-06-03T09:15:03.0000000Z quuxctl: stage 3 of 4
2024-06-03T09:15:03.1000000Z quuxctl: error: the ledger of bundle 'nightly' is out of balance
2024-06-03T09:15:03.2000000Z quuxctl: 0 errors in stage 2
2024-06-03T09:15:03.3000000Z quuxctl: failed to seal bundle 'nightly'
2024-06-03T09:15:03.4000000Z ##[error]Process completed with exit code 4.
2024-06-03T09:15:04.0000000Z Post job cleanup.
";

#[test]
fn no_diagnosis_names_the_failing_step_and_its_last_error_lines() {
    let team = TeamDir::new(
        "nodiag",
        &[(
            "quux-seal-failed",
            "  any:\n    - regex: 'quuxctl: failed to seal'\n      strength: weak\n",
        )],
    );
    let run = |format: &str| {
        let out = faultline_stdin(
            &[
                "analyze",
                "-",
                "--playbooks",
                team.path(),
                "--format",
                format,
            ],
            NO_DIAGNOSIS_LOG.as_bytes(),
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
    };
    assert_eq!(
        run("human"),
        "\
No diagnosis for - (11 lines): nothing in it is specific enough to name a cause; only low-confidence candidates.
Failing step: Run ./ci/seal.sh nightly (lines 3-11, error at line 10)

Last error lines
   7 │ 2024-06-03T09:15:03.1000000Z quuxctl: error: the ledger of bundle 'nightly' is out of balance
   9 │ 2024-06-03T09:15:03.3000000Z quuxctl: failed to seal bundle 'nightly'
  10 │ 2024-06-03T09:15:03.4000000Z ##[error]Process completed with exit code 4.

Low-confidence candidates
  1. quux-seal-failed  0.28 (low)  Team playbook quux-seal-failed
     evidence at line 9

See `faultline list` for what it knows, or add a team playbook with --playbooks DIR.
"
    );
    assert_eq!(
        run("markdown"),
        "\
## faultline: no diagnosis

Nothing in `-` (11 lines) is specific enough to name a cause: only low-confidence candidates.

Failing step: `Run ./ci/seal.sh nightly` (lines 3–11, error at line 10).

**Last error lines**

```text
 7 | 2024-06-03T09:15:03.1000000Z quuxctl: error: the ledger of bundle 'nightly' is out of balance
 9 | 2024-06-03T09:15:03.3000000Z quuxctl: failed to seal bundle 'nightly'
10 | 2024-06-03T09:15:03.4000000Z ##[error]Process completed with exit code 4.
```

**Low-confidence candidates**

| playbook | confidence | evidence lines |
|---|---|---|
| `quux-seal-failed` Team playbook quux-seal-failed | 0.28 (low) | 9 |
"
    );
    let json: serde_json::Value = serde_json::from_str(&run("json")).expect("JSON");
    assert_eq!(json["matched"], true);
    assert_eq!(json["diagnosed"], false);
    assert_eq!(json["failing_step"]["name"], "Run ./ci/seal.sh nightly");
    let lines: Vec<u64> = json["error_lines"]
        .as_array()
        .expect("error_lines")
        .iter()
        .filter_map(|e| e["line"].as_u64())
        .collect();
    assert_eq!(lines, vec![7, 9, 10]);
    assert_eq!(
        json["error_lines"][0]["text"],
        "2024-06-03T09:15:03.1000000Z quuxctl: error: the ledger of bundle 'nightly' is out of balance"
    );
}

// ---------------------------------------------------------------------------------------------
// Inputs people actually have: GitHub's log archive, gzip'd logs, and what is not a log

/// A fresh temporary folder for one test, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("faultline-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    fn join(&self, name: &str) -> String {
        self.0.join(name).to_str().expect("utf-8").to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const SETUP_STEP: &str = "\
2024-05-01T12:34:50.0000000Z ##[group]Run actions/checkout@v4
2024-05-01T12:34:51.0000000Z ##[endgroup]
";

fn pep668_step() -> String {
    let mut s = String::from(
        "2024-05-01T12:34:55.1234567Z ##[group]Run pip install requests\n2024-05-01T12:34:55.2000000Z ##[endgroup]\n",
    );
    for l in &PEP668[1..] {
        s.push_str(&format!("2024-05-01T12:34:56.1234567Z {l}\n"));
    }
    s.push_str("2024-05-01T12:34:56.2000000Z ##[error]Process completed with exit code 1.\n");
    s
}

/// A zip in the layout of GitHub's "Download log archive": top-level `N_<job>.txt` job logs and a
/// folder per job with `N_<step>.txt` step logs.
fn write_zip(path: &str, files: &[(&str, &str)], method: zip::CompressionMethod) {
    let file = std::fs::File::create(path).expect("create zip");
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, text) in files {
        zip.start_file(*name, options).expect("start zip entry");
        zip.write_all(text.as_bytes()).expect("write zip entry");
    }
    zip.finish().expect("finish zip");
}

#[test]
fn github_log_archive_zip_names_the_failed_job_and_step() {
    let dir = TempDir::new("zip");
    let failing = pep668_step();
    let job_log =
        format!("{SETUP_STEP}{failing}2024-05-01T12:34:57.0000000Z Cleaning up orphan processes\n");
    let archive = dir.join("logs_42.zip");
    write_zip(
        &archive,
        &[
            ("0_lint.txt", SETUP_STEP),
            ("1_build.txt", &job_log),
            ("lint/1_Set up job.txt", SETUP_STEP),
            ("build/1_Set up job.txt", SETUP_STEP),
            ("build/2_Run pip install requests.txt", &failing),
        ],
        zip::CompressionMethod::Deflated,
    );
    let json = json_of(&faultline(&["analyze", &archive, "--format", "json"]));
    assert_eq!(
        json["diagnoses"][0]["playbook"],
        "python-externally-managed"
    );
    assert_eq!(json["diagnoses"][0]["band"], "high");
    assert_eq!(
        json["archive"],
        serde_json::json!({
            "file": "1_build.txt",
            "job": "build",
            "step": "Run pip install requests",
            "failed_jobs": ["build"]
        })
    );
    // Line numbers are those of the job's log inside the archive.
    let error_line = SETUP_STEP.lines().count() + failing.lines().count();
    assert_eq!(json["failing_step"]["error_line"], error_line);
    let human = stdout(&faultline(&["analyze", &archive]));
    assert!(
        human.contains(
            "\nfailed job: build, step Run pip install requests (analysed 1_build.txt from the archive)\n"
        ),
        "{human}"
    );

    // An archive with step files only (stored, not deflated): the job's steps, in order.
    let steps = dir.join("steps.zip");
    write_zip(
        &steps,
        &[
            ("build/2_Run pip install requests.txt", &failing),
            ("build/1_Set up job.txt", SETUP_STEP.trim_end()),
        ],
        zip::CompressionMethod::Stored,
    );
    let json = json_of(&faultline(&["analyze", &steps, "--format", "json"]));
    assert_eq!(
        json["diagnoses"][0]["playbook"],
        "python-externally-managed"
    );
    assert_eq!(json["archive"]["file"], "build/");
    assert_eq!(json["failing_step"]["name"], "Run pip install requests");
    assert_eq!(json["failing_step"]["start_line"], 3);

    // No failed job in the archive: exit 2 and say why.
    let passed = dir.join("passed.zip");
    write_zip(
        &passed,
        &[("0_lint.txt", SETUP_STEP)],
        zip::CompressionMethod::Deflated,
    );
    let out = faultline(&["analyze", &passed]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!("faultline: error: {passed}: zip archive with no failed job: no log in it holds `##[error]` (did the run pass?)\n")
    );
}

#[test]
fn gzip_logs_are_streamed_from_a_file_and_stdin() {
    use flate2::write::GzEncoder;
    let dir = TempDir::new("gz");
    let (text, error_at) = variant("github");
    let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(text.as_bytes()).expect("compress");
    let gz = enc.finish().expect("compress");
    let path = dir.join("build.log.gz");
    std::fs::write(&path, &gz).expect("write gz");
    for out in [
        faultline(&["analyze", &path, "--format", "json"]),
        faultline_stdin(&["analyze", "-", "--format", "json"], &gz),
    ] {
        let json = json_of(&out);
        assert_eq!(
            json["diagnoses"][0]["playbook"],
            "python-externally-managed"
        );
        assert_eq!(json["lines"], text.lines().count());
        let lines: Vec<u64> = json["diagnoses"][0]["evidence"]
            .as_array()
            .expect("evidence")
            .iter()
            .filter_map(|e| e["line"].as_u64())
            .collect();
        assert!(lines.contains(&error_at), "{lines:?}");
    }
    // A corrupt gzip stream is an input error.
    std::fs::write(&path, &gz[..gz.len() / 2]).expect("write gz");
    let out = faultline(&["analyze", &path]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stderr(&out).starts_with(&format!("faultline: error: {path}: ")));
}

#[test]
fn binary_input_and_non_regular_files_exit_2_with_a_clear_error() {
    let dir = TempDir::new("binary");
    let png = dir.join("screenshot.log");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0").expect("write png");
    let out = faultline(&["analyze", &png]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!("faultline: error: {png}: binary file, not a log (detected PNG image)\n")
    );
    assert!(out.stdout.is_empty());

    let elf = env!("CARGO_BIN_EXE_faultline");
    let out = faultline(&["analyze", elf]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!("faultline: error: {elf}: binary file, not a log (detected ELF executable)\n")
    );

    let out = faultline_stdin(&["analyze", "-"], b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "faultline: error: -: binary file, not a log (detected ELF executable)\n"
    );

    #[cfg(unix)]
    {
        let zero = dir.join("zero.log");
        std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
        let out = faultline(&["analyze", &zero]);
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(
            stderr(&out),
            format!("faultline: error: {zero}: is a device, not a log file\n")
        );
        let fifo = dir.join("pipe.log");
        let made = Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let out = faultline(&["analyze", &fifo]);
            assert_eq!(out.status.code(), Some(2));
            assert_eq!(
                stderr(&out),
                format!("faultline: error: {fifo}: is a FIFO (named pipe), not a regular file: pipe it to `faultline analyze -` instead\n")
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Aliases and calibration

/// Two team playbooks: one strong (with an alias and a reference), one weak-only.
fn quux_team(name: &str) -> TeamDir {
    TeamDir::new(
        name,
        &[
            (
                "quux-ledger-unbalanced",
                "  any:\n    - regex: 'quuxctl: error: ledger out of balance'\n      strength: strong\naliases: [quux-old-name]\nreferences:\n  - url: https://example.org/quuxctl/errors\n    shows: the `ledger out of balance` message\n",
            ),
            (
                "quux-seal-failed",
                "  any:\n    - regex: 'quuxctl: failed to seal'\n      strength: weak\n",
            ),
        ],
    )
}

#[test]
fn explain_accepts_an_alias_and_says_so() {
    let team = quux_team("alias-explain");
    let out = faultline(&["explain", "quux-old-name", "--playbooks", team.path()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with(
            "`quux-old-name` is an alias of `quux-ledger-unbalanced`.\n\nquux-ledger-unbalanced: Team playbook quux-ledger-unbalanced\n"
        ),
        "{}",
        stdout(&out)
    );
    let out = faultline(&[
        "explain",
        "quux-old-name",
        "--playbooks",
        team.path(),
        "--format",
        "markdown",
    ]);
    assert!(
        stdout(&out).starts_with("> `quux-old-name` is an alias of `quux-ledger-unbalanced`.\n\n"),
        "{}",
        stdout(&out)
    );
    let json = json_of(&faultline(&[
        "explain",
        "quux-old-name",
        "--playbooks",
        team.path(),
        "--format",
        "json",
    ]));
    assert_eq!(json["id"], "quux-ledger-unbalanced");
    assert_eq!(json["requested_alias"], "quux-old-name");
    // Asked by its id, no alias note.
    let json = json_of(&faultline(&[
        "explain",
        "quux-ledger-unbalanced",
        "--playbooks",
        team.path(),
        "--format",
        "json",
    ]));
    assert!(json.get("requested_alias").is_none());

    // A near miss of an alias suggests it.
    let out = faultline(&["explain", "quux-old-nam", "--playbooks", team.path()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "faultline: error: no playbook or rule `quux-old-nam`; did you mean quux-old-name?\n"
    );

    // `list --format json` shows aliases and references.
    let json = json_of(&faultline(&[
        "list",
        "--playbooks",
        team.path(),
        "--category",
        "team",
        "--format",
        "json",
    ]));
    let p = json["playbooks"]
        .as_array()
        .expect("array")
        .iter()
        .find(|p| p["id"] == "quux-ledger-unbalanced")
        .expect("listed");
    assert_eq!(p["aliases"], serde_json::json!(["quux-old-name"]));
    assert_eq!(
        p["references"],
        serde_json::json!([{"url": "https://example.org/quuxctl/errors", "shows": "the `ledger out of balance` message"}])
    );
}

#[test]
fn eval_counts_alias_labels_and_reports_right_answers_per_band() {
    let team = quux_team("alias-eval");
    let dir = TempDir::new("eval-bands");
    let step = "##[group]Run quuxctl seal\nquuxctl seal\n##[endgroup]\nquuxctl: error: ledger out of balance\n##[error]Process completed with exit code 1.\n";
    for (name, text) in [
        ("high.log", step),
        ("alias.log", step),
        ("medium.log", "quuxctl: error: ledger out of balance\n"),
        ("low.log", "quuxctl: failed to seal bundle\n"),
        ("none.log", "nothing to see\n"),
    ] {
        std::fs::write(dir.0.join(name), text).expect("write log");
    }
    std::fs::write(
        dir.0.join("labels.tsv"),
        "file\texpected_playbook\ttop_n\n\
         high.log\tquux-ledger-unbalanced\t1\n\
         alias.log\tquux-old-name\t1\n\
         medium.log\tquux-seal-failed\t1\n\
         low.log\tquux-seal-failed\t1\n\
         none.log\tquux-seal-failed\t1\n",
    )
    .expect("write labels");
    let shown = dir.join("");
    let shown = shown.trim_end_matches('/');
    let json = json_of(&faultline(&[
        "eval",
        shown,
        "--playbooks",
        team.path(),
        "--format",
        "json",
    ]));
    assert_eq!(json["known"], 5);
    assert_eq!(json["top1"], 3);
    assert_eq!(json["unknown_ids"], serde_json::json!([]));
    assert_eq!(
        json["bands"],
        serde_json::json!([
            {"band": "high", "cases": 2, "right": 2, "rate": 1.0},
            {"band": "medium", "cases": 1, "right": 0, "rate": 0.0},
            {"band": "low", "cases": 1, "right": 1, "rate": 1.0},
            {"band": "none", "cases": 1, "right": 0, "rate": 0.0}
        ])
    );
    let out = faultline(&["eval", shown, "--playbooks", team.path()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(
            "  top-1 by confidence of the top answer:\n    high         2 cases     2 right  100.0%\n    medium       1 cases     0 right    0.0%\n    low          1 cases     1 right  100.0%\n    none         1 cases     0 right    0.0%\n"
        ),
        "{}",
        stdout(&out)
    );
}
