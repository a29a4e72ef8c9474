#!/usr/bin/env bash
# Distribution, end to end, as a user meets it:
#   1. build the wheel that carries the binary (maturin, bindings = "bin") and pip-install it into
#      a fresh venv: `faultline --version` and a lint run;
#   2. `pre-commit try-repo` on a git copy of the stamped pre-commit mirror, pip finding the local
#      wheel (PIP_FIND_LINKS): the python hook installs the prebuilt binary, and the first run is timed;
#   3. zizmor (PyPI) and faultline lint the shipped workflows and the Action clean.
# Tools come from PyPI into a scratch venv; where they cannot be installed, the step says so and is
# skipped (exit 0). A check that runs and fails exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work="$root/target/dist-e2e"
rm -rf "$work"
mkdir -p "$work"

python3 -m venv "$work/tools" || { echo "dist-e2e: python3 -m venv unavailable; skipping"; exit 0; }
if ! "$work/tools/bin/pip" install -q "maturin>=1.5,<2" "pre-commit>=3" zizmor; then
  echo "dist-e2e: could not install maturin, pre-commit and zizmor from PyPI; skipping"
  exit 0
fi
export PATH="$work/tools/bin:$PATH"

echo "== 1. wheel"
start=$(date +%s)
maturin build --locked --release --quiet --out "$work/wheels" 2>&1 | tail -n 3
wheel=$(ls "$work"/wheels/faultline_ci-*.whl)
echo "built $(basename "$wheel") ($(du -h "$wheel" | cut -f1)) in $(( $(date +%s) - start )) s"
python3 -m venv "$work/user"
"$work/user/bin/pip" install -q --no-index "$wheel"
"$work/user/bin/faultline" --version
set +e
"$work/user/bin/faultline" lint examples/ci >/dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 1 ] || { echo "dist-e2e: the installed faultline exited $rc on examples/ci (expected 1: findings)" >&2; exit 1; }
echo "the wheel's faultline lints examples/ci: exit 1 (findings), as from source"

echo "== 2. pre-commit try-repo on the stamped mirror"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
mirror="$work/mirror"
contrib/pre-commit-mirror/stamp.sh "$version" "$mirror"
git -C "$mirror" init -q
git -C "$mirror" -c user.name=dist-e2e -c user.email=dist-e2e@localhost add -A
git -C "$mirror" -c user.name=dist-e2e -c user.email=dist-e2e@localhost commit -q -m "faultline-pre-commit $version"
project="$work/project"
mkdir -p "$project/.github/workflows"
cat > "$project/.github/workflows/ci.yml" <<'YAML'
on: push
jobs:
  test:
    runs-on: ubuntu-24.04
    container: ubuntu:24.04
    steps:
      - run: |
          apt-get update && apt-get install -y python3-pip
          pip install pytest
YAML
git -C "$project" init -q
git -C "$project" add -A
export PRE_COMMIT_HOME="$work/pre-commit-home"
start=$(date +%s)
set +e
(cd "$project" && PIP_FIND_LINKS="$work/wheels" pre-commit try-repo "$mirror" faultline-lint --all-files) > "$work/try-repo.out" 2>&1
rc=$?
set -e
secs=$(( $(date +%s) - start ))
cat "$work/try-repo.out"
grep -q "pip-install-externally-managed" "$work/try-repo.out" ||
  { echo "dist-e2e: the hook did not report the container's pip install (exit $rc)" >&2; exit 1; }
[ "$rc" -eq 1 ] || { echo "dist-e2e: pre-commit exited $rc (expected 1: the hook failed on a finding)" >&2; exit 1; }
echo "pre-commit try-repo: the python hook installed the wheel and ran in ${secs} s (first run, hook environment included)"

echo "== 3. shipped workflows: zizmor and faultline"
shipped=(.github/workflows/release.yml docs/examples/github-faultline.yml action.yml)
zizmor --offline --no-progress "${shipped[@]}"
"$work/user/bin/faultline" lint "${shipped[@]}"
echo "dist-e2e: ok"
