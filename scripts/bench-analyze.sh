#!/bin/sh
# Benchmark `faultline analyze` on two large logs, beside ripgrep searching the same patterns.
#
# 1. noisy: mostly harmless CI output with one failure near the end (described below);
# 2. dense: every line error-like. The failure text of the project's own fixtures
#    (tests/fixtures/analyze/*/match/*.log) concatenated and repeated to DENSE_MB: a test suite with
#    thousands of failures, or a compiler with thousands of errors.
#    ripgrep is slow on it: with the catalog's patterns it took 2 GB and 10 CPU minutes on 100 MB
#    without finishing (2026-12-03), so it gets RG_TIMEOUT seconds (default 120) and is reported
#    as not finishing past that.
#
# Generates (once) a log of realistic CI noise: GitHub Actions timestamps, ##[group] steps, ANSI
# colour, compiler lines, test output, npm/pip chatter, words like "error" in passing; and one
# real failure near the end (pip's PEP 668 error in the failing step). Then it measures
# wall-clock throughput and peak memory (/usr/bin/time -v) of the release binary, checks that the
# diagnosis is python-externally-managed, and runs `rg -c -i -f patterns.txt` on the same file
# with every pattern of the catalog.
#
# For each log it prints faultline's and ripgrep's wall time, MB/s, CPU time and peak RSS.
#
# Usage: scripts/bench-analyze.sh            (SIZE_MB=200 DENSE_MB=100, files under target/bench/)
#        SIZE_MB=100 DENSE_MB=100 RG_TIMEOUT=60 scripts/bench-analyze.sh
# Without ripgrep (rg) installed, faultline is measured alone and the script says so.
# Targets on the project's 2-core machine: < 64 MB peak RSS on both logs; noisy: twice ripgrep's
# rate; dense: >= 50 MB/s.
# Run it once, not in a loop: it is heavy on a shared machine.
set -eu

cd "$(dirname "$0")/.."
SIZE_MB=${SIZE_MB:-200}
DENSE_MB=${DENSE_MB:-100}
RG_TIMEOUT=${RG_TIMEOUT:-120}
DIR=${BENCH_DIR:-target/bench}
LOG="$DIR/noise-${SIZE_MB}mb.log"
DENSE="$DIR/dense-${DENSE_MB}mb.log"
BIN=target/release/faultline
mkdir -p "$DIR"

[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is required (apt-get install time)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench: python3 is required to generate the log" >&2; exit 2; }
command -v jq >/dev/null || { echo "bench: jq is required" >&2; exit 2; }

echo "bench: building the release binary" >&2
cargo build --release --quiet

if [ ! -s "$LOG" ]; then
    echo "bench: generating $LOG ($SIZE_MB MB)" >&2
    python3 - "$LOG" "$SIZE_MB" <<'PY'
import random, sys
path, size_mb = sys.argv[1], int(sys.argv[2])
target = size_mb * 1000 * 1000
rnd = random.Random(20240501)
crates = ["serde", "tokio", "regex", "clap", "hyper", "rustls", "syn", "quote", "libc", "rand", "tracing", "futures", "bytes", "mio", "anyhow"]
words = ["parse", "render", "retry", "cache", "error_handling", "timeout", "connect", "upload", "merge", "checksum", "config", "auth"]
esc = "\x1b"
def line(i):
    k = rnd.random()
    if k < 0.20:
        c = rnd.choice(crates)
        return f"   {esc}[1m{esc}[32mCompiling{esc}[0m {c} v1.{rnd.randrange(40)}.{rnd.randrange(20)}"
    if k < 0.35:
        return f"test {rnd.choice(words)}::tests::test_{rnd.choice(words)}_{rnd.randrange(500)} ... {esc}[32mok{esc}[0m"
    if k < 0.45:
        return f"[{rnd.randrange(100):3d}%] Building CXX object src/CMakeFiles/core.dir/{rnd.choice(words)}/{rnd.choice(words)}_{rnd.randrange(90)}.cpp.o"
    if k < 0.53:
        return f"gcc -O2 -g -Wall -Wextra -fPIC -Iinclude -c src/{rnd.choice(words)}.c -o build/{rnd.choice(words)}.o"
    if k < 0.61:
        return f"tests/test_{rnd.choice(words)}.py::test_{rnd.choice(words)}[{rnd.randrange(64)}] PASSED{' ' * rnd.randrange(1, 20)}[{rnd.randrange(100):3d}%]"
    if k < 0.67:
        return f"=== RUN   Test{rnd.choice(words).title().replace('_', '')}{rnd.randrange(300)}\n--- PASS: Test{rnd.choice(words).title().replace('_', '')} (0.{rnd.randrange(100):02d}s)"
    if k < 0.72:
        return f"Collecting {rnd.choice(crates)}-py=={rnd.randrange(9)}.{rnd.randrange(30)}.{rnd.randrange(9)}\n  Downloading {rnd.choice(crates)}_py-{rnd.randrange(9)}.{rnd.randrange(30)}-py3-none-any.whl ({rnd.randrange(10, 900)} kB)"
    if k < 0.76:
        return f"npm warn deprecated {rnd.choice(crates)}@{rnd.randrange(9)}.{rnd.randrange(9)}.{rnd.randrange(9)}: This package is no longer supported."
    if k < 0.79:
        return f"{esc}[33mwarning{esc}[0m: unused variable: `{rnd.choice(words)}_count` --> src/{rnd.choice(words)}.rs:{rnd.randrange(1, 900)}:{rnd.randrange(1, 40)}"
    if k < 0.81:
        return f"Linting {rnd.randrange(50, 500)} files: 0 errors, {rnd.randrange(9)} warnings"
    if k < 0.83:
        return f"{rnd.randrange(30, 900)} passed, {rnd.randrange(3)} skipped, 0 failed in {rnd.randrange(2, 90)}.{rnd.randrange(100):02d}s"
    if k < 0.86:
        return f"  {rnd.choice(words)}: retrying request {rnd.randrange(3)} of 3 after {rnd.randrange(100, 900)}ms"
    if k < 0.90:
        return f"Downloaded {rnd.choice(crates)} v1.{rnd.randrange(40)}.{rnd.randrange(20)} ({rnd.randrange(10, 900)} KB)"
    return f"    {rnd.choice(words)} = {rnd.random():.6f}; elapsed={rnd.randrange(1, 10000)}ms; id={rnd.getrandbits(64):016x}"

PEP668 = """error: externally-managed-environment

\u00d7 This environment is externally managed
\u2570\u2500> To install Python packages system-wide, try apt install
    python3-xyz, where xyz is the package you are trying to
    install.
    
    If you wish to install a non-Debian-packaged Python package,
    create a virtual environment using python3 -m venv path/to/venv.
    Then use path/to/venv/bin/python and path/to/venv/bin/pip. Make
    sure you have python3-full installed.
    
    See /usr/share/doc/python3.12/README.venv for more information.

note: If you believe this is a mistake, please contact your Python installation or OS distribution provider. You can override this, at the risk of breaking your Python installation or OS, by passing --break-system-packages.
hint: See PEP 668 for the detailed specification.""".split("\n")

sec = 0
def stamp():
    global sec
    sec += 1
    return f"2024-05-01T{(sec // 3600) % 24:02d}:{(sec // 60) % 60:02d}:{sec % 60:02d}.{rnd.randrange(10**7):07d}Z "

written = 0
step = 0
with open(path, "w", encoding="utf-8", newline="\n") as out:
    while written < target - 200_000:
        buf = []
        step += 1
        buf.append(stamp() + f"##[group]Run make -C component-{step} all test")
        buf.append(stamp() + f"{esc}[36;1mmake -C component-{step} all test{esc}[0m")
        buf.append(stamp() + "##[endgroup]")
        for i in range(4000):
            for part in line(i).split("\n"):
                buf.append(stamp() + part)
        chunk = "\n".join(buf) + "\n"
        out.write(chunk)
        written += len(chunk.encode())
    tail = [stamp() + "##[group]Run pip install -r requirements.txt",
            stamp() + f"{esc}[36;1mpip install -r requirements.txt{esc}[0m",
            stamp() + "##[endgroup]"]
    tail += [stamp() + l for l in PEP668]
    tail.append(stamp() + "##[error]Process completed with exit code 1.")
    tail.append(stamp() + "Post job cleanup.")
    tail.append(stamp() + "Cleaning up orphan processes")
    out.write("\n".join(tail) + "\n")
PY
fi

if [ ! -s "$DENSE" ]; then
    echo "bench: generating $DENSE ($DENSE_MB MB of the fixtures' failure text)" >&2
    python3 - "$DENSE" "$DENSE_MB" tests/fixtures/analyze/*/match/*.log <<'PY'
import sys
path, size_mb, fixtures = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
block = b"".join(open(f, "rb").read().rstrip(b"\n") + b"\n" for f in sorted(fixtures))
with open(path, "wb") as out:
    written = 0
    while written < size_mb * 1000 * 1000:
        out.write(block)
        written += len(block)
PY
fi

# Every pattern faultline compiles (any, all, none), one per line, for ripgrep.
"$BIN" list --format json \
    | jq -r '.playbooks[] | .match | ((.any + (.all // [])) | map(if type == "string" then . else .regex end)) + (.none // []) | .[]' \
    > "$DIR/patterns.txt"
npat=$(wc -l < "$DIR/patterns.txt")

RG=$(command -v rg || true)
if [ -z "$RG" ] && [ -x "$HOME/.cargo/bin/rg" ]; then RG=$HOME/.cargo/bin/rg; fi
if [ -z "$RG" ]; then
    echo "bench: ripgrep (rg) is not installed: faultline is measured alone, with no comparison."
    echo "       Install it (apt-get install ripgrep, or cargo install ripgrep --locked) to compare."
fi

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (wall-clock rates suffer on a busy machine; CPU time does not)"

# Prints one row and sets `secs`, `cpu`, `rss` and `rate` (MB/s of wall time, or empty when the
# command ran out of time).
measure() { # name, output file, time limit in seconds (0: none), command...
    name=$1 out=$2 limit=$3
    shift 3
    rc=0
    if [ "$limit" -gt 0 ]; then
        /usr/bin/time -v timeout "$limit" "$@" > "$out" 2> "$DIR/$name.time" || rc=$?
    else
        /usr/bin/time -v "$@" > "$out" 2> "$DIR/$name.time" || rc=$?
    fi
    secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$DIR/$name.time")
    cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$DIR/$name.time")
    rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$DIR/$name.time")
    if [ "$limit" -gt 0 ] && [ "$rc" -eq 124 ]; then
        rate=
        printf '%-40s did not finish in %ss (under %s MB/s), %7ss CPU, %6s MB peak RSS\n' "$name" "$limit" \
            "$(awk -v b="$bytes" -v s="$limit" 'BEGIN { printf "%.1f", b / 1e6 / s }')" "$cpu" "$rss"
        return
    fi
    rate=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.1f", b / 1e6 / s }')
    printf '%-40s %7ss wall %6s MB/s  %7ss CPU  %6s MB peak RSS\n' "$name" "$secs" "$rate" "$cpu" "$rss"
}

# Whether a target is met, for the summary line.
verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 >= b + 0) ? "met" : "NOT met" }'; }

echo "catalog: $("$BIN" list --format json | jq '.playbooks | length') playbooks, $npat patterns"
status=0
for kind in noisy dense; do
    if [ "$kind" = noisy ]; then file=$LOG; want=python-externally-managed; else file=$DENSE; want=; fi
    bytes=$(wc -c < "$file")
    mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
    # Warm the page cache so both tools read from memory.
    cat "$file" > /dev/null
    echo
    echo "$kind log: $file, $mb MB, $(wc -l < "$file") lines"
    measure "faultline analyze --format json ($kind)" "$DIR/analyze-$kind.json" 0 "$BIN" analyze "$file" --format json
    fl_rate=$rate fl_rss=$rss fl_cpu=$cpu
    got=$(jq -r '.diagnoses[0].playbook // "none"' "$DIR/analyze-$kind.json")
    band=$(jq -r '.diagnoses[0].band // "-"' "$DIR/analyze-$kind.json")
    echo "diagnosis: $got ($band)"
    rg_rate=
    if [ -n "$RG" ]; then
        measure "rg -c -i -f patterns.txt ($kind)" "$DIR/rg-$kind.out" "$RG_TIMEOUT" "$RG" -c -i -f "$DIR/patterns.txt" "$file"
        rg_rate=$rate
        [ -n "$rg_rate" ] && echo "rg matching lines: $(cat "$DIR/rg-$kind.out")"
    fi
    # The targets of issue 10 (wall-clock rates: on a busy machine, compare the CPU times too).
    rss_ok=$(verdict 64 "$fl_rss")
    if [ "$kind" = noisy ]; then
        if [ -z "$RG" ]; then
            speed="twice ripgrep's rate: not measured (no rg)"
        elif [ -z "$rg_rate" ]; then
            speed="twice ripgrep's rate: met (rg did not finish)"
        else
            speed="twice ripgrep's rate: $(verdict "$fl_rate" "$(awk -v r="$rg_rate" 'BEGIN { print 2 * r }')") ($(awk -v a="$fl_rate" -v r="$rg_rate" 'BEGIN { printf "%.1f", a / r }')x)"
        fi
    else
        speed=">= 50 MB/s: $(verdict "$fl_rate" 50) ($fl_rate MB/s wall, $(awk -v b="$bytes" -v c="$fl_cpu" 'BEGIN { printf "%.1f", b / 1e6 / c }') MB per CPU second)"
    fi
    echo "targets ($kind): peak RSS < 64 MB: $rss_ok ($fl_rss MB); $speed"
    if [ -n "$want" ] && [ "$got" != "$want" ]; then
        echo "bench: FAIL: expected $want on the $kind log, got $got" >&2
        status=1
    fi
done
exit $status
