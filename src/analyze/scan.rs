//! The streaming pass: reads a log in fixed-size chunks (memory stays bounded whatever the size),
//! normalises each line, runs the catalog's combined regex over the normalised chunk to jump from
//! candidate line to candidate line, and keeps a bounded sample of evidence per signal.
//!
//! It also follows the log's structure: GitHub Actions steps (`##[group]Run …`, or the step column
//! of `gh run view --log`), GitLab sections, BuildKit steps, and where the job failed
//! (`##[error]`, `ERROR: Job failed`, `#12 ERROR:`), so scoring can prefer evidence from the failing
//! step.
//!
//! Two stages run as a pipeline: this thread reads, splits and normalises chunk N+1 (and follows
//! the structure) while a second thread matches chunk N. Normalising and matching cost about the
//! same, so a second core nearly doubles throughput. At most three chunks exist at a time.

use std::collections::{HashMap, VecDeque};
use std::io::{self, Read};
use std::sync::{mpsc, Arc};

use memchr::{memchr_iter, memrchr};

use super::landmarks::{ChunkView, Landmarks};
use super::matcher::{MatchCache, Matcher};
use super::normalize::{display_text, normalize_line, LineMeta, Marker};
use crate::playbook::load::SignalKind;

/// Bytes read per chunk. Lines longer than this are matched in pieces (with the same line number).
const CHUNK: usize = 512 << 10;
/// Evidence kept per signal: the first few and the last few hits.
const KEEP_FIRST: usize = 3;
const KEEP_LAST: usize = 3;
/// Longest evidence or context text kept, in characters.
const TEXT_MAX: usize = 400;
/// Steps kept: the most recent ones (and the ones an error was reported in). A log of endless
/// `##[group]` steps or GitLab sections stays in bounded memory.
const STEPS_KEPT: usize = 1000;
/// GitLab sections open at once; past that, the oldest open one is taken as ended.
const OPEN_SECTIONS_MAX: usize = 256;
/// Longest step name kept, in characters.
const STEP_NAME_MAX: usize = 200;

/// One matching line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// 1-based line number in the input.
    pub line: u64,
    /// The number of the step the line belongs to (1 for the log's first step); 0 for none.
    pub step: u32,
    /// The BuildKit step number of the line, or 0.
    pub vertex: u32,
    /// The input line with ANSI sequences and `\r` removed.
    pub text: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// The line is a GitHub `##[warning]` annotation.
    pub warning: bool,
}

/// The hits of one signal.
#[derive(Debug, Clone, Default)]
pub struct SignalHits {
    /// How many lines matched (after `none` vetoes).
    pub count: u64,
    pub first: Vec<Hit>,
    pub last: VecDeque<Hit>,
    /// Hits a `none` signal vetoed (the first few): kept so the playbook can still be shown,
    /// ranked below the others, rather than vanish.
    pub vetoed: Vec<Hit>,
    /// How many lines were vetoed.
    pub vetoed_count: u64,
}

impl SignalHits {
    pub fn hits(&self) -> impl Iterator<Item = &Hit> {
        self.first.iter().chain(self.last.iter())
    }

    fn all_hits_mut(&mut self) -> impl Iterator<Item = &mut Hit> {
        self.first
            .iter_mut()
            .chain(self.last.iter_mut())
            .chain(self.vetoed.iter_mut())
    }

    fn push(&mut self, hit: Hit) {
        self.count += 1;
        if self.first.len() < KEEP_FIRST {
            self.first.push(hit);
        } else {
            if self.last.len() == KEEP_LAST {
                self.last.pop_front();
            }
            self.last.push_back(hit);
        }
    }

    fn push_vetoed(&mut self, hit: Hit) {
        self.vetoed_count += 1;
        if self.vetoed.len() < KEEP_FIRST + KEEP_LAST {
            self.vetoed.push(hit);
        }
    }

    /// Move the hits at or after line `from` to the vetoed ones (a `none` signal matched near).
    fn veto_from(&mut self, from: u64) {
        let mut moved = Vec::new();
        self.first.retain(|h| {
            let keep = h.line < from;
            if !keep {
                moved.push(h.clone());
            }
            keep
        });
        self.last.retain(|h| {
            let keep = h.line < from;
            if !keep {
                moved.push(h.clone());
            }
            keep
        });
        self.count = self.count.saturating_sub(moved.len() as u64);
        for h in moved {
            self.push_vetoed(h);
        }
    }
}

/// Where a step came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    GithubActions,
    Gitlab,
    Buildkit,
}

impl StepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::GithubActions => "github-actions",
            StepKind::Gitlab => "gitlab",
            StepKind::Buildkit => "buildkit",
        }
    }
}

/// A step or section of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub kind: StepKind,
    pub name: String,
    pub start_line: u64,
    pub end_line: u64,
}

/// The step the job failed in, and the line that says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailingStep {
    pub step: Step,
    pub error_line: u64,
    /// The step's number (GitHub/GitLab, as in `Hit::step`), or 0 for a BuildKit step.
    pub step_index: u32,
    /// The BuildKit step number, or 0.
    pub vertex: u32,
}

/// Everything the pass learnt about the log.
#[derive(Debug, Clone, Default)]
pub struct ScanOutcome {
    pub lines: u64,
    pub bytes: u64,
    /// The last `STEPS_KEPT` steps of the log, in order, and any older step an error was
    /// reported in.
    pub steps: Vec<Step>,
    pub failing: Option<FailingStep>,
    /// The log says the job succeeded (GitLab's `Job succeeded`), or is a GitHub Actions job log
    /// without any `##[error]`.
    pub succeeded: bool,
    /// Per compiled pattern (`Matcher::pats`); `none` patterns stay empty.
    pub signals: Vec<SignalHits>,
    /// The last error lines and the retry lines.
    pub landmarks: Landmarks,
}

#[derive(Debug, Clone, Default)]
struct VertexInfo {
    name: String,
    first_line: u64,
    last_line: u64,
}

/// One chunk of whole lines on its way from the reading stage to the matching stage.
#[derive(Debug, Default)]
struct Chunk {
    /// The input bytes.
    raw: Vec<u8>,
    /// The normalised lines, each ending in `\n`.
    norm: Vec<u8>,
    /// Start of each line in `norm`, plus `norm.len()` at the end.
    norm_starts: Vec<u32>,
    /// Start of each line in `raw` (past a UTF-8 BOM on the first line).
    raw_starts: Vec<u32>,
    /// (line index, step, BuildKit step) whenever either changes; the first entry is at index 0.
    spans: Vec<(u32, u32, u32)>,
    /// Indices of the lines that carried a GitHub `##[warning]` marker, ascending.
    warning_lines: Vec<u32>,
    first_line_no: u64,
    nlines: u32,
}

impl Chunk {
    /// The input text of line `i` of the chunk, for people.
    fn display(&self, i: usize) -> String {
        let start = self.raw_starts[i] as usize;
        let end = if i + 1 < self.nlines as usize {
            self.raw_starts[i + 1] as usize - 1
        } else if self.raw.last() == Some(&b'\n') {
            self.raw.len() - 1
        } else {
            self.raw.len()
        };
        display_text(&self.raw[start..end.max(start)], TEXT_MAX)
    }
}

/// The reading stage: splits and normalises lines, and follows the log's structure.
struct Structure {
    next_line: u64,
    /// The previous chunk ended inside a line.
    continuing: bool,
    lines: u64,
    bytes: u64,
    steps: StepLog,
    succeeded: bool,
    cur_step: u32,
    log_step_name: Option<String>,
    sections: Sections,
    first_error: Option<(u64, u32)>,
    /// The runner's last line of a job log was seen.
    github_job_end: bool,
    exit_error: Option<(u64, u32)>,
    gitlab_failed: Option<u64>,
    vertices: Vec<VertexInfo>,
    failing_vertex: Option<(u32, u64)>,
    scratch: Vec<u8>,
    markers: Vec<Marker>,
    landmarks: Landmarks,
}

/// The collecting stage: keeps the evidence of the lines the finders found, in order.
struct Collector<'m> {
    matcher: &'m Matcher,
    signals: Vec<SignalHits>,
    /// Per playbook: the last line a `none` signal matched.
    last_none: Vec<Option<u64>>,
    /// Text of the previous chunk's last line (context for a hit on a chunk's first line).
    prev_last_line: Option<String>,
    /// Hits on a chunk's last line, waiting for the next line as context: (pattern, line).
    pending_after: Vec<(usize, u64)>,
    /// Hits found in the current chunk, waiting for their text: (pattern, line index in chunk).
    fresh: Vec<(usize, u32)>,
}

/// Read `reader` to the end and collect the evidence for every playbook of `matcher`.
///
/// Three stages, each on its own thread: this one reads and normalises chunks and follows the
/// log's structure; [`FINDERS`] finders each find, in every chunk, the lines that match their
/// share of the signals (the costly part: on a log where every line is a candidate, two cores
/// find faster than one); the collector merges what they found and keeps the evidence, chunk
/// after chunk.
pub fn scan<R: Read>(reader: R, matcher: &Matcher) -> io::Result<ScanOutcome> {
    let finders = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, FINDERS));
    scan_with(reader, matcher, finders)
}

/// At most this many finder threads. They share the signals, so the DFAs' memory stays that
/// of one; each also looks for every literal, work that more finders would repeat.
const FINDERS: usize = 2;

fn scan_with<R: Read>(mut reader: R, matcher: &Matcher, finders: usize) -> io::Result<ScanOutcome> {
    std::thread::scope(|scope| {
        // Per finder: one chunk waiting, one being matched, one result waiting for the
        // collector; and one chunk being filled here: bounded memory.
        let mut to_find = Vec::with_capacity(finders);
        let mut found_rx = Vec::with_capacity(finders);
        let (recycle, recycled) = mpsc::channel::<Chunk>();
        let mut finder_threads = Vec::with_capacity(finders);
        for part in 0..finders {
            let (tx, chunks) = mpsc::sync_channel::<Arc<Chunk>>(1);
            let (found_tx, rx) = mpsc::sync_channel::<(Arc<Chunk>, Found)>(1);
            to_find.push(tx);
            found_rx.push(rx);
            finder_threads.push(stage(scope, move || {
                let mut cache = matcher.take_cache();
                cache.share(part, finders);
                for chunk in chunks {
                    let found = find_lines(matcher, &mut cache, &chunk);
                    if found_tx.send((chunk, found)).is_err() {
                        break; // the collector is gone (it panicked): `join` reports it
                    }
                }
                cache
            })?);
        }
        let collector = stage(scope, move || {
            let mut collector = Collector::new(matcher);
            let mut merged = Found::default();
            'chunks: loop {
                let mut chunk = None;
                merged.clear();
                for rx in &found_rx {
                    let Ok((c, found)) = rx.recv() else {
                        break 'chunks;
                    };
                    merged.merge(&found);
                    chunk = Some(c);
                }
                let Some(chunk) = chunk else { break };
                collector.consume(&chunk, &merged);
                // The finders dropped their references: the chunk's buffers go back to the
                // reading stage (which may have finished already; then they are dropped).
                if let Ok(chunk) = Arc::try_unwrap(chunk) {
                    let _ = recycle.send(chunk);
                }
            }
            collector
        })?;

        let mut structure = Structure::new();
        let read = (|| -> io::Result<()> {
            let mut buf = vec![0u8; CHUNK];
            let mut filled = 0;
            let mut eof = false;
            loop {
                while filled < CHUNK && !eof {
                    match reader.read(&mut buf[filled..]) {
                        Ok(0) => eof = true,
                        Ok(n) => filled += n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                }
                if filled == 0 {
                    return Ok(());
                }
                // Whole lines go on; the tail waits for the next read. A chunk with no newline at
                // all is one piece of a very long line.
                let (upto, partial) = if eof {
                    (filled, false)
                } else {
                    match memrchr(b'\n', &buf[..filled]) {
                        Some(p) => (p + 1, false),
                        None => (filled, true),
                    }
                };
                let mut chunk = recycled.try_recv().unwrap_or_default();
                structure.prepare(&buf[..upto], partial, &mut chunk);
                let chunk = Arc::new(chunk);
                for tx in &to_find {
                    if tx.send(Arc::clone(&chunk)).is_err() {
                        // A later stage is gone (it panicked); `join` below reports it.
                        return Ok(());
                    }
                }
                buf.copy_within(upto..filled, 0);
                filled -= upto;
            }
        })();
        drop(to_find);
        for finder in finder_threads {
            match finder.join() {
                Ok(cache) => matcher.give_back(cache),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        let collector = match collector.join() {
            Ok(c) => c,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        read?;
        Ok(structure.finish(collector.signals))
    })
}

/// A thread of the scan. Nothing in a stage recurses: a small stack (the default is 2 MiB, and
/// thread stacks count against a memory limit) is plenty.
fn stage<'scope, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    f: impl FnOnce() -> T + Send + 'scope,
) -> io::Result<std::thread::ScopedJoinHandle<'scope, T>> {
    std::thread::Builder::new()
        .stack_size(STAGE_STACK)
        .spawn_scoped(scope, f)
        .map_err(|e| io::Error::other(format!("cannot start a thread to scan the log: {e}")))
}

const STAGE_STACK: usize = 256 << 10;

/// The matching lines of one chunk: per line (its index in the chunk), the signals that match
/// it, as a range of `pats`.
#[derive(Debug, Default)]
struct Found {
    lines: Vec<(u32, u32, u32)>,
    pats: Vec<usize>,
}

impl Found {
    fn clear(&mut self) {
        self.lines.clear();
        self.pats.clear();
    }

    /// Add what another finder found in the same chunk: lines stay in order, and each line's
    /// signals in pattern order.
    fn merge(&mut self, other: &Found) {
        if other.lines.is_empty() {
            return;
        }
        let mine = std::mem::take(&mut self.lines);
        let my_pats = std::mem::take(&mut self.pats);
        fn pats_of<'p>(pats: &'p [usize], &(_, start, len): &(u32, u32, u32)) -> &'p [usize] {
            &pats[start as usize..(start + len) as usize]
        }
        let (mut a, mut b) = (0, 0);
        while a < mine.len() || b < other.lines.len() {
            let li_a = mine.get(a).map_or(u32::MAX, |l| l.0);
            let li_b = other.lines.get(b).map_or(u32::MAX, |l| l.0);
            let li = li_a.min(li_b);
            let start = self.pats.len();
            if li_a == li {
                self.pats.extend_from_slice(pats_of(&my_pats, &mine[a]));
                a += 1;
            }
            if li_b == li {
                self.pats
                    .extend_from_slice(pats_of(&other.pats, &other.lines[b]));
                b += 1;
            }
            self.pats[start..].sort_unstable();
            let len = (self.pats.len() - start) as u32;
            self.lines.push((li, start as u32, len));
        }
    }
}

/// Find the candidate lines of the normalised chunk, then run the per-line check on each.
fn find_lines(matcher: &Matcher, cache: &mut MatchCache, chunk: &Chunk) -> Found {
    let mut found = Found::default();
    // A new chunk may reuse the last one's buffer: nothing found there holds here.
    cache.new_haystack();
    let mut pos = 0usize;
    while pos < chunk.norm.len() {
        // Matches never span lines (see `matcher`), so the line of the match's last byte is the
        // line of the match.
        let Some(end) = matcher.next_candidate_end(cache, &chunk.norm, pos) else {
            break;
        };
        let li = chunk.norm_starts.partition_point(|&s| (s as usize) < end) - 1;
        let ls = chunk.norm_starts[li] as usize;
        let le = chunk.norm_starts[li + 1] as usize - 1;
        let start = found.pats.len();
        found
            .pats
            .extend(matcher.which_on(cache, &chunk.norm, ls..le));
        if found.pats.len() > start {
            let len = (found.pats.len() - start) as u32;
            found.lines.push((li as u32, start as u32, len));
        }
        pos = le + 1;
    }
    found
}

/// The steps of the log, numbered from 1 in order of appearance: the last `STEPS_KEPT`, and the
/// older ones pinned because an error was reported in them.
#[derive(Debug, Default)]
struct StepLog {
    recent: VecDeque<Step>,
    /// The number of `recent[0]`, minus one.
    evicted: u32,
    pinned: Vec<(u32, Step)>,
    /// Step numbers to keep when they leave `recent` (at most two: see `Marker::GhError`).
    keep: Vec<u32>,
    any_github: bool,
}

impl StepLog {
    /// Add a step; returns its number.
    fn push(&mut self, step: Step) -> u32 {
        self.any_github |= step.kind == StepKind::GithubActions;
        if self.recent.len() == STEPS_KEPT {
            if let Some(old) = self.recent.pop_front() {
                self.evicted += 1;
                if self.keep.contains(&self.evicted) {
                    self.pinned.push((self.evicted, old));
                }
            }
        }
        self.recent.push_back(step);
        self.evicted.saturating_add(self.recent.len() as u32)
    }

    fn pin(&mut self, number: u32) {
        if number != 0 && !self.keep.contains(&number) {
            self.keep.push(number);
        }
    }

    fn last_mut(&mut self) -> Option<&mut Step> {
        self.recent.back_mut()
    }

    fn get(&self, number: u32) -> Option<&Step> {
        match number.checked_sub(self.evicted + 1) {
            Some(i) => self.recent.get(i as usize),
            None => self.pinned.iter().find(|p| p.0 == number).map(|p| &p.1),
        }
    }

    fn get_mut(&mut self, number: u32) -> Option<&mut Step> {
        match number.checked_sub(self.evicted + 1) {
            Some(i) => self.recent.get_mut(i as usize),
            None => self
                .pinned
                .iter_mut()
                .find(|p| p.0 == number)
                .map(|p| &mut p.1),
        }
    }

    /// Every kept step with its number, in order.
    fn iter(&self) -> impl DoubleEndedIterator<Item = (u32, &Step)> {
        let first = self.evicted + 1;
        self.pinned.iter().map(|(n, s)| (*n, s)).chain(
            self.recent
                .iter()
                .enumerate()
                .map(move |(i, s)| (first + i as u32, s)),
        )
    }

    fn for_each_mut(&mut self, mut f: impl FnMut(&mut Step)) {
        self.pinned.iter_mut().for_each(|p| f(&mut p.1));
        self.recent.iter_mut().for_each(f);
    }

    fn into_vec(self) -> Vec<Step> {
        let mut steps: Vec<Step> = self.pinned.into_iter().map(|p| p.1).collect();
        steps.extend(self.recent);
        steps
    }
}

/// The GitLab sections open at a point of the log, innermost last. Closing one by name finds it
/// through an index, so a log of unclosed sections stays linear; at most `OPEN_SECTIONS_MAX` are
/// open (the oldest is dropped, as if it had ended).
#[derive(Debug, Default)]
struct Sections {
    /// (opening number, step number, name).
    stack: VecDeque<(u64, u32, String)>,
    /// Per name: the opening numbers of its open sections, ascending.
    by_name: HashMap<String, VecDeque<u64>>,
    opened: u64,
}

impl Sections {
    fn open(&mut self, name: &str, step: u32) {
        if self.stack.len() == OPEN_SECTIONS_MAX {
            if let Some((_, _, old)) = self.stack.pop_front() {
                self.forget_oldest(&old);
            }
        }
        self.opened += 1;
        self.by_name
            .entry(name.to_string())
            .or_default()
            .push_back(self.opened);
        self.stack.push_back((self.opened, step, name.to_string()));
    }

    /// Close the innermost open section called `name`, and every section opened inside it;
    /// returns its step number, or `None` when no section of that name is open.
    fn close(&mut self, name: &str) -> Option<u32> {
        let target = *self.by_name.get(name)?.back()?;
        while let Some((opened, step, n)) = self.stack.pop_back() {
            if let Some(list) = self.by_name.get_mut(&n) {
                list.pop_back();
                if list.is_empty() {
                    self.by_name.remove(&n);
                }
            }
            if opened == target {
                return Some(step);
            }
        }
        None
    }

    fn forget_oldest(&mut self, name: &str) {
        if let Some(list) = self.by_name.get_mut(name) {
            list.pop_front();
            if list.is_empty() {
                self.by_name.remove(name);
            }
        }
    }

    /// The step of the innermost open section, or 0.
    fn current(&self) -> u32 {
        self.stack.back().map_or(0, |s| s.1)
    }
}

impl Structure {
    fn new() -> Structure {
        Structure {
            next_line: 1,
            continuing: false,
            lines: 0,
            bytes: 0,
            steps: StepLog::default(),
            succeeded: false,
            cur_step: 0,
            log_step_name: None,
            sections: Sections::default(),
            first_error: None,
            github_job_end: false,
            exit_error: None,
            gitlab_failed: None,
            vertices: Vec::new(),
            failing_vertex: None,
            scratch: Vec::new(),
            markers: Vec::new(),
            landmarks: Landmarks::default(),
        }
    }

    /// Split `block` (whole lines, or a piece of a long line when `ends_mid_line`) into `chunk`.
    fn prepare(&mut self, block: &[u8], ends_mid_line: bool, chunk: &mut Chunk) {
        self.bytes += block.len() as u64;
        chunk.raw.clear();
        chunk.raw.extend_from_slice(block);
        chunk.norm.clear();
        chunk.norm_starts.clear();
        chunk.raw_starts.clear();
        chunk.spans.clear();
        chunk.warning_lines.clear();
        chunk.spans.push((0, self.cur_step, 0));
        let first_line_no = if self.continuing {
            self.next_line - 1
        } else {
            self.next_line
        };

        let mut start = 0usize;
        let mut line_ends = memchr_iter(b'\n', block);
        let mut idx: u32 = 0;
        let mut last_vertex = 0u32;
        loop {
            let end = match line_ends.next() {
                Some(e) => e,
                None if start < block.len() => block.len(),
                None => break,
            };
            let mut raw = &block[start..end];
            let line_no = first_line_no + u64::from(idx);
            let mut raw_start = start;
            if line_no == 1 && idx == 0 && !self.continuing && raw.starts_with(b"\xef\xbb\xbf") {
                raw = &raw[3..];
                raw_start += 3;
            }
            chunk.raw_starts.push(raw_start as u32);
            chunk.norm_starts.push(chunk.norm.len() as u32);
            let norm_from = chunk.norm.len();
            self.markers.clear();
            let meta = if self.continuing && idx == 0 {
                // The rest of a long line: no prefix to strip.
                chunk.norm.extend_from_slice(raw);
                LineMeta::default()
            } else {
                normalize_line(raw, &mut chunk.norm, &mut self.scratch, &mut self.markers)
            };
            let mut gh_error = false;
            if !self.markers.is_empty() {
                let markers = std::mem::take(&mut self.markers);
                for m in &markers {
                    gh_error |= *m == Marker::GhError;
                    if *m == Marker::GhWarning {
                        chunk.warning_lines.push(idx);
                    }
                    self.on_marker(m, line_no);
                }
                self.markers = markers;
            }
            self.on_line_text(&chunk.norm[norm_from..], line_no, meta, gh_error);
            let last = chunk.spans.last().copied().unwrap_or((0, 0, 0));
            if last.1 != self.cur_step || meta.vertex != last_vertex {
                chunk.spans.push((idx, self.cur_step, meta.vertex));
                last_vertex = meta.vertex;
            }
            chunk.norm.push(b'\n');
            idx += 1;
            start = end + 1;
            if end == block.len() {
                break;
            }
        }
        chunk.nlines = idx;
        chunk.first_line_no = first_line_no;
        chunk.norm_starts.push(chunk.norm.len() as u32);
        // After a piece of a long line, the next chunk's first line continues it (see
        // `first_line_no`), so this is right in both cases.
        self.next_line = first_line_no + u64::from(idx);
        self.lines = self.next_line - 1;
        self.continuing = ends_mid_line;

        // Invalid UTF-8 is rare in logs; when present, replace it (U+FFFD) like a lossy decode, so
        // signals see the same text a person does.
        if std::str::from_utf8(&chunk.norm).is_err() {
            let fixed = String::from_utf8_lossy(&chunk.norm)
                .into_owned()
                .into_bytes();
            chunk.norm = fixed;
            chunk.norm_starts.clear();
            chunk.norm_starts.push(0);
            for p in memchr_iter(b'\n', &chunk.norm) {
                chunk.norm_starts.push(p as u32 + 1);
            }
        }
        let view = ChunkView {
            norm: &chunk.norm,
            norm_starts: &chunk.norm_starts,
            spans: &chunk.spans,
            first_line_no: chunk.first_line_no,
        };
        self.landmarks.observe(&view, |i| chunk.display(i));
    }

    fn on_marker(&mut self, marker: &Marker, line_no: u64) {
        match marker {
            Marker::GhGroup(title) => {
                // With `gh run view --log`, the step column already delimits steps.
                if title.starts_with("Run ") && self.log_step_name.is_none() {
                    self.new_step(StepKind::GithubActions, title.clone(), line_no);
                }
            }
            Marker::LogStep(name) => {
                if self.log_step_name.as_deref() != Some(name.as_str()) {
                    self.log_step_name = Some(name.clone());
                    self.new_step(StepKind::GithubActions, name.clone(), line_no);
                }
            }
            Marker::GhError => {
                if self.first_error.is_none() {
                    self.first_error = Some((line_no, self.cur_step));
                    self.steps.pin(self.cur_step);
                }
            }
            // Recorded per line by `prepare`, for the hits.
            Marker::GhWarning => {}
            Marker::SectionStart(name) => {
                self.new_step(StepKind::Gitlab, name.clone(), line_no);
                self.sections.open(name, self.cur_step);
            }
            Marker::SectionEnd(name) => {
                if let Some(step) = self.sections.close(name) {
                    if let Some(s) = self.steps.get_mut(step) {
                        s.end_line = line_no;
                    }
                    self.cur_step = self.sections.current();
                }
            }
        }
    }

    fn new_step(&mut self, kind: StepKind, mut name: String, line_no: u64) {
        // A GitHub step ends where the next one starts; GitLab sections end at their marker.
        if let Some(prev) = self.steps.last_mut() {
            if prev.kind == StepKind::GithubActions && kind == StepKind::GithubActions {
                prev.end_line = line_no.saturating_sub(1).max(prev.start_line);
            }
        }
        if let Some((cut, _)) = name.char_indices().nth(STEP_NAME_MAX) {
            name.truncate(cut);
            name.push('…');
        }
        self.cur_step = self.steps.push(Step {
            kind,
            name,
            start_line: line_no,
            end_line: 0,
        });
    }

    /// Failure and success lines, and BuildKit steps, from the normalised text.
    fn on_line_text(&mut self, text: &[u8], line_no: u64, meta: LineMeta, gh_error: bool) {
        match text.first() {
            Some(b'P')
                if gh_error
                    && self.exit_error.is_none()
                    && text.starts_with(b"Process completed with exit code") =>
            {
                self.exit_error = Some((line_no, self.cur_step));
                self.steps.pin(self.cur_step);
            }
            Some(b'E') if text.starts_with(b"ERROR: Job failed") => {
                self.gitlab_failed.get_or_insert(line_no);
            }
            Some(b'J') if text.starts_with(b"Job succeeded") => self.succeeded = true,
            Some(b'C') if text.starts_with(b"Cleaning up orphan processes") => {
                self.github_job_end = true
            }
            _ => {}
        }
        if meta.vertex != 0 && meta.vertex < 100_000 {
            let v = meta.vertex as usize;
            if self.vertices.len() <= v {
                self.vertices.resize(v + 1, VertexInfo::default());
            }
            let info = &mut self.vertices[v];
            if info.first_line == 0 {
                info.first_line = line_no;
                if !meta.vertex_output {
                    info.name = display_text(text, 120);
                }
            }
            info.last_line = line_no;
            if !meta.vertex_output && text.starts_with(b"ERROR:") && self.failing_vertex.is_none() {
                self.failing_vertex = Some((meta.vertex, line_no));
            }
        }
    }

    fn finish(mut self, signals: Vec<SignalHits>) -> ScanOutcome {
        let total = self.lines;
        self.steps.for_each_mut(|step| {
            if step.end_line == 0 {
                step.end_line = total.max(step.start_line);
            }
        });
        let steps = &self.steps;
        // GitHub: the step of `##[error]Process completed with exit code N`, else of the first
        // `##[error]`. GitLab: the last script section that started before `ERROR: Job failed`
        // (or the last `…_on_success` section after it: the script passed).
        let gh = self
            .exit_error
            .or(self.first_error)
            .filter(|&(_, step)| step != 0);
        let gitlab = self.gitlab_failed.and_then(|line| {
            let before = |s: &&Step| s.kind == StepKind::Gitlab && s.start_line <= line;
            let script = steps.iter().rfind(|(_, s)| {
                before(s) && matches!(s.name.as_str(), "step_script" | "build_script")
            });
            let any = steps.iter().rfind(|(_, s)| before(s));
            // `…_on_success` sections (`upload_artifacts_on_success`) run only after the script
            // passed: the job then failed in the last of them (an artifact upload refused).
            let after_success = steps.iter().rfind(|(_, s)| {
                before(s)
                    && s.name.ends_with("_on_success")
                    && script.is_some_and(|(_, sc)| s.start_line > sc.start_line)
            });
            after_success.or(script).or(any).map(|(i, _)| (line, i))
        });
        let failing = if let Some((line, idx, step)) = gh
            .or(gitlab)
            .and_then(|(line, idx)| Some((line, idx, steps.get(idx)?.clone())))
        {
            Some(FailingStep {
                step,
                error_line: line,
                step_index: idx,
                vertex: self.failing_vertex.map_or(0, |v| v.0),
            })
        } else {
            self.failing_vertex.map(|(v, line)| {
                let info = &self.vertices[v as usize];
                FailingStep {
                    step: Step {
                        kind: StepKind::Buildkit,
                        name: if info.name.is_empty() {
                            format!("#{v}")
                        } else {
                            format!("#{v} {}", info.name)
                        },
                        start_line: info.first_line,
                        end_line: info.last_line,
                    },
                    error_line: line,
                    step_index: 0,
                    vertex: v,
                }
            })
        };
        // A whole GitHub Actions job log (it has `##[group]` steps and the runner's closing
        // `Cleaning up orphan processes`) with no `##[error]` at all is a job that passed: a failed
        // step always ends in `##[error]Process completed with exit code N`. An excerpt (no closing
        // line) may just have lost its error line, so it is not judged.
        let github_passed = self.github_job_end
            && self.steps.any_github
            && self.first_error.is_none()
            && self.exit_error.is_none();
        ScanOutcome {
            lines: self.lines,
            bytes: self.bytes,
            steps: self.steps.into_vec(),
            failing,
            succeeded: self.succeeded || github_passed,
            signals,
            landmarks: {
                self.landmarks.finish();
                self.landmarks
            },
        }
    }
}

impl<'m> Collector<'m> {
    fn new(matcher: &'m Matcher) -> Collector<'m> {
        Collector {
            matcher,
            signals: vec![SignalHits::default(); matcher.pats.len()],
            last_none: vec![None; matcher.playbooks.len()],
            prev_last_line: None,
            pending_after: Vec::new(),
            fresh: Vec::new(),
        }
    }

    fn consume(&mut self, chunk: &Chunk, found: &Found) {
        if chunk.nlines == 0 {
            return;
        }
        // Hits on the previous chunk's last line get this chunk's first line as context.
        if !self.pending_after.is_empty() {
            let text = chunk.display(0);
            for (pat, line) in std::mem::take(&mut self.pending_after) {
                for hit in self.signals[pat].all_hits_mut() {
                    if hit.line == line && hit.after.is_none() {
                        hit.after = Some(text.clone());
                    }
                }
            }
        }
        for &(li, start, len) in &found.lines {
            let span = chunk.spans[chunk.spans.partition_point(|s| s.0 <= li) - 1];
            let warning = chunk.warning_lines.binary_search(&li).is_ok();
            let pats = &found.pats[start as usize..(start + len) as usize];
            self.on_match(li, chunk.first_line_no + u64::from(li), span, pats, warning);
        }
        self.materialize(chunk);
        self.prev_last_line = Some(chunk.display(chunk.nlines as usize - 1));
    }

    fn on_match(
        &mut self,
        li: u32,
        line_no: u64,
        span: (u32, u32, u32),
        found: &[usize],
        warning: bool,
    ) {
        let matcher = self.matcher;
        // `none` first: a veto on the same line applies to that line's evidence.
        for &p in found {
            let pat = matcher.pats[p];
            if pat.kind == SignalKind::None {
                let pb = pat.playbook as usize;
                self.last_none[pb] = Some(line_no);
                let window = matcher.playbooks[pb].window;
                for e in matcher.playbooks[pb].evidence.clone() {
                    self.signals[e].veto_from(line_no.saturating_sub(window));
                }
            }
        }
        for &p in found {
            let pat = matcher.pats[p];
            if pat.kind == SignalKind::None {
                continue;
            }
            let pb = pat.playbook as usize;
            let vetoed =
                self.last_none[pb].is_some_and(|n| line_no - n <= matcher.playbooks[pb].window);
            // The text is filled in at the end of the chunk, for the hits still kept: a log where
            // a signal matches every line would otherwise pay for text nobody sees.
            let hit = Hit {
                line: line_no,
                step: span.1,
                vertex: span.2,
                text: String::new(),
                before: None,
                after: None,
                warning,
            };
            if vetoed {
                self.signals[p].push_vetoed(hit);
            } else {
                self.signals[p].push(hit);
            }
            self.fresh.push((p, li));
        }
    }

    /// Fill in the text and context of this chunk's hits that are still kept.
    fn materialize(&mut self, chunk: &Chunk) {
        for &(p, li) in &self.fresh {
            let line_no = chunk.first_line_no + u64::from(li);
            let Some(hit) = self.signals[p]
                .all_hits_mut()
                .find(|h| h.line == line_no && h.text.is_empty() && h.before.is_none())
            else {
                continue;
            };
            let i = li as usize;
            hit.text = chunk.display(i);
            hit.before = if i > 0 {
                Some(chunk.display(i - 1))
            } else {
                self.prev_last_line.clone()
            };
            if i + 1 < chunk.nlines as usize {
                hit.after = Some(chunk.display(i + 1));
            } else {
                self.pending_after.push((p, line_no));
            }
        }
        self.fresh.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn structure_of(log: &[u8]) -> ScanOutcome {
        scan(log, &Matcher::empty()).expect("reading from memory cannot fail")
    }

    #[test]
    fn merged_findings_keep_line_and_pattern_order() {
        let mut a = Found {
            lines: vec![(1, 0, 2), (5, 2, 1)],
            pats: vec![2, 8, 4],
        };
        let b = Found {
            lines: vec![(0, 0, 1), (1, 1, 2), (7, 3, 1)],
            pats: vec![9, 1, 5, 3],
        };
        a.merge(&b);
        let lines: Vec<(u32, Vec<usize>)> = a
            .lines
            .iter()
            .map(|&(li, s, n)| (li, a.pats[s as usize..(s + n) as usize].to_vec()))
            .collect();
        assert_eq!(
            lines,
            [
                (0, vec![9]),
                (1, vec![1, 2, 5, 8]),
                (5, vec![4]),
                (7, vec![3])
            ]
        );
    }

    /// However many finders share the signals, the evidence is the same: a log of several
    /// chunks made of the fixtures' failures, scanned by one, two and three finders.
    #[test]
    fn finders_share_the_signals_and_find_the_same() {
        let catalog = crate::playbook::load::bundled_catalog().expect("bundled catalog");
        let matcher = Matcher::new(catalog).expect("compiles");
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/analyze");
        let mut block = Vec::new();
        for dir in std::fs::read_dir(root).expect("fixtures") {
            let Ok(files) = std::fs::read_dir(dir.expect("entry").path().join("match")) else {
                continue;
            };
            for file in files {
                block.extend(std::fs::read(file.expect("entry").path()).expect("readable"));
                block.push(b'\n');
            }
        }
        let mut log = Vec::new();
        while log.len() < 3 * CHUNK {
            log.extend_from_slice(&block);
        }
        let outcome = |finders| {
            let o = scan_with(&log[..], &matcher, finders).expect("in memory");
            format!("{:?}", o.signals)
        };
        let one = outcome(1);
        assert!(one.matches("line: ").count() > 1000, "hits found");
        assert_eq!(outcome(2), one);
        assert_eq!(outcome(3), one);
    }

    /// Unclosed `section_start` lines, each followed by the end of a section that is not open:
    /// every end used to search the whole stack of open sections (51 s for 5.6 MB).
    #[test]
    fn unclosed_gitlab_sections_stay_linear() {
        let n = 60_000;
        let mut log = Vec::new();
        for i in 0..n {
            log.extend_from_slice(
                format!("\x1b[0Ksection_start:1:s{i}\r\x1b[0Kwork {i}\n\x1b[0Ksection_end:1:x{i}\r\x1b[0K\n")
                    .as_bytes(),
            );
        }
        log.extend_from_slice(b"ERROR: Job failed: exit code 1\n");
        let out = structure_of(&log);
        assert_eq!(out.lines, 2 * n + 1);
        assert_eq!(out.steps.len(), STEPS_KEPT);
        let failing = out.failing.expect("the job failed in the last section");
        assert_eq!(failing.step.name, format!("s{}", n - 1));
        assert_eq!(failing.step_index, n as u32);
        assert_eq!(failing.error_line, 2 * n + 1);
    }

    #[test]
    fn sections_close_by_name_with_the_sections_inside() {
        let mut s = Sections::default();
        s.open("a", 1);
        s.open("b", 2);
        s.open("a", 3);
        s.open("c", 4);
        assert_eq!(s.close("missing"), None);
        assert_eq!(s.current(), 4);
        assert_eq!(
            s.close("a"),
            Some(3),
            "the innermost `a`, and `c` inside it"
        );
        assert_eq!(s.current(), 2);
        assert_eq!(s.close("c"), None, "closed with its parent");
        assert_eq!(s.close("a"), Some(1));
        assert_eq!(s.current(), 0);
        for i in 0..OPEN_SECTIONS_MAX as u32 + 10 {
            s.open("deep", i + 1);
        }
        assert_eq!(s.stack.len(), OPEN_SECTIONS_MAX);
        assert_eq!(s.by_name["deep"].len(), OPEN_SECTIONS_MAX);
    }

    /// A stream of `##[group]` steps keeps the last `STEPS_KEPT` steps and the one the first
    /// error was reported in; long titles are cut.
    #[test]
    fn github_step_history_is_bounded() {
        let mut log = Vec::new();
        for i in 0..100_000 {
            log.extend_from_slice(format!("##[group]Run step {i}\n").as_bytes());
            if i == 5 {
                log.extend_from_slice(b"##[error]Process completed with exit code 2.\n");
            }
        }
        log.extend_from_slice(b"##[group]Run ");
        log.extend(std::iter::repeat_n(b'x', 100_000));
        log.push(b'\n');
        let out = structure_of(&log);
        assert_eq!(
            out.steps.len(),
            STEPS_KEPT + 1,
            "the last steps and the failing one"
        );
        let failing = out.failing.expect("the job failed in step 6");
        assert_eq!(failing.step.name, "Run step 5");
        assert_eq!(failing.step_index, 6);
        assert_eq!((failing.step.start_line, failing.step.end_line), (6, 7));
        let last = out.steps.last().expect("steps");
        assert_eq!(last.name.chars().count(), STEP_NAME_MAX + 1);
        assert!(last.name.starts_with("Run xxx") && last.name.ends_with('…'));
    }
}
