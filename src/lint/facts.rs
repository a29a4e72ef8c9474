//! Facts that change with time, as data with their sources (`rules/facts/*.yaml`, embedded), and the
//! date they are judged at: today by default, `--today` / `today:` for reproducible runs. A runner
//! label moves from deprecated to retired on its date without a release.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::Deserialize;

/// A calendar date (proleptic Gregorian, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// `YYYY-MM-DD`, a real day.
    pub fn parse(s: &str) -> Option<Date> {
        let mut parts = s.trim().splitn(3, '-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let date = Date {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
            day: d.parse().ok()?,
        };
        let leap = date.year % 4 == 0 && (date.year % 100 != 0 || date.year % 400 == 0);
        let days = match date.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days).contains(&date.day).then_some(date)
    }

    /// Today, UTC, from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days(i64::try_from(secs / 86_400).unwrap_or(0))
    }

    /// Days since 1970-01-01 to a date (Howard Hinnant's `civil_from_days`).
    fn from_days(z: i64) -> Date {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not a date (YYYY-MM-DD)")))
    }
}

/// A dotted version (`3`, `3.1`, `4.2.0`; a leading `v` is dropped). Fewer parts stand for the
/// newest release with that prefix (a floating tag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version(pub Vec<u32>);

impl Version {
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.trim().strip_prefix('v').unwrap_or(s.trim());
        let parts: Option<Vec<u32>> = s.split('.').map(|p| p.parse().ok()).collect();
        parts.filter(|p| !p.is_empty() && p.len() <= 4).map(Version)
    }

    /// Whether every release this version can stand for is below `bound` (`v3` < `4`; `v3` is not
    /// below `3.4.0`, since the floating tag points at 3.4+).
    pub fn always_below(&self, bound: &Version) -> bool {
        let n = self.0.len();
        let prefix: Vec<u32> = (0..n)
            .map(|i| bound.0.get(i).copied().unwrap_or(0))
            .collect();
        self.0 < prefix
    }
}

/// One GitHub-hosted runner label on its way out.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunnerLabel {
    pub label: String,
    #[serde(default)]
    pub deprecated: Option<Date>,
    pub retired: Date,
    pub successor: String,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunnerLabels {
    pub labels: Vec<RunnerLabel>,
    pub current: Vec<String>,
}

/// Where a label stands on a date.
#[derive(Debug, Clone, Copy)]
pub enum LabelStatus<'a> {
    Retired(&'a RunnerLabel),
    Deprecated(&'a RunnerLabel),
    /// Hosted today, or a label GitHub never hosted (self-hosted, larger runner): nothing to say.
    Fine,
}

impl RunnerLabels {
    pub fn status(&self, label: &str, today: Date) -> LabelStatus<'_> {
        let Some(row) = self.labels.iter().find(|r| r.label == label) else {
            return LabelStatus::Fine;
        };
        if today >= row.retired {
            LabelStatus::Retired(row)
        } else if row.deprecated.is_some_and(|d| today >= d) {
            LabelStatus::Deprecated(row)
        } else {
            LabelStatus::Fine
        }
    }

    /// Whether GitHub hosts (or hosted) this label: the only labels whose OS faultline may assume.
    pub fn is_hosted(&self, label: &str) -> bool {
        self.current.iter().any(|l| l == label) || self.labels.iter().any(|r| r.label == label)
    }
}

pub fn runner_labels() -> &'static RunnerLabels {
    static T: OnceLock<RunnerLabels> = OnceLock::new();
    T.get_or_init(|| {
        parse_table(
            "runner-labels",
            include_str!("../../rules/facts/runner-labels.yaml"),
        )
    })
}

/// An action whose old versions GitHub fails at "Set up job".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeprecatedAction {
    pub action: String,
    pub fails_below: String,
    #[serde(default)]
    pub fails_between: Vec<(String, String)>,
    pub since: Date,
    pub fixed: String,
    pub playbook: String,
    pub ghes_exempt: bool,
    pub source: String,
}

impl DeprecatedAction {
    /// Whether this version of the action fails.
    pub fn fails(&self, v: &Version) -> bool {
        let below = |b: &str| Version::parse(b).is_some_and(|b| v.always_below(&b));
        below(&self.fails_below)
            || self.fails_between.iter().any(|(lo, hi)| {
                Version::parse(lo).is_some_and(|lo| !v.always_below(&lo)) && below(hi)
            })
    }
}

/// A marketplace composite that calls a deprecated action in its old versions.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeprecatedComposite {
    pub action: String,
    /// The first version that calls the deprecated action (`None`: every version below
    /// `fails_below`).
    #[serde(default)]
    pub fails_from: Option<String>,
    pub fails_below: String,
    pub calls: String,
    pub playbook: String,
    pub fixed: String,
    pub source: String,
}

impl DeprecatedComposite {
    /// Whether every release this version can stand for calls the deprecated action.
    pub fn fails(&self, v: &Version) -> bool {
        let from_ok = match self.fails_from.as_deref().map(Version::parse) {
            None => true,
            Some(Some(from)) => !v.always_below(&from),
            Some(None) => false,
        };
        from_ok && Version::parse(&self.fails_below).is_some_and(|b| v.always_below(&b))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShaTag {
    pub action: String,
    pub version: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionFacts {
    pub deprecated: Vec<DeprecatedAction>,
    pub composites: Vec<DeprecatedComposite>,
    pub shas: BTreeMap<String, ShaTag>,
}

pub fn actions() -> &'static ActionFacts {
    static T: OnceLock<ActionFacts> = OnceLock::new();
    T.get_or_init(|| parse_table("actions", include_str!("../../rules/facts/actions.yaml")))
}

/// The tables are embedded and checked by tests: a parse failure is a build defect.
fn parse_table<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> T {
    serde_saphyr::from_str(text)
        .unwrap_or_else(|e| panic!("internal error: rules/facts/{name}.yaml is invalid: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_order_and_come_from_days() {
        assert_eq!(Date::parse("2026-11-02").unwrap().to_string(), "2026-11-02");
        assert!(Date::parse("2026-02-29").is_none());
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2026-13-01").is_none());
        assert!(Date::parse("26-1-1").is_none());
        assert!(Date::parse("2026-11-01") < Date::parse("2026-11-02"));
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(20_790).to_string(), "2026-12-03");
        assert_eq!(Date::from_days(11_016).to_string(), "2000-02-29");
    }

    #[test]
    fn floating_tags_stand_for_their_newest_release() {
        let v = |s| Version::parse(s).unwrap();
        assert!(v("v3").always_below(&v("4")));
        assert!(!v("v3").always_below(&v("3.4.0")));
        assert!(v("v3.3.2").always_below(&v("3.4.0")));
        assert!(!v("v4").always_below(&v("4")));
        assert!(v("v2").always_below(&v("3.4.0")));
        assert!(Version::parse("main").is_none());
    }

    #[test]
    fn tables_load_and_statuses_follow_the_date() {
        let labels = runner_labels();
        let d = |s| Date::parse(s).unwrap();
        assert!(matches!(
            labels.status("macos-14", d("2026-11-01")),
            LabelStatus::Deprecated(_)
        ));
        assert!(matches!(
            labels.status("macos-14", d("2026-11-02")),
            LabelStatus::Retired(_)
        ));
        assert!(matches!(
            labels.status("macos-14", d("2026-07-05")),
            LabelStatus::Fine
        ));
        assert!(matches!(
            labels.status("ubuntu-24.04", d("2026-12-03")),
            LabelStatus::Fine
        ));
        assert!(labels.is_hosted("windows-2019") && !labels.is_hosted("my-runner"));
        let cache = actions()
            .deprecated
            .iter()
            .find(|a| a.action == "actions/cache")
            .unwrap();
        let v = |s| Version::parse(s).unwrap();
        assert!(cache.fails(&v("v2")) && cache.fails(&v("v3.3.2")) && cache.fails(&v("v4.1")));
        assert!(!cache.fails(&v("v3")) && !cache.fails(&v("v4")) && !cache.fails(&v("v4.2.0")));
        assert!(!cache.fails(&v("v3.4.0")) && !cache.fails(&v("v5")));
    }
}
