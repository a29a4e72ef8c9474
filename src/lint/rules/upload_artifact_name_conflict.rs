//! `actions/upload-artifact@v4+` with one literal name in a job that runs on several matrix legs:
//! the second leg's upload fails with `(409) Conflict` (ci-failures.md ranked row 5, §H1).

use super::{point_finding, Rule};
use crate::lint::checkpoint::{Checkpoint, Context, RefKind};
use crate::lint::facts::Version;
use crate::report::{Edit, Finding, Fix};

pub struct UploadArtifactNameConflict;

impl Rule for UploadArtifactNameConflict {
    fn id(&self) -> &'static str {
        "upload-artifact-name-conflict"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/upload-artifact-name-conflict.yaml")
    }

    fn check_point(&self, cp: &Checkpoint<'_>, ctx: &Context, out: &mut Vec<Finding>) {
        let Checkpoint::Uses(u) = cp else { return };
        if u.action != "actions/upload-artifact" || u.legs < 2 || u.if_cond.is_some() {
            return; // an `if:` may let only one leg upload
        }
        // v4 made artifacts immutable; an older or undatable version is another rule's business.
        let v4 = Version::parse("4").expect("a version");
        if u.kind == RefKind::Branch || u.version.as_ref().is_none_or(|v| v.always_below(&v4)) {
            return;
        }
        if u.input("overwrite")
            .is_some_and(|(_, v, _)| !v.eq_ignore_ascii_case("false"))
        {
            return;
        }
        let (name, span) = match u.input("name") {
            Some((_, v, _)) if v.contains("${{") => return, // per-leg names
            Some((_, v, span)) => (v.clone(), span.clone()),
            None => ("artifact".to_string(), u.span.clone()),
        };
        out.push(point_finding(
            ctx,
            self.id(),
            None,
            format!(
                "{} matrix legs upload an artifact named `{name}`: with upload-artifact v4 the second upload fails with `(409) Conflict: an artifact with this name already exists on the workflow run`",
                u.legs
            ),
            (span.clone(), "the same name on every leg"),
            Vec::new(),
            "make the name differ per leg (`name: dist-${{ matrix.os }}`), or set `overwrite: true` if the last upload may win".to_string(),
            u.input("name").map(|(_, v, span)| Fix {
                description: "add the leg's index to the name".to_string(),
                edits: vec![Edit {
                    span: span.clone(),
                    replacement: format!("{v}-${{{{ strategy.job-index }}}}"),
                }],
                safe: false,
            }),
        ));
    }
}
