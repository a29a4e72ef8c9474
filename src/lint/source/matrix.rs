//! `strategy.matrix` expanded into legs, as GitHub does, with the span of every value: a rule that
//! judges `runs-on: ${{ matrix.os }}` or `python-version: ${{ matrix.python }}` points at the matrix
//! entry that decides it. Object values (`config: [{os: …, method: …}]`) flatten to dotted keys
//! (`config.os`), so `${{ matrix.config.os }}` resolves. `include`-only matrices and literal
//! `${{ fromJSON('…') }}` are expanded; anything else dynamic is unknown (`None`).

use std::collections::BTreeMap;

use super::span::Span;
use super::yaml::{Kind, Node, Scalar, Style};

/// Most legs expanded; a larger matrix is unknown (GitHub's own limit is 256 jobs).
pub const MAX_LEGS: usize = 256;

/// One matrix value: its text as GitHub hands it to expressions, and where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    /// The value as a string (`\u{0}complex` for a sequence, which no label or version can be).
    pub text: String,
    pub span: Span,
    /// The scalar as written, when the value is a scalar (style and source text).
    pub scalar: Option<(Style, String)>,
}

/// One leg: key (dotted for objects) → value.
pub type Leg = BTreeMap<String, Value>;

/// The legs of a job's `strategy.matrix` node; `None` when it cannot be expanded statically.
pub fn legs(node: &Node, src: &str) -> Option<Vec<Leg>> {
    let owned;
    let node = match literal_from_json(node) {
        Some(parsed) => {
            owned = parsed;
            &owned
        }
        None => node,
    };
    node.as_map()?;
    let mut legs: Vec<Leg> = vec![BTreeMap::new()];
    let mut base_keys: Vec<String> = Vec::new();
    for (key, _, value) in node.entries() {
        if key == "include" || key == "exclude" {
            continue;
        }
        let values = value.as_seq()?;
        base_keys.push(key.to_string());
        let mut next = Vec::with_capacity(legs.len() * values.len());
        for leg in &legs {
            for v in values {
                let mut leg = leg.clone();
                insert(&mut leg, key, v, src);
                next.push(leg);
            }
        }
        legs = next;
        if legs.len() > MAX_LEGS {
            return None;
        }
    }
    let is_base = |k: &str| {
        base_keys
            .iter()
            .any(|b| k == b || k.starts_with(&format!("{b}.")))
    };
    if let Some(ex) = node.get("exclude") {
        let rules: Vec<Leg> = ex.as_seq()?.iter().map(|e| flat(e, src)).collect();
        legs.retain(|leg| {
            !rules.iter().any(|r| {
                r.iter()
                    .all(|(k, v)| leg.get(k).is_some_and(|l| l.text == v.text))
            })
        });
    }
    if let Some(inc) = node.get("include") {
        // An `include`-only matrix is one leg per entry, not an empty leg plus the entries.
        if base_keys.is_empty() {
            legs.clear();
        }
        for entry in inc.as_seq()?.iter().map(|e| flat(e, src)) {
            let mut added = false;
            if !base_keys.is_empty() {
                for leg in legs.iter_mut() {
                    let matches = entry
                        .iter()
                        .filter(|(k, _)| is_base(k))
                        .all(|(k, v)| leg.get(k).is_some_and(|l| l.text == v.text));
                    if matches {
                        for (k, v) in &entry {
                            if !is_base(k) {
                                leg.insert(k.clone(), v.clone());
                            }
                        }
                        added = true;
                    }
                }
            }
            if !added {
                legs.push(entry);
            }
            if legs.len() > MAX_LEGS {
                return None;
            }
        }
    }
    if legs.is_empty() {
        legs.push(BTreeMap::new());
    }
    Some(legs)
}

fn insert(leg: &mut Leg, key: &str, v: &Node, src: &str) {
    match &v.kind {
        Kind::Map(_) => {
            for (k, _, child) in v.entries() {
                insert(leg, &format!("{key}.{k}"), child, src);
            }
        }
        Kind::Scalar(s) => {
            leg.insert(key.to_string(), scalar_value(s, v, src));
        }
        Kind::Seq(_) => {
            leg.insert(
                key.to_string(),
                Value {
                    text: "\u{0}complex".to_string(),
                    span: v.span.clone(),
                    scalar: None,
                },
            );
        }
    }
}

fn scalar_value(s: &Scalar, v: &Node, src: &str) -> Value {
    Value {
        text: s.value.clone(),
        span: v.span.clone(),
        scalar: Some((
            s.style,
            src.get(v.span.clone()).unwrap_or_default().to_string(),
        )),
    }
}

fn flat(entry: &Node, src: &str) -> Leg {
    let mut leg = BTreeMap::new();
    for (k, _, v) in entry.entries() {
        insert(&mut leg, k, v, src);
    }
    leg
}

/// `${{ fromJSON('{"os": ["a", "b"]}') }}` with a literal argument: the JSON, as a YAML node (JSON
/// is YAML). Spans then cover the whole expression, which is where the values are written.
fn literal_from_json(node: &Node) -> Option<Node> {
    let text = &node.as_scalar()?.value;
    let inner = text.trim().strip_prefix("${{")?.strip_suffix("}}")?.trim();
    let arg = inner
        .strip_prefix("fromJSON(")
        .or_else(|| inner.strip_prefix("fromJson("))?
        .strip_suffix(')')?
        .trim();
    let json = arg
        .strip_prefix('\'')?
        .strip_suffix('\'')?
        .replace("''", "'");
    let doc = super::yaml::parse(&json).ok()?.into_iter().next()?;
    Some(respan(doc, &node.span))
}

fn respan(mut n: Node, span: &Span) -> Node {
    n.span = span.clone();
    n.kind = match n.kind {
        Kind::Scalar(s) => Kind::Scalar(s),
        Kind::Seq(items) => Kind::Seq(items.into_iter().map(|i| respan(i, span)).collect()),
        Kind::Map(entries) => Kind::Map(
            entries
                .into_iter()
                .map(|(k, v)| (respan(k, span), respan(v, span)))
                .collect(),
        ),
    };
    n
}

/// Substitute `${{ matrix.KEY }}` in `s` with this leg's values. `None` when another expression
/// remains or a key is missing (unknown), unless `missing_empty` (GitHub evaluates a missing key to
/// the empty string). Also returns the values used, for related labels.
pub fn expand<'l>(s: &str, leg: &'l Leg, missing_empty: bool) -> Option<(String, Vec<&'l Value>)> {
    let mut used = Vec::new();
    let out = substitute(s, missing_empty, |key| {
        let value = leg.get(key)?;
        used.push(value);
        Some(value.text.as_str())
    })?;
    Some((out, used))
}

/// Substitute each `${{ matrix.KEY }}` in `s` with `value(KEY)`. `None` when another expression
/// remains, a value is not a scalar, or a key is missing (unless `missing_empty`).
pub fn substitute<'v>(
    s: &str,
    missing_empty: bool,
    mut value: impl FnMut(&str) -> Option<&'v str>,
) -> Option<String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}")? + start;
        let expr = rest[start + 3..end].trim();
        let key = expr.strip_prefix("matrix.")?;
        match value(key) {
            Some(v) if v.starts_with('\u{0}') => return None,
            Some(v) => out.push_str(v),
            None if missing_empty => {}
            None => return None,
        }
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn legs_of(src: &str) -> Vec<BTreeMap<String, String>> {
        let doc = super::super::yaml::parse(src).unwrap().remove(0);
        legs(doc.get("matrix").unwrap(), src)
            .unwrap()
            .into_iter()
            .map(|l| l.into_iter().map(|(k, v)| (k, v.text)).collect())
            .collect()
    }

    fn leg(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn objects_flatten_to_dotted_keys() {
        let l = legs_of("matrix:\n  config:\n    - {os: ubuntu-24.04, method: pip}\n    - {os: macos-15, method: brew}\n");
        assert_eq!(
            l,
            vec![
                leg(&[("config.method", "pip"), ("config.os", "ubuntu-24.04")]),
                leg(&[("config.method", "brew"), ("config.os", "macos-15")])
            ]
        );
    }

    #[test]
    fn include_only_and_from_json() {
        let l = legs_of("matrix:\n  include:\n    - os: ubuntu-20.04\n    - os: windows-2019\n");
        assert_eq!(
            l,
            vec![
                leg(&[("os", "ubuntu-20.04")]),
                leg(&[("os", "windows-2019")])
            ]
        );
        let l = legs_of("matrix: ${{ fromJSON('{\"os\":[\"a\",\"b\"],\"py\":[\"3.12\"]}') }}\n");
        assert_eq!(
            l,
            vec![
                leg(&[("os", "a"), ("py", "3.12")]),
                leg(&[("os", "b"), ("py", "3.12")])
            ]
        );
    }

    #[test]
    fn values_keep_their_span_and_style() {
        let src = "matrix:\n  python: [3.9, '3.10', 3.10]\n";
        let doc = super::super::yaml::parse(src).unwrap().remove(0);
        let l = legs(doc.get("matrix").unwrap(), src).unwrap();
        let written: Vec<(Style, String, &str)> = l
            .iter()
            .map(|leg| {
                let v = &leg["python"];
                let (style, text) = v.scalar.clone().unwrap();
                (style, text, &src[v.span.clone()])
            })
            .collect();
        assert_eq!(written[0], (Style::Plain, "3.9".to_string(), "3.9"));
        assert_eq!(written[1].0, Style::SingleQuoted);
        assert_eq!(written[2], (Style::Plain, "3.10".to_string(), "3.10"));
    }

    #[test]
    fn include_extends_matching_legs_and_exclude_removes() {
        let l = legs_of("matrix:\n  os: [a, b]\n  exclude:\n    - os: b\n  include:\n    - os: a\n      extra: x\n    - os: c\n");
        assert_eq!(
            l,
            vec![leg(&[("extra", "x"), ("os", "a")]), leg(&[("os", "c")])]
        );
    }
}
