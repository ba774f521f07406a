#!/usr/bin/env python3
"""Regenerates load_cases.tsv and copies the .pg/.jsonl files it names from
the reference acceptance suite (run by hand; tests never read ../shared).

Usage: gen_manifest.py /work/shared/acceptance/reference

Every setup recipe's data loads are kept (the reference accepts them). A
case step is kept when it is a `load` of a local file on the default
branch and every earlier step of its case is a load, a file write or a
read-only command (so the committed state before it is the setup's loads
plus the case's earlier successful loads). `init --schema X {T}/...`
steps switch the schema for later steps (fresh graph)."""
import json, os, shutil, sys

ref = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
READONLY = {"snapshot", "query", "read", "export", "lint", "check", "version", "commit"}

setups = {}
for line in open(os.path.join(ref, "setups.tsv")):
    if line.startswith("#") or not line.strip():
        continue
    f = line.rstrip("\n").split("\t")
    data = [] if f[2] == "-" else f[2].split(",")
    seeds = []
    for d in data:
        mode, _, path = d.rpartition(":")
        seeds.append(((mode or "overwrite"), path))
    setups[f[0]] = (f[1], seeds)

cases = {}
order = []
for line in open(os.path.join(ref, "cases.tsv")):
    if line.startswith("#") or not line.strip():
        continue
    f = line.rstrip("\n").split("\t")
    if len(f) < 12:
        continue
    if f[0] not in cases:
        order.append(f[0])
        cases[f[0]] = []
    cases[f[0]].append(f)

copied = set()
def copy(rel):
    src = os.path.join(ref, rel)
    name = os.path.basename(rel)
    if name not in copied:
        shutil.copyfile(src, os.path.join(here, name))
        copied.add(name)
    return name

def resolve(p, tfiles):
    if p.startswith("{I}/"):
        return copy("inline/" + p[4:])
    if p.startswith("{F}/"):
        return copy("fixtures/" + p[4:])
    if p.startswith("{T}/"):
        return tfiles.get(p)
    return None

out = []
ntfile = 0
for cid in order:
    steps = cases[cid]
    setup = steps[0][3]
    if setup == "none":
        pg, state = None, []
    elif setup in setups:
        pg, seeds = setups[setup]
        pg = copy(pg)
        state = [(m, copy(p)) for m, p in seeds]
    else:
        continue
    tfiles = {}
    ok = True
    for f in steps:
        kind = f[4]
        if kind == "file":
            a = json.loads(f[8])
            if not a[0].endswith(".jsonl") and not a[0].endswith(".pg"):
                continue
            ntfile += 1
            name = "t_%03d_%s" % (ntfile, os.path.basename(a[0]))
            with open(os.path.join(here, name), "w") as fh:
                fh.write(a[1])
            copied.add(name)
            tfiles[a[0]] = name
            continue
        if kind == "read":
            continue
        if kind != "cli":
            ok = False
            break
        a = json.loads(f[8])
        if not a:
            ok = False
            break
        if a[0] == "init" and "--schema" in a:
            p = resolve(a[a.index("--schema") + 1], tfiles)
            if p is None:
                ok = False
                break
            pg = p
            state = []
            continue
        if a[0] in READONLY:
            continue
        if a[0] != "load" or "--branch" in a or "--store" in a:
            ok = False
            break
        data = resolve(a[a.index("--data") + 1], tfiles) if "--data" in a else None
        mode = a[a.index("--mode") + 1] if "--mode" in a else None
        if data is None or mode is None or pg is None:
            ok = False
            break
        expect = f[10]
        fails = expect.startswith("fail")
        pats = [c[len("stderr~"):] for c in expect.split(" && ") if c.startswith("stderr~")]
        out.append("\t".join([cid, pg, ",".join("%s:%s" % s for s in state) or "-", data, mode,
                              "fail" if fails else "ok", " && ".join(pats) or "-"]))
        if not fails:
            state.append((mode, data))
    del ok

# Every setup recipe's loads are loads the reference accepts.
for name in sorted(setups):
    pg, seeds = setups[name]
    for k, (mode, path) in enumerate(seeds):
        prev = ",".join("%s:%s" % (m, copy(p)) for m, p in seeds[:k]) or "-"
        out.append("\t".join(["setup:" + name, copy(pg), prev, copy(path), mode, "ok", "-"]))

used = set()
for l in out:
    f = l.split("\t")
    used.add(f[1]); used.add(f[3])
    if f[2] != "-":
        used.update(x.split(":", 1)[1] for x in f[2].split(","))
for name in copied - used:
    os.remove(os.path.join(here, name))
with open(os.path.join(here, "load_cases.tsv"), "w") as fh:
    fh.write("# case | schema | committed seeds (mode:file,...) | data | mode | ok/fail | stderr regexes\n")
    for l in out:
        fh.write(l + "\n")
print(len(out), "steps,", len(used), "files")
