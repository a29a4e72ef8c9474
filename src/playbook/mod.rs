//! The playbook catalog: the schema, loading (bundled at build time, team folders at run time),
//! validation, and rendering as terminal text, Markdown pages and JSON.
//!
//! Other modules use `find_playbook` and `bundled_ids` (cheap lookups in the bundled catalog) and
//! `load::Catalog` (bundled plus `--playbooks` folders).

pub mod load;
pub mod render;
pub mod schema;

pub use load::{bundled_ids, find_playbook, Catalog, Entry, LoadError};
