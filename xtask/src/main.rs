//! Project automation: `cargo xtask docs` writes the generated documentation,
//! `cargo xtask docs --check` fails when it is stale (CI runs this).

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn generated() -> Vec<(PathBuf, String)> {
    let rules = palisade_rules::all_rules();
    vec![(
        root().join("docs/rules.md"),
        palisade_rules::docs::rules_markdown(rules),
    )]
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["docs"] => {
            for (path, text) in generated() {
                std::fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                println!("wrote {}", path.display());
            }
            Ok(())
        }
        ["docs", "--check"] => {
            let mut stale = Vec::new();
            for (path, text) in generated() {
                let current = std::fs::read_to_string(&path).unwrap_or_default();
                if current != text {
                    stale.push(path.display().to_string());
                }
            }
            if stale.is_empty() {
                println!("generated docs are current");
                Ok(())
            } else {
                bail!(
                    "stale generated docs: {}; run `cargo xtask docs` and commit the result",
                    stale.join(", ")
                )
            }
        }
        _ => bail!("usage: cargo xtask docs [--check]"),
    }
}
