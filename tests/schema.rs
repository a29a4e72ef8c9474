//! One machine contract: every JSON output opens with `schema_version`, `tool` and `version`, and
//! validates against its JSON Schema under `docs/schema/` (generated from the Rust types with
//! schemars). Run with `BLESS=1` to rewrite the schema files and the README's field reference
//! after changing an output type (then read the diff).

mod common;

use std::path::{Path, PathBuf};

use common::Repo;

fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema")
}

fn bless() -> bool {
    std::env::var_os("BLESS").is_some()
}

#[test]
fn schema_files_are_generated_from_the_types() {
    let dir = schema_dir();
    let mut stale = Vec::new();
    for (name, _, schema) in faultline::envelope::schemas() {
        let mut text = serde_json::to_string_pretty(&schema).expect("schema JSON");
        text.push('\n');
        let path = dir.join(format!("{name}.schema.json"));
        if bless() {
            std::fs::create_dir_all(&dir).expect("mkdir");
            std::fs::write(&path, &text).expect("write schema");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale schema files (run `BLESS=1 cargo test --test schema`): {stale:?}"
    );
}

/// The README's "Machine output" reference: one table per JSON document, from the schemas.
#[test]
fn readme_documents_every_field() {
    let mut generated = String::new();
    for (name, command, schema) in faultline::envelope::schemas() {
        generated.push_str(&format!(
            "\n#### `faultline {command}`\n\nSchema: [`docs/schema/{name}.schema.json`](docs/schema/{name}.schema.json)\n\n{}",
            faultline::envelope::fields_markdown(&schema)
        ));
    }
    let readme_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&readme_path).expect("README");
    let (start, end) = ("<!-- json-fields:start -->\n", "<!-- json-fields:end -->");
    let a = readme
        .find(start)
        .expect("README has the json-fields markers")
        + start.len();
    let b = readme[a..].find(end).expect("end marker") + a;
    if bless() {
        let text = format!(
            "{}{}\n{}",
            &readme[..a],
            generated.trim_start(),
            &readme[b..]
        );
        std::fs::write(&readme_path, text).expect("write README");
    } else {
        assert_eq!(
            readme[a..b].trim(),
            generated.trim(),
            "the README's field reference is stale (run `BLESS=1 cargo test --test schema`)"
        );
    }
}

fn validate(name: &str, out: &str) -> serde_json::Value {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(schema_dir().join(format!("{name}.schema.json")))
            .expect("schema file"),
    )
    .expect("schema JSON");
    let doc: serde_json::Value =
        serde_json::from_str(out).unwrap_or_else(|e| panic!("{name}: not JSON ({e}): {out}"));
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}\n{out}");
    // The envelope, first and in this order.
    let keys: Vec<&String> = doc.as_object().expect("an object").keys().collect();
    assert_eq!(keys[..3], ["schema_version", "tool", "version"], "{name}");
    assert_eq!(doc["schema_version"], 2, "{name}");
    assert_eq!(doc["tool"], "faultline", "{name}");
    assert_eq!(doc["version"], env!("CARGO_PKG_VERSION"), "{name}");
    doc
}

const WORKFLOW: &str = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    container: debian:12\n    steps:\n      - run: apt-get update && apt-get install -y python3-pip\n      - run: pip install requests\n";

const LOG: &str = "##[group]Run pip install -r requirements.txt\npip install -r requirements.txt\n##[endgroup]\nerror: externally-managed-environment\n\n× This environment is externally managed\n╰─> To install Python packages system-wide, try apt install\n    python3-xyz, where xyz is the package you are trying to\n    install.\n##[error]Process completed with exit code 1.\n";

#[test]
fn every_json_output_validates_against_its_schema() {
    let repo = Repo::with(&[
        (".github/workflows/ci.yml", WORKFLOW),
        ("broken.yml", "on: [push\n"),
        ("build.log", LOG),
    ]);
    let ok = |args: &[&str], codes: &[i32]| {
        let out = repo.run(args);
        assert!(
            codes.contains(&out.code),
            "{args:?}: exit {} {}",
            out.code,
            out.stderr
        );
        out.stdout
    };

    let lint = validate("lint", &ok(&["lint", "--format", "json"], &[1]));
    assert_eq!(
        lint["findings"][0]["rule"],
        "pip-install-externally-managed"
    );
    assert_eq!(lint["findings"][0]["start_line"], 8);
    // An input error is part of the same document.
    let broken = validate(
        "lint",
        &ok(&["lint", "--format", "json", ".github", "broken.yml"], &[2]),
    );
    assert_eq!(broken["errors"][0]["path"], "broken.yml");

    let stats = validate(
        "lint-statistics",
        &ok(&["lint", "--statistics", "--format", "json"], &[1]),
    );
    assert_eq!(stats["statistics"][0]["count"], 1);
    assert_eq!(stats["total"], 1);

    ok(&["lint", "--write-baseline", "baseline.json"], &[0]);
    let baseline = validate("baseline", &repo.read("baseline.json"));
    assert_eq!(baseline["findings"][0]["command"], "pip install requests");

    let rules = validate("rules", &ok(&["rules", "--format", "json"], &[0]));
    assert!(rules["rules"].as_array().expect("rules").len() >= 17);
    let rule = validate(
        "rule",
        &ok(
            &[
                "explain",
                "pip-install-externally-managed",
                "--format",
                "json",
            ],
            &[0],
        ),
    );
    assert_eq!(rule["id"], "pip-install-externally-managed");

    let playbook = validate(
        "playbook",
        &ok(
            &["explain", "python-externally-managed", "--format", "json"],
            &[0],
        ),
    );
    assert_eq!(playbook["id"], "python-externally-managed");
    let list = validate("list", &ok(&["list", "--format", "json"], &[0]));
    assert!(list["playbooks"].as_array().expect("playbooks").len() >= 160);

    let analyze = validate(
        "analyze",
        &ok(&["analyze", "build.log", "--format", "json"], &[0]),
    );
    assert_eq!(
        analyze["diagnoses"][0]["playbook"],
        "python-externally-managed"
    );
    // `--repo`: the configuration line that causes the diagnosis, inside it.
    let linked = validate(
        "analyze",
        &ok(
            &["analyze", "build.log", "--format", "json", "--repo", "."],
            &[0],
        ),
    );
    let config = &linked["diagnoses"][0]["configuration"][0];
    assert_eq!(config["path"], ".github/workflows/ci.yml");
    assert_eq!(
        (config["line"].clone(), config["column"].clone()),
        (8.into(), 14.into())
    );
    let fix = validate("fix", &ok(&["fix", "build.log", "--format", "json"], &[0]));
    assert_eq!(fix["playbook"], "python-externally-managed");

    repo.write("logs/a.log", LOG);
    repo.write(
        "logs/labels.tsv",
        "file\texpected_playbook\ttop_n\na.log\tpython-externally-managed\t1\n",
    );
    let eval = validate("eval", &ok(&["eval", "logs", "--format", "json"], &[0]));
    assert_eq!(eval["top1"], 1);
}
