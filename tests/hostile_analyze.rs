//! `faultline analyze` on hostile and unusual logs, run as users run it: the real binary, the log
//! streamed through stdin as it is generated (nothing big is written to disk), under a memory
//! limit. Each case asserts the exit code and the diagnosis; a generous hang guard stops a run that
//! would never end, but no test measures speed (scripts/bench-analyze.sh does).
//!
//! The limit is on the data segment (`prlimit --data`, RLIMIT_DATA: heap, anonymous mappings and
//! thread stacks), which tracks what the process really allocates; an address-space limit would
//! mostly count the reservations of the allocator's per-thread arenas.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What the process may allocate (issue 10: under 64 MB on any log). Before the dense-log fix, a
/// 1.3 MB dense log took 830 MB; with the 186-playbook catalog, compiling every signal up front
/// took 95 MB before the first line was read, and a dense log with non-ASCII text 148 MB. Signals
/// now compile when first needed, and the scan's lazy-DFA caches share one budget.
const DATA_LIMIT: u64 = 64 << 20;
/// Hang guard: far above what any case takes, even in a debug build on a loaded machine.
const GUARD: Duration = Duration::from_secs(300);

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Run `faultline analyze - --format json --top 1000` under the memory limit, feeding it what
/// `feed` writes.
fn analyze_stream(
    feed: impl FnOnce(&mut dyn Write) -> std::io::Result<()> + Send + 'static,
) -> Run {
    let prlimit = Path::new("/usr/bin/prlimit");
    let bin = env!("CARGO_BIN_EXE_faultline");
    let mut cmd = if prlimit.exists() {
        let mut c = Command::new(prlimit);
        c.arg(format!("--data={DATA_LIMIT}")).arg(bin);
        c
    } else {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg(format!(
                "ulimit -d {}; exec \"$0\" \"$@\"",
                DATA_LIMIT >> 10
            ))
            .arg(bin);
        c
    };
    let mut child = cmd
        .args(["analyze", "-", "--format", "json", "--top", "1000"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the faultline binary runs");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let writer = std::thread::spawn(move || {
        let mut out = std::io::BufWriter::with_capacity(1 << 20, &mut stdin);
        feed(&mut out).and_then(|()| out.flush())
    });
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).map(|_| s)
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut s).map(|_| s)
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > GUARD {
            let _ = child.kill();
            panic!("faultline still running after {GUARD:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let fed = writer.join().expect("writer thread");
    let run = Run {
        code: status.code(),
        stdout: out_reader.join().expect("reader").unwrap_or_default(),
        stderr: err_reader.join().expect("reader").unwrap_or_default(),
    };
    assert!(fed.is_ok(), "faultline stopped reading: {}", run.stderr);
    run
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(Path::new("tests/fixtures/analyze").join(path)).expect("fixture")
}

/// The playbook ids of the diagnoses, best first.
fn diagnoses(run: &Run) -> Vec<String> {
    assert_eq!(run.code, Some(0), "exit code; stderr: {}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON output");
    json["diagnoses"]
        .as_array()
        .expect("diagnoses")
        .iter()
        .map(|d| d["playbook"].as_str().expect("playbook").to_string())
        .collect()
}

/// Every failure the fixtures hold, one after the other, repeated to 16 MB: a log dense with
/// error lines of every kind. The matcher used to fall back to a slow engine on such lines and
/// take 830 MB for 1.3 MB of them.
#[test]
fn dense_log_in_bounded_memory() {
    let failures = all_match_fixtures();
    let run = analyze_stream(move |out| {
        let mut written = 0;
        while written < 16 << 20 {
            out.write_all(&failures)?;
            written += failures.len();
        }
        Ok(())
    });
    let found = diagnoses(&run);
    for id in [
        "python-externally-managed",
        "cargo-compile-error",
        "go-test-failure",
    ] {
        assert!(found.iter().any(|f| f == id), "{id} missing from {found:?}");
    }
}

/// Every match fixture of every playbook, in path order, each ending in a newline.
fn all_match_fixtures() -> Vec<u8> {
    let mut failures = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir("tests/fixtures/analyze")
        .expect("fixtures")
        .flatten()
        .map(|e| e.path().join("match"))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let mut logs: Vec<_> = std::fs::read_dir(dir)
            .expect("match dir")
            .flatten()
            .collect();
        logs.sort_by_key(|e| e.path());
        for log in logs {
            failures.extend(std::fs::read(log.path()).expect("fixture"));
            failures.push(b'\n');
        }
    }
    assert!(
        failures.len() > 100_000,
        "fixtures: {} bytes",
        failures.len()
    );
    failures
}

/// The same failures with non-ASCII text on every line (as pip's `×` and `╰─>` lines have): each
/// signal a line's literals point to is then checked in its exact Unicode form too, a second
/// lazy DFA per signal. Memory stays bounded, and the diagnoses are those of the ASCII log.
#[test]
fn dense_non_ascii_log_in_bounded_memory() {
    let failures = all_match_fixtures();
    let mut marked = Vec::with_capacity(failures.len() * 2);
    for line in failures.split_inclusive(|&b| b == b'\n') {
        marked.extend_from_slice("\u{d7} \u{2502} ".as_bytes());
        marked.extend_from_slice(line);
    }
    let plain = failures.clone();
    let run = analyze_stream(move |out| {
        let mut written = 0;
        while written < 8 << 20 {
            out.write_all(&marked)?;
            written += marked.len();
        }
        Ok(())
    });
    let reference = analyze_stream(move |out| out.write_all(&plain));
    let mut found = diagnoses(&run);
    let mut want = diagnoses(&reference);
    found.sort();
    want.sort();
    assert_eq!(found, want);
    assert!(found.len() > 100, "diagnoses: {}", found.len());
}

/// A 200 MB log on one line (no newline at all), then the failure.
#[test]
fn single_line_of_200_mb() {
    let pip = fixture("python-externally-managed/match/gha-container-bookworm-ansi.log");
    let run = analyze_stream(move |out| {
        let block = [b'x'; 1 << 20];
        for _ in 0..200 {
            out.write_all(&block)?;
        }
        out.write_all(b"\n")?;
        out.write_all(&pip)
    });
    assert_eq!(
        diagnoses(&run).first().map(String::as_str),
        Some("python-externally-managed")
    );
}

/// 6 MB of GitLab sections that are never closed, each followed by the end of a section that is
/// not open (quadratic before: 51 s for 5.6 MB), then the failure.
#[test]
fn unclosed_gitlab_sections() {
    let pip = fixture("python-externally-managed/match/gitlab-uv-system-crlf.log");
    let run = analyze_stream(move |out| {
        for i in 0..100_000 {
            write!(
                out,
                "\x1b[0Ksection_start:1700000000:s{i}\r\x1b[0K\x1b[0Ksection_end:1700000000:t{i}\r\x1b[0K\n"
            )?;
        }
        out.write_all(&pip)
    });
    assert_eq!(
        diagnoses(&run).first().map(String::as_str),
        Some("python-externally-managed")
    );
}

/// 60 MB of `##[group]` steps (every title used to be kept: 2 GB of them aborted), then the
/// failure.
#[test]
fn endless_group_titles() {
    let pip = fixture("python-externally-managed/match/gha-container-bookworm-ansi.log");
    let run = analyze_stream(move |out| {
        let title = "t".repeat(200);
        for i in 0..280_000 {
            writeln!(
                out,
                "2024-05-01T12:00:00.0000000Z ##[group]Run step {i} {title}"
            )?;
        }
        out.write_all(&pip)
    });
    assert_eq!(
        diagnoses(&run).first().map(String::as_str),
        Some("python-externally-managed")
    );
}
