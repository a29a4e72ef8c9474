//! Spanned YAML: saphyr's marked tree turned into a small tree of our own whose spans are BYTE
//! ranges into the original file (saphyr's markers count characters). Scalars keep the text as
//! written (no type resolution: `3.10` stays `"3.10"`), their style, and can hand out the script
//! inside a `run: |` block together with a map from script offsets back to file offsets.

use std::borrow::Cow;
use std::ops::Range;

use saphyr::{MarkedYaml, ScalarStyle, YamlData, YamlLoader};
use saphyr_parser::{Event, Parser, SpannedEventReceiver};

use super::span::{CharToByte, LineIndex, Span};

/// A YAML node with its byte span.
#[derive(Debug, Clone)]
pub struct Node {
    pub span: Span,
    pub kind: Kind,
    /// A non-core tag such as GitLab's `!reference`.
    pub tag: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Debug, Clone)]
pub struct Scalar {
    /// The value after YAML's quoting/folding rules, before any type resolution.
    pub value: String,
    pub style: Style,
}

/// A YAML syntax error with its position.
#[derive(Debug, Clone)]
pub struct YamlError {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// A faultline limit (depth, size), not a syntax error: the message says so itself.
    pub limit: bool,
}

/// How deeply collections may nest (aliases expanded). saphyr-parser's loader and our own tree
/// walks recurse once per level: past this, a hostile file would overflow the stack.
pub const MAX_DEPTH: usize = 64;
/// How many nodes one file may hold once aliases are expanded (a billion-laughs guard that also
/// counts nodes in mapping keys, which saphyr's own alias budget does not look into).
pub const MAX_NODES: usize = 1_000_000;

/// Parse every document of `text`. Duplicate keys are errors (as in GitHub and GitLab). Nesting
/// deeper than [`MAX_DEPTH`] or more than [`MAX_NODES`] nodes is a positioned error.
pub fn parse(text: &str) -> Result<Vec<Node>, YamlError> {
    let map = CharToByte::new(text);
    let mut loader: YamlLoader<MarkedYaml> = YamlLoader::default();
    loader.early_parse(false);
    // Events are pulled one at a time (never `Parser::load`, which recurses once per level) and
    // checked before the loader sees them.
    let mut guard = Guard::default();
    let mut failure: Option<(usize, String, bool)> = None;
    for item in Parser::new_from_str(text) {
        let (event, span) = match item {
            Ok(x) => x,
            Err(e) if e.info() == PARSER_FLOW_LIMIT => {
                failure = Some((e.marker().index(), too_deep(), true));
                break;
            }
            Err(e) => {
                failure = Some((e.marker().index(), e.info().to_string(), false));
                break;
            }
        };
        if let Err(message) = guard.check(&event) {
            failure = Some((span.start.index(), message, true));
            break;
        }
        loader.on_event(event, span);
        if let Some(e) = loader.error() {
            failure = Some(if e.info().contains("billion-laughs") {
                let message = "YAML aliases expand to more than 100000 nodes (faultline's limit; \
                               a billion-laughs file?)";
                (e.marker().index(), message.to_string(), true)
            } else {
                (e.marker().index(), e.info().to_string(), false)
            });
            break;
        }
    }
    if let Some((char_index, message, limit)) = failure {
        let offset = map.byte(char_index);
        let idx = LineIndex::new(text);
        let (line, column) = idx.line_col(text, offset);
        return Err(YamlError {
            offset,
            line,
            column,
            message,
            limit,
        });
    }
    Ok(loader
        .into_documents()
        .iter()
        .map(|d| convert(d, &map, text))
        .collect())
}

/// Check that `text` nests no deeper than [`MAX_DEPTH`] and holds no more than [`MAX_NODES`]
/// nodes, without building anything: the guard to run before a parser that recurses (saphyr's
/// loader, serde-saphyr). Syntax errors are left to that parser.
pub fn check_limits(text: &str) -> Result<(), YamlError> {
    let mut guard = Guard::default();
    for item in Parser::new_from_str(text) {
        let (index, message) = match item {
            Ok((event, span)) => match guard.check(&event) {
                Ok(()) => continue,
                Err(message) => (span.start.index(), message),
            },
            Err(e) if e.info() == PARSER_FLOW_LIMIT => (e.marker().index(), too_deep()),
            Err(_) => return Ok(()),
        };
        let offset = CharToByte::new(text).byte(index);
        let (line, column) = LineIndex::new(text).line_col(text, offset);
        return Err(YamlError {
            offset,
            line,
            column,
            message,
            limit: true,
        });
    }
    Ok(())
}

/// saphyr-parser's own error past 255 levels of flow collections (`[[[…`), reached before our
/// guard sees the events.
const PARSER_FLOW_LIMIT: &str = "recursion limit exceeded";

fn too_deep() -> String {
    format!("YAML nested deeper than {MAX_DEPTH} levels (faultline's limit)")
}

/// Depth and size of the tree an event stream builds, aliases expanded.
#[derive(Default)]
struct Guard {
    /// Open collections: (anchor id, node count at the start, height of the tallest child).
    open: Vec<(usize, usize, usize)>,
    /// Anchored nodes: (height in collections, node count).
    anchors: std::collections::HashMap<usize, (usize, usize)>,
    total: usize,
}

impl Guard {
    fn check(&mut self, event: &Event<'_>) -> Result<(), String> {
        let (height, size) = match event {
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                self.open.push((*anchor, self.total, 0));
                self.total += 1;
                if self.open.len() > MAX_DEPTH {
                    return Err(too_deep());
                }
                return self.count(0);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some((anchor, start, tallest)) = self.open.pop() else {
                    return Ok(());
                };
                let height = tallest + 1;
                if anchor != 0 {
                    self.anchors.insert(anchor, (height, self.total - start));
                }
                self.child(height);
                return Ok(());
            }
            Event::Scalar(_, _, anchor, _) => {
                if *anchor != 0 {
                    self.anchors.insert(*anchor, (0, 1));
                }
                (0, 1)
            }
            Event::Alias(id) => self.anchors.get(id).copied().unwrap_or((0, 1)),
            _ => return Ok(()),
        };
        if self.open.len() + height > MAX_DEPTH {
            return Err(too_deep());
        }
        self.child(height);
        self.count(size)
    }

    fn child(&mut self, height: usize) {
        if let Some(parent) = self.open.last_mut() {
            parent.2 = parent.2.max(height);
        }
    }

    fn count(&mut self, size: usize) -> Result<(), String> {
        self.total = self.total.saturating_add(size);
        if self.total > MAX_NODES {
            return Err(format!(
                "YAML holds more than {MAX_NODES} nodes once aliases are expanded (faultline's limit)"
            ));
        }
        Ok(())
    }
}

fn convert(node: &MarkedYaml, map: &CharToByte, text: &str) -> Node {
    let mut span = map.byte(node.span.start.index())..map.byte(node.span.end.index());
    let (kind, tag) = convert_data(&node.data, map, text);
    // In a flow collection saphyr ends a quoted scalar's span after the blanks that follow its
    // closing quote (`{ python: '3.7' }`): a quoted scalar ends at its quote.
    if let Kind::Scalar(Scalar {
        style: Style::SingleQuoted | Style::DoubleQuoted,
        ..
    }) = &kind
    {
        if let Some(t) = text.get(span.clone()) {
            span.end = span.start + t.trim_end_matches([' ', '\t', '\n', '\r']).len();
        }
    }
    Node { span, kind, tag }
}

fn convert_data<'a>(
    data: &YamlData<'a, MarkedYaml<'a>>,
    map: &CharToByte,
    text: &str,
) -> (Kind, Option<String>) {
    match data {
        YamlData::Representation(v, style, _) => (
            Kind::Scalar(Scalar {
                value: v.to_string(),
                style: style_of(*style),
            }),
            None,
        ),
        YamlData::Value(v) => {
            let value: Cow<str> = match v {
                saphyr::Scalar::Null => "".into(),
                saphyr::Scalar::Boolean(b) => b.to_string().into(),
                saphyr::Scalar::Integer(i) => i.to_string().into(),
                saphyr::Scalar::FloatingPoint(f) => f.to_string().into(),
                saphyr::Scalar::String(s) => s.clone(),
            };
            (
                Kind::Scalar(Scalar {
                    value: value.into_owned(),
                    style: Style::Plain,
                }),
                None,
            )
        }
        YamlData::Sequence(items) => (
            Kind::Seq(items.iter().map(|n| convert(n, map, text)).collect()),
            None,
        ),
        YamlData::Mapping(m) => (
            Kind::Map(
                m.iter()
                    .map(|(k, v)| (convert(k, map, text), convert(v, map, text)))
                    .collect(),
            ),
            None,
        ),
        YamlData::Tagged(tag, inner) => {
            let (kind, _) = convert_data(&inner.data, map, text);
            (kind, Some(format!("{}{}", tag.handle, tag.suffix)))
        }
        YamlData::Alias(_) | YamlData::BadValue => (
            Kind::Scalar(Scalar {
                value: String::new(),
                style: Style::Plain,
            }),
            None,
        ),
    }
}

fn style_of(s: ScalarStyle) -> Style {
    match s {
        ScalarStyle::Plain => Style::Plain,
        ScalarStyle::SingleQuoted => Style::SingleQuoted,
        ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
        ScalarStyle::Literal => Style::Literal,
        ScalarStyle::Folded => Style::Folded,
    }
}

impl Node {
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            Kind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The scalar's text, if this is a scalar (plain `null`/`~`/empty included as written).
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.value.as_str())
    }

    /// Whether this is a null scalar (`~`, `null`, empty plain).
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar(s) if s.style == Style::Plain && matches!(s.value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value of `key` in a mapping, following YAML merge keys (`<<: *anchor`,
    /// which GitLab CI uses a lot): own keys win over merged ones.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        let map = self.as_map()?;
        if let Some((k, v)) = map
            .iter()
            .find(|(k, _)| k.as_str() == Some(key) && !is_merge_key(k))
        {
            return Some((k, v));
        }
        self.merged().find_map(|m| m.entry(key))
    }

    /// Maps merged in with `<<`.
    fn merged(&self) -> impl Iterator<Item = &Node> {
        self.as_map()
            .unwrap_or(&[])
            .iter()
            .filter(|(k, _)| is_merge_key(k))
            .flat_map(|(_, v)| match &v.kind {
                Kind::Seq(items) => items.iter().collect::<Vec<_>>(),
                _ => vec![v],
            })
    }

    /// Mapping entries whose keys are scalars, as `(key text, key node, value)`, merge keys
    /// resolved (own entries first, then merged ones not overridden).
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Node, &Node)> {
        let own: Vec<(&str, &Node, &Node)> = self
            .as_map()
            .unwrap_or(&[])
            .iter()
            .filter(|(k, _)| !is_merge_key(k))
            .filter_map(|(k, v)| Some((k.as_str()?, k, v)))
            .collect();
        let mut all = own;
        let merged: Vec<&Node> = self.merged().collect();
        if !merged.is_empty() {
            // A set, not a scan of `all` per merged key: a large merged anchor stays linear.
            let mut seen: std::collections::HashSet<&str> = all.iter().map(|e| e.0).collect();
            for m in merged {
                for e in m.entries() {
                    if seen.insert(e.0) {
                        all.push(e);
                    }
                }
            }
        }
        all.into_iter()
    }

    /// The shell script held by this scalar, with a map back to file offsets.
    /// `src` is the whole file the node came from.
    pub fn script(&self, src: &str) -> Option<ScriptText> {
        let s = self.as_scalar()?;
        Some(ScriptText::new(src, self.span.clone(), s))
    }
}

fn is_merge_key(k: &Node) -> bool {
    matches!(&k.kind, Kind::Scalar(s) if s.style == Style::Plain && s.value == "<<")
}

/// The text of a scalar that holds a script, plus the way back to file offsets.
#[derive(Debug, Clone)]
pub struct ScriptText {
    pub text: String,
    /// `(offset in text, offset in file)` at the start of each mapped segment, sorted.
    segments: Vec<(usize, usize)>,
    /// Where the scalar is in the file (the fallback span when a segment cannot be mapped).
    pub node_span: Span,
    /// Whether every offset maps exactly; false for folded or escaped scalars, where offsets
    /// fall back to the start of the line or the scalar.
    pub exact: bool,
}

impl ScriptText {
    fn new(src: &str, span: Span, s: &Scalar) -> Self {
        let text = s.value.clone();
        let start = span.start.min(src.len());
        let mut out = ScriptText {
            text,
            segments: vec![(0, start)],
            node_span: span.clone(),
            exact: false,
        };
        match s.style {
            Style::Literal => out.map_block(src, start),
            Style::Plain | Style::SingleQuoted | Style::DoubleQuoted => {
                let skip = usize::from(s.style != Style::Plain);
                let at = start + skip;
                if !out.text.contains('\n')
                    && src.get(at..at + out.text.len()) == Some(out.text.as_str())
                {
                    out.segments = vec![(0, at)];
                    out.exact = true;
                }
            }
            Style::Folded => {}
        }
        out
    }

    /// A literal block: value line i is file line (first + i) with the block indentation removed.
    fn map_block(&mut self, src: &str, start: usize) {
        let line_start = src[..start].rfind('\n').map_or(0, |i| i + 1);
        let indent = start - line_start;
        let mut segments = Vec::new();
        let mut file_line = line_start;
        let mut ok = true;
        let mut text_off = 0;
        for line in self.text.split_inclusive('\n') {
            let content = line.trim_end_matches('\n');
            let file_end = src[file_line..]
                .find('\n')
                .map_or(src.len(), |i| file_line + i);
            let raw = &src[file_line..file_end];
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            if content.is_empty() {
                segments.push((text_off, file_line.min(file_end)));
            } else if raw.len() >= indent && raw.get(indent..) == Some(content) {
                segments.push((text_off, file_line + indent));
            } else {
                ok = false;
                break;
            }
            text_off += line.len();
            file_line = (file_end + 1).min(src.len());
        }
        if ok {
            self.segments = segments;
            self.exact = true;
        }
    }

    /// Map an offset in `text` to a byte offset in the file.
    pub fn to_file(&self, off: usize) -> usize {
        let i = match self.segments.binary_search_by(|(t, _)| t.cmp(&off)) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        };
        let (t, f) = self.segments[i];
        if self.exact {
            f + (off - t)
        } else {
            f
        }
    }

    /// Map a span in `text` to a span in the file (the whole scalar when it cannot be exact).
    pub fn span_to_file(&self, span: &Range<usize>) -> Span {
        if self.exact {
            self.to_file(span.start)..self.to_file(span.end)
        } else {
            self.node_span.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_block_offsets_map_back_to_file_bytes() {
        let src = "# é ü\njobs:\n  a:\n    steps:\n      - run: |\n          echo ü\n          pip install x\n";
        let docs = parse(src).expect("valid");
        let run = docs[0]
            .get("jobs")
            .and_then(|j| j.get("a"))
            .and_then(|a| a.get("steps"))
            .and_then(|s| s.as_seq())
            .and_then(|s| s[0].get("run"))
            .expect("run");
        let script = run.script(src).expect("scalar");
        assert!(script.exact);
        let at = script.text.find("pip").expect("pip");
        let file = script.to_file(at);
        assert_eq!(&src[file..file + 13], "pip install x");
    }

    #[test]
    fn plain_scalar_keeps_text_as_written() {
        let docs = parse("v: 3.10\nq: '3.10'\n").expect("valid");
        assert_eq!(docs[0].get("v").and_then(Node::as_str), Some("3.10"));
        assert_eq!(
            docs[0]
                .get("q")
                .and_then(|n| n.as_scalar())
                .map(|s| s.style),
            Some(Style::SingleQuoted)
        );
    }

    #[test]
    fn quoted_scalars_in_flow_collections_end_at_their_quote() {
        let src = "a: { x: '3.7' , y: \"b\"  }\nb: [ 'q' , z ]\nc: 'd'  \n";
        let docs = parse(src).expect("valid");
        let d = &docs[0];
        let at = |n: Option<&Node>| &src[n.expect("node").span.clone()];
        assert_eq!(at(d.get("a").and_then(|a| a.get("x"))), "'3.7'");
        assert_eq!(at(d.get("a").and_then(|a| a.get("y"))), "\"b\"");
        assert_eq!(at(d.get("b").and_then(Node::as_seq).map(|s| &s[0])), "'q'");
        assert_eq!(at(d.get("c")), "'d'");
    }

    #[test]
    fn merge_keys_are_followed() {
        let docs =
            parse(".t: &t\n  image: debian:12\n  script: [a]\njob:\n  <<: *t\n  script: [b]\n")
                .expect("valid");
        let job = docs[0].get("job").expect("job");
        assert_eq!(job.get("image").and_then(Node::as_str), Some("debian:12"));
        let keys: Vec<&str> = job.entries().map(|(k, _, _)| k).collect();
        assert_eq!(keys, ["script", "image"]);
        assert_eq!(
            job.get("script")
                .and_then(Node::as_seq)
                .and_then(|s| s[0].as_str()),
            Some("b")
        );
    }

    #[test]
    fn flow_collections_close_left_of_their_key_as_in_libyaml() {
        // GitHub and libyaml accept a closing bracket (or entries) left of the key's indentation.
        for src in [
            "m:\n  name: [ a, b,\n    c\n  ]\nn: 1\n",
            "m:\n  name: [ a, b,\nc\n]\nn: 1\n",
            "m:\n  name: { a: 1,\n    b: 2\n  }\nn: 1\n",
            "m:\n  name: \"one\ntwo\"\n",
            "a:\tb\n",
        ] {
            let docs = parse(src).unwrap_or_else(|e| panic!("{src:?}: {e:?}"));
            assert!(docs[0].get("m").or(docs[0].get("a")).is_some(), "{src:?}");
        }
        let docs = parse("m:\n  name: [ a, b,\n    c\n  ]\nn: 1\n").expect("valid");
        let name = docs[0].get("m").and_then(|m| m.get("name")).expect("name");
        let items: Vec<&str> = name
            .as_seq()
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::as_str)
            .collect();
        assert_eq!(items, ["a", "b", "c"]);
        assert_eq!(docs[0].get("n").and_then(Node::as_str), Some("1"));
        // Still errors, with positions: a block sequence entry after a tab, an unclosed bracket.
        let err = parse("a:\t- b\n").expect_err("invalid");
        assert_eq!((err.line, err.column), (1, 4), "{err:?}");
        let err = parse("a: [ x, y\nb: 1\n").expect_err("invalid");
        assert_eq!(err.line, 2, "{err:?}");
    }

    #[test]
    fn errors_have_positions() {
        let err = parse("a: b\n c: [d\n").expect_err("invalid");
        assert!(err.line >= 2, "{err:?}");
        let err = parse("a: 1\na: 2\n").expect_err("duplicate key");
        assert_eq!(err.line, 2, "{err:?}");
    }

    #[test]
    fn nesting_past_the_limit_is_a_positioned_error_not_a_stack_overflow() {
        for (text, line) in [
            ("- ".repeat(20_000) + "x\n", 1),
            ("? ".repeat(10_000) + "x\n", 1),
            ("[".repeat(10_000), 1), // saphyr-parser stops at 255 flow levels
            (
                (0..1_000)
                    .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
                    .collect(),
                65,
            ),
        ] {
            let err = parse(&text).expect_err("too deep");
            assert_eq!(
                err.message,
                "YAML nested deeper than 64 levels (faultline's limit)"
            );
            assert!(err.limit);
            let col = if text.starts_with('[') { 256 } else { 129 };
            assert_eq!((err.line, err.column), (line, col), "{text:.40}");
            assert!(check_limits(&text).is_err());
        }
        // 64 levels are fine.
        let ok = "- ".repeat(63) + "x\n";
        assert!(parse(&ok).is_ok());
        assert!(check_limits(&ok).is_ok());
    }

    #[test]
    fn aliases_count_towards_depth_and_size() {
        // Each anchor nests the previous one 40 levels deeper: fine alone, too deep expanded.
        let deep = "[".repeat(40) + "x" + &"]".repeat(40);
        let text =
            format!("a: &a {deep}\nb: &b [[[[[[[[[[[[[[[[[[[[[[[[[[*a]]]]]]]]]]]]]]]]]]]]]]]]]\n");
        let err = parse(&text).expect_err("too deep once expanded");
        assert_eq!((err.line, err.column), (2, 33), "{err:?}");
        // Billion laughs, through mapping keys (which saphyr's alias budget does not count).
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} {{? *a{p} : 1, ? [*a{p}] : 2, ? [[*a{p}]] : 3, ? [[[*a{p}]]] : 4, ? [[[[*a{p}]]]] : 5}}\n"
            ));
        }
        let err = parse(&bomb).expect_err("bomb");
        assert!(err.message.contains("nodes"), "{err:?}");
    }
}
