//! The streaming pass: reads a log in fixed-size chunks (memory stays bounded whatever the size),
//! normalises each line, runs the catalog's combined regex over the normalised chunk to jump from
//! candidate line to candidate line, and keeps a bounded sample of evidence per signal.
//!
//! It also follows the log's structure: GitHub Actions steps (`##[group]Run …`, or the step column
//! of `gh run view --log`), GitLab sections, BuildKit steps, and where the job failed
//! (`##[error]`, `ERROR: Job failed`, `#12 ERROR:`), so scoring can prefer evidence from the failing
//! step.

use std::collections::VecDeque;
use std::io::{self, Read};

use memchr::{memchr_iter, memrchr};

use super::matcher::{MatchCache, Matcher};
use super::normalize::{display_text, normalize_line, LineMeta, Marker};
use crate::playbook::load::SignalKind;

/// Bytes read per chunk. Lines longer than this are matched in pieces (with the same line number).
const CHUNK: usize = 1 << 20;
/// Evidence kept per signal: the first few and the last few hits.
const KEEP_FIRST: usize = 3;
const KEEP_LAST: usize = 3;
/// Longest evidence or context text kept, in characters.
const TEXT_MAX: usize = 400;

/// One matching line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// 1-based line number in the input.
    pub line: u64,
    /// The step (index into `ScanOutcome::steps`, plus one) the line belongs to; 0 for none.
    pub step: u32,
    /// The BuildKit step number of the line, or 0.
    pub vertex: u32,
    /// The input line with ANSI sequences and `\r` removed.
    pub text: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The hits of one signal.
#[derive(Debug, Clone, Default)]
pub struct SignalHits {
    /// How many lines matched (after `none` vetoes).
    pub count: u64,
    pub first: Vec<Hit>,
    pub last: VecDeque<Hit>,
}

impl SignalHits {
    pub fn hits(&self) -> impl Iterator<Item = &Hit> {
        self.first.iter().chain(self.last.iter())
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

    /// Drop the hits at or after line `from` (a `none` signal vetoed them).
    fn veto_from(&mut self, from: u64) {
        let before = self.first.len() + self.last.len();
        self.first.retain(|h| h.line < from);
        self.last.retain(|h| h.line < from);
        let removed = before - self.first.len() - self.last.len();
        self.count = self.count.saturating_sub(removed as u64);
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
    /// Index in `steps` plus one (GitHub/GitLab), or 0 for a BuildKit step.
    pub step_index: u32,
    /// The BuildKit step number, or 0.
    pub vertex: u32,
}

/// Everything the pass learnt about the log.
#[derive(Debug, Clone, Default)]
pub struct ScanOutcome {
    pub lines: u64,
    pub bytes: u64,
    pub steps: Vec<Step>,
    pub failing: Option<FailingStep>,
    /// The log says the job succeeded (GitLab's `Job succeeded`).
    pub succeeded: bool,
    /// Per compiled pattern (`Matcher::pats`); `none` patterns stay empty.
    pub signals: Vec<SignalHits>,
}

#[derive(Debug, Clone, Default)]
struct VertexInfo {
    name: String,
    first_line: u64,
    last_line: u64,
}

/// The pass's state between chunks.
struct Scanner<'m> {
    matcher: &'m Matcher,
    cache: MatchCache,
    out: ScanOutcome,
    /// Per playbook: the last line a `none` signal matched.
    last_none: Vec<Option<u64>>,
    next_line: u64,
    /// The previous chunk ended inside a line.
    continuing: bool,
    /// Text of the previous chunk's last line (context for a hit on a chunk's first line).
    prev_last_line: Option<String>,
    /// Hits on a chunk's last line, waiting for the next line as context: (pattern, line).
    pending_after: Vec<(usize, u64)>,
    /// Hits found in the current chunk, waiting for their text: (pattern, line index in chunk).
    fresh: Vec<(usize, u32)>,
    cur_step: u32,
    log_step_name: Option<String>,
    sections: Vec<u32>,
    first_error: Option<(u64, u32)>,
    exit_error: Option<(u64, u32)>,
    gitlab_failed: Option<u64>,
    vertices: Vec<VertexInfo>,
    failing_vertex: Option<(u32, u64)>,
    // Per-chunk buffers, reused.
    norm: Vec<u8>,
    norm_starts: Vec<u32>,
    orig_spans: Vec<(u32, u32)>,
    /// (line index in chunk, step, vertex) whenever either changes.
    spans: Vec<(u32, u32, u32)>,
    scratch: Vec<u8>,
    markers: Vec<Marker>,
}

/// Read `reader` to the end and collect the evidence for every playbook of `matcher`.
pub fn scan<R: Read>(mut reader: R, matcher: &Matcher) -> io::Result<ScanOutcome> {
    let mut s = Scanner {
        matcher,
        cache: matcher.cache(),
        out: ScanOutcome {
            signals: vec![SignalHits::default(); matcher.pats.len()],
            ..Default::default()
        },
        last_none: vec![None; matcher.playbooks.len()],
        next_line: 1,
        continuing: false,
        prev_last_line: None,
        pending_after: Vec::new(),
        fresh: Vec::new(),
        cur_step: 0,
        log_step_name: None,
        sections: Vec::new(),
        first_error: None,
        exit_error: None,
        gitlab_failed: None,
        vertices: Vec::new(),
        failing_vertex: None,
        norm: Vec::with_capacity(CHUNK + 1024),
        norm_starts: Vec::new(),
        orig_spans: Vec::new(),
        spans: Vec::new(),
        scratch: Vec::new(),
        markers: Vec::new(),
    };
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
            break;
        }
        s.out.bytes += filled as u64;
        // Process whole lines; keep the tail for the next read. A chunk with no newline at all is
        // one piece of a very long line.
        let (upto, partial) = if eof {
            (filled, false)
        } else {
            match memrchr(b'\n', &buf[..filled]) {
                Some(p) => (p + 1, false),
                None => (filled, true),
            }
        };
        s.process_block(&buf[..upto], partial);
        s.out.bytes -= (filled - upto) as u64;
        buf.copy_within(upto..filled, 0);
        filled -= upto;
    }
    Ok(s.finish())
}

impl Scanner<'_> {
    fn process_block(&mut self, block: &[u8], ends_mid_line: bool) {
        self.norm.clear();
        self.norm_starts.clear();
        self.orig_spans.clear();
        self.spans.clear();
        self.spans.push((0, self.cur_step, 0));
        let first_line_no = if self.continuing {
            self.next_line - 1
        } else {
            self.next_line
        };

        let mut start = 0usize;
        let mut line_iter = memchr_iter(b'\n', block);
        let mut idx: u32 = 0;
        let mut last_vertex = 0u32;
        loop {
            let end = match line_iter.next() {
                Some(e) => e,
                None if start < block.len() => block.len(),
                None => break,
            };
            let mut raw = &block[start..end];
            let line_no = first_line_no + u64::from(idx);
            if line_no == 1 && idx == 0 && !self.continuing {
                raw = raw.strip_prefix(b"\xef\xbb\xbf").unwrap_or(raw);
            }
            self.orig_spans.push((start as u32, end as u32));
            self.norm_starts.push(self.norm.len() as u32);
            let norm_from = self.norm.len();
            self.markers.clear();
            let meta = if self.continuing && idx == 0 {
                // The rest of a long line: no prefix to strip.
                self.norm.extend_from_slice(raw);
                LineMeta::default()
            } else {
                normalize_line(raw, &mut self.norm, &mut self.scratch, &mut self.markers)
            };
            let mut gh_error = false;
            if !self.markers.is_empty() {
                let markers = std::mem::take(&mut self.markers);
                for m in &markers {
                    gh_error |= *m == Marker::GhError;
                    self.on_marker(m, line_no);
                }
                self.markers = markers;
            }
            self.on_line_text(norm_from, line_no, meta, gh_error);
            let step = self.cur_step;
            let last = self.spans.last().copied().unwrap_or((0, 0, 0));
            if last.1 != step || meta.vertex != last_vertex {
                self.spans.push((idx, step, meta.vertex));
                last_vertex = meta.vertex;
            }
            self.norm.push(b'\n');
            idx += 1;
            start = end + 1;
            if end == block.len() {
                break;
            }
        }
        let nlines = idx;
        self.norm_starts.push(self.norm.len() as u32);
        // After a piece of a long line, the next chunk's first line continues it (see
        // `first_line_no`), so this is right in both cases.
        self.next_line = first_line_no + u64::from(nlines);
        self.out.lines = self.next_line - 1;

        // Hits on the previous chunk's last line get this chunk's first line as context.
        if !self.pending_after.is_empty() && nlines > 0 {
            let (s0, e0) = self.orig_spans[0];
            let text = display_text(&block[s0 as usize..e0 as usize], TEXT_MAX);
            for (pat, line) in std::mem::take(&mut self.pending_after) {
                let sig = &mut self.out.signals[pat];
                for hit in sig.first.iter_mut().chain(sig.last.iter_mut()) {
                    if hit.line == line && hit.after.is_none() {
                        hit.after = Some(text.clone());
                    }
                }
            }
        }

        // Invalid UTF-8 is rare in logs; when present, replace it (U+FFFD) like a lossy decode, so
        // signals see the same text a person does.
        if std::str::from_utf8(&self.norm).is_err() {
            let fixed = String::from_utf8_lossy(&self.norm)
                .into_owned()
                .into_bytes();
            self.norm = fixed;
            self.norm_starts.clear();
            self.norm_starts.push(0);
            for p in memchr_iter(b'\n', &self.norm) {
                self.norm_starts.push(p as u32 + 1);
            }
        }

        self.match_block(first_line_no);
        self.materialize(block, first_line_no, nlines);

        if nlines > 0 {
            let (s, e) = self.orig_spans[nlines as usize - 1];
            self.prev_last_line = Some(display_text(&block[s as usize..e as usize], TEXT_MAX));
        }
        // A piece of a long line: the next chunk starts with the rest of it.
        self.continuing = ends_mid_line;
    }

    /// Run the combined regex over the normalised chunk, then the per-line check on each
    /// candidate line.
    fn match_block(&mut self, first_line_no: u64) {
        let matcher = self.matcher;
        let mut pos = 0usize;
        let mut found: Vec<usize> = Vec::new();
        while pos < self.norm.len() {
            // Matches never span lines (see `matcher`), so the line of the match's last byte is
            // the line of the match.
            let Some(end) = matcher.next_candidate_end(&mut self.cache, &self.norm, pos) else {
                break;
            };
            let li = self.norm_starts.partition_point(|&s| (s as usize) < end) - 1;
            let ls = self.norm_starts[li] as usize;
            let le = self.norm_starts[li + 1] as usize - 1;
            found.clear();
            found.extend(matcher.which(&mut self.cache, &self.norm[ls..le]));
            if !found.is_empty() {
                self.on_match(li as u32, first_line_no + li as u64, &found);
            }
            pos = le + 1;
        }
    }

    fn on_match(&mut self, li: u32, line_no: u64, found: &[usize]) {
        let matcher = self.matcher;
        // `none` first: a veto on the same line applies to that line's evidence.
        for &p in found {
            let pat = matcher.pats[p];
            if pat.kind == SignalKind::None {
                let pb = pat.playbook as usize;
                self.last_none[pb] = Some(line_no);
                let window = matcher.playbooks[pb].window;
                for e in matcher.playbooks[pb].evidence.clone() {
                    self.out.signals[e].veto_from(line_no.saturating_sub(window));
                }
            }
        }
        for &p in found {
            let pat = matcher.pats[p];
            if pat.kind == SignalKind::None {
                continue;
            }
            let pb = pat.playbook as usize;
            if let Some(n) = self.last_none[pb] {
                if line_no - n <= matcher.playbooks[pb].window {
                    continue;
                }
            }
            let span = self.spans[self.spans.partition_point(|s| s.0 <= li) - 1];
            // The text is filled in at the end of the chunk, for the hits still kept: a log where
            // a signal matches every line would otherwise pay for text nobody sees.
            let hit = Hit {
                line: line_no,
                step: span.1,
                vertex: span.2,
                text: String::new(),
                before: None,
                after: None,
            };
            self.out.signals[p].push(hit);
            self.fresh.push((p, li));
        }
    }

    /// Fill in the text and context of this chunk's hits that are still kept.
    fn materialize(&mut self, block: &[u8], first_line_no: u64, nlines: u32) {
        let span = |i: usize| {
            let (s, e) = self.orig_spans[i];
            display_text(&block[s as usize..e as usize], TEXT_MAX)
        };
        for &(p, li) in &self.fresh {
            let line_no = first_line_no + u64::from(li);
            let sig = &mut self.out.signals[p];
            let Some(hit) = sig
                .first
                .iter_mut()
                .chain(sig.last.iter_mut())
                .find(|h| h.line == line_no && h.text.is_empty() && h.before.is_none())
            else {
                continue;
            };
            let i = li as usize;
            hit.text = span(i);
            hit.before = if i > 0 {
                Some(span(i - 1))
            } else {
                self.prev_last_line.clone()
            };
            if i + 1 < nlines as usize {
                hit.after = Some(span(i + 1));
            } else {
                self.pending_after.push((p, line_no));
            }
        }
        self.fresh.clear();
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
                self.first_error.get_or_insert((line_no, self.cur_step));
            }
            Marker::SectionStart(name) => {
                self.new_step(StepKind::Gitlab, name.clone(), line_no);
                self.sections.push(self.cur_step);
            }
            Marker::SectionEnd(name) => {
                if let Some(pos) = self
                    .sections
                    .iter()
                    .rposition(|&i| self.out.steps[i as usize - 1].name == *name)
                {
                    let idx = self.sections[pos];
                    self.out.steps[idx as usize - 1].end_line = line_no;
                    self.sections.truncate(pos);
                    self.cur_step = self.sections.last().copied().unwrap_or(0);
                }
            }
        }
    }

    fn new_step(&mut self, kind: StepKind, name: String, line_no: u64) {
        // A GitHub step ends where the next one starts; GitLab sections end at their marker.
        if let Some(prev) = self.out.steps.last_mut() {
            if prev.kind == StepKind::GithubActions && kind == StepKind::GithubActions {
                prev.end_line = line_no.saturating_sub(1).max(prev.start_line);
            }
        }
        self.out.steps.push(Step {
            kind,
            name,
            start_line: line_no,
            end_line: 0,
        });
        self.cur_step = self.out.steps.len() as u32;
    }

    /// Failure and success lines, and BuildKit steps, from the normalised text.
    fn on_line_text(&mut self, norm_from: usize, line_no: u64, meta: LineMeta, gh_error: bool) {
        let text = &self.norm[norm_from..];
        match text.first() {
            Some(b'P')
                if gh_error
                    && self.exit_error.is_none()
                    && text.starts_with(b"Process completed with exit code") =>
            {
                self.exit_error = Some((line_no, self.cur_step));
            }
            Some(b'E') if text.starts_with(b"ERROR: Job failed") => {
                self.gitlab_failed.get_or_insert(line_no);
            }
            Some(b'J') if text.starts_with(b"Job succeeded") => self.out.succeeded = true,
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

    fn finish(mut self) -> ScanOutcome {
        let total = self.out.lines;
        for step in &mut self.out.steps {
            if step.end_line == 0 {
                step.end_line = total.max(step.start_line);
            }
        }
        let steps = &self.out.steps;
        // GitHub: the step of `##[error]Process completed with exit code N`, else of the first
        // `##[error]`. GitLab: the last script section that started before `ERROR: Job failed`.
        let gh = self
            .exit_error
            .or(self.first_error)
            .filter(|&(_, step)| step != 0);
        let gitlab = self.gitlab_failed.and_then(|line| {
            let before = |s: &&Step| s.kind == StepKind::Gitlab && s.start_line <= line;
            let script = steps.iter().enumerate().rfind(|(_, s)| {
                before(s) && matches!(s.name.as_str(), "step_script" | "build_script")
            });
            let any = steps.iter().enumerate().rfind(|(_, s)| before(s));
            script.or(any).map(|(i, _)| (line, i as u32 + 1))
        });
        self.out.failing = if let Some((line, idx)) = gh.or(gitlab) {
            Some(FailingStep {
                step: steps[idx as usize - 1].clone(),
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
        self.out
    }
}
