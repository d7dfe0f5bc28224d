#!/usr/bin/env python3
"""gbrt_table.py: compact tables of a cmd/gbrt results folder for docs/results.md.

Usage: python3 scripts/gbrt_table.py results/gbrt/main/summary.csv [OBJ,OBJ,...]
       python3 scripts/gbrt_table.py --active results/gbrt/main/runs.csv
       python3 scripts/gbrt_table.py --tau results/gbrt main,tau0.01,tau0.03,tau0.1 [data/gbrt]

The first form prints (1) the mean test AUC per dataset (rows) and
objective (columns), with the sd, and (2) for every objective other than
the baselines its mean AUC difference to logistic and to l2 with the paired
t-test's p-value. The second prints, per dataset and HS objective, the
median over seeds of the rounds kept and of |A| (the samples with a
non-zero gradient) at the last round's gradient. The third compares
hs-ones and hs-gn with l2 across the folders of the τ ablation, with
2/(nτ²), the ratio of the Hessian of ones to the Gauss-Newton one on the
active set (n = training rows of the stratified split, counted from the
CSV files or the synthetic configuration).
"""
import json
import os
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


def train_rows(dataset, cfg, data_dir):
    """Rows of the training part of Dataset.Split(valid, test) of dataset."""
    if dataset.startswith("synthetic-"):
        rows = cfg["synthetic"]["rows"]
        pos = round(float(dataset.split("-", 1)[1]) / 100 * rows)
        counts = [rows - pos, pos]
    else:
        labels = [r["label"] for r in csv.DictReader(open(os.path.join(data_dir, dataset + ".csv")))]
        counts = [labels.count("0"), labels.count("1")]
    # Go's math.Round rounds half away from zero
    rnd = lambda x: int(x + 0.5)
    return sum(c - rnd(cfg["valid"] * c) - rnd(cfg["test"] * c) for c in counts)


def tau_table(root, folders, data_dir):
    print("| dataset (training rows n) | τ | 2/(nτ²) | hs-ones AUC (rounds kept) | hs-gn AUC (rounds kept) | l2 AUC | hs-ones − l2 (p) | hs-gn − l2 (p) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    tables = []
    for f in folders:
        cfg = json.load(open(os.path.join(root, f, "config.json")))
        rows = list(csv.DictReader(open(os.path.join(root, f, "summary.csv"))))
        tables.append((cfg, {(r["dataset"], r["objective"]): r for r in rows}))
    datasets = [d for d in dict.fromkeys(k[0] for k in tables[-1][1])]
    for d in datasets:
        for cfg, by in tables:
            if (d, "hs-ones") not in by:
                continue
            n, tau = train_rows(d, cfg, data_dir), cfg["tau"]
            o, g, l = by[(d, "hs-ones")], by[(d, "hs-gn")], by[(d, "l2")]
            print(f"| {d} ({n}) | {tau:g} | {2 / (n * tau * tau):.3g} "
                  f"| {float(o['auc_mean']):.4f} ({float(o['best_rounds_mean']):.0f}) "
                  f"| {float(g['auc_mean']):.4f} ({float(g['best_rounds_mean']):.0f}) | {float(l['auc_mean']):.4f} "
                  f"| {float(o['auc_diff_vs_l2']):+.4f} ({fmt_p(o['p_vs_l2'])}) "
                  f"| {float(g['auc_diff_vs_l2']):+.4f} ({fmt_p(g['p_vs_l2'])}) |")


def main():
    if sys.argv[1] == "--tau":
        tau_table(sys.argv[2], sys.argv[3].split(","), sys.argv[4] if len(sys.argv) > 4 else "data/gbrt")
        return
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
