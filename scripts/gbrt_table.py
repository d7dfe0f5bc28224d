#!/usr/bin/env python3
"""gbrt_table.py: compact tables of a cmd/gbrt summary.csv for docs/results.md.

Usage: python3 scripts/gbrt_table.py results/gbrt/main/summary.csv [OBJ,OBJ,...]

Prints (1) the mean test AUC per dataset (rows) and objective (columns),
with the sd, and (2) for every objective other than the baselines its mean
AUC difference to logistic and to l2 with the paired t-test's p-value.
"""
import csv
import sys


def fmt_p(p):
    p = float(p)
    return "<0.001" if p < 0.001 else f"{p:.2g}"


def main():
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
