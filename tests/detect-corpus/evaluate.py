#!/usr/bin/env python3
# Scores a `scanner --path --format json` report of the corpus that gen.py wrote: recall on the
# positives (the expected rule at the expected line) and the share of negatives flagged at low
# or above, per rule family and per surrounding form; checks no secret value is in the report.
# usage: evaluate.py OUTDIR REPORT.json MIN_RECALL MAX_FP [--verbose]
# Exit status 1 when a family's recall is below MIN_RECALL, its false-positive share above
# MAX_FP, or a value appears in clear.
import collections
import json
import sys


def main():
    if len(sys.argv) < 5:
        sys.stderr.write("usage: evaluate.py OUTDIR REPORT.json MIN_RECALL MAX_FP [--verbose]\n")
        return 2
    out, report, min_recall, max_fp = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    verbose = "--verbose" in sys.argv[5:]
    rows = []
    with open(out + "/MANIFEST.tsv", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            kind, path, rule, ln, fam, form, secret = line.rstrip("\n").split("\t")
            rows.append((kind, path, rule, int(ln), fam, form, secret))
    with open(report, encoding="utf-8") as f:
        text = f.read()
    data = json.loads(text)
    found = collections.defaultdict(list)  # path -> [(rule, line, severity)]
    prefix = out.rstrip("/") + "/cases/"
    for x in data["findings"]:
        p = x["location"]["path"]
        p = p[len(prefix):] if p.startswith(prefix) else p.split("/cases/", 1)[-1]
        found[p].append((x["rule"], x["location"].get("line", 0), x["severity"]))

    pos = collections.defaultdict(lambda: [0, 0])  # family -> [found, total]
    neg = collections.defaultdict(lambda: [0, 0])  # family -> [flagged, total]
    forms = collections.defaultdict(lambda: [0, 0])
    misses, fps = [], []
    for kind, path, rule, ln, fam, form, secret in rows:
        hits = found.get(path, [])
        if kind == "pos":
            ok = any(r == rule and l == ln for r, l, _ in hits)
            pos[fam][1] += 1
            forms[form][1] += 1
            if ok:
                pos[fam][0] += 1
                forms[form][0] += 1
            else:
                misses.append((rule, form, path, hits))
        else:
            flagged = [h for h in hits if h[2] != "info"]
            neg[fam][1] += 1
            if flagged:
                neg[fam][0] += 1
                fps.append((rule, form, path, flagged))
    # Values in clear: index the secrets by their first 8 bytes, then look at every offset.
    by_head = collections.defaultdict(set)
    for *_, s in rows:
        if len(s) >= 8:
            by_head[s[:8]].add(s)
    leaked = set()
    for i in range(len(text) - 7):
        cands = by_head.get(text[i:i + 8])
        if cands:
            leaked.update(s for s in cands if text.startswith(s, i))

    bad = False
    print("%-18s %9s %8s   %9s %8s" % ("family", "positives", "recall", "negatives", "flagged"))
    for fam in sorted(set(pos) | set(neg)):
        pf, pt = pos[fam]
        nf, nt = neg[fam]
        r = pf / pt if pt else 1.0
        fp = nf / nt if nt else 0.0
        flag = ""
        if r < min_recall or fp > max_fp:
            bad = True
            flag = "   <-- below the thresholds"
        print("%-18s %9d %7.1f%%   %9d %7.2f%%%s" % (fam, pt, 100 * r, nt, 100 * fp, flag))
    tp = sum(v[0] for v in pos.values())
    tt = sum(v[1] for v in pos.values())
    nf = sum(v[0] for v in neg.values())
    nt = sum(v[1] for v in neg.values())
    print("%-18s %9d %7.1f%%   %9d %7.2f%%" % ("all", tt, 100 * tp / max(tt, 1), nt,
                                               100 * nf / max(nt, 1)))
    weak = [(f, v) for f, v in sorted(forms.items()) if v[1] and v[0] < v[1]]
    if weak:
        print("forms with misses: " + ", ".join("%s %d/%d" % (f, v[0], v[1]) for f, v in weak))
    limit = None if verbose else 15
    for rule, form, path, hits in misses[:limit]:
        print("  missed: %s in %s (%s) got %s" % (rule, form, path, hits or "nothing"))
    for rule, form, path, hits in fps[:limit]:
        print("  false positive: %s (%s) %s" % (form, path, hits))
    if leaked:
        bad = True
        print("values printed in clear: %d" % len(leaked))
    print("thresholds: recall >= %.1f%%, flagged negatives <= %.1f%% per family"
          % (100 * min_recall, 100 * max_fp))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
