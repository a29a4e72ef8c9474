//! A GitLab job whose merged configuration has `rules:` and `only:`/`except:`: GitLab rejects the
//! pipeline.

use super::{point_finding, Rule};
use crate::lint::checkpoint::{Checkpoint, Context};
use crate::report::Finding;

pub struct RulesWithOnlyExcept;

/// The keys `Entry::Processable` refuses next to a non-null `rules:` (`disallowed_keys`, with
/// `ignore_nil: true`).
const DISALLOWED: &[&str] = &["only", "except", "start_in"];

impl Rule for RulesWithOnlyExcept {
    fn id(&self) -> &'static str {
        "rules-with-only-except"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/rules-with-only-except.yaml")
    }

    fn check_point(&self, cp: &Checkpoint<'_>, ctx: &Context, out: &mut Vec<Finding>) {
        let Checkpoint::GitlabJob(job) = cp else {
            return;
        };
        let Some(rules) = job.key("rules").filter(|k| !k.null) else {
            return;
        };
        // In the merged job's key order, as GitLab lists them.
        let present: Vec<_> = job
            .keys
            .iter()
            .filter(|k| DISALLOWED.contains(&k.name.as_str()) && !k.null)
            .collect();
        let Some(first) = present.first() else {
            return;
        };
        let names: Vec<&str> = present.iter().map(|k| k.name.as_str()).collect();
        let shown = names
            .iter()
            .map(|n| format!("`{n}:`"))
            .collect::<Vec<_>>()
            .join(" and ");
        let whence = |k: &crate::lint::checkpoint::GitlabKey| match (k.own, k.place.is_in(ctx)) {
            (true, true) => format!("`{}:`", k.name),
            (true, false) => format!("`{}:` (another definition of job `{}`)", k.name, job.name),
            (false, _) => format!("`{}:` (inherited through `extends:`)", k.name),
        };
        let all = || present.iter().copied().chain([rules]);
        let merged = if all().any(|k| !k.own) {
            " (after GitLab merges the job's `extends:` into it)"
        } else if all().all(|k| k.place.is_in(ctx)) {
            ""
        } else {
            " (the job is defined in more than one file of the pipeline; GitLab merges them)"
        };
        // The finding sits on the job's own key in this file (the first disallowed one, else
        // `rules:`), else on the job's name: GitLab names the job.
        let pick = present
            .iter()
            .copied()
            .chain([rules])
            .find(|k| k.own && k.place.is_in(ctx));
        let (primary, primary_msg) = match pick {
            Some(k) => (k.place.span.clone(), whence(k)),
            None => (job.name_span.clone(), "this job".to_string()),
        };
        // An inherited key can be reset in the job itself.
        let reset = if !rules.own {
            ", or drop the inherited `rules:` with `rules: null` in the job".to_string()
        } else if !first.own {
            format!(
                ", or drop the inherited `{0}:` with `{0}: null` in the job",
                first.name
            )
        } else {
            String::new()
        };
        let mut f = point_finding(
            ctx,
            self.id(),
            None,
            format!(
                "job `{}` has `rules:` and {shown}{merged}: GitLab rejects the whole pipeline (`jobs:{} config key may not be used with `rules`: {}`)",
                job.name,
                job.name,
                names.join(", ")
            ),
            (primary.clone(), &primary_msg),
            Vec::new(),
            format!(
                "keep one mechanism: write {shown} as `rules:` entries (`only: [main]` becomes `- if: $CI_COMMIT_BRANCH == \"main\"`){reset}"
            ),
            None,
        );
        for k in std::iter::once(rules).chain(present.iter().copied()) {
            if k.place.is_in(ctx) && k.place.span == primary {
                continue;
            }
            k.place.label(ctx, &whence(k), &mut f);
        }
        out.push(f);
    }
}
