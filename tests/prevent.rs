//! The prevent engine beyond shell commands, end to end on the real binary: `--today` on both sides
//! of a retirement date (and `today:` in the configuration), the GHES switch, and fixes: `--fix`
//! edits only the bytes of each finding's span (comments, quoting and key order survive) and the
//! fixed file lints clean for those rules; `--diff` writes nothing; `--unsafe-fixes`; SARIF `fixes`.

mod common;

use common::Repo;

use serde_json::Value;

const WF: &str = ".github/workflows/ci.yml";

/// Comments, flow and block styles, quotes of every kind, and keys in a deliberate order.
const BEFORE: &str = "\
# CI (comments survive a fix)
on: push
env:
  GO: 1.20 # the Go line
jobs:
  test:
    runs-on: ubuntu-20.04   # old
    strategy:
      matrix: { python: [3.9, 3.10, \"3.11\"] }
    steps:
      - uses: actions/setup-python@v5
        with: {python-version: \"${{ matrix.python }}\"}
      - uses: actions/setup-go@v5
        with:
          go-version: ${{ env.GO }}
      - uses: actions/cache@v2 # keep me
        with: {key: k, path: p}
      - uses: 'actions/upload-artifact@v3'
        with:
          path: dist/
          name: dist
";

/// BEFORE with the safe fixes: three quotes-or-versions, nothing else.
const AFTER_SAFE: &str = "\
# CI (comments survive a fix)
on: push
env:
  GO: '1.20' # the Go line
jobs:
  test:
    runs-on: ubuntu-20.04   # old
    strategy:
      matrix: { python: [3.9, '3.10', \"3.11\"] }
    steps:
      - uses: actions/setup-python@v5
        with: {python-version: \"${{ matrix.python }}\"}
      - uses: actions/setup-go@v5
        with:
          go-version: ${{ env.GO }}
      - uses: actions/cache@v4 # keep me
        with: {key: k, path: p}
      - uses: 'actions/upload-artifact@v4'
        with:
          path: dist/
          name: dist
";

#[test]
fn fix_edits_only_the_findings_bytes_and_the_result_lints_clean() {
    let repo = Repo::with(&[(WF, BEFORE)]);
    let out = repo.run(&[
        "lint",
        "--fix",
        "--today",
        "2026-12-03",
        "--format",
        "concise",
        "-q",
    ]);
    assert_eq!(repo.read(WF), AFTER_SAFE);
    assert_eq!(out.stderr, "");
    // What is left: the retired label (its fix is unsafe), and what upload-artifact v4 brings to
    // light: three legs now upload one immutable name.
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        ".github/workflows/ci.yml:7:14: error[retired-runner-label] `ubuntu-20.04` is a retired GitHub-hosted runner label (retired 2025-04-15): the job will fail, or wait for a runner until it is cancelled (actions/runner-images#11101)\n\
         .github/workflows/ci.yml:21:17: error[upload-artifact-name-conflict] 3 matrix legs upload an artifact named `dist`: with upload-artifact v4 the second upload fails with `(409) Conflict: an artifact with this name already exists on the workflow run`\n"
    );
    // A second run finds nothing safe to fix: the fixed file is clean for those rules.
    let again = repo.run(&["lint", "--diff", "--today", "2026-12-03"]);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""));

    let unsafe_run = repo.run(&["lint", "--fix", "--unsafe-fixes", "--today", "2026-12-03"]);
    assert_eq!(unsafe_run.code, 0, "{}", unsafe_run.stdout);
    assert_eq!(
        repo.read(WF),
        AFTER_SAFE
            .replace(
                "runs-on: ubuntu-20.04   # old",
                "runs-on: ubuntu-24.04   # old"
            )
            .replace("name: dist\n", "name: dist-${{ strategy.job-index }}\n")
    );
    assert_eq!(unsafe_run.stderr, "faultline: fixed 2 findings in 1 file\n");
}

/// Found by the `fix` fuzz target: the `-y` fix went after the first `install` in the command's
/// text (here inside a backtick substitution), not after the word the rule read, so the fixed
/// file kept the finding and every `--fix` added another `-y`.
#[test]
fn the_yes_fix_goes_after_the_install_word_the_rule_read() {
    let wf = "on: push\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    container: debian:12\n    steps:\n      - run: apt-get update && apt-get q`x install --system` install pytest\n";
    let repo = Repo::with(&[(WF, wf)]);
    let out = repo.run(&["lint", "--fix", "-q", "--format", "concise"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{}", out.stderr);
    assert_eq!(
        repo.read(WF),
        wf.replace("` install pytest", "` install -y pytest")
    );
    let again = repo.run(&["lint", "--diff"]);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""));
}

#[test]
fn diff_shows_the_fixes_and_writes_nothing() {
    let repo = Repo::with(&[(WF, BEFORE)]);
    let out = repo.run(&["lint", "--diff", "--today", "2026-12-03"]);
    assert_eq!(out.code, 1);
    assert_eq!(repo.read(WF), BEFORE);
    assert!(out
        .stdout
        .starts_with("--- a/.github/workflows/ci.yml\n+++ b/.github/workflows/ci.yml\n"));
    assert!(out
        .stdout
        .contains("-  GO: 1.20 # the Go line\n+  GO: '1.20' # the Go line\n"));
    assert!(out.stdout.contains(
        "-      - uses: actions/cache@v2 # keep me\n+      - uses: actions/cache@v4 # keep me\n"
    ));
    assert!(
        !out.stdout.contains("ubuntu-24.04"),
        "unsafe fixes need --unsafe-fixes"
    );
    assert_eq!(
        out.stderr,
        "faultline: 4 fixes available in 1 file (--diff wrote nothing)\n"
    );
}

#[test]
fn sarif_results_carry_their_fixes() {
    let repo = Repo::with(&[(WF, BEFORE)]);
    let out = repo.run(&["lint", "--format", "sarif", "--today", "2026-12-03"]);
    let sarif: Value = serde_json::from_str(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let cache = results
        .iter()
        .find(|r| r["ruleId"] == "cache-action-deprecated")
        .expect("cache finding");
    let fix = &cache["fixes"][0];
    assert_eq!(fix["description"]["text"], "use `actions/cache@v4`");
    let change = &fix["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], WF);
    let replacement = &change["replacements"][0];
    assert_eq!(replacement["insertedContent"]["text"], "v4");
    assert_eq!(replacement["deletedRegion"]["startLine"], 16);
    assert_eq!(replacement["deletedRegion"]["startColumn"], 29);
    assert_eq!(replacement["deletedRegion"]["endColumn"], 31);
    let secrets_free: Vec<&Value> = results.iter().filter(|r| r["fixes"].is_null()).collect();
    assert!(secrets_free
        .iter()
        .all(|r| r["ruleId"] != "cache-action-deprecated"));
}

const MACOS: &str =
    "on: push\njobs:\n  mac:\n    runs-on: macos-14\n    steps:\n      - run: make\n";

#[test]
fn today_decides_deprecated_or_retired() {
    let repo = Repo::with(&[(".github/workflows/mac.yml", MACOS)]);
    let before = repo.run(&["lint", "--today", "2026-11-01", "--format", "concise", "-q"]);
    assert_eq!(before.code, 0);
    assert_eq!(
        before.stdout,
        ".github/workflows/mac.yml:4:14: warning[retired-runner-label] `macos-14` is a deprecated GitHub-hosted runner label: brownouts fail jobs before it is retired on 2026-11-02 (actions/runner-images#13518)\n"
    );
    let on = repo.run(&["lint", "--today", "2026-11-02", "--format", "concise", "-q"]);
    assert_eq!(on.code, 1);
    assert!(
        on.stdout
            .contains("error[retired-runner-label] `macos-14` is a retired"),
        "{}",
        on.stdout
    );
    let early = repo.run(&["lint", "--today", "2026-07-05", "--format", "concise", "-q"]);
    assert_eq!((early.code, early.stdout.as_str()), (0, ""));
    // `today:` in the configuration; the command line wins over it.
    let conf = Repo::with(&[
        (".github/workflows/mac.yml", MACOS),
        (".faultline.yaml", "today: 2026-11-01\n"),
    ]);
    assert_eq!(conf.run(&["lint", "-q"]).code, 0);
    assert_eq!(conf.run(&["lint", "-q", "--today", "2026-12-01"]).code, 1);
    let bad = repo.run(&["lint", "--today", "2026-02-30"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains("`2026-02-30` is not a date (YYYY-MM-DD)"),
        "{}",
        bad.stderr
    );
}

#[test]
fn ghes_keeps_artifact_and_cache_v3() {
    let wf = "on: push\njobs:\n  b:\n    runs-on: [self-hosted]\n    steps:\n      - uses: actions/upload-artifact@v3\n        with: {name: a, path: a}\n      - uses: actions/cache@v2\n        with: {key: k, path: p}\n";
    let cloud = Repo::with(&[(WF, wf)]);
    assert_eq!(
        cloud
            .run(&["lint", "-q", "--format", "concise"])
            .stdout
            .lines()
            .count(),
        2
    );
    let ghes = Repo::with(&[
        (WF, wf),
        (".faultline.yaml", "github_enterprise_server: true\n"),
    ]);
    let out = ghes.run(&["lint", "-q", "--format", "concise"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
}

#[test]
fn setup_caches_look_for_their_files_in_the_repository() {
    let wf = "on: push\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/setup-node@v4\n        with: {node-version: 22, cache: yarn}\n      - uses: actions/setup-python@v5\n        with: {python-version: '3.12', cache: pip}\n";
    let bare = Repo::with(&[(WF, wf)]);
    let out = bare.run(&["lint", "-q", "--format", "concise"]);
    assert_eq!(out.code, 1);
    let rules: Vec<&str> = out
        .stdout
        .lines()
        .map(|l| l.split('[').nth(1).unwrap().split(']').next().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "setup-node-cache-without-lockfile",
            "setup-python-cache-without-file"
        ]
    );
    // The files they hash: yarn.lock at the root, a requirements file anywhere.
    let with_files = Repo::with(&[
        (WF, wf),
        ("yarn.lock", "# yarn lockfile v1\n"),
        ("services/api/requirements.txt", "flask\n"),
    ]);
    let out = with_files.run(&["lint", "-q", "--format", "concise"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
    // setup-node looks only at the root.
    let nested = Repo::with(&[
        (WF, wf),
        ("web/yarn.lock", "#\n"),
        ("requirements.txt", "x\n"),
    ]);
    let out = nested.run(&["lint", "-q", "--format", "concise"]);
    assert!(
        out.stdout.contains("no `yarn.lock` at its root") && out.stdout.lines().count() == 1,
        "{}",
        out.stdout
    );
}

/// In a git checkout, "the repository" is what its index tracks: what the next commit, and the
/// CI checkout of it, holds. A requirements file not yet `git add`ed does not count.
#[test]
fn the_repository_is_what_its_git_index_tracks() {
    let wf = "on: push\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/setup-python@v5\n        with: {python-version: '3.12', cache: pip}\n";
    let repo = Repo::with(&[]);
    std::fs::remove_dir_all(repo.dir.join(".git")).expect("rm .git");
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args(args)
            .current_dir(&repo.dir)
            .status()
            .expect("git runs")
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    repo.write(WF, wf);
    repo.write("services/api/requirements.txt", "flask\n");
    git(&["add", WF]);
    let out = repo.run(&["lint", "-q", "--format", "concise"]);
    assert_eq!(out.code, 1, "untracked requirements file: {}", out.stdout);
    assert!(
        out.stdout.contains("[setup-python-cache-without-file]")
            && out
                .stdout
                .contains("no `requirements.txt` or `pyproject.toml` anywhere"),
        "{}",
        out.stdout
    );
    git(&["add", "services/api/requirements.txt"]);
    let out = repo.run(&["lint", "-q", "--format", "concise"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
}

/// setup-node v5+ caches npm without `cache:` when the root `package.json` names npm as its
/// `packageManager` (ci-failures.md §H2), so a missing lockfile fails there too.
#[test]
fn setup_node_v5_caches_npm_by_itself_when_package_json_names_npm() {
    let wf = |version: &str, extra: &str| {
        format!("on: push\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v5\n      - uses: actions/setup-node@{version}\n        with:\n          node-version: 22\n{extra}      - run: npm test\n")
    };
    let npm = (
        "package.json",
        "{\"name\": \"x\", \"packageManager\": \"npm@10.9.2\"}\n",
    );
    let run = |files: &[(&str, &str)]| {
        let repo = Repo::with(files);
        let out = repo.run(&["lint", "-q", "--format", "concise"]);
        (out.code, out.stdout)
    };
    let v5 = wf("v5", "");
    assert_eq!(
        run(&[(WF, &v5), npm]),
        (
            1,
            ".github/workflows/ci.yml:7:15: error[setup-node-cache-without-lockfile] setup-node v5+ caches npm by itself here (`package.json` names npm as its `packageManager`) and will fail with `Dependencies lock file is not found`: the repository has no `package-lock.json` or `npm-shrinkwrap.json` or `yarn.lock` at its root\n".to_string()
        )
    );
    // `devEngines.packageManager` counts too.
    let dev = (
        "package.json",
        "{\"devEngines\": {\"packageManager\": {\"name\": \"npm\"}}}\n",
    );
    assert_eq!(run(&[(WF, &v5), dev]).0, 1);
    // Silent: v4 (no automatic caching), another manager, the lockfile, the opt-out, no
    // package.json, and before checkout (the workspace has no package.json yet).
    let v4 = wf("v4", "");
    let off = wf("v5", "          package-manager-cache: false\n");
    let pnpm = ("package.json", "{\"packageManager\": \"pnpm@9.0.0\"}\n");
    let lock = ("package-lock.json", "{}\n");
    for files in [
        vec![(WF, v4.as_str()), npm],
        vec![(WF, v5.as_str()), pnpm],
        vec![(WF, v5.as_str()), npm, lock],
        vec![(WF, off.as_str()), npm],
        vec![(WF, v5.as_str())],
        vec![
            (WF, &v5.replace("      - uses: actions/checkout@v5\n", "")),
            npm,
        ],
    ] {
        assert_eq!(run(&files), (0, String::new()), "{files:?}");
    }
}

const GITLAB: &str = ".gitlab-ci.yml";

/// GitLab variables in block and flow style, with comments and a variable that stays as written.
const GITLAB_BEFORE: &str = "\
# GitLab CI (comments survive a fix)
variables:
  PYTHON_VERSION: 3.10 # the Python line
  RUBY_VERSION: 3.0    # Ruby prints 3.0: unchanged
test:
  image: python:$PYTHON_VERSION
  variables: { GO_VERSION: 1.20, NODE_VERSION: \"20.10\" }
  script:
    - curl -LO https://go.dev/dl/go$GO_VERSION.linux-amd64.tar.gz
    - npx node@$NODE_VERSION --version
    - echo ruby $RUBY_VERSION
";

#[test]
fn gitlab_variable_fix_quotes_the_number_as_written() {
    let repo = Repo::with(&[(GITLAB, GITLAB_BEFORE)]);
    let diff = repo.run(&["lint", "--diff"]);
    assert_eq!(diff.code, 1);
    assert_eq!(repo.read(GITLAB), GITLAB_BEFORE);
    assert!(diff.stdout.contains(
        "-  PYTHON_VERSION: 3.10 # the Python line\n+  PYTHON_VERSION: '3.10' # the Python line\n"
    ));
    assert_eq!(
        diff.stderr,
        "faultline: 2 fixes available in 1 file (--diff wrote nothing)\n"
    );
    let out = repo.run(&["lint", "--fix", "--format", "concise", "-q"]);
    assert_eq!(
        repo.read(GITLAB),
        GITLAB_BEFORE
            .replace("PYTHON_VERSION: 3.10 #", "PYTHON_VERSION: '3.10' #")
            .replace("GO_VERSION: 1.20,", "GO_VERSION: '1.20',")
    );
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
    assert_eq!(out.stderr, "");
    let again = repo.run(&["lint", "--diff"]);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""));
}

#[test]
fn an_included_gitlab_job_is_judged_merged_with_its_includer() {
    let repo = Repo::with(&[
        (
            GITLAB,
            "include:\n  - local: ci/jobs.yml\nvariables:\n  PYTHON_VERSION: 3.10\n.on-merge-requests:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n",
        ),
        (
            "ci/jobs.yml",
            "unit:\n  extends: .on-merge-requests\n  only: [main]\n  image: python:$PYTHON_VERSION\n  script: [pytest]\n",
        ),
    ]);
    // Named alone (as pre-commit passes it), and found by a walk: the same findings, in the
    // included file, each pointing back at the includer.
    for args in [
        &["lint", "--format", "json", "ci/jobs.yml"][..],
        &["lint", "--format", "json"][..],
    ] {
        let out = repo.run(args);
        assert_eq!(out.code, 1, "{}", out.stderr);
        let v: Value = serde_json::from_str(&out.stdout).unwrap();
        let got: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let related: Vec<String> = f["related"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        format!(
                            "{}:{}:{}",
                            r["path"].as_str().unwrap(),
                            r["line"],
                            r["column"]
                        )
                    })
                    .collect();
                format!(
                    "{}:{}:{} {} {} fix={} related={}",
                    f["path"].as_str().unwrap(),
                    f["start_line"],
                    f["start_column"],
                    f["severity"].as_str().unwrap(),
                    f["rule"].as_str().unwrap(),
                    !f["fix"].is_null(),
                    related.join(",")
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "ci/jobs.yml:3:3 error rules-with-only-except fix=false related=.gitlab-ci.yml:6:3",
                "ci/jobs.yml:4:10 warning tool-version-number fix=false related=.gitlab-ci.yml:4:19",
            ],
            "{args:?}"
        );
    }
}
