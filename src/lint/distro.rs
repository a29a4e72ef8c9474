//! The distribution release behind a container image reference: `python:3.12-bookworm` is Debian
//! 12, `ubuntu:18.04` Ubuntu 18.04, `centos:7` CentOS 7, `quay.io/pypa/manylinux2014_x86_64` CentOS 7.
//! The release facts (end of life, glibc, whether apt's sources moved to an archive, each with a
//! source) are data in `rules/facts/distros.yaml`; this module parses references and tags and looks
//! them up. The repositories whose tags carry a Debian or Ubuntu codename are those of the image
//! table (`platform_data::IMAGES`) and Docker's official images (no namespace, no registry), which
//! all follow the `<version>-<codename>` convention. Anything else, a variable, or a tag that names
//! no release (`latest`, `3.12`) gives nothing: rules stay silent.

use std::sync::OnceLock;

use serde::Deserialize;

use super::facts::{Date, Version};
use super::platform::{parse_image, ImageRef};
use super::platform_data::IMAGES;

/// One release of a distribution, with its facts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// `debian`, `ubuntu`, `centos`, `almalinux`, `amazonlinux`, `alpine`.
    pub distro: String,
    /// `12`, `18.04`, `7`, `stream9`, `2`, `3.19`; empty for an Alpine image whose tag names none.
    pub release: String,
    #[serde(default)]
    pub codename: Option<String>,
    /// The last day of (LTS) support.
    #[serde(default)]
    pub eol: Option<Date>,
    /// The glibc version; `None` for musl (Alpine).
    #[serde(default)]
    pub glibc: Option<String>,
    /// Where and since when apt's own sources fail on the default mirrors.
    #[serde(default)]
    pub archive: Option<Archive>,
    pub source: String,
}

/// The release's apt sources left the default mirror.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Archive {
    /// `archive.debian.org`, `old-releases.ubuntu.com`.
    pub host: String,
    /// From this day, `apt-get update` with the image's own sources fails.
    pub moved: Date,
    pub how: How,
    /// The failure is certain from that day (several reports, long enough ago); otherwise the day
    /// or the mechanism is Medium confidence.
    pub certain: bool,
}

/// How `apt-get update` fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum How {
    /// The suite is gone: `does not have a Release file` (404).
    Removed,
    /// The Release file is no longer re-signed: `Release file for … is expired`.
    Expired,
}

/// An image whose repository name decides the release (manylinux).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NamedImage {
    repo: String,
    distro: String,
    release: String,
    #[allow(dead_code)]
    source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    releases: Vec<Release>,
    images: Vec<NamedImage>,
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        serde_saphyr::from_str(include_str!("../../rules/facts/distros.yaml"))
            .unwrap_or_else(|e| panic!("internal error: rules/facts/distros.yaml is invalid: {e}"))
    })
}

impl Release {
    /// The glibc version (`None`: musl).
    pub fn glibc(&self) -> Option<Version> {
        self.glibc.as_deref().and_then(Version::parse)
    }

    /// End of life on `today`.
    pub fn eol_on(&self, today: Date) -> bool {
        self.eol.is_some_and(|d| today > d)
    }

    /// The archive move, when it has happened by `today`.
    pub fn archived_on(&self, today: Date) -> Option<&Archive> {
        self.archive.as_ref().filter(|a| today >= a.moved)
    }

    /// For messages: `Debian 9 (stretch)`, `Ubuntu 18.04 (bionic)`, `CentOS 7`, `Alpine`.
    pub fn describe(&self) -> String {
        let name = match self.distro.as_str() {
            "debian" => "Debian",
            "ubuntu" => "Ubuntu",
            "centos" => "CentOS",
            "almalinux" => "AlmaLinux",
            "amazonlinux" => "Amazon Linux",
            "alpine" => "Alpine",
            other => other,
        };
        let release = match self.release.strip_prefix("stream") {
            Some(n) => format!("Stream {n}"),
            None => self.release.clone(),
        };
        let mut out = name.to_string();
        if !release.is_empty() {
            out.push(' ');
            out.push_str(&release);
        }
        if let Some(c) = self.codename.as_deref().filter(|c| !c.contains('.')) {
            out.push_str(&format!(" ({c})"));
        }
        out
    }
}

fn find(distro: &str, release: &str) -> Option<&'static Release> {
    table()
        .releases
        .iter()
        .find(|r| r.distro == distro && r.release == release)
}

/// A release by codename (`stretch`, `jammy`) or, for `distro`, by number (`9`, `9.13`, `22.04`).
fn by_word(distro: Option<&str>, word: &str) -> Option<&'static Release> {
    let word = word.to_ascii_lowercase();
    table().releases.iter().find(|r| {
        distro.is_none_or(|d| r.distro == d)
            && (r.codename.as_deref() == Some(word.as_str())
                || (distro.is_some()
                    && !r.release.is_empty()
                    && (r.release == word || word.starts_with(&format!("{}.", r.release)))))
    })
}

fn repo_matches(pattern: &str, repo: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => repo.starts_with(prefix),
        None => repo == pattern,
    }
}

/// The release an image reference runs on, when the reference says it.
pub fn release_of(reference: &str) -> Option<&'static Release> {
    let r = parse_image(reference)?;
    if let Some(n) = table()
        .images
        .iter()
        .find(|n| repo_matches(&n.repo, &r.repo))
    {
        return find(&n.distro, &n.release);
    }
    let tag = r.tag.as_str();
    let first = tag.split('-').next().unwrap_or("");
    match r.repo.as_str() {
        "debian" => by_word(Some("debian"), first),
        "ubuntu" => by_word(Some("ubuntu"), first),
        "centos" | "quay.io/centos/centos" => {
            let word = first.strip_prefix("centos").unwrap_or(first);
            let major = word.split('.').next().unwrap_or("");
            match word {
                "stream8" | "stream9" => find("centos", word),
                _ => find("centos", major),
            }
        }
        "amazonlinux" | "public.ecr.aws/amazonlinux/amazonlinux" => {
            let major = first.split('.').next().unwrap_or("");
            match major {
                "2018" => find("amazonlinux", "1"),
                "latest" | "" => None,
                _ => find("amazonlinux", major),
            }
        }
        "almalinux" | "quay.io/almalinuxorg/almalinux" => {
            find("almalinux", first.split('.').next().unwrap_or(""))
        }
        "alpine" => alpine(first),
        _ if tagged_by_codename(&r) => tag.split('-').find_map(tag_part),
        _ => None,
    }
}

/// Alpine by version (`3.19`, `3.19.1`); the release-less row for any other tag.
fn alpine(version: &str) -> Option<&'static Release> {
    let mut parts = version.split('.');
    let minor = match (parts.next(), parts.next()) {
        (Some(a), Some(b)) => format!("{a}.{b}"),
        _ => String::new(),
    };
    find("alpine", &minor).or_else(|| find("alpine", ""))
}

/// One `-`-separated part of a tag that names a release: a Debian or Ubuntu codename, `alpine`,
/// `alpine3.19`, `ubuntu22.04` (nvidia/cuda), `centos7`.
fn tag_part(part: &str) -> Option<&'static Release> {
    if let Some(v) = part.strip_prefix("alpine") {
        return alpine(v);
    }
    if let Some(v) = part.strip_prefix("ubuntu") {
        return by_word(Some("ubuntu"), v);
    }
    if let Some(v) = part.strip_prefix("centos") {
        return find("centos", v);
    }
    if part.is_empty() || part.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    table().releases.iter().find(|r| {
        matches!(r.distro.as_str(), "debian" | "ubuntu") && r.codename.as_deref() == Some(part)
    })
}

/// Repositories whose tags carry their base's codename: the image table's and Docker's official
/// images (`php`, `openjdk`: no namespace and no registry).
fn tagged_by_codename(r: &ImageRef) -> bool {
    !r.repo.contains('/')
        || IMAGES
            .iter()
            .any(|row| row.repos.iter().any(|p| repo_matches(p, &r.repo)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(reference: &str) -> Option<String> {
        release_of(reference).map(Release::describe)
    }

    #[test]
    fn the_table_loads_with_a_source_on_every_row() {
        let t = table();
        assert!(t.releases.iter().all(|r| !r.source.is_empty()));
        assert!(t
            .images
            .iter()
            .all(|n| find(&n.distro, &n.release).is_some()));
    }

    #[test]
    fn references_resolve_to_releases() {
        let cases: &[(&str, Option<&str>)] = &[
            ("python:3.12-bookworm", Some("Debian 12 (bookworm)")),
            ("python:3.7-slim-stretch", Some("Debian 9 (stretch)")),
            ("ubuntu:18.04", Some("Ubuntu 18.04 (bionic)")),
            ("ubuntu:bionic-20230530", Some("Ubuntu 18.04 (bionic)")),
            (
                "docker.io/library/ubuntu:23.04",
                Some("Ubuntu 23.04 (lunar)"),
            ),
            ("centos:7", Some("CentOS 7")),
            ("centos:centos7.9.2009", Some("CentOS 7")),
            ("quay.io/centos/centos:stream9", Some("CentOS Stream 9")),
            ("debian:stretch", Some("Debian 9 (stretch)")),
            ("debian:10.13-slim", Some("Debian 10 (buster)")),
            ("debian:bullseye-20240110", Some("Debian 11 (bullseye)")),
            ("amazonlinux:2", Some("Amazon Linux 2")),
            ("amazonlinux:2018.03", Some("Amazon Linux 1")),
            ("amazonlinux:2023", Some("Amazon Linux 2023")),
            ("quay.io/pypa/manylinux2014_x86_64", Some("CentOS 7")),
            (
                "quay.io/pypa/manylinux2014_aarch64:2024-01-01-abc",
                Some("CentOS 7"),
            ),
            ("quay.io/pypa/manylinux_2_28_x86_64", Some("AlmaLinux 8")),
            ("quay.io/pypa/musllinux_1_2_x86_64", Some("Alpine")),
            ("node:16-buster", Some("Debian 10 (buster)")),
            ("node:16-buster-slim", Some("Debian 10 (buster)")),
            ("node:20-alpine3.19", Some("Alpine 3.19")),
            ("node:20-alpine", Some("Alpine")),
            ("alpine:3.19.1", Some("Alpine 3.19")),
            ("alpine", Some("Alpine")),
            ("php:7.4-fpm-buster", Some("Debian 10 (buster)")),
            ("eclipse-temurin:17-jammy", Some("Ubuntu 22.04 (jammy)")),
            (
                "nvidia/cuda:11.8.0-devel-ubuntu18.04",
                Some("Ubuntu 18.04 (bionic)"),
            ),
            ("nvidia/cuda:11.4.3-base-centos7", Some("CentOS 7")),
            // Unknown: no release in the tag, a variable, a namespace we do not know.
            ("python:3.12", None),
            ("node:16", None),
            ("debian:latest", None),
            ("ubuntu", None),
            ("centos:latest", None),
            ("amazonlinux", None),
            ("${BASE_IMAGE}", None),
            ("debian:${RELEASE}", None),
            ("ghcr.io/acme/builder:buster", None),
            ("acme/app:stretch", None),
        ];
        for (reference, want) in cases {
            assert_eq!(of(reference).as_deref(), *want, "{reference}");
        }
    }

    #[test]
    fn status_follows_the_date() {
        let d = |s| Date::parse(s).unwrap();
        let buster = release_of("debian:buster").unwrap();
        assert!(buster.archived_on(d("2025-07-13")).is_none());
        assert!(buster
            .archived_on(d("2025-07-14"))
            .is_some_and(|a| a.certain));
        assert!(buster.eol_on(d("2024-07-01")) && !buster.eol_on(d("2024-06-30")));
        let bullseye = release_of("debian:bullseye").unwrap();
        assert!(bullseye
            .archived_on(d("2026-12-03"))
            .is_some_and(|a| !a.certain && a.how == How::Expired));
        // LTS Ubuntu stays on its mirror (ci-failures.md §E3).
        assert!(release_of("ubuntu:18.04")
            .unwrap()
            .archived_on(d("2026-12-03"))
            .is_none());
        let glibc = |r: &str| release_of(r).and_then(Release::glibc).map(|v| v.0);
        assert_eq!(glibc("centos:7"), Some(vec![2, 17]));
        assert_eq!(glibc("ubuntu:18.04"), Some(vec![2, 27]));
        assert_eq!(glibc("debian:buster"), Some(vec![2, 28]));
        assert_eq!(glibc("alpine:3.19"), None);
    }
}
