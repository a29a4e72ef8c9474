#!/usr/bin/env python3
"""Run `faultline lint` over ../shared/corpus/actionlint-testdata, real-world-ci and pep668-wild.

Every file must be read without a panic; broken YAML must come back as an input error with a
position. Findings are counted per rule and severity, and every error-severity finding is listed
with its verdict from scripts/corpus-verdicts.tsv (`UNJUDGED` when it has none). The real-world
files come from projects whose CI passes, so an unjudged error there is a false alarm until shown
otherwise. Time-dependent facts are judged at a fixed date (FAULTLINE_TODAY, default 2026-12-03).
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

verdicts = {}
with open(os.path.join(root, "scripts", "corpus-verdicts.tsv")) as f:
    for line in f:
        if line.startswith("#") or not line.strip():
            continue
        where, rule, verdict = line.rstrip("\n").split("\t", 2)
        verdicts[(where, rule)] = verdict
# pep668-wild carries its own labels (the line of each pip/uv command and its verdict today).
wild_labels = os.path.join(corpus, "pep668-wild", "labels.tsv")
if os.path.isfile(wild_labels):
    import csv
    with open(wild_labels) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            where = f'pep668-wild/{row["case_dir"]}/{row["file"]}:{row["line"]}'
            for rule in ("pip-install-externally-managed", "uv-pip-system-externally-managed", "pip-unavailable"):
                verdicts.setdefault((where, rule), f'labelled {row["verdict"]} ({row["confidence"]}) in pep668-wild/labels.tsv')
                # Other pip lines of a file whose labelled line fails run on the same image.
                if row["verdict"] == "FAIL":
                    same_file = f'pep668-wild/{row["case_dir"]}/{row["file"]}'
                    verdicts.setdefault((same_file, rule), f'same file and image as line {row["line"]}, labelled FAIL in pep668-wild/labels.tsv')
today = os.environ.get("FAULTLINE_TODAY", "2026-12-03")
config = os.path.join(root, "tests", "fixtures", "lint", "empty-config.yaml")
per_rule = {}
unjudged = 0

failed = False
for name in ["actionlint-testdata", "real-world-ci", "pep668-wild"]:
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
        p = subprocess.run([binary, "lint", "--format", "json", "--fail-on", "never", "--today", today, "--config", config, path], capture_output=True, text=True)
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
            key = (x["rule"], x["severity"])
            per_rule[key] = per_rule.get(key, 0) + 1
            if x["severity"] == "error":
                where = f'{name}/{os.path.relpath(os.path.abspath(path), base)}:{x["start_line"]}'
                verdict = verdicts.get((where, x["rule"])) or verdicts.get((where.rsplit(":", 1)[0], x["rule"]))
                if verdict is None:
                    unjudged += 1
                    verdict = "UNJUDGED"
                error_findings.append(f'{where}:{x["start_column"]}: {x["rule"]}: {verdict}')
    print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for e in input_errors:
        print(f"  input error: {e}")
    for e in error_findings:
        print(f"  error finding: {e}")
print("findings per rule (all three folders):")
for (rule, severity), n in sorted(per_rule.items()):
    print(f"  {rule:40} {severity:8} {n}")
print(f"error findings without a verdict: {unjudged}")
sys.exit(1 if failed else 0)
