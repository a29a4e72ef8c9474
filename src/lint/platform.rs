//! What runs a job: GitHub runner labels and container images, resolved to facts about the Python
//! a bare `pip` reaches. The facts live in `platform_data.rs` as a table, not in rules.

use std::collections::BTreeMap;

/// Facts the configuration declares because the files cannot show them.
#[derive(Debug, Clone, Default)]
pub struct Declared {
    /// Runner label → what it is (for self-hosted or custom labels).
    pub runners: BTreeMap<String, DeclaredPlatform>,
    /// Image reference (exact, or a prefix ending in `*`) → what it is.
    pub images: BTreeMap<String, DeclaredPlatform>,
}

/// A declared platform: the parts left `None` stay unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeclaredPlatform {
    /// The system Python carries an EXTERNALLY-MANAGED marker.
    pub externally_managed: Option<bool>,
    /// pip is installed for the system Python.
    pub pip: Option<bool>,
    /// A pip.conf sets `break-system-packages = true` (as GitHub's hosted ubuntu-24.04 runners do).
    pub pip_conf_override: Option<bool>,
    /// `python3 -m venv` works (python3-venv installed).
    pub venv: Option<bool>,
}
