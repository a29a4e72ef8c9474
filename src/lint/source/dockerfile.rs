//! Dockerfile parser and spanned model: what the lint rules read about a Dockerfile.
//!
//! Hand-written in std only, so spans stay byte-exact and the behaviour follows BuildKit's own
//! parser (`moby/buildkit`, `frontend/dockerfile/parser`) quirk for quirk:
//!
//! - parser directives (`# escape=`, `# syntax=`, `# check=`) only in the leading comment block;
//!   the escape character drives line continuations and word escapes;
//! - a logical instruction is its first line, left-trimmed, joined with its continuation lines
//!   (escape char + optional blanks at the end of a line; BuildKit keeps the leading blanks of
//!   continuation lines); full-line comments and blank lines inside a continuation are dropped;
//! - `RUN`/`CMD`/`ENTRYPOINT`/`SHELL` are exec form only when the rest is a valid JSON array (a
//!   valid array with a non-string element is an error, anything else is shell form);
//! - heredocs (`<<EOF`, `<<-EOF`, quoted delimiters, several per line) for `RUN`, `COPY`, `ADD` (and
//!   those under `ONBUILD`), read after the instruction's last line.
//!
//! Two levels, like BuildKit: [`parse_syntax`] is its parser (what the conformance corpus dumps:
//! unknown instructions and odd `HEALTHCHECK` types pass), [`parse`] adds the checks BuildKit makes
//! before it builds anything (unknown instruction, `FROM` without image, instruction before `FROM`,
//! missing arguments...). Both return a [`ParseError`] with a 1-based line and column (columns count
//! characters) and never panic. [`buildkit_dump`] prints BuildKit's AST dump format.
//!
//! Spans are byte ranges into the original text (CRLF kept, non-ASCII allowed). Text that BuildKit
//! builds by joining lines (`Args::Shell::text`, words, values) maps back through the continuation
//! segments, so a span may cover a continuation (`\` + newline) but starts and ends on real text.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use super::span::LineIndex;

/// The instructions BuildKit knows, uppercase.
pub const INSTRUCTIONS: [&str; 18] = [
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// A Dockerfile BuildKit would reject, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    pub message: String,
    /// Byte range the error is about (may be empty).
    pub span: Range<usize>,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ParseError {}

/// One parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// The escape character: `\` or, with `# escape=``, a backtick.
    pub escape: char,
    /// Parser directives of the leading comment block (`escape`, `syntax`, `check`).
    pub directives: Vec<Directive>,
    pub instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
    /// `ARG`s before the first `FROM` (the only ones a `FROM` can use).
    pub global_args: Vec<ArgDecl>,
    /// Every full-line comment (from `#` to the end of its line, newline excluded), including the
    /// directives and the comments BuildKit drops from inside a continued instruction.
    pub comments: Vec<Range<usize>>,
}

/// A parser directive such as `# syntax=docker/dockerfile:1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Lowercase: `escape`, `syntax` or `check`.
    pub name: String,
    pub value: String,
    /// The whole comment line.
    pub span: Range<usize>,
}

/// One instruction, continuation lines joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Uppercase (`RUN`), also for unknown instructions (which only [`parse_syntax`] lets through).
    pub keyword: String,
    /// The whole instruction: keyword to the end of its last line (newline excluded), continuation
    /// lines and, when it has heredocs, their bodies and terminator lines included.
    pub span: Range<usize>,
    pub keyword_span: Range<usize>,
    /// `--name[=value]` flags between the keyword and the arguments.
    pub flags: Vec<Flag>,
    pub args: Args,
    /// Heredocs of this instruction (for `ONBUILD RUN <<EOF`, they sit on the `ONBUILD`).
    pub heredocs: Vec<Heredoc>,
    /// 1-based line of the keyword.
    pub line: usize,
    /// 1-based line where `span` ends.
    pub end_line: usize,
    /// `ONBUILD`: the trigger instruction. `HEALTHCHECK`: its type as an instruction whose keyword
    /// is `CMD` / `NONE` (as uppercased) and whose args are the command (shell or exec form). The
    /// parent's own `args` are then empty `Words`.
    pub sub: Option<Box<Instruction>>,
}

/// A flag such as `--mount=type=cache,target=/root/.cache`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Without the leading `--`, quotes and `\` escapes removed (as BuildKit reads it).
    pub name: String,
    /// After the first `=`; `None` for a bare `--link`.
    pub value: Option<String>,
    pub span: Range<usize>,
    pub value_span: Option<Range<usize>>,
}

impl Flag {
    /// The flag as BuildKit's parser hands it on: `--name=value`.
    pub fn word(&self) -> String {
        match &self.value {
            Some(v) => format!("--{}={}", self.name, v),
            None => format!("--{}", self.name),
        }
    }
}

/// The arguments of an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Args {
    /// Shell form (`RUN`, `CMD`, `ENTRYPOINT`, `SHELL`). `text` is what `/bin/sh -c` receives:
    /// continuation lines joined, comment and blank lines inside the continuation dropped. `span` is
    /// its range in the file (empty when there are no arguments).
    ///
    /// `shell_source` has exactly the length of `span` and equals the file text there, except that
    /// each continuation — from the escape character (`\` or the backtick) through any blanks, CR,
    /// dropped comment and blank lines, up to the next line that carries text — is rewritten as
    /// blanks followed by `\` + newline. A POSIX shell parser run over `shell_source` therefore sees
    /// one command where BuildKit sees one, and its byte offsets plus `span.start` are file offsets.
    /// Known deviations from `text`: blanks inside quotes may differ in number; when the escape is
    /// followed by blanks, a CR or dropped lines AND joins two halves of one word (`foo\␠⏎bar`), the
    /// shell sees a blank there; inside single quotes the shell keeps `\`+newline literally. Other
    /// backticks and backslashes are left alone: BuildKit passes them to the shell unchanged.
    Shell {
        span: Range<usize>,
        text: String,
        shell_source: String,
    },
    /// Exec (JSON) form: decoded strings with the span of each JSON string literal (quotes
    /// included); `span` covers `[` … `]`. Also `COPY`/`ADD`/`VOLUME` in JSON form.
    Exec {
        items: Vec<(String, Range<usize>)>,
        span: Range<usize>,
    },
    /// `ENV`, `LABEL`, `ARG`.
    KeyValues { pairs: Vec<KeyValue> },
    /// Whitespace-separated words as written (`FROM`, `EXPOSE`, `COPY`, `ADD`, `VOLUME`), or the
    /// whole rest as one word (`USER`, `WORKDIR`, `STOPSIGNAL`, `MAINTAINER`), or none.
    Words { words: Vec<(String, Range<usize>)> },
}

impl Args {
    fn empty() -> Args {
        Args::Words { words: Vec::new() }
    }

    /// How many arguments BuildKit counts.
    fn count(&self) -> usize {
        match self {
            Args::Shell { text, .. } => usize::from(!text.is_empty()),
            Args::Exec { items, .. } => items.len(),
            Args::KeyValues { pairs } => pairs.len(),
            Args::Words { words } => words.len(),
        }
    }
}

/// `key=value` of `ENV`, `LABEL`, `ARG`, or the legacy `ENV key value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub key: String,
    /// Quotes removed and escapes applied (no `$` expansion); `None` for `ARG name`.
    pub value: Option<String>,
    /// As written (BuildKit's parser keeps quotes and escapes).
    pub raw_value: Option<String>,
    pub key_span: Range<usize>,
    /// Span of the value as written; empty, right after the key, when there is none.
    pub value_span: Range<usize>,
    /// `key=value` (or `key value` for the legacy form).
    pub span: Range<usize>,
    /// The legacy `ENV key value` / `LABEL key value` form (everything after the key is the value).
    pub legacy: bool,
}

/// A heredoc body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The terminator word, quotes removed.
    pub delimiter: String,
    /// `<<'EOF'` / `<<"EOF"`: the body is not expanded.
    pub quoted: bool,
    /// `<<-EOF`: leading tabs are stripped from the body and the terminator.
    pub strip_tabs: bool,
    /// The body as written: every line up to the terminator, newlines (and CRs) included.
    pub body: String,
    pub body_span: Range<usize>,
    /// The `<<EOF` word on the instruction line.
    pub word_span: Range<usize>,
}

/// One build stage: a `FROM` and the instructions up to the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// The `FROM` instruction.
    pub from_span: Range<usize>,
    /// The image reference word (empty span after `FROM` when it has none: [`parse`] rejects that).
    pub image_span: Range<usize>,
    /// As written, e.g. `${BASE}:${TAG}`.
    pub image_raw: String,
    /// After expanding global `ARG` defaults; `None` when it uses an `ARG` with no (known) default.
    pub image: Option<String>,
    /// Any `$` reference was involved: `--build-arg` can change the image at build time.
    pub image_depends_on_arg: bool,
    /// `AS name`, lowercased (BuildKit compares stage names case-insensitively).
    pub alias: Option<String>,
    /// The `FROM` names an earlier stage's alias.
    pub parent_stage: Option<usize>,
    /// `--platform=` as written.
    pub platform: Option<String>,
    /// Indices into `Dockerfile::instructions`, the `FROM` excluded.
    pub instructions: Range<usize>,
}

/// A global `ARG` (before the first `FROM`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgDecl {
    pub name: String,
    /// Quotes removed, not expanded.
    pub default: Option<String>,
    /// `name[=default]`.
    pub span: Range<usize>,
}

// ---------------------------------------------------------------------------------------------
// Entry points

/// Parse like BuildKit and check what BuildKit checks before building: the parser's errors plus
/// unknown instructions, `FROM` without an image (or with a bad stage name), instructions before
/// the first `FROM`, missing or extra arguments, `ONBUILD` misuse, `SHELL` not in JSON form, bad
/// `HEALTHCHECK` types. Unknown flags are not errors here (they vary with the BuildKit version).
pub fn parse(src: &str) -> Result<Dockerfile, ParseError> {
    let df = parse_syntax(src)?;
    validate(&df, src)?;
    Ok(df)
}

/// BuildKit's parser level only (`parser.Parse`): what the conformance corpus dumps. Rejects bad
/// directives, JSON arrays with non-string elements, `ENV`/`LABEL` syntax errors, unterminated
/// heredocs and files without instructions; lets unknown instructions through.
pub fn parse_syntax(src: &str) -> Result<Dockerfile, ParseError> {
    Parser::new(src).run()
}

/// Expand `$X`, `${X}`, `${X:-d}`, `${X-d}`, `${X:+a}`, `${X+a}`, `${X:?m}` in a word as written in
/// a Dockerfile (quotes removed and `\` escapes applied on the way, as BuildKit does). `None` when
/// a variable that decides the result is not in `vars`. A variable missing from `vars` counts as
/// unset for the `-` forms (`${X:-d}` gives `d`), and as unknown everywhere else.
pub fn expand(word: &str, vars: &HashMap<String, String>) -> Option<String> {
    let r = process_word(word, '\\', Some(vars));
    (!r.unknown).then_some(r.out)
}

/// Remove quotes and apply escapes (`escape` is the Dockerfile's escape character) like BuildKit's
/// word processing, keeping `$` references as written.
pub fn unquote(word: &str, escape: char) -> String {
    process_word(word, escape, None).out
}

impl Dockerfile {
    /// The stage an instruction index belongs to.
    pub fn stage_of(&self, instruction: usize) -> Option<&Stage> {
        self.stages
            .iter()
            .find(|s| s.instructions.contains(&instruction))
    }
}

// ---------------------------------------------------------------------------------------------
// Lines and logical instructions

/// A physical line: `start..content_end` is its text without the trailing CR/LF.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    content_end: usize,
}

fn split_lines(src: &str) -> Vec<Line> {
    let bytes = src.as_bytes();
    let mut lines = Vec::new();
    let mut start = if src.starts_with('\u{feff}') { 3 } else { 0 };
    while start < bytes.len() {
        let nl = memchr::memchr(b'\n', &bytes[start..]).map(|i| start + i);
        let end = nl.map_or(bytes.len(), |i| i + 1);
        // Go's TrimRight(line, "\r\n").
        let mut content_end = end;
        while content_end > start && matches!(bytes[content_end - 1], b'\r' | b'\n') {
            content_end -= 1;
        }
        lines.push(Line { start, content_end });
        start = end;
    }
    lines
}

/// Go's `unicode.IsSpace` (Rust's `char::is_whitespace` is the same set).
fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// BuildKit's `reWhitespace`: `[\t\v\f\r ]`.
fn is_sep(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\x0b' | '\x0c' | '\r')
}

fn skip_space(text: &str, mut i: usize, end: usize) -> usize {
    while i < end {
        match text[i..end].chars().next() {
            Some(c) if is_space(c) => i += c.len_utf8(),
            _ => break,
        }
    }
    i
}

fn trim_end_space(text: &str, start: usize, end: usize) -> usize {
    start + text[start..end].trim_end_matches(is_space).len()
}

/// A logical instruction: its text (BuildKit's joined line) and where each piece came from.
struct Logical {
    text: String,
    /// (text offset, source offset, length), in order.
    segs: Vec<(usize, usize, usize)>,
    /// Continuations in the source: escape char up to the start of the next line with text.
    regions: Vec<Range<usize>>,
}

impl Logical {
    /// Source offset of the byte at text offset `t` (`t == len` maps to the end of the last piece).
    fn pos(&self, t: usize) -> usize {
        let i = self
            .segs
            .partition_point(|&(ts, _, _)| ts <= t)
            .saturating_sub(1);
        match self.segs.get(i) {
            Some(&(ts, ss, len)) => ss + (t - ts).min(len),
            None => 0,
        }
    }

    fn range(&self, a: usize, b: usize) -> Range<usize> {
        if b <= a {
            let p = self.pos(a);
            return p..p;
        }
        self.pos(a)..self.pos(b - 1) + 1
    }
}

/// Where BuildKit's continuation regex (`([^E])E[ \t]*$|^E[ \t]*$`) matches in `start..end`:
/// the offset of the escape character, or `None` when the line does not continue.
fn continuation_at(src: &str, start: usize, end: usize, escape: char) -> Option<usize> {
    let bytes = src.as_bytes();
    let mut t = end;
    while t > start && matches!(bytes[t - 1], b' ' | b'\t') {
        t -= 1;
    }
    // The escape character is ASCII, so byte comparisons are exact.
    let esc = escape as u8;
    if t == start || bytes[t - 1] != esc {
        return None;
    }
    let at = t - 1;
    if at == start || bytes[at - 1] != esc {
        Some(at)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// The parser

struct Parser<'a> {
    src: &'a str,
    index: LineIndex,
    lines: Vec<Line>,
    escape: char,
}

enum Json {
    Invalid,
    Strings(Vec<(String, usize, usize)>),
    /// A valid array with a non-string element at this text range.
    NonString(usize, usize),
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Self {
        Parser {
            src,
            index: LineIndex::new(src),
            lines: split_lines(src),
            escape: '\\',
        }
    }

    fn error(&self, span: Range<usize>, message: impl Into<String>) -> ParseError {
        error_at(self.src, &self.index, span, message)
    }

    fn run(mut self) -> Result<Dockerfile, ParseError> {
        let directives = self.directives()?;
        let mut df = Dockerfile {
            escape: self.escape,
            directives,
            instructions: Vec::new(),
            stages: Vec::new(),
            global_args: Vec::new(),
            comments: Vec::new(),
        };
        let mut i = 0;
        while i < self.lines.len() {
            let line = self.lines[i];
            i += 1;
            let s = skip_space(self.src, line.start, line.content_end);
            if self.src[s..line.content_end].starts_with('#') {
                df.comments.push(s..line.content_end);
                continue;
            }
            let cont = continuation_at(self.src, s, line.content_end, self.escape);
            let kept_end = cont.unwrap_or(line.content_end);
            if cont.is_none() && kept_end == s {
                continue; // blank line
            }
            let mut lg = Logical {
                text: String::new(),
                segs: Vec::new(),
                regions: Vec::new(),
            };
            lg.segs.push((0, s, kept_end - s));
            lg.text.push_str(&self.src[s..kept_end]);
            let mut last_end = line.content_end;
            let mut pending = cont;
            while let Some(esc_at) = pending {
                let Some(&next) = self.lines.get(i) else {
                    break;
                };
                i += 1;
                let raw = &self.src[next.start..next.content_end];
                let trimmed = raw.trim_start_matches(is_space);
                if trimmed.starts_with('#') {
                    let c = next.content_end - trimmed.len();
                    df.comments.push(c..next.content_end);
                    continue;
                }
                if trimmed.is_empty() {
                    continue; // BuildKit: "empty continuation line" (a warning, then skipped)
                }
                let c = continuation_at(self.src, next.start, next.content_end, self.escape);
                let kept = c.unwrap_or(next.content_end);
                lg.regions.push(esc_at..next.start);
                lg.segs.push((lg.text.len(), next.start, kept - next.start));
                lg.text.push_str(&self.src[next.start..kept]);
                last_end = next.content_end;
                pending = c;
            }
            let end = trim_end_space(&lg.text, 0, lg.text.len());
            if end == 0 {
                continue; // only escape characters: nothing BuildKit could run
            }
            let mut ins = self.instruction(&lg, 0, end, false)?;
            ins.span = s..last_end;
            if self.can_contain_heredoc(&ins) && lg.text[..end].contains("<<") {
                let (heredocs, next_line) = self.heredocs(&lg, end, i)?;
                if !heredocs.is_empty() {
                    // The last terminator line ends the instruction.
                    if let Some(term) = next_line.checked_sub(1).and_then(|k| self.lines.get(k)) {
                        ins.span.end = term.content_end;
                    }
                }
                ins.heredocs = heredocs;
                i = next_line;
            }
            ins.end_line = self.line_of_end(&ins.span);
            df.instructions.push(ins);
        }
        if df.instructions.is_empty() {
            let at = self.src.len();
            return Err(self.error(at..at, "the Dockerfile has no instructions"));
        }
        build_stages(&mut df);
        Ok(df)
    }

    fn line_of_end(&self, span: &Range<usize>) -> usize {
        let last = if span.end > span.start {
            span.end - 1
        } else {
            span.start
        };
        self.index.line0(last) + 1
    }

    /// Leading parser directives; sets `self.escape`.
    fn directives(&mut self) -> Result<Vec<Directive>, ParseError> {
        let mut out: Vec<Directive> = Vec::new();
        for line in &self.lines {
            let s = skip_space(self.src, line.start, line.content_end);
            let text = &self.src[s..line.content_end];
            let Some((name, value)) = directive(text) else {
                break;
            };
            let name = name.to_ascii_lowercase();
            if !matches!(name.as_str(), "escape" | "syntax" | "check") {
                break;
            }
            let span = s..line.content_end;
            if out.iter().any(|d| d.name == name) {
                return Err(self.error(
                    span,
                    format!("only one {name} parser directive can be used"),
                ));
            }
            if name == "escape" {
                self.escape = match value {
                    "\\" => '\\',
                    "`" => '`',
                    _ => {
                        return Err(self.error(
                            span,
                            format!("invalid escape token '{value}' does not match ` or \\"),
                        ))
                    }
                };
            }
            out.push(Directive {
                name,
                value: value.to_string(),
                span,
            });
        }
        Ok(out)
    }

    /// Build one instruction from `lg.text[start..end]` (trimmed on both sides).
    fn instruction(
        &self,
        lg: &Logical,
        start: usize,
        end: usize,
        nested: bool,
    ) -> Result<Instruction, ParseError> {
        let t = lg.text.as_str();
        let kw_end = t[start..end].find(is_sep).map_or(end, |i| start + i);
        let keyword = t[start..kw_end].to_ascii_uppercase();
        let mut rest = kw_end;
        while rest < end && t[rest..].starts_with(is_sep) {
            rest += 1;
        }
        let (flags, args_start) = if rest < end {
            self.flags(lg, rest, end)
        } else {
            (Vec::new(), end)
        };
        let a = skip_space(t, args_start, end);
        let b = end;
        let keyword_span = lg.range(start, kw_end);
        let line = self.index.line0(keyword_span.start) + 1;
        let mut ins = Instruction {
            keyword,
            span: lg.range(start, end),
            keyword_span,
            flags,
            args: Args::empty(),
            heredocs: Vec::new(),
            line,
            end_line: line,
            sub: None,
        };
        match ins.keyword.as_str() {
            "ADD" | "COPY" | "VOLUME" => ins.args = self.maybe_json_to_list(lg, a, b)?,
            "ARG" => ins.args = self.name_or_name_val(lg, a, b),
            "CMD" | "ENTRYPOINT" | "RUN" | "SHELL" => ins.args = self.maybe_json(lg, a, b)?,
            "ENV" | "LABEL" => ins.args = self.name_val(lg, a, b, &ins.keyword)?,
            "EXPOSE" | "FROM" => {
                ins.args = Args::Words {
                    words: split_words(lg, a, b),
                }
            }
            "MAINTAINER" | "STOPSIGNAL" | "USER" | "WORKDIR" if a < b => {
                ins.args = Args::Words {
                    words: vec![(t[a..b].to_string(), lg.range(a, b))],
                };
            }
            "HEALTHCHECK" if a < b => {
                let sep = t[a..b].find(is_space).map_or(b, |i| a + i);
                let next = skip_space(t, sep, b);
                let kw_span = lg.range(a, sep);
                let line = self.index.line0(kw_span.start) + 1;
                ins.sub = Some(Box::new(Instruction {
                    keyword: t[a..sep].to_ascii_uppercase(),
                    span: lg.range(a, b),
                    keyword_span: kw_span,
                    flags: Vec::new(),
                    args: self.maybe_json(lg, next, b)?,
                    heredocs: Vec::new(),
                    line,
                    end_line: line,
                    sub: None,
                }));
            }
            "ONBUILD" if a < b && !nested => {
                ins.sub = Some(Box::new(self.instruction(lg, a, b, true)?));
            }
            "ONBUILD" if a < b => {
                // `ONBUILD ONBUILD x`: BuildKit parses it, `validate` rejects it; no deeper recursion.
                let kw_end = t[a..b].find(is_sep).map_or(b, |i| a + i);
                ins.sub = Some(Box::new(Instruction {
                    keyword: t[a..kw_end].to_ascii_uppercase(),
                    span: lg.range(a, b),
                    keyword_span: lg.range(a, kw_end),
                    flags: Vec::new(),
                    args: Args::empty(),
                    heredocs: Vec::new(),
                    line,
                    end_line: line,
                    sub: None,
                }));
            }
            _ => {}
        }
        if let Some(sub) = ins.sub.as_mut() {
            sub.end_line = self.line_of_end(&sub.span);
        }
        ins.end_line = self.line_of_end(&ins.span);
        Ok(ins)
    }

    /// BuildKit's `extractBuilderFlags`: `--` words (quotes and `\` escapes processed, `--` alone
    /// ends the flags). Returns the flags and where the arguments start.
    fn flags(&self, lg: &Logical, from: usize, end: usize) -> (Vec<Flag>, usize) {
        let t = lg.text.as_str();
        let mut flags = Vec::new();
        let mut i = from;
        loop {
            i = skip_space(t, i, end);
            if i >= end {
                return (flags, end);
            }
            if !t[i..end].starts_with("--") {
                return (flags, i);
            }
            let ws = i;
            let mut word = String::new();
            let mut pos: Vec<usize> = Vec::new();
            let mut quote: Option<char> = None;
            let mut blank_ok = false;
            let we;
            loop {
                let Some(mut c) = t[i..end].chars().next() else {
                    we = end;
                    break;
                };
                if quote.is_none() && is_space(c) {
                    we = i;
                    break;
                }
                match quote {
                    None if c == '\'' || c == '"' => {
                        quote = Some(c);
                        blank_ok = true;
                        i += 1;
                        continue;
                    }
                    Some(q) if c == q => {
                        quote = None;
                        i += 1;
                        continue;
                    }
                    _ => {}
                }
                if c == '\\' {
                    i += 1;
                    match t[i..end].chars().next() {
                        None => {
                            quote = None;
                            continue; // `\` at the very end is dropped
                        }
                        Some(n) => c = n,
                    }
                }
                pos.push(i);
                word.push(c);
                i += c.len_utf8();
            }
            if word == "--" {
                return (flags, if we == end { end } else { we });
            }
            if blank_ok || !word.is_empty() {
                flags.push(self.flag(lg, &word, &pos, ws, we));
            }
            if we >= end {
                return (flags, end);
            }
        }
    }

    fn flag(&self, lg: &Logical, word: &str, pos: &[usize], ws: usize, we: usize) -> Flag {
        let body = word.strip_prefix("--").unwrap_or(word);
        let (name, value, value_span) = match body.split_once('=') {
            Some((n, v)) => {
                // The value starts right after the `=` in the text (quotes included).
                let eq = word.len() - v.len() - 1;
                let ci = word[..eq].chars().count();
                let vs = pos.get(ci).map_or(we, |p| p + 1);
                (n.to_string(), Some(v.to_string()), Some(lg.range(vs, we)))
            }
            None => (body.to_string(), None, None),
        };
        Flag {
            name,
            value,
            span: lg.range(ws, we),
            value_span,
        }
    }

    fn maybe_json(&self, lg: &Logical, a: usize, b: usize) -> Result<Args, ParseError> {
        if a >= b {
            let p = lg.pos(a);
            return Ok(Args::Shell {
                span: p..p,
                text: String::new(),
                shell_source: String::new(),
            });
        }
        match json_array(&lg.text, a, b) {
            Json::Strings(items) => Ok(exec(lg, items, a, b)),
            Json::NonString(s, e) => Err(self.error(lg.range(s, e), NOT_STRINGS)),
            Json::Invalid => {
                let span = lg.range(a, b);
                let shell_source = shell_source(self.src, &span, &lg.regions);
                Ok(Args::Shell {
                    span,
                    text: lg.text[a..b].to_string(),
                    shell_source,
                })
            }
        }
    }

    fn maybe_json_to_list(&self, lg: &Logical, a: usize, b: usize) -> Result<Args, ParseError> {
        if a < b {
            match json_array(&lg.text, a, b) {
                Json::Strings(items) => return Ok(exec(lg, items, a, b)),
                Json::NonString(s, e) => return Err(self.error(lg.range(s, e), NOT_STRINGS)),
                Json::Invalid => {}
            }
        }
        Ok(Args::Words {
            words: split_words(lg, a, b),
        })
    }

    /// `ARG a b=c`: every word is a name or a name=default.
    fn name_or_name_val(&self, lg: &Logical, a: usize, b: usize) -> Args {
        let pairs = buildkit_words(&lg.text, a, b, self.escape)
            .into_iter()
            .map(|(word, ws)| self.key_value(lg, &word, ws))
            .collect();
        Args::KeyValues { pairs }
    }

    fn key_value(&self, lg: &Logical, word: &str, ws: usize) -> KeyValue {
        let we = ws + word.len();
        match word.split_once('=') {
            Some((k, v)) => {
                let eq = ws + k.len();
                KeyValue {
                    key: k.to_string(),
                    value: Some(unquote(v, self.escape)),
                    raw_value: Some(v.to_string()),
                    key_span: lg.range(ws, eq),
                    value_span: lg.range(eq + 1, we),
                    span: lg.range(ws, we),
                    legacy: false,
                }
            }
            None => {
                let key_span = lg.range(ws, we);
                KeyValue {
                    key: word.to_string(),
                    value: None,
                    raw_value: None,
                    value_span: key_span.end..key_span.end,
                    key_span,
                    span: lg.range(ws, we),
                    legacy: false,
                }
            }
        }
    }

    /// `ENV`/`LABEL`: `k=v k2="v 2"`, or the legacy `k v…` when the first word has no `=`.
    fn name_val(&self, lg: &Logical, a: usize, b: usize, kw: &str) -> Result<Args, ParseError> {
        let t = lg.text.as_str();
        let words = buildkit_words(t, a, b, self.escape);
        let Some((first, _)) = words.first() else {
            return Ok(Args::KeyValues { pairs: Vec::new() });
        };
        if !first.contains('=') {
            let Some(k_end) = t[a..b].find(is_sep).map(|i| a + i) else {
                return Err(self.error(lg.range(a, b), format!("{kw} must have two arguments")));
            };
            let mut v = k_end;
            while v < b && t[v..].starts_with(is_sep) {
                v += 1;
            }
            let raw = &t[v..b];
            return Ok(Args::KeyValues {
                pairs: vec![KeyValue {
                    key: t[a..k_end].to_string(),
                    value: Some(unquote(raw, self.escape)),
                    raw_value: Some(raw.to_string()),
                    key_span: lg.range(a, k_end),
                    value_span: lg.range(v, b),
                    span: lg.range(a, b),
                    legacy: true,
                }],
            });
        }
        let mut pairs = Vec::with_capacity(words.len());
        for (word, ws) in &words {
            if !word.contains('=') {
                return Err(self.error(
                    lg.range(*ws, ws + word.len()),
                    format!(
                        "Syntax error - can't find = in {word:?}. Must be of the form: name=value"
                    ),
                ));
            }
            pairs.push(self.key_value(lg, word, *ws));
        }
        Ok(Args::KeyValues { pairs })
    }

    fn can_contain_heredoc(&self, ins: &Instruction) -> bool {
        let target = match (ins.keyword.as_str(), &ins.sub) {
            ("ONBUILD", Some(sub)) => sub,
            _ => ins,
        };
        matches!(target.keyword.as_str(), "RUN" | "COPY" | "ADD")
            && !matches!(target.args, Args::Exec { .. })
    }

    /// Heredocs named on the line, with their bodies read from line index `next` on. Returns them
    /// and the index of the first line after the last terminator.
    fn heredocs(
        &self,
        lg: &Logical,
        end: usize,
        mut next: usize,
    ) -> Result<(Vec<Heredoc>, usize), ParseError> {
        let mut out = Vec::new();
        for (word, ws, we) in shell_words(&lg.text, 0, end) {
            let Some((strip_tabs, name_raw)) = heredoc_word(word) else {
                continue;
            };
            let name = process_word(name_raw, '\\', None).out;
            if name.is_empty() {
                continue;
            }
            let quotes = |s: &str| s.chars().filter(|c| matches!(c, '\'' | '"')).count();
            // BuildKit: the body is expanded unless quotes were removed from the word.
            let quoted = quotes(&name) != quotes(name_raw);
            let word_span = lg.range(ws, we);
            let body_start = self.lines.get(next).map_or(self.src.len(), |l| l.start);
            let mut terminated = false;
            while let Some(line) = self.lines.get(next) {
                next += 1;
                let mut cand = &self.src[line.start..line.content_end];
                if strip_tabs {
                    cand = cand.trim_start_matches('\t');
                }
                if cand == name {
                    terminated = true;
                    out.push(Heredoc {
                        delimiter: name.clone(),
                        quoted,
                        strip_tabs,
                        body: self.src[body_start..line.start].to_string(),
                        body_span: body_start..line.start,
                        word_span: word_span.clone(),
                    });
                    break;
                }
            }
            if !terminated {
                return Err(self.error(
                    word_span,
                    format!("unterminated heredoc: no line `{name}` closes it"),
                ));
            }
        }
        Ok((out, next))
    }
}

const NOT_STRINGS: &str = "when using JSON array syntax, arrays must be comprised of strings only";

fn error_at(
    src: &str,
    index: &LineIndex,
    span: Range<usize>,
    message: impl Into<String>,
) -> ParseError {
    let (line, column) = index.line_col(src, span.start);
    ParseError {
        line,
        column,
        message: message.into(),
        span,
    }
}

/// Comment line directive: `#` blanks `name` blanks `=` blanks `value` (RE2
/// `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` after the `#` and leading blanks).
fn directive(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix('#')?.trim_start_matches(is_space);
    let name_len = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    let name = &rest[..name_len];
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let re_space = |c: char| matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' ');
    let after = rest[name_len..]
        .trim_start_matches(re_space)
        .strip_prefix('=')?;
    let value = after.trim_matches(re_space);
    (!value.is_empty()).then_some((name, value))
}

fn exec(lg: &Logical, items: Vec<(String, usize, usize)>, a: usize, b: usize) -> Args {
    Args::Exec {
        items: items
            .into_iter()
            .map(|(s, ts, te)| (s, lg.range(ts, te)))
            .collect(),
        span: lg.range(a, b),
    }
}

/// `[\t\v\f\r ]+`-separated words of `text[a..b]`.
fn split_words(lg: &Logical, a: usize, b: usize) -> Vec<(String, Range<usize>)> {
    let t = lg.text.as_str();
    let mut out = Vec::new();
    let mut i = a;
    while i < b {
        while i < b && t[i..].starts_with(is_sep) {
            i += 1;
        }
        if i >= b {
            break;
        }
        let e = t[i..b].find(is_sep).map_or(b, |k| i + k);
        out.push((t[i..e].to_string(), lg.range(i, e)));
        i = e;
    }
    out
}

/// BuildKit's `parseWords`: blank-separated words, quotes and escapes kept. Each word is the text
/// at its offset (a trailing escape character at the very end is dropped, as BuildKit does).
fn buildkit_words(t: &str, a: usize, b: usize, escape: char) -> Vec<(String, usize)> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote(char),
    }
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word_start = a;
    let mut word = String::new();
    let mut blank_ok = false;
    let mut i = a;
    while i < b {
        let Some(c) = t[i..b].chars().next() else {
            break;
        };
        let w = c.len_utf8();
        match phase {
            Phase::Spaces => {
                if is_space(c) {
                    i += w;
                    continue;
                }
                phase = Phase::Word;
                word_start = i;
                continue; // re-read `c` as part of the word
            }
            Phase::Word => {
                if is_space(c) {
                    if blank_ok || !word.is_empty() {
                        words.push((std::mem::take(&mut word), word_start));
                    }
                    word.clear();
                    blank_ok = false;
                    phase = Phase::Spaces;
                    i += w;
                    continue;
                }
                if c == '\'' || c == '"' {
                    phase = Phase::Quote(c);
                    blank_ok = true;
                }
                if c == escape {
                    if i + w == b {
                        i += w;
                        continue; // escape at the very end: dropped
                    }
                    word.push(c);
                    i += w;
                    let n = t[i..b].chars().next().unwrap_or(' ');
                    word.push(n);
                    i += n.len_utf8();
                    continue;
                }
                word.push(c);
                i += w;
            }
            Phase::Quote(q) => {
                if c == q {
                    phase = Phase::Word;
                }
                if c == escape && q != '\'' {
                    if i + w == b {
                        phase = Phase::Word;
                        i += w;
                        continue;
                    }
                    word.push(c);
                    i += w;
                    let n = t[i..b].chars().next().unwrap_or(' ');
                    word.push(n);
                    i += n.len_utf8();
                    continue;
                }
                word.push(c);
                i += w;
            }
        }
    }
    if phase != Phase::Spaces && (blank_ok || !word.is_empty()) {
        words.push((word, word_start));
    }
    words
}

/// Shell-like words of `t[a..b]` as written (quotes and escapes kept), for finding heredocs; empty
/// when a quote is left open (BuildKit's lexer then fails and finds no heredoc).
fn shell_words(t: &str, a: usize, b: usize) -> Vec<(&str, usize, usize)> {
    let mut out = Vec::new();
    let bytes = t.as_bytes();
    let mut i = a;
    while i < b {
        i = skip_space(t, i, b);
        if i >= b {
            break;
        }
        let ws = i;
        while i < b {
            let Some(c) = t[i..b].chars().next() else {
                break;
            };
            if is_space(c) {
                break;
            }
            match c {
                '\\' => i += 1 + t[i + 1..b].chars().next().map_or(0, char::len_utf8),
                '\'' => match memchr::memchr(b'\'', &bytes[i + 1..b]) {
                    Some(k) => i += k + 2,
                    None => return Vec::new(),
                },
                '"' => {
                    let mut k = i + 1;
                    loop {
                        match bytes[..b].get(k) {
                            None => return Vec::new(),
                            Some(b'\\') => k += 2,
                            Some(b'"') => break,
                            Some(_) => k += 1,
                        }
                    }
                    i = k + 1;
                }
                '$' if bytes[..b].get(i + 1) == Some(&b'{') => {
                    let mut depth = 0usize;
                    let mut k = i + 1;
                    while k < b {
                        match bytes[k] {
                            b'{' => depth += 1,
                            b'}' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        k += 1;
                    }
                    i = (k + 1).min(b);
                }
                c => i += c.len_utf8(),
            }
        }
        let we = i.min(b);
        out.push((&t[ws..we], ws, we));
    }
    out
}

/// BuildKit's heredoc word: `^(\d*)<<(-?)([^<]*)$` with a non-empty rest. Returns (strip tabs,
/// the delimiter as written).
fn heredoc_word(word: &str) -> Option<(bool, &str)> {
    let rest = word
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .strip_prefix("<<")?;
    let (strip, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    (!rest.is_empty() && !rest.contains('<')).then_some((strip, rest))
}

/// `shell_source` for a shell-form span: the file text with each continuation region inside the
/// span rewritten as blanks + `\` + newline.
fn shell_source(src: &str, span: &Range<usize>, regions: &[Range<usize>]) -> String {
    let mut bytes = src.as_bytes()[span.clone()].to_vec();
    for r in regions {
        if r.start < span.start || r.end > span.end || r.end - r.start < 2 {
            continue;
        }
        let (s, e) = (r.start - span.start, r.end - span.start);
        bytes[s..e].fill(b' ');
        bytes[e - 2] = b'\\';
        bytes[e - 1] = b'\n';
    }
    // Regions start and end at ASCII bytes, so the result is valid UTF-8; fall back to a lossy
    // copy rather than panic if that ever stops being true.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

// ---------------------------------------------------------------------------------------------
// JSON (Go's encoding/json rules, enough to tell a string array from anything else)

fn json_ws(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// Parse `t[a..b]` as a JSON array of strings (whole range, blanks around allowed).
fn json_array(t: &str, a: usize, b: usize) -> Json {
    let bytes = &t.as_bytes()[..b];
    if bytes.get(a) != Some(&b'[') {
        return Json::Invalid;
    }
    let mut items = Vec::new();
    let mut non_string: Option<(usize, usize)> = None;
    let mut i = json_ws(bytes, a + 1);
    if bytes.get(i) == Some(&b']') {
        i += 1;
    } else {
        loop {
            let start = i;
            if bytes.get(i) == Some(&b'"') {
                let Some((s, e)) = json_string(t, bytes, i) else {
                    return Json::Invalid;
                };
                items.push((s, start, e));
                i = e;
            } else {
                let Some(e) = json_skip_value(bytes, i) else {
                    return Json::Invalid;
                };
                non_string.get_or_insert((start, e));
                i = e;
            }
            i = json_ws(bytes, i);
            match bytes.get(i) {
                Some(b',') => i = json_ws(bytes, i + 1),
                Some(b']') => {
                    i += 1;
                    break;
                }
                _ => return Json::Invalid,
            }
        }
    }
    if json_ws(bytes, i) != b {
        return Json::Invalid; // Go's json.Unmarshal rejects anything after the value
    }
    match non_string {
        Some((s, e)) => Json::NonString(s, e),
        None => Json::Strings(items),
    }
}

/// A JSON string starting at `i` (the `"`): decoded text and the offset after the closing quote.
fn json_string(t: &str, bytes: &[u8], i: usize) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut k = i + 1;
    loop {
        let c = *bytes.get(k)?;
        match c {
            b'"' => return Some((out, k + 1)),
            b'\\' => {
                let e = *bytes.get(k + 1)?;
                k += 2;
                match e {
                    b'"' => out.push('"'),
                    b'\\' => out.push('\\'),
                    b'/' => out.push('/'),
                    b'b' => out.push('\u{8}'),
                    b'f' => out.push('\u{c}'),
                    b'n' => out.push('\n'),
                    b'r' => out.push('\r'),
                    b't' => out.push('\t'),
                    b'u' => {
                        let hi = hex4(bytes, k)?;
                        k += 4;
                        if (0xD800..0xDC00).contains(&hi)
                            && bytes.get(k) == Some(&b'\\')
                            && bytes.get(k + 1) == Some(&b'u')
                        {
                            if let Some(lo) =
                                hex4(bytes, k + 2).filter(|lo| (0xDC00..0xE000).contains(lo))
                            {
                                k += 6;
                                let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                out.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                                continue;
                            }
                        }
                        out.push(char::from_u32(hi).unwrap_or('\u{fffd}'));
                    }
                    _ => return None,
                }
            }
            0..=0x1f => return None,
            _ => {
                let ch = t[k..].chars().next()?;
                out.push(ch);
                k += ch.len_utf8();
            }
        }
    }
}

fn hex4(bytes: &[u8], k: usize) -> Option<u32> {
    let s = bytes.get(k..k + 4)?;
    let s = std::str::from_utf8(s).ok()?;
    if !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

/// Skip one JSON value at `i`; iterative so deep nesting cannot overflow the stack (Go stops at a
/// depth of 10000, and so do we).
fn json_skip_value(bytes: &[u8], mut i: usize) -> Option<usize> {
    let mut stack: Vec<u8> = Vec::new();
    loop {
        i = json_ws(bytes, i);
        match *bytes.get(i)? {
            b'"' => i = json_skip_string(bytes, i)?,
            b'[' => {
                i = json_ws(bytes, i + 1);
                if bytes.get(i) == Some(&b']') {
                    i += 1;
                } else {
                    stack.push(b'[');
                    if stack.len() > 10_000 {
                        return None;
                    }
                    continue;
                }
            }
            b'{' => {
                i = json_ws(bytes, i + 1);
                if bytes.get(i) == Some(&b'}') {
                    i += 1;
                } else {
                    stack.push(b'{');
                    if stack.len() > 10_000 {
                        return None;
                    }
                    i = json_key(bytes, i)?;
                    continue;
                }
            }
            b't' => i = json_literal(bytes, i, b"true")?,
            b'f' => i = json_literal(bytes, i, b"false")?,
            b'n' => i = json_literal(bytes, i, b"null")?,
            b'-' | b'0'..=b'9' => i = json_number(bytes, i)?,
            _ => return None,
        }
        // After a value: commas and closing brackets.
        loop {
            let Some(&top) = stack.last() else {
                return Some(i);
            };
            i = json_ws(bytes, i);
            match (*bytes.get(i)?, top) {
                (b',', b'[') => {
                    i += 1;
                    break;
                }
                (b',', _) => {
                    i = json_key(bytes, json_ws(bytes, i + 1))?;
                    break;
                }
                (b']', b'[') | (b'}', b'{') => {
                    stack.pop();
                    i += 1;
                }
                _ => return None,
            }
        }
    }
}

/// `"key"` blanks `:`; returns the offset after the colon.
fn json_key(bytes: &[u8], i: usize) -> Option<usize> {
    if bytes.get(i) != Some(&b'"') {
        return None;
    }
    let i = json_ws(bytes, json_skip_string(bytes, i)?);
    (bytes.get(i) == Some(&b':')).then_some(i + 1)
}

fn json_skip_string(bytes: &[u8], i: usize) -> Option<usize> {
    let mut k = i + 1;
    loop {
        match *bytes.get(k)? {
            b'"' => return Some(k + 1),
            b'\\' => match *bytes.get(k + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => k += 2,
                b'u' => {
                    hex4(bytes, k + 2)?;
                    k += 6;
                }
                _ => return None,
            },
            0..=0x1f => return None,
            _ => k += 1,
        }
    }
}

fn json_literal(bytes: &[u8], i: usize, lit: &[u8]) -> Option<usize> {
    (bytes.get(i..i + lit.len())? == lit).then_some(i + lit.len())
}

fn json_number(bytes: &[u8], mut i: usize) -> Option<usize> {
    let digits = |bytes: &[u8], mut i: usize| {
        let s = i;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i > s).then_some(i)
    };
    if bytes.get(i) == Some(&b'-') {
        i += 1;
    }
    match bytes.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = digits(bytes, i)?,
        _ => return None,
    }
    if bytes.get(i) == Some(&b'.') {
        i = digits(bytes, i + 1)?;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(bytes, i)?;
    }
    Some(i)
}

// ---------------------------------------------------------------------------------------------
// Word processing and expansion (BuildKit's shell lexer, single-word mode)

struct Processed {
    out: String,
    /// A variable that decides the result was missing (only when expanding).
    unknown: bool,
    /// Some `$` reference was seen.
    used_var: bool,
}

fn process_word(word: &str, escape: char, vars: Option<&HashMap<String, String>>) -> Processed {
    let mut lx = Lexer {
        s: word,
        i: 0,
        escape,
        vars,
        unknown: false,
        used_var: false,
    };
    let out = lx.word(None);
    Processed {
        out,
        unknown: lx.unknown,
        used_var: lx.used_var,
    }
}

struct Lexer<'a> {
    s: &'a str,
    i: usize,
    escape: char,
    vars: Option<&'a HashMap<String, String>>,
    unknown: bool,
    used_var: bool,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.s[self.i..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += c.len_utf8();
        Some(c)
    }

    /// Up to the end, or to an unquoted `stop` (left unconsumed).
    fn word(&mut self, stop: Option<char>) -> String {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if Some(c) == stop {
                break;
            }
            self.bump();
            if c == self.escape {
                if let Some(n) = self.bump() {
                    out.push(n);
                }
                continue;
            }
            match c {
                '\'' => {
                    while let Some(n) = self.bump() {
                        if n == '\'' {
                            break;
                        }
                        out.push(n);
                    }
                }
                '"' => self.double_quoted(&mut out),
                '$' => self.dollar(&mut out),
                c => out.push(c),
            }
        }
        out
    }

    fn double_quoted(&mut self, out: &mut String) {
        while let Some(c) = self.bump() {
            if c == '"' {
                return;
            }
            if c == self.escape {
                match self.peek() {
                    None => return,
                    Some(n) if n == '"' || n == '$' || n == self.escape => {
                        self.bump();
                        out.push(n);
                    }
                    Some(_) => out.push(c),
                }
                continue;
            }
            if c == '$' {
                self.dollar(out);
                continue;
            }
            out.push(c);
        }
    }

    fn name(&mut self) -> String {
        let start = self.i;
        if self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
        } else {
            while self
                .peek()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                self.bump();
            }
        }
        self.s[start..self.i].to_string()
    }

    /// After a `$`.
    fn dollar(&mut self, out: &mut String) {
        let start = self.i - 1;
        match self.peek() {
            Some('{') => {
                self.bump();
                let name = self.name();
                let value = match self.peek() {
                    Some('}') => {
                        self.bump();
                        self.lookup(&name)
                    }
                    Some(':') | Some('-') | Some('+') | Some('?') => {
                        let colon = self.peek() == Some(':');
                        if colon {
                            self.bump();
                        }
                        let op = self.bump();
                        let saved = self.unknown;
                        let word = self.word(Some('}'));
                        let word_unknown = self.unknown;
                        self.unknown = saved;
                        self.bump();
                        self.modifier(&name, colon, op, word, word_unknown)
                    }
                    _ => {
                        // `${X#p}`, `${X%p}`, `${X/a/b}` and malformed ones: not evaluated.
                        let saved = self.unknown;
                        self.word(Some('}'));
                        self.unknown = saved;
                        self.bump();
                        self.used_var = true;
                        if self.vars.is_some() {
                            self.unknown = true;
                        }
                        None
                    }
                };
                self.emit(out, start, value);
            }
            Some(c) if c.is_ascii_alphanumeric() || c == '_' => {
                let name = self.name();
                let value = self.lookup(&name);
                self.emit(out, start, value);
            }
            _ => out.push('$'),
        }
    }

    /// `Some(v)`: expanded text. `None`: keep the reference as written (not expanding, or unknown).
    fn emit(&self, out: &mut String, start: usize, value: Option<String>) {
        match value {
            Some(v) => out.push_str(&v),
            None => out.push_str(&self.s[start..self.i]),
        }
    }

    fn lookup(&mut self, name: &str) -> Option<String> {
        self.used_var = true;
        let vars = self.vars?;
        match vars.get(name) {
            Some(v) => Some(v.clone()),
            None => {
                self.unknown = true;
                None
            }
        }
    }

    fn modifier(
        &mut self,
        name: &str,
        colon: bool,
        op: Option<char>,
        word: String,
        word_unknown: bool,
    ) -> Option<String> {
        self.used_var = true;
        let vars = self.vars?;
        let set = vars.get(name).map(|v| !(colon && v.is_empty()));
        let use_word = |lx: &mut Self| {
            lx.unknown |= word_unknown;
            Some(word.clone())
        };
        match (op, set) {
            (Some('-'), Some(true)) => vars.get(name).cloned(),
            (Some('-'), _) => use_word(self),
            (Some('+'), Some(true)) => use_word(self),
            (Some('+'), Some(false)) => Some(String::new()),
            (Some('?'), Some(true)) => vars.get(name).cloned(),
            _ => {
                self.unknown = true;
                None
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Stages

fn build_stages(df: &mut Dockerfile) {
    let mut vars: HashMap<String, String> = HashMap::new();
    let mut stages: Vec<Stage> = Vec::new();
    for (idx, ins) in df.instructions.iter().enumerate() {
        match ins.keyword.as_str() {
            "ARG" if stages.is_empty() => {
                let Args::KeyValues { pairs } = &ins.args else {
                    continue;
                };
                for kv in pairs {
                    df.global_args.push(ArgDecl {
                        name: kv.key.clone(),
                        default: kv.value.clone(),
                        span: kv.span.clone(),
                    });
                    if let Some(raw) = &kv.raw_value {
                        let p = process_word(raw, df.escape, Some(&vars));
                        if p.unknown {
                            vars.remove(&kv.key);
                        } else {
                            vars.insert(kv.key.clone(), p.out);
                        }
                    }
                }
            }
            "FROM" => {
                if let Some(prev) = stages.last_mut() {
                    prev.instructions.end = idx;
                }
                let words: &[(String, Range<usize>)] = match &ins.args {
                    Args::Words { words } => words,
                    _ => &[],
                };
                let (image_raw, image_span) = match words.first() {
                    Some((w, s)) => (w.clone(), s.clone()),
                    None => (String::new(), ins.keyword_span.end..ins.keyword_span.end),
                };
                let alias = match words {
                    [_, as_kw, name] if as_kw.0.eq_ignore_ascii_case("as") => {
                        Some(name.0.to_lowercase())
                    }
                    _ => None,
                };
                let p = process_word(&image_raw, df.escape, Some(&vars));
                let image = (!p.unknown && !image_raw.is_empty()).then_some(p.out);
                let parent_stage = image.as_ref().and_then(|img| {
                    let img = img.to_lowercase();
                    stages
                        .iter()
                        .rposition(|s| s.alias.as_deref() == Some(img.as_str()))
                });
                stages.push(Stage {
                    index: stages.len(),
                    from_span: ins.span.clone(),
                    image_span,
                    image_raw,
                    image,
                    image_depends_on_arg: p.used_var,
                    alias,
                    parent_stage,
                    platform: ins
                        .flags
                        .iter()
                        .find(|f| f.name == "platform")
                        .and_then(|f| f.value.clone()),
                    instructions: idx + 1..df.instructions.len(),
                });
            }
            _ => {}
        }
    }
    df.stages = stages;
}

// ---------------------------------------------------------------------------------------------
// Instruction-level checks (BuildKit's `instructions.Parse`)

fn validate(df: &Dockerfile, src: &str) -> Result<(), ParseError> {
    let index = LineIndex::new(src);
    let err = |span: &Range<usize>, msg: String| Err(error_at(src, &index, span.clone(), msg));
    let mut seen_from = false;
    for ins in &df.instructions {
        check_instruction(ins).or_else(|(span, msg)| err(&span, msg))?;
        match ins.keyword.as_str() {
            "FROM" => seen_from = true,
            "ARG" => {}
            kw if !seen_from => {
                return err(
                    &ins.keyword_span,
                    format!("{kw} before the first FROM: no build stage in current context"),
                );
            }
            _ => {}
        }
    }
    if !seen_from {
        let at = df
            .instructions
            .first()
            .map_or(0..0, |i| i.keyword_span.clone());
        return err(
            &at,
            "no FROM instruction: the Dockerfile contains no stages to build".into(),
        );
    }
    Ok(())
}

type Check = Result<(), (Range<usize>, String)>;

fn check_instruction(ins: &Instruction) -> Check {
    let kw = ins.keyword.as_str();
    let here = |msg: String| Err((ins.keyword_span.clone(), msg));
    let n = ins.args.count();
    match kw {
        "FROM" => {
            let Args::Words { words } = &ins.args else {
                return Ok(());
            };
            match words.as_slice() {
                [] => return here("FROM has no image: FROM requires either one or three arguments (FROM image [AS name])".into()),
                [_] => {}
                [_, as_kw, name] if as_kw.0.eq_ignore_ascii_case("as") => {
                    let lower = name.0.to_lowercase();
                    let ok = lower.starts_with(|c: char| c.is_ascii_lowercase())
                        && lower.chars().all(|c| {
                            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.')
                        });
                    if !ok {
                        return Err((
                            name.1.clone(),
                            format!("invalid name for build stage: {:?}, name can't start with a number or contain symbols", name.0),
                        ));
                    }
                }
                _ => return here("FROM requires either one or three arguments (FROM image [AS name])".into()),
            }
        }
        "ENV" | "LABEL" | "ARG" => {
            let Args::KeyValues { pairs } = &ins.args else {
                return Ok(());
            };
            if pairs.is_empty() {
                return here(format!("{kw} requires at least one argument"));
            }
            if let Some(kv) = pairs.iter().find(|kv| kv.key.is_empty()) {
                return Err((kv.span.clone(), format!("{kw} names can not be blank")));
            }
        }
        "ADD" | "COPY" if n < 2 => {
            return here(format!(
                "{kw} requires at least two arguments, but only {} provided. Destination could not be determined",
                if n == 0 { "none was" } else { "one was" }
            ));
        }
        "EXPOSE" | "VOLUME" if n == 0 => {
            return here(format!("{kw} requires at least one argument"));
        }
        "MAINTAINER" | "STOPSIGNAL" | "USER" | "WORKDIR" if n != 1 => {
            return here(format!("{kw} requires exactly one argument"));
        }
        "SHELL" if !matches!(&ins.args, Args::Exec { items, .. } if !items.is_empty()) => {
            return here("SHELL requires the arguments to be in JSON form".into());
        }
        "HEALTHCHECK" => {
            let Some(sub) = &ins.sub else {
                return here("HEALTHCHECK requires at least one argument".into());
            };
            match sub.keyword.as_str() {
                "NONE" if sub.args.count() > 0 => {
                    return Err((
                        sub.span.clone(),
                        "HEALTHCHECK NONE takes no arguments".into(),
                    ))
                }
                "NONE" => {}
                "CMD" if sub.args.count() == 0 => {
                    return Err((
                        sub.span.clone(),
                        "Missing command after HEALTHCHECK CMD".into(),
                    ))
                }
                "CMD" => {}
                _ => {
                    return Err((
                        sub.keyword_span.clone(),
                        format!("Unknown type {:?} in HEALTHCHECK (try CMD)", sub.keyword),
                    ))
                }
            }
        }
        "ONBUILD" => {
            let Some(sub) = &ins.sub else {
                return here("ONBUILD requires at least one argument".into());
            };
            match sub.keyword.as_str() {
                "ONBUILD" => {
                    return Err((
                        sub.keyword_span.clone(),
                        "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".into(),
                    ))
                }
                "MAINTAINER" | "FROM" => {
                    return Err((
                        sub.keyword_span.clone(),
                        format!("{} isn't allowed as an ONBUILD trigger", sub.keyword),
                    ))
                }
                // The trigger itself is only dispatched when a child image builds.
                _ => {}
            }
        }
        _ if !INSTRUCTIONS.contains(&kw) => {
            let mut msg = format!("unknown instruction: {kw}");
            if let Some(s) = suggest(kw) {
                msg.push_str(&format!(" (did you mean {s}?)"));
            }
            return here(msg);
        }
        _ => {}
    }
    Ok(())
}

/// The known instruction closest to `kw` (edit distance ≤ 2), for "did you mean".
fn suggest(kw: &str) -> Option<&'static str> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, cb) in b.iter().enumerate() {
                let sub = prev[j] + usize::from(ca != *cb);
                cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    }
    if kw.len() > 40 {
        return None;
    }
    INSTRUCTIONS
        .iter()
        .map(|k| (distance(kw, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

// ---------------------------------------------------------------------------------------------
// BuildKit's AST dump (`Node.Dump`), for the conformance corpus

/// One `(keyword "arg" …)` line per instruction, as BuildKit's parser tests print them.
pub fn buildkit_dump(df: &Dockerfile, src: &str) -> String {
    let mut out = String::new();
    for ins in &df.instructions {
        out.push('(');
        out.push_str(&dump_node(ins, src));
        out.push_str(")\n");
    }
    out
}

fn dump_node(ins: &Instruction, src: &str) -> String {
    let mut s = ins.keyword.to_lowercase();
    if !ins.flags.is_empty() {
        let flags: Vec<String> = ins.flags.iter().map(|f| go_quote(&f.word())).collect();
        s.push_str(&format!(" [{}]", flags.join(" ")));
    }
    let mut push = |s: &mut String, v: &str| {
        s.push(' ');
        s.push_str(&go_quote(v));
    };
    match (ins.keyword.as_str(), &ins.sub) {
        ("ONBUILD", Some(sub)) => {
            s.push_str(&format!(" ({})", dump_node(sub, src)));
            return s;
        }
        ("HEALTHCHECK", Some(sub)) => {
            push(
                &mut s,
                src.get(sub.keyword_span.clone()).unwrap_or(&sub.keyword),
            );
            dump_args(&mut s, sub, &mut push);
            return s;
        }
        (kw, _) if !INSTRUCTIONS.contains(&kw) => {
            push(&mut s, "");
            return s;
        }
        _ => {}
    }
    dump_args(&mut s, ins, &mut push);
    s
}

fn dump_args(s: &mut String, ins: &Instruction, push: &mut impl FnMut(&mut String, &str)) {
    match &ins.args {
        Args::Shell { text, .. } if !text.is_empty() => push(s, text),
        Args::Shell { .. } => {}
        Args::Exec { items, .. } => items.iter().for_each(|(v, _)| push(s, v)),
        Args::Words { words } => words.iter().for_each(|(v, _)| push(s, v)),
        Args::KeyValues { pairs } => {
            for kv in pairs {
                let raw = kv.raw_value.as_deref();
                if ins.keyword == "ARG" {
                    match raw {
                        Some(v) => push(s, &format!("{}={}", kv.key, v)),
                        None => push(s, &kv.key),
                    }
                } else {
                    push(s, &kv.key);
                    push(s, raw.unwrap_or(""));
                    push(s, if kv.legacy { "" } else { "=" });
                }
            }
        }
    }
}

/// Go's `strconv.Quote`.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if go_is_print(c) => out.push(c),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.IsPrint`, approximated without Unicode tables: letters, marks, numbers,
/// punctuation, symbols and U+0020 (not controls, other spaces, format characters, private use).
fn go_is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c as u32,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E
        | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF
        | 0xFFFE | 0xFFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(src: &str) -> Dockerfile {
        match parse(src) {
            Ok(df) => df,
            Err(e) => panic!("{e}\n--- source ---\n{src}"),
        }
    }

    fn syntax(src: &str) -> Dockerfile {
        match parse_syntax(src) {
            Ok(df) => df,
            Err(e) => panic!("{e}\n--- source ---\n{src}"),
        }
    }

    fn err(src: &str) -> ParseError {
        match parse(src) {
            Ok(df) => panic!("expected an error, got {df:#?}"),
            Err(e) => e,
        }
    }

    /// (span, text, shell_source) of a shell-form instruction.
    fn shell(ins: &Instruction) -> (Range<usize>, &str, &str) {
        match &ins.args {
            Args::Shell {
                span,
                text,
                shell_source,
            } => (span.clone(), text, shell_source),
            other => panic!("{} is not shell form: {other:?}", ins.keyword),
        }
    }

    fn pairs(ins: &Instruction) -> &[KeyValue] {
        match &ins.args {
            Args::KeyValues { pairs } => pairs,
            other => panic!("{} has no key/values: {other:?}", ins.keyword),
        }
    }

    fn words(ins: &Instruction) -> Vec<&str> {
        match &ins.args {
            Args::Words { words } => words.iter().map(|(w, _)| w.as_str()).collect(),
            other => panic!("{} has no words: {other:?}", ins.keyword),
        }
    }

    #[test]
    fn continuation_lines_join_like_buildkit() {
        let src = "FROM alpine\nrun apk add \\\n    curl \\\n  && echo done\n";
        let df = ok(src);
        let run = &df.instructions[1];
        assert_eq!(run.keyword, "RUN");
        assert_eq!((run.line, run.end_line), (2, 4));
        assert_eq!(&src[run.keyword_span.clone()], "run");
        assert_eq!(
            &src[run.span.clone()],
            "run apk add \\\n    curl \\\n  && echo done"
        );
        let (span, text, shell_source) = shell(run);
        // BuildKit keeps the blank before the escape and the indentation of continuation lines.
        assert_eq!(text, "apk add     curl   && echo done");
        assert_eq!(span, 16..51);
        assert_eq!(shell_source, &src[span]);
    }

    #[test]
    fn blanks_after_the_escape_still_continue_and_shell_source_keeps_its_length() {
        let src = "FROM a\nRUN echo hello  \\  \nworld\nENV C=trailing\\\\\nENV D=x\n";
        let df = ok(src);
        let (span, text, shell_source) = shell(&df.instructions[1]);
        assert_eq!(text, "echo hello  world");
        assert_eq!(&src[span.clone()], "echo hello  \\  \nworld");
        assert_eq!(shell_source, "echo hello    \\\nworld");
        assert_eq!(shell_source.len(), span.len());
        // An escaped escape at the end of a line is not a continuation.
        assert_eq!(
            pairs(&df.instructions[2])[0].raw_value.as_deref(),
            Some("trailing\\\\")
        );
        assert_eq!(df.instructions[3].keyword, "ENV");
    }

    #[test]
    fn escape_directive_with_backtick() {
        let src = "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN dir c:\\ `\n    && echo done\nWORKDIR c:\\app\\\n";
        let df = ok(src);
        assert_eq!(df.escape, '`');
        assert_eq!(df.directives.len(), 1);
        assert_eq!(
            (
                df.directives[0].name.as_str(),
                df.directives[0].value.as_str()
            ),
            ("escape", "`")
        );
        let (span, text, shell_source) = shell(&df.instructions[1]);
        assert_eq!(text, "dir c:\\     && echo done");
        assert_eq!(&src[span], "dir c:\\ `\n    && echo done");
        // The backtick continuation becomes `\` + newline for a POSIX shell parser.
        assert_eq!(shell_source, "dir c:\\ \\\n    && echo done");
        // A trailing backslash is plain text with this escape character.
        assert_eq!(words(&df.instructions[2]), ["c:\\app\\"]);
        assert_eq!(df.instructions.len(), 3);
    }

    #[test]
    fn directives_only_count_before_anything_else() {
        let df = ok("# hello\n# escape=`\nFROM a\nENV X=`\n");
        assert_eq!(df.escape, '\\');
        assert!(df.directives.is_empty());
        assert_eq!(pairs(&df.instructions[1])[0].value.as_deref(), Some("`"));
        assert_eq!(df.comments.len(), 2);

        let df = ok("# SYNTAX = docker/dockerfile:1\n#Escape = `\n\nFROM a\n");
        assert_eq!(df.escape, '`');
        let names: Vec<_> = df
            .directives
            .iter()
            .map(|d| (d.name.as_str(), d.value.as_str()))
            .collect();
        assert_eq!(names, [("syntax", "docker/dockerfile:1"), ("escape", "`")]);

        let e = err("# escape=`\n# escape=\\\nFROM a\n");
        assert_eq!((e.line, e.column), (2, 1));
        assert_eq!(e.message, "only one escape parser directive can be used");
        let e = err("# escape=x\nFROM a\n");
        assert_eq!((e.line, e.column), (1, 1));
        assert!(
            e.message.contains("invalid escape token 'x'"),
            "{}",
            e.message
        );
    }

    #[test]
    fn heredocs_with_exact_body_spans() {
        let src = "FROM debian\nRUN <<EOF\napt-get update\npip install x\nEOF\nRUN cat <<-'EOT' > /x\n\tindented\n\tEOT\nCOPY <<A <<\"B\" /dest/\na\nA\nb\nB\nRUN echo after\n";
        let df = ok(src);
        assert_eq!(df.instructions.len(), 5);
        let run = &df.instructions[1];
        assert_eq!(shell(run).1, "<<EOF");
        let h = &run.heredocs[0];
        assert_eq!(
            (h.delimiter.as_str(), h.quoted, h.strip_tabs),
            ("EOF", false, false)
        );
        assert_eq!(h.body, "apt-get update\npip install x\n");
        assert_eq!(h.body_span, 22..51);
        assert_eq!(&src[h.body_span.clone()], h.body);
        assert_eq!(&src[h.word_span.clone()], "<<EOF");
        assert_eq!(
            &src[run.span.clone()],
            "RUN <<EOF\napt-get update\npip install x\nEOF"
        );
        assert_eq!((run.line, run.end_line), (2, 5));

        let h = &df.instructions[2].heredocs[0];
        assert_eq!(
            (h.delimiter.as_str(), h.quoted, h.strip_tabs),
            ("EOT", true, true)
        );
        assert_eq!(h.body, "\tindented\n");

        let copy = &df.instructions[3];
        assert_eq!(words(copy), ["<<A", "<<\"B\"", "/dest/"]);
        let hs: Vec<_> = copy
            .heredocs
            .iter()
            .map(|h| (h.delimiter.as_str(), h.quoted, h.body.as_str()))
            .collect();
        assert_eq!(hs, [("A", false, "a\n"), ("B", true, "b\n")]);
        assert_eq!(df.instructions[4].line, 14);
    }

    #[test]
    fn heredoc_errors_and_non_heredocs() {
        let e = err("FROM a\nRUN <<EOF\necho hi\n");
        assert_eq!((e.line, e.column), (2, 5));
        assert!(
            e.message.starts_with("unterminated heredoc"),
            "{}",
            e.message
        );
        // Exec form never has heredocs: the next lines are instructions of their own.
        let df = syntax("FROM a\nRUN [\"sh\", \"-c\", \"cat <<EOF\"]\nEOF\n");
        assert!(df.instructions[1].heredocs.is_empty());
        assert_eq!(df.instructions[2].keyword, "EOF");
        // BuildKit only sees a heredoc in a word that starts with `<<`.
        let df = syntax("FROM a\nRUN cat<<EOF\nx\nEOF\n");
        assert!(df.instructions[1].heredocs.is_empty());
        assert_eq!(df.instructions.len(), 4);
    }

    #[test]
    fn json_form_only_for_valid_string_arrays() {
        let src = "FROM a\nCMD [\"python3\", \"-m\", \"http.server\"]\nENTRYPOINT ['sh', '-c']\nRUN [\"echo\"] && true\nCMD []\nCMD [\"a\\u00e9\\n\\\"\"]\n";
        let df = ok(src);
        match &df.instructions[1].args {
            Args::Exec { items, span } => {
                let got: Vec<_> = items
                    .iter()
                    .map(|(s, r)| (s.as_str(), &src[r.clone()]))
                    .collect();
                assert_eq!(
                    got,
                    [
                        ("python3", "\"python3\""),
                        ("-m", "\"-m\""),
                        ("http.server", "\"http.server\"")
                    ]
                );
                assert_eq!(&src[span.clone()], "[\"python3\", \"-m\", \"http.server\"]");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(shell(&df.instructions[2]).1, "['sh', '-c']");
        // Go's json.Unmarshal rejects trailing text, so this is shell form (BuildKit ≥ 0.15).
        assert_eq!(shell(&df.instructions[3]).1, "[\"echo\"] && true");
        assert!(matches!(&df.instructions[4].args, Args::Exec { items, .. } if items.is_empty()));
        assert!(
            matches!(&df.instructions[5].args, Args::Exec { items, .. } if items[0].0 == "a\u{e9}\n\"")
        );

        let e = err("FROM a\nCMD [\"é\", 1]\n");
        assert_eq!((e.line, e.column), (2, 11));
        assert_eq!(e.message, NOT_STRINGS);
        let e = err("FROM a\nVOLUME [\"a\", [\"b\"]]\n");
        assert_eq!((e.line, e.column, e.message.as_str()), (2, 14, NOT_STRINGS));
        // Not JSON as a whole (text after the array): whitespace-separated words.
        let df = ok("FROM a\nCOPY [\"a\", [\"b\"]] /x\n");
        assert_eq!(words(&df.instructions[1]), ["[\"a\",", "[\"b\"]]", "/x"]);
    }

    #[test]
    fn from_expands_global_arg_defaults() {
        let src = "ARG BASE=debian\nARG TAG=\"bookworm-slim\"\nARG PY\nFROM ${BASE}:${TAG} AS Build\nFROM python:${PY}\nFROM python:${PY:-3.12}-slim\nFROM build\nARG BASE=ubuntu\nRUN true\n";
        let df = ok(src);
        let globals: Vec<_> = df
            .global_args
            .iter()
            .map(|a| (a.name.as_str(), a.default.as_deref()))
            .collect();
        assert_eq!(
            globals,
            [
                ("BASE", Some("debian")),
                ("TAG", Some("bookworm-slim")),
                ("PY", None)
            ]
        );
        let s = &df.stages;
        assert_eq!(s.len(), 4);
        assert_eq!(s[0].image_raw, "${BASE}:${TAG}");
        assert_eq!(&src[s[0].image_span.clone()], "${BASE}:${TAG}");
        assert_eq!(s[0].image.as_deref(), Some("debian:bookworm-slim"));
        assert!(s[0].image_depends_on_arg);
        assert_eq!(s[0].alias.as_deref(), Some("build"));
        assert_eq!(
            (s[1].image.as_deref(), s[1].image_depends_on_arg),
            (None, true)
        );
        assert_eq!(s[2].image.as_deref(), Some("python:3.12-slim"));
        assert_eq!(
            (
                s[3].image.as_deref(),
                s[3].parent_stage,
                s[3].image_depends_on_arg
            ),
            (Some("build"), Some(0), false)
        );
        assert_eq!(s[3].instructions, 7..9);
        assert_eq!(s[0].instructions, 4..4);
        assert_eq!(df.stage_of(8).map(|s| s.index), Some(3));
        assert_eq!(&src[s[3].from_span.clone()], "FROM build");
    }

    #[test]
    fn stage_platform_flag_and_other_flags() {
        let src = "FROM --platform=$BUILDPLATFORM golang:1.22 AS builder\nRUN --mount=type=cache,target=/root/.cache/pip --network=none pip install x\nCOPY --from=builder --chown=app:app --link /src /dst\nRUN --mount=\"type=secret,id=tok\" cat /run/secrets/tok\nCOPY -- --weird /dst\n";
        let df = ok(src);
        assert_eq!(df.stages[0].platform.as_deref(), Some("$BUILDPLATFORM"));
        assert_eq!(df.stages[0].image.as_deref(), Some("golang:1.22"));
        let run = &df.instructions[1];
        let flags: Vec<_> = run
            .flags
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_deref()))
            .collect();
        assert_eq!(
            flags,
            [
                ("mount", Some("type=cache,target=/root/.cache/pip")),
                ("network", Some("none"))
            ]
        );
        assert_eq!(&src[run.flags[1].span.clone()], "--network=none");
        assert_eq!(
            &src[run.flags[0].value_span.clone().expect("value")],
            "type=cache,target=/root/.cache/pip"
        );
        assert_eq!(shell(run).1, "pip install x");
        let copy = &df.instructions[2];
        assert_eq!(copy.flags[2].name, "link");
        assert_eq!(copy.flags[2].value, None);
        assert_eq!(words(copy), ["/src", "/dst"]);
        let quoted = &df.instructions[3].flags[0];
        assert_eq!(quoted.value.as_deref(), Some("type=secret,id=tok"));
        assert_eq!(
            &src[quoted.value_span.clone().expect("value")],
            "\"type=secret,id=tok\""
        );
        assert!(df.instructions[4].flags.is_empty());
        assert_eq!(words(&df.instructions[4]), ["--weird", "/dst"]);
    }

    #[test]
    fn comments_inside_a_continuation_are_dropped() {
        let src = "FROM a\nRUN apt-get update \\\n# a comment that BuildKit drops\n    && apt-get install -y python3 \\\n\n    && rm -rf /var/lib/apt/lists\n";
        let df = ok(src);
        let run = &df.instructions[1];
        let (span, text, shell_source) = shell(run);
        assert_eq!(
            text,
            "apt-get update     && apt-get install -y python3     && rm -rf /var/lib/apt/lists"
        );
        assert_eq!(shell_source.len(), span.len());
        let expected = src[span.clone()]
            .replace(
                "\\\n# a comment that BuildKit drops\n",
                &format!("{}\\\n", " ".repeat(32)),
            )
            .replace("\\\n\n", " \\\n");
        assert_eq!(shell_source, expected);
        // Every newline left is a continuation for a POSIX shell.
        assert!(shell_source
            .match_indices('\n')
            .all(|(i, _)| shell_source.as_bytes()[i - 1] == b'\\'));
        assert_eq!((run.line, run.end_line), (2, 6));
        let c = &df.comments[0];
        assert_eq!(&src[c.clone()], "# a comment that BuildKit drops");
    }

    #[test]
    fn crlf_line_endings() {
        let src = "FROM a\r\nRUN echo hi \\\r\n  there\r\nENV A=b\r\n";
        let df = ok(src);
        assert_eq!(df.stages[0].image.as_deref(), Some("a"));
        let (span, text, shell_source) = shell(&df.instructions[1]);
        assert_eq!(text, "echo hi   there");
        assert_eq!(span, 12..30);
        assert_eq!(shell_source, "echo hi  \\\n  there");
        let kv = &pairs(&df.instructions[2])[0];
        assert_eq!((kv.span.clone(), kv.value.as_deref()), (36..39, Some("b")));
        assert_eq!(df.instructions[2].span, 32..39);
    }

    #[test]
    fn non_ascii_text_before_a_run_gives_byte_spans() {
        let src =
            "# résumé ünïcödé\nFROM a\nLABEL description=\"café ☕\"\nRUN pip install flask\n";
        let df = ok(src);
        let kv = &pairs(&df.instructions[1])[0];
        assert_eq!(kv.value.as_deref(), Some("café ☕"));
        assert_eq!(kv.value_span, 48..59);
        let run = &df.instructions[2];
        assert_eq!(run.line, 4);
        assert_eq!(run.span, 60..81);
        assert_eq!(shell(run).0, 64..81);
        assert_eq!(&src[64..81], "pip install flask");
    }

    #[test]
    fn env_label_and_arg_forms() {
        let src = "FROM a\nENV A=1 B=\"two words\" C=three\\ words\nENV PATH /opt/venv/bin:$PATH\nLABEL maintainer Jane \"Doe\"\nARG V=1 W\n";
        let df = ok(src);
        let env: Vec<_> = pairs(&df.instructions[1])
            .iter()
            .map(|kv| {
                (
                    kv.key.as_str(),
                    kv.value.as_deref(),
                    kv.raw_value.as_deref(),
                    kv.legacy,
                )
            })
            .collect();
        assert_eq!(
            env,
            [
                ("A", Some("1"), Some("1"), false),
                ("B", Some("two words"), Some("\"two words\""), false),
                ("C", Some("three words"), Some("three\\ words"), false),
            ]
        );
        let b = &pairs(&df.instructions[1])[1];
        assert_eq!(&src[b.key_span.clone()], "B");
        assert_eq!(&src[b.value_span.clone()], "\"two words\"");
        let path = &pairs(&df.instructions[2])[0];
        assert_eq!(
            (path.key.as_str(), path.value.as_deref(), path.legacy),
            ("PATH", Some("/opt/venv/bin:$PATH"), true)
        );
        assert_eq!(
            pairs(&df.instructions[3])[0].value.as_deref(),
            Some("Jane Doe")
        );
        let arg: Vec<_> = pairs(&df.instructions[4])
            .iter()
            .map(|kv| (kv.key.as_str(), kv.value.as_deref()))
            .collect();
        assert_eq!(arg, [("V", Some("1")), ("W", None)]);

        let e = err("FROM a\nENV X\n");
        assert_eq!(
            (e.line, e.column, e.message.as_str()),
            (2, 5, "ENV must have two arguments")
        );
        let e = err("FROM a\nENV A=1 B\n");
        assert_eq!((e.line, e.column), (2, 9));
        assert!(e.message.contains("can't find = in \"B\""), "{}", e.message);
    }

    #[test]
    fn what_buildkit_rejects_before_building() {
        let e = err("FROM a\nRUNN echo\n");
        assert_eq!((e.line, e.column), (2, 1));
        assert_eq!(e.message, "unknown instruction: RUNN (did you mean RUN?)");
        assert_eq!(
            syntax("FROM a\nRUNN echo\n").instructions[1].keyword,
            "RUNN"
        );

        for src in ["FROM\n", "FROM --platform=linux/amd64\n"] {
            let e = err(src);
            assert_eq!((e.line, e.column), (1, 1));
            assert!(e.message.starts_with("FROM has no image"), "{}", e.message);
        }
        let e = err("FROM a AS 1x\n");
        assert_eq!((e.line, e.column), (1, 11));
        let e = err("FROM a b\n");
        assert!(e
            .message
            .starts_with("FROM requires either one or three arguments"));
        let e = err("ARG X=1\nRUN x\nFROM a\n");
        assert_eq!((e.line, e.column), (2, 1));
        assert!(e.message.contains("no build stage"), "{}", e.message);
        let e = err("# only a comment\n\n");
        assert_eq!(e.message, "the Dockerfile has no instructions");
        let e = err("ARG A=1\n");
        assert!(e.message.contains("no stages to build"), "{}", e.message);
        let e = err("FROM a\nHEALTHCHECK CONNECT TCP 7000\n");
        assert_eq!((e.line, e.column), (2, 13));
        assert!(
            syntax("FROM a\nHEALTHCHECK CONNECT TCP 7000\n").instructions[1]
                .sub
                .is_some()
        );
        let e = err("FROM a\nCOPY onlyone\n");
        assert!(
            e.message
                .starts_with("COPY requires at least two arguments"),
            "{}",
            e.message
        );
        let e = err("FROM a\nSHELL /bin/bash -c\n");
        assert_eq!(e.message, "SHELL requires the arguments to be in JSON form");
        let e = err("FROM a\nONBUILD FROM b\n");
        assert_eq!((e.line, e.column), (2, 9));
        let e = err("FROM a\nUSER\n");
        assert_eq!(e.message, "USER requires exactly one argument");
    }

    #[test]
    fn onbuild_and_healthcheck_hold_a_sub_instruction() {
        let src = "FROM a\nONBUILD RUN pip install -r requirements.txt\nHEALTHCHECK --interval=5s CMD [\"curl\", \"-f\", \"http://localhost/\"]\nHEALTHCHECK NONE\n";
        let df = ok(src);
        let sub = df.instructions[1].sub.as_deref().expect("trigger");
        assert_eq!(sub.keyword, "RUN");
        assert_eq!(&src[sub.keyword_span.clone()], "RUN");
        assert_eq!(shell(sub).1, "pip install -r requirements.txt");
        assert_eq!(&src[shell(sub).0], "pip install -r requirements.txt");
        let hc = &df.instructions[2];
        assert_eq!(hc.flags[0].name, "interval");
        let cmd = hc.sub.as_deref().expect("type");
        assert_eq!(cmd.keyword, "CMD");
        assert!(matches!(&cmd.args, Args::Exec { items, .. } if items.len() == 3));
        assert_eq!(
            df.instructions[3]
                .sub
                .as_deref()
                .map(|s| s.keyword.as_str()),
            Some("NONE")
        );
    }

    #[test]
    fn buildkit_dump_format() {
        let src = "FROM a\nONBUILD RUN [\"echo\", \"hi\"]\nhealthcheck --interval=5s cmd curl -f http://x/ || exit 1\nENV A=1 B=\"x y\"\nENV C d e\nARG V=1 W\nCMD --doit [\"a\"]\nFOO bar\nRUN echo \"tab\there\"\n";
        let df = syntax(src);
        let dump = buildkit_dump(&df, src);
        assert_eq!(
            dump,
            "(from \"a\")\n(onbuild (run \"echo\" \"hi\"))\n(healthcheck [\"--interval=5s\"] \"cmd\" \"curl -f http://x/ || exit 1\")\n(env \"A\" \"1\" \"=\" \"B\" \"\\\"x y\\\"\" \"=\")\n(env \"C\" \"d e\" \"\")\n(arg \"V=1\" \"W\")\n(cmd [\"--doit\"] \"a\")\n(foo \"\")\n(run \"echo \\\"tab\\there\\\"\")\n"
        );
        assert_eq!(
            go_quote("é\u{0}\u{7f}\u{200b}\u{1F600}"),
            "\"é\\x00\\x7f\\u200b\u{1F600}\""
        );
    }

    #[test]
    fn expand_and_unquote() {
        let vars: HashMap<String, String> = [("A", "1"), ("E", "")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let cases: &[(&str, Option<&str>)] = &[
            ("$A", Some("1")),
            ("${A}", Some("1")),
            ("x${A}y", Some("x1y")),
            ("$B", None),           // unknown variable
            ("${B:-d}", Some("d")), // unknown counts as unset for `-`
            ("${E:-d}", Some("d")),
            ("${E-d}", Some("")),
            ("${A:+alt}", Some("alt")),
            ("${E:+alt}", Some("")),
            ("${B:+alt}", None),
            ("'$A'", Some("$A")),
            ("\"$A\"", Some("1")),
            ("\\$A", Some("$A")),
            ("${B:-$A}", Some("1")),
            ("${A:-$B}", Some("1")), // the unused default does not matter
            ("${A#x}", None),        // pattern operators are not evaluated
            ("$", Some("$")),
            ("a$-b", Some("a$-b")),
        ];
        for (word, want) in cases {
            assert_eq!(expand(word, &vars).as_deref(), *want, "expand({word:?})");
        }
        assert_eq!(unquote("\"a b\"", '\\'), "a b");
        assert_eq!(unquote("a\\ b", '\\'), "a b");
        assert_eq!(unquote("'x\\y'", '\\'), "x\\y");
        assert_eq!(unquote("a` b", '`'), "a b");
        assert_eq!(unquote("\"$HOME\"/x", '\\'), "$HOME/x");
    }

    /// Tiny deterministic generator (xorshift64*).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
    }

    fn check_spans(src: &str, ins: &Instruction) {
        let ok = |r: &Range<usize>| {
            r.start <= r.end
                && r.end <= src.len()
                && src.is_char_boundary(r.start)
                && src.is_char_boundary(r.end)
        };
        assert!(ok(&ins.span) && ok(&ins.keyword_span), "{src:?}");
        assert!(ins.flags.iter().all(|f| ok(&f.span)), "{src:?}");
        match &ins.args {
            Args::Shell {
                span, shell_source, ..
            } => assert!(ok(span) && shell_source.len() == span.len(), "{src:?}"),
            Args::Exec { items, span } => {
                assert!(ok(span) && items.iter().all(|(_, r)| ok(r)), "{src:?}")
            }
            Args::KeyValues { pairs } => assert!(
                pairs
                    .iter()
                    .all(|kv| ok(&kv.span) && ok(&kv.key_span) && ok(&kv.value_span)),
                "{src:?}"
            ),
            Args::Words { words } => assert!(words.iter().all(|(_, r)| ok(r)), "{src:?}"),
        }
        assert!(
            ins.heredocs
                .iter()
                .all(|h| ok(&h.body_span) && src[h.body_span.clone()] == h.body),
            "{src:?}"
        );
        if let Some(sub) = &ins.sub {
            check_spans(src, sub);
        }
    }

    #[test]
    fn arbitrary_input_never_panics_and_spans_stay_in_bounds() {
        const PIECES: &[&str] = &[
            "RUN ",
            "FROM ",
            "ENV ",
            "ARG ",
            "COPY ",
            "ONBUILD ",
            "HEALTHCHECK ",
            "CMD ",
            "LABEL ",
            " ",
            "\t",
            "\\",
            "`",
            "\n",
            "\r\n",
            "#",
            "# escape=`\n",
            "<<EOF",
            "<<-'X'",
            "EOF",
            "X",
            "[",
            "]",
            "\"",
            "'",
            "=",
            "--",
            "--mount=",
            "é",
            "☕",
            "${",
            "}",
            "$A",
            "a",
            "1",
            ",",
            ":",
            "AS ",
            "\u{feff}",
            "{",
            "null",
        ];
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..4000 {
            let n = (rng.next() % 40) as usize;
            let src: String = (0..n)
                .map(|_| PIECES[(rng.next() % PIECES.len() as u64) as usize])
                .collect();
            let _ = parse(&src);
            if let Ok(df) = parse_syntax(&src) {
                let _ = buildkit_dump(&df, &src);
                for ins in &df.instructions {
                    check_spans(&src, ins);
                }
            }
        }
        // Deep JSON nesting is no stack overflow; past Go's depth limit (10000) it is not JSON.
        let nested = |n: usize| format!("FROM a\nCMD {}{}\n", "[".repeat(n), "]".repeat(n));
        assert_eq!(err(&nested(100)).message, NOT_STRINGS);
        let deep = nested(200_000);
        assert_eq!(shell(&ok(&deep).instructions[1]).1.len(), 400_000);
    }
}
