//! A JavaScript action in a GitHub job whose `container:` has glibc older than the runner's Node
//! needs (ci-failures.md §C3): `/__e/node20/bin/node: … version 'GLIBC_2.28' not found`.

use super::{point_finding, Rule};
use crate::lint::checkpoint::{Checkpoint, Context, ImageSite};
use crate::lint::facts::{actions, runner_labels, Version};
use crate::report::{Finding, Label, Severity};

pub struct JsActionInOldGlibcContainer;

impl Rule for JsActionInOldGlibcContainer {
    fn id(&self) -> &'static str {
        "js-action-in-old-glibc-container"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/js-action-in-old-glibc-container.yaml")
    }

    fn check_point(&self, cp: &Checkpoint<'_>, ctx: &Context, out: &mut Vec<Finding>) {
        let Checkpoint::Image(image) = cp else { return };
        if image.site != ImageSite::GithubContainer {
            return;
        }
        let facts = actions();
        let Some(runtime) = &facts.node_runtime else {
            return;
        };
        if ctx.today < runtime.since {
            return;
        }
        let (Some(release), Some(need)) = (image.release, Version::parse(&runtime.min_glibc))
        else {
            return;
        };
        // Alpine (musl): the runner brings its Alpine build of Node (x64).
        let Some(glibc) = release.glibc() else { return };
        if glibc.0 >= need.0 {
            return;
        }
        // GitHub's hosted runners bring the runner's own Node; a self-hosted runner, or one whose
        // labels faultline does not know, may be set up with another (say less).
        let hosted = !image.self_hosted
            && !ctx.ghes
            && !image.labels.is_empty()
            && image
                .labels
                .iter()
                .all(|l| runner_labels().is_hosted(&l.to_ascii_lowercase()));
        let glibc_text = release.glibc.as_deref().unwrap_or("?");
        for step in &image.steps {
            let Some(js) = facts.javascript(&step.action) else {
                continue;
            };
            let (severity, why) = if !hosted {
                (
                    Severity::Warning,
                    if image.self_hosted {
                        " (on a self-hosted runner, unless its Node was replaced with one built for old glibc)"
                    } else {
                        " (if the runner is GitHub's: its labels are not GitHub-hosted ones)"
                    },
                )
            } else if step.conditional {
                (Severity::Warning, " (if the step runs)")
            } else {
                (Severity::Error, "")
            };
            let mut related = vec![Label {
                span: image.span.clone(),
                message: format!("{} (glibc {glibc_text})", release.describe()),
            }];
            if let Some(via) = &image.via {
                related.push(Label {
                    span: via.clone(),
                    message: "the container comes from the matrix here".to_string(),
                });
            }
            out.push(point_finding(
                ctx,
                self.id(),
                Some(severity),
                format!(
                    "`{}` is a JavaScript action: in the job container `{}` ({}, glibc {glibc_text}) the runner's own Node fails with ``/__e/node20/bin/node: … version `GLIBC_{}' not found``{why}",
                    js.action,
                    image.reference,
                    release.describe(),
                    runtime.min_glibc,
                ),
                (step.span.clone(), "a JavaScript action"),
                related,
                format!(
                    "use a container with glibc {} or later (`quay.io/pypa/manylinux_2_28_x86_64` for manylinux2014, `almalinux:8` for `centos:7`, `ubuntu:20.04`+ for 18.04), or run the old image with `docker run` from a step on the host",
                    runtime.min_glibc
                ),
                None,
            ));
        }
    }
}
