//! The lint rules: one file each, registered in `RULES`; metadata in `rules/<id>.yaml`.

/// Whether `id` names a lint rule (used by `faultline explain`).
pub fn is_rule_id(_id: &str) -> bool {
    false
}
