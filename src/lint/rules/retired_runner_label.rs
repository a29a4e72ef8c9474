//! `runs-on:` a retired (error) or deprecated (warning) GitHub-hosted label, per matrix leg.

use super::{point_finding, Rule};
use crate::lint::checkpoint::{Checkpoint, Context};
use crate::lint::facts::{runner_labels, LabelStatus};
use crate::report::{Edit, Finding, Fix, Label, Severity};

pub struct RetiredRunnerLabel;

impl Rule for RetiredRunnerLabel {
    fn id(&self) -> &'static str {
        "retired-runner-label"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/retired-runner-label.yaml")
    }

    fn check_point(&self, cp: &Checkpoint<'_>, ctx: &Context, out: &mut Vec<Finding>) {
        let Checkpoint::Runner(r) = cp else { return };
        if r.self_hosted {
            return; // an organisation may name its own machines after a hosted image
        }
        let (row, severity, message) = match runner_labels().status(&r.label, ctx.today) {
            LabelStatus::Retired(row) => (
                row,
                Severity::Error,
                format!(
                    "`{}` is a retired GitHub-hosted runner label (retired {}): the job will fail, or wait for a runner until it is cancelled ({})",
                    r.label, row.retired, row.source
                ),
            ),
            LabelStatus::Deprecated(row) => (
                row,
                Severity::Warning,
                format!(
                    "`{}` is a deprecated GitHub-hosted runner label: brownouts fail jobs before it is retired on {} ({})",
                    r.label, row.retired, row.source
                ),
            ),
            LabelStatus::Fine => return,
        };
        let related = r
            .runs_on
            .clone()
            .map(|span| Label {
                span,
                message: "the label comes from the matrix here".to_string(),
            })
            .into_iter()
            .collect();
        // Only a label written as itself can be replaced in place.
        let written = ctx.file.text.get(r.span.clone()) == Some(r.label.as_str());
        let fix = written.then(|| Fix {
            description: format!("use `{}`", row.successor),
            edits: vec![Edit {
                span: r.span.clone(),
                replacement: row.successor.clone(),
            }],
            safe: false,
        });
        out.push(point_finding(
            ctx,
            self.id(),
            Some(severity),
            message,
            (r.span.clone(), "this runner label"),
            related,
            format!(
                "use `{}` (same architecture; the tools on the image differ, so run the job once)",
                row.successor
            ),
            fix,
        ));
    }
}
