#!/usr/bin/env python3
"""Check the team-written question sets: every line parses, has all keys, the document exists under
../shared/corpus (relative to /work) or in the repo's own eval/corpus/ (manuals taken from Debian packages,
see eval/corpus/SOURCES.md), pages are in range, and answer_contains appears (whitespace-normalised)
in the pdftotext text (-layout or reading order) of at least one listed page."""
import json, os, re, subprocess, sys, glob

CORPUS = os.environ.get("DOCSIGHT_CORPUS", "/work/shared/corpus")
HERE = os.path.dirname(os.path.abspath(__file__))
# PDFs kept in the repository itself (flat folder), e.g. /work/main/eval/corpus/
LOCAL_CORPUS = os.environ.get("DOCSIGHT_LOCAL_CORPUS", os.path.join(os.path.dirname(HERE), "corpus"))
KEYS = ("id", "question", "document", "pages", "answer_contains")

def norm(s): return re.sub(r"\s+", " ", s).strip()

def page_text(path, p, layout):
    cmd = ["pdftotext", "-f", str(p), "-l", str(p)] + (["-layout"] if layout else []) + [path, "-"]
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace").stdout

def npages(path):
    out = subprocess.run(["pdfinfo", path], capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))

def main(files):
    docs = {os.path.basename(p): p for p in glob.glob(os.path.join(CORPUS, "*", "*"))}
    for p in glob.glob(os.path.join(LOCAL_CORPUS, "*.pdf")):
        docs.setdefault(os.path.basename(p), p)
    bad = 0
    for fn in files:
        ids, n = set(), 0
        for ln, line in enumerate(open(fn), 1):
            if not line.strip(): continue
            n += 1
            try: q = json.loads(line)
            except Exception as e: print(f"{fn}:{ln}: bad JSON: {e}"); bad += 1; continue
            miss = [k for k in KEYS if k not in q]
            if miss: print(f"{fn}:{ln}: missing {miss}"); bad += 1; continue
            if q["id"] in ids: print(f"{fn}:{ln}: duplicate id {q['id']}"); bad += 1
            ids.add(q["id"])
            path = docs.get(q["document"])
            if not path: print(f"{q['id']}: document not found: {q['document']}"); bad += 1; continue
            N = npages(path)
            pages = q["pages"]
            if not pages or any((not isinstance(p, int)) or p < 1 or p > N for p in pages):
                print(f"{q['id']}: bad pages {pages} (doc has {N})"); bad += 1; continue
            a = norm(q["answer_contains"])
            found = [p for p in pages if a in norm(page_text(path, p, True)) or a in norm(page_text(path, p, False))]
            if not found: print(f"{q['id']}: answer_contains {a!r} not on any listed page {pages}"); bad += 1
        print(f"{fn}: {n} questions checked")
    print("FAIL" if bad else "OK", f"({bad} problems)")
    return 1 if bad else 0

if __name__ == "__main__":
    fs = sys.argv[1:] or sorted(glob.glob(os.path.join(HERE, "train-*.jsonl")))
    sys.exit(main(fs))
