#!/usr/bin/env bash
# Writes faultline's diagnosis of every failed job of this run attempt to the step summary (used
# by action.yml with `command: diagnose`). The per-job log endpoint answers as soon as a job has
# finished; the run's log archive exists only once the whole run is over.
set -euo pipefail

jobs_url="repos/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID/attempts/$GITHUB_RUN_ATTEMPT/jobs"
gh api --paginate "$jobs_url" --jq '.jobs[] | select(.conclusion == "failure") | "\(.id) \(.name)"' |
while read -r id name; do
  log="$RUNNER_TEMP/job-$id.log"
  gh api "repos/$GITHUB_REPOSITORY/actions/jobs/$id/logs" > "$log"
  { echo "## $name"; faultline analyze "$log" --format markdown; } >> "$GITHUB_STEP_SUMMARY"
done
