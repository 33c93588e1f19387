"""Independent reference values for the tests, written with numpy and fractions only.

- `hessian_fd`: the Hessian of a model's loss by central differences of its analytic gradient
  (linear, residual, L2-regularized with an optional mask, one hidden layer with a leaky ReLU);
- `diagonal_kp_lambda`: the exact λ_max of a diagonal deep linear network at a zero-loss point
  with X = I, where the Hessian's nonzero eigenvalues are those of the KP operator
  K(V) = Σ_k A_k A_kᵀ V B_kᵀ B_k (A_k = W_L⋯W_{k+1}, B_k = W_{k−1}⋯W_1), which is diagonal:
  K(V)_ij = Σ_k a_{k,i}² b_{k,j}² V_ij, so λ_max = max_ij Σ_k a_{k,i}² b_{k,j}²;
- `scalar_kp_lambda`: λ_max = m² Σ_i w_i⁻² of a scalar network at a zero-loss point (KP-scalar).
"""

from fractions import Fraction

import numpy as np


def _chain(mats, n):
    """The product mats[-1] ⋯ mats[0] (the identity of size n for an empty list)."""
    p = np.eye(n)
    for m in mats:
        p = m @ p
    return p


def loss_and_grad(model, ws, x, y, lam=0.0, mask=None, slope=None):
    """The loss of `model` at the weights `ws` and its gradient (a list shaped like `ws`)."""
    if model == "one-hidden-layer":
        w1, w2 = ws
        z = w1 @ x
        act = np.where(z >= 0, z, slope * z)
        dact = np.where(z >= 0, 1.0, slope)
        r = w2 @ act - y
        g2 = r @ act.T
        g1 = ((w2.T @ r) * dact) @ x.T
        return 0.5 * np.sum(r * r), [g1, g2]
    layers = [np.eye(w.shape[0]) + w for w in ws] if model == "residual" else list(ws)
    r = _chain(layers, x.shape[0]) @ x - y
    if mask is not None:
        r = r * mask
    grads = []
    for k in range(len(layers)):
        above = _chain(layers[k + 1 :], layers[k].shape[0])
        below = _chain(layers[:k], x.shape[0]) @ x
        grads.append(above.T @ r @ below.T)
    loss = 0.5 * np.sum(r * r)
    if model == "l2-regularized":
        loss += 0.5 * lam * sum(np.sum(w * w) for w in ws)
        grads = [g + lam * w for g, w in zip(grads, ws)]
    return loss, grads


def hessian_fd(model, ws, x, y, h=1e-5, **kw):
    """The Hessian of the loss by central differences of the gradient, symmetrized."""
    ws = [np.asarray(w, dtype=np.float64) for w in ws]
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    shapes = [w.shape for w in ws]
    theta = np.concatenate([w.ravel() for w in ws])

    def grad(t):
        parts, k = [], 0
        for s in shapes:
            parts.append(t[k : k + s[0] * s[1]].reshape(s))
            k += s[0] * s[1]
        return np.concatenate([g.ravel() for g in loss_and_grad(model, parts, x, y, **kw)[1]])

    p = theta.size
    hess = np.empty((p, p))
    for j in range(p):
        e = np.zeros(p)
        e[j] = h
        hess[:, j] = (grad(theta + e) - grad(theta - e)) / (2 * h)
    return (hess + hess.T) / 2


def lambda_max_fd(model, ws, x, y, **kw):
    """The largest eigenvalue of `hessian_fd`."""
    return float(np.linalg.eigvalsh(hessian_fd(model, ws, x, y, **kw))[-1])


def diagonal_kp_lambda(diagonals):
    """Exact λ_max of the diagonal network W_k = diag(diagonals[k]) (Fractions) at a zero-loss
    point with X = I: max over (i, j) of Σ_k a_{k,i}² b_{k,j}² (module docstring)."""
    n = len(diagonals[0])
    one = [Fraction(1)] * n

    def prod(ds):
        out = list(one)
        for d in ds:
            out = [a * b for a, b in zip(out, d)]
        return out

    best = None
    for i in range(n):
        for j in range(n):
            total = Fraction(0)
            for k in range(len(diagonals)):
                a = prod(diagonals[k + 1 :])
                b = prod(diagonals[:k])
                total += a[i] ** 2 * b[j] ** 2
            best = total if best is None else max(best, total)
    return best


def scalar_kp_lambda(ws):
    """m² Σ_i w_i⁻² for scalar weights ws (Fractions), m = Π w_i (KP-scalar, zero loss, X = 1)."""
    m = Fraction(1)
    for w in ws:
        m *= w
    return m * m * sum(1 / (w * w) for w in ws)
