//! Landmarks the ranking and the "no diagnosis" report need besides playbook signals, found in
//! the same pass over the normalised text, with bounded memory:
//!
//! - **error lines**: the last [`ERROR_LINES_KEPT`] lines that read like a failure (`error`,
//!   `failed`, `fatal`, `exception`, `panic`, `denied`, `not found`, `exit code`, ...), so that a
//!   log no playbook explains still shows where it broke;
//! - **retry lines**: lines saying a step is retrying (`Retrying`, `retry 2/5`, `attempt 2 of 3`,
//!   `will retry`, and the GitHub Actions toolkit's `Waiting 10 seconds before trying again`), so
//!   that an error a retry recovered from counts for less.
//!
//! Both regexes run over a whole normalised chunk at once (one search with a literal prefilter),
//! not line by line.

use std::collections::VecDeque;
use std::sync::OnceLock;

use regex::bytes::Regex;

/// Error lines kept (the last ones of the log); the report shows the failing step's last few.
pub const ERROR_LINES_KEPT: usize = 64;
/// Retry lines kept: the first and the last half of this many (a log retrying on every line must
/// not grow memory; the middle ones are dropped, which only means less discounting).
const RETRIES_KEPT: usize = 4096;

/// A line that reads like a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorLine {
    pub line: u64,
    /// The step (index into `ScanOutcome::steps`, plus one), or 0.
    pub step: u32,
    /// The BuildKit step number, or 0.
    pub vertex: u32,
    /// The input line, ANSI and `\r` removed.
    pub text: String,
}

/// A line that says the job is retrying something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryLine {
    pub line: u64,
    pub step: u32,
    pub vertex: u32,
}

#[derive(Debug, Clone, Default)]
pub struct Landmarks {
    /// The last error lines of the log, in line order.
    pub errors: VecDeque<ErrorLine>,
    /// Retry lines, in line order (the first and the last `RETRIES_KEPT / 2`).
    pub retries: Vec<RetryLine>,
    retries_tail: VecDeque<RetryLine>,
}

const ERROR: &str = r"(?i)error|\berr!|fail|fatal|exception|panic|traceback|denied|not found|cannot|could not|unable to|exit (?:code|status)|segmentation fault|killed";

fn error_re() -> &'static Lines {
    static RE: OnceLock<Lines> = OnceLock::new();
    RE.get_or_init(|| Lines::new(ERROR))
}

/// Lines that say there was nothing wrong (`0 errors`, `no failures`) despite the words.
fn benign_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)\b(?:0|no|zero) (?:errors?|failures?|failed)\b|\berrors?: 0\b|\bfailed: 0\b",
        )
        .expect("internal error: benign-line regex compiles")
    })
}

const RETRY: &str = r"(?i)\bretrying\b|\bwill retry\b|\bretry(?:ing)? (?:in \d|after \d|attempt|#?\d+\s*(?:/|of)\s*\d+)|\battempt #?\d+\s*(?:/|of)\s*\d+|\bbefore trying again\b|\btrying again in \d";

fn retry_re() -> &'static Lines {
    static RE: OnceLock<Lines> = OnceLock::new();
    RE.get_or_init(|| Lines::new(RETRY))
}

/// A regex searched over a whole chunk for the lines it matches. Its Unicode word boundaries make
/// the lazy DFA give up at the first non-ASCII byte, and the fallback engine (the PikeVM) then
/// scans the rest of the chunk, 10-30x slower: on a log with non-ASCII text on every line it took
/// most of the reading thread. So the chunk is searched with ASCII word boundaries instead (every
/// `\b` here sits next to an ASCII letter or digit of the match, where an ASCII boundary holds
/// whenever the Unicode one does: the same lines and more), and a line with non-ASCII text, the
/// only kind where the two can differ, is checked with the exact regex.
struct Lines {
    fast: Regex,
    exact: Regex,
}

impl Lines {
    fn new(pattern: &str) -> Lines {
        let compile = |p: &str| Regex::new(p).expect("internal error: landmark regex compiles");
        Lines {
            fast: compile(&pattern.replace(r"\b", r"(?-u:\b)")),
            exact: compile(pattern),
        }
    }

    /// The index of each line of `chunk` the exact regex matches, in order.
    fn lines<'c>(&'c self, chunk: &'c ChunkView<'_>) -> impl Iterator<Item = usize> + 'c {
        let mut pos = 0;
        std::iter::from_fn(move || loop {
            let m = self.fast.find_at(chunk.norm, pos)?;
            let li = chunk
                .norm_starts
                .partition_point(|&s| (s as usize) <= m.start())
                - 1;
            pos = chunk.norm_starts[li + 1] as usize;
            let start = chunk.norm_starts[li] as usize;
            let text = &chunk.norm[start..pos.saturating_sub(1).max(start)];
            if text.is_ascii() || self.exact.is_match(text) {
                return Some(li);
            }
        })
    }
}

/// Lines that say the retries ran out: not a recovery.
fn gave_up_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)giving up|gave up|retries exhausted|exhausted|max(?:imum)? retries|no more retries|after \d+ (?:attempts|retries)")
            .expect("internal error: gave-up regex compiles")
    })
}

/// One chunk of normalised lines, as the scan hands it over.
pub struct ChunkView<'a> {
    /// The normalised lines, each ending in `\n`.
    pub norm: &'a [u8],
    /// Start of each line in `norm`, plus `norm.len()` at the end.
    pub norm_starts: &'a [u32],
    /// (line index, step, BuildKit step) whenever either changes; the first entry is at index 0.
    pub spans: &'a [(u32, u32, u32)],
    pub first_line_no: u64,
}

impl Landmarks {
    /// Record the error and retry lines of one chunk. `display(i)` gives the input text of the
    /// chunk's line `i`, for people.
    pub fn observe(&mut self, chunk: &ChunkView<'_>, display: impl Fn(usize) -> String) {
        let span_of =
            |li: usize| chunk.spans[chunk.spans.partition_point(|s| s.0 as usize <= li) - 1];
        let line_text = |li: usize| {
            let s = chunk.norm_starts[li] as usize;
            let e = (chunk.norm_starts[li + 1] as usize)
                .saturating_sub(1)
                .max(s);
            &chunk.norm[s..e]
        };

        for li in retry_re().lines(chunk) {
            if !gave_up_re().is_match(line_text(li)) {
                let (_, step, vertex) = span_of(li);
                self.push_retry(RetryLine {
                    line: chunk.first_line_no + li as u64,
                    step,
                    vertex,
                });
            }
        }

        // Only the last `ERROR_LINES_KEPT` of the chunk can survive; find them from the end.
        let mut found: VecDeque<usize> = VecDeque::new();
        for li in error_re().lines(chunk) {
            if !benign_re().is_match(line_text(li)) {
                if found.len() == ERROR_LINES_KEPT {
                    found.pop_front();
                }
                found.push_back(li);
            }
        }
        for li in found {
            let (_, step, vertex) = span_of(li);
            if self.errors.len() == ERROR_LINES_KEPT {
                self.errors.pop_front();
            }
            self.errors.push_back(ErrorLine {
                line: chunk.first_line_no + li as u64,
                step,
                vertex,
                text: display(li),
            });
        }
    }

    fn push_retry(&mut self, r: RetryLine) {
        if self.retries.len() < RETRIES_KEPT / 2 {
            self.retries.push(r);
        } else {
            if self.retries_tail.len() == RETRIES_KEPT / 2 {
                self.retries_tail.pop_front();
            }
            self.retries_tail.push_back(r);
        }
    }

    /// Done reading: the retry lines in one list.
    pub fn finish(&mut self) {
        self.retries.extend(self.retries_tail.drain(..));
    }

    /// The first retry line after `line` and at most `within` lines after it, in the same step.
    pub fn retry_after(&self, line: u64, step: u32, vertex: u32, within: u64) -> Option<u64> {
        let i = self.retries.partition_point(|r| r.line <= line);
        self.retries[i..]
            .iter()
            .take_while(|r| r.line <= line + within)
            .find(|r| r.step == step && r.vertex == vertex)
            .map(|r| r.line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observe(text: &str) -> Landmarks {
        let mut norm = Vec::new();
        let mut starts = Vec::new();
        for l in text.lines() {
            starts.push(norm.len() as u32);
            norm.extend_from_slice(l.as_bytes());
            norm.push(b'\n');
        }
        starts.push(norm.len() as u32);
        let lines: Vec<&str> = text.lines().collect();
        let mut lm = Landmarks::default();
        lm.observe(
            &ChunkView {
                norm: &norm,
                norm_starts: &starts,
                spans: &[(0, 0, 0)],
                first_line_no: 1,
            },
            |i| lines[i].to_string(),
        );
        lm.finish();
        lm
    }

    #[test]
    fn error_lines_skip_benign_counts() {
        let lm = observe(
            "ok\nerror: boom\n0 errors, 2 warnings\nnpm ERR! code E404\nFAILED tests/a.py\n",
        );
        let lines: Vec<u64> = lm.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![2, 4, 5]);
        assert_eq!(lm.errors[1].text, "npm ERR! code E404");
    }

    #[test]
    fn retry_lines_but_not_giving_up() {
        let lm = observe(
            "x\nRetrying in 5 seconds\nattempt 2 of 3\nretry 3/5\nGiving up after 3 attempts, retrying is pointless\nWaiting 10 seconds before trying again\nPlease try again later\n",
        );
        let lines: Vec<u64> = lm.retries.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![2, 3, 4, 6]);
        assert_eq!(lm.retry_after(1, 0, 0, 5), Some(2));
        assert_eq!(lm.retry_after(6, 0, 0, 5), None);
    }

    /// Word boundaries are Unicode ones, on lines with non-ASCII text too: `é` is a letter, so
    /// `éerr!` and `éretrying` are not the words `err!` and `retrying`; `×` is not one.
    #[test]
    fn word_boundaries_next_to_non_ascii_letters() {
        let lm = observe(
            "\u{e9}err! x\n\u{d7} err! x\n\u{e9}retrying now\n\u{2500} retrying now\nattempt 2 of 3 \u{2713}\nboom: \u{c9}CHEC, fail\n",
        );
        let errors: Vec<u64> = lm.errors.iter().map(|e| e.line).collect();
        assert_eq!(errors, vec![2, 6]);
        let retries: Vec<u64> = lm.retries.iter().map(|r| r.line).collect();
        assert_eq!(retries, vec![4, 5]);
    }

    #[test]
    fn memory_stays_bounded_on_a_log_of_errors_and_retries() {
        let text = "error: boom, retrying in 1s\n".repeat(20_000);
        let lm = observe(&text);
        assert_eq!(lm.errors.len(), ERROR_LINES_KEPT);
        assert_eq!(lm.errors.back().map(|e| e.line), Some(20_000));
        assert_eq!(lm.retries.len(), RETRIES_KEPT);
        assert_eq!(lm.retries.first().map(|r| r.line), Some(1));
        assert_eq!(lm.retries.last().map(|r| r.line), Some(20_000));
    }
}
