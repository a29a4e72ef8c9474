//! The layer rule of `../shared/ARCHITECTURE.md`: nothing below the command layer (`main.rs`,
//! `lib.rs`, `cli.rs`, `ui.rs`, `commands/`) imports `cli` or `ui`. An engine takes an options
//! struct and returns data; it does not parse flags, print, or pick exit codes.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn engines_do_not_import_the_command_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let command_layer = |p: &Path| {
        let rel = p.strip_prefix(&src).expect("under src");
        rel.starts_with("commands")
            || ["main.rs", "lib.rs", "cli.rs", "ui.rs"]
                .iter()
                .any(|f| rel == Path::new(f))
    };
    let mut offenders = Vec::new();
    for f in files.iter().filter(|f| !command_layer(f)) {
        let text = std::fs::read_to_string(f).expect("read");
        for (i, line) in text.lines().enumerate() {
            if line.contains("crate::cli") || line.contains("crate::ui") {
                offenders.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(
        files.len() > 40,
        "the walk found too few files: {}",
        files.len()
    );
    assert!(
        offenders.is_empty(),
        "engine modules import the command layer:\n{}",
        offenders.join("\n")
    );
}
