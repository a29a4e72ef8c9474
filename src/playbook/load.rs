//! Loading and validating playbooks: the bundled catalog (embedded by `build.rs`) and team folders
//! given with `--playbooks DIR`. Every error names the file, line and column: serde-saphyr gives a
//! position for parse errors, and a second, spanned parse (saphyr) locates the scalar behind a
//! semantic error (an `id` that does not match the file name, a regex that does not compile).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use regex_syntax::hir::Hir;
use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

use super::schema::{Playbook, Signal};

mod generated {
    include!(concat!(env!("OUT_DIR"), "/catalog.rs"));
}

/// The embedded catalog: `(repo-relative path, YAML text)`, sorted by path.
pub use generated::BUNDLED;

/// One loaded playbook and where it came from.
#[derive(Debug, Clone)]
pub struct Entry {
    pub playbook: Playbook,
    /// The file, as shown to users (`playbooks/bundled/log/python/x.yaml`, or the team path).
    pub path: String,
    /// True for the embedded catalog; false for a `--playbooks` folder.
    pub bundled: bool,
}

/// A playbook (or playbook folder) that cannot be used. Exit code 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// A problem at a known place in a file.
    At {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// A problem with a whole file or folder (unreadable, missing).
    Path { path: String, message: String },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::At {
                path,
                line,
                column,
                message,
            } => write!(f, "{path}:{line}:{column}: {message}"),
            LoadError::Path { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// The playbooks a command works with, sorted by id, team playbooks overriding bundled ones.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    entries: Vec<Entry>,
}

impl Catalog {
    /// The bundled catalog plus every `--playbooks` folder, in order (a later folder overrides an
    /// earlier one, and any folder overrides the bundled catalog).
    pub fn load(team_dirs: &[PathBuf]) -> Result<Catalog, LoadError> {
        let mut by_id: BTreeMap<String, Entry> = BTreeMap::new();
        for entry in load_bundled()? {
            by_id.insert(entry.playbook.id.clone(), entry);
        }
        for dir in team_dirs {
            for entry in load_dir(dir)? {
                by_id.insert(entry.playbook.id.clone(), entry);
            }
        }
        Ok(Catalog {
            entries: by_id.into_values().collect(),
        })
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries
            .binary_search_by(|e| e.playbook.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// The playbook with this id, or else the one that declares it as an alias.
    pub fn resolve(&self, id_or_alias: &str) -> Option<&Entry> {
        self.get(id_or_alias).or_else(|| {
            self.entries
                .iter()
                .find(|e| e.playbook.aliases.iter().any(|a| a == id_or_alias))
        })
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

/// The ids of the bundled playbooks (their file stems, which validation ties to the ids), sorted.
/// Cheap: nothing is parsed. Lint uses it to check that each rule's playbook exists.
pub fn bundled_ids() -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = BUNDLED.iter().map(|(path, _)| file_stem(path)).collect();
    ids.sort_unstable();
    ids
}

/// The bundled playbook with this id, parsed once per process. `None` when there is no such id
/// (or the bundled catalog is broken, which the test suite rules out).
pub fn find_playbook(id: &str) -> Option<&'static Playbook> {
    bundled_catalog().ok()?.get(id).map(|e| &e.playbook)
}

/// The bundled catalog alone, parsed and validated once per process.
pub fn bundled_catalog() -> Result<&'static Catalog, &'static LoadError> {
    static CATALOG: OnceLock<Result<Catalog, LoadError>> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::load(&[])).as_ref()
}

fn file_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
        .unwrap_or(name)
}

fn load_bundled() -> Result<Vec<Entry>, LoadError> {
    let mut entries = Vec::with_capacity(BUNDLED.len());
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (path, text) in BUNDLED {
        // `playbooks/bundled/log/<category>/<id>.yaml`: the category is the parent folder.
        let folder = path.rsplit('/').nth(1).unwrap_or("");
        let playbook = parse_checked(path, text, Some(folder), Checks::Bundled)?;
        check_duplicate(&mut seen, path, text, &playbook)?;
        entries.push(Entry {
            playbook,
            path: (*path).to_string(),
            bundled: true,
        });
    }
    Ok(entries)
}

/// Every `*.yaml` / `*.yml` below `dir`, recursively, in path order.
fn load_dir(dir: &Path) -> Result<Vec<Entry>, LoadError> {
    let shown = dir.display().to_string();
    if !dir.is_dir() {
        let message = if dir.exists() {
            "is a file, not a directory of playbooks"
        } else {
            "no such directory"
        };
        return Err(LoadError::Path {
            path: shown,
            message: format!("--playbooks: {message}"),
        });
    }
    let mut files = Vec::new();
    for item in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        let item = item.map_err(|e| LoadError::Path {
            path: e.path().map_or(shown.clone(), |p| p.display().to_string()),
            message: e.to_string(),
        })?;
        let is_yaml = matches!(
            item.path().extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        );
        if item.file_type().is_file() && is_yaml {
            files.push(item.into_path());
        }
    }
    let mut entries = Vec::with_capacity(files.len());
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for file in files {
        let path = file.display().to_string();
        let text = crate::lint::read::read_text(&file).map_err(|e| match (e.line, e.column) {
            (Some(line), Some(column)) => LoadError::At {
                path: path.clone(),
                line,
                column,
                message: e.message,
            },
            _ => LoadError::Path {
                path: path.clone(),
                message: e.message,
            },
        })?;
        let playbook = parse_playbook(&path, &text, None)?;
        check_compiles(&path, &text, &playbook)?;
        check_duplicate(&mut seen, &path, &text, &playbook)?;
        entries.push(Entry {
            playbook,
            path,
            bundled: false,
        });
    }
    Ok(entries)
}

/// Each team signal compiles on its own within the regex engine's size limit (the bundled ones
/// are known to): a pattern like `(\w{1000}){1000}` parses, but its automaton would not fit.
fn check_compiles(path: &str, text: &str, playbook: &Playbook) -> Result<(), LoadError> {
    for (kind, index, pattern) in patterns(playbook) {
        let built = regex_automata::meta::Regex::builder()
            .syntax(regex_syntax_config())
            .build(pattern);
        let Err(e) = built else { continue };
        let (line, column) = locate_signal(
            text,
            &[Seg::Key("match"), Seg::Key(kind.key()), Seg::Index(index)],
        );
        let shown: String = pattern.chars().take(120).collect();
        let ellipsis = if shown.len() < pattern.len() {
            "…"
        } else {
            ""
        };
        let why = match e.size_limit() {
            Some(limit) => format!(
                "is too large once compiled (over the regex engine's limit of {limit} bytes): \
                 use smaller counted repetitions"
            ),
            None => format!("does not compile: {e}"),
        };
        return Err(LoadError::At {
            path: path.to_string(),
            line,
            column,
            message: format!(
                "match.{}[{index}]: regex `{shown}{ellipsis}` {why}",
                kind.key()
            ),
        });
    }
    Ok(())
}

fn check_duplicate(
    seen: &mut BTreeMap<String, String>,
    path: &str,
    text: &str,
    playbook: &Playbook,
) -> Result<(), LoadError> {
    if let Some(first) = seen.get(&playbook.id) {
        let (line, column) = locate(text, &[Seg::Key("id")]);
        return Err(LoadError::At {
            path: path.to_string(),
            line,
            column,
            message: format!(
                "duplicate playbook id `{}` (also defined in {first})",
                playbook.id
            ),
        });
    }
    seen.insert(playbook.id.clone(), path.to_string());
    for (index, alias) in playbook.aliases.iter().enumerate() {
        if let Some(first) = seen.get(alias) {
            let (line, column) = locate(text, &[Seg::Key("aliases"), Seg::Index(index)]);
            return Err(LoadError::At {
                path: path.to_string(),
                line,
                column,
                message: format!("alias `{alias}` is already an id or alias in {first}"),
            });
        }
        seen.insert(alias.clone(), path.to_string());
    }
    Ok(())
}

/// Parse and validate one playbook file. `folder` is the category folder for bundled files.
pub fn parse_playbook(path: &str, text: &str, folder: Option<&str>) -> Result<Playbook, LoadError> {
    parse_checked(path, text, folder, Checks::All)
}

/// How much of the file's validation a parse repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Checks {
    All,
    /// For the bundled playbooks, which `bundled_playbooks_pass_every_check` validates in full
    /// on every test run: skip what only finds mistakes in hand-written files (the nesting
    /// limits, the shape of each signal mapping, parsing each regex, which the matcher does
    /// again anyway). Half of `analyze`'s start-up went there.
    Bundled,
}

fn parse_checked(
    path: &str,
    text: &str,
    folder: Option<&str>,
    checks: Checks,
) -> Result<Playbook, LoadError> {
    let at = |(line, column): (usize, usize), message: String| LoadError::At {
        path: path.to_string(),
        line,
        column,
        message,
    };

    // Signal mappings are an untagged enum in the schema: serde would accept `strenth: strong`
    // silently (as a default-strength signal), and reports a bad `strength` only as "did not
    // match any variant". The spanned tree gives a precise message first.
    // saphyr's loader (below) recurses once per level: check the depth first.
    if checks == Checks::All {
        if let Err(e) = crate::lint::source::yaml::check_limits(text) {
            return Err(at((e.line, e.column), e.message));
        }
        if let Some((pos, message)) = check_signal_shapes(text) {
            return Err(at(pos, message));
        }
    }

    let mut options = serde_saphyr::options::Options::default();
    options.with_snippet = false;
    let playbook: Playbook = serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let (line, column) = e
            .location()
            .map_or((1, 1), |l| (l.line() as usize, l.column() as usize));
        let full = e.to_string();
        let suffix = format!(" at line {line}, column {column}");
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
        at((line.max(1), column.max(1)), message)
    })?;

    if !is_kebab_case(&playbook.id) {
        return Err(at(
            locate(text, &[Seg::Key("id")]),
            format!(
                "id `{}` must be kebab-case (lowercase letters, digits and single dashes)",
                playbook.id
            ),
        ));
    }
    let stem = file_stem(path.rsplit(['/', '\\']).next().unwrap_or(path));
    if stem != playbook.id {
        return Err(at(
            locate(text, &[Seg::Key("id")]),
            format!(
                "id `{}` does not match the file name `{stem}` (the file must be named `{}.yaml`)",
                playbook.id, playbook.id
            ),
        ));
    }
    if let Some(folder) = folder {
        if playbook.category != folder {
            return Err(at(
                locate(text, &[Seg::Key("category")]),
                format!(
                    "category `{}` does not match the folder `{folder}` the file is in",
                    playbook.category
                ),
            ));
        }
    }
    if playbook.matcher.any.is_empty() {
        return Err(at(
            locate(text, &[Seg::Key("match"), Seg::Key("any")]),
            "match.any needs at least one signal".to_string(),
        ));
    }
    if playbook.fix.is_empty() {
        return Err(at(
            locate(text, &[Seg::Key("fix")]),
            "fix needs at least one step".to_string(),
        ));
    }

    for (index, alias) in playbook.aliases.iter().enumerate() {
        if !is_kebab_case(alias) || *alias == playbook.id {
            return Err(at(
                locate(text, &[Seg::Key("aliases"), Seg::Index(index)]),
                format!("aliases[{index}]: `{alias}` must be a kebab-case id other than the playbook's own"),
            ));
        }
    }
    for (index, reference) in playbook.references.iter().enumerate() {
        let located =
            reference.url.is_some() || (reference.repo.is_some() && reference.path.is_some());
        if !located || reference.shows.trim().is_empty() {
            return Err(at(
                locate(text, &[Seg::Key("references"), Seg::Index(index)]),
                format!("references[{index}] needs `url` (or `repo` and `path`) and a non-empty `shows`"),
            ));
        }
    }

    let regexes = patterns(&playbook).filter(|_| checks == Checks::All);
    for (kind, index, pattern) in regexes {
        if let Err(message) = check_regex(pattern) {
            let pos = locate_signal(
                text,
                &[Seg::Key("match"), Seg::Key(kind.key()), Seg::Index(index)],
            );
            return Err(at(pos, format!("match.{}[{index}]: {message}", kind.key())));
        }
    }
    Ok(playbook)
}

/// Which list of `match` a pattern comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SignalKind {
    Any,
    All,
    None,
}

impl SignalKind {
    pub fn key(self) -> &'static str {
        match self {
            SignalKind::Any => "any",
            SignalKind::All => "all",
            SignalKind::None => "none",
        }
    }
}

/// Every pattern of a playbook with its list and index: `any`, then `all`, then `none`.
pub fn patterns(playbook: &Playbook) -> impl Iterator<Item = (SignalKind, usize, &str)> {
    let m = &playbook.matcher;
    let any = m
        .any
        .iter()
        .enumerate()
        .map(|(i, s)| (SignalKind::Any, i, s.regex()));
    let all = m
        .all
        .iter()
        .enumerate()
        .map(|(i, s)| (SignalKind::All, i, s.regex()));
    let none = m
        .none
        .iter()
        .enumerate()
        .map(|(i, s)| (SignalKind::None, i, s.as_str()));
    any.chain(all).chain(none)
}

/// How every signal is parsed: case-insensitive, `^`/`$` at line boundaries.
pub fn regex_syntax_config() -> regex_automata::util::syntax::Config {
    regex_automata::util::syntax::Config::new()
        .case_insensitive(true)
        .multi_line(true)
}

/// Parse one signal into its high-level IR, as the matcher compiles it.
pub fn parse_regex(pattern: &str) -> Result<Hir, String> {
    regex_automata::util::syntax::parse_with(pattern, &regex_syntax_config()).map_err(|e| match e {
        regex_syntax::Error::Parse(e) => {
            format!(
                "invalid regex: {} (at character {} of the pattern)",
                e.kind(),
                e.span().start.column
            )
        }
        regex_syntax::Error::Translate(e) => {
            format!(
                "invalid regex: {} (at character {} of the pattern)",
                e.kind(),
                e.span().start.column
            )
        }
        other => format!("invalid regex: {other}"),
    })
}

/// A signal must parse, and must not match the empty string (it would match every line).
fn check_regex(pattern: &str) -> Result<(), String> {
    let hir = parse_regex(pattern)?;
    if hir.properties().minimum_len() == Some(0) {
        return Err(format!(
            "regex `{pattern}` can match the empty string, so it would match every line"
        ));
    }
    Ok(())
}

fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A step into a YAML tree.
#[derive(Debug, Clone, Copy)]
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

fn load_tree(text: &str) -> Option<MarkedYaml<'_>> {
    MarkedYaml::load_from_str(text).ok()?.into_iter().next()
}

/// 1-based (line, column) of the node at `path`, or of its deepest existing ancestor; (1, 1) when
/// the text does not parse. saphyr columns are 0-based characters.
fn locate(text: &str, path: &[Seg]) -> (usize, usize) {
    let Some(root) = load_tree(text) else {
        return (1, 1);
    };
    let mut node = &root;
    for seg in path {
        let next = match seg {
            Seg::Key(k) => node.data.as_mapping_get(k),
            Seg::Index(i) => node.data.as_sequence_get(*i),
        };
        match next {
            Some(n) => node = n,
            None => break,
        }
    }
    (node.span.start.line().max(1), node.span.start.col() + 1)
}

/// The position of a signal's regex scalar: the item itself when it is a bare string, or its
/// `regex:` value when it is a mapping.
fn locate_signal(text: &str, path: &[Seg]) -> (usize, usize) {
    let Some(root) = load_tree(text) else {
        return (1, 1);
    };
    let mut node = &root;
    for seg in path.iter() {
        let next = match seg {
            Seg::Key(k) => node.data.as_mapping_get(k),
            Seg::Index(i) => node.data.as_sequence_get(*i),
        };
        match next {
            Some(n) => node = n,
            None => return (node.span.start.line().max(1), node.span.start.col() + 1),
        }
    }
    if let Some(regex) = node.data.as_mapping_get("regex") {
        node = regex;
    }
    (node.span.start.line().max(1), node.span.start.col() + 1)
}

/// Check every `match.any` / `match.all` item: a string, or a mapping with `regex` (a string) and
/// optionally `strength` (strong, medium or weak), nothing else. Returns the first problem.
fn check_signal_shapes(text: &str) -> Option<((usize, usize), String)> {
    let root = load_tree(text)?;
    let matcher = root.data.as_mapping_get("match")?;
    for key in ["any", "all"] {
        let Some(list) = matcher.data.as_mapping_get(key) else {
            continue;
        };
        let Some(items) = list.data.as_sequence() else {
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            let pos = |n: &MarkedYaml| (n.span.start.line().max(1), n.span.start.col() + 1);
            let Some(map) = item.data.as_mapping() else {
                continue;
            };
            for (k, v) in map.iter() {
                let name = match &k.data {
                    YamlData::Value(Scalar::String(s)) => s.to_string(),
                    _ => {
                        return Some((
                            pos(k),
                            format!("match.{key}[{i}]: signal keys are `regex` and `strength`"),
                        ))
                    }
                };
                match name.as_str() {
                    "regex" => {
                        if !matches!(v.data, YamlData::Value(Scalar::String(_))) {
                            return Some((pos(v), format!("match.{key}[{i}].regex must be a string")));
                        }
                    }
                    "strength" => {
                        let ok = matches!(&v.data, YamlData::Value(Scalar::String(s)) if matches!(s.as_ref(), "strong" | "medium" | "weak"));
                        if !ok {
                            return Some((
                                pos(v),
                                format!("match.{key}[{i}].strength must be one of `strong`, `medium`, `weak`"),
                            ));
                        }
                    }
                    other => {
                        return Some((
                            pos(k),
                            format!("match.{key}[{i}]: unknown field `{other}`, expected `regex` or `strength`"),
                        ))
                    }
                }
            }
            if map.iter().all(|(k, _)| !matches!(&k.data, YamlData::Value(Scalar::String(s)) if s.as_ref() == "regex")) {
                return Some((pos(item), format!("match.{key}[{i}]: missing field `regex`")));
            }
        }
    }
    None
}

/// Every signal of a playbook with its strength (none signals have none).
pub fn signal_of(playbook: &Playbook, kind: SignalKind, index: usize) -> Option<&Signal> {
    match kind {
        SignalKind::Any => playbook.matcher.any.get(index),
        SignalKind::All => playbook.matcher.all.get(index),
        SignalKind::None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "id: demo-failure\ntitle: Demo\ncategory: demo\nseverity: low\nsummary: s\ndiagnosis: d\nfix: [do it]\nmatch:\n  any:\n    - 'boom'\n    - regex: 'bang (\\d+)'\n      strength: strong\n";

    /// The bundled catalog loads with `Checks::Bundled`: this is where its files get the rest.
    #[test]
    fn bundled_playbooks_pass_every_check() {
        assert!(BUNDLED.len() > 100, "{} bundled playbooks", BUNDLED.len());
        for (path, text) in BUNDLED {
            let folder = path.rsplit('/').nth(1).unwrap_or("");
            let full = parse_playbook(path, text, Some(folder));
            let fast = parse_checked(path, text, Some(folder), Checks::Bundled);
            assert_eq!(full.as_ref().err(), None, "{path}");
            assert_eq!(
                format!("{:?}", full.ok()),
                format!("{:?}", fast.ok()),
                "{path}: the same playbook either way"
            );
        }
    }

    #[test]
    fn good_playbook_parses() {
        let p = parse_playbook("x/demo/demo-failure.yaml", GOOD, Some("demo")).expect("valid");
        assert_eq!(p.id, "demo-failure");
        assert_eq!(p.matcher.any.len(), 2);
    }

    #[test]
    fn errors_carry_positions() {
        // Each case: text edit, expected rendered error.
        let cases = [
            (GOOD.replace("severity: low\n", "severity: low\nseverty: x\n"), "f/demo/demo-failure.yaml:5:1: unknown field `severty`"),
            (GOOD.replace("'bang (\\d+)'", "'bang (\\d+'"), "f/demo/demo-failure.yaml:11:14: match.any[1]: invalid regex: unclosed group"),
            (GOOD.replace("strength: strong", "strenth: strong"), "f/demo/demo-failure.yaml:12:7: match.any[1]: unknown field `strenth`"),
            (GOOD.replace("strength: strong", "strength: huge"), "f/demo/demo-failure.yaml:12:17: match.any[1].strength must be one of"),
            (GOOD.replace("id: demo-failure", "id: other-id"), "f/demo/demo-failure.yaml:1:5: id `other-id` does not match the file name"),
            (GOOD.replace("category: demo", "category: misc"), "f/demo/demo-failure.yaml:3:11: category `misc` does not match the folder `demo`"),
            (GOOD.replace("'boom'", "'a*'"), "f/demo/demo-failure.yaml:10:7: match.any[0]: regex `a*` can match the empty string"),
        ];
        for (text, want) in cases {
            let err = parse_playbook("f/demo/demo-failure.yaml", &text, Some("demo"))
                .expect_err(want)
                .to_string();
            assert!(err.starts_with(want), "got: {err}\nwant: {want}");
        }
    }

    #[test]
    fn kebab_case() {
        assert!(is_kebab_case("pip-not-installed"));
        assert!(is_kebab_case("go-1-22"));
        assert!(!is_kebab_case("Pip"));
        assert!(!is_kebab_case("a--b"));
        assert!(!is_kebab_case("-a"));
        assert!(!is_kebab_case(""));
    }
}
