#!/usr/bin/env python3
"""Training throughput tables: Go vs PyTorch, pure Go vs OpenBLAS.

  bench_training.py peer [--model mlp|cnn] [--tags openblas] [--count 3] ...
      Runs BenchmarkTrainStep (MLP) or BenchmarkTrainStepCNN (the paper's
      CNN, CE head only) of train/ and the PyTorch peer
      (scripts/peer_bench.py, Debian's python3-torch) side by side, batch
      size by batch size, and prints samples/s of both, the Go/PyTorch
      ratio, the Go step's allocations and bytes (allocs/op, B/op) and, for
      the MLP, the HS/CE step-time ratio of each. With --count N every
      (batch size) pair is measured N times, interleaved, and the table
      gives medians of the per-repeat values and ratios, so that each ratio
      compares measurements taken seconds apart. --simd adds the Go
      benchmark built with GOEXPERIMENT=simd (the vector loops) to every
      round, with its own columns.

  bench_training.py summary FILE...
      Summarises BenchmarkTrainStep output (benchstat format, the
      "blas: ..." configuration lines of both builds): the best samples/s
      of the repeats per BLAS, solver, head and batch size, the
      OpenBLAS/pure-Go speed-up and the HS/CE step-time ratio. Best, not
      median: on a shared host whose slow spells outlast half of a case's
      repeats, it is the steadier estimate.

  bench_training.py epoch FILE...
      Tabulates BenchmarkEpochSplit output (`make bench-epoch`): seconds of
      forward+backward, optimiser, batching and evaluation per epoch, their
      total and train.Train's epoch, for each optimiser, head and batch
      size. With several rounds in the files it takes, per case, the round
      with the smallest total (the host's slow spells only add time).

Used by `make bench-peer`, `make bench-train` and `make bench-epoch`.
Standard library only.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GO_LINE = re.compile(
    r"^BenchmarkTrainStep(?P<model>CNN)?/solver=(?P<solver>\w+)/head=(?P<head>\w+)/batch=(?P<batch>\d+)(-\d+)?\s.*?"
    r"(?P<rate>[\d.]+) samples/s(?:.*?(?P<bytes>\d+) B/op\s+(?P<allocs>\d+) allocs/op)?")
PEER_LINE = re.compile(r"^peer head=(?P<head>\w+) batch=(?P<batch>\d+) samples/s=(?P<rate>[\d.]+)")
BLAS_LINE = re.compile(r"^blas: (?P<blas>.+)$")
EPOCH_LINE = re.compile(
    r"^BenchmarkEpochSplit/solver=(?P<solver>\w+)/head=(?P<head>\w+)/batch=(?P<batch>\d+)(-\d+)?\s+\d+\s+(?P<ns>[\d.]+) ns/op(?P<metrics>.*)$")
DETAILS_LINE = re.compile(r"^blas-details: (?P<details>.+)$")


def parse_go(text, blas="?", model="mlp"):
    """Yields (blas, solver, head, batch, samples/s) of model's benchmark
    from go test -bench output."""
    for blas, solver, head, batch, rate, _, _ in parse_go_mem(text, blas, model):
        yield blas, solver, head, batch, rate


def parse_go_mem(text, blas="?", model="mlp"):
    """parse_go with B/op and allocs/op (None when not reported)."""
    for line in text.splitlines():
        m = BLAS_LINE.match(line)
        if m:
            blas = m.group("blas").strip()
            continue
        m = GO_LINE.match(line)
        if m and (m.group("model") == "CNN") == (model == "cnn"):
            mem = [None if m.group(k) is None else int(m.group(k)) for k in ("bytes", "allocs")]
            yield (blas, m.group("solver"), m.group("head"), int(m.group("batch")), float(m.group("rate")),
                   mem[0], mem[1])


def parse_peer(text):
    """Yields (head, batch, samples/s) from peer_bench.py output."""
    for line in text.splitlines():
        m = PEER_LINE.match(line)
        if m:
            yield m.group("head"), int(m.group("batch")), float(m.group("rate"))


def run(cmd, **kw):
    """Runs cmd, echoes its output, returns it; exits on failure."""
    p = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    sys.stdout.write(p.stdout)
    sys.stdout.flush()
    if p.returncode != 0:
        sys.exit("bench_training.py: %s failed with exit status %d" % (" ".join(cmd), p.returncode))
    return p.stdout


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def fmt_rate(x):
    return "—" if x != x else "{:,.0f}".format(x)


def fmt_ratio(x):
    return "—" if x != x else "%.2f" % x


def fmt_bytes(x):
    if x != x:
        return "—"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if x >= scale:
            return "%.1f %s" % (x / scale, unit)
    return "%.0f B" % x


def peer(a):
    heads = ["ce", "hs"] if a.model == "mlp" else ["ce"]
    bench = "BenchmarkTrainStep" if a.model == "mlp" else "BenchmarkTrainStepCNN"
    builds = [("Go", {})] + ([("Go simd", {"GOEXPERIMENT": "simd"})] if a.simd else [])
    with tempfile.TemporaryDirectory() as tmp:
        binaries = {}
        for label, env in builds:
            binaries[label] = os.path.join(tmp, label.replace(" ", "-") + ".test")
            build = [a.go, "test", "-c", "-o", binaries[label]]
            if a.tags:
                build += ["-tags", a.tags]
            run(build + ["./train/"], env=dict(os.environ, **env))
        go_rates, peer_rates, go_mem = {}, {}, {}  # (build, head, batch) / (head, batch) -> [per repeat]
        blas = "?"
        for rep in range(a.count):
            for batch in a.batches:
                pattern = "^%s$/^solver=%s$/^head=(%s)$/^batch=%d$" % (bench, a.solver, "|".join(heads), batch)
                for label, _ in builds:
                    out = run([binaries[label], "-test.run", "^$", "-test.bench", pattern, "-test.benchmem",
                               "-test.benchtime", "%gs" % a.seconds], env=dict(os.environ))
                    for blas, _, head, b, rate, nbytes, allocs in parse_go_mem(out, blas, a.model):
                        go_rates.setdefault((label, head, b), []).append(rate)
                        go_mem.setdefault((label, head, b), []).append((nbytes, allocs))
                    details = [m.group("details") for m in map(DETAILS_LINE.match, out.splitlines()) if m] or [blas]
                out = run([a.python, os.path.join("scripts", "peer_bench.py"), "--model", a.model,
                           "--batches", str(batch), "--heads", ",".join(heads), "--seconds", "%g" % a.seconds,
                           "--threads", str(a.threads), "--repeats", "1", "--min-steps", str(a.min_steps)])
                for head, b, rate in parse_peer(out):
                    peer_rates.setdefault((head, b), []).append(rate)
    name = ("MLP 784-512-512-10" if a.model == "mlp" else
            "the paper's CNN (4 × [conv 3×3 64, BN, ReLU], pools after the 2nd and 4th, 3136-512-10)")
    print()
    print("Go (%s, solver %s) vs PyTorch (%d threads), %s, float32, "
          "medians of %d interleaved repeats" % (blas, a.solver, a.threads, name, a.count))
    print("Go BLAS: %s" % details[0])
    if a.simd:
        print("Go simd: the same benchmark built with GOEXPERIMENT=simd (vector loops on amd64 with AVX2)")
    print()
    cols = ["batch"]
    for h in heads:
        for b, _ in builds:
            cols += ["%s %s samples/s" % (b, h.upper())]
        cols += ["PyTorch %s samples/s" % h.upper()]
        for b, _ in builds:
            cols += ["%s/PyTorch %s" % (b, h.upper())]
    for b, _ in builds:
        cols += ["%s CE allocs/op" % b, "%s CE B/op" % b]
    if "hs" in heads:
        cols += ["Go HS/CE step", "PyTorch HS/CE step"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---:|" * len(cols))
    for batch in a.batches:
        p = {h: peer_rates.get((h, batch), []) for h in heads}
        row = [str(batch)]
        for h in heads:
            g = {b: go_rates.get((b, h, batch), []) for b, _ in builds}
            row += [fmt_rate(median(g[b])) for b, _ in builds]
            row += [fmt_rate(median(p[h]))]
            row += [fmt_ratio(median([x / y for x, y in zip(g[b], p[h])])) for b, _ in builds]
        for b, _ in builds:
            mem = [m for m in go_mem.get((b, "ce", batch), []) if m[0] is not None]
            row += [fmt_rate(median([m[1] for m in mem])) if mem else "—",
                    fmt_bytes(median([m[0] for m in mem])) if mem else "—"]
        if "hs" in heads:
            ce, hs = go_rates.get(("Go", "ce", batch), []), go_rates.get(("Go", "hs", batch), [])
            row += [fmt_ratio(median([c / h for c, h in zip(ce, hs)])),
                    fmt_ratio(median([c / h for c, h in zip(p["ce"], p["hs"])]))]
        print("| " + " | ".join(row) + " |")
    return 0


def summary(a):
    rates = {}  # (blas, solver, head, batch) -> [samples/s]
    for name in a.files:
        with open(name) as f:
            for blas, solver, head, batch, rate in parse_go(f.read()):
                rates.setdefault((blas, solver, head, batch), []).append(rate)
    if not rates:
        sys.exit("bench_training.py: no BenchmarkTrainStep results in %s" % ", ".join(a.files))
    blases = sorted({k[0] for k in rates}, key=lambda b: (b != "gonum (pure Go)", b))
    solvers = sorted({k[1] for k in rates})
    batches = sorted({k[3] for k in rates})
    m = {k: max(v) for k, v in rates.items()}
    nan = float("nan")
    for solver in solvers:
        print()
        print("Training step samples/s (best of %d), MLP 784-512-512-10 float32, solver %s"
              % (max(len(v) for v in rates.values()), solver))
        print()
        cols = ["batch"]
        for blas in blases:
            cols += ["%s CE" % blas, "%s HS" % blas, "%s HS/CE step" % blas]
        if len(blases) == 2:
            cols += ["%s / %s (CE)" % (blases[1], blases[0])]
        print("| " + " | ".join(cols) + " |")
        print("|" + "---:|" * len(cols))
        for batch in batches:
            row = [str(batch)]
            for blas in blases:
                ce = m.get((blas, solver, "ce", batch), nan)
                hs = m.get((blas, solver, "hs", batch), nan)
                row += [fmt_rate(ce), fmt_rate(hs), fmt_ratio(ce / hs)]
            if len(blases) == 2:
                row.append(fmt_ratio(m.get((blases[1], solver, "ce", batch), nan) /
                                     m.get((blases[0], solver, "ce", batch), nan)))
            print("| " + " | ".join(row) + " |")
    return 0


def epoch(a):
    best = {}  # (solver, head, batch) -> (total seconds, {metric: value})
    order = []
    for name in a.files:
        with open(name) as f:
            for line in f:
                m = EPOCH_LINE.match(line)
                if not m:
                    continue
                fields = m.group("metrics").split()
                metrics = {unit: float(v) for v, unit in zip(fields[::2], fields[1::2])}
                key = (m.group("solver"), m.group("head"), int(m.group("batch")))
                total = float(m.group("ns")) / 1e9
                if key not in best:
                    order.append(key)
                if key not in best or total < best[key][0]:
                    best[key] = (total, metrics)
    if not best:
        sys.exit("bench_training.py: no BenchmarkEpochSplit results in %s" % ", ".join(a.files))
    names = {"gorgonia": "Gorgonia AdamSolver", "accel": "`accel.Adam`"}
    print()
    print("Seconds per MNIST epoch (best round), MLP 784-512-512-10 float32")
    print()
    print("| optimiser | head | batch | forward+backward | optimiser step | batching | evaluation | total | `train.Train` epoch |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    nan = float("nan")
    for key in order:
        total, mt = best[key]
        trainer = mt.get("trainer-s")
        print("| %s | %s | %d | %.2f | %.2f | %.3f | %.2f | %.2f | %s |" % (
            names.get(key[0], key[0]), key[1], key[2], mt.get("fwdbwd-s", nan), mt.get("adam-s", nan),
            mt.get("batch-s", nan), mt.get("eval-s", nan), total, "–" if trainer is None else "%.2f" % trainer))
    return 0


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    pp = sub.add_parser("peer", help="Go vs PyTorch, interleaved")
    pp.add_argument("--go", default="go", help="go command (default %(default)s)")
    pp.add_argument("--tags", default="", help="go build tags, e.g. openblas (default none)")
    pp.add_argument("--solver", default="accel", choices=["accel", "gorgonia"],
                    help="Go optimiser (default %(default)s)")
    pp.add_argument("--python", default="/usr/bin/python3",
                    help="python with torch, Debian's python3-torch (default %(default)s)")
    pp.add_argument("--model", default="mlp", choices=["mlp", "cnn"], help="model (default %(default)s)")
    pp.add_argument("--batches", default="", help="batch sizes (default the study's 128…8192 for the MLP, 32,128,512 for the CNN)")
    pp.add_argument("--min-steps", type=int, default=5, help="PyTorch's minimum timed steps (default %(default)s)")
    pp.add_argument("--count", type=int, default=3, help="interleaved repeats (default %(default)s)")
    pp.add_argument("--seconds", type=float, default=2, help="seconds per measurement (default %(default)s)")
    pp.add_argument("--threads", type=int, default=2, help="PyTorch threads (default %(default)s)")
    pp.add_argument("--simd", action="store_true",
                    help="also measure the Go benchmark built with GOEXPERIMENT=simd, in the same rounds")
    ps = sub.add_parser("summary", help="summarise BenchmarkTrainStep output")
    ps.add_argument("files", nargs="+")
    pe = sub.add_parser("epoch", help="tabulate BenchmarkEpochSplit output")
    pe.add_argument("files", nargs="+")
    a = p.parse_args(argv)
    if a.cmd == "summary":
        return summary(a)
    if a.cmd == "epoch":
        return epoch(a)
    if not a.batches:
        a.batches = "128,256,512,1024,2048,4096,8192" if a.model == "mlp" else "32,128,512"
    try:
        a.batches = [int(b) for b in a.batches.split(",")]
    except ValueError:
        p.error("--batches %r: want comma-separated integers" % a.batches)
    if a.count < 1 or a.seconds <= 0 or a.threads < 1:
        p.error("--count and --threads must be >= 1, --seconds > 0")
    return peer(a)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
