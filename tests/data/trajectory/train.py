"""A real training run for tests/it/trajectory.rs (run once: `python3 train.py`; the files are
committed, so the tests need no numpy).

A depth-3 linear network 3 -> 3 -> 3 -> 3 trained by full-batch gradient descent on
f(W) = ½‖W3 W2 W1 X − Y‖²_F (the ½ of dlncheck's convention) with step η = 0.04, from a random
start of scale 0.5, seed 0. X is 3 × 8 and Y = M X + 10⁻³·noise, so Y is not of the form M X and
the minimum f* is a little above 0. The run starts where λ_max(∇²f) ≈ 54.6 lies above 2/η = 50
(the edge of stability), then settles at a minimizer with λ_max ≈ 32.9 < 2/η.

Written: data.npz (X, Y as float32), run/step-TTTT.npz every 10 steps, t = 0 … 120 (W1, W2, W3 as
float32: a checkpoint holds the float32 rounding of the float64 iterate, as a float32 training run
saves it), and two bad checkpoints for the error tests: bad/step-0005.npz (W2 of shape 3 × 2) and
bad/step-0007.npz (W1 with a NaN).
"""
import os

import numpy as np

ETA = 0.04
rng = np.random.default_rng(0)
d, n = 3, 8
X = rng.normal(size=(d, n))
M = rng.normal(size=(d, d))
Y = M @ X + 1e-3 * rng.normal(size=(d, n))
Ws = [0.5 * rng.normal(size=(d, d)) for _ in range(3)]

os.makedirs("run", exist_ok=True)
os.makedirs("bad", exist_ok=True)
np.savez("data.npz", X=X.astype(np.float32), Y=Y.astype(np.float32))
for t in range(121):
    W1, W2, W3 = Ws
    if t % 10 == 0:
        f32 = [w.astype(np.float32) for w in Ws]
        np.savez(f"run/step-{t:04d}.npz", W1=f32[0], W2=f32[1], W3=f32[2])
    G = (W3 @ W2 @ W1 @ X - Y) @ X.T
    grads = [(W3 @ W2).T @ G, W3.T @ G @ W1.T, G @ (W2 @ W1).T]
    Ws = [w - ETA * g for w, g in zip(Ws, grads)]

f32 = [w.astype(np.float32) for w in Ws]
np.savez("bad/step-0005.npz", W1=f32[0], W2=f32[1][:, :2], W3=f32[2])
nan = f32[0].copy()
nan[1, 2] = np.nan
np.savez("bad/step-0007.npz", W1=nan, W2=f32[1], W3=f32[2])
