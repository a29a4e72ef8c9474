//! The configuration file: `.faultline.yaml` (or `.faultline.yml`) at the linted repository's root,
//! or the file `--config` names. It turns rules off or changes their severity, ignores paths,
//! declares facts the files cannot show (what a self-hosted runner label or a private image is), and
//! adds team playbook folders. Every key is documented in `docs/configuration.md`.
//!
//! Parsing is serde-saphyr with unknown fields denied, so a typo is an error with its line and
//! column rather than a silently ignored key; rule ids, severities, globs and folders are checked
//! here with the position of the offending value. A bad configuration stops the run (exit 2): a
//! gate that silently runs with half its configuration is worse than one that refuses.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::platform::{Declared, DeclaredPlatform};
use crate::report::Severity;

/// The names looked for at the repository root, in order.
pub const FILE_NAMES: [&str; 2] = [".faultline.yaml", ".faultline.yml"];

/// What the configuration says about one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSetting {
    Off,
    Severity(Severity),
}

/// A loaded, validated configuration. `Config::default()` is "no configuration file".
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from (`None`: no configuration).
    pub path: Option<PathBuf>,
    /// The folder paths in the file are relative to (the file's folder).
    pub base: PathBuf,
    pub rules: BTreeMap<String, RuleSetting>,
    pub ignore: Vec<Glob>,
    pub declared: Declared,
    /// Team playbook folders, resolved against `base`; each exists.
    pub playbooks: Vec<PathBuf>,
    /// `today:`: the date time-dependent facts are judged at (reproducible runs).
    pub today: Option<super::facts::Date>,
    /// `github_enterprise_server: true`: GHES requires artifact actions v3 and keeps the old cache
    /// service, so those deprecations do not apply.
    pub ghes: bool,
}

/// A config file that cannot be used, with the position of the problem when there is one
/// (the same shape as every input error: `path:line:col: message`).
pub type ConfigError = crate::report::InputError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    rules: HashMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    runners: HashMap<Spanned<String>, RawPlatform>,
    #[serde(default)]
    images: HashMap<Spanned<String>, RawPlatform>,
    #[serde(default)]
    playbooks: Vec<Spanned<String>>,
    #[serde(default)]
    today: Option<Spanned<String>>,
    #[serde(default)]
    github_enterprise_server: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlatform {
    externally_managed: Option<bool>,
    pip: Option<bool>,
    pip_conf_override: Option<bool>,
    venv: Option<bool>,
}

impl From<RawPlatform> for DeclaredPlatform {
    fn from(r: RawPlatform) -> Self {
        DeclaredPlatform {
            externally_managed: r.externally_managed,
            pip: r.pip,
            pip_conf_override: r.pip_conf_override,
            venv: r.venv,
        }
    }
}

/// The configuration file at `root`, if any. Both names present is an error: which one wins would
/// be a guess.
pub fn find(root: &Path) -> Result<Option<PathBuf>, ConfigError> {
    let found: Vec<PathBuf> = FILE_NAMES
        .iter()
        .map(|n| root.join(n))
        .filter(|p| p.is_file())
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        [first, second, ..] => Err(ConfigError {
            path: second.clone(),
            line: None,
            column: None,
            message: format!(
                "both {} and {} exist; keep one",
                display_name(first),
                display_name(second)
            ),
        }),
    }
}

/// The configuration that applies to files in `dir`: the nearest `.faultline.yaml` (or `.yml`) in
/// `dir` or a folder above it, up to and including `root` (the repository root). A `dir` outside
/// `root` looks only up to its own repository root.
pub fn find_upward(dir: &Path, root: &Path) -> Result<Option<PathBuf>, ConfigError> {
    let mut at = Some(dir);
    while let Some(d) = at {
        if let Some(found) = find(d)? {
            return Ok(Some(found));
        }
        if d == root || d.join(".git").exists() {
            break;
        }
        at = d.parent();
    }
    Ok(None)
}

/// `find_upward` for many folders of one repository: each folder's answer is kept in `seen`
/// (keyed by folder, for this `root`), so sibling folders do not look in their parents again.
pub fn find_upward_cached(
    dir: &Path,
    root: &Path,
    seen: &mut std::collections::HashMap<(PathBuf, PathBuf), Option<PathBuf>>,
) -> Result<Option<PathBuf>, ConfigError> {
    // The folders looked at, nearest first, until one is known or the search ends.
    let mut path = Vec::new();
    let mut at = Some(dir);
    let mut answer = None;
    while let Some(d) = at {
        if let Some(known) = seen.get(&(d.to_path_buf(), root.to_path_buf())) {
            answer = known.clone();
            break;
        }
        path.push(d.to_path_buf());
        if let Some(found) = find(d)? {
            answer = Some(found);
            break;
        }
        if d == root || d.join(".git").exists() {
            break;
        }
        at = d.parent();
    }
    // Every folder on the way up has the answer its nearest folder has.
    for d in path {
        seen.insert((d, root.to_path_buf()), answer.clone());
    }
    Ok(answer)
}

fn display_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Read and validate the file at `path`. `known_rule` says which rule ids exist.
pub fn load(path: &Path, known_rule: &dyn Fn(&str) -> bool) -> Result<Config, ConfigError> {
    let text = super::read::read_text(path).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        line: e.line,
        column: e.column,
        message: format!("cannot read the configuration: {}", e.message),
    })?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    parse(&text, path, &base, known_rule)
}

/// Parse configuration `text` (read from `path`, whose relative paths resolve against `base`).
pub fn parse(
    text: &str,
    path: &Path,
    base: &Path,
    known_rule: &dyn Fn(&str) -> bool,
) -> Result<Config, ConfigError> {
    let err = |loc: Option<&serde_saphyr::Location>, message: String| ConfigError {
        path: path.to_path_buf(),
        line: loc.map(|l| l.line() as usize),
        column: loc.map(|l| l.column() as usize),
        message,
    };
    // A file holding only comments is an empty configuration.
    let raw: RawConfig = if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        RawConfig {
            rules: HashMap::new(),
            ignore: Vec::new(),
            runners: HashMap::new(),
            images: HashMap::new(),
            playbooks: Vec::new(),
            today: None,
            github_enterprise_server: false,
        }
    } else {
        if let Some((line, column, message)) = check_shapes(text) {
            return Err(ConfigError {
                path: path.to_path_buf(),
                line: Some(line),
                column: Some(column),
                message,
            });
        }
        serde_saphyr::from_str(text).map_err(|e| {
            let loc = e.location();
            err(loc.as_ref(), plain_message(&e, loc.as_ref()))
        })?
    };

    let mut config = Config {
        path: Some(path.to_path_buf()),
        base: base.to_path_buf(),
        ..Config::default()
    };

    let mut rules: Vec<_> = raw.rules.into_iter().collect();
    rules.sort_by_key(|(k, _)| (k.referenced.line(), k.referenced.column()));
    for (id, value) in rules {
        if !known_rule(&id.value) {
            return Err(err(
                Some(&id.referenced),
                format!(
                    "unknown rule `{}`{}",
                    id.value,
                    super::rules::did_you_mean(&id.value)
                ),
            ));
        }
        let setting = match value.value.as_str() {
            "off" => RuleSetting::Off,
            other => match Severity::parse(other) {
                Some(s) => RuleSetting::Severity(s),
                None => {
                    return Err(err(
                        Some(&value.referenced),
                        format!("`{other}` is not a rule setting: use off, error, warning or info"),
                    ))
                }
            },
        };
        config.rules.insert(id.value, setting);
    }

    if let Some(today) = &raw.today {
        config.today = Some(super::facts::Date::parse(&today.value).ok_or_else(|| {
            err(
                Some(&today.referenced),
                format!("today: `{}` is not a date (YYYY-MM-DD)", today.value),
            )
        })?);
    }
    config.ghes = raw.github_enterprise_server;

    for pattern in raw.ignore {
        let glob = Glob::new(&pattern.value).map_err(|m| err(Some(&pattern.referenced), m))?;
        config.ignore.push(glob);
    }

    for (map, out, what) in [
        (raw.runners, &mut config.declared.runners, "runner label"),
        (raw.images, &mut config.declared.images, "image"),
    ] {
        let mut entries: Vec<_> = map.into_iter().collect();
        entries.sort_by_key(|(k, _)| (k.referenced.line(), k.referenced.column()));
        for (key, platform) in entries {
            if key.value.trim().is_empty() {
                return Err(err(Some(&key.referenced), format!("empty {what}")));
            }
            if key.value.trim_end_matches('*').contains('*') {
                return Err(err(
                    Some(&key.referenced),
                    format!(
                        "`{}`: `*` is allowed only at the end (a prefix match)",
                        key.value
                    ),
                ));
            }
            out.insert(key.value, platform.into());
        }
    }

    for dir in raw.playbooks {
        let resolved = base.join(&dir.value);
        if !resolved.is_dir() {
            let what = if resolved.exists() {
                "is a file, not a folder of playbooks"
            } else {
                "does not exist"
            };
            return Err(err(
                Some(&dir.referenced),
                format!(
                    "playbook folder `{}` {what} (paths are relative to this file)",
                    dir.value
                ),
            ));
        }
        config.playbooks.push(resolved);
    }
    Ok(config)
}

const FACTS: &str = "externally_managed, pip, pip_conf_override, venv: true or false";

/// The shape of each key, checked on the spanned tree before serde-saphyr, whose type errors name
/// neither the key nor the shape expected ("expected mapping start"). Also where nesting deeper
/// than faultline's limit is reported. Syntax errors are left to serde-saphyr.
fn check_shapes(text: &str) -> Option<(usize, usize, String)> {
    use super::source::yaml::{self, Kind, Node};
    let docs = match yaml::parse(text) {
        Ok(d) => d,
        Err(e) if e.limit => return Some((e.line, e.column, e.message)),
        Err(_) => return None,
    };
    let doc = docs.first()?;
    let index = super::source::span::LineIndex::new(text);
    let at = |n: &Node, message: String| {
        let (line, column) = index.line_col(text, n.span.start);
        Some((line, column, message))
    };
    let found = |n: &Node| match &n.kind {
        Kind::Seq(_) => "a list".to_string(),
        Kind::Map(_) => "a mapping".to_string(),
        Kind::Scalar(s) => format!("`{}`", s.value),
    };
    let Some(top) = doc.as_map() else {
        if doc.is_null() {
            return None;
        }
        return at(
            doc,
            format!(
                "the configuration must be a mapping with the keys rules, ignore, runners, images, \
                 playbooks; found {}",
                found(doc)
            ),
        );
    };
    for (k, v) in top {
        let Some(key) = k.as_str() else { continue };
        if v.is_null() {
            continue;
        }
        match key {
            "rules" => {
                let Some(rules) = v.as_map() else {
                    return at(v, format!("`rules` must be a mapping of rule ids to off, error, warning or info; found {}", found(v)));
                };
                for (id, setting) in rules {
                    if setting.as_scalar().is_none() {
                        let id = id.as_str().unwrap_or("…");
                        return at(
                            setting,
                            format!(
                                "`rules.{id}` must be off, error, warning or info; found {}",
                                found(setting)
                            ),
                        );
                    }
                }
            }
            "ignore" | "playbooks" => {
                let what = if key == "ignore" {
                    "path glob"
                } else {
                    "folder path"
                };
                let Some(items) = v.as_seq() else {
                    return at(
                        v,
                        format!("`{key}` must be a list of {what}s; found {}", found(v)),
                    );
                };
                for (i, item) in items.iter().enumerate() {
                    if item.as_scalar().is_none() {
                        return at(
                            item,
                            format!(
                                "`{key}[{i}]` must be a {what} (a string); found {}",
                                found(item)
                            ),
                        );
                    }
                }
            }
            "runners" | "images" => {
                let what = if key == "runners" {
                    "runner labels"
                } else {
                    "image names"
                };
                let Some(entries) = v.as_map() else {
                    return at(
                        v,
                        format!(
                            "`{key}` must be a mapping of {what} to facts ({FACTS}); found {}",
                            found(v)
                        ),
                    );
                };
                for (name, facts) in entries {
                    let name = name.as_str().unwrap_or("…");
                    let Some(facts) = facts.as_map() else {
                        return at(
                            facts,
                            format!(
                                "`{key}.{name}` must be a mapping of facts ({FACTS}); found {}",
                                found(facts)
                            ),
                        );
                    };
                    for (fact, value) in facts {
                        let fact = fact.as_str().unwrap_or("…");
                        let is_bool = matches!(
                            value.as_str(),
                            Some("true" | "True" | "TRUE" | "false" | "False" | "FALSE")
                        );
                        if !is_bool && !value.is_null() {
                            return at(
                                value,
                                format!(
                                    "`{key}.{name}.{fact}` must be true or false; found {}",
                                    found(value)
                                ),
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// serde-saphyr's message without its snippet and its trailing " at line L, column C" (we print
/// the position ourselves, in `file:line:col` form).
fn plain_message(e: &serde_saphyr::Error, loc: Option<&serde_saphyr::Location>) -> String {
    let formatter = serde_saphyr::UserMessageFormatter;
    let opts = serde_saphyr::render_options! { formatter: &formatter, snippets: serde_saphyr::SnippetMode::Off, };
    let msg = e.render_with_options(opts);
    match loc {
        Some(l) => {
            let suffix = format!(" at line {}, column {}", l.line(), l.column());
            msg.strip_suffix(&suffix).map(str::to_string).unwrap_or(msg)
        }
        None => msg,
    }
}

impl Config {
    /// The configuration for a lint run: `--config FILE` if given, else the file at `root`, else none.
    pub fn for_lint(
        explicit: Option<&Path>,
        root: &Path,
        known_rule: &dyn Fn(&str) -> bool,
    ) -> Result<Config, ConfigError> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => find(root)?,
        };
        match path {
            Some(p) => load(&p, known_rule),
            None => Ok(Config {
                base: root.to_path_buf(),
                ..Config::default()
            }),
        }
    }

    /// The configuration for files in `dir`: `--config FILE` if given, else the nearest file from
    /// `dir` up to `root` (see `find_upward`), else none (paths then relative to `root`).
    pub fn for_dir(
        explicit: Option<&Path>,
        dir: &Path,
        root: &Path,
        known_rule: &dyn Fn(&str) -> bool,
    ) -> Result<Config, ConfigError> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => find_upward(dir, root)?,
        };
        match path {
            Some(p) => load(&p, known_rule),
            None => Ok(Config {
                base: root.to_path_buf(),
                ..Config::default()
            }),
        }
    }

    pub fn rule(&self, id: &str) -> Option<RuleSetting> {
        self.rules.get(id).copied()
    }

    /// Whether `path` (as given or displayed; resolved against `cwd`) matches an `ignore` glob.
    /// Paths outside the configuration's folder are never ignored.
    pub fn is_ignored(&self, path: &Path, cwd: &Path) -> bool {
        if self.ignore.is_empty() {
            return false;
        }
        let base = absolute(&self.base, cwd);
        match relative_path(path, &base, cwd) {
            Some(rel) => self.ignore.iter().any(|g| g.matches(&rel)),
            None => false,
        }
    }
}

/// Team playbook folders for `faultline analyze`: those of the configuration `--config` names, or
/// of the one at the repository root around `cwd`. (Analyze's own `--playbooks` flags come on top.)
pub fn team_playbook_dirs(
    explicit: Option<&Path>,
    cwd: &Path,
) -> Result<Vec<PathBuf>, ConfigError> {
    let root = super::discover::repo_root(cwd);
    Config::for_lint(explicit, &root, &super::gate::is_known_rule).map(|c| c.playbooks)
}

/// `path` made absolute against `cwd`, with `.` and `..` resolved lexically.
pub fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `path` relative to `base` with forward slashes (`None` when it is not below `base`).
pub fn relative_path(path: &Path, base: &Path, cwd: &Path) -> Option<String> {
    let abs = absolute(path, cwd);
    let base = absolute(base, cwd);
    let rel = abs.strip_prefix(&base).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

/// An `ignore` pattern, gitignore-like: `*` and `?` within a path segment, `[a-z]` classes, `**`
/// for any number of segments; a pattern with a `/` (other than a trailing one) is anchored to the
/// configuration's folder, one without matches a file or folder name at any depth; a trailing `/`
/// matches folders only; matching a folder ignores everything under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    pub pattern: String,
    segments: Vec<String>,
    anchored: bool,
    dir_only: bool,
}

impl Glob {
    pub fn new(pattern: &str) -> Result<Glob, String> {
        let mut p = pattern.trim();
        if p.is_empty() {
            return Err("empty ignore pattern".into());
        }
        if p.starts_with('!') {
            return Err(format!("`{pattern}`: negated patterns are not supported"));
        }
        let dir_only = p.ends_with('/');
        p = p.trim_end_matches('/');
        let anchored = p.contains('/');
        let p = p.strip_prefix("./").unwrap_or(p);
        let p = p.trim_start_matches('/');
        if p.is_empty() {
            return Err(format!("`{pattern}` matches nothing"));
        }
        let segments: Vec<String> = p
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        for s in &segments {
            if s.contains("**") && s != "**" {
                return Err(format!(
                    "`{pattern}`: `**` must be a whole path segment (`a/**/b`)"
                ));
            }
            check_classes(s).map_err(|m| format!("`{pattern}`: {m}"))?;
        }
        Ok(Glob {
            pattern: pattern.to_string(),
            segments,
            anchored,
            dir_only,
        })
    }

    /// `rel` is relative to the configuration's folder, with forward slashes.
    pub fn matches(&self, rel: &str) -> bool {
        let comps: Vec<&str> = rel.split('/').filter(|s| !s.is_empty()).collect();
        let n = comps.len();
        // The file itself, or any folder above it (ignoring a folder ignores its contents).
        let last = if self.dir_only {
            n.saturating_sub(1)
        } else {
            n
        };
        if self.anchored {
            (1..=last).any(|k| match_segments(&self.segments, &comps[..k]))
        } else {
            comps[..last]
                .iter()
                .any(|c| match_segment(&self.segments[0], c))
        }
    }
}

fn check_classes(seg: &str) -> Result<(), String> {
    let mut chars = seg.chars();
    while let Some(c) = chars.next() {
        if c == '[' {
            let mut closed = false;
            let mut first = true;
            for d in chars.by_ref() {
                if d == ']' && !first {
                    closed = true;
                    break;
                }
                first = false;
            }
            if !closed {
                return Err("unclosed `[` character class".into());
            }
        }
    }
    Ok(())
}

fn match_segments(pat: &[String], path: &[&str]) -> bool {
    match pat.split_first() {
        None => path.is_empty(),
        Some((first, rest)) if first == "**" => {
            (0..=path.len()).any(|skip| match_segments(rest, &path[skip..]))
        }
        Some((first, rest)) => match path.split_first() {
            Some((p, prest)) => match_segment(first, p) && match_segments(rest, prest),
            None => false,
        },
    }
}

/// One segment: `*`, `?`, `[...]` (with `!` or `^` negation and `a-z` ranges), literal otherwise.
fn match_segment(pat: &str, name: &str) -> bool {
    if pat == "**" {
        return true;
    }
    let p: Vec<char> = pat.chars().collect();
    let n: Vec<char> = name.chars().collect();
    match_chars(&p, &n)
}

fn match_chars(p: &[char], n: &[char]) -> bool {
    match p.first() {
        None => n.is_empty(),
        Some('*') => (0..=n.len()).any(|i| match_chars(&p[1..], &n[i..])),
        Some('?') => !n.is_empty() && match_chars(&p[1..], &n[1..]),
        Some('[') => {
            let Some(c) = n.first() else { return false };
            match class(&p[1..], *c) {
                Some((ok, used)) => ok && match_chars(&p[1 + used..], &n[1..]),
                None => false,
            }
        }
        Some(lit) => n.first() == Some(lit) && match_chars(&p[1..], &n[1..]),
    }
}

/// Match `c` against the class starting after `[`; returns (matched, chars consumed incl. `]`).
fn class(p: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 0;
    let negate = matches!(p.first(), Some('!' | '^'));
    if negate {
        i += 1;
    }
    let mut hit = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((hit != negate, i + 1));
        }
        first = false;
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            if p[i] <= c && c <= p[i + 2] {
                hit = true;
            }
            i += 3;
        } else {
            if p[i] == c {
                hit = true;
            }
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(id: &str) -> bool {
        matches!(
            id,
            "pip-install-externally-managed" | "faultline-suppression"
        )
    }

    fn parse_ok(text: &str) -> Config {
        parse(
            text,
            Path::new(".faultline.yaml"),
            Path::new("/nonexistent"),
            &known,
        )
        .expect("valid config")
    }

    fn parse_err(text: &str) -> String {
        parse(
            text,
            Path::new(".faultline.yaml"),
            Path::new("/nonexistent"),
            &known,
        )
        .expect_err("invalid config")
        .to_string()
    }

    #[test]
    fn full_config() {
        let c = parse_ok(
            "# team settings\n\
             rules:\n  pip-install-externally-managed: warning\n  faultline-suppression: off\n\
             ignore:\n  - vendor/\n  - 'tests/fixtures/**'\n\
             runners:\n  gpu-box:\n    externally_managed: true\n    pip_conf_override: false\n\
             images:\n  registry.example.com/base/*:\n    externally_managed: true\n    pip: false\n    venv: true\n",
        );
        assert_eq!(
            c.rule("pip-install-externally-managed"),
            Some(RuleSetting::Severity(Severity::Warning))
        );
        assert_eq!(c.rule("faultline-suppression"), Some(RuleSetting::Off));
        assert_eq!(c.ignore.len(), 2);
        assert_eq!(
            c.declared.runners["gpu-box"],
            DeclaredPlatform {
                externally_managed: Some(true),
                pip: None,
                pip_conf_override: Some(false),
                venv: None
            }
        );
        assert_eq!(
            c.declared.images["registry.example.com/base/*"].pip,
            Some(false)
        );
    }

    #[test]
    fn empty_and_comment_only_files_are_empty_configs() {
        assert!(parse_ok("").rules.is_empty());
        assert!(parse_ok("# nothing yet\n\n").ignore.is_empty());
    }

    #[test]
    fn errors_carry_positions() {
        // Each case: the file, then the exact error.
        let cases = [
            ("rulez:\n  x: off\n", ".faultline.yaml:1:1: unknown field `rulez`, expected one of rules, ignore, runners, images, playbooks, today, github_enterprise_server"),
            ("rules:\n  pip-install-externaly-managed: off\n", ".faultline.yaml:2:3: unknown rule `pip-install-externaly-managed` (did you mean `pip-install-externally-managed`, `uv-pip-system-externally-managed`?)"),
            ("rules:\n  pip-install-externally-managed: warn\n", ".faultline.yaml:2:35: `warn` is not a rule setting: use off, error, warning or info"),
            ("runners:\n  self-hosted:\n    pipconf: true\n", ".faultline.yaml:3:5: unknown field `pipconf`, expected one of externally_managed, pip, pip_conf_override, venv"),
            ("images:\n  'a*b':\n    pip: true\n", ".faultline.yaml:2:3: `a*b`: `*` is allowed only at the end (a prefix match)"),
            ("ignore:\n  - 'a/[bc'\n", ".faultline.yaml:2:5: `a/[bc`: unclosed `[` character class"),
            ("ignore:\n  - 'x/**y'\n", ".faultline.yaml:2:5: `x/**y`: `**` must be a whole path segment (`a/**/b`)"),
            ("playbooks:\n  - team-playbooks\n", ".faultline.yaml:2:5: playbook folder `team-playbooks` does not exist (paths are relative to this file)"),
            ("rules: [a\n", ".faultline.yaml:1:8: expected mapping start"),
        ];
        for (text, want) in cases {
            assert_eq!(parse_err(text), want, "for {text:?}");
        }
    }

    #[test]
    fn type_errors_name_the_key_and_the_shape() {
        let cases = [
            ("[a]\n", ".faultline.yaml:1:1: the configuration must be a mapping with the keys rules, ignore, runners, images, playbooks; found a list"),
            ("rules: [a]\n", ".faultline.yaml:1:8: `rules` must be a mapping of rule ids to off, error, warning or info; found a list"),
            ("rules:\n  pip-unavailable: [x]\n", ".faultline.yaml:2:20: `rules.pip-unavailable` must be off, error, warning or info; found a list"),
            ("ignore: vendor/\n", ".faultline.yaml:1:9: `ignore` must be a list of path globs; found `vendor/`"),
            ("ignore:\n  - {a: b}\n", ".faultline.yaml:2:5: `ignore[0]` must be a path glob (a string); found a mapping"),
            ("playbooks: team\n", ".faultline.yaml:1:12: `playbooks` must be a list of folder paths; found `team`"),
            ("runners: [a]\n", ".faultline.yaml:1:10: `runners` must be a mapping of runner labels to facts (externally_managed, pip, pip_conf_override, venv: true or false); found a list"),
            ("images:\n  x: 3\n", ".faultline.yaml:2:6: `images.x` must be a mapping of facts (externally_managed, pip, pip_conf_override, venv: true or false); found `3`"),
            ("runners:\n  x:\n    pip: maybe\n", ".faultline.yaml:3:10: `runners.x.pip` must be true or false; found `maybe`"),
        ];
        for (text, want) in cases {
            assert_eq!(parse_err(text), want, "for {text:?}");
        }
    }

    #[test]
    fn non_ascii_before_the_error_counts_characters() {
        // "é" is two bytes; the column is in characters.
        assert_eq!(
            parse_err("# é\nrules:\n  é-rule: off\n"),
            ".faultline.yaml:3:3: unknown rule `é-rule` (see `faultline rules`)"
        );
    }

    #[test]
    fn globs() {
        // (pattern, path, matches)
        let cases = [
            ("vendor/", "vendor/x/Dockerfile", true),
            ("vendor/", "vendor", false), // a file named vendor is not a folder
            ("vendor", "a/vendor/Dockerfile", true),
            ("Dockerfile.legacy", "svc/Dockerfile.legacy", true),
            ("Dockerfile.legacy", "svc/Dockerfile", false),
            ("tests/fixtures/**", "tests/fixtures/a/b/ci.yml", true),
            ("tests/fixtures/**", "src/tests/fixtures/ci.yml", false), // anchored
            ("/Dockerfile", "Dockerfile", true),
            ("/Dockerfile", "a/Dockerfile", false),
            ("docker/*.Dockerfile", "docker/api.Dockerfile", true),
            ("docker/*.Dockerfile", "docker/sub/api.Dockerfile", false),
            ("**/legacy/*.yml", ".github/workflows/legacy/x.yml", true),
            ("**/legacy/*.yml", "legacy/x.yml", true),
            (
                ".github/workflows/nightly-?.yml",
                ".github/workflows/nightly-a.yml",
                true,
            ),
            (
                ".github/workflows/nightly-?.yml",
                ".github/workflows/nightly-ab.yml",
                false,
            ),
            ("Dockerfile.[ab]", "Dockerfile.a", true),
            ("Dockerfile.[!ab]", "Dockerfile.a", false),
            ("Dockerfile.[a-c]", "Dockerfile.c", true),
            ("*.gitlab-ci.yml", "ci/deploy.gitlab-ci.yml", true),
        ];
        for (pat, path, want) in cases {
            assert_eq!(
                Glob::new(pat).expect("valid").matches(path),
                want,
                "{pat} vs {path}"
            );
        }
    }

    #[test]
    fn relative_paths() {
        let cwd = Path::new("/repo/sub");
        assert_eq!(
            relative_path(Path::new("../Dockerfile"), Path::new("/repo"), cwd).as_deref(),
            Some("Dockerfile")
        );
        assert_eq!(
            relative_path(Path::new("./a/b.yml"), Path::new("/repo"), cwd).as_deref(),
            Some("sub/a/b.yml")
        );
        assert_eq!(
            relative_path(Path::new("/elsewhere/x"), Path::new("/repo"), cwd),
            None
        );
        // A leading `/` anchors the pattern to the configuration's folder.
        let c = Config {
            base: PathBuf::from("/repo"),
            ignore: vec![Glob::new("/vendor/").expect("valid")],
            ..Config::default()
        };
        assert!(c.is_ignored(Path::new("../vendor/Dockerfile"), cwd));
        assert!(!c.is_ignored(Path::new("vendor/Dockerfile"), cwd)); // /repo/sub/vendor
        assert!(!c.is_ignored(Path::new("/elsewhere/vendor/Dockerfile"), cwd));
    }
}
