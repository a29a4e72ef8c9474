//! Spanned models built once per file: YAML (GitHub Actions, GitLab CI), Dockerfiles, shell scripts.

pub mod span;
pub mod yaml;
pub mod github;
