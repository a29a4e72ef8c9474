#!/bin/sh
# Evaluate the playbook catalog: on the shared corpus of real CI failures (../shared/corpus/ci-logs,
# beside the repository; skipped with a message when absent), on the project's own match fixtures
# (tests/fixtures/analyze/<id>/match/*.log, labelled by their folder), and on the project's negative
# set (logs of successful builds, which must get no diagnosis at medium confidence or above).
#
# Usage: scripts/eval-corpus.sh [--format json]
# Exit status: 1 when a negative case fails, 2 when faultline reports an error, else 0.
set -eu

cd "$(dirname "$0")/.."
BIN=${FAULTLINE:-target/debug/faultline}
CORPUS=${CORPUS:-../shared/corpus/ci-logs}
NEGATIVE=tests/fixtures/analyze/negative

if [ -z "${FAULTLINE:-}" ]; then
    cargo build --quiet
fi

if [ -f "$CORPUS/labels.tsv" ]; then
    "$BIN" eval "$CORPUS" "$@"
else
    echo "eval-corpus: $CORPUS/labels.tsv not found; skipping the corpus evaluation"
fi
echo
# The match fixtures, labelled by their folder name (a temporary labels file).
LABELS=$(mktemp)
trap 'rm -f "$LABELS"' EXIT
printf 'file\texpected_playbook\ttop_n\n' >"$LABELS"
for log in tests/fixtures/analyze/*/match/*.log; do
    [ -f "$log" ] || continue
    rel=${log#tests/fixtures/analyze/}
    printf '%s\t%s\t1\n' "$rel" "${rel%%/*}" >>"$LABELS"
done
"$BIN" eval tests/fixtures/analyze --labels "$LABELS" "$@"
echo
"$BIN" eval "$NEGATIVE" "$@"

if command -v jq >/dev/null; then
    if ! "$BIN" eval "$NEGATIVE" --format json | jq -e '.negatives == .negatives_passed' >/dev/null; then
        echo "eval-corpus: a negative case got a diagnosis at medium confidence or above" >&2
        exit 1
    fi
else
    echo "eval-corpus: jq not found; read the negative figures above" >&2
fi
