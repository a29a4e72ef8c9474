//! `npm ci` where the repository has no `package-lock.json` / `npm-shrinkwrap.json` beside the
//! `package.json` it uses (ci-failures.md §H, row H4): npm stops with code EUSAGE.

use super::{finding, Rule};
use crate::lint::checkpoint::RepoTree;
use crate::lint::command::PyCmd;
use crate::lint::env::Site;
use crate::report::Finding;

pub struct NpmCiWithoutLockfile;

const LOCKFILES: &[&str] = &["package-lock.json", "npm-shrinkwrap.json"];

impl Rule for NpmCiWithoutLockfile {
    fn id(&self) -> &'static str {
        "npm-ci-without-lockfile"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/npm-ci-without-lockfile.yaml")
    }

    fn check(&self, site: &Site<'_>, out: &mut Vec<Finding>) {
        let PyCmd::NpmCi { prefix } = site.py else {
            return;
        };
        let st = site.state;
        // The workspace must be this repository, and nothing may have made a lockfile since.
        if st.workspace_repo != Some(true)
            || st.lockfile_written.is_some()
            || st.opaque_script.is_some()
            || site.shell.sourced.is_some()
        {
            return;
        }
        let (Some(cwd), Some(root)) = (&site.cwd, site.root) else {
            return;
        };
        let dir = match prefix {
            None => cwd.clone(),
            Some(None) => return,
            Some(Some(p)) if p.starts_with('/') => return,
            Some(Some(p)) => match join(cwd, p) {
                Some(d) => d,
                None => return,
            },
        };
        let repo = RepoTree::of(root);
        if !repo.known() {
            return;
        }
        let at = |name: &str| {
            if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            }
        };
        // No package.json there: another failure (or a project an earlier step generates).
        if !repo.at_root(&at("package.json")) {
            return;
        }
        // A lockfile here, or in a folder above (the root of npm workspaces): fine.
        let mut d = Some(dir.as_str());
        while let Some(cur) = d {
            let has = LOCKFILES.iter().any(|l| {
                repo.at_root(&if cur.is_empty() {
                    l.to_string()
                } else {
                    format!("{cur}/{l}")
                })
            });
            if has {
                return;
            }
            d = if cur.is_empty() {
                None
            } else {
                Some(cur.rsplit_once('/').map_or("", |(parent, _)| parent))
            };
        }
        let manifest = at("package.json");
        let message = format!(
            "`npm ci` will fail with ``The `npm ci` command can only install with an existing package-lock.json``: the repository has no `package-lock.json` or `npm-shrinkwrap.json` beside `{manifest}` (nor in a folder above it){}",
            site.scope.note
        );
        out.push(finding(
            site,
            self.id(),
            None,
            message,
            "installs only from a lockfile",
            Vec::new(),
            format!("commit the lockfile (`npm install` writes `{}`), or use `npm install` where no lockfile is wanted", at("package-lock.json")),
        ));
    }
}

/// `base/rel` with `.` and `..` resolved; `None` above the root.
fn join(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}
