//! Settings discovery: `.palisade.yaml` in the current folder or `--config`, with command-line
//! flags merged on top, resolved against today's date.

use crate::cli::ScanArgs;
use anyhow::{Context, Result, bail};
use palisade_rules::settings::{FailOn, Options, Profile, Settings};
use std::path::{Path, PathBuf};

/// File names looked for in the current folder, in order.
const DEFAULT_NAMES: [&str; 2] = [".palisade.yaml", ".palisade.yml"];

fn read_options(path: &Path) -> Result<Options> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read settings file {}", path.display()))?;
    if text.trim().is_empty() {
        return Ok(Options::default());
    }
    serde_saphyr::from_str::<Options>(&text)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("invalid settings file {}", path.display()))
}

/// The settings file in use, if any.
pub fn discover(explicit: Option<&Path>) -> Result<Option<PathBuf>> {
    if let Some(path) = explicit {
        if !path.is_file() {
            bail!("settings file {} does not exist", path.display());
        }
        return Ok(Some(path.to_path_buf()));
    }
    Ok(DEFAULT_NAMES
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file()))
}

/// Options from the file, with flags on top.
pub fn options(args: &ScanArgs) -> Result<Options> {
    let mut options = match discover(args.config.as_deref())? {
        Some(path) => read_options(&path)?,
        None => Options::default(),
    };
    if let Some(select) = &args.select {
        options.select = Some(select.clone());
    }
    if let Some(ignore) = &args.ignore {
        options
            .ignore
            .get_or_insert_with(Vec::new)
            .extend(ignore.iter().cloned());
    }
    if let Some(fail_on) = &args.fail_on {
        let level: FailOn = fail_on
            .parse()
            .map_err(|e: String| anyhow::anyhow!("--fail-on: {e}"))?;
        options.fail_on = Some(level);
    }
    if let Some(version) = &args.pss_version {
        options.pss_version = Some(version.clone());
    }
    if let Some(profile) = &args.profile {
        let profile: Profile = profile
            .parse()
            .map_err(|e: String| anyhow::anyhow!("--profile: {e}"))?;
        options.profile = Some(profile);
    }
    if let Some(version) = &args.kubernetes_version {
        options.kubernetes_version = Some(version.clone());
    }
    if args.no_inline_suppression {
        options.inline_suppression = Some(false);
    }
    Ok(options)
}

pub fn settings(args: &ScanArgs) -> Result<Settings> {
    let options = options(args)?;
    Settings::resolve(&options, &today()).map_err(|e| anyhow::anyhow!("settings: {e}"))
}

/// Today's date in UTC as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(20_512), (2026, 2, 28));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
