//! Shared by the rules on deprecated action versions: is this `uses:` one that GitHub fails?

use super::point_finding;
use crate::lint::checkpoint::{Context, RefKind, Uses};
use crate::lint::facts::{actions, Version};
use crate::report::{Edit, Finding, Fix, Severity};

/// The version a `uses:` stands for: its tag, the comment after its SHA, or a known SHA.
fn version_of(u: &Uses<'_>, action: &str) -> Option<Version> {
    if let Some(v) = &u.version {
        return Some(v.clone());
    }
    if u.kind != RefKind::Sha {
        return None;
    }
    let known = actions().shas.get(&u.git_ref.to_ascii_lowercase())?;
    (known.action == action).then(|| Version::parse(&known.version))?
}

/// A finding when `u` is one of `names` (exact action ids) at a version GitHub fails.
pub(super) fn deprecated_use(
    rule: &'static str,
    names: &[&str],
    u: &Uses<'_>,
    ctx: &Context,
    out: &mut Vec<Finding>,
) {
    if ctx.ghes || !names.contains(&u.action.as_str()) {
        return;
    }
    let facts = actions();
    // `actions/cache/restore` follows `actions/cache`.
    let base = u
        .action
        .splitn(3, '/')
        .take(2)
        .collect::<Vec<_>>()
        .join("/");
    let direct = facts.deprecated.iter().find(|d| d.action == base);
    let composite = facts.composites.iter().find(|c| c.action == u.action);
    let Some(version) = version_of(u, &base) else {
        return; // a branch, or a SHA faultline cannot date: say nothing
    };
    let (fixed, message) = if let Some(d) = direct.filter(|d| d.fails(&version)) {
        let when = if ctx.today >= d.since {
            format!("GitHub fails the job at \"Set up job\" since {}", d.since)
        } else {
            format!(
                "GitHub will fail the job at \"Set up job\" from {}",
                d.since
            )
        };
        (
            d.fixed.clone(),
            format!(
                "`{}@{}` is a deprecated version of `{base}`: {when}, before any step runs ({})",
                u.action, u.git_ref, d.source
            ),
        )
    } else if let Some(c) = composite.filter(|c| c.fails(&version)) {
        (
            c.fixed.clone(),
            format!(
                "`{}@{}` calls `{}` itself, which GitHub fails at \"Set up job\" ({})",
                u.action, u.git_ref, c.calls, c.source
            ),
        )
    } else {
        return;
    };
    let severity = direct
        .filter(|d| d.fails(&version) && ctx.today < d.since)
        .map(|_| Severity::Warning);
    // A tag moves to the fixed major; a pinned SHA is the user's choice of pin: no mechanical fix.
    let fix = (u.kind == RefKind::Tag).then(|| Fix {
        description: format!("use `{}@{fixed}`", u.action),
        edits: vec![Edit {
            span: u.ref_span.clone(),
            replacement: fixed.clone(),
        }],
        safe: true,
    });
    out.push(point_finding(
        ctx,
        rule,
        severity,
        message,
        (u.span.clone(), "this version"),
        Vec::new(),
        format!("use `{}@{fixed}` (or a commit SHA of it)", u.action),
        fix,
    ));
}
