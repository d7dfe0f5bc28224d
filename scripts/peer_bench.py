#!/usr/bin/python3
"""Training throughput of the peer: PyTorch on the CPU, same models as ours.

Times one training step -- forward, loss, backward, Adam -- of the MLP
784-512-512-10 (ReLU, float32; --model mlp) or of the paper's CNN
(--model cnn, the layer list of nn.NewCNN: 4 x [3x3 conv 64, padding 1, no
bias; BatchNorm2d; ReLU], 2x2 max pooling after the 2nd and 4th,
Linear(3136, 512), ReLU, Linear(512, 10); inputs 1x28x28) on random data,
for each batch size and loss head, and prints one parseable line per
measurement:

    peer head=ce batch=1024 samples/s=18012.4 step_us=56851 steps=40 rep=0

Heads:
  ce  cross-entropy (torch.nn.functional.cross_entropy, mean over the batch)
  hs  an HS-like loss: each class column of the logits projected onto the
      hypersimplex {y in [0,1]^n : sum y = k_c} (k_c = count of class c in
      the batch, tau = 1.5) by bisection on the threshold plus one exact
      refinement step, with the analytic backward; loss
      1/2 sum_c ||p_c - T[:,c]||^2 / n. It stands in for the reference
      operator (a C++ extension, not installable from Debian) to show what a
      loss computed from plain PyTorch ops costs; it is not that operator.

Run it with Debian's PyTorch (scripts/setup-debian.sh installs it):

    /usr/bin/python3 scripts/peer_bench.py --batches 128,1024,8192 --repeats 3

It is a benchmark, never part of the tests. Measurements of a repeat are
interleaved across batch sizes and heads, so that the ratios within one
repeat share the machine's load.
"""

import argparse
import sys
import time

import torch
import torch.nn.functional as F

FEATURES, HIDDEN, CLASSES = 784, 512, 10


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="mlp", choices=["mlp", "cnn"],
                   help="model (default %(default)s)")
    p.add_argument("--batches", default="128,1024,8192",
                   help="comma-separated batch sizes (default %(default)s)")
    p.add_argument("--heads", default="ce",
                   help="comma-separated heads: ce, hs (default %(default)s)")
    p.add_argument("--threads", type=int, default=2,
                   help="torch intra-op threads (default %(default)s)")
    p.add_argument("--seconds", type=float, default=2.0,
                   help="minimum timed seconds per measurement (default %(default)s)")
    p.add_argument("--min-steps", type=int, default=5,
                   help="minimum timed steps per measurement (default %(default)s)")
    p.add_argument("--warmup", type=int, default=3,
                   help="untimed steps before each measurement (default %(default)s)")
    p.add_argument("--repeats", type=int, default=1,
                   help="measurements per (head, batch) (default %(default)s)")
    p.add_argument("--tau", type=float, default=1.5,
                   help="temperature of the hs head (default %(default)s)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default %(default)s)")
    a = p.parse_args(argv)
    try:
        a.batches = [int(b) for b in a.batches.split(",")]
    except ValueError:
        p.error("--batches %r: want comma-separated integers" % a.batches)
    if any(b < 2 for b in a.batches):
        p.error("--batches %r: every batch size must be >= 2" % a.batches)
    a.heads = a.heads.split(",")
    for h in a.heads:
        if h not in ("ce", "hs"):
            p.error("--heads: unknown head %r (want ce or hs)" % h)
    for name in ("threads", "repeats", "min_steps"):
        if getattr(a, name) < 1:
            p.error("--%s = %d: want >= 1" % (name.replace("_", "-"), getattr(a, name)))
    if a.seconds <= 0 or a.tau <= 0:
        p.error("--seconds and --tau must be > 0")
    return a


class HypersimplexProjection(torch.autograd.Function):
    """Rows of z projected onto {y in [0,1]^n : sum y = k}, of z / tau.

    Forward: y = clip(z/tau - mu, 0, 1) with mu found by bisection on the
    decreasing function f(mu) = sum clip(z/tau - mu, 0, 1), then set exactly
    from the free set S = {i : 0 < y_i < 1} and the ones U:
    mu = (sum_S z/tau + |U| - k) / |S|.
    Backward: dz = 1/tau * 1_S * (g - mean_S g).
    """

    ITERATIONS = 30

    @staticmethod
    def forward(ctx, z, k, tau):
        s = z / tau
        lo = s.min(dim=1, keepdim=True).values - 1
        hi = s.max(dim=1, keepdim=True).values
        kk = k.unsqueeze(1)
        for _ in range(HypersimplexProjection.ITERATIONS):
            mid = (lo + hi) / 2
            too_big = (s - mid).clamp_(0, 1).sum(dim=1, keepdim=True) > kk
            lo = torch.where(too_big, mid, lo)
            hi = torch.where(too_big, hi, mid)
        mu = (lo + hi) / 2
        d = s - mu
        free = (d > 0) & (d < 1)
        nfree = free.sum(dim=1, keepdim=True)
        ones = (d >= 1).sum(dim=1, keepdim=True)
        exact = ((s * free).sum(dim=1, keepdim=True) + ones - kk) / nfree.clamp(min=1)
        mu = torch.where(nfree > 0, exact, mu)
        y = (s - mu).clamp_(0, 1)
        ctx.save_for_backward(free)
        ctx.tau = tau
        return y

    @staticmethod
    def backward(ctx, g):
        (free,) = ctx.saved_tensors
        gf = g * free
        mean = gf.sum(dim=1, keepdim=True) / free.sum(dim=1, keepdim=True).clamp(min=1)
        return (gf - mean * free) / ctx.tau, None, None


def hs_loss(logits, onehot, tau):
    """1/2 sum_c ||p_c - T[:,c]||^2 / n with p_c the projection of column c."""
    k = onehot.sum(dim=0)
    p = HypersimplexProjection.apply(logits.t(), k, tau)
    return 0.5 * (p - onehot.t()).pow(2).sum() / logits.shape[0]


def make_cnn(channels=64, hidden=512):
    """The CNN of nn.NewCNN, built from the same layer list."""
    layers, c_in = [], 1
    for i in range(4):
        layers += [torch.nn.Conv2d(c_in, channels, 3, padding=1, bias=False),
                   torch.nn.BatchNorm2d(channels), torch.nn.ReLU()]
        if i in (1, 3):
            layers.append(torch.nn.MaxPool2d(2))
        c_in = channels
    layers += [torch.nn.Flatten(), torch.nn.Linear(channels * 7 * 7, hidden), torch.nn.ReLU(),
               torch.nn.Linear(hidden, CLASSES)]
    return torch.nn.Sequential(*layers)


def make_step(head, tau, model, opt, x, labels):
    onehot = F.one_hot(labels, CLASSES).to(x.dtype)

    def step():
        opt.zero_grad(set_to_none=True)
        logits = model(x)
        if head == "ce":
            loss = F.cross_entropy(logits, labels)
        else:
            loss = hs_loss(logits, onehot, tau)
        loss.backward()
        opt.step()

    return step


def measure(step, warmup, seconds, min_steps):
    """Runs warmup untimed steps, then steps until both limits are reached;
    returns (steps, elapsed seconds)."""
    for _ in range(warmup):
        step()
    steps, start = 0, time.perf_counter()
    while True:
        step()
        steps += 1
        elapsed = time.perf_counter() - start
        if steps >= min_steps and elapsed >= seconds:
            return steps, elapsed


def main(argv):
    a = parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    model_name = ("MLP %d-%d-%d-%d" % (FEATURES, HIDDEN, HIDDEN, CLASSES) if a.model == "mlp"
                  else "CNN 4x[conv3x3 64, BN, ReLU], pools after 2nd and 4th, 3136-512-10")
    print("# torch %s, %d threads, %s float32, Adam lr 1e-3, random data, mkldnn %s"
          % (torch.__version__, torch.get_num_threads(), model_name, torch.backends.mkldnn.is_available()))
    setups = {}
    for batch in a.batches:
        x = torch.randn(batch, FEATURES)
        if a.model == "cnn":
            x = x.view(batch, 1, 28, 28)
        labels = torch.randint(0, CLASSES, (batch,))
        for head in a.heads:
            if a.model == "cnn":
                model = make_cnn()
            else:
                model = torch.nn.Sequential(
                    torch.nn.Linear(FEATURES, HIDDEN), torch.nn.ReLU(),
                    torch.nn.Linear(HIDDEN, HIDDEN), torch.nn.ReLU(),
                    torch.nn.Linear(HIDDEN, CLASSES))
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
            setups[head, batch] = make_step(head, a.tau, model, opt, x, labels)
    for rep in range(a.repeats):
        for batch in a.batches:
            for head in a.heads:
                steps, elapsed = measure(setups[head, batch], a.warmup, a.seconds, a.min_steps)
                print("peer head=%s batch=%d samples/s=%.1f step_us=%.0f steps=%d rep=%d"
                      % (head, batch, steps * batch / elapsed, elapsed / steps * 1e6, steps, rep),
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
