//! A setup action's version written as a YAML number whose string differs (`3.10` → `3.1`).

use super::{point_finding, Rule};
use crate::lint::checkpoint::{Checkpoint, Context, GitlabJob, VersionUseKind};
use crate::lint::source::yaml::Style;
use crate::report::{Edit, Finding, Fix, Severity};

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

/// How GitLab turns a plain scalar into a variable's string: Ruby's Psych types it with its YAML
/// 1.1 scanner (`Psych::ScalarScanner#tokenize`), then `Entry::Variable` calls `to_s`. `None`:
/// not a number (a string, a boolean, a date, …), or it reads back as written. Psych's floats
/// need a dot (`1e3` stays a string) and a signed exponent; its integers take `0` octal, `0x`,
/// `0b`, `_` and `,` (`010` → `8`, `1_000` → `1000`); `Float#to_s` keeps one decimal (`3.0` stays
/// `3.0`, `3.10` → `3.1`, `3.` → `3.0`).
pub fn gitlab_number_string(text: &str) -> Option<String> {
    let s = text;
    if s.is_empty() || s.contains('\n') || psych_string_like(s) {
        return None;
    }
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let negative = s.starts_with('-');
    // Sexagesimal integers (`1:20`): Psych's arithmetic, kept as is.
    if let Some(v) = psych_sexagesimal_int(s) {
        let shown = v.to_string();
        return (shown != s).then_some(shown);
    }
    if s.contains(':') {
        return None; // times, symbols, base-60 floats: not versions
    }
    // FLOAT = /^[-+]?([0-9][0-9_,]*)?\.[0-9]*([eE][-+][0-9]+)?$/
    let float = {
        let (int, rest) = body.split_at(body.find('.').unwrap_or(body.len()));
        let int_ok = int.is_empty()
            || (int.as_bytes()[0].is_ascii_digit()
                && int
                    .bytes()
                    .all(|c| c.is_ascii_digit() || c == b'_' || c == b','));
        let rest_ok = rest.strip_prefix('.').is_some_and(|r| {
            let (frac, exp) = r.split_at(r.find(['e', 'E']).unwrap_or(r.len()));
            frac.bytes().all(|c| c.is_ascii_digit())
                && (exp.is_empty()
                    || exp[1..]
                        .strip_prefix(['-', '+'])
                        .is_some_and(|d| !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit())))
        });
        int_ok && rest_ok
    };
    if float {
        if body == "." {
            return None;
        }
        let cleaned: String = s.chars().filter(|c| *c != ',' && *c != '_').collect();
        // `gsub(/\.([Ee]|$)/, '\1')`: a dot before the exponent or at the end goes.
        let cleaned = cleaned
            .replace(".e", "e")
            .replace(".E", "E")
            .trim_end_matches('.')
            .to_string();
        let value: f64 = cleaned.parse().ok()?;
        let shown = ruby_float_to_s(value)?;
        return (shown != s).then_some(shown);
    }
    // INTEGER_LEGACY: 0b…, 0[0-7_,]+, decimal with `_`/`,` between digits, 0x…
    let digits = |t: &str, ok: fn(u8) -> bool| !t.is_empty() && t.bytes().all(ok);
    let value: Option<i128> = if let Some(bin) = body.strip_prefix("0b") {
        digits(bin, |c| matches!(c, b'0' | b'1' | b'_' | b','))
            .then(|| i128::from_str_radix(&bin.replace(['_', ','], ""), 2).ok())
            .flatten()
    } else if let Some(hex) = body.strip_prefix("0x") {
        digits(hex, |c| c.is_ascii_hexdigit() || c == b'_' || c == b',')
            .then(|| i128::from_str_radix(&hex.replace(['_', ','], ""), 16).ok())
            .flatten()
    } else if body.len() > 1 && body.starts_with('0') {
        digits(&body[1..], |c| matches!(c, b'0'..=b'7' | b'_' | b','))
            .then(|| {
                let oct = body[1..].replace(['_', ','], "");
                if oct.is_empty() {
                    Some(0)
                } else {
                    i128::from_str_radix(&oct, 8).ok()
                }
            })
            .flatten()
    } else {
        let ok = body == "0"
            || (body
                .as_bytes()
                .first()
                .is_some_and(|c| (b'1'..=b'9').contains(c))
                && {
                    // [1-9](?:[0-9]|,[0-9]|_[0-9])*
                    let bb = body.as_bytes();
                    let mut i = 1;
                    let mut good = true;
                    while i < bb.len() {
                        if bb[i].is_ascii_digit() {
                            i += 1;
                        } else if matches!(bb[i], b',' | b'_')
                            && bb.get(i + 1).is_some_and(u8::is_ascii_digit)
                        {
                            i += 2;
                        } else {
                            good = false;
                            break;
                        }
                    }
                    good
                });
        ok.then(|| body.replace(['_', ','], "").parse().ok())
            .flatten()
    };
    let value = value?;
    let shown = if negative { -value } else { value }.to_string();
    (shown != s).then_some(shown)
}

/// Psych's test for "this is a string" before any number: `^[^\d.:-]?[[:alpha:]_\s!@#$%^&*(){}<>|/\\~;=]+`.
fn psych_string_like(s: &str) -> bool {
    let class = |c: char| {
        c.is_alphabetic() || c == '_' || c.is_whitespace() || "!@#$%^&*(){}<>|/\\~;=".contains(c)
    };
    let mut chars = s.chars();
    let Some(c0) = chars.next() else {
        return false;
    };
    if class(c0) {
        return true;
    }
    !(c0.is_ascii_digit() || matches!(c0, '.' | ':' | '-')) && chars.next().is_some_and(class)
}

/// `^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}$` as Psych computes it (`n * 60 ** (e - 2).abs`).
fn psych_sexagesimal_int(s: &str) -> Option<i128> {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let parts: Vec<&str> = body.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let first = parts[0];
    if !first.as_bytes().first()?.is_ascii_digit()
        || !first.bytes().all(|c| c.is_ascii_digit() || c == b'_')
    {
        return None;
    }
    for p in &parts[1..] {
        let ok = match p.as_bytes() {
            [d] => d.is_ascii_digit(),
            [a, d] => (b'0'..=b'5').contains(a) && d.is_ascii_digit(),
            _ => false,
        };
        if !ok {
            return None;
        }
    }
    let mut total: i128 = 0;
    for (e, p) in parts.iter().enumerate() {
        let n: i128 = p.replace('_', "").parse().ok()?;
        total += n * 60i128.pow((e as i32 - 2).unsigned_abs());
    }
    Some(if s.starts_with('-') { -total } else { total })
}

/// Ruby's `Float#to_s`: the shortest digits that read back; fixed notation with at least one
/// decimal when the decimal point falls within 16 digits (`3.0`, `1500.0`, `0.0001`), else
/// `1.0e+16` / `1.0e-05`.
fn ruby_float_to_s(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    if f == 0.0 {
        return Some(if f.is_sign_negative() { "-0.0" } else { "0.0" }.to_string());
    }
    let sci = format!("{:e}", f.abs()); // `3.1e0`, `1e16`
    let (mant, exp) = sci.split_once('e')?;
    let exp: i32 = exp.parse().ok()?;
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    let decpt = exp + 1;
    let sign = if f < 0.0 { "-" } else { "" };
    let n = digits.len() as i32;
    let body = if decpt > 0 && decpt <= 16 {
        if n <= decpt {
            format!("{digits}{}.0", "0".repeat((decpt - n) as usize))
        } else {
            format!(
                "{}.{}",
                &digits[..decpt as usize],
                &digits[decpt as usize..]
            )
        }
    } else if decpt <= 0 && decpt > -4 {
        format!("0.{}{digits}", "0".repeat((-decpt) as usize))
    } else {
        let rest = if digits.len() > 1 { &digits[1..] } else { "0" };
        let e = decpt - 1;
        format!(
            "{}.{rest}e{}{:02}",
            &digits[..1],
            if e < 0 { '-' } else { '+' },
            e.abs()
        )
    };
    Some(format!("{sign}{body}"))
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
        if let Checkpoint::GitlabJob(job) = cp {
            return gitlab_variables(self.id(), job, ctx, out);
        }
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
        let related = tv.via_labels();
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

/// GitLab `variables:` whose plain number GitLab turns into another string (A5), where the job
/// uses them as a version or an image tag: one finding per variable, on its value when it is in
/// this file (with the quoting fix), else on the first use in this file.
fn gitlab_variables(rule: &'static str, job: &GitlabJob, ctx: &Context, out: &mut Vec<Finding>) {
    let mut done: Vec<&str> = Vec::new();
    for u in &job.version_uses {
        if done.contains(&u.variable.as_str()) {
            continue;
        }
        let Some(var) = job.variable(&u.variable) else {
            continue;
        };
        let Some(value) = &var.value else { continue };
        if value.style != Style::Plain || value.tagged || value.null {
            continue;
        }
        let Some(becomes) = gitlab_number_string(&value.text) else {
            continue;
        };
        done.push(&u.variable);
        let uses: Vec<_> = job
            .version_uses
            .iter()
            .filter(|w| w.variable == u.variable)
            .collect();
        let shown = |text: &str| {
            text.replace(&format!("${{{}}}", u.variable), &becomes)
                .replace(&format!("${}", u.variable), &becomes)
        };
        let outcome = match u.kind {
            VersionUseKind::Image => format!(
                "the job's image `{}` becomes `{}`: another image, or none (`manifest unknown`)",
                u.text,
                shown(&u.text)
            ),
            VersionUseKind::Service => format!(
                "the service image `{}` becomes `{}`: another image, or none (`manifest unknown`)",
                u.text,
                shown(&u.text)
            ),
            VersionUseKind::Script => format!(
                "the script's `{}` becomes `{}`: another version, or none",
                u.text,
                shown(&u.text)
            ),
            VersionUseKind::ToolEnv => format!(
                "{} reads it as version `{becomes}`: another version, or none",
                u.text
            ),
        };
        let message = format!(
            "`{}: {}` is a YAML number: GitLab turns it into `{becomes}`, so {outcome}",
            var.name, value.written
        );
        let quoted = format!("'{}'", value.written);
        let first_here = uses.iter().find(|w| w.place.is_in(ctx));
        let (primary, fix) = if value.place.is_in(ctx) {
            let fix = Fix {
                description: format!("quote `{}`", value.written),
                edits: vec![Edit {
                    span: value.place.span.clone(),
                    replacement: quoted.clone(),
                }],
                safe: true,
            };
            (
                (value.place.span.clone(), "a number, not a string"),
                Some(fix),
            )
        } else if let Some(w) = first_here {
            ((w.place.span.clone(), "uses it as a version"), None)
        } else {
            ((job.name_span.clone(), "uses it as a version"), None)
        };
        let mut f = point_finding(
            ctx,
            rule,
            Some(Severity::Warning),
            message,
            (primary.0.clone(), primary.1),
            Vec::new(),
            format!("quote it: `{}: {quoted}`", var.name),
            fix,
        );
        if !value.place.is_in(ctx) {
            value.place.label(ctx, "a number, not a string", &mut f);
        }
        for w in uses.iter().take(3) {
            if w.place.is_in(ctx) && w.place.span == primary.0 {
                continue;
            }
            w.place.label(ctx, "used as a version here", &mut f);
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::github_number_string as g;
    use super::gitlab_number_string as gl;

    #[test]
    fn numbers_read_back_as_gitlab_prints_them() {
        // Floats: Psych reads them, Ruby's `Float#to_s` keeps one decimal.
        assert_eq!(gl("3.10").as_deref(), Some("3.1"));
        assert_eq!(gl("1.20").as_deref(), Some("1.2"));
        assert_eq!(gl("20.10").as_deref(), Some("20.1"));
        assert_eq!(gl("3.00").as_deref(), Some("3.0"));
        assert_eq!(gl("3.").as_deref(), Some("3.0"));
        assert_eq!(gl(".5").as_deref(), Some("0.5"));
        assert_eq!(gl("+3.10").as_deref(), Some("3.1"));
        assert_eq!(gl("-1.50").as_deref(), Some("-1.5"));
        assert_eq!(gl("1.5e+3").as_deref(), Some("1500.0"));
        assert_eq!(gl("1_0.50").as_deref(), Some("10.5"));
        assert_eq!(gl("3.0"), None);
        assert_eq!(gl("11.0"), None);
        assert_eq!(gl("3.9"), None);
        assert_eq!(gl("3.11"), None);
        assert_eq!(gl("0.0001"), None);
        // Psych's floats need a dot and a signed exponent: these stay strings.
        assert_eq!(gl("1e3"), None);
        assert_eq!(gl("1.5e3"), None);
        // Integers: octal with a leading zero, `_` and `,` separators, hex and binary.
        assert_eq!(gl("010").as_deref(), Some("8"));
        assert_eq!(gl("007").as_deref(), Some("7"));
        assert_eq!(gl("1_000").as_deref(), Some("1000"));
        assert_eq!(gl("1,000").as_deref(), Some("1000"));
        assert_eq!(gl("0x1F").as_deref(), Some("31"));
        assert_eq!(gl("0b11").as_deref(), Some("3"));
        assert_eq!(gl("08"), None); // not octal: a string
        assert_eq!(gl("18"), None);
        assert_eq!(gl("0"), None);
        // Base 60, as Psych computes it.
        assert_eq!(gl("1:20:30").as_deref(), Some("4830"));
        // Not numbers.
        assert_eq!(gl("3.10.1"), None);
        assert_eq!(gl("3.10-slim"), None);
        assert_eq!(gl("v3.10"), None);
        assert_eq!(gl(">=3.10"), None);
        assert_eq!(gl("latest"), None);
        assert_eq!(gl("2024-01-01"), None);
        assert_eq!(gl(".inf"), None);
        assert_eq!(gl(""), None);
    }

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
