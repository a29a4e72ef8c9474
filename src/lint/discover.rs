//! Which files `faultline lint` reads, and what kind each one is. With no path it walks the
//! repository around the current directory; paths given narrow it. Files of no known kind are
//! skipped quietly (pre-commit hands over every staged YAML file, docker-compose.yml included).

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// `.github/workflows/*.yml`
    GithubWorkflow,
    /// `action.yml` / `action.yaml` (composite actions; other action kinds have no steps).
    GithubAction,
    /// `.gitlab-ci.yml`, `*.gitlab-ci.yml`, and files it includes locally.
    GitlabCi,
    /// `Dockerfile`, `Dockerfile.*`, `*.Dockerfile`, `*.dockerfile`, `Containerfile`.
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
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
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
    let is_docker_name = lower == "dockerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || lower == "containerfile"
        || lower.starts_with("containerfile.");
    if is_docker_name && not_docker.iter().any(|ext| lower.ends_with(ext)) {
        return None;
    }
    if lower == "dockerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || lower == "containerfile"
        || lower.starts_with("containerfile.")
    {
        return Some(FileKind::Dockerfile);
    }
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
    /// `None` for an explicitly named YAML file whose kind is decided by its content.
    pub kind: Option<FileKind>,
}

/// Expand the paths given on the command line (or the repository root) into files to lint, sorted
/// and de-duplicated. Paths that do not exist are returned as errors.
pub fn discover(paths: &[PathBuf], root: &Path) -> (Vec<Target>, Vec<(PathBuf, String)>) {
    let mut targets = Vec::new();
    let mut errors = Vec::new();
    let walk_roots: Vec<PathBuf> = if paths.is_empty() {
        vec![root.to_path_buf()]
    } else {
        paths.to_vec()
    };
    for p in walk_roots {
        match std::fs::metadata(&p) {
            Err(e) => errors.push((p.clone(), describe_io(&e))),
            Ok(m) if m.is_dir() => walk(&p, &mut targets),
            Ok(_) => {
                let kind = kind_from_path(&p);
                let yaml = p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml")
                });
                if kind.is_some() || yaml {
                    targets.push(Target {
                        path: p.clone(),
                        kind,
                    });
                }
            }
        }
    }
    targets.sort_by(|a, b| a.path.cmp(&b.path));
    targets.dedup_by(|a, b| a.path == b.path);
    (targets, errors)
}

fn walk(dir: &Path, out: &mut Vec<Target>) {
    let iter = WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| {
            !(e.file_type().is_dir()
                && e.depth() > 0
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| SKIP_DIRS.contains(&n)))
        });
    for entry in iter.flatten() {
        if !entry.file_type().is_file() {
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
    }
}
