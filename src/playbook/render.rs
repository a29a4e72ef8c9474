//! Rendering playbooks: the terminal page of `faultline explain`, the Markdown documentation page
//! (`explain --format markdown`, `faultline docs`), JSON, the `faultline list` table, and the
//! "did you mean" suggestions for an unknown id.

use std::fmt::Write as _;

use schemars::{JsonSchema, Schema};
use serde::Serialize;

use crate::envelope;

use super::load::{Catalog, Entry};
use super::schema::{Playbook, Severity, Signal};
use crate::analyze::report::{strength_str, wrap};

pub fn severity_str(s: Severity) -> &'static str {
    match s {
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
        Severity::Critical => "critical",
    }
}

fn paint(color: bool, code: &str, s: &str) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

/// `faultline explain ID` in a terminal.
pub fn human(entry: &Entry, color: bool) -> String {
    let p = &entry.playbook;
    let h = |s: &str| paint(color, "1;4", s);
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", paint(color, "1", &p.id), p.title);
    let mut meta = format!(
        "category {} · severity {}",
        p.category,
        severity_str(p.severity)
    );
    if !p.tags.is_empty() {
        let _ = write!(meta, " · tags {}", p.tags.join(", "));
    }
    let _ = writeln!(out, "{meta}");
    let _ = writeln!(
        out,
        "{}",
        paint(color, "2", &format!("source: {}", entry.path))
    );
    let section = |out: &mut String, title: &str, body: &str| {
        let _ = writeln!(out, "\n{}", h(title));
        out.push_str(&wrap(body.trim(), "  ", "  "));
    };
    section(&mut out, "What this failure means", &p.summary);
    section(&mut out, "Diagnosis", &p.diagnosis);
    let _ = writeln!(out, "\n{}", h("Fix"));
    for (i, step) in p.fix.iter().enumerate() {
        let first = format!("  {}. ", i + 1);
        out.push_str(&wrap(step.trim(), &first, &" ".repeat(first.len())));
    }
    let bullets = |out: &mut String, title: &str, items: &[String]| {
        if items.is_empty() {
            return;
        }
        let _ = writeln!(out, "\n{}", h(title));
        for item in items {
            out.push_str(&wrap(item.trim(), "  - ", "    "));
        }
    };
    bullets(&mut out, "Validation", &p.validation);
    if let Some(why) = &p.why_it_matters {
        section(&mut out, "Why it matters", why);
    }
    bullets(&mut out, "Prevention", &p.prevention);
    if let Some(rep) = &p.reproduce {
        section(&mut out, "Try it locally", rep);
    }
    if !p.likely_files.is_empty() {
        let _ = writeln!(
            out,
            "\n{}\n  {}",
            h("Likely files"),
            p.likely_files.join(", ")
        );
    }
    let _ = writeln!(out, "\n{}", h("How faultline detects it"));
    let _ = writeln!(out, "  any (one is enough; each match is evidence):");
    for s in &p.matcher.any {
        let _ = writeln!(out, "    [{:<6}] {}", strength_str(s.strength()), s.regex());
    }
    if !p.matcher.all.is_empty() {
        let _ = writeln!(out, "  all (each must also match somewhere):");
        for s in &p.matcher.all {
            let _ = writeln!(out, "    [{:<6}] {}", strength_str(s.strength()), s.regex());
        }
    }
    if !p.matcher.none.is_empty() {
        let _ = writeln!(
            out,
            "  none (vetoes evidence within {} lines):",
            p.matcher.window
        );
        for r in &p.matcher.none {
            let _ = writeln!(out, "    {r}");
        }
    }
    let _ = writeln!(
        out,
        "  Try: faultline analyze build.log   (or: … | faultline analyze -)"
    );
    if !p.links.is_empty() {
        let _ = writeln!(out, "\n{}", h("Links"));
        for l in &p.links {
            let _ = writeln!(out, "  - {}: {}", l.title, l.url);
        }
    }
    if !p.aliases.is_empty() {
        let _ = writeln!(out, "\n{}\n  {}", h("Also known as"), p.aliases.join(", "));
    }
    if !p.references.is_empty() {
        let _ = writeln!(out, "\n{}", h("Where the messages come from"));
        for r in &p.references {
            let _ = writeln!(out, "  - {}: {}", reference_location(r), r.shows);
        }
    }
    out
}

/// A reference's URL, or `owner/name: path`.
pub fn reference_location(r: &crate::playbook::schema::Reference) -> String {
    match (&r.url, &r.repo, &r.path) {
        (Some(url), _, _) => url.clone(),
        (None, Some(repo), Some(path)) => format!("{repo}: {path}"),
        (None, Some(repo), None) => repo.clone(),
        (None, None, _) => String::new(),
    }
}

/// A Markdown inline code span holding `s` (longer fence when `s` holds backticks), with `|`
/// escaped so it can sit in a table cell.
fn code(s: &str) -> String {
    let fence = if s.contains('`') { "``" } else { "`" };
    let pad = if s.contains('`') { " " } else { "" };
    format!("{fence}{pad}{}{pad}{fence}", s.replace('|', "\\|"))
}

fn signal_rows(out: &mut String, list: &str, signals: &[Signal]) {
    for s in signals {
        let _ = writeln!(
            out,
            "| `{list}` | {} | {} |",
            strength_str(s.strength()),
            code(s.regex())
        );
    }
}

/// The documentation page of one playbook.
pub fn markdown(entry: &Entry) -> String {
    let p = &entry.playbook;
    let mut out = String::new();
    let _ = writeln!(out, "# `{}`: {}\n", p.id, p.title);
    let _ = writeln!(
        out,
        "> Generated from `{}` by `faultline docs`. Edit the YAML file, not this page.\n",
        entry.path
    );
    let mut meta = format!(
        "**Category:** `{}` · **Severity:** {}",
        p.category,
        severity_str(p.severity)
    );
    if !p.tags.is_empty() {
        let tags: Vec<String> = p.tags.iter().map(|t| format!("`{t}`")).collect();
        let _ = write!(meta, " · **Tags:** {}", tags.join(", "));
    }
    let _ = writeln!(out, "{meta}\n");
    let _ = writeln!(out, "## What this failure means\n\n{}\n", p.summary.trim());
    let _ = writeln!(out, "## Symptoms / signals\n");
    let _ = writeln!(
        out,
        "The log holds lines like these (regular expressions, case-insensitive):\n"
    );
    for s in p.matcher.any.iter().chain(&p.matcher.all) {
        let _ = writeln!(
            out,
            "- {} ({})",
            code(s.regex()),
            strength_str(s.strength())
        );
    }
    let _ = writeln!(out, "\n## Diagnosis\n\n{}\n", p.diagnosis.trim());
    let _ = writeln!(out, "## Fix steps\n");
    for (i, step) in p.fix.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", i + 1, step.trim().replace('\n', "\n   "));
    }
    out.push('\n');
    if !p.validation.is_empty() {
        let _ = writeln!(out, "## Validation\n");
        for v in &p.validation {
            let _ = writeln!(out, "- {}", v.trim().replace('\n', "\n  "));
        }
        out.push('\n');
    }
    if let Some(why) = &p.why_it_matters {
        let _ = writeln!(out, "## Why it matters\n\n{}\n", why.trim());
    }
    if !p.prevention.is_empty() {
        let _ = writeln!(out, "## Prevention\n");
        for v in &p.prevention {
            let _ = writeln!(out, "- {}", v.trim().replace('\n', "\n  "));
        }
        out.push('\n');
    }
    if let Some(rep) = &p.reproduce {
        let _ = writeln!(out, "## Try it locally\n\n{}\n", rep.trim());
    }
    if !p.likely_files.is_empty() {
        let files: Vec<String> = p.likely_files.iter().map(|f| code(f)).collect();
        let _ = writeln!(out, "## Likely files\n\n{}\n", files.join(", "));
    }
    let _ = writeln!(out, "## How faultline detects it\n");
    let _ = writeln!(
        out,
        "Each log line is matched after ANSI colour, CI timestamps, GitHub `##[group]`/`##[error]` \
         markers, GitLab section markers, BuildKit `#12 0.587` prefixes and carriage returns are removed. \
         One `any` signal makes the playbook a candidate; every `all` signal must also match; a `none` \
         match vetoes evidence within {} lines of it. Confidence grows with the strongest signal, the number \
         of distinct signals, and evidence inside the failing step.\n",
        p.matcher.window
    );
    let _ = writeln!(out, "| list | strength | regex |\n|---|---|---|");
    signal_rows(&mut out, "any", &p.matcher.any);
    signal_rows(&mut out, "all", &p.matcher.all);
    for r in &p.matcher.none {
        let _ = writeln!(out, "| `none` | veto | {} |", code(r));
    }
    let _ = writeln!(
        out,
        "\n```sh\nfaultline analyze build.log          # or: gh run view <id> --log-failed | faultline analyze -\nfaultline explain {}\n```\n",
        p.id
    );
    // The other engine: lint rules that predict this failure from the configuration.
    let rules: Vec<_> = crate::lint::rules::all()
        .iter()
        .filter(|r| r.playbook == p.id)
        .collect();
    if !rules.is_empty() {
        let _ = writeln!(
            out,
            "## How faultline prevents it
"
        );
        let _ = writeln!(
            out,
            "`faultline lint` flags the configuration that leads here before it runs (and `faultline analyze --repo .` points at it after a failure):\n"
        );
        for r in rules {
            let _ = writeln!(out, "- `{}` ({}): {}", r.id, r.severity.as_str(), r.summary);
        }
        out.push('\n');
    }
    if !p.links.is_empty() {
        let _ = writeln!(out, "## Links\n");
        for l in &p.links {
            let _ = writeln!(out, "- [{}]({})", l.title.replace(']', "\\]"), l.url);
        }
        out.push('\n');
    }
    if !p.aliases.is_empty() {
        let aliases: Vec<String> = p.aliases.iter().map(|a| format!("`{a}`")).collect();
        let _ = writeln!(out, "Also known as: {}.\n", aliases.join(", "));
    }
    if !p.references.is_empty() {
        let _ = writeln!(out, "## Where the messages come from\n");
        for r in &p.references {
            let _ = writeln!(out, "- {}: {}", reference_location(r), r.shows);
        }
        out.push('\n');
    }
    // One trailing newline.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// `index.md` of `faultline docs`: every playbook by category.
pub fn index(catalog: &Catalog) -> String {
    let mut out = String::from("# faultline playbooks\n\n");
    let _ = writeln!(
        out,
        "> Generated by `faultline docs` from the playbook YAML files ({} playbooks). Edit the YAML \
         files, not these pages.\n",
        catalog.len()
    );
    let mut entries: Vec<&Entry> = catalog.entries().iter().collect();
    entries.sort_by(|a, b| {
        (&a.playbook.category, &a.playbook.id).cmp(&(&b.playbook.category, &b.playbook.id))
    });
    let mut category = "";
    for e in entries {
        let p = &e.playbook;
        if p.category != category {
            category = &p.category;
            let _ = writeln!(
                out,
                "\n## {category}\n\n| playbook | title | severity |\n|---|---|---|"
            );
        }
        let _ = writeln!(
            out,
            "| [`{}`]({}.md) | {} | {} |",
            p.id,
            p.id,
            p.title.replace('|', "\\|"),
            severity_str(p.severity)
        );
    }
    out
}

/// A playbook as `explain --format json` and `list --format json` show it: where it comes from,
/// then every field of the playbook file (`playbooks/README.md`).
#[derive(Serialize, JsonSchema)]
struct JsonPlaybook<'a> {
    /// The playbook file (bundled: its path in the repository).
    source: &'a str,
    /// Shipped with faultline (false: a team folder's).
    bundled: bool,
    /// The alias the playbook was asked for by (`explain OLD-ID`), when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    requested_alias: Option<&'a str>,
    #[serde(flatten)]
    playbook: &'a Playbook,
}

/// `list --format json`.
#[derive(Serialize, JsonSchema)]
struct JsonList<'a> {
    /// The playbooks, sorted by category then id, after `--category` and `--tag`.
    playbooks: Vec<JsonPlaybook<'a>>,
}

/// The schema of `explain PLAYBOOK --format json`.
pub fn playbook_schema() -> Schema {
    envelope::schema_of::<JsonPlaybook<'static>>(
        "playbook",
        "playbook (explain PLAYBOOK --format json)",
    )
}

/// The schema of `list --format json`.
pub fn list_schema() -> Schema {
    envelope::schema_of::<JsonList<'static>>("list", "playbook list (list --format json)")
}

/// `explain --format json`; `alias` is the alias the playbook was asked for by, if any (shown as
/// `"requested_alias"`).
pub fn json(entry: &Entry, alias: Option<&str>) -> String {
    envelope::render(JsonPlaybook {
        source: &entry.path,
        bundled: entry.bundled,
        requested_alias: alias,
        playbook: &entry.playbook,
    })
}

pub fn list_json(entries: &[&Entry]) -> String {
    envelope::render(JsonList {
        playbooks: entries
            .iter()
            .map(|e| JsonPlaybook {
                source: &e.path,
                bundled: e.bundled,
                requested_alias: None,
                playbook: &e.playbook,
            })
            .collect(),
    })
}

pub fn list_human(entries: &[&Entry], color: bool) -> String {
    let w = entries
        .iter()
        .map(|e| e.playbook.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    let wc = entries
        .iter()
        .map(|e| e.playbook.category.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        paint(
            color,
            "1",
            &format!(
                "{:<w$}  {:<wc$}  {:<8}  title",
                "id", "category", "severity"
            )
        )
    );
    for e in entries {
        let p = &e.playbook;
        let _ = writeln!(
            out,
            "{:<w$}  {:<wc$}  {:<8}  {}",
            p.id,
            p.category,
            severity_str(p.severity),
            p.title
        );
    }
    let _ = writeln!(
        out,
        "{} playbooks. Details: faultline explain <id>",
        entries.len()
    );
    out
}

/// Up to three ids close to `id`: a small edit distance first; failing that, ids that contain it
/// (or that it contains); failing that, ids sharing most of its beginning.
pub fn suggestions<'a>(id: &str, ids: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut ids: Vec<&str> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    let pick = |keep: &dyn Fn(&str) -> bool| {
        let mut scored: Vec<(usize, &'a str)> = ids
            .iter()
            .filter(|c| keep(c))
            .map(|c| (edit_distance(id, c), *c))
            .collect();
        scored.sort();
        scored
            .into_iter()
            .take(3)
            .map(|(_, c)| c)
            .collect::<Vec<_>>()
    };
    let close = pick(&|c| edit_distance(id, c) <= (id.len() / 3).max(2));
    if !close.is_empty() {
        return close;
    }
    let related = pick(&|c| (id.len() >= 3 && c.contains(id)) || (c.len() >= 3 && id.contains(c)));
    if !related.is_empty() {
        return related;
    }
    pick(&|c| common_prefix(id, c) * 3 >= id.len() * 2 && common_prefix(id, c) >= 4)
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_ids() {
        let ids = [
            "python-externally-managed",
            "pip-not-installed",
            "python-venv-missing",
            "npm-eresolve-conflict",
        ];
        assert_eq!(
            suggestions("python-externaly-managed", ids.iter().copied()),
            vec!["python-externally-managed"]
        );
        assert_eq!(
            suggestions("pip-not-instaled", ids.iter().copied()),
            vec!["pip-not-installed"]
        );
        assert_eq!(
            suggestions("venv", ids.iter().copied()),
            vec!["python-venv-missing"]
        );
        assert!(suggestions("zzzzzz", ids.iter().copied()).is_empty());
    }

    #[test]
    fn code_spans_escape_pipes_and_backticks() {
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("x`y"), "`` x`y ``");
    }
}
