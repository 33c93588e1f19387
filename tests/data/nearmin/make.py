"""Writes the array files of tests/nearmin.rs with numpy (run once: `python3 make.py`; the files
are committed, so the tests need no numpy).

A "trained" depth-3 network 2 -> 3 -> 3 -> 2 saved as float32, as a training run would leave it:
an exact global minimizer for Φ computed in float64 (W1, W2 random, W3 = Φ (W2 W1)⁺, so that
W3 W2 W1 = Φ) and rounded to float32, so it is near a minimizer but not one. The data X (2 × 6)
and Y = Φ X + noise are float32 as well, so Y is not of the form M X: with `project:
nearest-minimizer` dlncheck replaces Y by its projection Φ' X, Φ' = Y Xᵀ (X Xᵀ)⁻¹.

expected.json holds what numpy computes in float64 from the float32 values (an oracle
independent of dlncheck): f(W) = ½‖W3 W2 W1 X − Y‖², ‖Y − Φ' X‖² and f* = ½‖Y − Φ' X‖².
"""
import json

import numpy as np

rng = np.random.default_rng(16)
phi = np.array([[1.0, 0.5], [-0.25, 2.0]])
W1 = rng.normal(size=(3, 2))
W2 = rng.normal(size=(3, 3))
W3 = phi @ np.linalg.pinv(W2 @ W1)
X = rng.normal(size=(2, 6))
Y = phi @ X + 1e-4 * rng.normal(size=(2, 6))

w = [a.astype(np.float32) for a in (W1, W2, W3)]
x, y = X.astype(np.float32), Y.astype(np.float32)
np.savez("trained.npz", W1=w[0], W2=w[1], W3=w[2])
np.savez("data.npz", X=x, Y=y)

# the oracle, in float64 from the float32 values
w64 = [a.astype(np.float64) for a in w]
x64, y64 = x.astype(np.float64), y.astype(np.float64)
loss = 0.5 * np.sum((w64[2] @ w64[1] @ w64[0] @ x64 - y64) ** 2)
phi_hat = y64 @ x64.T @ np.linalg.inv(x64 @ x64.T)
residual = np.sum((y64 - phi_hat @ x64) ** 2)
with open("expected.json", "w") as f:
    json.dump(
        {
            "loss_at_case_point": loss,
            "target_residual_squared": residual,
            "loss_minimum": 0.5 * residual,
            "loss_gap": loss - 0.5 * residual,
        },
        f,
        indent=2,
    )
print(open("expected.json").read())
