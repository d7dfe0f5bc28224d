#!/usr/bin/env python3
"""gbrt_table.py: compact tables of a cmd/gbrt results folder for docs/results.md.

Usage: python3 scripts/gbrt_table.py results/gbrt/main/summary.csv [OBJ,OBJ,...]
       python3 scripts/gbrt_table.py --active results/gbrt/main/runs.csv

The first form prints (1) the mean test AUC per dataset (rows) and
objective (columns), with the sd, and (2) for every objective other than
the baselines its mean AUC difference to logistic and to l2 with the paired
t-test's p-value. The second prints, per dataset and HS objective, the
median over seeds of the rounds kept and of |A| (the samples with a
non-zero gradient) at the last round's gradient.
"""
import csv
import statistics
import sys


def active(path):
    runs = [r for r in csv.DictReader(open(path)) if r["objective"].startswith("hs-")]
    objs = list(dict.fromkeys(r["objective"] for r in runs))
    datasets = list(dict.fromkeys(r["dataset"] for r in runs))
    print("| dataset | " + " | ".join(f"{o}: rounds kept, last \\|A\\|" for o in objs) + " |")
    print("|---|" + "---:|" * len(objs))
    for d in datasets:
        cells = []
        for o in objs:
            g = [r for r in runs if r["dataset"] == d and r["objective"] == o]
            kept = statistics.median(int(r["best_rounds"]) for r in g)
            act = statistics.median(int(r["last_active"]) for r in g)
            cells.append(f"{kept:g}, {act:g}")
        print(f"| {d} | " + " | ".join(cells) + " |")


def fmt_p(p):
    p = float(p)
    return "<0.001" if p < 0.001 else f"{p:.2g}"


def main():
    if sys.argv[1] == "--active":
        active(sys.argv[2])
        return
    rows = list(csv.DictReader(open(sys.argv[1])))
    objs = sys.argv[2].split(",") if len(sys.argv) > 2 else list(dict.fromkeys(r["objective"] for r in rows))
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    by = {(r["dataset"], r["objective"]): r for r in rows}
    print("| dataset | " + " | ".join(objs) + " |")
    print("|---|" + "---:|" * len(objs))
    for d in datasets:
        cells = []
        for o in objs:
            r = by.get((d, o))
            cells.append(f"{float(r['auc_mean']):.4f} ± {float(r['auc_sd']):.4f}" if r else "—")
        print(f"| {d} | " + " | ".join(cells) + " |")
    print()
    tested = [o for o in objs if o not in ("logistic", "l2")]
    print("| dataset | " + " | ".join(f"{o} − logistic (p) | {o} − l2 (p)" for o in tested) + " |")
    print("|---|" + "---:|" * (2 * len(tested)))
    for d in datasets:
        cells = []
        for o in tested:
            r = by.get((d, o))
            for b in ("logistic", "l2"):
                if r and r[f"p_vs_{b}"]:
                    cells.append(f"{float(r[f'auc_diff_vs_{b}']):+.4f} ({fmt_p(r[f'p_vs_{b}'])})")
                else:
                    cells.append("—")
        print(f"| {d} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
