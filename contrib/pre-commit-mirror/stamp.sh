#!/usr/bin/env bash
# Stamp the pre-commit mirror for a faultline release: copies template/ to DEST with the version
# filled in, ready to commit and tag v<VERSION> in the mirror repository (ruff-pre-commit's pattern).
#   contrib/pre-commit-mirror/stamp.sh 0.1.0 ../faultline-pre-commit
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 VERSION DEST" >&2; exit 2; }
version=${1#v}
dest=$2
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([a-z0-9.+-]*)?$ ]] || { echo "stamp.sh: not a version: $1" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dest"
for f in pyproject.toml .pre-commit-hooks.yaml README.md; do
  sed "s/@VERSION@/$version/g" "$here/template/$f" > "$dest/$f.tmp"
  mv "$dest/$f.tmp" "$dest/$f"
done
echo "stamped faultline-pre-commit $version in $dest"
