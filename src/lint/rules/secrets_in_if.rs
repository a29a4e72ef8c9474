//! `secrets.*` in a job's or step's `if:`: GitHub rejects the workflow.

use super::{point_finding, Rule};
use crate::lint::checkpoint::{Checkpoint, Context};
use crate::report::Finding;

pub struct SecretsInIf;

/// Whether an expression names the `secrets` context (`secrets.X`, `secrets['X']`), outside
/// string literals.
fn names_secrets(expr: &str) -> bool {
    let mut in_string = false;
    let bytes = expr.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\'' {
            in_string = !in_string;
            continue;
        }
        if in_string {
            continue;
        }
        let word_start = i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric()
                || matches!(bytes[i - 1], b'_' | b'.' | b'-'));
        // Bytes, not `str` slices: `i` may sit inside a multi-byte character.
        if word_start
            && bytes.len() > i + 7
            && bytes[i..i + 7].eq_ignore_ascii_case(b"secrets")
            && matches!(bytes[i + 7], b'.' | b'[')
        {
            return true;
        }
    }
    false
}

impl Rule for SecretsInIf {
    fn id(&self) -> &'static str {
        "secrets-in-if"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/secrets-in-if.yaml")
    }

    fn check_point(&self, cp: &Checkpoint<'_>, ctx: &Context, out: &mut Vec<Finding>) {
        let Checkpoint::Condition(c) = cp else { return };
        if !names_secrets(&c.text) {
            return;
        }
        let whose = if c.step { "a step's" } else { "a job's" };
        out.push(point_finding(
            ctx,
            self.id(),
            None,
            format!(
                "the `secrets` context is not available in {whose} `if:`: GitHub rejects the workflow (`Unrecognized named-value: 'secrets'`) and no job runs"
            ),
            (c.span.clone(), "`secrets` here"),
            Vec::new(),
            "map the secret to an env variable at the job (`HAS_TOKEN: ${{ secrets.TOKEN != '' }}`) and test `env.HAS_TOKEN == 'true'`".to_string(),
            None,
        ));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_outside_strings() {
        assert!(super::names_secrets("secrets.TOKEN != ''"));
        assert!(super::names_secrets(
            "${{ github.event_name == 'push' && secrets['X'] }}"
        ));
        assert!(!super::names_secrets("contains('secrets.x', 'a')"));
        assert!(!super::names_secrets("env.has_secrets == 'true'"));
        assert!(!super::names_secrets("inputs.secrets-file"));
    }
}
