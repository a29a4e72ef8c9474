//! `faultline rules` and `faultline explain RULE`: the lint rules' metadata as a table, JSON or a
//! page.

use std::process::ExitCode;

use crate::cli::{DocFormat, ExplainArgs, ListFormat, RulesArgs};
use crate::envelope;
use crate::lint::{rules, suppress};
use crate::ui::Ui;

pub fn run_rules(args: &RulesArgs, ui: &Ui) -> ExitCode {
    let out = match args.format {
        ListFormat::Json => envelope::render(rules::RulesDoc {
            rules: rules::all(),
        }),
        ListFormat::Human => {
            let mut s = String::new();
            for m in rules::all() {
                s.push_str(&format!(
                    "{:<40} {:<8} {}\n{:<40} {:<8} prevents: {}\n",
                    m.id,
                    m.severity.as_str(),
                    m.summary,
                    "",
                    "",
                    m.playbook
                ));
            }
            // Not a rule about CI files, but its findings appear beside theirs.
            s.push_str(&format!(
                "{:<40} {:<8} {}\n",
                suppress::RULE,
                "warning",
                suppress::SUMMARY
            ));
            s
        }
    };
    ui.emit(&out)
}

pub fn run_explain_rule(args: &ExplainArgs, ui: &Ui) -> ExitCode {
    if args.id == suppress::RULE {
        let text = format!(
            "{} (warning): {}\n\n{}\n",
            suppress::RULE,
            suppress::SUMMARY,
            suppress::EXPLANATION
        );
        return ui.emit(&text);
    }
    let Some(m) = rules::meta(&args.id) else {
        return ui.fail(format!("unknown rule `{}`", args.id));
    };
    let out = match args.format {
        DocFormat::Json => envelope::render(m),
        DocFormat::Markdown => rules::markdown(m),
        DocFormat::Human => format!(
            "{id} ({sev}): {summary}\nprevents: {pb} (faultline explain {pb})\n\n{expl}",
            id = m.id,
            sev = m.severity.as_str(),
            summary = m.summary,
            pb = m.playbook,
            expl = m.explanation
        ),
    };
    ui.emit(&out)
}
