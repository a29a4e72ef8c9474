//! Line normalisation: removes what CI systems add around a tool's output, so that one signal
//! matches whether the log came from a terminal, GitHub Actions, GitLab or BuildKit, and reports the
//! structural markers it removed (step starts, errors, sections, BuildKit steps).
//!
//! Removed, in this order: ANSI escape sequences (CSI, OSC and other ESC sequences); the
//! `job<TAB>step<TAB>` prefix of `gh run view --log`; timestamps (`2024-05-01T12:34:56.1234567Z `,
//! plus GitLab's `00O ` stream tag); GitLab `section_start:<ts>:<name>\r` / `section_end` markers;
//! GitHub `##[group]`, `##[endgroup]`, `##[error]`, `##[warning]`… markers; BuildKit's
//! `#12 0.587 ` / `#12 ` prefixes; carriage returns.
//!
//! Every line takes the fast path (a copy) unless it holds an ESC or CR byte or starts with one of
//! the prefixes, which keeps normalisation far below the cost of matching.

use memchr::{memchr, memchr2};

/// A structural marker found (and removed) while normalising a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker {
    /// `##[group]<title>`: GitHub prints `##[group]Run <command>` at the start of each step.
    GhGroup(String),
    /// `##[error]`: an error annotation (the failing step prints `##[error]Process completed…`).
    GhError,
    /// `##[warning]`: a warning annotation. Passing jobs print them too (an upload-artifact step
    /// that found no files), so evidence on such a line alone is weak.
    GhWarning,
    /// The step name column of `gh run view --log` / `--log-failed` output.
    LogStep(String),
    /// GitLab `section_start:<ts>:<name>`.
    SectionStart(String),
    /// GitLab `section_end:<ts>:<name>`.
    SectionEnd(String),
}

/// What one line carried besides its text.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LineMeta {
    /// The BuildKit step number (`#12`), or 0.
    pub vertex: u32,
    /// True when the BuildKit prefix had a timestamp (`#12 0.587 `): the line is the step's
    /// output, not a status line (`#12 [2/5] RUN …`, `#12 ERROR: …`, `#12 DONE 0.1s`).
    pub vertex_output: bool,
}

/// Append the normalised text of `raw` (one line, without its `\n`) to `out`, and push the markers
/// it held onto `markers`. `scratch` is reused between calls.
pub fn normalize_line(
    raw: &[u8],
    out: &mut Vec<u8>,
    scratch: &mut Vec<u8>,
    markers: &mut Vec<Marker>,
) -> LineMeta {
    let mut meta = LineMeta::default();
    let special = memchr2(0x1b, b'\r', raw).is_some();
    let mut s: &[u8] = raw;
    if special {
        scratch.clear();
        strip_ansi(raw, scratch, true);
        s = scratch.as_slice();
    }

    // `gh run view --log`: `<job>\t<step>\t<timestamp> text`. Job and step names hold no tab.
    if let Some(t1) = memchr(b'\t', &s[..s.len().min(512)]) {
        if let Some(t2) = memchr(b'\t', &s[t1 + 1..]).map(|p| p + t1 + 1) {
            if timestamp_len(&s[t2 + 1..]).is_some() {
                markers.push(Marker::LogStep(
                    String::from_utf8_lossy(&s[t1 + 1..t2]).into_owned(),
                ));
                s = &s[t2 + 1..];
            }
        }
    }
    if let Some(n) = timestamp_len(s) {
        s = &s[n..];
        s = strip_gitlab_stream(s);
    }
    if special {
        // GitLab: `section_start:1700000000:step_script[collapsed=true]\r\e[0K`; the ESC sequence
        // is gone already, and an end and a start often share one line.
        while let Some((marker, rest)) = section_marker(s) {
            markers.push(marker);
            s = rest;
        }
    }
    if s.starts_with(b"##[") {
        if let Some(close) = memchr(b']', &s[..s.len().min(24)]) {
            let tag = &s[3..close];
            let rest = &s[close + 1..];
            match tag {
                b"group" => markers.push(Marker::GhGroup(
                    String::from_utf8_lossy(trim_cr(rest)).into_owned(),
                )),
                b"error" => markers.push(Marker::GhError),
                b"warning" => markers.push(Marker::GhWarning),
                _ => {}
            }
            s = rest;
        }
    }
    if s.first() == Some(&b'#') {
        if let Some((vertex, timed, n)) = buildkit_prefix(s) {
            meta = LineMeta {
                vertex,
                vertex_output: timed,
            };
            s = &s[n..];
        }
    }
    if special {
        out.extend(s.iter().copied().filter(|&b| b != b'\r'));
    } else {
        out.extend_from_slice(s);
    }
    meta
}

fn trim_cr(s: &[u8]) -> &[u8] {
    match memchr(b'\r', s) {
        Some(p) => &s[..p],
        None => s,
    }
}

/// Remove ANSI escape sequences from `s` into `out`; drop `\r` too unless `keep_cr`. Copies the
/// runs between sequences in bulk.
pub fn strip_ansi(s: &[u8], out: &mut Vec<u8>, keep_cr: bool) {
    let mut i = 0;
    while i < s.len() {
        let next = if keep_cr {
            memchr(0x1b, &s[i..])
        } else {
            memchr2(0x1b, b'\r', &s[i..])
        };
        let Some(p) = next else {
            out.extend_from_slice(&s[i..]);
            return;
        };
        out.extend_from_slice(&s[i..i + p]);
        let j = i + p;
        i = if s[j] == 0x1b {
            skip_escape(s, j)
        } else {
            j + 1
        };
    }
}

/// The index just past the escape sequence starting at `s[i] == ESC`.
fn skip_escape(s: &[u8], i: usize) -> usize {
    let Some(&kind) = s.get(i + 1) else {
        return i + 1;
    };
    match kind {
        // CSI: parameters 0x30–0x3F, intermediates 0x20–0x2F, one final byte 0x40–0x7E.
        b'[' => {
            let mut j = i + 2;
            while j < s.len() && (0x20..=0x3f).contains(&s[j]) {
                j += 1;
            }
            if j < s.len() && (0x40..=0x7e).contains(&s[j]) {
                j + 1
            } else {
                j
            }
        }
        // OSC (hyperlinks, titles), DCS, SOS, PM, APC: up to BEL or ST (`ESC \`).
        b']' | b'P' | b'X' | b'^' | b'_' => {
            let mut j = i + 2;
            while j < s.len() {
                if s[j] == 0x07 {
                    return j + 1;
                }
                if s[j] == 0x1b {
                    return if s.get(j + 1) == Some(&b'\\') {
                        j + 2
                    } else {
                        j
                    };
                }
                j += 1;
            }
            j
        }
        // Character set selection `ESC ( B` and friends take one more byte.
        b'(' | b')' | b'*' | b'+' => (i + 3).min(s.len()),
        _ => i + 2,
    }
}

/// Length of a leading `YYYY-MM-DDTHH:MM:SS[.fraction][Z] ` timestamp, space included.
pub fn timestamp_len(s: &[u8]) -> Option<usize> {
    if s.len() < 20 {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| s[r].iter().all(u8::is_ascii_digit);
    let shape = digits(0..4)
        && s[4] == b'-'
        && digits(5..7)
        && s[7] == b'-'
        && digits(8..10)
        && s[10] == b'T'
        && digits(11..13)
        && s[13] == b':'
        && digits(14..16)
        && s[16] == b':'
        && digits(17..19);
    if !shape {
        return None;
    }
    let mut i = 19;
    if s.get(i) == Some(&b'.') {
        i += 1;
        while s.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    if s.get(i) == Some(&b'Z') {
        i += 1;
    }
    match s.get(i) {
        Some(b' ') => Some(i + 1),
        None => Some(i),
        _ => None,
    }
}

/// GitLab's timestamped logs put a stream tag after the time: `00O `, `01E `, `00O+`.
fn strip_gitlab_stream(s: &[u8]) -> &[u8] {
    if s.len() >= 4
        && s[0].is_ascii_hexdigit()
        && s[1].is_ascii_hexdigit()
        && matches!(s[2], b'O' | b'E')
    {
        let mut i = 3;
        if s.get(i) == Some(&b'+') {
            i += 1;
        }
        if s.get(i) == Some(&b' ') {
            return &s[i + 1..];
        }
        if i == s.len() {
            return &s[i..];
        }
    }
    s
}

/// `section_start:<digits>:<name>[options]\r` (or `section_end:`), and the text after the `\r`.
fn section_marker(s: &[u8]) -> Option<(Marker, &[u8])> {
    let (start, rest) = if let Some(r) = s.strip_prefix(b"section_start:") {
        (true, r)
    } else {
        (false, s.strip_prefix(b"section_end:")?)
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || rest.get(digits) != Some(&b':') {
        return None;
    }
    let rest = &rest[digits + 1..];
    let cr = memchr(b'\r', rest)?;
    let field = &rest[..cr];
    let name_len = field.iter().take_while(|&&b| b != b'[').count();
    let name = String::from_utf8_lossy(&field[..name_len]).into_owned();
    let marker = if start {
        Marker::SectionStart(name)
    } else {
        Marker::SectionEnd(name)
    };
    Some((marker, &rest[cr + 1..]))
}

/// BuildKit plain progress: `#12 0.587 text` (step output) or `#12 text` (status). Returns the
/// step number, whether a time was present, and the prefix length.
fn buildkit_prefix(s: &[u8]) -> Option<(u32, bool, usize)> {
    let digits = s[1..].iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 9 {
        return None;
    }
    let vertex: u32 = std::str::from_utf8(&s[1..1 + digits]).ok()?.parse().ok()?;
    let mut i = 1 + digits;
    match s.get(i) {
        Some(b' ') => i += 1,
        None => return Some((vertex, false, i)),
        _ => return None,
    }
    // A time: digits, a dot, digits, then a space (or the end of the line).
    let t = &s[i..];
    let int = t.iter().take_while(|b| b.is_ascii_digit()).count();
    if int > 0 && t.get(int) == Some(&b'.') {
        let frac = t[int + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let end = int + 1 + frac;
        if frac > 0 {
            match t.get(end) {
                Some(b' ') => return Some((vertex, true, i + end + 1)),
                None => return Some((vertex, true, i + end)),
                _ => {}
            }
        }
    }
    Some((vertex, false, i))
}

/// The text of a line for people: ANSI sequences and `\r` removed, invalid UTF-8 replaced, and
/// cut to `max` characters.
pub fn display_text(raw: &[u8], max: usize) -> String {
    let mut buf = Vec::with_capacity(raw.len());
    strip_ansi(raw, &mut buf, false);
    let text = String::from_utf8_lossy(&buf);
    if text.chars().count() <= max {
        return text.into_owned();
    }
    let mut cut: String = text.chars().take(max).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(raw: &str) -> (String, Vec<Marker>, LineMeta) {
        let mut out = Vec::new();
        let mut scratch = Vec::new();
        let mut markers = Vec::new();
        let meta = normalize_line(raw.as_bytes(), &mut out, &mut scratch, &mut markers);
        (String::from_utf8(out).expect("utf8"), markers, meta)
    }

    #[test]
    fn normalises_ci_prefixes() {
        // (input, normalised text)
        let cases = [
            ("plain text", "plain text"),
            (
                "\x1b[1;31merror\x1b[0m: \x1b[1mexternally-managed-environment\x1b[0m",
                "error: externally-managed-environment",
            ),
            ("2024-05-01T12:34:56.1234567Z error: boom", "error: boom"),
            (
                "2024-05-01T12:34:56Z ##[error]Process completed with exit code 1.",
                "Process completed with exit code 1.",
            ),
            (
                "#12 0.587 error: externally-managed-environment",
                "error: externally-managed-environment",
            ),
            (
                "#12 ERROR: process \"/bin/sh -c pip install\" did not complete",
                "ERROR: process \"/bin/sh -c pip install\" did not complete",
            ),
            ("line with crlf\r", "line with crlf"),
            ("\x1b]8;;http://x\x07link\x1b]8;;\x07 text", "link text"),
            (
                "\x1b[0Ksection_start:1700000000:step_script\r\x1b[0KExecuting \"step_script\"",
                "Executing \"step_script\"",
            ),
            (
                "build\tRun tests\t2024-05-01T12:34:56.1234567Z FAILED test_x",
                "FAILED test_x",
            ),
            (
                "2024-05-01T12:34:56.123456Z 00O Running with gitlab-runner",
                "Running with gitlab-runner",
            ),
            (
                "2024-05-01T12:34:56.1234567Z #5 1.204 Collecting flask",
                "Collecting flask",
            ),
            (
                "#1 [internal] load build definition from Dockerfile",
                "[internal] load build definition from Dockerfile",
            ),
            ("#hashtag stays", "#hashtag stays"),
            ("2024-05-01 not a timestamp", "2024-05-01 not a timestamp"),
        ];
        for (raw, want) in cases {
            assert_eq!(norm(raw).0, want, "input {raw:?}");
        }
    }

    #[test]
    fn reports_markers() {
        let (_, m, _) = norm("2024-05-01T12:34:56.1234567Z ##[group]Run pip install flask");
        assert_eq!(m, vec![Marker::GhGroup("Run pip install flask".into())]);
        let (t, m, _) = norm("\x1b[0Ksection_end:1:get_sources\r\x1b[0K\x1b[0Ksection_start:2:step_script[collapsed=true]\r\x1b[0Kgo");
        assert_eq!(t, "go");
        assert_eq!(
            m,
            vec![
                Marker::SectionEnd("get_sources".into()),
                Marker::SectionStart("step_script".into())
            ]
        );
        let (_, _, meta) = norm("#7 0.5 x");
        assert_eq!(
            meta,
            LineMeta {
                vertex: 7,
                vertex_output: true
            }
        );
        let (_, m, _) = norm(
            "job\tRun tests\t2024-05-01T12:34:56.1Z ##[error]Process completed with exit code 1.",
        );
        assert_eq!(
            m,
            vec![Marker::LogStep("Run tests".into()), Marker::GhError]
        );
    }

    #[test]
    fn display_text_strips_and_cuts() {
        assert_eq!(display_text(b"\x1b[31mred\x1b[0m\r", 10), "red");
        assert_eq!(display_text(b"abcdef", 3), "abc…");
        assert_eq!(display_text(b"bad \xff byte", 20), "bad \u{fffd} byte");
    }
}
