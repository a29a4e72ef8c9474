//! The facts table: runner labels and container images → the system Python a bare `pip` reaches.
//! Every row follows `../shared/ground-truth/pep668.md` §2 (decision table and container images).
//! Add a row here, not a special case in a rule.

use super::platform::{Os, PyFacts, Tri};

/// A GitHub-hosted runner label (exact match, case-insensitive).
pub struct RunnerRow {
    pub labels: &'static [&'static str],
    pub facts: PyFacts,
}

const fn facts(
    os: Os,
    marked: Tri,
    python: Tri,
    pip: Tri,
    venv: Tri,
    pip_conf_override: bool,
    what: &'static str,
) -> PyFacts {
    PyFacts {
        os,
        marked,
        python,
        pip,
        venv,
        pip_conf_override,
        what,
        usr_bin: None,
    }
}

use Tri::{No, Unknown, Yes};

/// GitHub-hosted runner labels (runner-images README, 2026-08-21).
pub const RUNNERS: &[RunnerRow] = &[
    RunnerRow {
        labels: &[
            "ubuntu-24.04",
            "ubuntu-latest",
            "ubuntu-24.04-arm",
            "ubuntu-slim",
            "ubuntu-26.04",
            "ubuntu-26.04-arm",
        ],
        // Marked (Ubuntu 24.04+), but the image writes /etc/pip.conf `break-system-packages = true`.
        facts: facts(
            Os::Ubuntu,
            Yes,
            Yes,
            Yes,
            Yes,
            true,
            "GitHub's hosted Ubuntu 24.04+ runner",
        ),
    },
    RunnerRow {
        labels: &["ubuntu-22.04", "ubuntu-22.04-arm"],
        facts: facts(
            Os::Ubuntu,
            No,
            Yes,
            Yes,
            Yes,
            false,
            "GitHub's hosted Ubuntu 22.04 runner",
        ),
    },
    RunnerRow {
        labels: &[
            "macos-latest",
            "macos-26",
            "macos-26-xlarge",
            "macos-26-intel",
            "macos-26-large",
            "macos-latest-large",
            "macos-15",
            "macos-15-xlarge",
            "macos-15-intel",
            "macos-15-large",
            "macos-14",
            "macos-14-large",
            "macos-14-xlarge",
        ],
        // Homebrew python@3.x is first on PATH for `python3`/`pip3` and is marked; bare `pip` is uncertain.
        facts: facts(
            Os::MacOs,
            Yes,
            Yes,
            Yes,
            Yes,
            false,
            "GitHub's hosted macOS runner (Homebrew Python)",
        ),
    },
    RunnerRow {
        labels: &[
            "windows-latest",
            "windows-2025",
            "windows-2025-vs2026",
            "windows-2022",
            "windows-11-arm",
            "windows-11-vs2026-arm",
        ],
        facts: facts(
            Os::Windows,
            No,
            Yes,
            Yes,
            Yes,
            false,
            "GitHub's hosted Windows runner",
        ),
    },
];

/// The minor version of `/usr/bin/python3` on GitHub's hosted Ubuntu runners (pep668.md §2.1:
/// 3.10 on 22.04, 3.12 on 24.04, 3.14 on 26.04): what `python3.X -m pip` reaches when
/// actions/setup-python installed another version (pep668.md: "`python3.12 -m pip` when
/// setup-python installed 3.11 (falls to /usr/bin/python3.12)").
pub const RUNNER_SYSTEM_PYTHON: &[(&[&str], &str)] = &[
    (
        &[
            "ubuntu-24.04",
            "ubuntu-latest",
            "ubuntu-24.04-arm",
            "ubuntu-slim",
        ],
        "3.12",
    ),
    (&["ubuntu-26.04", "ubuntu-26.04-arm"], "3.14"),
    (&["ubuntu-22.04", "ubuntu-22.04-arm"], "3.10"),
];

/// How an image row matches a reference's tag.
pub enum TagRule {
    /// Any tag.
    Any,
    /// Decide by the tag (see `platform::tag_facts`).
    ByTag(Family),
}

/// Distribution families whose tags carry their release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Debian,
    Ubuntu,
    Alpine,
    /// Images FROM buildpack-deps (node, ruby, golang, rust, gcc non-slim): Debian with python3
    /// (via mercurial) but no pip.
    Buildpack,
    /// nvidia/cuda: Ubuntu release in the tag (`…-ubuntu24.04`).
    Cuda,
    /// devcontainers/base: Debian or Ubuntu release in the tag; whether Python is there is unknown.
    DevcontainerBase,
    /// astral-sh/uv's derived images: the tag names the base image (`python3.12-bookworm`,
    /// `bookworm-slim`, `alpine`), after an optional uv version (`0.9.5-`). docs/image-facts.md.
    Uv,
    /// CircleCI `cimg/base`: Ubuntu release in the tag (`2024.01-22.04`), python3 (python-is-python3)
    /// without pip. docs/image-facts.md.
    CimgBase,
    /// Microsoft's Playwright (Node.js) images: Ubuntu release in the tag (`v1.49.0-noble`), no
    /// Python and no pip. docs/image-facts.md.
    PlaywrightNode,
    /// google/cloud-sdk and google-cloud-cli: the variant in the tag (`alpine`, `slim`, `stable`).
    /// docs/image-facts.md.
    CloudSdk,
    /// cypress/base, browsers, included, factory: Debian slim without Python; only `latest` names
    /// a known release. docs/image-facts.md.
    Cypress,
}

pub struct ImageRow {
    /// Repository names (without registry `docker.io/`, `library/`), exact; `*` suffix = prefix.
    pub repos: &'static [&'static str],
    pub tag: TagRule,
    /// Facts when `tag` is `Any`.
    pub facts: PyFacts,
}

const NONE: PyFacts = facts(Os::Other, Unknown, Unknown, Unknown, Unknown, false, "");

/// Container images. Order matters: the first row whose repository matches wins.
pub const IMAGES: &[ImageRow] = &[
    // Vendor and CI images (docs/image-facts.md has the source of every row). Before the general
    // rows: the first match wins.
    //
    // astral-sh/uv: the derived images are `FROM <base>` plus the uv binary; the tag names the base.
    ImageRow {
        repos: &["ghcr.io/astral-sh/uv", "astral/uv"],
        tag: TagRule::ByTag(Family::Uv),
        facts: NONE,
    },
    // Microsoft's Playwright for Python: Ubuntu's python3 with its EXTERNALLY-MANAGED marker
    // removed and pip from get-pip.py (noble, resolute); jammy's python3 is not marked.
    ImageRow {
        repos: &["mcr.microsoft.com/playwright/python"],
        tag: TagRule::Any,
        facts: facts(
            Os::Ubuntu,
            No,
            Yes,
            Yes,
            Unknown,
            false,
            "Microsoft's Playwright for Python image (its python3 is not externally managed)",
        ),
    },
    ImageRow {
        repos: &["mcr.microsoft.com/playwright"],
        tag: TagRule::ByTag(Family::PlaywrightNode),
        facts: NONE,
    },
    ImageRow {
        repos: &["cimg/base"],
        tag: TagRule::ByTag(Family::CimgBase),
        facts: NONE,
    },
    ImageRow {
        repos: &[
            "google/cloud-sdk",
            "gcr.io/google.com/cloudsdktool/cloud-sdk",
            "gcr.io/google.com/cloudsdktool/google-cloud-cli",
            "us-docker.pkg.dev/google.com/cloudsdktool/gcr.io/cloud-sdk",
            "us-docker.pkg.dev/google.com/cloudsdktool/gcr.io/google-cloud-cli",
        ],
        tag: TagRule::ByTag(Family::CloudSdk),
        facts: NONE,
    },
    ImageRow {
        repos: &[
            "cypress/base",
            "cypress/browsers",
            "cypress/included",
            "cypress/factory",
        ],
        tag: TagRule::ByTag(Family::Cypress),
        facts: NONE,
    },
    // devcontainers' Node.js images are `FROM node:<variant>` (non-slim): buildpack-deps.
    ImageRow {
        repos: &[
            "mcr.microsoft.com/devcontainers/javascript-node",
            "mcr.microsoft.com/devcontainers/typescript-node",
        ],
        tag: TagRule::ByTag(Family::Buildpack),
        facts: NONE,
    },
    // devcontainers/universal: the Python feature's /usr/local/python/current/bin (and conda) come
    // first on PATH; neither is externally managed.
    ImageRow {
        repos: &["mcr.microsoft.com/devcontainers/universal"],
        tag: TagRule::Any,
        facts: facts(
            Os::Ubuntu,
            No,
            Yes,
            Yes,
            Unknown,
            false,
            "the devcontainers universal image (its /usr/local/python Python is not externally managed)",
        ),
    },
    // conda's /opt/conda/bin first on PATH: devcontainers' miniconda/anaconda and Jupyter's
    // docker-stacks (Ubuntu + micromamba-installed Python).
    ImageRow {
        repos: &[
            "mcr.microsoft.com/devcontainers/miniconda",
            "mcr.microsoft.com/devcontainers/anaconda",
        ],
        tag: TagRule::Any,
        facts: facts(
            Os::Debian,
            No,
            Yes,
            Yes,
            Unknown,
            false,
            "a devcontainers conda image (conda's Python is not externally managed)",
        ),
    },
    ImageRow {
        repos: &[
            "quay.io/jupyter/docker-stacks-foundation",
            "quay.io/jupyter/base-notebook",
            "quay.io/jupyter/minimal-notebook",
            "quay.io/jupyter/scipy-notebook",
            "quay.io/jupyter/r-notebook",
            "quay.io/jupyter/julia-notebook",
            "quay.io/jupyter/tensorflow-notebook",
            "quay.io/jupyter/pytorch-notebook",
            "quay.io/jupyter/datascience-notebook",
            "quay.io/jupyter/pyspark-notebook",
            "quay.io/jupyter/all-spark-notebook",
            "jupyter/docker-stacks-foundation",
            "jupyter/base-notebook",
            "jupyter/minimal-notebook",
            "jupyter/scipy-notebook",
            "jupyter/r-notebook",
            "jupyter/julia-notebook",
            "jupyter/tensorflow-notebook",
            "jupyter/pytorch-notebook",
            "jupyter/datascience-notebook",
            "jupyter/pyspark-notebook",
            "jupyter/all-spark-notebook",
        ],
        tag: TagRule::Any,
        facts: facts(
            Os::Ubuntu,
            No,
            Yes,
            Unknown,
            Unknown,
            false,
            "a Jupyter docker-stacks image (conda's Python is not externally managed)",
        ),
    },
    // amazon/aws-cli: amazonlinux (Fedora family, never marked), no pip.
    ImageRow {
        repos: &["amazon/aws-cli"],
        tag: TagRule::Any,
        facts: facts(
            Os::Fedora,
            No,
            Unknown,
            No,
            Unknown,
            false,
            "the amazon/aws-cli image (Amazon Linux)",
        ),
    },
    // Official Python images: CPython in /usr/local, first on PATH, unmarked, with pip.
    ImageRow {
        repos: &[
            "python",
            "pypy",
            "mcr.microsoft.com/devcontainers/python",
            "cimg/python",
            "circleci/python",
            "mcr.microsoft.com/vscode/devcontainers/python",
        ],
        tag: TagRule::Any,
        facts: facts(
            Os::Debian,
            No,
            Yes,
            Yes,
            Yes,
            false,
            "an official Python image (its /usr/local Python is not externally managed)",
        ),
    },
    // conda images: conda's Python first on PATH, unmarked.
    ImageRow {
        repos: &[
            "continuumio/miniconda3",
            "continuumio/anaconda3",
            "continuumio/miniconda",
            "condaforge/miniforge3",
            "condaforge/mambaforge",
            "mambaorg/micromamba",
        ],
        tag: TagRule::Any,
        facts: facts(
            Os::Other,
            No,
            Yes,
            Yes,
            Yes,
            false,
            "a conda image (conda's Python is not externally managed)",
        ),
    },
    ImageRow {
        repos: &["debian"],
        tag: TagRule::ByTag(Family::Debian),
        facts: NONE,
    },
    ImageRow {
        repos: &["ubuntu"],
        tag: TagRule::ByTag(Family::Ubuntu),
        facts: NONE,
    },
    ImageRow {
        repos: &["alpine"],
        tag: TagRule::ByTag(Family::Alpine),
        facts: NONE,
    },
    // The docker CLI images are Alpine (latest).
    ImageRow {
        repos: &["docker"],
        tag: TagRule::Any,
        facts: facts(
            Os::Alpine,
            Yes,
            No,
            No,
            No,
            false,
            "the docker image (Alpine 3.19+)",
        ),
    },
    ImageRow {
        repos: &["buildpack-deps"],
        tag: TagRule::ByTag(Family::Buildpack),
        facts: NONE,
    },
    ImageRow {
        repos: &["node", "ruby", "golang", "rust", "gcc"],
        tag: TagRule::ByTag(Family::Buildpack),
        facts: NONE,
    },
    ImageRow {
        repos: &["nvidia/cuda"],
        tag: TagRule::ByTag(Family::Cuda),
        facts: NONE,
    },
    ImageRow {
        repos: &["archlinux", "archlinux/archlinux", "manjarolinux/base"],
        tag: TagRule::Any,
        facts: facts(
            Os::Arch,
            Yes,
            No,
            No,
            Yes,
            false,
            "Arch Linux (its Python is externally managed)",
        ),
    },
    ImageRow {
        repos: &[
            "opensuse/tumbleweed",
            "registry.opensuse.org/opensuse/tumbleweed",
        ],
        tag: TagRule::Any,
        facts: facts(
            Os::OpenSuse,
            Yes,
            No,
            No,
            Yes,
            false,
            "openSUSE Tumbleweed (its Python is externally managed)",
        ),
    },
    ImageRow {
        repos: &[
            "fedora",
            "registry.fedoraproject.org/fedora",
            "rockylinux",
            "rockylinux/rockylinux",
            "almalinux",
            "amazonlinux",
            "centos",
            "quay.io/centos/centos",
            "redhat/ubi8",
            "redhat/ubi9",
            "registry.access.redhat.com/ubi8",
            "registry.access.redhat.com/ubi9",
            "registry.access.redhat.com/ubi10",
            "oraclelinux",
        ],
        tag: TagRule::Any,
        facts: facts(
            Os::Fedora,
            No,
            Unknown,
            No,
            Yes,
            false,
            "a Fedora/RHEL-family image (Fedora never shipped the PEP 668 marker)",
        ),
    },
    ImageRow {
        repos: &["mcr.microsoft.com/devcontainers/base"],
        tag: TagRule::ByTag(Family::DevcontainerBase),
        facts: NONE,
    },
];

/// Where a system pip comes from: a hosted runner's image, or a distribution release's
/// `python3-pip` package (installed by the job).
pub enum PipOrigin {
    /// GitHub-hosted runner labels (exact, lowercase).
    Runner(&'static [&'static str]),
    /// Release words as they appear in an image tag (`jammy`, `22.04`, `ubuntu22.04`, `bullseye`),
    /// for the `debian`/`ubuntu` images and images built on them.
    Release(&'static [&'static str]),
}

/// The version of the system pip, where pep668.md gives it (§1.1, §2.1, §5, §7). `--break-system-packages`
/// came in pip 23.0.1: older pips reject it with `no such option` (rc 2). Platforms not listed are
/// unknown (rules say nothing).
pub struct PipVersionRow {
    pub on: PipOrigin,
    pub version: &'static str,
    pub source: &'static str,
}

pub const SYSTEM_PIP: &[PipVersionRow] = &[
    PipVersionRow {
        on: PipOrigin::Runner(&["ubuntu-22.04", "ubuntu-22.04-arm"]),
        version: "22.0.2",
        source: "pep668.md §2.1, §5",
    },
    PipVersionRow {
        on: PipOrigin::Runner(&[
            "ubuntu-24.04",
            "ubuntu-latest",
            "ubuntu-24.04-arm",
            "ubuntu-slim",
        ]),
        version: "24.0",
        source: "pep668.md §2.1",
    },
    PipVersionRow {
        on: PipOrigin::Runner(&["ubuntu-26.04", "ubuntu-26.04-arm"]),
        version: "25.1.1",
        source: "pep668.md §2.1",
    },
    PipVersionRow {
        on: PipOrigin::Release(&["jammy", "22.04", "ubuntu22.04"]),
        version: "22.0.2",
        source: "pep668.md §5",
    },
    PipVersionRow {
        on: PipOrigin::Release(&["bullseye", "11"]),
        version: "20.3.4",
        source: "pep668.md §2.1, §5",
    },
    PipVersionRow {
        on: PipOrigin::Release(&["bookworm", "12"]),
        version: "23.0.1",
        source: "pep668.md §7 (python3-pip 23.0.1+dfsg-1)",
    },
];
