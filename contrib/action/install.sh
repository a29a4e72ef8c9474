#!/usr/bin/env bash
# Installs the faultline release binary for this runner (used by action.yml). Inputs from the
# environment: VERSION (`0.1.0`, may be empty), ACTION_REF (the ref the action is used at),
# GH_TOKEN. Verifies the archive against the release's SHA256SUMS before it runs anything.
set -euo pipefail

repo=faultline-ci/faultline
case "${RUNNER_OS}-${RUNNER_ARCH}" in
  Linux-X64) target=x86_64-unknown-linux-musl; ext=tar.gz ;;
  Linux-ARM64) target=aarch64-unknown-linux-musl; ext=tar.gz ;;
  macOS-ARM64) target=aarch64-apple-darwin; ext=tar.gz ;;
  macOS-X64) target=x86_64-apple-darwin; ext=tar.gz ;;
  Windows-X64) target=x86_64-pc-windows-msvc; ext=zip ;;
  *) echo "::error title=faultline::no faultline release for ${RUNNER_OS}-${RUNNER_ARCH}"; exit 1 ;;
esac

version=${VERSION#v}
if [ -z "$version" ]; then
  if [[ "${ACTION_REF:-}" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    version=${ACTION_REF#v}
  else
    version=$(gh release view --repo "$repo" --json tagName --jq .tagName)
    version=${version#v}
  fi
fi

dir="$RUNNER_TEMP/faultline-$version"
mkdir -p "$dir"
cd "$dir"
gh release download "v$version" --repo "$repo" --clobber \
  --pattern "faultline-$target.$ext" --pattern SHA256SUMS
if command -v sha256sum >/dev/null; then sum=(sha256sum); else sum=(shasum -a 256); fi
grep " faultline-$target.$ext\$" SHA256SUMS | "${sum[@]}" --check -
if [ "$ext" = zip ]; then
  unzip -q -o "faultline-$target.zip"
else
  tar -xzf "faultline-$target.tar.gz"
fi
echo "$dir/faultline-$target" >> "$GITHUB_PATH"
"$dir/faultline-$target/faultline" --version
