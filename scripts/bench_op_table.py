#!/usr/bin/env python3
"""The operator's benchmark table, from `go test -bench` output of ./op/hypersimplex and ./op.

    bench_op_table.py results/bench-op.txt

Reads the output of the kernel benchmarks (op/bench_kernel_test.go) and of
BenchmarkSoftBinaryArgmaxTape (op/bench_gorgonia_test.go), possibly with
-count > 1 (medians are taken), and prints one Markdown row per shape:

  - ns/op and allocs/op of Project, ProjectVJP and forward+backward;
  - the sort-based O(n log n) oracle and Project's speed-up over it;
  - forward+backward as a multiple of the streaming pass (copy + sum over
    the same elements, BenchmarkStreamingBaseline), median of the
    x-stream metric each benchmark measured in its own process;
  - the op forward+backward through a Gorgonia TapeMachine.

Used by `make bench`. Standard library only.
"""

import re
import statistics
import sys

LINE = re.compile(r"^Benchmark(?P<name>\w+)/(?P<shape>\d+x\d+)(-\d+)?\s+\d+\s+(?P<rest>.*)$")
METRIC = re.compile(r"([\d.e+-]+) (\S+)")


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


def table(data):
    shapes = sorted({s for (_, s) in data}, key=lambda s: tuple(int(v) for v in s.split("x"))[::-1])
    rows = [
        "| rows×n | Project | allocs | ProjectVJP | allocs | fwd+bwd | ns/elem | × stream | sort oracle | oracle / Project | op fwd+bwd (TapeMachine) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in shapes:
        fwd = median(data, "Project", s, "ns/op")
        if fwd is None:
            continue
        vjp = median(data, "ProjectVJP", s, "ns/op")
        both = median(data, "ProjectForwardBackward", s, "ns/op")
        oracle = median(data, "ProjectSortOracle", s, "ns/op")
        rows.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            s.replace("x", "×"),
            fmt_ns(fwd), fmt_num(median(data, "Project", s, "allocs/op"), "%.0f"),
            fmt_ns(vjp), fmt_num(median(data, "ProjectVJP", s, "allocs/op"), "%.0f"),
            fmt_ns(both), fmt_num(median(data, "ProjectForwardBackward", s, "ns/elem"), "%.2f"),
            fmt_num(median(data, "ProjectForwardBackward", s, "x-stream"), "%.1f"),
            fmt_ns(oracle), fmt_num(oracle / fwd if oracle else None, "%.1f×"),
            fmt_ns(median(data, "SoftBinaryArgmaxTape", s, "ns/op")),
        ))
    return "\n".join(rows)


def main(argv):
    if len(argv) != 1:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        data = parse(f.read())
    if not any(name == "Project" for name, _ in data):
        print("bench_op_table.py: no BenchmarkProject lines in %s" % argv[0], file=sys.stderr)
        return 1
    print(table(data))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
