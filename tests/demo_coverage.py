#!/usr/bin/env python3
"""Check that the demo documents in webapp/demo/data/ transcribe their seed texts.

    python webapp/demo/check_coverage.py SEEDS_DIR GOLD.jsonl [--data DIR] [--min 0.99] [-v]

For every document JSON (all files in the data directory except bodies.json):

1. Text coverage. Walks every text-bearing field in printed order (the «Проект»
   mark, letterhead lines, heading, heading_alt, title, the printed date line
   (labels.date), number, place, printed labels, meeting_time, venue, preamble, participants, agenda, decision
   heading, points recursively, stages, closing, signatories, acknowledgment,
   then attachments recursively, approval stamp first) and compares the words
   with SEEDS_DIR/<slug>.txt using the same metric as
   /work/shared/tools/docx_fidelity.py: lower case, ё→е, hyphenation at line
   ends undone, words [0-9a-zа-я]+, difflib matching blocks over the word
   sequences. Prints reproduced= (share of the seed's words reproduced in
   order) and from_reference= (share of the JSON's words that come from the
   seed).

2. Assignments. The points marked "assignment": true (document points, agenda
   points, stage points, then attachments, each depth-first in order) must
   match the gold file's "assignments" of that document one to one, in order:
   same count, same responsible body (gold responsible_nominative equals the
   lead body's name or one of its aliases in bodies.json; null ↔ []), same
   action, deadline_text, deadline, start, deadline_kind, printed point number
   (when gold gives one) and, when gold gives a controller, the document's
   controller. Every body a document refers to must exist in bodies.json.

Exit status 1 when a document's coverage is below --min or any check fails.
Standard library only.
"""
import argparse
import difflib
import json
import os
import re
import sys

WORD = re.compile(r"[0-9a-zа-я]+")
HERE = os.path.dirname(os.path.abspath(__file__))
ASSIGNMENT_FIELDS = ("action", "deadline_text", "deadline", "start", "deadline_kind")


def tokens(text):
    """Same normalisation as docx_fidelity.py."""
    text = text.lower().replace("ё", "е")
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)  # hyphenation at line ends
    return WORD.findall(text)


# ----------------------------------------------------------------- walking

def walk_points(points, out):
    for p in points or []:
        out.append(p.get("number"))
        out.append(p.get("marker"))
        out.append(p.get("text"))
        walk_points(p.get("children"), out)


def walk_document(d, out, attachment=False):
    """Append the document's printed strings to out, in printed order."""
    if attachment:
        out.extend(d.get("approval_stamp") or [])
    if d.get("draft_mark"):
        out.append("Проект")
    for column in d.get("letterhead") or []:
        out.extend(column.get("lines") or [])
    out.append(d.get("heading"))
    out.append(d.get("heading_alt"))
    out.append(d.get("title"))
    labels = d.get("labels") or {}
    out.append(labels.get("date"))              # the date line as printed (value in reg_date/event_date)
    out.append(d.get("number"))
    out.append(d.get("place"))
    if d.get("meeting_time"):
        out.append(labels.get("meeting_time"))
        out.append(d["meeting_time"])
    if d.get("venue"):
        out.append(labels.get("venue"))
        out.append(d["venue"])
    out.extend(d.get("preamble") or [])
    participants = d.get("participants") or []
    for role, label in (("chair", "chair"), ("secretary", "secretary"), (None, "attendees")):
        group = [p for p in participants
                 if (p.get("role") == role if role else p.get("role") not in ("chair", "secretary"))]
        if group:
            out.append(labels.get(label))
            out.extend(p.get("text") for p in group)
    agenda = d.get("agenda") or []
    if agenda:
        out.append(labels.get("agenda"))
        for item in agenda:                      # the agenda list
            out.append(item.get("number"))
            out.append(item.get("title"))
        for item in agenda:                      # each item again, with its decisions
            out.append(item.get("number"))
            out.extend(item.get("heard") or [])
            out.append(item.get("speakers"))
            out.append(item.get("decided_label"))
            walk_points(item.get("points"), out)
    out.append(d.get("decision_heading"))
    walk_points(d.get("points"), out)
    for stage in d.get("stages") or []:
        out.append(stage.get("title"))
        walk_points(stage.get("points"), out)
    out.extend(d.get("closing") or [])
    for s in d.get("signatories") or []:
        out.append(s.get("position"))
        out.append(s.get("name"))
    ack = d.get("acknowledgment")
    if ack:
        out.append(ack.get("label"))
        out.extend(ack.get("people") or [])
    if not attachment and d.get("approval_stamp"):
        out.extend(d["approval_stamp"])
    for att in d.get("attachments") or []:
        walk_document(att, out, attachment=True)
    return out


def document_text(d):
    return "\n".join(s for s in walk_document(d, []) if s)


def iter_points(points):
    for p in points or []:
        yield p
        yield from iter_points(p.get("children"))


def all_points(d):
    yield from iter_points(d.get("points"))
    for item in d.get("agenda") or []:
        yield from iter_points(item.get("points"))
    for stage in d.get("stages") or []:
        yield from iter_points(stage.get("points"))
    for att in d.get("attachments") or []:
        yield from all_points(att)


def all_documents(d):
    yield d
    for att in d.get("attachments") or []:
        yield from all_documents(att)


# ----------------------------------------------------------------- checks

def coverage(d, seed_path, verbose):
    with open(seed_path, encoding="utf-8") as fh:
        ref = tokens(fh.read())
    got = tokens(document_text(d))
    sm = difflib.SequenceMatcher(None, ref, got, autojunk=False)
    same = sum(b.size for b in sm.get_matching_blocks())
    recall = same / len(ref) if ref else 1.0
    precision = same / len(got) if got else 0.0
    if verbose:
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if tag in ("delete", "replace"):
                print(f"    missing: {' '.join(ref[i1:i2])[:160]}")
            if tag in ("insert", "replace"):
                print(f"    added:   {' '.join(got[j1:j2])[:160]}")
    return len(ref), len(got), recall, precision


def check_bodies(d, names):
    problems = []
    for doc in all_documents(d):
        if doc.get("issuing_body") is not None and doc["issuing_body"] not in names:
            problems.append(f"issuing_body not in bodies.json: {doc['issuing_body']}")
        for p in doc.get("participants") or []:
            if p.get("body") is not None and p["body"] not in names:
                problems.append(f"participant body not in bodies.json: {p['body']}")
    for p in all_points(d):
        for r in p.get("responsible") or []:
            if r not in names:
                problems.append(f"point {p.get('number')}: responsible not in bodies.json: {r}")
        if not p.get("assignment") and (p.get("responsible") or p.get("deadline") or p.get("start")):
            problems.append(f"point {p.get('number')} {p.get('text', '')[:40]!r}: "
                            "not an assignment but has responsible/deadline")
    return problems


def check_assignments(d, gold_doc, resolve):
    problems = []
    ours = [p for p in all_points(d) if p.get("assignment")]
    theirs = gold_doc.get("assignments") or []
    if len(ours) != len(theirs):
        problems.append(f"assignment count {len(ours)} != gold {len(theirs)}")
    for i, (p, g) in enumerate(zip(ours, theirs, strict=False), 1):
        where = f"assignment {i} (point {p.get('number')} {p.get('text', '')[:40]!r})"
        nom = g.get("responsible_nominative")
        resp = p.get("responsible") or []
        if nom is None:
            if resp:
                problems.append(f"{where}: responsible {resp} but gold has none")
        else:
            want = resolve.get(nom)
            if want is None:
                problems.append(f"{where}: gold responsible {nom!r} is no body name or alias in bodies.json")
            elif not resp or resp[0] != want:
                problems.append(f"{where}: responsible {resp} != gold {nom!r} (body {want!r})")
        for k in ASSIGNMENT_FIELDS:
            if p.get(k) != g.get(k):
                problems.append(f"{where}: {k} {p.get(k)!r} != gold {g.get(k)!r}")
        if g.get("point") is not None and g["point"] != p.get("number"):
            problems.append(f"{where}: number {p.get('number')!r} != gold point {g['point']!r}")
        if g.get("controller") is not None and g["controller"] != d.get("controller"):
            problems.append(f"{where}: controller {d.get('controller')!r} != gold {g['controller']!r}")
    return problems


def check_header(d, gold_doc):
    problems = []
    if gold_doc.get("doc_type") and gold_doc["doc_type"] != d.get("doc_type"):
        problems.append(f"doc_type {d.get('doc_type')!r} != gold {gold_doc['doc_type']!r}")
    if gold_doc.get("number") != d.get("number"):
        problems.append(f"number {d.get('number')!r} != gold {gold_doc.get('number')!r}")
    date = gold_doc.get("date")
    if date and date not in (d.get("reg_date"), d.get("event_date")):
        problems.append(f"gold date {date} is neither reg_date nor event_date")
    draft = gold_doc.get("status_mark") == "Проект"
    if draft != bool(d.get("draft_mark")) or draft != (d.get("state") == "draft"):
        problems.append(f"draft_mark/state {d.get('draft_mark')}/{d.get('state')} "
                        f"vs gold status_mark {gold_doc.get('status_mark')!r}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("seeds", help="directory of seed texts <slug>.txt")
    ap.add_argument("gold", help="gold annotation, one JSON object per line")
    ap.add_argument("--data", default=os.path.join(HERE, os.pardir, "webapp", "demo", "data"),
                    help="directory of the demo JSON files")
    ap.add_argument("--min", type=float, default=0.99, help="minimum reproduced share per document")
    ap.add_argument("-v", "--verbose", action="store_true", help="print the missing/added word runs")
    args = ap.parse_args()

    with open(os.path.join(args.data, "bodies.json"), encoding="utf-8") as fh:
        bodies = json.load(fh)
    names = {b["name"] for b in bodies}
    resolve = {}
    for b in bodies:
        for alias in b.get("aliases") or []:
            resolve.setdefault(alias, b["name"])
    for b in bodies:
        resolve[b["name"]] = b["name"]
    failures = 0
    if len(names) != len(bodies):
        print("bodies.json: duplicate names")
        failures += 1

    gold = {}
    with open(args.gold, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                o = json.loads(line)
                gold[os.path.splitext(o["file"])[0]] = o

    files = sorted(f for f in os.listdir(args.data) if f.endswith(".json") and f != "bodies.json")
    seen = set()
    for fname in files:
        with open(os.path.join(args.data, fname), encoding="utf-8") as fh:
            d = json.load(fh)
        slug = d.get("slug") or os.path.splitext(fname)[0]
        seen.add(slug)
        seed = os.path.join(args.seeds, slug + ".txt")
        if not os.path.exists(seed):
            print(f"{slug}: no seed text {seed}")
            failures += 1
            continue
        n_ref, n_got, recall, precision = coverage(d, seed, args.verbose)
        problems = check_bodies(d, names)
        if slug in gold:
            problems += check_header(d, gold[slug])
            problems += check_assignments(d, gold[slug], resolve)
        else:
            problems.append("no gold annotation")
        n_asg = sum(1 for p in all_points(d) if p.get("assignment"))
        print(f"{slug}: reference_words={n_ref} json_words={n_got} reproduced={recall:.3f} "
              f"from_reference={precision:.3f} assignments={n_asg} mismatches={len(problems)}")
        for p in problems:
            print(f"    {p}")
        if recall < args.min:
            print(f"    coverage {recall:.3f} below {args.min}")
            failures += 1
        failures += len(problems)
    for slug in sorted(set(gold) - seen):
        print(f"{slug}: in gold but no JSON document")
        failures += 1
    print("OK" if not failures else f"FAILED ({failures})")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
