//! The lint gate end to end: the real binary on fixture trees (`tests/fixtures/gate/<case>/`), copied
//! into a scratch folder with its own `.git` so each case is a repository of its own. Exit codes per
//! `--fail-on`, SARIF and GitHub formats, configuration errors with positions, suppressions,
//! baselines, `--quiet`, colour, completions, the man page, and the CI examples in `docs/examples/`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_faultline");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gate");
const EXTERNALLY_MANAGED: &str = "pip-install-externally-managed";

/// A scratch repository, removed on drop.
struct Tree {
    dir: PathBuf,
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Tree {
    fn empty() -> Tree {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "faultline-gate-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(".git")).expect("create scratch repo");
        Tree { dir }
    }

    fn fixture(name: &str) -> Tree {
        let t = Tree::empty();
        copy_dir(&Path::new(FIXTURES).join(name), &t.dir);
        t
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.dir.join(rel)).expect("read")
    }

    fn run(&self, args: &[&str]) -> Out {
        self.run_env(args, &[])
    }

    fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Out {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .current_dir(&self.dir)
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run faultline");
        Out {
            code: out.status.code().expect("exit code"),
            stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
            stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
        }
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("fixture folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn json(out: &Out) -> Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", out.stdout))
}

/// (path, line, column, rule, severity) of every finding in a JSON report.
fn findings(out: &Out) -> Vec<(String, u64, u64, String, String)> {
    json(out)["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().expect("path").to_string(),
                f["start_line"].as_u64().expect("line"),
                f["start_column"].as_u64().expect("column"),
                f["rule"].as_str().expect("rule").to_string(),
                f["severity"].as_str().expect("severity").to_string(),
            )
        })
        .collect()
}

fn f(
    path: &str,
    line: u64,
    col: u64,
    rule: &str,
    severity: &str,
) -> (String, u64, u64, String, String) {
    (
        path.to_string(),
        line,
        col,
        rule.to_string(),
        severity.to_string(),
    )
}

// ---------------------------------------------------------------------------------------------
// Exit codes and --fail-on

#[test]
fn exit_codes_follow_fail_on() {
    let repo = Tree::fixture("repo");
    // The two errors: the workflow's `pip install` after a non-ASCII echo (columns count
    // characters), the Dockerfile's; docker-compose.yml is skipped quietly.
    let out = repo.run(&["lint", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        findings(&out),
        [
            f(
                ".github/workflows/ci.yml",
                12,
                28,
                EXTERNALLY_MANAGED,
                "error"
            ),
            f("Dockerfile", 3, 5, EXTERNALLY_MANAGED, "error"),
        ]
    );
    assert_eq!(json(&out)["files_checked"], 2);
    assert_eq!(repo.run(&["lint", "--fail-on", "error"]).code, 1);
    assert_eq!(repo.run(&["lint", "--fail-on", "warning"]).code, 1);
    assert_eq!(repo.run(&["lint", "--fail-on", "never"]).code, 0);

    let warn = Tree::fixture("warning-only");
    let out = warn.run(&["lint", "--format", "json"]);
    assert_eq!(
        findings(&out),
        [f(
            ".github/workflows/hosted.yml",
            7,
            14,
            "pip-install-relies-on-runner-pip-conf",
            "warning"
        )]
    );
    assert_eq!(out.code, 0);
    assert_eq!(warn.run(&["lint", "--fail-on", "warning"]).code, 1);
    assert_eq!(warn.run(&["lint", "--fail-on", "never"]).code, 0);

    let clean = Tree::fixture("clean");
    let out = clean.run(&["lint"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "0 errors, 0 warnings in 0 files (2 files checked)\n")
    );
    assert_eq!(clean.run(&["lint", "--fail-on", "warning"]).code, 0);

    let bad_flag = clean.run(&["lint", "--fail-on", "sometimes"]);
    assert_eq!(bad_flag.code, 2);
}

#[test]
fn unusable_input_exits_2_and_the_other_files_are_still_linted() {
    let t = Tree::fixture("broken");
    let out = t.run(&["lint", "--format", "json"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        findings(&out),
        [f("Dockerfile", 3, 5, EXTERNALLY_MANAGED, "error")]
    );
    let errors = &json(&out)["errors"];
    assert_eq!(errors[0]["path"], ".github/workflows/bad.yml");
    assert_eq!(errors[0]["line"], 5);
    assert!(
        out.stderr
            .starts_with("faultline: error: .github/workflows/bad.yml:5:10: invalid YAML"),
        "{}",
        out.stderr
    );
    // --fail-on never does not hide unusable input.
    assert_eq!(t.run(&["lint", "--fail-on", "never"]).code, 2);
}

// ---------------------------------------------------------------------------------------------
// SARIF

#[test]
fn sarif_shape() {
    let t = Tree::fixture("repo");
    let out = t.run(&["lint", "--format", "sarif"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let v = json(&out);
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(
        v["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    assert_eq!(v["runs"].as_array().map(Vec::len), Some(1));
    let run = &v["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let root_uri = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .expect("root uri");
    assert!(
        root_uri.starts_with("file:///") && root_uri.ends_with('/'),
        "{root_uri}"
    );
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);

    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "faultline");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        driver["informationUri"],
        "https://github.com/faultline-ci/faultline"
    );
    let rules = driver["rules"].as_array().expect("rules");
    // Every rule `faultline rules --format json` lists is described, plus the suppression rule.
    let listed = t.run(&["rules", "--format", "json"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let listed_ids: Vec<String> = listed_rule_ids(&json(&listed));
    assert!(!listed_ids.is_empty());
    let ids: Vec<&str> = rules
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    for id in &listed_ids {
        assert!(
            ids.contains(&id.as_str()),
            "{id} missing from SARIF rules {ids:?}"
        );
    }
    assert!(ids.contains(&"faultline-suppression"));
    for r in rules {
        for key in ["shortDescription", "fullDescription", "help"] {
            assert!(
                r[key]["text"].as_str().is_some_and(|s| !s.is_empty()),
                "{key} of {}",
                r["id"]
            );
        }
        assert!(
            r["helpUri"]
                .as_str()
                .is_some_and(|u| u.starts_with("https://")),
            "{}",
            r["id"]
        );
        assert!(["error", "warning", "note"]
            .contains(&r["defaultConfiguration"]["level"].as_str().expect("level")));
    }
    let em = rules
        .iter()
        .find(|r| r["id"] == EXTERNALLY_MANAGED)
        .expect("rule described");
    // The rule's own page, which `faultline docs` writes (and CI keeps in docs/playbooks/rules).
    assert_eq!(
        em["helpUri"],
        "https://github.com/faultline-ci/faultline/blob/main/docs/playbooks/rules/pip-install-externally-managed.md"
    );
    assert!(Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/playbooks/rules/pip-install-externally-managed.md")
        .is_file());
    assert_eq!(em["defaultConfiguration"]["level"], "error");

    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    let expect = [
        (".github/workflows/ci.yml", 12, 28, 12, 48),
        ("Dockerfile", 3, 5, 3, 22),
    ];
    for (res, (uri, sl, sc, el, ec)) in results.iter().zip(expect) {
        assert_eq!(res["ruleId"], EXTERNALLY_MANAGED);
        let idx = res["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(
            rules[idx]["id"], res["ruleId"],
            "ruleIndex points at the rule"
        );
        assert_eq!(res["level"], "error");
        assert!(res["message"]["text"]
            .as_str()
            .is_some_and(|m| m.contains("externally")));
        let loc = &res["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], uri);
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &loc["region"];
        assert_eq!(
            [
                &region["startLine"],
                &region["startColumn"],
                &region["endLine"],
                &region["endColumn"]
            ],
            [sl, sc, el, ec].map(Value::from).each_ref()
        );
        assert!(res["partialFingerprints"]["faultline/v1"]
            .as_str()
            .is_some_and(|s| !s.is_empty()));
    }
    assert_eq!(
        results[1]["locations"][0]["physicalLocation"]["region"]["snippet"]["text"],
        "pip install flask"
    );
}

fn listed_rule_ids(v: &Value) -> Vec<String> {
    let arr = v
        .as_array()
        .or_else(|| v["rules"].as_array())
        .expect("a list of rules");
    arr.iter()
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect()
}

#[test]
fn sarif_fingerprints_survive_line_moves() {
    let t = Tree::fixture("repo");
    let fp = |t: &Tree| {
        let v = json(&t.run(&["lint", "--format", "sarif", "Dockerfile"]));
        v["runs"][0]["results"][0]["partialFingerprints"]["faultline/v1"].clone()
    };
    let before = fp(&t);
    t.write(
        "Dockerfile",
        &format!("# a comment\n{}", t.read("Dockerfile")),
    );
    assert_eq!(fp(&t), before);
    t.write(
        "Dockerfile",
        &t.read("Dockerfile")
            .replace("pip install flask", "pip install flask gunicorn"),
    );
    assert_ne!(fp(&t), before);
}

#[test]
fn sarif_paths_are_relative_to_the_repository_root_from_a_subfolder() {
    let t = Tree::fixture("repo");
    std::fs::create_dir_all(t.dir.join("sub")).expect("mkdir");
    let mut cmd = Command::new(BIN);
    let out = cmd
        .args(["lint", "--format", "sarif", "../Dockerfile"])
        .current_dir(t.dir.join("sub"))
        .output()
        .expect("run");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "Dockerfile"
    );
}

// ---------------------------------------------------------------------------------------------
// GitHub annotations

/// The runner's escaping: `%`, CR, LF in data; also `:` and `,` in properties.
fn esc_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

#[test]
fn github_format_exact_lines() {
    let t = Tree::fixture("repo");
    let report = json(&t.run(&["lint", "--format", "json"]));
    let out = t.run(&["lint", "--format", "github"]);
    assert_eq!(out.code, 1);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.stdout);
    let expected_message = |i: usize| {
        let f = &report["findings"][i];
        let mut m = f["message"].as_str().expect("message").to_string();
        if let Some(h) = f["help"].as_str() {
            m.push_str("\n\nhelp: ");
            m.push_str(h);
        }
        m.push_str("\nplaybook: ");
        m.push_str(f["playbook_url"].as_str().expect("url"));
        esc_data(&m)
    };
    assert_eq!(
        lines[0],
        format!(
            "::error file=.github/workflows/ci.yml,line=12,col=28,endColumn=48,title=faultline (pip-install-externally-managed)::{}",
            expected_message(0)
        )
    );
    assert_eq!(
        lines[1],
        format!(
            "::error file=Dockerfile,line=3,col=5,endColumn=22,title=faultline (pip-install-externally-managed)::{}",
            expected_message(1)
        )
    );

    let warn = Tree::fixture("warning-only");
    let out = warn.run(&["lint", "--format", "github"]);
    assert!(
        out.stdout.starts_with(
            "::warning file=.github/workflows/hosted.yml,line=7,col=14,endColumn=30,title=faultline (pip-install-relies-on-runner-pip-conf)::"
        ),
        "{}",
        out.stdout
    );
    assert_eq!(out.code, 0);
}

#[test]
fn github_format_reports_unusable_files_as_errors() {
    let t = Tree::fixture("broken");
    let out = t.run(&["lint", "--format", "github"]);
    assert_eq!(out.code, 2);
    let last = out.stdout.lines().last().expect("a line");
    assert!(
        last.starts_with(
            "::error file=.github/workflows/bad.yml,line=5,col=10,title=faultline::invalid YAML%3A"
        ) || last.starts_with(
            "::error file=.github/workflows/bad.yml,line=5,col=10,title=faultline::invalid YAML:"
        ),
        "{last}"
    );
}

// ---------------------------------------------------------------------------------------------
// Configuration

#[test]
fn config_turns_rules_off_changes_severity_and_ignores_paths() {
    let t = Tree::fixture("repo");
    t.write(
        ".faultline.yaml",
        "rules:\n  pip-install-externally-managed: warning\n",
    );
    let out = t.run(&["lint", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        findings(&out),
        [
            f(
                ".github/workflows/ci.yml",
                12,
                28,
                EXTERNALLY_MANAGED,
                "warning"
            ),
            f("Dockerfile", 3, 5, EXTERNALLY_MANAGED, "warning"),
        ]
    );
    assert_eq!(t.run(&["lint", "--fail-on", "warning"]).code, 1);

    t.write(
        ".faultline.yaml",
        "rules:\n  pip-install-externally-managed: off\n",
    );
    let out = t.run(&["lint", "--format", "json"]);
    assert_eq!((out.code, findings(&out).len()), (0, 0));

    // `.yml` is found too; ignore a file by name and a folder.
    std::fs::remove_file(t.dir.join(".faultline.yaml")).expect("rm");
    t.write(
        ".faultline.yml",
        "ignore:\n  - Dockerfile\n  - .github/workflows/\n",
    );
    let out = t.run(&["lint", "--format", "json"]);
    assert_eq!((out.code, findings(&out).len()), (0, 0), "{}", out.stdout);

    // Ignores apply to files named on the command line too (the pre-commit case).
    let out = t.run(&["lint", "--format", "json", "Dockerfile"]);
    assert_eq!((out.code, findings(&out).len()), (0, 0));
}

#[test]
fn config_errors_have_positions_and_exit_2() {
    let t = Tree::fixture("repo");
    // (file text, stderr)
    let cases = [
        (
            "rules:\n  pip-install-externaly-managed: off\n",
            "faultline: error: .faultline.yaml:2:3: unknown rule `pip-install-externaly-managed` (did you mean `pip-install-externally-managed`, `uv-pip-system-externally-managed`?)\n",
        ),
        (
            "rule:\n  pip-install-externally-managed: off\n",
            "faultline: error: .faultline.yaml:1:1: unknown field `rule`, expected one of rules, ignore, runners, images, playbooks, today, github_enterprise_server\n",
        ),
        (
            "rules:\n  pip-install-externally-managed: fatal\n",
            "faultline: error: .faultline.yaml:2:35: `fatal` is not a rule setting: use off, error, warning or info\n",
        ),
        (
            "runners:\n  gpu:\n    externally-managed: true\n",
            "faultline: error: .faultline.yaml:3:5: unknown field `externally-managed`, expected one of externally_managed, pip, pip_conf_override, venv\n",
        ),
        (
            "playbooks: [team/playbooks]\n",
            "faultline: error: .faultline.yaml:1:13: playbook folder `team/playbooks` does not exist (paths are relative to this file)\n",
        ),
    ];
    for (text, stderr) in cases {
        t.write(".faultline.yaml", text);
        let out = t.run(&["lint"]);
        assert_eq!(
            (out.code, out.stderr.as_str(), out.stdout.as_str()),
            (2, stderr, ""),
            "for {text:?}"
        );
    }
    std::fs::remove_file(t.dir.join(".faultline.yaml")).expect("rm");

    // Both names at once is ambiguous.
    t.write(".faultline.yaml", "");
    t.write(".faultline.yml", "");
    let out = t.run(&["lint"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("both .faultline.yaml and .faultline.yml exist; keep one"),
        "{}",
        out.stderr
    );
}

#[test]
fn config_flag_overrides_discovery() {
    let t = Tree::fixture("repo");
    t.write(
        ".faultline.yaml",
        "rules:\n  pip-install-externally-managed: off\n",
    );
    t.write(
        "ci/strict.yaml",
        "rules:\n  pip-install-externally-managed: error\nplaybooks: [playbooks]\n",
    );
    std::fs::create_dir_all(t.dir.join("ci/playbooks")).expect("mkdir");
    let out = t.run(&["lint", "--config", "ci/strict.yaml", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(findings(&out).len(), 2);

    let out = t.run(&["lint", "--config", "missing.yaml"]);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (2, "faultline: error: missing.yaml: cannot read the configuration: no such file or directory\n")
    );
}

#[test]
fn declared_runner_makes_a_self_hosted_label_known() {
    let t = Tree::empty();
    t.write(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  t:\n    runs-on: [self-hosted, gpu-box]\n    steps:\n      - run: pip install torch\n",
    );
    // Unknown runner: silent.
    let out = t.run(&["lint", "--format", "json"]);
    assert_eq!((out.code, findings(&out).len()), (0, 0), "{}", out.stdout);
    // Declared as an externally managed Python with pip and no pip.conf override: an error.
    t.write(
        ".faultline.yaml",
        "runners:\n  gpu-box:\n    externally_managed: true\n    pip: true\n    pip_conf_override: false\n",
    );
    let out = t.run(&["lint", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_eq!(
        findings(&out),
        [f(
            ".github/workflows/ci.yml",
            6,
            14,
            EXTERNALLY_MANAGED,
            "error"
        )]
    );
}

// ---------------------------------------------------------------------------------------------
// Inline suppressions

#[test]
fn suppressions_on_the_line_above_and_the_same_line() {
    let t = Tree::fixture("suppressed");
    let out = t.run(&["lint", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(findings(&out), []);
    assert_eq!(json(&out)["files_checked"], 2);

    // Without the comments, the same files give four errors: the comments did the work.
    for rel in ["Dockerfile", ".github/workflows/ci.yml"] {
        let text: String = t
            .read(rel)
            .lines()
            .filter(|l| !l.trim_start().starts_with("# faultline"))
            .collect::<Vec<_>>()
            .join("\n");
        t.write(
            rel,
            &(text.replace("# faultline: ignore[pip-install-externally-managed]", "") + "\n"),
        );
    }
    let out = t.run(&["lint", "--format", "json"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        findings(&out),
        [
            f(
                ".github/workflows/ci.yml",
                9,
                11,
                EXTERNALLY_MANAGED,
                "error"
            ),
            f("Dockerfile", 3, 5, EXTERNALLY_MANAGED, "error"),
            f("Dockerfile", 4, 5, EXTERNALLY_MANAGED, "error"),
            f("Dockerfile", 6, 5, EXTERNALLY_MANAGED, "error"),
        ]
    );
}

#[test]
fn suppressions_that_rot_are_warnings() {
    let t = Tree::fixture("stale");
    let out = t.run(&["lint", "--format", "json"]);
    assert_eq!(out.code, 0);
    assert_eq!(
        findings(&out),
        [
            f("Dockerfile", 2, 21, "faultline-suppression", "warning"),
            f("Dockerfile", 4, 47, "faultline-suppression", "warning")
        ]
    );
    let v = json(&out);
    assert_eq!(
        v["findings"][0]["message"],
        "this suppression of `pip-install-externally-managed` suppresses nothing here"
    );
    assert_eq!(
        v["findings"][1]["message"],
        "`pip-instal` is not a faultline rule, so this suppression does nothing"
    );
    assert_eq!(v["findings"][0]["playbook_url"], Value::Null);
    assert_eq!(t.run(&["lint", "--fail-on", "warning"]).code, 1);

    // The suppression rule is configurable like any rule.
    t.write(
        ".faultline.yaml",
        "rules:\n  faultline-suppression: error\n",
    );
    assert_eq!(t.run(&["lint"]).code, 1);
    t.write(".faultline.yaml", "rules:\n  faultline-suppression: off\n");
    let out = t.run(&["lint", "--format", "json"]);
    assert_eq!(findings(&out), []);

    // The human report renders them without a playbook line.
    std::fs::remove_file(t.dir.join(".faultline.yaml")).expect("rm");
    let out = t.run(&["lint", "--color", "never"]);
    assert!(
        out.stdout.contains("faultline-suppression"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("playbook:"), "{}", out.stdout);
    assert!(
        out.stdout
            .ends_with("0 errors, 2 warnings in 1 file (1 file checked)\n"),
        "{}",
        out.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// Baselines

#[test]
fn baseline_round_trip_survives_line_moves() {
    let t = Tree::fixture("repo");
    let out = t.run(&["lint", "--write-baseline", "baseline.json"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{}", out.stderr);
    assert_eq!(
        out.stderr,
        "faultline: recorded 2 findings in baseline.json\n"
    );
    let b: Value = serde_json::from_str(&t.read("baseline.json")).expect("baseline JSON");
    assert_eq!(b["schema_version"], 2);
    assert_eq!(b["tool"], "faultline");
    assert_eq!(b["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        b["findings"],
        serde_json::json!([
            {"rule": EXTERNALLY_MANAGED, "path": ".github/workflows/ci.yml", "command": "pip install requests", "count": 1},
            {"rule": EXTERNALLY_MANAGED, "path": "Dockerfile", "command": "pip install flask", "count": 1},
        ])
    );

    let out = t.run(&["lint", "--baseline", "baseline.json"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(
        out.stdout,
        "0 errors, 0 warnings in 0 files (2 files checked)\n2 findings hidden by the baseline\n"
    );

    // Move the Dockerfile's command down two lines and re-wrap it: still baselined.
    t.write(
        "Dockerfile",
        "FROM debian:12\n# tools\nRUN apt-get update && apt-get install -y python3-pip\nRUN true\nRUN pip install \\\n    flask\n",
    );
    let out = t.run(&["lint", "--baseline", "baseline.json", "--format", "json"]);
    assert_eq!((out.code, findings(&out)), (0, vec![]), "{}", out.stdout);

    // A changed command is new; the old entry is reported as stale.
    t.write(
        "Dockerfile",
        &t.read("Dockerfile").replace("flask", "flask==3.0"),
    );
    let out = t.run(&["lint", "--baseline", "baseline.json", "--format", "json"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        findings(&out),
        [f("Dockerfile", 5, 5, EXTERNALLY_MANAGED, "error")]
    );
    let out = t.run(&["lint", "--baseline", "baseline.json", "--color", "never"]);
    assert!(
        out.stdout.ends_with(
            "1 error, 0 warnings in 1 file (2 files checked)\n1 finding hidden by the baseline; 1 baseline entry no longer found (rewrite it with --write-baseline)\n"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn bad_baselines_exit_2_with_position() {
    let t = Tree::fixture("repo");
    t.write("b.json", "{\n  \"version\": 1,\n  \"findings\": [\n    {\"rule\": \"x\", \"path\": \"Dockerfile\"}\n  ]\n}\n");
    let out = t.run(&["lint", "--baseline", "b.json"]);
    assert_eq!(
        (out.code, out.stderr.as_str(), out.stdout.as_str()),
        (
            2,
            "faultline: error: b.json:4:39: not a faultline baseline: missing field `command`\n",
            ""
        )
    );
    t.write("b.json", "{\"version\": 7, \"findings\": []}");
    let out = t.run(&["lint", "--baseline", "b.json"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "faultline: error: b.json: baseline version 7 is not supported (this faultline writes schema_version 2); rewrite it with --write-baseline\n"
    );
    let out = t.run(&["lint", "--baseline", "nope.json"]);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (
            2,
            "faultline: error: nope.json: cannot read the baseline: no such file or directory\n"
        )
    );
}

// ---------------------------------------------------------------------------------------------
// --quiet, colour

#[test]
fn quiet_prints_nothing_for_a_clean_run_and_no_summary() {
    let clean = Tree::fixture("clean");
    let out = clean.run(&["lint", "--quiet"]);
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    let repo = Tree::fixture("repo");
    let out = repo.run(&["lint", "-q", "--color", "never"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("pip-install-externally-managed"));
    assert!(!out.stdout.contains("checked)"), "{}", out.stdout);
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let t = Tree::fixture("repo");
    let ansi = |o: &Out| o.stdout.contains("\u{1b}[");
    // Piped (as here) means no colour by default.
    assert!(!ansi(&t.run(&["lint"])));
    assert!(ansi(&t.run(&["lint", "--color", "always"])));
    assert!(!ansi(&t.run(&["lint", "--color", "never"])));
    assert!(!ansi(
        &t.run_env(&["lint", "--color", "auto"], &[("NO_COLOR", "1")])
    ));
    // An explicit --color always beats NO_COLOR.
    assert!(ansi(
        &t.run_env(&["lint", "--color", "always"], &[("NO_COLOR", "1")])
    ));
    // The plain rendering has the same text.
    let strip = |s: &str| {
        let re = regex::Regex::new("\u{1b}\\[[0-9;]*m").expect("regex");
        re.replace_all(s, "").into_owned()
    };
    assert_eq!(
        strip(&t.run(&["lint", "--color", "always"]).stdout),
        t.run(&["lint"]).stdout
    );
}

// ---------------------------------------------------------------------------------------------
// Completions, man page, version

#[test]
fn completions_and_man_page() {
    let t = Tree::empty();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = t.run(&["completions", shell]);
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        for sub in ["lint", "analyze", "explain", "rules"] {
            assert!(out.stdout.contains(sub), "{shell} completion lacks {sub}");
        }
        assert!(
            out.stdout.contains("fail-on"),
            "{shell} completion lacks --fail-on"
        );
    }
    assert_eq!(t.run(&["completions", "tcsh"]).code, 2);

    let out = t.run(&["man"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains(".TH faultline 1"), "{}", out.stdout);
    for sub in [
        "faultline\\-lint",
        "faultline\\-analyze",
        "faultline\\-rules",
    ] {
        assert!(out.stdout.contains(sub), "man page lacks {sub}");
    }
    let out = t.run(&["man", "man1"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lint_page = t.read("man1/faultline-lint.1");
    assert!(lint_page.contains(".TH faultline-lint 1"));
    assert!(lint_page.contains("fail\\-on"));
    assert!(t.dir.join("man1/faultline.1").is_file());

    let out = t.run(&["--version"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, concat!("faultline ", env!("CARGO_PKG_VERSION"), "\n"))
    );
}

// ---------------------------------------------------------------------------------------------
// The CI examples in docs/examples lint clean with faultline itself

#[test]
fn ci_examples_are_yaml_and_lint_clean() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/examples");
    let github =
        std::fs::read_to_string(examples.join("github-faultline.yml")).expect("GitHub example");
    let gitlab =
        std::fs::read_to_string(examples.join("gitlab-faultline.yml")).expect("GitLab example");
    for (name, text) in [("github", &github), ("gitlab", &gitlab)] {
        let docs = <saphyr::Yaml as saphyr::LoadableYamlNode>::load_from_str(text)
            .unwrap_or_else(|e| panic!("{name} example is not YAML: {e}"));
        assert_eq!(docs.len(), 1, "{name}: one document");
    }
    let gh: serde_json::Value = serde_saphyr::from_str(&github).expect("GitHub example as data");
    let steps = gh["jobs"]["lint"]["steps"]
        .as_array()
        .expect("jobs.lint.steps");
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(
        runs.iter()
            .any(|r| r.contains("faultline lint --format sarif")),
        "{runs:?}"
    );
    assert!(
        runs.iter()
            .any(|r| r.contains("faultline lint --format github")),
        "{runs:?}"
    );
    assert!(steps.iter().any(|s| s["uses"]
        .as_str()
        .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))));
    let diagnose = &gh["jobs"]["diagnose"];
    assert!(diagnose["if"]
        .as_str()
        .is_some_and(|c| c.contains("failure()")));
    let diag_runs: Vec<&str> = diagnose["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect();
    assert!(diag_runs
        .iter()
        .any(|r| r.contains("faultline analyze") && r.contains("GITHUB_STEP_SUMMARY")));

    let gl: serde_json::Value = serde_saphyr::from_str(&gitlab).expect("GitLab example as data");
    let script = gl["faultline-lint"]["script"]
        .as_array()
        .expect("faultline-lint.script");
    assert!(script
        .iter()
        .any(|l| l.as_str().is_some_and(|l| l.contains("faultline lint"))));

    // Where users put them, faultline itself finds nothing at error (nor warning) severity.
    let t = Tree::empty();
    t.write(".github/workflows/faultline.yml", &github);
    t.write(".gitlab-ci.yml", &gitlab);
    let out = t.run(&["lint", "--format", "json", "--fail-on", "warning"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(findings(&out), []);
    assert_eq!(json(&out)["files_checked"], 2);
}

// ---------------------------------------------------------------------------------------------
// Discovery: names, content, ignore files, the configuration nearest the linted path

/// A Dockerfile whose third line fails (bare pip on Ubuntu 24.04's marked Python).
const FAILING_DOCKERFILE: &str =
    "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y python3-pip\nRUN pip install requests\n";

#[test]
fn dockerfile_dash_and_containerfile_names_are_found() {
    let t = Tree::empty();
    for name in [
        "docker/Dockerfile-ann",
        "Containerfile.fedora",
        "images/web.Containerfile",
        // Source files named after Dockerfiles are not Dockerfiles.
        "src/dockerfile-parser.rs",
    ] {
        t.write(name, FAILING_DOCKERFILE);
    }
    let out = t.run(&["lint", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        findings(&out),
        [
            f("Containerfile.fedora", 3, 5, EXTERNALLY_MANAGED, "error"),
            f("docker/Dockerfile-ann", 3, 5, EXTERNALLY_MANAGED, "error"),
            f(
                "images/web.Containerfile",
                3,
                5,
                EXTERNALLY_MANAGED,
                "error"
            ),
        ]
    );
    // Named on the command line, too.
    let out = t.run(&["lint", "--format", "json", "docker/Dockerfile-ann"]);
    assert_eq!(
        findings(&out),
        [f(
            "docker/Dockerfile-ann",
            3,
            5,
            EXTERNALLY_MANAGED,
            "error"
        )]
    );
}

#[test]
fn a_named_file_is_linted_by_its_content_or_reported_as_unknown() {
    let t = Tree::empty();
    t.write("ci/build-image", FAILING_DOCKERFILE);
    t.write(
        "ci/pipeline.yml",
        "default:\n  image: debian:bookworm\ntest:\n  script:\n    - apt-get update && apt-get install -y python3-pip\n    - pip install tox\n",
    );
    t.write(
        "docker-compose.yml",
        "services:\n  web:\n    image: nginx\n",
    );
    t.write("notes.txt", "FROM here on, nothing is a Dockerfile\n");
    let out = t.run(&[
        "lint",
        "--format",
        "json",
        "ci/build-image",
        "ci/pipeline.yml",
        "docker-compose.yml",
        "notes.txt",
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        findings(&out),
        [
            f("ci/build-image", 3, 5, EXTERNALLY_MANAGED, "error"),
            f("ci/pipeline.yml", 6, 7, EXTERNALLY_MANAGED, "error"),
        ]
    );
    assert_eq!(
        out.stderr,
        "faultline: warning: docker-compose.yml: not a CI file I know (a GitHub Actions workflow or composite action, a GitLab CI file or a Dockerfile): skipped\n\
         faultline: warning: notes.txt: not a CI file I know (a GitHub Actions workflow or composite action, a GitLab CI file or a Dockerfile): skipped\n"
    );
    assert_eq!(json(&out)["files_checked"], 2);
    // A template named after Dockerfiles is not one, even when it starts with FROM.
    t.write("Dockerfile-alpine.template", FAILING_DOCKERFILE);
    let out = t.run(&["lint", "Dockerfile-alpine.template"]);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (0, "faultline: warning: Dockerfile-alpine.template: not a CI file I know (a GitHub Actions workflow or composite action, a GitLab CI file or a Dockerfile): skipped\n")
    );
    // --quiet keeps stderr for errors only.
    let out = t.run(&["lint", "--quiet", "notes.txt"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
}

#[test]
fn ignore_files_are_respected_unless_no_ignore() {
    let t = Tree::empty();
    t.write("Dockerfile", FAILING_DOCKERFILE);
    t.write("build/Dockerfile", FAILING_DOCKERFILE);
    t.write("third_party/lib/Dockerfile", FAILING_DOCKERFILE);
    t.write("scratch/Dockerfile", FAILING_DOCKERFILE);
    t.write("sub/gen/Dockerfile", FAILING_DOCKERFILE);
    t.write(".gitignore", "build/\n");
    t.write(".ignore", "third_party/\n");
    t.write(".git/info/exclude", "scratch/\n");
    t.write("sub/.gitignore", "gen/\n");
    let paths = |out: &Out| -> Vec<String> { findings(out).into_iter().map(|f| f.0).collect() };
    let out = t.run(&["lint", "--format", "json"]);
    assert_eq!(paths(&out), ["Dockerfile"]);
    // A folder named on the command line is walked with the same rules.
    let out = t.run(&["lint", "--format", "json", "sub"]);
    assert_eq!((out.code, paths(&out).len()), (0, 0));
    // A file named on the command line is always read.
    let out = t.run(&["lint", "--format", "json", "build/Dockerfile"]);
    assert_eq!(paths(&out), ["build/Dockerfile"]);
    let out = t.run(&["lint", "--format", "json", "--no-ignore"]);
    assert_eq!(
        paths(&out),
        [
            "Dockerfile",
            "build/Dockerfile",
            "scratch/Dockerfile",
            "sub/gen/Dockerfile",
            "third_party/lib/Dockerfile"
        ]
    );
}

#[test]
fn configuration_is_found_from_the_linted_path_upward() {
    let t = Tree::empty();
    t.write(
        ".faultline.yaml",
        "rules:\n  pip-install-externally-managed: info\n",
    );
    t.write("services/api/Dockerfile", FAILING_DOCKERFILE);
    t.write(
        "services/.faultline.yaml",
        "rules:\n  pip-install-externally-managed: warning\n",
    );
    t.write("tools/Dockerfile", FAILING_DOCKERFILE);
    // From the repository root: the nearest file above each path applies.
    let out = t.run(&[
        "lint",
        "--format",
        "json",
        "services/api/Dockerfile",
        "tools/Dockerfile",
    ]);
    assert_eq!(
        findings(&out),
        [
            f(
                "services/api/Dockerfile",
                3,
                5,
                EXTERNALLY_MANAGED,
                "warning"
            ),
            f("tools/Dockerfile", 3, 5, EXTERNALLY_MANAGED, "info"),
        ]
    );
    // A walk of the repository: each file gets the configuration nearest to it.
    let out = t.run(&["lint", "--format", "json"]);
    assert_eq!(
        findings(&out),
        [
            f(
                "services/api/Dockerfile",
                3,
                5,
                EXTERNALLY_MANAGED,
                "warning"
            ),
            f("tools/Dockerfile", 3, 5, EXTERNALLY_MANAGED, "info"),
        ]
    );
    // From a folder outside the repository, with an absolute path: still the file's own.
    let elsewhere = Tree::empty();
    let target = t.dir.join("services/api/Dockerfile");
    let out = elsewhere.run(&["lint", "--format", "json", target.to_str().expect("utf-8")]);
    let got = findings(&out);
    assert_eq!(got.len(), 1, "{}", out.stdout);
    assert_eq!((got[0].1, got[0].2, got[0].4.as_str()), (3, 5, "warning"));
    // The lookup stops at the repository root: a configuration above it does not apply.
    let nested = Tree::empty();
    nested.write(
        ".faultline.yaml",
        "rules:\n  pip-install-externally-managed: off\n",
    );
    nested.write("inner/.git/HEAD", "ref: refs/heads/main\n");
    nested.write("inner/Dockerfile", FAILING_DOCKERFILE);
    let out = nested.run(&["lint", "--format", "json", "inner/Dockerfile"]);
    assert_eq!(
        findings(&out),
        [f("inner/Dockerfile", 3, 5, EXTERNALLY_MANAGED, "error")]
    );
}

#[test]
fn the_summary_counts_unusable_inputs() {
    let t = Tree::empty();
    t.write("Dockerfile", FAILING_DOCKERFILE);
    t.write(".gitlab-ci.yml", "test:\n  script: [a\n");
    let out = t.run_env(&["lint"], &[("NO_COLOR", "1")]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("faultline: error: .gitlab-ci.yml:3:1: invalid YAML"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout
            .ends_with("1 error, 0 warnings in 1 file (1 file checked, 1 input error)\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn an_included_gitlab_file_is_linted_in_its_pipelines_context() {
    let t = Tree::empty();
    t.write(
        ".gitlab-ci.yml",
        "default:\n  image: debian:bookworm\nvariables:\n  PIP_INDEX_URL: https://pypi.example/simple\ninclude:\n  - local: ci/jobs.yml\n  - local: /ci/more.yml\nstages: [test]\n",
    );
    t.write(
        "ci/jobs.yml",
        "include: ci/nested.yml\nunit:\n  stage: test\n  script:\n    - apt-get update && apt-get install -y python3-pip\n    - pip install tox\n",
    );
    t.write(
        "ci/nested.yml",
        "lint:\n  script:\n    - apt-get update && apt-get install -y python3-pip\n    - pip install ruff\n",
    );
    // The includer's variables reach the included jobs.
    t.write(
        "ci/more.yml",
        "variables:\n  PIP_BREAK_SYSTEM_PACKAGES: '1'\n",
    );
    // Named alone (as pre-commit passes it): the includer's `default: image:` applies.
    let out = t.run(&["lint", "--format", "json", "ci/jobs.yml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(findings(&out), []);
    t.write("ci/more.yml", "variables:\n  OTHER: x\n");
    let out = t.run(&["lint", "--format", "json", "ci/jobs.yml"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        findings(&out),
        [f("ci/jobs.yml", 6, 7, EXTERNALLY_MANAGED, "error")]
    );
    let v = json(&out);
    let message = v["findings"][0]["message"].as_str().expect("message");
    assert!(message.contains("`debian:bookworm`"), "{message}");
    // The image is labelled where it is, in the includer.
    let related: Vec<String> = v["findings"][0]["related"]
        .as_array()
        .expect("related")
        .iter()
        .map(|r| {
            format!(
                "{}:{}:{}",
                r["path"].as_str().unwrap_or(""),
                r["line"],
                r["column"]
            )
        })
        .collect();
    assert_eq!(related, ["ci/jobs.yml:5:25", ".gitlab-ci.yml:2:10"]);
    // An included file of templates only is still a GitLab file when named alone.
    t.write(
        ".gitlab-ci.yml",
        &t.read(".gitlab-ci.yml").replace(
            "  - local: /ci/more.yml\n",
            "  - local: /ci/more.yml\n  - local: ci/templates.yml\n",
        ),
    );
    t.write(
        "ci/templates.yml",
        ".pip:\n  before_script:\n    - pip install -U pip\n",
    );
    let out = t.run(&["lint", "--format", "json", "ci/templates.yml"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    assert_eq!(json(&out)["files_checked"], 1);
    // A nested include, named alone.
    let out = t.run(&["lint", "--format", "json", "ci/nested.yml"]);
    assert_eq!(
        findings(&out),
        [f("ci/nested.yml", 4, 7, EXTERNALLY_MANAGED, "error")]
    );
    // A walk finds the included files whatever their names, each once, in the same context.
    let out = t.run(&["lint", "--format", "json"]);
    assert_eq!(
        findings(&out),
        [
            f("ci/jobs.yml", 6, 7, EXTERNALLY_MANAGED, "error"),
            f("ci/nested.yml", 4, 7, EXTERNALLY_MANAGED, "error"),
        ]
    );
    assert_eq!(json(&out)["files_checked"], 5);
}
