//! Which files `faultline lint` reads, and what kind each one is. With no path it walks the
//! repository around the current directory; paths given narrow it. Walks respect `.gitignore`,
//! `.ignore` and git's exclude files as ripgrep does (its `ignore` crate), unless `--no-ignore`.
//! Files found by a walk are judged by their path; a file named on the command line is linted by
//! its content when its path says nothing, or reported as "not a CI file I know".

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// `.github/workflows/*.yml`
    GithubWorkflow,
    /// `action.yml` / `action.yaml` (composite actions; other action kinds have no steps).
    GithubAction,
    /// `.gitlab-ci.yml`, `*.gitlab-ci.yml`, and files it includes locally.
    GitlabCi,
    /// `Dockerfile`, `Dockerfile.*`, `Dockerfile-*`, `*.Dockerfile`, `Containerfile`,
    /// `Containerfile.*`, `Containerfile-*`, `*.Containerfile`.
    Dockerfile,
}

/// Folders never worth walking into.
const SKIP_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "target",
    ".venv",
    "venv",
    ".tox",
    "vendor",
    "__pycache__",
];

/// The kind of a file judged by its path alone (`None`: not one we lint, or decide by content).
pub fn kind_from_path(path: &Path) -> Option<FileKind> {
    match docker_name(path) {
        Some(true) => return Some(FileKind::Dockerfile),
        Some(false) => return None,
        None => {}
    }
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
    if !yaml {
        return None;
    }
    if lower == ".gitlab-ci.yml" || lower == ".gitlab-ci.yaml" || lower.ends_with(".gitlab-ci.yml")
    {
        return Some(FileKind::GitlabCi);
    }
    if lower == "action.yml" || lower == "action.yaml" {
        return Some(FileKind::GithubAction);
    }
    let parent = path.parent()?;
    if parent.file_name().and_then(|n| n.to_str()) == Some("workflows")
        && parent
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            == Some(".github")
    {
        return Some(FileKind::GithubWorkflow);
    }
    None
}

/// `Some(true)`: a Dockerfile name; `Some(false)`: named after Dockerfiles but not one (a template,
/// source code, docs: never read as a Dockerfile, even by content); `None`: neither.
pub fn docker_name(path: &Path) -> Option<bool> {
    let lower = path.file_name()?.to_str()?.to_ascii_lowercase();
    // `Dockerfile.dev` is a Dockerfile; `Dockerfile.dockerignore` (BuildKit's per-Dockerfile ignore
    // file), templates, docs and source code named after Dockerfiles (`dockerfile.go`,
    // `dockerfile.rs`) are not.
    let not_docker = [
        ".dockerignore",
        ".md",
        ".txt",
        ".rst",
        ".orig",
        ".bak",
        ".swp",
        ".j2",
        ".tmpl",
        ".tpl",
        ".template",
        ".in",
        ".erb",
        ".rs",
        ".go",
        ".py",
        ".js",
        ".ts",
        ".java",
        ".rb",
        ".sh",
        ".json",
        ".toml",
        ".lock",
        ".yml",
        ".yaml",
        ".snap",
        ".expected",
    ];
    let is_docker_name = ["dockerfile", "containerfile"].iter().any(|base| {
        lower == *base
            || lower.starts_with(&format!("{base}."))
            || lower.starts_with(&format!("{base}-"))
            || lower.ends_with(&format!(".{base}"))
    });
    is_docker_name.then(|| !not_docker.iter().any(|ext| lower.ends_with(ext)))
}

/// The folder to lint when no path is given: the enclosing git checkout, else the current folder.
pub fn repo_root(start: &Path) -> PathBuf {
    let mut dir = Some(start);
    while let Some(d) = dir {
        if d.join(".git").exists() {
            return d.to_path_buf();
        }
        dir = d.parent();
    }
    start.to_path_buf()
}

/// One file to lint.
#[derive(Debug, Clone)]
pub struct Target {
    pub path: PathBuf,
    /// `None` for a file named on the command line whose path says nothing: its content decides.
    pub kind: Option<FileKind>,
}

/// The kind of a file named on the command line whose path says nothing, from its first lines: a
/// Dockerfile starts (after comments, parser directives and `ARG`s) with `FROM`. YAML files are
/// sniffed after parsing (`None` here).
pub fn sniff_dockerfile(text: &str) -> bool {
    for line in text.lines().take(200) {
        let l = line.trim_start();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = l.split_whitespace().collect();
        match words[0].to_ascii_uppercase().as_str() {
            // `FROM image`, `FROM image AS name`, with `--platform=…` flags: nothing else.
            "FROM" => {
                let args: Vec<&str> = words[1..]
                    .iter()
                    .copied()
                    .filter(|w| !w.starts_with("--"))
                    .collect();
                return match args.as_slice() {
                    [_] => true,
                    [_, as_, _] => as_.eq_ignore_ascii_case("as"),
                    _ => false,
                };
            }
            "ARG" => continue,
            _ => return false,
        }
    }
    false
}

/// Expand the paths given on the command line (or the repository root) into files to lint, sorted
/// and de-duplicated. Paths that do not exist are returned as errors. `respect_ignore`: skip what
/// `.gitignore`, `.ignore` and git's exclude files exclude in walked folders (a file named on the
/// command line is always read).
pub fn discover(
    paths: &[PathBuf],
    root: &Path,
    respect_ignore: bool,
) -> (Vec<Target>, Vec<(PathBuf, String)>) {
    let mut targets = Vec::new();
    let mut errors = Vec::new();
    let walk_roots: Vec<PathBuf> = if paths.is_empty() {
        vec![root.to_path_buf()]
    } else {
        paths.to_vec()
    };
    // How many walks, include lists and named files gave targets: one walk never reaches a file
    // twice (it follows no link), so only more than one source needs the canonical paths.
    let mut sources = 0;
    for p in walk_roots {
        match std::fs::metadata(&p) {
            Err(e) => errors.push((p.clone(), describe_io(&e))),
            Ok(m) if m.is_dir() => {
                sources += 1;
                walk(&p, respect_ignore, &mut targets, &mut errors);
                // The pipeline's local includes are GitLab files whatever their names.
                let (dir, top) = (std::fs::canonicalize(&p), std::fs::canonicalize(root));
                if let (Ok(dir), Ok(top)) = (dir, top) {
                    if top.starts_with(&dir) {
                        for inc in super::gitlab_env::included_files(root) {
                            sources += 1;
                            targets.push(Target {
                                path: inc,
                                kind: Some(FileKind::GitlabCi),
                            });
                        }
                    }
                }
            }
            Ok(_) => {
                sources += 1;
                targets.push(Target {
                    kind: kind_from_path(&p),
                    path: p.clone(),
                });
            }
        }
    }
    targets.sort_by(|a, b| a.path.cmp(&b.path));
    // The same file reached twice (a walk and an include, `.` and an absolute root): once.
    if sources > 1 {
        let mut seen = std::collections::HashSet::new();
        targets.retain(|t| seen.insert(std::fs::canonicalize(&t.path).unwrap_or(t.path.clone())));
    }
    (targets, errors)
}

fn walk(
    dir: &Path,
    respect_ignore: bool,
    out: &mut Vec<Target>,
    errors: &mut Vec<(PathBuf, String)>,
) {
    // ripgrep's walker: hidden paths are walked (`.github/`, `.gitlab-ci.yml`), ignore files apply
    // in and out of a git checkout, as in ripgrep they apply inside one.
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .follow_links(false)
        .require_git(false)
        .git_ignore(respect_ignore)
        .git_exclude(respect_ignore)
        .git_global(respect_ignore)
        .ignore(respect_ignore)
        .parents(respect_ignore)
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir())
                && e.depth() > 0
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| SKIP_DIRS.contains(&n)))
        })
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                // A broken ignore file or an unreadable folder: say so, go on with the rest.
                if let Some(path) = error_path(&e) {
                    errors.push((path, e.to_string()));
                }
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        if let Some(kind) = kind_from_path(entry.path()) {
            out.push(Target {
                path: entry.path().to_path_buf(),
                kind: Some(kind),
            });
        }
    }
}

/// The path an `ignore` error is about, if it names one (partial glob errors in an ignore file are
/// skipped: the rest of the file still applies, as in ripgrep).
fn error_path(e: &ignore::Error) -> Option<PathBuf> {
    match e {
        ignore::Error::WithPath { path, err } => match err.as_ref() {
            ignore::Error::Io(_) => Some(path.clone()),
            other => error_path(other).map(|_| path.clone()),
        },
        ignore::Error::WithLineNumber { err, .. } | ignore::Error::WithDepth { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

pub fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::InvalidData => "not valid UTF-8 text".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_path() {
        let k = |p: &str| kind_from_path(Path::new(p));
        assert_eq!(
            k(".github/workflows/ci.yml"),
            Some(FileKind::GithubWorkflow)
        );
        assert_eq!(
            k("a/.github/workflows/ci.yaml"),
            Some(FileKind::GithubWorkflow)
        );
        assert_eq!(
            k(".github/actions/setup/action.yml"),
            Some(FileKind::GithubAction)
        );
        assert_eq!(k(".gitlab-ci.yml"), Some(FileKind::GitlabCi));
        assert_eq!(k("ci/deploy.gitlab-ci.yml"), Some(FileKind::GitlabCi));
        assert_eq!(k("Dockerfile"), Some(FileKind::Dockerfile));
        assert_eq!(k("docker/DOCKERFILE"), Some(FileKind::Dockerfile));
        assert_eq!(k("Dockerfile.dev"), Some(FileKind::Dockerfile));
        assert_eq!(k("api.Dockerfile"), Some(FileKind::Dockerfile));
        assert_eq!(k("web.dockerfile"), Some(FileKind::Dockerfile));
        assert_eq!(k("Containerfile"), Some(FileKind::Dockerfile));
        assert_eq!(k("docker-compose.yml"), None);
        assert_eq!(k("workflows/ci.yml"), None);
        assert_eq!(k("Dockerfile.md"), None);
        assert_eq!(k("Dockerfile.dockerignore"), None);
        assert_eq!(k("src/lint/source/dockerfile.rs"), None);
        assert_eq!(k("frontend/dockerfile.go"), None);
        assert_eq!(k("Dockerfile.prod"), Some(FileKind::Dockerfile));
        assert_eq!(k("docker/Dockerfile-ann"), Some(FileKind::Dockerfile));
        assert_eq!(k("Containerfile.fedora"), Some(FileKind::Dockerfile));
        assert_eq!(k("Containerfile-dev"), Some(FileKind::Dockerfile));
        assert_eq!(k("web.Containerfile"), Some(FileKind::Dockerfile));
        assert_eq!(k("Dockerfile-ann.md"), None);
        assert_eq!(k("dockerfile-parser.rs"), None);
        assert_eq!(k("containerfile.go"), None);
    }

    #[test]
    fn dockerfiles_by_content() {
        assert!(sniff_dockerfile(
            "# syntax=docker/dockerfile:1\nARG V=3\nFROM python:${V}\n"
        ));
        assert!(sniff_dockerfile("\nfrom debian:12\nRUN true\n"));
        assert!(!sniff_dockerfile("on: push\njobs: {}\n"));
        assert!(!sniff_dockerfile("# FROM x\nsome text\n"));
        assert!(!sniff_dockerfile("FROM here on, nothing is a Dockerfile\n"));
        assert!(sniff_dockerfile(
            "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n"
        ));
    }
}
