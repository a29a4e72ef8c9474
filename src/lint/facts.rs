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

/// An action that runs on the runner's Node (`runs.using: nodeNN`) in every version.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JavascriptAction {
    pub action: String,
    pub source: String,
}

/// What the runner's own Node needs inside a job container.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeRuntime {
    pub min_glibc: String,
    pub since: Date,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionFacts {
    pub deprecated: Vec<DeprecatedAction>,
    pub composites: Vec<DeprecatedComposite>,
    pub shas: BTreeMap<String, ShaTag>,
    #[serde(default)]
    pub javascript: Vec<JavascriptAction>,
    #[serde(default)]
    pub node_runtime: Option<NodeRuntime>,
}

impl ActionFacts {
    /// The row of a JavaScript action (`actions/checkout`, `actions/cache/restore`).
    pub fn javascript(&self, action: &str) -> Option<&JavascriptAction> {
        self.javascript.iter().find(|j| j.action == action)
    }
}

pub fn actions() -> &'static ActionFacts {
    static T: OnceLock<ActionFacts> = OnceLock::new();
    T.get_or_init(|| parse_table("actions", include_str!("../../rules/facts/actions.yaml")))
}

/// The CPython builds actions/setup-python can install for one versions-manifest.json key
/// (platform, platform_version, arch), and the hosted runner labels whose native key it is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PythonBuilds {
    /// `linux`, `darwin`, `win32`.
    pub platform: String,
    /// `24.04`; empty for macOS and Windows (one key for every release).
    #[serde(default)]
    pub platform_version: String,
    /// `x64`, `arm64`, `x86`.
    pub arch: String,
    /// How to name the image in a message: `Ubuntu 24.04`.
    pub os: String,
    #[serde(default)]
    pub labels: Vec<String>,
    /// The oldest and newest minor with builds; none in between is missing.
    pub oldest: String,
    pub newest: String,
    /// The newest build of each minor.
    pub newest_patch: Vec<String>,
    /// Minors with a few patches only (a gap): minor → the patches that exist.
    #[serde(default)]
    pub only: BTreeMap<String, Vec<String>>,
    /// `architecture:` values that install but do not run on this machine, below a minor.
    #[serde(default)]
    pub foreign_arch: Vec<ForeignArch>,
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForeignArch {
    pub arch: String,
    pub fails_below: String,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetupPythonManifest {
    /// When the manifest was read.
    pub checked: Date,
    pub platforms: Vec<PythonBuilds>,
}

/// A CPython version a `python-version:` input names: a minor (`3.7`, `3.7.x`) or an exact
/// patch (`3.7.17`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PySpec {
    Minor(u32, u32),
    Exact(u32, u32, u32),
}

impl PySpec {
    /// `3.7`, `3.7.x`, `3.7.*`, `3.7.17`. Ranges, `3`, `3.x`, prereleases, `-dev`, freethreaded
    /// `t` suffixes, PyPy/GraalPy and anything else: `None` (not judged).
    pub fn parse(s: &str) -> Option<PySpec> {
        let s = s.trim();
        let s = s
            .strip_suffix(".x")
            .or_else(|| s.strip_suffix(".X"))
            .or_else(|| s.strip_suffix(".*"))
            .unwrap_or(s);
        let num = |p: &str| {
            (!p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse::<u32>().ok())
                .flatten()
        };
        let parts: Vec<&str> = s.split('.').collect();
        match parts.as_slice() {
            [a, b] => Some(PySpec::Minor(num(a)?, num(b)?)),
            [a, b, c] => Some(PySpec::Exact(num(a)?, num(b)?, num(c)?)),
            _ => None,
        }
    }

    pub fn minor(self) -> (u32, u32) {
        match self {
            PySpec::Minor(a, b) | PySpec::Exact(a, b, _) => (a, b),
        }
    }
}

/// Whether a manifest key has a build for a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    Available,
    /// Newer than the table knows, or a patch the table cannot vouch for: not judged.
    Unknown,
    /// No build. `nearest`: the closest version that has one; `why`: a phrase for the message.
    Missing {
        nearest: String,
        why: String,
    },
}

fn minor_of(s: &str) -> Option<(u32, u32)> {
    PySpec::parse(s).map(PySpec::minor)
}

fn patch_of(s: &str) -> Option<(u32, u32, u32)> {
    match PySpec::parse(s)? {
        PySpec::Exact(a, b, c) => Some((a, b, c)),
        PySpec::Minor(..) => None,
    }
}

impl PythonBuilds {
    /// The newest build of a minor here.
    fn newest_of(&self, minor: (u32, u32)) -> Option<(u32, u32, u32)> {
        self.newest_patch
            .iter()
            .filter_map(|p| patch_of(p))
            .find(|p| (p.0, p.1) == minor)
    }

    /// `x64`-on-arm64 and the like: the minor below which this foreign arch aborts here.
    pub fn foreign(&self, arch: &str) -> Option<&ForeignArch> {
        self.foreign_arch.iter().find(|f| f.arch == arch)
    }
}

impl SetupPythonManifest {
    /// The key a hosted label runs on natively.
    pub fn for_label(&self, label: &str) -> Option<&PythonBuilds> {
        self.platforms
            .iter()
            .find(|p| p.labels.iter().any(|l| l == label))
    }

    /// The same image with another architecture (`architecture:`). `None`: no such key.
    pub fn with_arch(&self, native: &PythonBuilds, arch: &str) -> Option<&PythonBuilds> {
        self.platforms.iter().find(|p| {
            p.platform == native.platform
                && p.platform_version == native.platform_version
                && p.arch == arch
        })
    }

    /// The newest build of a minor on any key: a patch above it is newer than the table knows.
    fn newest_known(&self, minor: (u32, u32)) -> Option<(u32, u32, u32)> {
        self.platforms
            .iter()
            .filter_map(|p| p.newest_of(minor))
            .max()
    }

    /// Whether `key` has a build for `spec`. Only what the table shows is missing is `Missing`:
    /// a minor below the oldest, a patch outside a gap's list, or a patch that exists on another
    /// key but stops earlier here (security releases have no macOS/Windows installers).
    pub fn availability(&self, key: &PythonBuilds, spec: PySpec) -> Availability {
        let (Some(oldest), Some(newest)) = (minor_of(&key.oldest), minor_of(&key.newest)) else {
            return Availability::Unknown;
        };
        let minor = spec.minor();
        if minor < oldest {
            return Availability::Missing {
                nearest: key.oldest.clone(),
                why: format!("its builds start at {}", key.oldest),
            };
        }
        if minor > newest {
            return Availability::Unknown;
        }
        let PySpec::Exact(a, b, c) = spec else {
            return Availability::Available;
        };
        let minor_text = format!("{a}.{b}");
        if let Some(only) = key.only.get(&minor_text) {
            if only.iter().any(|p| patch_of(p) == Some((a, b, c))) {
                return Availability::Available;
            }
            let nearest = only
                .iter()
                .filter_map(|p| patch_of(p).map(|q| (q.2.abs_diff(c), p)))
                .min()
                .map(|(_, p)| p.clone());
            return match nearest {
                Some(nearest) => Availability::Missing {
                    why: format!("its {minor_text} builds are {} only", only.join(", ")),
                    nearest,
                },
                None => Availability::Unknown,
            };
        }
        let (Some(here), Some(known)) = (key.newest_of(minor), self.newest_known(minor)) else {
            return Availability::Unknown;
        };
        if (a, b, c) > here && (a, b, c) <= known {
            let nearest = format!("{}.{}.{}", here.0, here.1, here.2);
            return Availability::Missing {
                why: format!("its newest {minor_text} build is {nearest}"),
                nearest,
            };
        }
        if (a, b, c) > known {
            return Availability::Unknown;
        }
        Availability::Available
    }
}

pub fn setup_python_manifest() -> &'static SetupPythonManifest {
    static T: OnceLock<SetupPythonManifest> = OnceLock::new();
    T.get_or_init(|| {
        parse_table(
            "setup-python-manifest",
            include_str!("../../rules/facts/setup-python-manifest.yaml"),
        )
    })
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
    fn python_specs_and_availability_follow_the_manifest_table() {
        use PySpec::{Exact, Minor};
        assert_eq!(PySpec::parse("3.7"), Some(Minor(3, 7)));
        assert_eq!(PySpec::parse("3.7.x"), Some(Minor(3, 7)));
        assert_eq!(PySpec::parse("3.12.11"), Some(Exact(3, 12, 11)));
        for s in [
            "3",
            "3.x",
            ">=3.8",
            "~3.8",
            "3.8-dev",
            "3.13t",
            "pypy3.9",
            "3.14.0rc1",
            "",
        ] {
            assert_eq!(PySpec::parse(s), None, "{s}");
        }
        let m = setup_python_manifest();
        assert!(m.checked >= Date::parse("2026-08-12").unwrap());
        let key = |l| m.for_label(l).unwrap();
        let missing = |k, s| {
            matches!(
                m.availability(k, PySpec::parse(s).unwrap()),
                Availability::Missing { .. }
            )
        };
        let ok = |k, s| m.availability(k, PySpec::parse(s).unwrap()) == Availability::Available;
        let unknown = |k, s| m.availability(k, PySpec::parse(s).unwrap()) == Availability::Unknown;
        // §D1 (a)-(e)
        assert!(missing(key("macos-15"), "3.7") && ok(key("macos-15"), "3.8"));
        assert!(missing(key("ubuntu-latest"), "3.7") && ok(key("ubuntu-22.04"), "3.7"));
        assert!(missing(key("ubuntu-26.04"), "3.9") && ok(key("ubuntu-26.04"), "3.10"));
        assert!(missing(key("windows-11-arm"), "3.10") && ok(key("windows-11-arm"), "3.11"));
        assert!(missing(key("macos-15"), "3.12.11") && missing(key("windows-2025"), "3.10.14"));
        assert!(ok(key("ubuntu-24.04"), "3.12.11") && ok(key("macos-15"), "3.12.10"));
        // Gaps: 3.8.10 and 3.9.12/3.9.13 only on arm64 macOS.
        assert!(missing(key("macos-latest"), "3.8.5") && ok(key("macos-latest"), "3.9.12"));
        assert_eq!(
            m.availability(key("macos-latest"), PySpec::parse("3.9.1").unwrap()),
            Availability::Missing {
                nearest: "3.9.12".into(),
                why: "its 3.9 builds are 3.9.12, 3.9.13 only".into()
            }
        );
        // Newer than the table knows: never missing.
        assert!(unknown(key("ubuntu-24.04"), "3.15") && unknown(key("macos-15"), "3.14.8"));
        assert!(unknown(key("windows-2022"), "3.13.16"));
        // Architectures.
        let x86 = m.with_arch(key("windows-2022"), "x86").unwrap();
        assert!(ok(x86, "3.7"));
        assert!(m.with_arch(key("ubuntu-24.04"), "x86").is_none());
        assert!(m.with_arch(key("macos-15"), "aarch64").is_none());
        assert_eq!(key("macos-15").foreign("x64").unwrap().fails_below, "3.11");
        assert!(m.for_label("my-runner").is_none() && m.for_label("ubuntu-20.04").is_none());
        // Every hosted label named here is one faultline knows, and every row parses.
        for p in &m.platforms {
            for l in &p.labels {
                assert!(runner_labels().is_hosted(l), "{l}");
            }
            assert!(minor_of(&p.oldest) <= minor_of(&p.newest), "{}", p.source);
            assert!(p.newest_patch.iter().all(|v| patch_of(v).is_some()));
        }
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
