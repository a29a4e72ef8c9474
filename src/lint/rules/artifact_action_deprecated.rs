//! `actions/upload-artifact`/`download-artifact` v1–v3 (and composites that call them).

use super::action_versions::deprecated_use;
use super::Rule;
use crate::lint::checkpoint::{Checkpoint, Context};
use crate::report::Finding;

pub struct ArtifactActionDeprecated;

impl Rule for ArtifactActionDeprecated {
    fn id(&self) -> &'static str {
        "artifact-action-deprecated"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/artifact-action-deprecated.yaml")
    }

    fn check_point(&self, cp: &Checkpoint<'_>, ctx: &Context, out: &mut Vec<Finding>) {
        if let Checkpoint::Uses(u) = cp {
            let names = [
                "actions/upload-artifact",
                "actions/download-artifact",
                "actions/upload-pages-artifact",
            ];
            deprecated_use(self.id(), &names, u, ctx, out);
        }
    }
}
