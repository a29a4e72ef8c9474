//! Shared by the lint targets.
#![allow(dead_code)]

use faultline::lint::LintOptions;

/// A repository root that does not exist: local includes and actions resolve to nothing, so a
/// run never reads the machine's files.
pub fn options() -> LintOptions {
    LintOptions {
        root: "/nonexistent/faultline-fuzz-root".into(),
        ..LintOptions::default()
    }
}
