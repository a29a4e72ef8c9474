//! `actions/cache` (and `cache/restore`, `cache/save`) below v3.4.0 / between v4.0.0 and v4.2.0.

use super::action_versions::deprecated_use;
use super::Rule;
use crate::lint::checkpoint::{Checkpoint, Context};
use crate::report::Finding;

pub struct CacheActionDeprecated;

impl Rule for CacheActionDeprecated {
    fn id(&self) -> &'static str {
        "cache-action-deprecated"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/cache-action-deprecated.yaml")
    }

    fn check_point(&self, cp: &Checkpoint<'_>, ctx: &Context, out: &mut Vec<Finding>) {
        if let Checkpoint::Uses(u) = cp {
            let names = [
                "actions/cache",
                "actions/cache/restore",
                "actions/cache/save",
            ];
            deprecated_use(self.id(), &names, u, ctx, out);
        }
    }
}
