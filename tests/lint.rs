//! Lint rules, actionlint-style: for each rule, `tests/fixtures/lint/<rule-id>/ok/*` must yield no
//! finding at all, and each `err/<file>` must yield exactly the findings in `err/<file>.expected`,
//! one per line: `LINE:COL-ENDLINE:ENDCOL SEVERITY RULE: MESSAGE`. Run with `BLESS=1` to write
//! missing `.expected` files (then read every one of them before committing).

use std::path::{Path, PathBuf};
use std::process::Command;

fn faultline() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_faultline"));
    c.env("NO_COLOR", "1").env_remove("FORCE_COLOR");
    c
}

/// `faultline rules --format json`.
fn rules_json() -> serde_json::Value {
    let out = faultline()
        .args(["rules", "--format", "json"])
        .output()
        .expect("rules");
    serde_json::from_slice(&out.stdout).expect("rules JSON")
}

/// `faultline lint` with an empty configuration (the repository's own ignores the fixtures).
fn lint_cmd() -> Command {
    let mut c = faultline();
    // Time-dependent facts (runner retirements, deprecations) are judged at a fixed date, so the
    // expected findings do not move with the calendar.
    c.arg("lint")
        .arg("--config")
        .arg(fixtures().join("empty-config.yaml"))
        .args(["--today", "2026-12-03"]);
    c
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint")
}

/// Lint one file (cwd = its folder, so paths in the output are bare file names).
fn lint_json(path: &Path) -> serde_json::Value {
    let out = lint_cmd()
        .args(["--format", "json", "--fail-on", "never"])
        .arg(path.file_name().expect("file name"))
        .current_dir(path.parent().expect("parent"))
        .output()
        .expect("run faultline");
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(2),
        "{}: {:?}",
        path.display(),
        out
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: bad JSON {e}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn render(v: &serde_json::Value) -> String {
    let mut s = String::new();
    for f in v["findings"].as_array().expect("findings") {
        s.push_str(&format!(
            "{}:{}-{}:{} {} {}: {}\n",
            f["start_line"],
            f["start_column"],
            f["end_line"],
            f["end_column"],
            f["severity"].as_str().unwrap_or(""),
            f["rule"].as_str().unwrap_or(""),
            f["message"].as_str().unwrap_or("")
        ));
    }
    for e in v["errors"].as_array().expect("errors") {
        s.push_str(&format!(
            "input error: {}\n",
            e["message"].as_str().unwrap_or("")
        ));
    }
    s
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|r| {
            r.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "expected"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn every_rule_has_ok_and_err_fixtures_and_they_hold() {
    let bless = std::env::var_os("BLESS").is_some();
    let rules = rules_json();
    let mut failures = Vec::new();
    let mut checked = 0;
    for rule in rules["rules"].as_array().expect("rules") {
        let id = rule["id"].as_str().expect("id");
        let dir = fixtures().join(id);
        let ok = files_in(&dir.join("ok"));
        let err = files_in(&dir.join("err"));
        if ok.is_empty() || err.is_empty() {
            failures.push(format!(
                "{id}: needs fixtures in {0}/ok and {0}/err",
                dir.display()
            ));
        }
        for f in ok {
            checked += 1;
            let got = render(&lint_json(&f));
            if !got.is_empty() {
                failures.push(format!("{}: expected no finding, got:\n{got}", f.display()));
            }
        }
        for f in err {
            checked += 1;
            let got = render(&lint_json(&f));
            let exp_path = PathBuf::from(format!("{}.expected", f.display()));
            match std::fs::read_to_string(&exp_path) {
                Ok(want) if want == got => {}
                Ok(want) => failures.push(format!(
                    "{}:\n--- expected\n{want}--- got\n{got}",
                    f.display()
                )),
                Err(_) if bless => std::fs::write(&exp_path, &got).expect("write expected"),
                Err(_) => failures.push(format!("{}: missing {}", f.display(), exp_path.display())),
            }
            if got.lines().all(|l| !l.contains(&format!(" {id}: "))) {
                failures.push(format!(
                    "{}: an err/ fixture of {id} must yield a {id} finding",
                    f.display()
                ));
            }
        }
    }
    assert!(checked > 0);
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_rule_names_a_playbook_that_exists() {
    let rules = rules_json();
    let list = faultline()
        .args(["list", "--format", "json"])
        .output()
        .expect("list");
    let text = String::from_utf8_lossy(&list.stdout);
    for rule in rules["rules"].as_array().expect("rules") {
        let playbook = rule["playbook"].as_str().expect("playbook");
        assert!(
            text.contains(&format!("\"{playbook}\"")),
            "rule {} names playbook {playbook}, which is not in `faultline list`",
            rule["id"]
        );
    }
}

#[test]
fn no_rule_id_is_a_playbook_id() {
    // `faultline explain ID` answers rules first: a rule named like a playbook would hide it.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks/bundled/log");
    let mut playbooks = Vec::new();
    for category in std::fs::read_dir(&dir).expect("catalog").flatten() {
        for file in std::fs::read_dir(category.path())
            .expect("category")
            .flatten()
        {
            let name = file.file_name().to_string_lossy().into_owned();
            playbooks.push(name.trim_end_matches(".yaml").to_string());
        }
    }
    assert!(playbooks.len() > 100, "{playbooks:?}");
    for rule in rules_json()["rules"].as_array().expect("rules") {
        let id = rule["id"].as_str().expect("id");
        assert!(
            !playbooks.iter().any(|p| p == id),
            "rule `{id}` shadows the playbook `{id}`"
        );
    }
}

#[test]
fn human_output_points_at_the_command_inside_the_run_block() {
    let dir = fixtures().join("pip-install-externally-managed/err");
    let out = lint_cmd()
        .arg("gha-container-ubuntu.yml")
        .current_dir(&dir)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn exit_codes_clean_findings_and_broken_input() {
    let ok = fixtures().join("pip-install-externally-managed/ok");
    let err = fixtures().join("pip-install-externally-managed/err");
    let code = |dir: &Path, args: &[&str]| {
        lint_cmd()
            .args(args)
            .current_dir(dir)
            .output()
            .expect("run")
            .status
            .code()
    };
    assert_eq!(code(&ok, &["python-image.Dockerfile"]), Some(0));
    assert_eq!(code(&err, &["ubuntu.Dockerfile"]), Some(1));
    // A warning alone does not fail the default gate (an `ARG` default base image is judged as
    // the default build since issue 8: an error; a tolerated failure stays a warning).
    assert_eq!(code(&err, &["arg-base.Dockerfile"]), Some(1));
    assert_eq!(code(&err, &["exit-status-not-last.Dockerfile"]), Some(0));
    let tmp = std::env::temp_dir().join(format!("faultline-lint-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("tmp");
    std::fs::write(
        tmp.join("Dockerfile"),
        "FROM ubuntu:24.04\nRUN apt-get install -y python3-pip\nRUN pip install x\n",
    )
    .expect("write");
    std::fs::write(tmp.join("broken.gitlab-ci.yml"), "test:\n  script: [a\n").expect("write");
    let out = faultline()
        .args(["lint", "Dockerfile", "broken.gitlab-ci.yml", "missing.yml"])
        .current_dir(&tmp)
        .output()
        .expect("run");
    // Unusable input: exit 2, with the position, and the other file still linted.
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("broken.gitlab-ci.yml:3:1: invalid YAML"),
        "{stderr}"
    );
    assert!(
        stderr.contains("missing.yml: no such file or directory"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("pip-install-externally-managed"));
    std::fs::remove_dir_all(&tmp).ok();
}

#[test]
fn readme_shows_the_ci_examples_that_are_tested() {
    // tests/gate.rs checks that these files are valid YAML and lint clean; here, that the README
    // shows them exactly, so what users copy is what is tested.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README");
    for example in [
        "docs/examples/github-faultline.yml",
        "docs/examples/gitlab-faultline.yml",
    ] {
        let text = std::fs::read_to_string(root.join(example)).expect("example");
        assert!(
            readme.contains(&format!("```yaml\n{text}```")),
            "README does not show {example} verbatim"
        );
    }
}

#[test]
fn a_diagnosis_points_back_to_the_configuration_line() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = faultline()
        .args([
            "analyze",
            "examples/logs/pep668-container.log",
            "--repo",
            "examples/ci",
            "--format",
            "json",
        ])
        .current_dir(root)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let top = &v["diagnoses"][0];
    assert_eq!(top["playbook"], "python-externally-managed");
    let places: Vec<String> = top["configuration"]
        .as_array()
        .expect("configuration")
        .iter()
        .map(|c| {
            format!(
                "{}:{}:{} {}",
                c["path"].as_str().unwrap_or(""),
                c["line"],
                c["column"],
                c["rule"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            "examples/ci/.github/workflows/ci.yml:14:11 pip-install-externally-managed",
            "examples/ci/.github/workflows/ci.yml:21:14 pip-install-relies-on-runner-pip-conf",
            "examples/ci/Dockerfile:6:5 pip-install-externally-managed",
        ]
    );
    // The envelope opens the document.
    assert!(String::from_utf8_lossy(&out.stdout)
        .trim_start()
        .starts_with("{\n  \"schema_version\": 2,\n  \"tool\": \"faultline\","));
}

#[test]
fn a_failing_composite_action_called_from_a_container_job_renders_its_snippet() {
    // The finding is in the action's file; the places in the caller's file (the container, the
    // install of pip, the `uses:` line) are named with their own paths, never as labels on the
    // action's snippet (they used to print `Failed to read contents for label … OutOfBounds`).
    let dir = fixtures().join("pip-install-externally-managed/err");
    let out = lint_cmd()
        .arg("local-composite-container.yml")
        .current_dir(&dir)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("Failed to read"), "{stdout}");
    insta::assert_snapshot!(stdout);

    // JSON and SARIF: each related place in its own file, at the caller's lines.
    let v = lint_json(&dir.join("local-composite-container.yml"));
    let f = &v["findings"][0];
    assert_eq!(
        (
            f["path"].as_str(),
            f["start_line"].as_u64(),
            f["start_column"].as_u64()
        ),
        (Some("actions/install/action.yml"), Some(6), Some(12))
    );
    let related: Vec<String> = f["related"]
        .as_array()
        .expect("related")
        .iter()
        .map(|r| {
            format!(
                "{}:{}:{} {}",
                r["path"].as_str().unwrap_or(""),
                r["line"],
                r["column"],
                r["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        related,
        [
            "local-composite-container.yml:8:16 this Python is marked EXTERNALLY-MANAGED",
            "local-composite-container.yml:12:11 pip for the system Python comes from here",
            "local-composite-container.yml:13:15 this job runs the action here",
        ]
    );
    let out = lint_cmd()
        .args(["--format", "sarif", "local-composite-container.yml"])
        .current_dir(&dir)
        .output()
        .expect("run");
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF");
    let rel = &sarif["runs"][0]["results"][0]["relatedLocations"];
    let places: Vec<String> = rel
        .as_array()
        .expect("relatedLocations")
        .iter()
        .map(|l| {
            let p = &l["physicalLocation"];
            format!(
                "{}:{}:{}",
                p["artifactLocation"]["uri"].as_str().unwrap_or(""),
                p["region"]["startLine"],
                p["region"]["startColumn"]
            )
        })
        .collect();
    let caller =
        "tests/fixtures/lint/pip-install-externally-managed/err/local-composite-container.yml";
    assert_eq!(
        places,
        [
            format!("{caller}:8:16"),
            format!("{caller}:12:11"),
            format!("{caller}:13:15"),
        ]
    );
}
