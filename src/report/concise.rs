//! One line per finding, `path:line:col: severity[rule] message`, the shape editors' quickfix
//! lists, grep and `sort` read (ruff's `concise`, actionlint's default).

use std::fmt::Write as _;

use super::Finding;

pub fn render(findings: &[Finding], path_of: &dyn Fn(&std::path::Path) -> String) -> String {
    let mut out = String::new();
    for f in findings {
        let (line, column) = f.start();
        // A message is one sentence; keep the record on one line whatever it holds.
        let message = f.message.replace(['\n', '\r'], " ");
        let _ = writeln!(
            out,
            "{}:{line}:{column}: {}[{}] {message}",
            path_of(&f.file.path),
            f.severity.as_str(),
            f.rule
        );
    }
    out
}
