//! Shared by the setup-node and setup-python cache rules: is the file the action looks for there?

use crate::lint::checkpoint::{Context, Uses};

/// Why the cache step will fail, or `None`.
pub(super) fn missing(
    u: &Uses<'_>,
    ctx: &Context,
    wanted: &[&str],
    anywhere: bool,
) -> Option<String> {
    if u.input("cache-dependency-path").is_some() || !ctx.repo.known() {
        return None; // a path of the user's choosing, or a tree too big to list: say nothing
    }
    if u.job.is_none() || u.after_other_checkout {
        // A composite action runs in its caller's workspace, checked out by the caller; another
        // repository or a `path:` checkout puts something else at the root: say nothing.
        return None;
    }
    if !u.after_checkout {
        return Some(
            "no `actions/checkout` step runs before it, so the repository is not there yet"
                .to_string(),
        );
    }
    if u.after_run {
        return None; // an earlier step may generate the file
    }
    let found = wanted.iter().any(|w| {
        if anywhere {
            ctx.repo.anywhere(w)
        } else {
            ctx.repo.at_root(w)
        }
    });
    (!found).then(|| {
        let names: Vec<String> = wanted.iter().map(|w| format!("`{w}`")).collect();
        format!(
            "the repository has no {} {}",
            names.join(" or "),
            if anywhere { "anywhere" } else { "at its root" }
        )
    })
}
