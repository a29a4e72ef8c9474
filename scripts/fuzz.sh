#!/bin/sh
# Run every cargo-fuzz target in fuzz/ for SECONDS each (default 60), one after the other.
#
# Seed corpora come from the project's own fixtures and playbooks, copied into fuzz/corpus/<target>/
# at run time (fuzz/corpus is ignored by git; inputs the fuzzer finds accumulate there between runs).
# Crashes land in fuzz/artifacts/<target>/.
#
# Only stable Rust is installed here: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its nightly flags,
# and `--sanitizer none` skips AddressSanitizer (the crate forbids unsafe code; the fuzzer looks for
# panics, aborts, stack overflows, timeouts and memory blow-ups). Needs `cargo install cargo-fuzz`.
#
# The per-input timeout is libFuzzer's, in wall-clock seconds: FUZZ_TIMEOUT (default 10). A run
# at low priority on a busy machine can be starved that long; raise it there, and check a
# timeout artifact by running the target binary on it.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -eu

cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
[ $# -gt 0 ] && shift
TARGETS=${*:-"shell dockerfile workflow gitlab config baseline playbook analyze fix"}
CORPUS=fuzz/corpus

command -v cargo-fuzz >/dev/null || [ -x "$HOME/.cargo/bin/cargo-fuzz" ] || {
    echo "fuzz: cargo-fuzz is required (cargo install cargo-fuzz --locked)" >&2
    exit 2
}
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1

# Seeds are named by the checksum of their source path, so seeding again (or from two runs at
# once) rewrites the same files. The workflow and fix targets read their first byte as the kind:
# their seeds start with it.
seed() { # target, files...
    dir="$CORPUS/$1"
    shift
    mkdir -p "$dir"
    for f in "$@"; do
        [ -f "$f" ] || continue
        cp "$f" "$dir/seed-$(printf '%s' "$f" | cksum | cut -d' ' -f1)"
    done
}
seed_kind() { # target, kind byte, files...
    dir="$CORPUS/$1"
    kind=$2
    shift 2
    mkdir -p "$dir"
    for f in "$@"; do
        [ -f "$f" ] || continue
        name="$dir/seed-$(printf '%s' "$f" | cksum | cut -d' ' -f1).k$kind"
        { printf "\\$(printf '%03o' "$kind")"; cat "$f"; } > "$name"
    done
}

lint_files=$(find tests/fixtures/lint tests/fixtures/gate -type f 2>/dev/null)
# shellcheck disable=SC2086
{
    seed shell $(find tests/fixtures -type f -name '*.sh') \
        $(printf '%s\n' $lint_files | grep -E '\.ya?ml$|Dockerfile')
    seed dockerfile $(printf '%s\n' $lint_files | grep 'Dockerfile')
    for k in 0 1 2; do
        seed_kind workflow $k $(printf '%s\n' $lint_files | grep -E '\.ya?ml$' | grep -v gitlab-ci)
    done
    # The fix target: 0 workflow, 1 GitLab CI, 2 Dockerfile.
    seed_kind fix 0 $(printf '%s\n' $lint_files | grep -E '\.ya?ml$' | grep -v gitlab-ci)
    seed_kind fix 1 $(printf '%s\n' $lint_files | grep -E 'gitlab-ci\.ya?ml$')
    seed_kind fix 2 $(printf '%s\n' $lint_files | grep 'Dockerfile')
    seed gitlab $(printf '%s\n' $lint_files | grep -E 'gitlab-ci\.ya?ml$')
    seed config $(find tests/fixtures -type f \( -name '.faultline.yaml' -o -name '*config*.yaml' \))
    seed playbook $(find playbooks tests/fixtures/analyze -type f -name '*.yaml')
    seed analyze $(find tests/fixtures/analyze -type f -name '*.log')
}
# Baselines: the ones the binary writes for the lint fixtures.
mkdir -p "$CORPUS/baseline"
if cargo build --quiet 2>/dev/null; then
    for repo in tests/fixtures/gate/*/; do
        out="$CORPUS/baseline/seed-$(basename "$repo").json"
        target/debug/faultline lint "$repo" --write-baseline "$out" >/dev/null 2>&1 || true
    done
fi
printf '{"version":1,"findings":[]}\n' > "$CORPUS/baseline/seed-empty.json"

status=0
for t in $TARGETS; do
    echo "fuzz: $t for ${SECONDS_EACH}s" >&2
    if ! cargo fuzz run --sanitizer none "$t" "$CORPUS/$t" -- \
        -max_total_time="$SECONDS_EACH" -rss_limit_mb=1024 -timeout="${FUZZ_TIMEOUT:-10}" \
        -print_final_stats=1 \
        2> "fuzz/$t.log"; then
        echo "fuzz: $t FAILED (see fuzz/$t.log and fuzz/artifacts/$t/)" >&2
        status=1
    fi
    grep -E '^stat::number_of_executed_units|^Done' "fuzz/$t.log" | sed "s/^/$t: /" || true
done
exit $status
