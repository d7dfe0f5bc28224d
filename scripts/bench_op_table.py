#!/usr/bin/env python3
"""The operator's benchmark table, from `go test -bench` output of ./op/hypersimplex and ./op.

    bench_op_table.py results/bench-op.txt [results/bench-op-portable.txt]

The first file holds the benchmarks of the build the table reports (make
bench-op: GOEXPERIMENT=simd, the vectorised float32 loops), the optional
second one the kernels of the portable build. Repeated runs (-count > 1)
are reduced to medians. One Markdown row per shape:

  - Project and ProjectVJP in ns per element and as multiples of the fused
    pass (dx = y ⊙ g in float32, a plain Go loop, BenchmarkFusedPass), the
    x-fused metric each benchmark measured in its own process just before;
  - forward+backward (ProjectForwardBackward) per row set and its x-fused;
  - the portable build's Project and ProjectVJP ns/elem, if given;
  - the sort-based O(n log n) oracle and Project's speed-up over it;
  - ProjectEntropic and ProjectEntropicVJP ns/elem;
  - allocations per call of the kernels (max over them);
  - the op forward+backward through a Gorgonia TapeMachine.

Used by `make bench-op`. Standard library only.
"""

import re
import statistics
import sys

LINE = re.compile(r"^Benchmark(?P<name>\w+)/(?P<shape>\d+x\d+)(-\d+)?\s+\d+\s+(?P<rest>.*)$")
METRIC = re.compile(r"([\d.e+-]+) (\S+)")
KERNELS = ["Project", "ProjectVJP", "ProjectForwardBackward", "ProjectEntropic", "ProjectEntropicVJP"]


def parse(text):
    """Returns {(benchmark, shape): {unit: [values]}}."""
    out = {}
    for line in text.splitlines():
        m = LINE.match(line.strip())
        if not m:
            continue
        metrics = out.setdefault((m.group("name"), m.group("shape")), {})
        for value, unit in METRIC.findall(m.group("rest")):
            metrics.setdefault(unit, []).append(float(value))
    return out


def median(data, name, shape, unit):
    values = data.get((name, shape), {}).get(unit)
    return statistics.median(values) if values else None


def fmt_ns(ns):
    if ns is None:
        return "–"
    if ns >= 1e6:
        return "%.2f ms" % (ns / 1e6)
    if ns >= 1e3:
        return "%.1f µs" % (ns / 1e3)
    return "%.0f ns" % ns


def fmt_num(x, spec):
    return "–" if x is None else spec % x


def table(data, portable):
    shapes = sorted({s for (_, s) in data}, key=lambda s: tuple(int(v) for v in s.split("x"))[::-1])
    rows = [
        "| rows×n | fused pass ns/elem | Project ns/elem | × fused | ProjectVJP ns/elem | × fused | fwd+bwd | × fused | portable fwd / bwd ns/elem | sort oracle | oracle / Project | entropic fwd / bwd ns/elem | allocs | op fwd+bwd (TapeMachine) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in shapes:
        fwd = median(data, "Project", s, "ns/op")
        if fwd is None:
            continue
        oracle = median(data, "ProjectSortOracle", s, "ns/op")
        allocs = [median(data, k, s, "allocs/op") for k in KERNELS]
        allocs = [a for a in allocs if a is not None]
        rows.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s | %s | %s / %s | %s | %s |" % (
            s.replace("x", "×"),
            fmt_num(median(data, "FusedPass", s, "ns/elem"), "%.2f"),
            fmt_num(median(data, "Project", s, "ns/elem"), "%.2f"),
            fmt_num(median(data, "Project", s, "x-fused"), "%.1f"),
            fmt_num(median(data, "ProjectVJP", s, "ns/elem"), "%.2f"),
            fmt_num(median(data, "ProjectVJP", s, "x-fused"), "%.1f"),
            fmt_ns(median(data, "ProjectForwardBackward", s, "ns/op")),
            fmt_num(median(data, "ProjectForwardBackward", s, "x-fused"), "%.1f"),
            fmt_num(median(portable, "Project", s, "ns/elem"), "%.2f"),
            fmt_num(median(portable, "ProjectVJP", s, "ns/elem"), "%.2f"),
            fmt_ns(oracle), fmt_num(oracle / fwd if oracle else None, "%.1f×"),
            fmt_num(median(data, "ProjectEntropic", s, "ns/elem"), "%.1f"),
            fmt_num(median(data, "ProjectEntropicVJP", s, "ns/elem"), "%.2f"),
            fmt_num(max(allocs) if allocs else None, "%.0f"),
            fmt_ns(median(data, "SoftBinaryArgmaxTape", s, "ns/op")),
        ))
    return "\n".join(rows)


def main(argv):
    if len(argv) not in (1, 2):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        data = parse(f.read())
    portable = {}
    if len(argv) == 2:
        with open(argv[1], encoding="utf-8") as f:
            portable = parse(f.read())
    if not any(name == "Project" for name, _ in data):
        print("bench_op_table.py: no BenchmarkProject lines in %s" % argv[0], file=sys.stderr)
        return 1
    print(table(data, portable))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
