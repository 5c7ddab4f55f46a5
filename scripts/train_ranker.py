#!/usr/bin/env python3
"""Learns the second ranking stage's weights (core/search/passageranker.h) from question sets.

    docsight-cli --library L eval SET.jsonl --features F.tsv      # for each training set
    scripts/train_ranker.py F1.tsv [F2.tsv ...] > resources/search/ranker-weights.json

Each row of F.tsv is one candidate the stage weighed: question id, chunk, document, page, whether it
is on an expected page, and the features. Questions whose id ends in an odd number train; even ones
are held out and only measured, so the printed validation numbers are on questions the weights never
saw. The model is linear, trained pairwise (RankNet's logistic loss on every relevant/irrelevant pair
of one question, L2-regularised), because only the order within a question matters. No third-party
packages: plain Python 3.
"""
import collections, json, math, re, sys

def load(paths):
    questions = collections.OrderedDict()
    names = None
    for path in paths:
        with open(path) as f:
            header = f.readline().rstrip("\n").split("\t")
            if names is None:
                names = header[5:]
            elif names != header[5:]:
                sys.exit(f"{path}: its features differ from the first file's")
            for line in f:
                cols = line.rstrip("\n").split("\t")
                key = (path, cols[0])
                questions.setdefault(key, []).append((int(cols[4]), [float(x) for x in cols[5:]], (cols[2], cols[3])))
    return names, questions

def is_training(question_id):
    digits = re.findall(r"\d+", question_id)
    return not digits or int(digits[-1]) % 2 == 1

def score(w, x):
    return sum(a * b for a, b in zip(w, x))

def measure(w, questions):
    """recall@1, recall@5 and MRR of the re-ordered candidates (pages, not chunks: a page counts once)."""
    n = h1 = h5 = 0
    rr = 0.0
    for rows in questions:
        n += 1
        ranked = sorted(rows, key=lambda r: -score(w, r[1]))
        pages = []
        for rel, _, page in ranked:
            if page not in [p for p, _ in pages]:
                pages.append((page, rel))
        rank = next((i + 1 for i, (_, rel) in enumerate(pages) if rel), 0)
        h1 += rank == 1
        h5 += 0 < rank <= 5
        rr += 1.0 / rank if rank else 0.0
    return (h1 / n, h5 / n, rr / n) if n else (0, 0, 0)

# The prior the weights are pulled toward: what a reader would weigh before seeing any data (the
# first stage leads, the question's words must be there, a table of contents is worth half).
# With few training questions a pull toward zero would let one set's quirks decide.
PRIOR = {
    "fused": 1.0, "keyword": 0.5, "vector": 0.2, "coverage": 1.0, "proximity": 0.4, "phrase": 0.4,
    "year_match": 0.3, "year_other": -0.3, "numbers": 0.3, "document_prior": 0.8, "navigational": -1.0,
    "page_coverage": 0.5, "page_year": 0.3, "heading_coverage": 0.3, "first_stage_rank": 0.5,
}

def train(questions, names, l2, rate=0.5, epochs=400):
    """Pairwise logistic loss, each question weighing the same however many relevant and irrelevant
    candidates it has, plus l2 * |w - prior|^2 / 2."""
    dims = len(names)
    prior = [PRIOR.get(n, 0.0) for n in names]
    groups = []
    for rows in questions:
        pos = [x for rel, x, _ in rows if rel]
        neg = [x for rel, x, _ in rows if not rel]
        pairs = [[a - b for a, b in zip(p, q)] for p in pos for q in neg]
        if pairs:
            groups.append(pairs)
    w = list(prior)
    for _ in range(epochs):
        grad = [l2 * (x - p) for x, p in zip(w, prior)]
        for pairs in groups:
            for d in pairs:
                g = -1.0 / (1.0 + math.exp(min(50.0, score(w, d))))  # d/ds of log(1 + e^-s)
                for i, x in enumerate(d):
                    grad[i] += g * x / (len(pairs) * len(groups))
        w = [a - rate * b for a, b in zip(w, grad)]
    return w

def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    names, questions = load(sys.argv[1:])
    trainset = [rows for (path, qid), rows in questions.items() if is_training(qid)]
    heldout = [rows for (path, qid), rows in questions.items() if not is_training(qid)]
    # The regularisation is chosen on the training questions alone (odd against even within them), so
    # the held-out half stays unseen until it is measured.
    inner_fit = [rows for i, rows in enumerate(trainset) if i % 2 == 0]
    inner_check = [rows for i, rows in enumerate(trainset) if i % 2 == 1]
    best = None
    for l2 in (1.0, 0.3, 0.1, 0.03, 0.01):
        mrr = measure(train(inner_fit, names, l2), inner_check)[2]
        print(f"l2 {l2}: inner-validation MRR {mrr:.3f}", file=sys.stderr)
        if best is None or mrr > best[1] + 1e-9:
            best = (l2, mrr)
    w = train(trainset, names, best[0])
    first_stage = [1.0] + [0.0] * (len(names) - 1)
    report = {
        "training_questions": len(trainset),
        "l2": best[0],
        "validation_questions": len(heldout),
        "validation_prior": dict(zip(("recall_at_1", "recall_at_5", "mrr"), [round(v, 3) for v in measure([PRIOR.get(n, 0.0) for n in names], heldout)])),
        "validation_first_stage": dict(zip(("recall_at_1", "recall_at_5", "mrr"), [round(v, 3) for v in measure(first_stage, heldout)])),
        "validation_second_stage": dict(zip(("recall_at_1", "recall_at_5", "mrr"), [round(v, 3) for v in measure(w, heldout)])),
        "training_second_stage": dict(zip(("recall_at_1", "recall_at_5", "mrr"), [round(v, 3) for v in measure(w, trainset)])),
    }
    print(json.dumps(report, indent=2), file=sys.stderr)
    out = {
        "about": "Weights of Docsight's second ranking stage (core/search/passageranker.h), learned by "
                 "scripts/train_ranker.py from the team's question sets (eval/questions); the golden sets are never used.",
        "trained_on": [p for p in sys.argv[1:]],
        "measured": report,
        "weights": {n: round(x, 4) for n, x in zip(names, w)},
    }
    print(json.dumps(out, indent=2))

if __name__ == "__main__":
    main()
