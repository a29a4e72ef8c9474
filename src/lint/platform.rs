//! What runs a job: GitHub runner labels and container images, resolved to facts about the Python
//! a bare `pip` reaches. The facts themselves live in `platform_data.rs` as a table; this module
//! only parses references and looks them up. Anything not in the table is unknown, and rules stay
//! silent at error severity on unknown platforms.

use std::collections::BTreeMap;

use super::platform_data::{Family, TagRule, IMAGES, RUNNERS};

/// A three-valued fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    Yes,
    No,
    Unknown,
}

impl Tri {
    pub fn from_opt(b: Option<bool>) -> Tri {
        match b {
            Some(true) => Tri::Yes,
            Some(false) => Tri::No,
            None => Tri::Unknown,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Debian,
    Ubuntu,
    Alpine,
    Arch,
    OpenSuse,
    Fedora,
    MacOs,
    Windows,
    Other,
}

impl Os {
    /// Debian and Ubuntu split `venv` (python3-venv) and `pip` (python3-pip) out of Python.
    pub fn is_debian_like(self) -> bool {
        matches!(self, Os::Debian | Os::Ubuntu)
    }
}

/// Facts about the system Python of a runner or image, before the job changes anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyFacts {
    pub os: Os,
    /// The distribution's Python (when installed) carries an EXTERNALLY-MANAGED marker.
    pub marked: Tri,
    /// `python3` is installed by default.
    pub python: Tri,
    /// pip is installed by default.
    pub pip: Tri,
    /// `python3 -m venv` works by default (python3-venv present).
    pub venv: Tri,
    /// A pip.conf sets `break-system-packages = true` (GitHub's hosted ubuntu-24.04 images).
    pub pip_conf_override: bool,
    /// How to name it in a message: "the ubuntu:24.04 image (Ubuntu 24.04)".
    pub what: &'static str,
    /// Another Python at `/usr/bin/python3`, reached only by that path (`None`: the same Python,
    /// or none there).
    pub usr_bin: Option<UsrBin>,
}

/// The distribution's Python at `/usr/bin/python3` when `python3` on PATH is another one: the
/// official `python:` images' non-slim Debian tags carry Debian's python3 (from buildpack-deps, for
/// mercurial) without pip, marked on Debian 12+ (pep668.md §2.2, the `python:*` row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsrBin {
    pub marked: Tri,
    pub pip: Tri,
    /// How to name it in a message.
    pub what: &'static str,
}

/// A resolved platform: the facts and a name for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub facts: PyFacts,
    /// `ubuntu:24.04`, `ubuntu-latest`.
    pub name: String,
    /// A sentence fragment for messages: "Ubuntu 24.04 (ubuntu:24.04)".
    pub describe: String,
    /// A hosted runner (not a container).
    pub runner: bool,
}

/// Facts the configuration declares because the files cannot show them.
#[derive(Debug, Clone, Default)]
pub struct Declared {
    /// Runner label → what it is (for self-hosted or custom labels).
    pub runners: BTreeMap<String, DeclaredPlatform>,
    /// Image reference (exact, or a prefix ending in `*`) → what it is.
    pub images: BTreeMap<String, DeclaredPlatform>,
}

/// A declared platform: the parts left `None` stay unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeclaredPlatform {
    /// The system Python carries an EXTERNALLY-MANAGED marker.
    pub externally_managed: Option<bool>,
    /// pip is installed for the system Python.
    pub pip: Option<bool>,
    /// A pip.conf sets `break-system-packages = true` (as GitHub's hosted ubuntu-24.04 runners do).
    pub pip_conf_override: Option<bool>,
    /// `python3 -m venv` works (python3-venv installed).
    pub venv: Option<bool>,
}

impl DeclaredPlatform {
    fn facts(&self) -> PyFacts {
        PyFacts {
            os: Os::Other,
            marked: Tri::from_opt(self.externally_managed),
            python: Tri::from_opt(self.pip.or(self.externally_managed).map(|_| true)),
            pip: Tri::from_opt(self.pip),
            venv: Tri::from_opt(self.venv),
            pip_conf_override: self.pip_conf_override.unwrap_or(false),
            what: "declared in the faultline configuration",
            usr_bin: None,
        }
    }
}

/// Facts for a GitHub `runs-on` label list. `None` when unknown (self-hosted, custom labels,
/// expressions): rules then say nothing at error severity.
pub fn runner(labels: &[String], declared: &Declared) -> Option<Platform> {
    for l in labels {
        if let Some(d) = declared.runners.get(l) {
            return Some(Platform {
                facts: d.facts(),
                name: l.clone(),
                describe: format!("runner `{l}` (declared in the configuration)"),
                runner: true,
            });
        }
    }
    if labels.iter().any(|l| l.eq_ignore_ascii_case("self-hosted")) || labels.len() != 1 {
        return None;
    }
    let label = labels[0].to_ascii_lowercase();
    let row = RUNNERS
        .iter()
        .find(|r| r.labels.contains(&label.as_str()))?;
    Some(Platform {
        facts: row.facts.clone(),
        name: label.clone(),
        describe: format!("{} (`{label}`)", row.facts.what),
        runner: true,
    })
}

/// The `major.minor` of a hosted runner's `/usr/bin/python3`, where the facts table knows it.
pub fn runner_system_python(p: &Platform) -> Option<&'static str> {
    if !p.runner {
        return None;
    }
    super::platform_data::RUNNER_SYSTEM_PYTHON
        .iter()
        .find(|(labels, _)| labels.contains(&p.name.as_str()))
        .map(|(_, v)| *v)
}

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Repository without `docker.io/` and `library/`: `python`, `nvidia/cuda`, `ghcr.io/x/y`.
    pub repo: String,
    /// Tag (empty when absent: Docker then uses `latest`).
    pub tag: String,
}

/// Parse `[registry/]repo[:tag][@digest]`. `None` for references with unexpanded variables.
pub fn parse_image(reference: &str) -> Option<ImageRef> {
    let r = reference.trim();
    if r.is_empty() || r.contains('$') || r.contains("{{") || r.contains(char::is_whitespace) {
        return None;
    }
    let r = r.split('@').next().unwrap_or(r);
    // The tag is after the last ':' that comes after the last '/' (a registry port has a '/' after it).
    let (repo, tag) = match r.rfind(':') {
        Some(i) if !r[i..].contains('/') => (&r[..i], &r[i + 1..]),
        _ => (r, ""),
    };
    let mut repo = repo.to_ascii_lowercase();
    for prefix in ["docker.io/", "index.docker.io/", "registry-1.docker.io/"] {
        if let Some(rest) = repo.strip_prefix(prefix) {
            repo = rest.to_string();
        }
    }
    if let Some(rest) = repo.strip_prefix("library/") {
        repo = rest.to_string();
    }
    Some(ImageRef {
        repo,
        tag: tag.to_ascii_lowercase(),
    })
}

/// Facts for a container image reference. `None` when unknown.
pub fn image(reference: &str, declared: &Declared) -> Option<Platform> {
    // An exact key wins; otherwise the longest matching `prefix*`.
    let declared_hit = declared
        .images
        .get(reference)
        .map(|d| (reference, d))
        .or_else(|| {
            declared
                .images
                .iter()
                .filter_map(|(pattern, d)| {
                    let prefix = pattern.strip_suffix('*')?;
                    reference.starts_with(prefix).then_some((prefix, d))
                })
                .max_by_key(|(prefix, _)| prefix.len())
        });
    if let Some((_, d)) = declared_hit {
        return Some(Platform {
            facts: d.facts(),
            name: reference.to_string(),
            describe: format!("image `{reference}` (declared in the configuration)"),
            runner: false,
        });
    }
    let r = parse_image(reference)?;
    let row = IMAGES.iter().find(|row| {
        row.repos.iter().any(|p| match p.strip_suffix('*') {
            Some(prefix) => r.repo.starts_with(prefix),
            None => r.repo == *p,
        })
    })?;
    let mut facts = match &row.tag {
        TagRule::Any => row.facts.clone(),
        TagRule::ByTag(family) => tag_facts(*family, &r)?,
    };
    if r.repo == "python" {
        facts.usr_bin = python_image_usr_bin(&r.tag);
    }
    Some(Platform {
        describe: format!("{} (`{reference}`)", facts.what),
        facts,
        name: reference.to_string(),
        runner: false,
    })
}

/// `/usr/bin/python3` in an official `python:` image: Debian's, in the non-slim Debian tags only
/// (built FROM buildpack-deps; pep668.md §2.2). Marked on bookworm and later; the tags without a
/// release name are bookworm or trixie for the maintained versions (3.9 and later).
fn python_image_usr_bin(tag: &str) -> Option<UsrBin> {
    use Tri::{No, Yes};
    let parts: Vec<&str> = tag.split('-').collect();
    let other = ["slim", "alpine", "windowsservercore", "nanoserver"];
    if parts.iter().any(|p| other.iter().any(|o| p.starts_with(o))) {
        return None;
    }
    let marked = match parts
        .iter()
        .find_map(|p| release(p).filter(|_| p.parse::<f64>().is_err()))
    {
        Some((Os::Debian, marked, _)) => marked,
        Some(_) => return None,
        None => {
            let version = parts.first().copied().unwrap_or("");
            let mut nums = version.split('.').map(|n| n.parse::<u32>().ok());
            match (nums.next().flatten(), nums.next().flatten()) {
                _ if matches!(version, "" | "latest" | "3") => true,
                (Some(3), Some(minor)) if minor >= 9 => true,
                _ => return None,
            }
        }
    };
    Some(if marked {
        UsrBin {
            marked: Yes,
            pip: No,
            what: "Debian's /usr/bin/python3 (Debian 12+; not the image's /usr/local Python)",
        }
    } else {
        UsrBin {
            marked: No,
            pip: No,
            what: "Debian's /usr/bin/python3 (Debian 11; not the image's /usr/local Python)",
        }
    })
}

/// Release facts for a Debian or Ubuntu release name or number.
fn release(word: &str) -> Option<(Os, bool, &'static str)> {
    // (os, marked, description)
    let r = match word {
        "trixie" | "13" | "forky" | "14" | "sid" | "unstable" | "testing" | "stable" => {
            (Os::Debian, true, "Debian 13+")
        }
        "bookworm" | "12" | "oldstable" => (Os::Debian, true, "Debian 12 (bookworm)"),
        "bullseye" | "11" | "buster" | "10" | "stretch" | "9" => {
            (Os::Debian, false, "Debian 11 or older")
        }
        "noble" | "24.04" | "ubuntu24.04" => (Os::Ubuntu, true, "Ubuntu 24.04"),
        "resolute" | "26.04" | "questing" | "25.10" | "plucky" | "25.04" | "oracular" | "24.10"
        | "mantic" | "23.10" | "lunar" | "23.04" | "rolling" | "devel" => {
            (Os::Ubuntu, true, "Ubuntu 23.04+")
        }
        "jammy" | "22.04" | "focal" | "20.04" | "bionic" | "18.04" | "xenial" | "16.04"
        | "ubuntu22.04" | "ubuntu20.04" | "ubuntu18.04" => {
            (Os::Ubuntu, false, "Ubuntu 22.04 or older")
        }
        _ => {
            // `12.5`, `24.04.1`
            let mut parts = word.split('.');
            let major = parts.next()?;
            let minor = parts.next();
            return match (major, minor) {
                ("12", Some(_)) => Some((Os::Debian, true, "Debian 12 (bookworm)")),
                ("13", Some(_)) => Some((Os::Debian, true, "Debian 13+")),
                ("11" | "10", Some(_)) => Some((Os::Debian, false, "Debian 11 or older")),
                ("24", Some("04")) => Some((Os::Ubuntu, true, "Ubuntu 24.04")),
                _ => None,
            };
        }
    };
    Some(r)
}

fn alpine_marked(version: &str) -> Option<bool> {
    if version.is_empty() || version == "latest" || version == "edge" {
        return Some(true);
    }
    let mut it = version.split('.');
    let major: u32 = it.next()?.parse().ok()?;
    // `alpine:3` is the newest 3.x.
    let minor: u32 = match it.next() {
        Some(m) => m.parse().ok()?,
        None => return Some(major >= 3),
    };
    Some(major > 3 || (major == 3 && minor >= 19))
}

fn tag_facts(family: Family, r: &ImageRef) -> Option<PyFacts> {
    use Tri::{No, Unknown, Yes};
    let tag = r.tag.as_str();
    let first = tag.split('-').next().unwrap_or("");
    let mk = |os, marked: bool, python, pip, venv, what| PyFacts {
        os,
        marked: if marked { Yes } else { No },
        python,
        pip,
        venv,
        pip_conf_override: false,
        what,
        usr_bin: None,
    };
    match family {
        Family::Debian => {
            let word = if first.is_empty() || first == "latest" {
                "stable"
            } else {
                first
            };
            let (os, marked, what) = release(word).filter(|(os, ..)| *os == Os::Debian)?;
            Some(mk(os, marked, No, No, No, what))
        }
        Family::Ubuntu => {
            let word = if first.is_empty() || first == "latest" {
                "noble"
            } else {
                first
            };
            let (os, marked, what) = release(word).filter(|(os, ..)| *os == Os::Ubuntu)?;
            Some(mk(os, marked, No, No, No, what))
        }
        Family::Alpine => {
            let marked = alpine_marked(first)?;
            Some(mk(
                Os::Alpine,
                marked,
                No,
                No,
                Yes,
                if marked {
                    "Alpine 3.19+"
                } else {
                    "Alpine 3.18 or older"
                },
            ))
        }
        Family::Cuda => {
            let pos = tag.find("ubuntu")?;
            let (os, marked, what) = release(&tag[pos..]).or_else(|| release(&tag[pos + 6..]))?;
            Some(mk(os, marked, No, No, No, what))
        }
        Family::DevcontainerBase => {
            let word = tag
                .trim_start_matches("ubuntu-")
                .trim_start_matches("debian-");
            let word = if word.is_empty() || word == "latest" {
                "bookworm"
            } else {
                word
            };
            let (os, marked, what) = tag.split('-').find_map(release).or_else(|| release(word))?;
            Some(mk(os, marked, Unknown, Unknown, Unknown, what))
        }
        Family::Buildpack => buildpack_facts(r),
        Family::Uv => image(&uv_base(tag)?, &Declared::default()).map(|p| p.facts),
        Family::CimgBase => {
            let (os, marked, _) = release_in_tag(tag, Os::Ubuntu)?;
            Some(PyFacts {
                what: if marked {
                    "CircleCI's cimg/base image (Ubuntu 24.04+)"
                } else {
                    "CircleCI's cimg/base image (Ubuntu 22.04 or older)"
                },
                ..mk(os, marked, Yes, No, Unknown, "")
            })
        }
        Family::PlaywrightNode => {
            // Only the releases whose Dockerfiles were read (noble, resolute); docs/image-facts.md.
            let (os, marked, _) = release_in_tag(tag, Os::Ubuntu).filter(|(_, m, _)| *m)?;
            Some(mk(
                os,
                marked,
                Unknown,
                No,
                Unknown,
                "Microsoft's Playwright image (Ubuntu 24.04+)",
            ))
        }
        Family::CloudSdk => cloud_sdk_facts(tag),
        Family::Cypress => matches!(tag, "" | "latest")
            .then(|| mk(Os::Debian, true, No, No, No, "a Cypress image (Debian 12+)")),
    }
}

/// The first `-`-separated part of a tag that names a release of `os` (`v1.49.0-noble`,
/// `2024.01-22.04`).
fn release_in_tag(tag: &str, os: Os) -> Option<(Os, bool, &'static str)> {
    tag.split('-')
        .find_map(|p| release(p).filter(|(o, ..)| *o == os))
}

/// astral-sh/uv's derived images (docs/image-facts.md): the base image each tag is built FROM,
/// after an optional uv version (`0.9.5-`, `0.9-`). `None` for the distroless tags (`latest`,
/// `0.9.5`: the uv binary alone, no shell) and for anything else.
fn uv_base(tag: &str) -> Option<String> {
    let rest = match tag.split_once('-') {
        Some((v, rest)) if v.starts_with(|c: char| c.is_ascii_digit()) && v.contains('.') => rest,
        _ => tag,
    };
    if let Some(py) = rest.strip_prefix("python") {
        // `python3.12-bookworm-slim` is `FROM python:3.12-slim-bookworm`; the facts do not depend on
        // the order of `slim` and the release.
        return py
            .starts_with(|c: char| c.is_ascii_digit())
            .then(|| format!("python:{py}"));
    }
    if let Some(v) = rest.strip_prefix("alpine") {
        return Some(format!(
            "alpine:{}",
            if v.is_empty() { "latest" } else { v }
        ));
    }
    match rest {
        "debian-slim" => return Some("debian:stable-slim".into()),
        "debian" => return Some("buildpack-deps:stable".into()),
        _ => {}
    }
    let (release_word, slim) = match rest.strip_suffix("-slim") {
        Some(r) => (r, true),
        None => (rest, false),
    };
    release(release_word)
        .filter(|(os, ..)| *os == Os::Debian && release_word.parse::<f64>().is_err())?;
    Some(if slim {
        format!("debian:{release_word}-slim")
    } else {
        format!("buildpack-deps:{release_word}")
    })
}

/// google/cloud-sdk (GoogleCloudPlatform/cloud-sdk-docker; docs/image-facts.md). The variant is the
/// tag or its suffix; only what every published build of the variant shares is decided.
fn cloud_sdk_facts(tag: &str) -> Option<PyFacts> {
    use Tri::{No, Unknown, Yes};
    let variant = tag.rsplit_once('-').map_or(tag, |(_, v)| v);
    let versioned = variant != tag;
    let f = |os, marked, python, pip, what| PyFacts {
        os,
        marked,
        python,
        pip,
        venv: Unknown,
        pip_conf_override: false,
        what,
        usr_bin: None,
    };
    match variant {
        // alpine/Dockerfile: `apk add python3` (no py3-pip); Alpine 3.17 for 426.0.0, 3.19 later.
        "alpine" if versioned => Some(f(
            Os::Alpine,
            Unknown,
            Yes,
            No,
            "the google/cloud-sdk Alpine image",
        )),
        "alpine" => Some(f(
            Os::Alpine,
            Yes,
            Yes,
            No,
            "the google/cloud-sdk Alpine image (Alpine 3.19+)",
        )),
        // debian_slim/Dockerfile: python3-pip; bullseye-slim earlier, bookworm-slim since.
        "slim" if !versioned => Some(f(
            Os::Debian,
            Yes,
            Yes,
            Yes,
            "the google/cloud-sdk slim image (Debian 12)",
        )),
        // stable/Dockerfile: Debian 12, gcloud's bundled Python, no pip.
        "stable" | "beta" if tag.contains("stable") => Some(f(
            Os::Debian,
            Yes,
            Unknown,
            No,
            "the google/cloud-sdk stable image (Debian 12)",
        )),
        // Dockerfile (`latest`, `<version>`): python3-pip on Debian (bullseye at the last read).
        _ if tag.is_empty()
            || tag == "latest"
            || tag
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) =>
        {
            Some(f(
                Os::Debian,
                Unknown,
                Yes,
                Yes,
                "the google/cloud-sdk image (Debian)",
            ))
        }
        _ => None,
    }
}

/// node, ruby, golang, rust, gcc and buildpack-deps: the non-slim Debian tags are built FROM
/// buildpack-deps, which has a marked python3 (via mercurial) but no pip; `-slim` has no Python;
/// `-alpine` has none either.
fn buildpack_facts(r: &ImageRef) -> Option<PyFacts> {
    use Tri::{No, Yes};
    let tag = r.tag.as_str();
    let parts: Vec<&str> = tag.split('-').collect();
    if let Some(a) = parts.iter().find(|p| p.starts_with("alpine")) {
        let marked = alpine_marked(a.trim_start_matches("alpine"))?;
        let what = if marked {
            "an Alpine 3.19+ based image"
        } else {
            "an Alpine 3.18 or older based image"
        };
        return Some(PyFacts {
            os: Os::Alpine,
            marked: if marked { Yes } else { No },
            python: No,
            pip: No,
            venv: Yes,
            pip_conf_override: false,
            what,
            usr_bin: None,
        });
    }
    let slim = parts.contains(&"slim") || parts.contains(&"curl");
    let release_word = parts
        .iter()
        .find_map(|p| release(p).filter(|_| p.parse::<f64>().is_err()));
    let (os, marked, _) = match release_word {
        Some(r) => r,
        None => {
            // No release in the tag: the current default tags are Debian bookworm or later for
            // maintained versions. Older version tags stay unknown.
            let version: Option<u32> = parts
                .first()
                .and_then(|v| v.split('.').next())
                .and_then(|v| v.parse().ok());
            let minor: Option<u32> = parts
                .first()
                .and_then(|v| v.split('.').nth(1))
                .and_then(|v| v.parse().ok());
            let recent = match (r.repo.as_str(), version) {
                (_, None) => matches!(
                    parts.first(),
                    Some(&"") | Some(&"latest") | Some(&"lts") | Some(&"current") | Some(&"slim")
                ),
                ("node", Some(v)) => v >= 20,
                ("ruby", Some(v)) => v > 3 || (v == 3 && minor.unwrap_or(0) >= 1),
                ("golang", Some(v)) => v > 1 || (v == 1 && minor.unwrap_or(0) >= 21),
                ("rust", Some(v)) => v > 1 || (v == 1 && minor.unwrap_or(0) >= 71),
                ("gcc", Some(v)) => v >= 13,
                _ => false,
            };
            if !recent {
                return None;
            }
            (Os::Debian, true, "")
        }
    };
    let what = match (os, marked, slim) {
        (_, _, true) => "a slim Debian-based image (no Python)",
        (Os::Ubuntu, true, false) => {
            "a buildpack-deps based image (Ubuntu 24.04+: python3 without pip)"
        }
        (_, true, false) => "a buildpack-deps based image (Debian 12+: python3 without pip)",
        (_, false, false) => {
            "a buildpack-deps based image (Debian 11 or older: python3 without pip)"
        }
    };
    Some(PyFacts {
        os,
        marked: if marked { Yes } else { No },
        python: if slim { No } else { Yes },
        pip: No,
        venv: No,
        pip_conf_override: false,
        what,
        usr_bin: None,
    })
}

/// The system pip's version on a platform, where the facts table gives it: a hosted runner's
/// own pip, or the distribution's `python3-pip` in a Debian/Ubuntu-based image (the release is read
/// from the tag: `ubuntu:22.04`, `debian:bullseye-slim`, `node:18-bullseye`,
/// `nvidia/cuda:12.2.0-runtime-ubuntu22.04`). `None` when unknown (declared platforms included).
pub fn system_pip(p: &Platform) -> Option<&'static super::platform_data::PipVersionRow> {
    use super::platform_data::{PipOrigin, IMAGES, SYSTEM_PIP};
    if p.facts.what.starts_with("declared") {
        return None;
    }
    if p.runner {
        return SYSTEM_PIP.iter().find(
            |row| matches!(row.on, PipOrigin::Runner(labels) if labels.contains(&p.name.as_str())),
        );
    }
    let r = parse_image(&p.name)?;
    let row = IMAGES.iter().find(|row| {
        row.repos.iter().any(|repo| match repo.strip_suffix('*') {
            Some(prefix) => r.repo.starts_with(prefix),
            None => r.repo == *repo,
        })
    })?;
    let debian_based = matches!(
        row.tag,
        TagRule::ByTag(Family::Debian | Family::Ubuntu | Family::Buildpack | Family::Cuda)
    );
    if !debian_based {
        return None;
    }
    let words: Vec<&str> = r.tag.split('-').collect();
    // `node:22` has no release in its tag: unknown. The first word of a `debian`/`ubuntu` tag is
    // the release; in other images the release is a later word (`18-bullseye`).
    let family_image = matches!(row.tag, TagRule::ByTag(Family::Debian | Family::Ubuntu))
        || r.repo == "buildpack-deps";
    let candidates: &[&str] = if family_image {
        &words[..words.len().min(1)]
    } else {
        words.get(1..).unwrap_or(&[])
    };
    SYSTEM_PIP.iter().find(|row| match row.on {
        PipOrigin::Release(names) => candidates.iter().any(|w| names.contains(w)),
        PipOrigin::Runner(_) => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_images_usr_bin_python_by_tag() {
        let m = |s: &str| {
            image(s, &Declared::default())
                .and_then(|p| p.facts.usr_bin)
                .map(|u| u.marked)
        };
        assert_eq!(m("python:3.12-bookworm"), Some(Tri::Yes));
        assert_eq!(m("python:3.13-trixie"), Some(Tri::Yes));
        assert_eq!(m("python:3.12"), Some(Tri::Yes));
        assert_eq!(m("python"), Some(Tri::Yes));
        assert_eq!(m("python:3.11-bullseye"), Some(Tri::No));
        assert_eq!(m("python:3.12-slim"), None);
        assert_eq!(m("python:3.12-slim-bookworm"), None);
        assert_eq!(m("python:3.12-alpine3.20"), None);
        assert_eq!(m("python:3.12-windowsservercore-ltsc2022"), None);
        assert_eq!(m("python:3.7"), None); // old default tags: unknown release
        assert_eq!(m("pypy:3.10"), None);
    }

    fn img(s: &str) -> Option<(Os, Tri, Tri, Tri)> {
        image(s, &Declared::default())
            .map(|p| (p.facts.os, p.facts.marked, p.facts.python, p.facts.pip))
    }

    #[test]
    fn images_resolve_as_the_ground_truth_says() {
        use Tri::*;
        // (reference, expected os/marked/python/pip) — pep668.md §2.2
        type Expected = Option<(Os, Tri, Tri, Tri)>;
        let cases: &[(&str, Expected)] = &[
            ("ubuntu:24.04", Some((Os::Ubuntu, Yes, No, No))),
            ("ubuntu:latest", Some((Os::Ubuntu, Yes, No, No))),
            ("ubuntu", Some((Os::Ubuntu, Yes, No, No))),
            (
                "docker.io/library/ubuntu:noble-20240429",
                Some((Os::Ubuntu, Yes, No, No)),
            ),
            ("ubuntu:22.04", Some((Os::Ubuntu, No, No, No))),
            ("debian:bookworm-slim", Some((Os::Debian, Yes, No, No))),
            ("debian:12", Some((Os::Debian, Yes, No, No))),
            ("debian:bullseye", Some((Os::Debian, No, No, No))),
            ("alpine:3.19", Some((Os::Alpine, Yes, No, No))),
            ("alpine:3.18", Some((Os::Alpine, No, No, No))),
            ("alpine:3", Some((Os::Alpine, Yes, No, No))),
            ("alpine", Some((Os::Alpine, Yes, No, No))),
            ("python:3.12-slim", Some((Os::Debian, No, Yes, Yes))),
            ("python:3.12-alpine", Some((Os::Debian, No, Yes, Yes))),
            ("node:22", Some((Os::Debian, Yes, Yes, No))),
            ("node:22-bookworm-slim", Some((Os::Debian, Yes, No, No))),
            ("node:22-alpine", Some((Os::Alpine, Yes, No, No))),
            ("node:16", None),
            ("node:18-bullseye", Some((Os::Debian, No, Yes, No))),
            ("ruby:3.1", Some((Os::Debian, Yes, Yes, No))),
            (
                "nvidia/cuda:12.4.1-runtime-ubuntu24.04",
                Some((Os::Ubuntu, Yes, No, No)),
            ),
            (
                "nvidia/cuda:12.4.1-runtime-ubuntu22.04",
                Some((Os::Ubuntu, No, No, No)),
            ),
            ("fedora:41", Some((Os::Fedora, No, Unknown, No))),
            ("ghcr.io/acme/builder:1", None),
            ("${BASE_IMAGE}", None),
            ("ubuntu:${TAG}", None),
            ("localhost:5000/ubuntu", None),
        ];
        for (reference, want) in cases {
            assert_eq!(&img(reference), want, "{reference}");
        }
    }

    #[test]
    fn vendor_images_resolve_as_docs_image_facts_says() {
        use Tri::*;
        // (reference, expected os/marked/python/pip) — docs/image-facts.md
        type Expected = Option<(Os, Tri, Tri, Tri)>;
        let cases: &[(&str, Expected)] = &[
            // uv: the tag names the base image.
            (
                "ghcr.io/astral-sh/uv:python3.12-bookworm",
                Some((Os::Debian, No, Yes, Yes)),
            ),
            (
                "ghcr.io/astral-sh/uv:0.9.5-python3.12-bookworm-slim",
                Some((Os::Debian, No, Yes, Yes)),
            ),
            (
                "ghcr.io/astral-sh/uv:bookworm-slim",
                Some((Os::Debian, Yes, No, No)),
            ),
            ("astral/uv:0.6-debian-slim", Some((Os::Debian, Yes, No, No))),
            (
                "ghcr.io/astral-sh/uv:bookworm",
                Some((Os::Debian, Yes, Yes, No)),
            ),
            (
                "ghcr.io/astral-sh/uv:0.9-trixie",
                Some((Os::Debian, Yes, Yes, No)),
            ),
            (
                "ghcr.io/astral-sh/uv:debian",
                Some((Os::Debian, Yes, Yes, No)),
            ),
            (
                "ghcr.io/astral-sh/uv:alpine",
                Some((Os::Alpine, Yes, No, No)),
            ),
            (
                "ghcr.io/astral-sh/uv:alpine3.20",
                Some((Os::Alpine, Yes, No, No)),
            ),
            ("ghcr.io/astral-sh/uv:latest", None),
            ("ghcr.io/astral-sh/uv:0.9.5", None),
            ("ghcr.io/astral-sh/uv", None),
            // Playwright.
            (
                "mcr.microsoft.com/playwright/python:v1.49.0-noble",
                Some((Os::Ubuntu, No, Yes, Yes)),
            ),
            (
                "mcr.microsoft.com/playwright:v1.49.0-noble",
                Some((Os::Ubuntu, Yes, Unknown, No)),
            ),
            ("mcr.microsoft.com/playwright:v1.49.0-jammy", None),
            ("mcr.microsoft.com/playwright:v1.49.0", None),
            // CircleCI.
            ("cimg/base:2024.01-22.04", Some((Os::Ubuntu, No, Yes, No))),
            ("cimg/base:current-24.04", Some((Os::Ubuntu, Yes, Yes, No))),
            ("cimg/base:2024.01", None),
            ("cimg/python:3.12", Some((Os::Debian, No, Yes, Yes))),
            // Google Cloud SDK.
            ("google/cloud-sdk:alpine", Some((Os::Alpine, Yes, Yes, No))),
            (
                "google/cloud-sdk:470.0.0-alpine",
                Some((Os::Alpine, Unknown, Yes, No)),
            ),
            ("google/cloud-sdk:slim", Some((Os::Debian, Yes, Yes, Yes))),
            ("google/cloud-sdk:470.0.0-slim", None),
            (
                "gcr.io/google.com/cloudsdktool/google-cloud-cli:stable",
                Some((Os::Debian, Yes, Unknown, No)),
            ),
            (
                "gcr.io/google.com/cloudsdktool/google-cloud-cli:500.0.0-stable",
                Some((Os::Debian, Yes, Unknown, No)),
            ),
            (
                "google/cloud-sdk:latest",
                Some((Os::Debian, Unknown, Yes, Yes)),
            ),
            (
                "google/cloud-sdk:470.0.0",
                Some((Os::Debian, Unknown, Yes, Yes)),
            ),
            ("google/cloud-sdk:emulators", None),
            // Cypress: only `latest` names a release.
            ("cypress/browsers:latest", Some((Os::Debian, Yes, No, No))),
            ("cypress/base:22.17.1", None),
            // devcontainers.
            (
                "mcr.microsoft.com/devcontainers/javascript-node:1-22-bookworm",
                Some((Os::Debian, Yes, Yes, No)),
            ),
            (
                "mcr.microsoft.com/devcontainers/typescript-node:22-bullseye",
                Some((Os::Debian, No, Yes, No)),
            ),
            ("mcr.microsoft.com/devcontainers/javascript-node:22", None),
            (
                "mcr.microsoft.com/devcontainers/universal:2",
                Some((Os::Ubuntu, No, Yes, Yes)),
            ),
            (
                "mcr.microsoft.com/devcontainers/miniconda:3",
                Some((Os::Debian, No, Yes, Yes)),
            ),
            // conda: Jupyter docker-stacks.
            (
                "quay.io/jupyter/scipy-notebook:2024-05-27",
                Some((Os::Ubuntu, No, Yes, Unknown)),
            ),
            ("jupyter/nbviewer", None),
            // AWS CLI.
            ("amazon/aws-cli:2.15.0", Some((Os::Fedora, No, Unknown, No))),
        ];
        for (reference, want) in cases {
            assert_eq!(&img(reference), want, "{reference}");
        }
        // uv's python3.X-bookworm images carry python:3.X-bookworm's Debian /usr/bin/python3.
        let usr_bin = |s: &str| {
            image(s, &Declared::default())
                .and_then(|p| p.facts.usr_bin)
                .map(|u| u.marked)
        };
        assert_eq!(
            usr_bin("ghcr.io/astral-sh/uv:python3.12-bookworm"),
            Some(Tri::Yes)
        );
        assert_eq!(
            usr_bin("ghcr.io/astral-sh/uv:python3.12-bookworm-slim"),
            None
        );
        assert_eq!(usr_bin("ghcr.io/astral-sh/uv:python3.12-alpine"), None);
    }

    #[test]
    fn runners() {
        let d = Declared::default();
        let r = |l: &[&str]| {
            runner(&l.iter().map(|s| s.to_string()).collect::<Vec<_>>(), &d)
                .map(|p| (p.facts.marked, p.facts.pip_conf_override))
        };
        assert_eq!(r(&["ubuntu-latest"]), Some((Tri::Yes, true)));
        assert_eq!(r(&["ubuntu-22.04"]), Some((Tri::No, false)));
        assert_eq!(r(&["self-hosted", "linux"]), None);
        assert_eq!(r(&["my-runner"]), None);
        assert_eq!(r(&["macos-14"]), Some((Tri::Yes, false)));
    }

    #[test]
    fn declared_images_exact_then_longest_prefix() {
        let mut d = Declared::default();
        let marked = DeclaredPlatform {
            externally_managed: Some(true),
            ..Default::default()
        };
        let unmarked = DeclaredPlatform {
            externally_managed: Some(false),
            ..Default::default()
        };
        d.images.insert("reg.example/base/*".into(), marked.clone());
        d.images
            .insert("reg.example/base/py*".into(), unmarked.clone());
        d.images
            .insert("reg.example/base/python:3-debian".into(), marked);
        let m = |r: &str| image(r, &d).map(|p| p.facts.marked);
        assert_eq!(m("reg.example/base/python:3-debian"), Some(Tri::Yes));
        assert_eq!(m("reg.example/base/python:3"), Some(Tri::No));
        assert_eq!(m("reg.example/base/debian:12"), Some(Tri::Yes));
        assert_eq!(m("reg.example/other:1"), None);
    }

    #[test]
    fn declared_runner_wins() {
        let mut d = Declared::default();
        d.runners.insert(
            "gpu-box".into(),
            DeclaredPlatform {
                externally_managed: Some(true),
                pip: Some(true),
                pip_conf_override: Some(false),
                venv: None,
            },
        );
        let p = runner(&["gpu-box".to_string()], &d).expect("declared");
        assert_eq!(p.facts.marked, Tri::Yes);
        assert!(!p.facts.pip_conf_override);
    }
}
