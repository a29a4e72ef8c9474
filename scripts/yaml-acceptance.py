#!/usr/bin/env python3
"""Does faultline accept the YAML that GitHub and GitLab accept? A libyaml-based parser (PyYAML's C
loader, the parser under GitLab's Psych) beside `faultline lint` over every .yml/.yaml file in
../shared/corpus and over generated variants of the indentation, flow-collection, tab, anchor and
multi-document cases.

For each file: libyaml's verdict (the events of `yaml.parse` with `yaml.CSafeLoader`, plus the one
check every loader makes above the parser: an alias must name an anchor defined before it in the
document; no construction, so tags such as GitLab's `!reference` are fine, and a redefined anchor is
fine, as in YAML 1.2, Psych and GitHub) and faultline's (an input error whose message starts with
`invalid YAML` in `faultline lint --format json`).

Exit status 1 when a file libyaml accepts is rejected by faultline (a bug in faultline's front end),
except duplicate mapping keys: libyaml composes them, GitHub rejects them, and faultline rejects them
on purpose (they are counted apart). Files faultline accepts and libyaml rejects are reported, not
failed on (faultline is the more lenient one there, which costs no false alarm).

Installs nothing: skips (exit 0) with a message when PyYAML or its C loader is missing
(`pip install pyyaml`) or when the corpus is absent (the generated variants still run).
Usage: scripts/yaml-acceptance.py [CORPUS_DIR] [FAULTLINE_BIN]
"""
import json
import os
import subprocess
import sys
import tempfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "corpus")
binary = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.join(root, "target", "debug", "faultline")

try:
    import yaml
except ImportError:
    print("skipped: PyYAML is not installed (pip install pyyaml)")
    sys.exit(0)
if not getattr(yaml, "__with_libyaml__", False) or not hasattr(yaml, "CSafeLoader"):
    print("skipped: PyYAML is built without libyaml (yaml.CSafeLoader is unavailable)")
    sys.exit(0)
if not os.path.isfile(binary):
    print(f"error: no faultline binary at {binary} (cargo build first)", file=sys.stderr)
    sys.exit(2)


def libyaml_verdict(path):
    """None when libyaml accepts the file, else its message."""
    try:
        with open(path, "rb") as f:
            data = f.read()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return f"unreadable: {e}"
    anchors = set()
    try:
        for ev in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(ev, yaml.DocumentStartEvent):
                anchors = set()
            elif isinstance(ev, yaml.AliasEvent):
                # The one check above the parser that every loader makes (Psych, PyYAML, GitHub).
                if ev.anchor not in anchors:
                    m = ev.start_mark
                    return f"{m.line + 1}:{m.column + 1}: found undefined alias *{ev.anchor}"
            elif getattr(ev, "anchor", None) is not None:
                anchors.add(ev.anchor)
    except yaml.YAMLError as e:
        m = getattr(e, "problem_mark", None)
        pos = f"{m.line + 1}:{m.column + 1}: " if m is not None else ""
        return pos + " ".join(str(e).split())
    return None


def line_of(verdict):
    """The line number a `line:col: message` verdict starts with, if any."""
    head = verdict.split(":", 1)[0]
    return int(head) if head.isdigit() else None


def faultline_verdict(path, config, cwd):
    """None when faultline reads the file as YAML, else the input error (`line:col: message`)."""
    p = subprocess.run(
        [binary, "lint", "--format", "json", "--fail-on", "never", "--no-ignore", "--config", config, path],
        capture_output=True, text=True, cwd=cwd)
    if p.returncode not in (0, 1, 2) or "panicked" in p.stderr:
        return f"PANIC (exit {p.returncode}): {p.stderr.strip()[:300]}"
    try:
        data = json.loads(p.stdout)
    except json.JSONDecodeError:
        return f"no JSON output (exit {p.returncode}): {p.stderr.strip()[:300]}"
    for e in data["errors"]:
        if e["message"].startswith("invalid YAML"):
            return f'{e.get("line")}:{e.get("column")}: {e["message"]}'
    return None


# ---------------------------------------------------------------------------------------------
# Generated variants: small documents around each construct, in the shapes CI files use.

def variants():
    out = {}
    # Indentation of flow collections: where the closing bracket and the entries may sit.
    for opener, closer, items in (("[", "]", ["a", "b", "c"]), ("{", "}", ["a: 1", "b: 2", "c: 3"])):
        kind = "seq" if opener == "[" else "map"
        for key_indent in (0, 2, 4, 8):
            pad = " " * key_indent
            head = "".join(" " * i + f"k{i}:\n" for i in range(0, key_indent, 2))
            for close_at in range(0, key_indent + 5, 2):
                for entries_at in sorted({0, key_indent, key_indent + 2}):
                    body = (f"{pad}name: {opener} {items[0]}, {items[1]},\n"
                            f"{' ' * entries_at}{items[2]}\n{' ' * close_at}{closer}\n")
                    out[f"flow-{kind}-key{key_indent}-entries{entries_at}-close{close_at}"] = head + body + f"{pad}after: 1\n"
            # The same inside a block sequence item and after a trailing comma.
            out[f"flow-{kind}-in-seq-{key_indent}"] = head + f"{pad}- {opener} {items[0]},\n{pad}  {items[1]},\n{pad}{closer}\n"
            out[f"flow-{kind}-trailing-comma-{key_indent}"] = head + f"{pad}x: {opener}{items[0]}, {items[1]},{closer}\n"
    # Flow collections: nesting, empty, implicit pairs, multi-line scalars and comments inside.
    out.update({
        "flow-nested": "m:\n  include: [ {os: a, v: [1, 2]},\n    {os: b, v: []} ]\n",
        "flow-empty": "a: []\nb: {}\nc: [ ]\n",
        "flow-implicit-pair": "a: [x: 1, y: 2]\n",
        "flow-multiline-plain": "a: [ one\n  two, three ]\n",
        "flow-multiline-plain-low": "a:\n  b: [ one\n two, three ]\n",
        "flow-quoted-multiline-low": "a:\n  b: [ \"one\n two\", three ]\n",
        "flow-comment-inside": "a: [ x, # first\n  y ]\n",
        "flow-json-style": "{\"on\": \"push\", \"jobs\": {\"a\": {\"runs-on\": \"ubuntu-latest\"}}}\n",
        "flow-unclosed": "a: [ x, y\nb: 1\n",
        "flow-extra-closer": "a: [ x ] ]\n",
        "flow-key-multiline": "a: { b\n  : c }\n",
        "flow-close-in-step-list": "steps:\n  - with:\n      args: [ a,\n  b ]\n  - run: x\n",
        "flow-close-col0-then-seq": "steps:\n  - args: [ a,\n]\n  - run: x\n",
        "flow-map-nested-low": "m:\n  include: [\n{os: a,\nv: 1},\n]\nn: 1\n",
        "flow-seq-of-seqs-low": "m:\n  x: [[1,\n2], [3,\n4]]\n",
        "flow-on-events": "on: [ push,\n  pull_request ]\njobs: {}\n",
        "flow-close-then-comment": "a:\n  b: [ x,\n  ] # done\nc: 1\n",
        "flow-doc-marker-inside": "a: [ x,\n---\n]\n",
    })
    # Block scalars and complex keys around the same places.
    out.update({
        "block-literal-keep": "run: |+\n  a\n\nnext: 1\n",
        "block-folded-indent-indicator": "run: >2\n    a\n  b\n",
        "complex-key": "? a\n: b\n",
        "block-literal-less-indented-end": "a:\n  run: |\n    x\n  b: 1\n",
    })
    # Quoted and plain scalars continued on less indented lines.
    out.update({
        "quoted-continuation-low": "a:\n  b: \"one\n two\"\n",
        "quoted-continuation-col0": "a:\n  b: \"one\ntwo\"\n",
        "plain-continuation": "a:\n  b: one\n    two\n",
        "plain-continuation-low": "a:\n  b: one\n two\n",
        "block-seq-same-indent": "a:\n- x\n- y\n",
        "block-less-indented-key": "a:\n    b: 1\n  c: 2\n",
    })
    # Tabs: as separation, in flow, in block indentation (YAML forbids the last).
    out.update({
        "tab-after-colon": "a:\tb\n",
        "tab-after-dash": "a:\n  -\tb\n",
        "tab-in-flow": "a: [\tb,\tc ]\n",
        "tab-in-flow-line-start": "a: [ b,\n\tc ]\n",
        "tab-before-comment": "a: b\t# c\n",
        "tab-indentation": "a:\n\tb: 1\n",
        "tab-in-block-scalar": "a: |\n  x\n  \ty\n",
        "tab-in-plain": "a: b\tc\n",
        "tab-trailing": "a: b\t\n",
    })
    # Anchors, aliases, merge keys, tags.
    out.update({
        "anchor-map-merge": ".t: &t\n  image: x\njob:\n  <<: *t\n  script: [a]\n",
        "anchor-merge-list": ".a: &a {x: 1}\n.b: &b {y: 2}\nj:\n  <<: [*a, *b]\n",
        "anchor-on-scalar": "a: &v 3.12\nb: *v\n",
        "anchor-before-block-seq": "a: &s\n  - x\nb: *s\n",
        "anchor-alone-line": "a:\n  &x\n  b: 1\n",
        "alias-as-key": "a: &k key\n*k : v\n",
        "anchor-undefined": "a: *nope\n",
        "anchor-redefined": "a: &x 1\nb: &x 2\nc: *x\n",
        "tag-reference": "j:\n  script:\n    - !reference [.setup, script]\n",
        "tag-local": "a: !custom x\n",
    })
    # Multiple documents, markers, directives, BOM, comments only.
    out.update({
        "multi-doc": "a: 1\n---\nb: 2\n",
        "multi-doc-end": "a: 1\n...\n---\nb: 2\n...\n",
        "multi-doc-spec-first": "spec:\n  inputs:\n    x: {}\n---\njob:\n  script: [a]\n",
        "doc-start-scalar": "--- |\n  text\n",
        "directive-yaml11": "%YAML 1.1\n---\na: 1\n",
        "directive-tag": "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n",
        "empty-file": "",
        "comments-only": "# nothing\n",
        "empty-docs": "---\n---\n",
        "bom": "\ufeffa: 1\n",
        "crlf": "a: 1\r\nb:\r\n  - c\r\n",
        "doc-end-content": "a: 1\n... x\n",
    })
    return out


def main():
    tmp = tempfile.mkdtemp(prefix="yaml-acceptance-")
    config = os.path.join(tmp, "empty.faultline.yaml")
    with open(config, "w") as f:
        f.write("{}\n")
    sets = []
    base = os.path.abspath(corpus)
    if os.path.isdir(base):
        paths = []
        for dirpath, dirs, names in os.walk(base):
            dirs.sort()
            for n in sorted(names):
                if n.endswith((".yml", ".yaml")):
                    paths.append(os.path.join(dirpath, n))
        sets.append(("corpus", base, paths))
    else:
        print(f"corpus: skipped ({corpus} is absent)")
    gen_dir = os.path.join(tmp, "generated")
    os.makedirs(gen_dir)
    gen_paths = []
    for name, text in sorted(variants().items()):
        p = os.path.join(gen_dir, name + ".yml")
        with open(p, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        gen_paths.append(p)
    sets.append(("generated", gen_dir, gen_paths))

    failed = False
    for label, base_dir, paths in sets:
        counts = {"files compared": 0, "accepted by both": 0, "rejected by both": 0,
                  "rejected by both on the same line": 0,
                  "rejected by faultline only": 0, "duplicate keys (faultline only, on purpose)": 0,
                  "rejected by libyaml only": 0}
        faultline_only, libyaml_only, both, dup_keys = [], [], [], []
        for path in paths:
            counts["files compared"] += 1
            lib = libyaml_verdict(path)
            fl = faultline_verdict(path, config, tmp)
            rel = os.path.relpath(path, base_dir)
            if fl and fl.startswith(("PANIC", "no JSON")):
                failed = True
                print(f"  {rel}: {fl}")
                continue
            if lib is None and fl is None:
                counts["accepted by both"] += 1
            elif lib is not None and fl is not None:
                counts["rejected by both"] += 1
                if line_of(lib) is not None and line_of(lib) == line_of(fl):
                    counts["rejected by both on the same line"] += 1
                both.append(f"{rel}: faultline {fl} | libyaml {lib}")
            elif lib is None:
                if "duplicate" in fl:
                    counts["duplicate keys (faultline only, on purpose)"] += 1
                    dup_keys.append(f"{rel}: {fl}")
                else:
                    counts["rejected by faultline only"] += 1
                    faultline_only.append(f"{rel}: {fl}")
                    failed = True
            else:
                counts["rejected by libyaml only"] += 1
                libyaml_only.append(f"{rel}: {lib}")
        print(f"{label}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        for line in faultline_only:
            print(f"  rejected by faultline only: {line}")
        for line in dup_keys:
            print(f"  duplicate key, rejected by faultline only: {line}")
        for line in libyaml_only:
            print(f"  rejected by libyaml only: {line}")
        if os.environ.get("VERBOSE"):
            for line in both:
                print(f"  rejected by both: {line}")
    if failed:
        print("FAILED: faultline rejects YAML that libyaml accepts (see above)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
