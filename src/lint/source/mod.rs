//! Spanned models built once per file: YAML (GitHub Actions, GitLab CI), Dockerfiles, shell scripts.

pub mod dockerfile;
pub mod shell;
pub mod span;
pub mod yaml;
pub mod github;
pub mod gitlab;
