#!/usr/bin/python3
"""Cross-check of the CE vs HS study in PyTorch: same MLP, same data, independent code.

The Go study (cmd/train, `make reproduce`) trains an MLP 784-256-10 on
Fashion-MNIST and MNIST with cross-entropy (CE) and the HyperSimplex (HS)
loss, and finds HS worse than CE. This script repeats that experiment with
an implementation that shares no code with the Go one, so that a gap it also
shows cannot be blamed on a bug in the Go trainer:

  data    the gzipped IDX files that `make data` put in data/<dataset>/, read
          with numpy/gzip/struct; pixels standardised as in the Go code,
          (pixel/255 - mean)/std with the scalar mean and (population) std
          of the training split, applied unchanged to the test split
  model   Linear(784, h) -> ReLU -> Linear(h, 10), float32, h = --hidden
          (default 256); PyTorch's default initialisation unless --init go
          (He uniform for the first layer, Glorot uniform for the last, zero
          biases, like nn/mlp.go -- same law, not the same draws)
  train   Adam (lr --lr, default 1e-3, betas 0.9/0.999, eps 1e-8), --epochs
          epochs (default 12), a seeded shuffle of the training set every
          epoch, the last partial batch dropped
  eval    after each epoch, accuracy on the whole test set by argmax of the
          logits; the metric of a run is its maximum test accuracy over the
          epochs (and the epoch where it is reached)
  losses  ce  F.cross_entropy, mean over the batch
          hs  hs_loss of scripts/peer_bench.py: every class column of the
              logits, over the batch, projected onto the hypersimplex
              {y in [0,1]^n : sum y = k_c} of z/tau (k_c = count of class c
              in the batch, tau = --tau, default 1.5), loss
              1/2 sum_c ||p_c - T[:,c]||^2 / n, analytic backward

The same seed gives the same initial weights and the same data order for
every loss (the runs are paired), so the t-test on HS - CE is a paired one.

Diagnostic --calibrate-offsets (off by default). The HS loss projects every
class column over the batch on its own and the projection is shift-invariant,
so the loss is unchanged when a constant b_c is added to class c's logits: it
never trains the offsets between classes (the output bias gets no gradient),
while prediction by argmax over classes depends on exactly those offsets. The
hypothesis to test: an HS-trained network ranks the samples within each class
well and loses accuracy (and looks underfit) only through arbitrary class
offsets. With the flag, after each epoch's normal evaluation, the logits of
the whole training set are computed with the frozen network, a vector b of
10 per-class offsets (init 0) is fitted alone to minimise the mean
cross-entropy of softmax(logits + b) on the training set (convex in b;
L-BFGS in float64, at most 100 iterations, deterministic), and the test
accuracy of argmax(test logits + b) is recorded as test_acc_calibrated. It
touches neither the weights nor any random stream, so the training and the
raw test_acc are the same as without the flag. CE is the control: it trains
its offsets, so calibration should change it little; a large gain for HS
supports the hypothesis. The log line of each epoch also shows the training
accuracy and cross-entropy before and after calibration, the range of b and
the time the calibration took (not counted in the seconds column).

Run it with Debian's PyTorch (/usr/bin/python3; the pyenv python3 on PATH has
no torch), from the repository root, after `make data`:

    /usr/bin/python3 scripts/crosscheck_torch.py --out results/crosscheck-fashion.csv
    /usr/bin/python3 scripts/crosscheck_torch.py --dataset mnist \\
        --batches 128,8192 --seeds 1,2,3,4,5 --out results/crosscheck-mnist.csv
    /usr/bin/python3 scripts/crosscheck_torch.py --calibrate-offsets \\
        --out results/crosscheck-fashion-calibrated.csv

On a machine already busy (e.g. while `make reproduce` runs), pass
--threads 1: with 2 intra-op threads competing for 2 loaded cores a step at
batch 128 took ~60x longer (135 ms vs 2 ms) in our measurement.

Output: one CSV line per (loss, hidden, batch, seed, epoch) with the epoch's
mean training loss and test accuracy (and test_acc_calibrated, empty without
--calibrate-offsets), rewritten atomically (temporary file + os.replace)
after each finished run; rerunning the same command skips the runs already
complete in --out (resume), so an interrupted grid loses at most the run in
progress. An --out file holds runs of one --calibrate-offsets setting only:
a file made with the other setting is refused, with a message (a file
written before the flag existed counts as made without it). At the end a
Markdown table: per batch, the mean +- sd over seeds of the maximum test
accuracy for CE and HS, their difference and a paired t-test (p from scipy
if installed, else from the Student-t CDF, in closed form for the integer df
of a paired test); with --calibrate-offsets, two more columns with the mean
+- sd over seeds of the maximum calibrated test accuracy for CE and HS.

It is a cross-check for the study, never part of the tests.
"""

import argparse
import csv
import gzip
import math
import statistics
import os
import struct
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_bench import hs_loss  # noqa: E402

FEATURES, CLASSES = 784, 10
FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
# test_acc_calibrated: empty without --calibrate-offsets.
FIELDS = ["dataset", "loss", "hidden", "batch", "seed", "lr", "tau", "init",
          "epochs", "epoch", "train_loss", "test_acc", "seconds", "test_acc_calibrated"]
# Columns that identify a run (together with the epoch count). Whether the
# run was made with --calibrate-offsets is a property of the whole --out
# file, checked in main (a file never mixes the two settings).
KEY = ("dataset", "loss", "hidden", "batch", "seed", "lr", "tau", "init")
# Offset calibration (--calibrate-offsets): L-BFGS on the 10 offsets, one
# call of step() with at most this many iterations, strong Wolfe line search.
CALIBRATION_ITERATIONS = 100


def int_list(flag, s, minimum):
    try:
        v = [int(x) for x in s.split(",") if x.strip()]
    except ValueError:
        raise SystemExit("--%s %r: want comma-separated integers" % (flag, s))
    if not v or any(x < minimum for x in v):
        raise SystemExit("--%s %r: want integers >= %d" % (flag, s, minimum))
    return v


def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--dataset", default="fashion-mnist", choices=["fashion-mnist", "mnist"])
    p.add_argument("--data", default="data", help="folder holding <dataset>/ (make data)")
    p.add_argument("--losses", default="ce,hs", help="comma-separated: ce, hs")
    p.add_argument("--batches", default="128,8192", help="comma-separated batch sizes")
    p.add_argument("--seeds", default="1,2,3", help="comma-separated seeds")
    p.add_argument("--hidden", default="256", help="comma-separated hidden widths")
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate")
    p.add_argument("--tau", type=float, default=1.5, help="temperature of the hs loss")
    p.add_argument("--init", default="torch", choices=["torch", "go"],
                   help="torch: PyTorch default; go: He/Glorot uniform, zero biases")
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (use 1 on a busy machine)")
    p.add_argument("--out", default="results/crosscheck_torch.csv", help="CSV file (resumed)")
    p.add_argument("--calibrate-offsets", action="store_true",
                   help="diagnostic: after each epoch also fit per-class logit offsets on the "
                        "training set (network frozen) and record the test accuracy with them "
                        "(column test_acc_calibrated)")
    a = p.parse_args(argv)
    a.losses = [x.strip() for x in a.losses.split(",") if x.strip()]
    for loss in a.losses:
        if loss not in ("ce", "hs"):
            p.error("--losses: unknown loss %r (want ce or hs)" % loss)
    if not a.losses:
        p.error("--losses: empty")
    a.batches = int_list("batches", a.batches, 2)
    a.seeds = int_list("seeds", a.seeds, 0)
    a.hidden = int_list("hidden", a.hidden, 1)
    if a.epochs < 1 or a.threads < 1:
        p.error("--epochs and --threads must be >= 1")
    if not (a.lr > 0 and math.isfinite(a.lr)) or not (a.tau > 0 and math.isfinite(a.tau)):
        p.error("--lr and --tau must be finite and > 0")
    return a


# ---- data ----

def read_idx(path, magic, ndim):
    """Returns the array of a gzipped IDX file of unsigned bytes."""
    if not os.path.isfile(path):
        raise SystemExit("%s: no such file; run `make data` first (from the repository root)" % path)
    with gzip.open(path, "rb") as f:
        buf = f.read()
    if len(buf) < 4 + 4 * ndim:
        raise SystemExit("%s: truncated IDX header" % path)
    (m,) = struct.unpack(">I", buf[:4])
    if m != magic:
        raise SystemExit("%s: magic 0x%08x, want 0x%08x" % (path, m, magic))
    dims = struct.unpack(">%dI" % ndim, buf[4:4 + 4 * ndim])
    body = np.frombuffer(buf, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise SystemExit("%s: %d data bytes for dims %s" % (path, body.size, dims))
    return body.reshape(dims)


def load(data_dir, dataset):
    """Returns (xtrain, ytrain, xtest, ytest, mean, std) as torch tensors."""
    d = os.path.join(data_dir, dataset)
    raw = {}
    for name, fname in FILES.items():
        images = name.endswith("images")
        raw[name] = read_idx(os.path.join(d, fname), 0x00000803 if images else 0x00000801,
                             3 if images else 1)
    for split in ("train", "test"):
        xi, yl = raw[split + "_images"], raw[split + "_labels"]
        if xi.shape[0] != yl.shape[0] or xi.shape[1] * xi.shape[2] != FEATURES:
            raise SystemExit("%s: %s images %s vs labels %s" % (d, split, xi.shape, yl.shape))
        if yl.max() >= CLASSES:
            raise SystemExit("%s: %s label %d >= %d" % (d, split, yl.max(), CLASSES))
    train = raw["train_images"].reshape(-1, FEATURES).astype(np.float64) / 255
    mean = train.mean()
    std = math.sqrt(max((train * train).mean() - mean * mean, 0.0)) or 1.0
    # Lookup table per byte value, as the Go code does, then float32.
    lut = ((np.arange(256, dtype=np.float64) / 255 - mean) / std).astype(np.float32)

    def x(name):
        return torch.from_numpy(lut[raw[name].reshape(-1, FEATURES)])

    def y(name):
        return torch.from_numpy(raw[name].astype(np.int64))

    return x("train_images"), y("train_labels"), x("test_images"), y("test_labels"), mean, std


# ---- model and training ----

def make_model(hidden, init):
    model = torch.nn.Sequential(
        torch.nn.Linear(FEATURES, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, CLASSES))
    if init == "go":
        with torch.no_grad():
            l1, l2 = model[0], model[2]
            l1.weight.uniform_(-math.sqrt(6 / FEATURES), math.sqrt(6 / FEATURES))
            g = math.sqrt(6 / (hidden + CLASSES))
            l2.weight.uniform_(-g, g)
            l1.bias.zero_()
            l2.bias.zero_()
    return model


def fit_offsets(logits, labels):
    """Returns the offsets b (CLASSES,) minimising the mean cross-entropy of
    softmax(logits + b) against labels, logits fixed.

    Convex in b; L-BFGS from b = 0 in float64, at most
    CALIBRATION_ITERATIONS iterations (it stops earlier at its tolerances), no
    randomness (deterministic for a given thread count). The objective is
    invariant to b + const; its gradient mean(softmax) - class frequencies
    sums to zero, so b keeps mean 0, the representative reported.
    """
    z = logits.detach().double()
    b = torch.zeros(CLASSES, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([b], lr=1, max_iter=CALIBRATION_ITERATIONS, history_size=20,
                            tolerance_grad=1e-10, tolerance_change=1e-14,
                            line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(z + b, labels)
        loss.backward()
        return loss

    with torch.enable_grad():
        opt.step(closure)
    b = b.detach()
    return b - b.mean()


def calibrate(model, xtr, ytr, test_logits, yte):
    """The --calibrate-offsets diagnostic for the current (frozen) network:
    fits per-class offsets on the training logits (fit_offsets) and returns
    (test accuracy of argmax(test_logits + b), dict of extra figures for the
    log), or (nan, None) when the logits are not finite."""
    with torch.no_grad():
        ztr = model(xtr).double()
    zte = test_logits.double()
    if not (torch.isfinite(ztr).all() and torch.isfinite(zte).all()):
        return float("nan"), None
    b = fit_offsets(ztr, ytr)
    with torch.no_grad():
        acc = (torch.argmax(zte + b, dim=1) == yte).double().mean().item()
        info = {
            "train_acc": (ztr.argmax(dim=1) == ytr).double().mean().item(),
            "train_acc_cal": ((ztr + b).argmax(dim=1) == ytr).double().mean().item(),
            "train_ce": F.cross_entropy(ztr, ytr).item(),
            "train_ce_cal": F.cross_entropy(ztr + b, ytr).item(),
            "b_range": (b.max() - b.min()).item(),
        }
    return acc, info


def run(cfg, loss_name, data, log, calibrate_offsets=False):
    """Trains one run; returns a list of per-epoch rows (dicts). With
    calibrate_offsets, each epoch also gets test_acc_calibrated (the
    calibrate diagnostic, not counted in the epoch's seconds)."""
    xtr, ytr, xte, yte = data
    torch.manual_seed(cfg["seed"])          # same init for every loss
    model = make_model(cfg["hidden"], cfg["init"])
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"], betas=(0.9, 0.999), eps=1e-8)
    rng = np.random.default_rng(cfg["seed"])  # same data order for every loss
    n, batch, tau = xtr.shape[0], cfg["batch"], cfg["tau"]
    steps = n // batch                        # last partial batch dropped
    if steps == 0:
        raise SystemExit("batch %d > %d training samples" % (batch, n))
    rows = []
    for epoch in range(1, cfg["epochs"] + 1):
        t0 = time.perf_counter()
        perm = torch.from_numpy(rng.permutation(n))
        model.train()
        total = 0.0
        for s in range(steps):
            idx = perm[s * batch:(s + 1) * batch]
            xb, yb = xtr[idx], ytr[idx]
            opt.zero_grad(set_to_none=True)
            logits = model(xb)
            if loss_name == "ce":
                loss = F.cross_entropy(logits, yb)
            else:
                loss = hs_loss(logits, F.one_hot(yb, CLASSES).to(logits.dtype), tau)
            loss.backward()
            opt.step()
            total += loss.item()
        model.eval()
        with torch.no_grad():
            test_logits = model(xte)
            acc = (test_logits.argmax(dim=1) == yte).double().mean().item()
        sec = time.perf_counter() - t0
        train_loss = total / steps
        if not math.isfinite(train_loss):
            log("  warning: non-finite training loss at epoch %d" % epoch)
        line = "  epoch %2d  train_loss %.5f  test_acc %.4f  %.1fs" % (epoch, train_loss, acc, sec)
        acc_cal = ""
        if calibrate_offsets:
            t1 = time.perf_counter()
            cal, info = calibrate(model, xtr, ytr, test_logits, yte)
            acc_cal = "%.6f" % cal
            if info is None:
                line += "  calibrated: non-finite logits, test_acc_calibrated nan"
            else:
                line += ("  | calibrated test_acc %.4f (%+.4f), train_acc %.4f -> %.4f, "
                         "train CE %.4f -> %.4f, offsets range %.3f, %.2fs" % (
                             cal, cal - acc, info["train_acc"], info["train_acc_cal"],
                             info["train_ce"], info["train_ce_cal"], info["b_range"],
                             time.perf_counter() - t1))
        rows.append(dict(cfg, loss=loss_name, epoch=epoch, train_loss="%.6g" % train_loss,
                         test_acc="%.6f" % acc, seconds="%.3f" % sec,
                         test_acc_calibrated=acc_cal))
        log(line)
    return rows


# ---- CSV with resume ----

def key_of(row):
    return tuple(str(row[k]) for k in KEY)


def norm_cfg(dataset, loss, hidden, batch, seed, lr, tau, init, epochs):
    # Values as they are written to and read back from the CSV.
    return {"dataset": dataset, "loss": loss, "hidden": str(hidden), "batch": str(batch),
            "seed": str(seed), "lr": repr(float(lr)), "tau": repr(float(tau)),
            "init": init, "epochs": str(epochs)}


def read_rows(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        r = csv.DictReader(f)
        if r.fieldnames != FIELDS:
            raise SystemExit("%s: columns %s, want %s (another file? choose another --out)"
                             % (path, r.fieldnames, FIELDS))
        return list(r)


def check_calibration_setting(path, rows, calibrate_offsets):
    """Refuses an --out file made with the other --calibrate-offsets setting
    (a file never mixes the two: resuming would otherwise pair calibrated and
    uncalibrated runs, or report a calibrated column with holes)."""
    with_cal = sum(1 for row in rows if row["test_acc_calibrated"] != "")
    if with_cal and with_cal != len(rows):
        raise SystemExit("%s: %d of %d rows have test_acc_calibrated and the others not; "
                         "a file mixes the two settings of --calibrate-offsets only if edited "
                         "by hand -- choose another --out" % (path, with_cal, len(rows)))
    if rows and bool(with_cal) != calibrate_offsets:
        raise SystemExit(
            "%s: its runs were made %s --calibrate-offsets and this command is %s it; "
            "resuming would mix the two settings. Rerun %s --calibrate-offsets, or choose "
            "another --out" % (path, "with" if with_cal else "without",
                               "with" if calibrate_offsets else "without",
                               "with" if with_cal else "without"))


def complete_runs(rows):
    """Groups rows by (key, epochs); keeps the runs with every epoch 1..epochs."""
    runs = {}
    for row in rows:
        runs.setdefault((key_of(row), row["epochs"]), {})[int(row["epoch"])] = row
    done = {}
    for (k, epochs), by_epoch in runs.items():
        if sorted(by_epoch) == list(range(1, int(epochs) + 1)):
            done[(k, epochs)] = [by_epoch[e] for e in sorted(by_epoch)]
    return done


def write_rows(path, runs):
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".crosscheck-", suffix=".csv", dir=d)
    try:
        with os.fdopen(fd, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=FIELDS)
            w.writeheader()
            for k in sorted(runs):
                for row in runs[k]:
                    w.writerow({c: row[c] for c in FIELDS})
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ---- statistics ----

def mean_sd(v):
    return statistics.mean(v), statistics.stdev(v) if len(v) > 1 else float("nan")


def t_two_sided_closed_form(t, df):
    """Two-sided p of Student's t with integer df >= 1 (Abramowitz & Stegun
    26.7.3-4: A(t|df) = P(|T| <= |t|) as a finite series in cos(theta))."""
    theta = math.atan(abs(t) / math.sqrt(df))
    s, c = math.sin(theta), math.cos(theta)
    if df % 2 == 0:
        term, acc = 1.0, 1.0
        for j in range(2, df, 2):        # 1 + c^2/2 + 1*3 c^4/(2*4) + ...
            term *= c * c * (j - 1) / j
            acc += term
        a = s * acc
    else:
        acc = 0.0
        if df > 1:
            term = c
            acc = c
            for j in range(3, df, 2):    # c + 2/3 c^3 + 2*4/(3*5) c^5 + ...
                term *= c * c * (j - 1) / j
                acc += term
        a = 2 / math.pi * (theta + s * acc)
    return min(max(1.0 - a, 0.0), 1.0)


def best_epoch(rows, column):
    """(max of column over the epochs, first epoch reaching it), or None when
    no epoch has a finite value (e.g. a diverged run's calibration)."""
    v = [(float(row[column]), int(row["epoch"])) for row in rows if row[column] != ""]
    v = [(x, e) for x, e in v if math.isfinite(x)]
    if not v:
        return None
    return max(v, key=lambda xe: (xe[0], -xe[1]))


def max_cells(a, best):
    """Per loss, 'mean ± sd (n=, epoch ...)' of the per-seed maxima in best."""
    cells = []
    for loss in ("ce", "hs"):
        v = [best[loss, s][0] for s in a.seeds if (loss, s) in best]
        ep = [best[loss, s][1] for s in a.seeds if (loss, s) in best]
        if v:
            m, sd = mean_sd(v)
            cells.append("%.4f%s (n=%d, epoch %s)" % (
                m, " ± %.4f" % sd if len(v) > 1 else "", len(v),
                ",".join(str(e) for e in ep)))
        else:
            cells.append("–")
    return cells


def paired_test(a, best, pfun):
    """Paired t-test of HS − CE over the seeds both losses finished, on the
    per-seed maxima in best: (n, 'Δ mean ± sd', t, df, p) as table cells."""
    paired = [s for s in a.seeds if ("ce", s) in best and ("hs", s) in best]
    diffs = [best["hs", s][0] - best["ce", s][0] for s in paired]
    t = df = p = delta = "–"
    if diffs:
        dm, dsd = mean_sd(diffs)
        delta = "%+.4f ± %.4f" % (dm, dsd) if len(diffs) > 1 else "%+.4f" % dm
        if len(diffs) > 1:
            df = len(diffs) - 1
            if dsd > 0:
                tv = dm / (dsd / math.sqrt(len(diffs)))
                t, p = "%.3f" % tv, "%.3g" % pfun(tv, df)
            else:
                t, p = "inf" if dm else "–", "0" if dm else "–"
    return len(paired), delta, t, df, p


def summary(a, runs):
    # A paired test has integer df = n - 1, where the closed form is exact.
    method, pfun = ("Student-t CDF in closed form for integer df (scipy absent, "
                    "torch StudentT.cdf not implemented)", t_two_sided_closed_form)
    cal = a.calibrate_offsets
    lines = []
    head = ["| hidden | batch | n | CE max acc | HS max acc | Δ = HS − CE | t | df | p |",
            "|---:|---:|---:|---|---|---|---:|---:|---:|"]
    if cal:
        head[0] += " CE max calibrated acc | HS max calibrated acc | Δ calibrated | t | p |"
        head[1] += "---|---|---|---:|---:|"
    lines.extend(head)
    for hidden in a.hidden:
        for batch in a.batches:
            best, best_cal = {}, {}
            for loss in ("ce", "hs"):
                for seed in a.seeds:
                    cfg = norm_cfg(a.dataset, loss, hidden, batch, seed, a.lr, a.tau, a.init,
                                   a.epochs)
                    r = runs.get((key_of(cfg), cfg["epochs"]))
                    if r:
                        for column, into in (("test_acc", best),
                                             ("test_acc_calibrated", best_cal)):
                            top = best_epoch(r, column)
                            if top is not None:
                                into[loss, seed] = top
            n, delta, t, df, p = paired_test(a, best, pfun)
            cells = max_cells(a, best)
            line = "| %d | %d | %d | %s | %s | %s | %s | %s | %s |" % (
                hidden, batch, n, cells[0], cells[1], delta, t, df, p)
            if cal:
                _, cdelta, ct, _, cp = paired_test(a, best_cal, pfun)
                line += " %s | %s | %s | %s | %s |" % (tuple(max_cells(a, best_cal)) + (cdelta, ct, cp))
            lines.append(line)
    print()
    print("Max test accuracy over %d epochs, %s, lr %g, tau %g, init %s, seeds %s "
          "(mean ± sd over seeds; epoch = where each seed's max is reached)"
          % (a.epochs, a.dataset, a.lr, a.tau, a.init, ",".join(map(str, a.seeds))))
    print()
    print("\n".join(lines))
    print()
    print("Paired t-test over seeds on HS − CE; p two-sided, from %s." % method)
    if cal:
        print("Calibrated acc: test accuracy of argmax(logits + b), b = the %d per-class offsets "
              "minimising the training-set cross-entropy of the frozen network after each "
              "epoch (--calibrate-offsets); max over epochs, mean ± sd over seeds." % CLASSES)


def main(argv):
    a = parse_args(argv)
    torch.set_num_threads(a.threads)
    log = lambda s: print(s, flush=True)  # noqa: E731
    xtr, ytr, xte, yte, mean, std = load(a.data, a.dataset)
    too_big = [b for b in a.batches if b > xtr.shape[0]]
    if too_big:
        raise SystemExit("--batches %s: larger than the %d training samples" % (too_big, xtr.shape[0]))
    log("# %s: train %d, test %d, mean %.4f, std %.4f; torch %s, %d threads; MLP 784-%s-10 "
        "float32, Adam lr %g, %d epochs, tau %g, init %s%s"
        % (a.dataset, xtr.shape[0], xte.shape[0], mean, std, torch.__version__,
           torch.get_num_threads(), "/".join(map(str, a.hidden)), a.lr, a.epochs, a.tau, a.init,
           "; calibrate offsets" if a.calibrate_offsets else ""))
    rows = read_rows(a.out)
    check_calibration_setting(a.out, rows, a.calibrate_offsets)
    runs = complete_runs(rows)
    # Seed-major order, both losses of a seed back to back, so that an
    # interrupted grid leaves paired runs.
    todo = [(h, b, s, loss) for h in a.hidden for b in a.batches for s in a.seeds
            for loss in a.losses]
    skipped = 0
    for hidden, batch, seed, loss in todo:
        cfg = norm_cfg(a.dataset, loss, hidden, batch, seed, a.lr, a.tau, a.init, a.epochs)
        k = (key_of(cfg), cfg["epochs"])
        if k in runs:
            skipped += 1
            continue
        log("run loss=%s hidden=%d batch=%d seed=%d" % (loss, hidden, batch, seed))
        run_cfg = {"dataset": a.dataset, "hidden": hidden, "batch": batch, "seed": seed,
                   "lr": a.lr, "tau": a.tau, "init": a.init, "epochs": a.epochs}
        rows = run(run_cfg, loss, (xtr, ytr, xte, yte), log, a.calibrate_offsets)
        runs[k] = [dict(r, **{f: cfg[f] for f in cfg}) for r in rows]
        write_rows(a.out, runs)
    if skipped:
        log("# %d run(s) already complete in %s, skipped" % (skipped, a.out))
    summary(a, runs)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
