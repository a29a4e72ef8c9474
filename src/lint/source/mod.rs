//! Spanned models built once per file: YAML (GitHub Actions, GitLab CI), Dockerfiles, shell scripts.

pub mod dockerfile;
pub mod expr;
pub mod github;
pub mod gitlab;
pub mod matrix;
pub mod shell;
pub mod span;
pub mod yaml;
