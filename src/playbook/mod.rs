//! The playbook catalog: the schema, loading (bundled at build time, team folders at run time),
//! validation, and rendering as terminal text, Markdown pages and JSON.

pub mod schema;
