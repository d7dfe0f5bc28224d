#!/usr/bin/env python3
"""The entropic ablation's table (docs/results.md), from two runs.csv files.

    entropic_ablation_table.py results/study/fashion-mnist-ablation-entropic/runs.csv \
        results/study/fashion-mnist/runs.csv

Per batch size: the maximum test accuracy over epochs of every run, mean ±
sd over the seeds that both folders hold, for CE and the entropic HS of
the first folder and the Euclidean HS of the second; paired two-sided
t-tests (df = seeds − 1) of entropic HS against CE and against Euclidean
HS. Standard library only (the t distribution through the regularised
incomplete beta function).
"""
import csv, math, statistics, sys
def maxacc(path):
    out = {}
    for r in csv.DictReader(open(path)):
        if r['status'] != 'ok': continue
        key = (r['loss'], int(r['batch']), int(r['seed']))
        out[key] = max(out.get(key, 0), float(r['test_acc']))
    return out
def betacf(a, b, x):
    MAXIT, EPS, FPMIN = 200, 3e-16, 1e-300
    qab, qap, qam = a+b, a+1, a-1
    c, d = 1.0, 1 - qab*x/qap
    d = 1/(d if abs(d) > FPMIN else FPMIN); h = d
    for m in range(1, MAXIT+1):
        m2 = 2*m
        aa = m*(b-m)*x/((qam+m2)*(a+m2))
        d = 1+aa*d; d = 1/(d if abs(d) > FPMIN else FPMIN)
        c = 1+aa/c; c = c if abs(c) > FPMIN else FPMIN
        h *= d*c
        aa = -(a+m)*(qab+m)*x/((a+m2)*(qap+m2))
        d = 1+aa*d; d = 1/(d if abs(d) > FPMIN else FPMIN)
        c = 1+aa/c; c = c if abs(c) > FPMIN else FPMIN
        de = d*c; h *= de
        if abs(de-1) < EPS: break
    return h
def ibeta(a, b, x):
    if x <= 0: return 0.0
    if x >= 1: return 1.0
    bt = math.exp(math.lgamma(a+b)-math.lgamma(a)-math.lgamma(b)+a*math.log(x)+b*math.log(1-x))
    if x < (a+1)/(a+b+2): return bt*betacf(a, b, x)/a
    return 1-bt*betacf(b, a, 1-x)/b
def paired(a, b):
    d = [x-y for x, y in zip(a, b)]
    n = len(d); m = statistics.mean(d); sd = statistics.stdev(d)
    if sd == 0: return m, float('nan'), float('nan')
    t = m/(sd/math.sqrt(n)); df = n-1
    p = ibeta(df/2, 0.5, df/(df+t*t))
    return m, t, p
def ms(v): return "%.4f ± %.4f" % (statistics.mean(v), statistics.stdev(v))
def fp(p): return "<0.001" if p < 0.001 else "%.3f" % p
ent = maxacc(sys.argv[1]); main = maxacc(sys.argv[2])  # ablation, main folder
batches = sorted({b for (_, b, _) in ent})
print("| batch | seeds | CE | HS Euclidean (main) | HS entropic | entropic − CE | t | p | entropic − Euclidean | t | p |")
print("|---:|---:|---|---|---|---:|---:|---:|---:|---:|---:|")
for b in batches:
    seeds = sorted(s for (l, bb, s) in ent if l == 'hs' and bb == b and ('ce', b, s) in ent and ('hs', b, s) in main)
    if len(seeds) < 2: continue
    ce = [ent[('ce', b, s)] for s in seeds]; he = [ent[('hs', b, s)] for s in seeds]; hm = [main[('hs', b, s)] for s in seeds]
    d1, t1, p1 = paired(he, ce); d2, t2, p2 = paired(he, hm)
    print("| %d | %d | %s | %s | %s | %+.4f | %.2f | %s | %+.4f | %.2f | %s |" % (b, len(seeds), ms(ce), ms(hm), ms(he), d1, t1, fp(p1), d2, t2, fp(p2)))
