"""Train a small deep linear network with numpy gradient descent and measure its sharpness with
dlncheck every tenth step: the loss, λ_max of the Hessian (f64, and a proven enclosure every
`--certify-every` steps) and the edge of stability 2/η that gradient descent with step η cannot
stay above.

    python crates/dlncheck-py/examples/train_and_check.py [--steps 200] [--eta 0.05] [--seed 0]

The network is f(W) = ½‖W_3 W_2 W_1 X − Y‖²_F with W_k of shape d_k × d_{k−1} and X of shape
d_0 × n (one sample per column), the orientation dlncheck uses; Y = M X is realizable.
"""

import argparse
from fractions import Fraction

import numpy as np

import dlncheck


def loss_and_grads(ws, x, y):
    """½‖W_L⋯W_1 X − Y‖²_F and its gradient with respect to each W_k."""
    outs = [x]
    for w in ws:
        outs.append(w @ outs[-1])
    r = outs[-1] - y
    grads = [None] * len(ws)
    back = r
    for k in reversed(range(len(ws))):
        grads[k] = back @ outs[k].T
        back = ws[k].T @ back
    return 0.5 * float(np.sum(r * r)), grads


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--eta", type=float, default=0.05, help="step size η")
    parser.add_argument("--every", type=int, default=10, help="measure every this many steps")
    parser.add_argument("--certify-every", type=int, default=50, help="prove an enclosure every this many steps")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    dims = [4, 4, 4, 3]
    n = 8
    x = rng.standard_normal((dims[0], n))
    y = rng.standard_normal((dims[-1], dims[0])) @ x / 2
    ws = [rng.standard_normal((dims[k + 1], dims[k])) / 2 for k in range(len(dims) - 1)]

    print(f"dims {dims}, n = {n}, η = {args.eta}, 2/η = {2 / args.eta:.6g}")
    print(f"{'step':>5}  {'loss':>12}  {'λ_max (f64)':>14}  {'2/η':>8}  {'path':<12}  proven enclosure")
    for step in range(args.steps + 1):
        loss, grads = loss_and_grads(ws, x, y)
        if step % args.every == 0:
            certify = args.certify_every > 0 and step % args.certify_every == 0
            s = dlncheck.sharpness(ws, x, y, certify=certify, mpfr=False)
            proven = ""
            if s.enclosure is not None:
                lo, hi = s.enclosure
                width = float((hi - lo) / hi) if hi else 0.0
                proven = f"[{float(lo):.12g}, {float(hi):.12g}] (relative width {width:.1e}, {s.seconds:.2f} s)"
            side = "above" if s.f64 > 2 / args.eta else "below"
            print(f"{step:>5}  {loss:>12.6g}  {s.f64:>14.8g}  {2 / args.eta:>8.4g}  {s.path:<12}  {proven}  ({side} 2/η)")
        if step < args.steps:
            ws = [w - args.eta * g for w, g in zip(ws, grads)]
    final = dlncheck.sharpness(ws, x, y)
    lo, hi = final.enclosure or (Fraction(0), Fraction(0))
    print(f"final: {final!r}")
    if final.enclosure is not None:
        print(f"λ_max ∈ [{float(lo):.15g}, {float(hi):.15g}], proven; 2/η = {2 / args.eta:.15g}")


if __name__ == "__main__":
    main()
