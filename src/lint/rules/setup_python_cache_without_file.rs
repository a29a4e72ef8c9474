//! `actions/setup-python` with `cache:` and none of the files it hashes, or before checkout
//! (ci-failures.md §H3): `No file in … matched to [**/requirements.txt or **/pyproject.toml]`.

use super::setup_cache_lockfile::missing;
use super::{point_finding, Rule};
use crate::lint::checkpoint::{Checkpoint, Context};
use crate::report::Finding;

pub struct SetupPythonCacheWithoutFile;

impl Rule for SetupPythonCacheWithoutFile {
    fn id(&self) -> &'static str {
        "setup-python-cache-without-file"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/setup-python-cache-without-file.yaml")
    }

    fn check_point(&self, cp: &Checkpoint<'_>, ctx: &Context, out: &mut Vec<Finding>) {
        let Checkpoint::Uses(u) = cp else { return };
        if u.action != "actions/setup-python" {
            return;
        }
        let Some((_, manager, span)) = u.input("cache") else {
            return;
        };
        let wanted: &[&str] = match manager.as_str() {
            "pip" => &["requirements.txt", "pyproject.toml"],
            "pipenv" => &["Pipfile.lock"],
            "poetry" => &["poetry.lock"],
            _ => return,
        };
        let Some(why) = missing(u, ctx, wanted, true) else {
            return;
        };
        out.push(point_finding(
            ctx,
            self.id(),
            None,
            format!("`cache: {manager}` will fail with `No file in … matched to [{}]`: {why}", wanted.iter().map(|w| format!("**/{w}")).collect::<Vec<_>>().join(" or ")),
            (span.clone(), "caching needs these files"),
            Vec::new(),
            "point `cache-dependency-path:` at the file that lists the dependencies, or drop `cache:`; and check out the repository first".to_string(),
            None,
        ));
    }
}
