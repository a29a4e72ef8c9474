//! `actions/setup-node` with `cache:` and no lockfile at the repository root, or before checkout
//! (ci-failures.md §H2): `Dependencies lock file is not found`. From setup-node v5 the cache is on
//! without `cache:` when the root `package.json` names npm as its `packageManager`.

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
        let (manager, span, automatic) = match u.input("cache") {
            Some((_, manager, span)) => (manager.as_str(), span.clone(), false),
            None => match automatic_npm_cache(u, ctx) {
                Some(()) => ("npm", u.span.clone(), true),
                None => return,
            },
        };
        let wanted: &[&str] = match manager {
            "npm" => &["package-lock.json", "npm-shrinkwrap.json", "yarn.lock"],
            "yarn" => &["yarn.lock"],
            "pnpm" => &["pnpm-lock.yaml"],
            _ => return,
        };
        let Some(why) = missing(u, ctx, wanted, false) else {
            return;
        };
        if automatic {
            out.push(point_finding(
                ctx,
                self.id(),
                None,
                format!("setup-node v5+ caches npm by itself here (`package.json` names npm as its `packageManager`) and will fail with `Dependencies lock file is not found`: {why}"),
                (span, "npm caching is on without `cache:`"),
                Vec::new(),
                "commit `package-lock.json` at the repository root, point `cache-dependency-path:` at it, or set `package-manager-cache: false`".to_string(),
                None,
            ));
            return;
        }
        out.push(point_finding(
            ctx,
            self.id(),
            None,
            format!("`cache: {manager}` will fail with `Dependencies lock file is not found`: {why}"),
            (span, "caching needs a lockfile"),
            Vec::new(),
            "commit the lockfile at the repository root, point `cache-dependency-path:` at it, or drop `cache:`; and check out the repository first".to_string(),
            None,
        ));
    }
}

/// setup-node v5 and later turn npm caching on without `cache:` when the workspace's
/// `package.json` names npm in `packageManager` or `devEngines.packageManager` (setup-node #1348,
/// ci-failures.md §H2), unless `package-manager-cache: false`. Before checkout there is no
/// `package.json` in the workspace, so nothing is cached and nothing fails.
fn automatic_npm_cache(u: &crate::lint::checkpoint::Uses<'_>, ctx: &Context) -> Option<()> {
    let major = u.version.as_ref()?.0.first().copied()?;
    if major < 5 || !u.after_checkout {
        return None;
    }
    if u.input("package-manager-cache")
        .is_some_and(|(_, v, _)| v.trim() == "false")
    {
        return None;
    }
    (ctx.repo.known() && ctx.repo.package_manager() == Some("npm")).then_some(())
}
