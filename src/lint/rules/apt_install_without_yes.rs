//! `apt-get install` without `-y` where nothing answers apt's prompt: a Dockerfile, a job
//! container, a GitLab image. Not a hosted Ubuntu runner's own shell: its image sets
//! `APT::Get::Assume-Yes` (ci-failures.md §E1, correction of 2026-12-03).

use super::{finding, platform_label, quote, Rule};
use crate::lint::command::PyCmd;
use crate::lint::env::Site;
use crate::report::{Edit, Finding, Fix};

pub struct AptInstallWithoutYes;

/// Whether apt's arguments answer or silence the prompt: `-y`, `--yes`, `--assume-yes`,
/// `--force-yes`, `-qq`, `-q=2`, `-q -q`, or a combined short flag holding `y` (`-qy`).
pub fn assumes_yes(args: &[&str]) -> bool {
    let mut quiet = 0;
    for a in args {
        match *a {
            "--yes" | "--assume-yes" | "--force-yes" | "-q=2" | "--quiet=2" => return true,
            "-q" | "--quiet" => quiet += 1,
            _ if a.starts_with('-') && !a.starts_with("--") => {
                let flags = &a[1..];
                if flags.contains('y') || flags.matches('q').count() >= 2 {
                    return true;
                }
                quiet += flags.matches('q').count();
            }
            _ => {}
        }
    }
    quiet >= 2
}

impl Rule for AptInstallWithoutYes {
    fn id(&self) -> &'static str {
        "apt-install-without-yes"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/apt-install-without-yes.yaml")
    }

    fn check(&self, site: &Site<'_>, out: &mut Vec<Finding>) {
        let PyCmd::PkgInstall { manager, .. } = site.py else {
            return;
        };
        if manager != "apt" || site.cmd.in_pipeline || site.state.apt_assume_yes.is_some() {
            return; // `yes | apt-get install …`, or apt configured to assume yes
        }
        let Some(platform) = &site.scope.platform else {
            return; // an image we do not know may configure apt: say nothing
        };
        if platform.runner || !platform.facts.os.is_debian_like() {
            return;
        }
        let words: Vec<&str> = site.cmd.words.iter().map(|w| w.text.as_str()).collect();
        if words.first().is_some_and(|p| p.ends_with("aptitude")) || assumes_yes(&words[1..]) {
            return;
        }
        // `-y` goes right after the `install` word, where the file holds it as written.
        let file = &site.scope.file.text;
        let fix = site
            .cmd
            .words
            .iter()
            .skip(1)
            .find(|w| w.text == "install" && !w.quoted && !w.dynamic)
            .map(|w| (site.to_file)(&w.span))
            .filter(|span| file.get(span.clone()) == Some("install"))
            .map(|span| Fix {
                description: "add `-y`".to_string(),
                edits: vec![Edit {
                    span: span.end..span.end,
                    replacement: " -y".to_string(),
                }],
                safe: true,
            });
        let message = format!(
            "`{}` will stop at `Do you want to continue? [Y/n] Abort.` (exit 1): nothing answers apt's prompt in {}{}",
            quote(site),
            platform.describe,
            site.scope.note
        );
        let mut f = finding(
            site,
            self.id(),
            None,
            message,
            "asks before installing dependencies",
            platform_label(site, "no one answers apt here")
                .into_iter()
                .collect(),
            "add `-y` (`apt-get install -y --no-install-recommends …`)".to_string(),
        );
        f.fix = fix;
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::assumes_yes;

    #[test]
    fn flags_that_answer_the_prompt() {
        for yes in [
            &["install", "-y", "x"][..],
            &["-yq", "install", "x"],
            &["install", "--yes", "x"],
            &["install", "--assume-yes", "x"],
            &["-qq", "install", "x"],
            &["-q", "-q", "install", "x"],
            &["-q=2", "install", "x"],
            &["install", "--force-yes", "x"],
        ] {
            assert!(assumes_yes(yes), "{yes:?}");
        }
        for no in [
            &["install", "x"][..],
            &["-q", "install", "x"],
            &["install", "--no-install-recommends", "x"],
        ] {
            assert!(!assumes_yes(no), "{no:?}");
        }
    }
}
