#!/usr/bin/env bash
# Validate `faultline lint --format sarif` with Microsoft's SARIF Multitool (npm @microsoft/sarif-multitool),
# running both the SARIF spec rules and GitHub's code-scanning ingestion rules (`--rule-kind "Gh;Sarif"`).
#
#   scripts/sarif-validate.sh [FAULTLINE_BIN]
#
# Lints a scratch repository built from tests/fixtures/gate/ (errors, a warning, a rotten suppression,
# non-ASCII text before a finding, an unparsable file) so the log has results of every level, related
# locations and a tool execution notification. Prints every validator result; exits 1 if any is an
# error or a warning (notes are listed, not fatal). The Multitool is installed once into
# $SARIF_TOOL_DIR (default ~/.cache/faultline-sarif-multitool). Needs node/npm, python3.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-}
if [ -z "$bin" ]; then
  cargo build --quiet --manifest-path "$here/Cargo.toml"
  bin="$here/target/debug/faultline"
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

tool_dir=${SARIF_TOOL_DIR:-$HOME/.cache/faultline-sarif-multitool}
if [ ! -d "$tool_dir/node_modules/@microsoft/sarif-multitool" ]; then
  echo "installing @microsoft/sarif-multitool into $tool_dir"
  mkdir -p "$tool_dir"
  npm install --prefix "$tool_dir" --no-audit --no-fund --silent @microsoft/sarif-multitool
fi
# The package's own wrapper runs through a shell, which splits "Gh;Sarif" at the `;`: call the
# platform binary directly. Its postinstall `chmod` may not have run (npm's install-script policy).
mt=$(cd "$tool_dir" && node -e 'process.stdout.write(require("@microsoft/sarif-multitool"))')
chmod u+x "$mt"

work=$(mktemp -d "${TMPDIR:-/tmp}/faultline-sarif.XXXXXX")
trap 'rm -rf "$work"' EXIT
repo="$work/repo"
mkdir -p "$repo/.git"
for case in repo warning-only stale broken; do
  mkdir -p "$repo/$case"
  cp -R "$here/tests/fixtures/gate/$case/." "$repo/$case/"
done

(cd "$repo" && "$bin" lint --format sarif --fail-on never > "$work/faultline.sarif" 2> "$work/lint.err") || {
  rc=$?
  # Exit 2 is expected: the `broken` case holds an unparsable workflow.
  [ "$rc" -eq 2 ] || { echo "faultline lint exited $rc"; exit 1; }
}
python3 - "$work/faultline.sarif" <<'EOF'
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
levels = {}
for r in run["results"]:
    levels[r["level"]] = levels.get(r["level"], 0) + 1
print(f"faultline SARIF: {len(run['results'])} results {levels}, "
      f"{len(run['tool']['driver']['rules'])} rules, "
      f"{len(run['invocations'][0]['toolExecutionNotifications'])} tool notification(s)")
EOF

# The file goes first: list options (--rule-kind, --level, --log) would swallow a positional after them.
"$mt" validate "$work/faultline.sarif" --rule-kind "Gh;Sarif" --level "Error;Warning;Note" \
  --output "$work/validation.sarif" --log ForceOverwrite > "$work/validate.out" 2>&1 || {
  cat "$work/validate.out"
  echo "the Multitool failed to run"
  exit 1
}

python3 - "$work/validation.sarif" <<'EOF'
import json, sys
from collections import Counter
log = json.load(open(sys.argv[1]))
results = [r for run in log["runs"] for r in run.get("results", [])]
by_level = Counter(r.get("level", "warning") for r in results)
print(f"SARIF Multitool validate (--rule-kind Gh;Sarif): "
      f"{by_level.get('error', 0)} error(s), {by_level.get('warning', 0)} warning(s), {by_level.get('note', 0)} note(s)")
notes = Counter()
for r in results:
    text = r["message"].get("text") or " ".join(r["message"].get("arguments", []))
    if r.get("level") in ("error", "warning"):
        print(f"  {r['level']} {r['ruleId']}: {text}")
    else:
        notes[r["ruleId"]] += 1
for rule, n in sorted(notes.items()):
    print(f"  note {rule} x{n}")
sys.exit(1 if by_level.get("error") or by_level.get("warning") else 0)
EOF
