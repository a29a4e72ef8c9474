#!/usr/bin/env bash
# End-to-end proof of the pre-commit hook (.pre-commit-hooks.yaml) with the real pre-commit from PyPI.
#
#   scripts/precommit-e2e.sh [HOOK_REPO] [REV]
#
# HOOK_REPO defaults to this repository and REV to its HEAD commit: pre-commit builds the hook with
# `cargo install` from that commit, as it would from a fresh clone (uncommitted changes are not used).
# In a scratch git repository it checks that
#   1. `pre-commit try-repo` on a bad workflow (ubuntu:24.04 container + apt python3-pip + pip install)
#      fails and shows the diagnostic;
#   2. an odd-case Dockerfile name (API.DOCKERFILE) is selected by `files:` and linted;
#   3. a clean workflow, a clean `dockerfile` and a docker-compose.yml pass (`pre-commit run`);
#   4. with the hook installed (`pre-commit install`), `git commit` of the bad workflow is blocked and
#      the clean commit goes through.
# Needs python3 (venv), git, cargo and network access to PyPI. Exit 0 when every check holds.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
hook_repo=$(cd "${1:-$here}" && pwd)
rev=${2:-$(git -C "$hook_repo" rev-parse HEAD)}

work=$(mktemp -d "${TMPDIR:-/tmp}/faultline-precommit.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0

step() { printf '\n==> %s\n' "$*"; }
check() { # check NAME EXPECTED_RC ACTUAL_RC
  if [ "$2" = "$3" ]; then printf 'ok: %s (exit %s)\n' "$1" "$3"; else printf 'FAIL: %s: expected exit %s, got %s\n' "$1" "$2" "$3"; failures=$((failures + 1)); fi
}
must_contain() { # must_contain NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then printf 'ok: %s shows "%s"\n' "$1" "$3"; else printf 'FAIL: %s does not show "%s"\n' "$1" "$3"; failures=$((failures + 1)); fi
}

step "pre-commit from PyPI into a venv"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check pre-commit
export PATH="$work/venv/bin:$PATH"
export PRE_COMMIT_HOME="$work/pre-commit-cache" # a fresh cache: the hook is built from $rev
pre-commit --version
echo "hook repository: $hook_repo at $rev"

step "scratch repository"
repo="$work/repo"
mkdir -p "$repo/.github/workflows" "$repo/svc"
cd "$repo"
git init -q
git config user.email e2e@example.com
git config user.name "faultline e2e"
git config commit.gpgsign false

cat > .github/workflows/bad.yml <<'EOF'
name: bad
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    container: ubuntu:24.04
    steps:
      - run: apt-get update && apt-get install -y python3-pip
      - run: pip install requests
EOF
cat > svc/API.DOCKERFILE <<'EOF'
FROM debian:12
RUN apt-get update && apt-get install -y python3-pip
RUN pip install flask
EOF
cat > .github/workflows/good.yml <<'EOF'
name: good
on: push
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install requests
EOF
cat > dockerfile <<'EOF'
FROM python:3.12-slim
RUN pip install --no-cache-dir flask
EOF
cat > docker-compose.yml <<'EOF'
services:
  web:
    build: .
    command: pip install -r requirements.txt
EOF

step "1. try-repo on the bad workflow (first run builds the hook with cargo install)"
set +e
pre-commit try-repo "$hook_repo" faultline-lint --ref "$rev" --files .github/workflows/bad.yml 2>&1 | tee "$work/bad.out"
rc=${PIPESTATUS[0]}
set -e
check "bad workflow is rejected" 1 "$rc"
must_contain "bad workflow output" "$work/bad.out" "pip-install-externally-managed"
must_contain "bad workflow output" "$work/bad.out" ".github/workflows/bad.yml:9:14"

# try-repo clones the hook repository afresh each time, so each call would build faultline again:
# the remaining checks use a .pre-commit-config.yaml on the same repository and revision, which
# pre-commit builds once and caches.
cat > .pre-commit-config.yaml <<EOF
repos:
  - repo: $hook_repo
    rev: $rev
    hooks:
      - id: faultline-lint
EOF

step "2. an upper-case Dockerfile name is selected by files: and linted (builds the hook once more)"
set +e
pre-commit run faultline-lint --files svc/API.DOCKERFILE 2>&1 | tee "$work/docker.out"
rc=${PIPESTATUS[0]}
set -e
check "API.DOCKERFILE is linted and rejected" 1 "$rc"
must_contain "API.DOCKERFILE output" "$work/docker.out" "svc/API.DOCKERFILE:3:5"

step "3. a clean workflow, a clean dockerfile and docker-compose.yml pass"
set +e
pre-commit run faultline-lint --files .github/workflows/good.yml dockerfile docker-compose.yml 2>&1 | tee "$work/good.out"
rc=${PIPESTATUS[0]}
set -e
check "clean files pass" 0 "$rc"
must_contain "clean output" "$work/good.out" "Passed"
set +e
pre-commit run faultline-lint --files docker-compose.yml 2>&1 | tee "$work/compose.out"
rc=${PIPESTATUS[0]}
set -e
check "docker-compose.yml alone passes (not selected)" 0 "$rc"
must_contain "compose output" "$work/compose.out" "(no files to check)Skipped"

step "4. installed hook: git commit is blocked by the bad workflow, the clean commit goes through"
pre-commit install
git add .pre-commit-config.yaml .github/workflows/good.yml dockerfile docker-compose.yml
set +e
git commit -q -m "clean files" 2>&1 | tee "$work/commit-good.out"
rc=${PIPESTATUS[0]}
set -e
check "clean commit" 0 "$rc"
git add .github/workflows/bad.yml
set +e
git commit -q -m "bad workflow" 2>&1 | tee "$work/commit-bad.out"
rc=${PIPESTATUS[0]}
set -e
check "bad commit is blocked" 1 "$rc"
must_contain "blocked commit output" "$work/commit-bad.out" "externally-managed-environment"
echo "commits in the scratch repository: $(git rev-list --count HEAD) (the clean one only)"

echo
if [ "$failures" -eq 0 ]; then echo "precommit-e2e: all checks passed"; else echo "precommit-e2e: $failures check(s) failed"; exit 1; fi
