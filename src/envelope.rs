//! One machine contract: every JSON document faultline writes (lint, lint statistics, rules,
//! explain, list, analyze, fix, eval and the baseline file) opens with the same three keys,
//! `schema_version`, `tool` and `version`, then its payload. SARIF and the GitLab Code Quality
//! report follow their own published formats instead.
//!
//! Each payload's JSON Schema is generated from its Rust type (`schemas`) and committed under
//! `docs/schema/`; `tests/schema.rs` checks that the files are current and that every format's
//! output validates against its schema.

use schemars::{JsonSchema, Schema};
use serde::Serialize;

/// The shape of the JSON outputs. Raised when a field is removed or changes meaning; adding a
/// field does not raise it. 2: the common envelope (lint, rules and the baseline had `version: 1`
/// for this number, `list` was a bare array).
pub const SCHEMA_VERSION: u32 = 2;

/// `tool` in every document.
pub const TOOL: &str = "faultline";

/// The three keys every JSON document opens with, then the payload's own keys.
#[derive(Serialize, JsonSchema)]
pub struct Envelope<T> {
    /// The shape of this document (see the README's "Machine output"); 2 for this release.
    pub schema_version: u32,
    /// Always `faultline`.
    pub tool: &'static str,
    /// The faultline release that wrote the document.
    pub version: &'static str,
    #[serde(flatten)]
    pub payload: T,
}

impl<T> Envelope<T> {
    pub fn new(payload: T) -> Self {
        Envelope {
            schema_version: SCHEMA_VERSION,
            tool: TOOL,
            version: env!("CARGO_PKG_VERSION"),
            payload,
        }
    }
}

/// `payload` in the envelope, pretty-printed, with a final newline.
pub fn render<T: Serialize>(payload: T) -> String {
    let mut s = serde_json::to_string_pretty(&Envelope::new(payload))
        .expect("internal error: JSON of plain data");
    s.push('\n');
    s
}

/// The schema of `Envelope<T>`, titled for its file.
pub fn schema_of<T: JsonSchema>(name: &str, what: &str) -> Schema {
    let mut schema = schemars::schema_for!(Envelope<T>);
    schema.insert(
        "$id".into(),
        format!(
            "{}/blob/main/docs/schema/{name}.schema.json",
            crate::HOME_URL
        )
        .into(),
    );
    schema.insert("title".into(), format!("faultline {what}").into());
    schema
}

/// Every JSON document faultline writes: its file name under `docs/schema/` (without
/// `.schema.json`), the command that writes it, and its schema.
pub fn schemas() -> Vec<(&'static str, &'static str, Schema)> {
    vec![
        ("lint", "lint --format json", crate::report::json::schema()),
        (
            "lint-statistics",
            "lint --statistics --format json",
            crate::report::json::statistics_schema(),
        ),
        (
            "baseline",
            "lint --write-baseline FILE",
            crate::lint::baseline::schema(),
        ),
        (
            "rules",
            "rules --format json",
            crate::lint::rules::rules_schema(),
        ),
        (
            "rule",
            "explain RULE --format json",
            crate::lint::rules::rule_schema(),
        ),
        (
            "playbook",
            "explain PLAYBOOK --format json",
            crate::playbook::render::playbook_schema(),
        ),
        (
            "list",
            "list --format json",
            crate::playbook::render::list_schema(),
        ),
        (
            "analyze",
            "analyze --format json",
            crate::analyze::report::schema(),
        ),
        (
            "fix",
            "fix --format json",
            crate::analyze::report::fix_schema(),
        ),
        ("eval", "eval --format json", crate::analyze::eval::schema()),
    ]
}

/// Every field of one schema as Markdown table rows (`| field | type | meaning |`), nested fields
/// as `parent[].child`, from the schema's descriptions (the Rust doc comments).
pub fn fields_markdown(schema: &Schema) -> String {
    let root = schema.as_value();
    let mut rows = Vec::new();
    walk_fields(root, root, "", &mut rows, 0);
    let mut out = String::from("| field | type | meaning |\n|---|---|---|\n");
    for (path, ty, what) in rows {
        out.push_str(&format!("| `{path}` | {ty} | {what} |\n"));
    }
    out
}

/// The fields under `node` (depth-bounded: the schemas are small, and recursive types stop).
fn walk_fields(
    root: &serde_json::Value,
    node: &serde_json::Value,
    prefix: &str,
    rows: &mut Vec<(String, String, String)>,
    depth: usize,
) {
    if depth > 6 {
        return;
    }
    let node = resolve(root, node);
    let Some(props) = node.get("properties").and_then(|p| p.as_object()) else {
        return;
    };
    for (name, prop) in props {
        let path = format!("{prefix}{name}");
        let desc = prop
            .get("description")
            .or_else(|| resolve(root, prop).get("description"))
            .and_then(|d| d.as_str())
            .unwrap_or("")
            .replace('\n', " ")
            .replace('|', "\\|");
        rows.push((path.clone(), type_name(root, prop), desc));
        let inner = resolve(root, prop);
        if inner.get("properties").is_some() {
            walk_fields(root, inner, &format!("{path}."), rows, depth + 1);
        } else if let Some(items) = item_schema(root, inner) {
            walk_fields(root, items, &format!("{path}[]."), rows, depth + 1);
        }
    }
}

fn resolve<'a>(root: &'a serde_json::Value, node: &'a serde_json::Value) -> &'a serde_json::Value {
    match node.get("$ref").and_then(|r| r.as_str()) {
        Some(r) => r
            .strip_prefix("#/$defs/")
            .and_then(|name| root.get("$defs").and_then(|d| d.get(name)))
            .unwrap_or(node),
        None => match node.get("anyOf").and_then(|a| a.as_array()) {
            // `Option<T>`: T or null.
            Some(alts) => alts
                .iter()
                .find(|a| a.get("type").and_then(|t| t.as_str()) != Some("null"))
                .map_or(node, |a| resolve(root, a)),
            None => node,
        },
    }
}

fn item_schema<'a>(
    root: &'a serde_json::Value,
    node: &'a serde_json::Value,
) -> Option<&'a serde_json::Value> {
    node.get("items").map(|i| resolve(root, i))
}

fn type_name(root: &serde_json::Value, prop: &serde_json::Value) -> String {
    let node = resolve(root, prop);
    let nullable = prop
        .get("type")
        .and_then(|t| t.as_array())
        .is_some_and(|a| a.iter().any(|x| x == "null"))
        || prop.get("anyOf").is_some();
    // An enum: its values, from `enum` or from `oneOf` of `const`s (variants with doc comments).
    let consts: Option<Vec<&str>> = node
        .get("enum")
        .and_then(|e| e.as_array())
        .map(|values| values.iter().filter_map(|v| v.as_str()).collect())
        .or_else(|| {
            node.get("oneOf")
                .and_then(|o| o.as_array())
                .and_then(|alts| {
                    alts.iter()
                        .map(|a| a.get("const").and_then(|c| c.as_str()))
                        .collect()
                })
        });
    let base = if let Some(values) = consts {
        values
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(" / ")
    } else {
        match node.get("type") {
            Some(serde_json::Value::String(t)) if t == "array" => {
                let inner =
                    item_schema(root, node).map_or("any".to_string(), |i| type_name(root, i));
                format!("array of {inner}")
            }
            Some(serde_json::Value::String(t)) => t.clone(),
            Some(serde_json::Value::Array(ts)) => ts
                .iter()
                .filter_map(|t| t.as_str())
                .filter(|t| *t != "null")
                .collect::<Vec<_>>()
                .join(" or "),
            _ if node.get("anyOf").is_some() || node.get("oneOf").is_some() => {
                "one of several shapes".to_string()
            }
            _ => "any".to_string(),
        }
    };
    if nullable {
        format!("{base} or null")
    } else {
        base
    }
}
