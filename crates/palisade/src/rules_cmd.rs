//! `palisade rules` and `palisade explain`.

use crate::cli::{ExplainArgs, RulesArgs, RulesFormat};
use anyhow::{Result, bail};
use palisade_rules::{all_rules, docs, find_rule};
use std::fmt::Write;

pub fn list(args: &RulesArgs) -> Result<u8> {
    let rules = all_rules();
    let text = match args.format {
        RulesFormat::Markdown => docs::rules_markdown(rules),
        RulesFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&docs::rules_json(rules))?
        ),
        RulesFormat::Text => {
            let name_width = rules.iter().map(|r| r.meta().name.len()).max().unwrap_or(4);
            let mut out = format!(
                "{:<6} {:<name_width$} {:<9} SUMMARY\n",
                "CODE", "NAME", "SEVERITY"
            );
            for rule in rules {
                let m = rule.meta();
                let _ = writeln!(
                    out,
                    "{:<6} {:<name_width$} {:<9} {}",
                    m.code,
                    m.name,
                    m.severity.as_str(),
                    m.summary
                );
            }
            let _ = writeln!(
                out,
                "\n{} rules. `palisade explain CODE` tells more.",
                rules.len()
            );
            out
        }
    };
    print!("{text}");
    Ok(0)
}

pub fn explain(args: &ExplainArgs) -> Result<u8> {
    match find_rule(&args.rule) {
        Some(rule) => {
            print!("{}", docs::explain_text(rule.meta()));
            Ok(0)
        }
        None => bail!("no rule `{}`; `palisade rules` lists them all", args.rule),
    }
}
