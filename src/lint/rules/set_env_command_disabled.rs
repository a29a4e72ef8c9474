//! `::set-env` / `::add-path` in a `run:` script without `ACTIONS_ALLOW_UNSECURE_COMMANDS`.

use super::{point_finding, Rule};
use crate::lint::checkpoint::{Checkpoint, Context};
use crate::report::Finding;

pub struct SetEnvCommandDisabled;

impl Rule for SetEnvCommandDisabled {
    fn id(&self) -> &'static str {
        "set-env-command-disabled"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/set-env-command-disabled.yaml")
    }

    fn check_point(&self, cp: &Checkpoint<'_>, ctx: &Context, out: &mut Vec<Finding>) {
        let Checkpoint::Script(s) = cp else { return };
        if s.unsecure_allowed {
            return;
        }
        let mut offset = 0;
        for line in s.script.text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            if line.trim_start().starts_with('#') {
                continue;
            }
            let found = ["::set-env ", "::add-path::"]
                .iter()
                .find_map(|needle| line.find(needle).map(|at| (at, *needle)));
            let Some((at, needle)) = found else { continue };
            let command = needle.trim_matches(':').trim();
            let text_span = start + at..start + at + needle.trim_end().len();
            let span = s.script.to_file(text_span.start)..s.script.to_file(text_span.end);
            let replacement = if command == "set-env" {
                "echo \"NAME=value\" >> \"$GITHUB_ENV\""
            } else {
                "echo \"/some/dir\" >> \"$GITHUB_PATH\""
            };
            out.push(point_finding(
                ctx,
                self.id(),
                None,
                format!(
                    "the `{command}` workflow command is disabled: the runner fails the step (`The `{command}` command is disabled`)"
                ),
                (span, "disabled since 2020-11-16"),
                Vec::new(),
                format!("write to the environment file instead: `{replacement}`"),
                None,
            ));
        }
    }
}
