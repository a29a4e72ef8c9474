#!/usr/bin/env python3
"""Run `faultline lint` over ../shared/corpus/actionlint-testdata and ../shared/corpus/real-world-ci.

Every file must be read without a panic; broken YAML must come back as an input error with a
position. The real-world files come from projects whose CI passes, so every error-severity
finding there is listed: each is a false alarm until shown otherwise.
Usage: scripts/lint-corpus.py [CORPUS_DIR] [FAULTLINE_BIN]
"""
import json, os, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "corpus")
binary = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.join(root, "target", "release", "faultline")
if not os.path.isdir(corpus):
    print(f"skipped: {corpus} is absent")
    sys.exit(0)

def files(base):
    for dirpath, _, names in os.walk(base):
        for n in sorted(names):
            yield os.path.join(dirpath, n)

failed = False
for name in ["actionlint-testdata", "real-world-ci"]:
    base = os.path.join(corpus, name)
    if not os.path.isdir(base):
        print(f"{name}: skipped (absent)")
        continue
    counts = {"files": 0, "linted": 0, "skipped": 0, "input_errors": 0, "panics": 0, "errors": 0, "warnings": 0}
    error_findings, input_errors = [], []
    for path in files(base):
        if path.endswith((".md", ".txt", ".out", ".json", ".go", ".sh", ".py")) or os.path.basename(path) == "LICENSE.txt":
            continue
        counts["files"] += 1
        # The path must keep its .github/workflows shape for discovery: run from the project folder.
        p = subprocess.run([binary, "lint", "--format", "json", "--fail-on", "never", path], capture_output=True, text=True)
        if p.returncode not in (0, 1, 2) or "panicked" in p.stderr:
            counts["panics"] += 1
            print(f"PANIC {path}: {p.stderr.strip()[:300]}")
            failed = True
            continue
        data = json.loads(p.stdout)
        if data["files_checked"] == 0 and not data["errors"]:
            counts["skipped"] += 1
            continue
        counts["linted"] += data["files_checked"]
        for e in data["errors"]:
            counts["input_errors"] += 1
            pos = f':{e["line"]}:{e["column"]}' if e.get("line") else ""
            input_errors.append(f'{os.path.relpath(e["path"], base)}{pos}: {e["message"]}')
            if e.get("line") is None:
                failed = True  # an input error without a position is a defect
        for x in data["findings"]:
            counts["errors" if x["severity"] == "error" else "warnings"] += 1
            if x["severity"] == "error":
                error_findings.append(f'{os.path.relpath(x["path"], base)}:{x["start_line"]}:{x["start_column"]}: {x["rule"]}: {x["message"]}')
    print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for e in input_errors:
        print(f"  input error: {e}")
    if name == "real-world-ci":
        for e in error_findings:
            print(f"  ERROR finding (a false alarm until shown otherwise): {e}")
sys.exit(1 if failed else 0)
