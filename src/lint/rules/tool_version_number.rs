//! A setup action's version written as a YAML number whose string differs (`3.10` → `3.1`).

use super::{point_finding, Rule};
use crate::lint::checkpoint::{Checkpoint, Context};
use crate::lint::source::yaml::Style;
use crate::report::{Edit, Finding, Fix, Label, Severity};

pub struct ToolVersionNumber;

/// How GitHub's runner turns a plain scalar into the string an action receives: YAML 1.2 core
/// schema (`YamlObjectReader.cs`), then `double.ToString("G15")` (`NumberToken.cs`). `None`: the
/// scalar is not a number, or reads back as written.
pub fn github_number_string(written: &str) -> Option<String> {
    let s = written.trim();
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    if !mantissa_ok || !exponent_ok || (!mantissa.contains('.') && exponent.is_none()) {
        return None; // an integer reads back as written; not a number at all is a string
    }
    let value: f64 = s.parse().ok()?;
    // Rust's shortest round-trip form equals G15 for the short decimals versions are.
    let shown = format!("{value}");
    (shown != s).then_some(shown)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RunnerOs {
    Linux,
    MacOs,
    Windows,
}

fn runner_os(labels: &[String]) -> Option<RunnerOs> {
    labels.iter().find_map(|l| {
        let l = l.to_ascii_lowercase();
        if l.starts_with("ubuntu-") {
            Some(RunnerOs::Linux)
        } else if l.starts_with("macos-") {
            Some(RunnerOs::MacOs)
        } else if l.starts_with("windows-") {
            Some(RunnerOs::Windows)
        } else {
            None
        }
    })
}

impl Rule for ToolVersionNumber {
    fn id(&self) -> &'static str {
        "tool-version-number"
    }

    fn yaml(&self) -> &'static str {
        include_str!("../../../rules/tool-version-number.yaml")
    }

    fn check_point(&self, cp: &Checkpoint<'_>, ctx: &Context, out: &mut Vec<Finding>) {
        let Checkpoint::ToolVersion(tv) = cp else {
            return;
        };
        if tv.style != Style::Plain {
            return;
        }
        let Some(becomes) = github_number_string(&tv.written) else {
            return;
        };
        let os = runner_os(&tv.labels);
        let what = format!(
            "`{}: {}` is a YAML number: GitHub passes `{}` to `{}`",
            tv.input, tv.written, becomes, tv.action
        );
        let (severity, outcome) = match tv.action.as_str() {
            "actions/setup-python" if !becomes.contains('.') => (
                Severity::Info,
                format!("which means the newest Python {becomes}.x, probably not what was meant"),
            ),
            "actions/setup-python" => match os {
                Some(RunnerOs::Windows) => (
                    Severity::Warning,
                    format!("which on Windows quietly installs an ancient Python {becomes}.x (the manifest has it), and the build breaks later"),
                ),
                Some(_) => (
                    Severity::Error,
                    format!("which fails: `The version '{becomes}' with architecture … was not found`"),
                ),
                None => (
                    Severity::Warning,
                    format!("which fails on Linux and macOS (`The version '{becomes}' … was not found`) and installs an ancient Python on Windows"),
                ),
            },
            "actions/setup-go" => (
                Severity::Warning,
                format!("which quietly installs go{becomes} and the build fails later"),
            ),
            _ => (
                Severity::Warning,
                format!("which quietly installs version {becomes} instead"),
            ),
        };
        let related = tv
            .via
            .clone()
            .map(|(input, span)| Label {
                span,
                message: format!("`{input}` takes its value from here"),
            })
            .into_iter()
            .collect();
        let quoted = format!("'{}'", tv.written);
        out.push(point_finding(
            ctx,
            self.id(),
            Some(severity),
            format!("{what}, {outcome}"),
            (tv.span.clone(), "a number, not a string"),
            related,
            format!("quote it: `{quoted}`"),
            Some(Fix {
                description: format!("quote `{}`", tv.written),
                edits: vec![Edit {
                    span: tv.span.clone(),
                    replacement: quoted,
                }],
                safe: true,
            }),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::github_number_string as g;

    #[test]
    fn numbers_read_back_as_github_prints_them() {
        assert_eq!(g("3.10").as_deref(), Some("3.1"));
        assert_eq!(g("3.20").as_deref(), Some("3.2"));
        assert_eq!(g("3.0").as_deref(), Some("3"));
        assert_eq!(g("1.20").as_deref(), Some("1.2"));
        assert_eq!(g("20.10").as_deref(), Some("20.1"));
        assert_eq!(g("11.0").as_deref(), Some("11"));
        assert_eq!(g("3.9"), None);
        assert_eq!(g("3.11"), None);
        assert_eq!(g("1.21"), None);
        assert_eq!(g("3"), None);
        assert_eq!(g("3.10.1"), None);
        assert_eq!(g("3.10.x"), None);
        assert_eq!(g(">=3.10"), None);
        assert_eq!(g("3.10-dev"), None);
        assert_eq!(g("pypy3.10"), None);
    }
}
