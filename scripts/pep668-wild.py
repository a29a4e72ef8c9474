#!/usr/bin/env python3
"""Score `faultline lint` against ../shared/corpus/pep668-wild/labels.tsv.

Each label names a file, the line of a pip/uv command and its verdict today: FAIL (stops with
externally-managed-environment), OK, OK-RUNNER (passes only through the hosted runner's pip.conf),
DEPENDS (the file cannot decide). faultline's verdict for that line:
  FAIL      an error-severity PEP 668 finding on the line
  OK-RUNNER a pip-install-relies-on-runner-pip-conf warning on the line
  OK        nothing at error severity on the line
DEPENDS agrees with anything but an error. Prints every disagreement with faultline's reason.
Usage: scripts/pep668-wild.py [CORPUS_DIR] [FAULTLINE_BIN]
"""
import csv, json, os, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "corpus", "pep668-wild")
binary = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.join(root, "target", "release", "faultline")
if not os.path.isdir(corpus):
    print(f"skipped: {corpus} is absent")
    sys.exit(0)

# Labels known to be dated (true when written, not today): reported apart, with the reason.
dated = {}
with open(os.path.join(root, "scripts", "pep668-wild-dated.tsv")) as f:
    for line in f:
        if line.startswith("#") or not line.strip():
            continue
        case_dir, where, why = line.rstrip("\n").split("\t", 2)
        dated[(case_dir, where)] = why
dated_rows = []

PEP668 = {"pip-install-externally-managed", "uv-pip-system-externally-managed", "venv-activated-in-earlier-step"}
agree = total = 0
misses = []
with open(os.path.join(corpus, "labels.tsv")) as f:
    for row in csv.DictReader(f, delimiter="\t"):
        why_dated = dated.get((row["case_dir"], f'{row["file"]}:{row["line"]}'))
        if why_dated:
            dated_rows.append((row, why_dated))
            continue
        case = os.path.join(corpus, row["case_dir"])
        line = int(row["line"])
        out = subprocess.run([binary, "lint", "--format", "json", "--fail-on", "never", row["file"]],
                             cwd=case, capture_output=True, text=True)
        try:
            data = json.loads(out.stdout)
        except json.JSONDecodeError:
            misses.append((row, "no JSON", out.stderr.strip()))
            total += 1
            continue
        on_line = [x for x in data["findings"] if x["start_line"] <= line <= x["end_line"]]
        errors = [x for x in on_line if x["severity"] == "error" and x["rule"] in PEP668]
        runner = [x for x in on_line if x["rule"] == "pip-install-relies-on-runner-pip-conf"]
        other_errors = [x for x in on_line if x["severity"] == "error" and x["rule"] not in PEP668]
        got = "FAIL" if errors else "OK-RUNNER" if runner else "OK"
        want = row["verdict"]
        ok = got == want or (want == "DEPENDS" and got != "FAIL" and not other_errors)
        if want == "OK" and other_errors:
            ok = False
        total += 1
        agree += ok
        if not ok:
            why = "; ".join(f'{x["rule"]}: {x["message"]}' for x in on_line) or "no finding on the line"
            if data.get("errors"):
                why += " | input errors: " + "; ".join(e["message"] for e in data["errors"])
            misses.append((row, got, why))
print(f"pep668-wild: {agree}/{total} agree ({agree / max(total, 1):.0%}) on the labels that are not dated; {len(dated_rows)} dated")
for row, why in dated_rows:
    print(f'- dated: {row["case_dir"]} {row["file"]}:{row["line"]} (label {row["verdict"]}): {why}')
for row, got, why in misses:
    print(f'- {row["case_dir"]} {row["file"]}:{row["line"]}: label {row["verdict"]}, faultline {got}: {why}')
