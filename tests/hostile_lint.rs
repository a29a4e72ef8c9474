//! Hostile and unusual inputs for `faultline lint` (and the files it reads besides: configuration,
//! baseline, team playbooks). Each case is generated on the fly in a temporary folder and run
//! through the real binary under a memory limit (`prlimit --as`, or `ulimit -v` when prlimit is
//! missing) and a hang guard (killed after `HANG_GUARD`: this is not a speed test). Each asserts
//! the exit code, the message and its position.
//!
//! Unreadable files: the tests usually run as root, for whom `chmod 000` does not stop a read;
//! that case is then skipped with a note (a FIFO and a device stand in for "cannot be read").

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Address-space limit for the binary: far above what any case needs, far below a blow-up.
const MEMORY_LIMIT: u64 = 1 << 30;
const HANG_GUARD: Duration = Duration::from_secs(120);

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// A temporary repository (it holds `.git`, so discovery stops here), removed on drop.
struct Repo {
    dir: PathBuf,
}

impl Repo {
    fn new(name: &str) -> Repo {
        let dir =
            std::env::temp_dir().join(format!("faultline-hostile-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join(".git")).expect("temp repo");
        Repo { dir }
    }

    fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.join(rel);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(&p, text).expect("write");
        p
    }

    /// Run `faultline ARGS` in the repository, bounded in memory and time.
    fn run(&self, args: &[&str]) -> Out {
        let bin = env!("CARGO_BIN_EXE_faultline");
        let mut cmd = if has_prlimit() {
            let mut c = Command::new("prlimit");
            c.arg(format!("--as={MEMORY_LIMIT}")).arg("--").arg(bin);
            c
        } else {
            let mut c = Command::new("sh");
            c.arg("-c")
                .arg(format!(
                    "ulimit -v {} && exec \"$0\" \"$@\"",
                    MEMORY_LIMIT / 1024
                ))
                .arg(bin);
            c
        };
        let out_dir = self.dir.join(".git");
        let (stdout_path, stderr_path) = (out_dir.join("stdout"), out_dir.join("stderr"));
        let mut child = cmd
            .args(args)
            .current_dir(&self.dir)
            .env("NO_COLOR", "1")
            .env_remove("FORCE_COLOR")
            .stdin(Stdio::null())
            .stdout(fs::File::create(&stdout_path).expect("stdout file"))
            .stderr(fs::File::create(&stderr_path).expect("stderr file"))
            .spawn()
            .expect("run faultline");
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if start.elapsed() > HANG_GUARD {
                let _ = child.kill();
                let _ = child.wait();
                panic!("faultline {args:?} still running after {HANG_GUARD:?}: killed");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let read = |p: &Path| String::from_utf8_lossy(&fs::read(p).expect("output")).into_owned();
        Out {
            code: status.code(),
            stdout: read(&stdout_path),
            stderr: read(&stderr_path),
        }
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn has_prlimit() -> bool {
    Command::new("prlimit")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `faultline lint` with an empty configuration, plus `args`.
fn lint(repo: &Repo, args: &[&str]) -> Out {
    repo.write(".faultline.yaml", "# empty\n");
    let mut all = vec!["lint"];
    all.extend_from_slice(args);
    repo.run(&all)
}

#[track_caller]
fn assert_exit(out: &Out, code: i32) {
    assert_eq!(
        out.code,
        Some(code),
        "stdout:\n{:.3000}\nstderr:\n{:.3000}",
        out.stdout,
        out.stderr
    );
}

#[track_caller]
fn assert_stderr(out: &Out, want: &str) {
    assert!(
        out.stderr.lines().any(|l| l == want),
        "want the line\n{want}\nin stderr:\n{:.3000}",
        out.stderr
    );
}

const DEPTH: &str = "YAML nested deeper than 64 levels (faultline's limit)";
const WORKFLOW_HEAD: &str = "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n";

// ------------------------------------------------------------------------------------------
// Depth

#[test]
fn ten_thousand_nested_question_mark_keys() {
    let repo = Repo::new("qkeys");
    repo.write(".github/workflows/ci.yml", "? ".repeat(10_000) + "x\n");
    let out = lint(&repo, &[]);
    assert_exit(&out, 2);
    assert_stderr(
        &out,
        &format!("faultline: error: .github/workflows/ci.yml:1:129: {DEPTH}"),
    );
    assert!(out.stdout.contains("(0 files checked, 1 input error)"));
}

#[test]
fn deep_block_mappings() {
    let repo = Repo::new("blockmaps");
    // One-space indentation: 2,000 levels in 2 MB (10,000 would be 50 MB, past the size limit).
    let text: String = (0..2_000)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect();
    repo.write(".github/workflows/ci.yml", text);
    let out = lint(&repo, &[]);
    assert_exit(&out, 2);
    assert_stderr(
        &out,
        &format!("faultline: error: .github/workflows/ci.yml:65:65: {DEPTH}"),
    );
}

#[test]
fn gitlab_ci_with_dashes_twenty_thousand_deep() {
    let repo = Repo::new("gitlabdash");
    repo.write(".gitlab-ci.yml", "- ".repeat(20_000) + "x\n");
    let out = lint(&repo, &[]);
    assert_exit(&out, 2);
    assert_stderr(
        &out,
        &format!("faultline: error: .gitlab-ci.yml:1:129: {DEPTH}"),
    );
}

#[test]
fn flow_collections_ten_thousand_deep() {
    let repo = Repo::new("flow");
    repo.write(".gitlab-ci.yml", "[".repeat(10_000));
    let out = lint(&repo, &[]);
    assert_exit(&out, 2);
    // saphyr-parser stops at 255 flow levels, before faultline's guard sees them.
    assert_stderr(
        &out,
        &format!("faultline: error: .gitlab-ci.yml:1:256: {DEPTH}"),
    );
}

#[test]
fn configuration_twenty_thousand_deep() {
    let repo = Repo::new("configdeep");
    repo.write("Dockerfile", "FROM debian:12\n");
    repo.write(".faultline.yml", "- ".repeat(20_000) + "x\n");
    let out = repo.run(&["lint", "--config", ".faultline.yml"]);
    assert_exit(&out, 2);
    assert_stderr(
        &out,
        &format!("faultline: error: .faultline.yml:1:129: {DEPTH}"),
    );
}

#[test]
fn team_playbook_twenty_thousand_deep() {
    let repo = Repo::new("teamdeep");
    repo.write("team/deep.yaml", "- ".repeat(20_000) + "x\n");
    let log = repo.write("build.log", "error: boom\n");
    let out = repo.run(&[
        "analyze",
        "--playbooks",
        "team",
        log.to_str().expect("utf-8 path"),
    ]);
    assert_exit(&out, 2);
    assert_stderr(
        &out,
        &format!("faultline: error: team/deep.yaml:1:129: {DEPTH}"),
    );
}

#[test]
fn deep_baseline() {
    let repo = Repo::new("basedeep");
    repo.write("Dockerfile", "FROM debian:12\n");
    repo.write(
        "base.json",
        format!("{{\"version\": 1, \"findings\": {}", "[".repeat(20_000)),
    );
    let out = lint(&repo, &["--baseline", "base.json", "Dockerfile"]);
    assert_exit(&out, 2);
    assert_stderr(
        &out,
        "faultline: error: base.json:1:29: not a faultline baseline: invalid type: sequence, expected a string",
    );
}

// ------------------------------------------------------------------------------------------
// Blow-ups

#[test]
fn billion_laughs() {
    let repo = Repo::new("laughs");
    let mut text =
        String::from("on: push\nlol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*l{}", i - 1); 9].join(", ");
        writeln!(text, "lol{i}: &l{i} [{refs}]").expect("write");
    }
    text.push_str("jobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps: [{run: echo}]\n");
    repo.write(".github/workflows/ci.yml", text);
    let out = lint(&repo, &[]);
    assert_exit(&out, 2);
    assert_stderr(
        &out,
        "faultline: error: .github/workflows/ci.yml:7:12: YAML aliases expand to more than 100000 nodes (faultline's limit; a billion-laughs file?)",
    );
}

#[test]
fn laughs_through_mapping_keys() {
    // saphyr's alias budget counts a mapping key as one node: faultline's guard counts them all.
    let repo = Repo::new("keylaughs");
    let mut text = String::from("on: push\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        writeln!(
            text,
            "a{i}: &a{i} {{? *a{p} : 1, ? [*a{p}] : 2, ? [[*a{p}]] : 3, ? [[[*a{p}]]] : 4}}"
        )
        .expect("write");
    }
    repo.write(".github/workflows/ci.yml", text);
    let out = lint(&repo, &[]);
    assert_exit(&out, 2);
    assert_stderr(
        &out,
        "faultline: error: .github/workflows/ci.yml:10:38: YAML holds more than 1000000 nodes once aliases are expanded (faultline's limit)",
    );
}

#[test]
fn hundred_thousand_step_workflow() {
    let repo = Repo::new("steps");
    let mut text = String::from(WORKFLOW_HEAD);
    for i in 0..100_000 {
        writeln!(text, "      - run: echo {i}").expect("write");
    }
    text.push_str("      - run: pip install flask\n");
    repo.write(".github/workflows/ci.yml", text);
    let out = lint(&repo, &["--format", "json"]);
    assert_exit(&out, 0);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(json["files_checked"], 1);
    // ubuntu-24.04 with pip: a warning at the last step (line 6 + 100,000).
    let f = &json["findings"][0];
    assert_eq!(f["start_line"], 100_006, "{f}");
    assert_eq!(f["start_column"], 14, "{f}");
}

#[test]
fn gitlab_extends_fan_out() {
    let repo = Repo::new("extends");
    repo.write(
        ".gitlab-ci.yml",
        "j:\n  image: debian:12\n  script: [pip install x]\n  extends: [j, j, j, j, j, j, j, j]\n",
    );
    let out = lint(&repo, &["--format", "json"]);
    assert_exit(&out, 1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let starts: Vec<(u64, u64)> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["start_line"].as_u64().unwrap_or(0),
                f["start_column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(starts, [(3, 12)], "{}", out.stdout);
}

#[test]
fn gitlab_global_variables_times_jobs() {
    // Global variables were copied into every job and set in each job's walk: 5,000 × 5,000
    // took 3.3 GB and 2 minutes. Now one shared base.
    let repo = Repo::new("glvars");
    let mut text = String::from("variables:\n");
    for i in 0..5_000 {
        writeln!(text, "  V{i}: x").expect("write");
    }
    for i in 0..5_000 {
        writeln!(text, "j{i}:\n  image: debian:12\n  script: [echo]").expect("write");
    }
    text.push_str("last:\n  image: debian:12\n  script: [pip install x]\n");
    repo.write(".gitlab-ci.yml", text);
    let out = lint(&repo, &["--format", "json"]);
    assert_exit(&out, 1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(json["findings"][0]["start_line"], 20_004, "{}", out.stdout);
}

#[test]
fn gitlab_big_template_times_jobs() {
    // Each job's merged keys and services are its own copies: a template of 10,000 keys and
    // 2,000 services extended by 1,000 jobs keeps only the job keywords (read once per
    // template) and 64 services each.
    let repo = Repo::new("gltemplate");
    let mut text = String::from(".t:\n  rules: [{when: always}]\n  services:\n");
    for i in 0..2_000 {
        writeln!(text, "    - name: svc{i}:1\n      variables: {{A: b}}").expect("write");
    }
    for i in 0..10_000 {
        writeln!(text, "  k{i}: x").expect("write");
    }
    for i in 0..1_000 {
        writeln!(text, "j{i}:\n  extends: .t\n  script: [echo]").expect("write");
    }
    text.push_str("last:\n  extends: .t\n  only: [main]\n  script: [echo]\n");
    repo.write(".gitlab-ci.yml", text);
    let out = lint(&repo, &["--format", "json"]);
    assert_exit(&out, 1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(
        json["findings"][0]["rule"], "rules-with-only-except",
        "{}",
        out.stdout
    );
    assert_eq!(json["findings"][0]["start_line"], 17_006, "{}", out.stdout);
}

#[test]
fn workflow_env_times_jobs() {
    // Workflow `env:` was set again in every job's walk: 5,000 × 5,000 took 2 minutes.
    let repo = Repo::new("ghenv");
    let mut text = String::from("on: push\nenv:\n");
    for i in 0..5_000 {
        writeln!(text, "  V{i}: x").expect("write");
    }
    text.push_str("jobs:\n");
    for i in 0..5_000 {
        writeln!(
            text,
            "  j{i}:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo $V{i}\n        env: {{A: b}}"
        )
        .expect("write");
    }
    text.push_str("  last:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: pip install x\n");
    repo.write(".github/workflows/ci.yml", text);
    let out = lint(&repo, &["--format", "json"]);
    assert_exit(&out, 0);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(json["findings"][0]["start_line"], 30_007, "{}", out.stdout);
}

#[test]
fn ten_thousand_steps_writing_github_env() {
    // Each step with `env:` copied the whole environment, which every `$GITHUB_ENV` write grows.
    let repo = Repo::new("githubenv");
    let mut text = String::from(WORKFLOW_HEAD);
    for i in 0..10_000 {
        writeln!(
            text,
            "      - run: echo \"V{i}=x\" >> $GITHUB_ENV\n        env: {{A: b}}"
        )
        .expect("write");
    }
    text.push_str("      - run: pip install x\n");
    repo.write(".github/workflows/ci.yml", text);
    let out = lint(&repo, &["--format", "json"]);
    assert_exit(&out, 0);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(json["findings"][0]["start_line"], 20_006, "{}", out.stdout);
}

fn self_calling_action(repo: &Repo, calls: usize) {
    let mut action = String::from(
        "name: a\ndescription: d\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n      shell: bash\n",
    );
    for _ in 0..calls {
        action.push_str("    - uses: ./a\n");
    }
    repo.write("a/action.yml", action);
    repo.write(
        ".github/workflows/ci.yml",
        format!("{WORKFLOW_HEAD}      - uses: ./a\n"),
    );
}

#[test]
fn composite_action_calling_itself_a_hundred_times() {
    let repo = Repo::new("selfaction");
    self_calling_action(&repo, 100);
    let out = lint(&repo, &[]);
    assert_exit(&out, 2);
    // The workflow's call walks the action once; its 100 calls walk it again, up to the cap:
    // the 100th of them (line 7 + 99) is where the walk stops. Said once, not per file.
    let want = "faultline: error: a/action.yml:106:13: more than 100 local composite action calls in one job (faultline's limit): `./a` and the calls after it are not followed";
    assert_stderr(&out, want);
    assert_eq!(
        out.stderr.matches("more than 100").count(),
        1,
        "{}",
        out.stderr
    );
    assert!(
        out.stdout.contains("(2 files checked, 1 input error)"),
        "{}",
        out.stdout
    );
}

#[test]
fn composite_action_calling_itself_fifty_times() {
    let repo = Repo::new("selfaction50");
    self_calling_action(&repo, 50);
    let out = lint(&repo, &[]);
    assert_exit(&out, 2);
    // Walks: the workflow's call (1), the action's first call (2) and its 50 calls (3-52), the
    // action's second call (53) and 48 of its calls (54-101): the 49th (line 7 + 48) stops.
    let want = "faultline: error: a/action.yml:55:13: more than 100 local composite action calls in one job (faultline's limit): `./a` and the calls after it are not followed";
    assert_stderr(&out, want);
}

/// A Dockerfile whose second line is `RUN pip install a && …` `n` times (debian:12 has no pip:
/// one error per command).
fn pip_line(n: usize) -> String {
    format!(
        "FROM debian:12\nRUN {}\n",
        vec!["pip install a"; n].join(" && ")
    )
}

#[test]
fn hundred_thousand_pip_installs_on_one_line() {
    let repo = Repo::new("pipline");
    repo.write("Dockerfile", pip_line(100_000));
    let out = lint(&repo, &[]);
    assert_exit(&out, 1);
    // Lines past 4 KiB are not drawn: path:line:col instead. 1,000 findings shown, all counted.
    assert!(
        out.stdout.starts_with("error[pip-unavailable]: "),
        "{:.500}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("  --> Dockerfile:2:5 (the line is too long to show)\n"),
        "{:.500}",
        out.stdout
    );
    // The last finding shown is the 1,000th command: column 5 + 999 × 17.
    assert!(out.stdout.contains("  --> Dockerfile:2:16988 (the line"));
    assert!(!out.stdout.contains("  --> Dockerfile:2:17005 (the line"));
    assert!(out.stdout.contains(
        "… and 99000 more findings, not shown: the human format shows the first 1000 (`--format json` lists them all)\n"
    ));
    assert!(out
        .stdout
        .ends_with("100000 errors, 0 warnings in 1 file (1 file checked)\n"));
}

#[test]
fn many_findings_on_one_line_in_json() {
    let repo = Repo::new("pipjson");
    repo.write("Dockerfile", pip_line(20_000));
    let out = lint(&repo, &["--format", "json"]);
    assert_exit(&out, 1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let findings = json["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 20_000);
    let last = &findings[19_999];
    assert_eq!(last["start_line"], 2);
    assert_eq!(last["start_column"], 5 + 19_999 * 17);
    assert_eq!(last["end_column"], 5 + 19_999 * 17 + 13);
}

#[test]
fn sarif_of_eight_thousand_findings_does_not_repeat_the_line() {
    let repo = Repo::new("pipsarif");
    repo.write("Dockerfile", pip_line(8_000));
    let out = lint(&repo, &["--format", "sarif"]);
    assert_exit(&out, 1);
    // Each result repeating its 136 KB line was 1.1 GB.
    assert!(out.stdout.len() < 40 << 20, "{} bytes", out.stdout.len());
    let sarif: serde_json::Value = serde_json::from_str(&out.stdout).expect("sarif");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 8_000);
    let loc = &results[7_999]["locations"][0]["physicalLocation"];
    assert_eq!(loc["region"]["startColumn"], 5 + 7_999 * 17);
    assert_eq!(loc["region"]["snippet"]["text"], "pip install a");
    assert!(loc.get("contextRegion").is_none(), "{loc}");
}

#[test]
fn folded_run_block_of_twenty_thousand_commands() {
    // A folded block maps back to the file only as a whole: each command's span is the whole
    // block, and quoting it in each message read the block in full (5,000 lines: 139 s).
    let repo = Repo::new("folded");
    let mut text = String::from(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    container: debian:12\n    steps:\n      - run: >\n",
    );
    for _ in 0..20_000 {
        text.push_str("          pip install a;\n");
    }
    repo.write(".github/workflows/ci.yml", text);
    let out = lint(&repo, &["--format", "json"]);
    assert_exit(&out, 1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let f = &json["findings"][0];
    assert_eq!(
        (f["start_line"].as_u64(), f["start_column"].as_u64()),
        (Some(8), Some(11))
    );
    assert_eq!(
        f["message"].as_str().map(|m| m.split(" will fail").next()),
        Some(Some(
            "`pip install a; pip install a; pip install a; pip install …`"
        ))
    );
}

#[test]
fn twenty_thousand_suppressions() {
    // Each suppression comment counted the lines before it from the start of the file.
    let repo = Repo::new("suppressions");
    let mut text = String::from("FROM debian:12\n");
    for _ in 0..20_000 {
        text.push_str("RUN pip install a  # faultline: ignore[pip-unavailable]\n");
    }
    for _ in 0..20_000 {
        text.push_str("# faultline: ignore[pip-unavailable]\n");
    }
    repo.write("Dockerfile", text);
    let out = lint(&repo, &["--format", "json"]);
    assert_exit(&out, 0);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let findings = json["findings"].as_array().expect("findings");
    // The RUN lines' suppressions are used; the trailing comments suppress nothing.
    assert_eq!(findings.len(), 20_000);
    let last = &findings[19_999];
    assert_eq!(last["rule"], "faultline-suppression");
    assert_eq!(
        (last["start_line"].as_u64(), last["start_column"].as_u64()),
        (Some(40_001), Some(21))
    );
}

#[test]
fn five_thousand_chained_build_stages() {
    // Each stage's final state was copied and kept for every later stage: 5,000 chained stages
    // with an ENV each took 2.2 GB.
    let repo = Repo::new("stages");
    let mut text = String::from("FROM debian:12 AS s0\n");
    for i in 1..5_000 {
        writeln!(text, "FROM s{} AS s{i}\nENV V{i}=x", i - 1).expect("write");
    }
    text.push_str("RUN pip install x\n");
    repo.write("Dockerfile", text);
    let out = lint(&repo, &["--format", "json"]);
    assert_exit(&out, 1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let f = &json["findings"][0];
    assert_eq!(f["rule"], "pip-unavailable");
    assert_eq!(
        (f["start_line"].as_u64(), f["start_column"].as_u64()),
        (Some(10_000), Some(5))
    );
}

#[test]
fn five_thousand_stages_from_one_base() {
    // Each stage built FROM a base with 5,000 ENV copied them all.
    let repo = Repo::new("fanout");
    let mut text = String::from("FROM debian:12 AS base\n");
    for i in 0..5_000 {
        writeln!(text, "ENV V{i}=x").expect("write");
    }
    for i in 0..5_000 {
        writeln!(text, "FROM base AS s{i}\nRUN echo $V{i}").expect("write");
    }
    text.push_str("FROM base\nRUN pip install x\n");
    repo.write("Dockerfile", text);
    let out = lint(&repo, &["--format", "json"]);
    assert_exit(&out, 1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let f = &json["findings"][0];
    assert_eq!(
        (f["start_line"].as_u64(), f["start_column"].as_u64()),
        (Some(15_003), Some(5))
    );
}

#[test]
fn finding_past_column_65535_does_not_panic() {
    let repo = Repo::new("col65535");
    repo.write(
        "Dockerfile",
        format!(
            "FROM debian:12\nRUN {} && pip install foo\n",
            "x".repeat(70_000)
        ),
    );
    let out = lint(&repo, &[]);
    assert_exit(&out, 1);
    assert!(
        out.stdout.starts_with(
            "error[pip-unavailable]: `pip install foo` will fail with `pip: not found` (exit 127)"
        ),
        "{:.500}",
        out.stdout
    );
    assert!(out
        .stdout
        .contains("  --> Dockerfile:2:70009 (the line is too long to show)\n  no pip here\n  1:6: no pip in this image\n"));
}

// ------------------------------------------------------------------------------------------
// What gets read

#[test]
fn fifo_on_the_command_line_is_refused_and_the_rest_is_linted() {
    let repo = Repo::new("fifo");
    repo.write("Dockerfile", "FROM debian:12\nRUN pip install x\n");
    let fifo = repo.dir.join("pipe.gitlab-ci.yml");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let out = lint(&repo, &["pipe.gitlab-ci.yml", "Dockerfile"]);
    assert_exit(&out, 2);
    assert_stderr(
        &out,
        "faultline: error: pipe.gitlab-ci.yml: is not a regular file (a pipe, socket or device): faultline reads only regular files",
    );
    assert!(out.stdout.contains("─[Dockerfile:2:5]"), "{}", out.stdout);
    assert!(out
        .stdout
        .ends_with("1 error, 0 warnings in 1 file (1 file checked, 1 input error)\n"));
}

#[test]
fn symlink_to_dev_zero_is_refused() {
    let repo = Repo::new("devzero");
    std::os::unix::fs::symlink("/dev/zero", repo.dir.join("Dockerfile")).expect("symlink");
    let out = lint(&repo, &["Dockerfile"]);
    assert_exit(&out, 2);
    assert_stderr(
        &out,
        "faultline: error: Dockerfile: is not a regular file (a pipe, socket or device): faultline reads only regular files",
    );
}

#[test]
fn symlink_loop() {
    let repo = Repo::new("loop");
    repo.write("svc/Dockerfile", "FROM debian:12\nRUN pip install x\n");
    std::os::unix::fs::symlink("b.yml", repo.dir.join("a.yml")).expect("symlink");
    std::os::unix::fs::symlink("a.yml", repo.dir.join("b.yml")).expect("symlink");
    std::os::unix::fs::symlink(".", repo.dir.join("svc/self")).expect("symlink");
    // Named: an error. Found by the walk: not followed, the rest linted.
    let out = lint(&repo, &["a.yml", "svc"]);
    assert_exit(&out, 2);
    assert!(
        out.stderr
            .starts_with("faultline: error: a.yml: Too many levels of symbolic links"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("svc/Dockerfile:2:5"), "{}", out.stdout);
    let out = lint(&repo, &[]);
    assert_exit(&out, 1);
    assert!(out.stdout.ends_with("(1 file checked)\n"), "{}", out.stdout);
}

#[test]
fn directory_named_dockerfile() {
    let repo = Repo::new("dirdocker");
    repo.write("Dockerfile/README", "not a Dockerfile\n");
    repo.write("svc/Dockerfile", "FROM debian:12\nRUN pip install x\n");
    // In a walk, a folder named Dockerfile is a folder: the real Dockerfile is still linted.
    let out = lint(&repo, &[]);
    assert_exit(&out, 1);
    assert!(out.stdout.contains("svc/Dockerfile:2:5"), "{}", out.stdout);
    assert!(out
        .stdout
        .ends_with("1 error, 0 warnings in 1 file (1 file checked)\n"));
    assert_eq!(out.stderr, "");
}

#[test]
fn unreadable_file() {
    let repo = Repo::new("unreadable");
    let secret = repo.write("Dockerfile", "FROM debian:12\nRUN pip install x\n");
    repo.write("svc/Dockerfile", "FROM debian:12\nRUN pip install y\n");
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).expect("chmod");
    if fs::read(&secret).is_ok() {
        // Root reads through `chmod 000`: nothing to test here.
        eprintln!("skipped: running as root, chmod 000 does not stop reads");
        return;
    }
    let out = lint(&repo, &[]);
    assert_exit(&out, 2);
    assert_stderr(&out, "faultline: error: Dockerfile: permission denied");
    assert!(out.stdout.contains("svc/Dockerfile:2:5"), "{}", out.stdout);
}

#[test]
fn file_over_the_size_limit() {
    let repo = Repo::new("huge");
    let f = fs::File::create(repo.dir.join("Dockerfile")).expect("create");
    f.set_len(17 << 20).expect("sparse file");
    let out = lint(&repo, &[]);
    assert_exit(&out, 2);
    assert_stderr(
        &out,
        "faultline: error: Dockerfile: larger than 16 MiB, faultline's limit for one file",
    );
}

#[test]
fn invalid_utf8_is_positioned() {
    let repo = Repo::new("utf8");
    repo.write(
        "Dockerfile",
        b"FROM debian:12\nRUN \xc3\xa9\xff pip install x\n",
    );
    let out = lint(&repo, &[]);
    assert_exit(&out, 2);
    assert_stderr(
        &out,
        "faultline: error: Dockerfile:2:6: not valid UTF-8 text (byte 0xFF); faultline reads UTF-8",
    );
}

// ------------------------------------------------------------------------------------------
// Errors a user can act on

#[test]
fn baseline_that_is_a_directory() {
    let repo = Repo::new("basedir");
    repo.write("Dockerfile", "FROM debian:12\n");
    fs::create_dir_all(repo.dir.join("base")).expect("mkdir");
    let out = lint(&repo, &["--baseline", "base"]);
    assert_exit(&out, 2);
    assert_stderr(
        &out,
        "faultline: error: base: cannot read the baseline: is a folder, not a file",
    );
}

#[test]
fn configuration_type_error_names_the_key() {
    let repo = Repo::new("configtype");
    repo.write("Dockerfile", "FROM debian:12\n");
    repo.write("c.yaml", "rules:\n  pip-unavailable: [off]\n");
    let out = repo.run(&["lint", "--config", "c.yaml"]);
    assert_exit(&out, 2);
    assert_stderr(
        &out,
        "faultline: error: c.yaml:2:20: `rules.pip-unavailable` must be off, error, warning or info; found a list",
    );
}

#[test]
fn playbook_folder_that_is_a_file() {
    let repo = Repo::new("pbfile");
    repo.write("Dockerfile", "FROM debian:12\n");
    repo.write("team.yaml", "id: x\n");
    repo.write("c.yaml", "playbooks: [team.yaml]\n");
    let out = repo.run(&["lint", "--config", "c.yaml"]);
    assert_exit(&out, 2);
    assert_stderr(
        &out,
        "faultline: error: c.yaml:1:13: playbook folder `team.yaml` is a file, not a folder of playbooks (paths are relative to this file)",
    );
}

#[test]
fn oversized_team_regex() {
    let repo = Repo::new("bigregex");
    repo.write(
        "team/big-one.yaml",
        "id: big-one\ntitle: Big\ncategory: demo\nseverity: low\nsummary: s\ndiagnosis: d\nfix: [do it]\nmatch:\n  any:\n    - '(\\w{1000}){1000}'\n",
    );
    let log = repo.write("build.log", "error: boom\n");
    let out = repo.run(&[
        "analyze",
        "--playbooks",
        "team",
        log.to_str().expect("utf-8 path"),
    ]);
    assert_exit(&out, 2);
    assert!(
        out.stderr.starts_with(
            "faultline: error: team/big-one.yaml:10:7: match.any[0]: regex `(\\w{1000}){1000}` is too large once compiled"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn leg_conditions_deep_long_and_wide() {
    // A 3-leg matrix walks each script three times. The step `if:` is 100,000 `!` (past the
    // expression limits: unknown), the scripts hold 10,000 nested `if`s, a `case` of 10,000 arms
    // and an and-or list of 10,000 tests: the walk decides what it can and stops at its limits.
    let repo = Repo::new("legconds");
    let mut text = String::from(
        "on: push\njobs:\n  a:\n    strategy:\n      matrix:\n        os: [ubuntu-24.04, macos-15, windows-2022]\n    runs-on: ${{ matrix.os }}\n    defaults:\n      run:\n        shell: bash\n    steps:\n",
    );
    text.push_str(&format!(
        "      - if: \"{}true\"\n        run: pip3 install --isolated a\n",
        "!".repeat(100_000)
    ));
    text.push_str("      - run: |\n");
    for _ in 0..10_000 {
        text.push_str("          if [ \"$RUNNER_OS\" = Linux ]; then\n");
    }
    text.push_str("          pip3 install --isolated b\n");
    text.push_str("      - run: |\n          case \"${{ matrix.os }}\" in\n");
    for i in 0..10_000 {
        text.push_str(&format!("            x{i}) true ;;\n"));
    }
    text.push_str("            macos-*) pip3 install --isolated c ;;\n          esac\n");
    text.push_str("      - run: |\n          ");
    text.push_str(&vec!["[ \"$RUNNER_OS\" = macOS ]"; 10_000].join(" && "));
    text.push_str(" && pip3 install --isolated d\n");
    repo.write(".github/workflows/ci.yml", text);
    let out = lint(&repo, &["--format", "json"]);
    assert_exit(&out, 1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let found: Vec<(u64, String)> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "pip-install-externally-managed")
        .map(|f| {
            (
                f["start_line"].as_u64().expect("line"),
                f["severity"].as_str().expect("severity").to_string(),
            )
        })
        .collect();
    // a: the `if:` is unknown (warning). b: past the shell nesting limit the rest of the script
    // is skipped (no command). c: past `MAX_ARMS` the arm is a branch (warning). d: past
    // `MAX_COND_LEAVES` the list is undecided, and an undecided and-or list stays straight-line.
    // Step c starts after step b's 10,000 + 2 lines; its macos-* arm follows 10,000 arms.
    let c = 14 + 10_000 + 1 + 2 + 10_000 + 1;
    assert_eq!(
        found,
        [
            (13, "warning".to_string()),
            (c, "warning".to_string()),
            (c + 3, "error".to_string()),
        ],
        "{:.2000}",
        out.stdout
    );
}
