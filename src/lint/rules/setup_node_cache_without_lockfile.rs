//! `actions/setup-node` with `cache:` and no lockfile at the repository root, or before checkout
//! (ci-failures.md §H2): `Dependencies lock file is not found`.

use super::setup_cache_lockfile::missing;
use super::{point_finding, Rule};
use crate::lint::checkpoint::{Checkpoint, Context};
use crate::report::Finding;

pub struct SetupNodeCacheWithoutLockfile;

impl Rule for SetupNodeCacheWithoutLockfile {
    fn id(&self) -> &'static str {
        "setup-node-cache-without-lockfile"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/setup-node-cache-without-lockfile.yaml")
    }

    fn check_point(&self, cp: &Checkpoint<'_>, ctx: &Context, out: &mut Vec<Finding>) {
        let Checkpoint::Uses(u) = cp else { return };
        if u.action != "actions/setup-node" {
            return;
        }
        let Some((_, manager, span)) = u.input("cache") else {
            return;
        };
        let wanted: &[&str] = match manager.as_str() {
            "npm" => &["package-lock.json", "npm-shrinkwrap.json", "yarn.lock"],
            "yarn" => &["yarn.lock"],
            "pnpm" => &["pnpm-lock.yaml"],
            _ => return,
        };
        let Some(why) = missing(u, ctx, wanted, false) else {
            return;
        };
        out.push(point_finding(
            ctx,
            self.id(),
            None,
            format!("`cache: {manager}` will fail with `Dependencies lock file is not found`: {why}"),
            (span.clone(), "caching needs a lockfile"),
            Vec::new(),
            "commit the lockfile at the repository root, point `cache-dependency-path:` at it, or drop `cache:`; and check out the repository first".to_string(),
            None,
        ));
    }
}
