//! `faultline explain PLAYBOOK`, `faultline list` and `faultline docs`: the catalog rendered as
//! text, JSON or Markdown pages (and the lint rules' pages beside the playbooks').

use std::process::ExitCode;

use crate::analyze::io_message;
use crate::cli::{CatalogArgs, DocFormat, DocsArgs, ExplainArgs, ListArgs, ListFormat};
use crate::lint::rules;
use crate::playbook::{render, Catalog, Entry};
use crate::ui::{self, Ui};

/// The bundled catalog plus the team folders (`.faultline.yaml`, then `--playbooks`).
fn load_catalog(catalog: &CatalogArgs) -> Result<Catalog, String> {
    let dirs = catalog.dirs()?;
    Catalog::load(&dirs).map_err(|e| e.to_string())
}

pub fn run_explain(args: &ExplainArgs, ui: &Ui) -> ExitCode {
    let catalog = match load_catalog(&args.catalog) {
        Ok(c) => c,
        Err(e) => return ui.fail(e),
    };
    let Some(entry) = catalog.resolve(&args.id) else {
        // Suggest ids and aliases alike: a team coming from another catalog types its old ids.
        // Lint rule ids too: `explain` answers both.
        let near = render::suggestions(
            &args.id,
            catalog
                .entries()
                .iter()
                .flat_map(|e| {
                    std::iter::once(e.playbook.id.as_str())
                        .chain(e.playbook.aliases.iter().map(String::as_str))
                })
                .chain(rules::all().iter().map(|r| r.id.as_str())),
        );
        let hint = if near.is_empty() {
            "run `faultline list` for the playbooks and `faultline rules` for the lint rules"
                .to_string()
        } else {
            format!("did you mean {}?", near.join(", "))
        };
        return ui.fail(format!("no playbook or rule `{}`; {hint}", args.id));
    };
    // Asked by an alias: render the playbook, and say which id the alias stands for.
    let alias = (entry.playbook.id != args.id).then_some(args.id.as_str());
    let text = match (args.format, alias) {
        (DocFormat::Human, None) => render::human(entry, ui.color),
        (DocFormat::Human, Some(a)) => format!(
            "`{a}` is an alias of `{}`.\n\n{}",
            entry.playbook.id,
            render::human(entry, ui.color)
        ),
        (DocFormat::Markdown, None) => render::markdown(entry),
        (DocFormat::Markdown, Some(a)) => format!(
            "> `{a}` is an alias of `{}`.\n\n{}",
            entry.playbook.id,
            render::markdown(entry)
        ),
        (DocFormat::Json, _) => render::json(entry, alias),
    };
    ui.emit(&text)
}

pub fn run_list(args: &ListArgs, ui: &Ui) -> ExitCode {
    let catalog = match load_catalog(&args.catalog) {
        Ok(c) => c,
        Err(e) => return ui.fail(e),
    };
    let entries: Vec<&Entry> = catalog
        .entries()
        .iter()
        .filter(|e| {
            args.category
                .as_ref()
                .is_none_or(|c| &e.playbook.category == c)
        })
        .filter(|e| {
            args.tag
                .as_ref()
                .is_none_or(|t| e.playbook.tags.contains(t))
        })
        .collect();
    let text = match args.format {
        ListFormat::Human => render::list_human(&entries, ui.color),
        ListFormat::Json => render::list_json(&entries),
    };
    ui.emit(&text)
}

pub fn run_docs(args: &DocsArgs, ui: &Ui) -> ExitCode {
    let catalog = match load_catalog(&args.catalog) {
        Ok(c) => c,
        Err(e) => return ui.fail(e),
    };
    let dir = &args.out_dir;
    if let Err(e) = std::fs::create_dir_all(dir) {
        return ui.fail(format!("{}: {}", dir.display(), io_message(&e)));
    }
    let mut pages = vec![("index.md".to_string(), render::index(&catalog))];
    pages.extend(
        catalog
            .entries()
            .iter()
            .map(|e| (format!("{}.md", e.playbook.id), render::markdown(e))),
    );
    // The lint rules' pages, which SARIF's `helpUri` points at.
    pages.push(("rules/index.md".to_string(), rules::markdown_index()));
    pages.extend(
        rules::all()
            .iter()
            .map(|m| (format!("rules/{}.md", m.id), rules::markdown(m))),
    );
    if let Err(e) = std::fs::create_dir_all(dir.join("rules")) {
        return ui.fail(format!(
            "{}: {}",
            dir.join("rules").display(),
            io_message(&e)
        ));
    }
    for (name, text) in &pages {
        let path = dir.join(name);
        if let Err(e) = ui::write_file_atomic(&path, text) {
            return ui.fail(format!("{}: {}", path.display(), io_message(&e)));
        }
    }
    eprintln!(
        "faultline: wrote {} pages to {}",
        pages.len(),
        dir.display()
    );
    ExitCode::SUCCESS
}
