#!/usr/bin/env bash
# BuildKit conformance of faultline's Dockerfile parser.
#
# For every case in ../shared/corpus/buildkit-dockerfile-parser/<case>/ (relative to the repository
# root), dump the Dockerfile with examples/dockerfile_dump.rs and compare it with BuildKit's own
# dump in `result`. A case without `result` is one BuildKit rejects: it matches when we reject it
# too. Prints PASS/FAIL per case (with a diff for failures) and `N/M match`; exits 1 on any
# mismatch, 0 when all match or when the corpus is absent (skipped with a message).
# DOCKERFILE_DUMP=/path/to/dockerfile_dump uses an already built dumper instead of building it.
set -u

root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="$root/../shared/corpus/buildkit-dockerfile-parser"
if [ ! -d "$corpus" ]; then
    echo "skip: BuildKit corpus not found at $corpus"
    exit 0
fi

cd "$root" || exit 2
bin="${DOCKERFILE_DUMP:-}"
if [ -z "$bin" ]; then
    cargo build --quiet --example dockerfile_dump || { echo "error: build failed" >&2; exit 2; }
    bin="${CARGO_TARGET_DIR:-$root/target}/debug/examples/dockerfile_dump"
fi

total=0
pass=0
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for dir in "$corpus"/*/; do
    name="$(basename "$dir")"
    [ -f "$dir/Dockerfile" ] || continue
    total=$((total + 1))
    "$bin" "$dir/Dockerfile" >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ -f "$dir/result" ]; then
        if [ "$status" -eq 0 ] && cmp -s "$dir/result" "$tmp/out"; then
            pass=$((pass + 1))
            echo "PASS $name"
        else
            echo "FAIL $name"
            if [ "$status" -ne 0 ]; then
                sed 's/^/    /' "$tmp/err"
            else
                diff -u --label "buildkit/$name" --label "faultline/$name" "$dir/result" "$tmp/out" | sed 's/^/    /'
            fi
        fi
    else
        # No `result`: BuildKit rejects this file; we agree when we reject it as well.
        if [ "$status" -eq 1 ]; then
            pass=$((pass + 1))
            echo "PASS $name (rejected: $(head -n1 "$tmp/err"))"
        else
            echo "FAIL $name: BuildKit rejects it, faultline accepted it"
        fi
    fi
done
echo "$pass/$total match"
[ "$pass" -eq "$total" ]
