"""dlncheck.sharpness against independent oracles (tests/oracle.py): closed forms at zero-loss
points (KP-depth2, KP-scalar, diagonal networks) and finite-difference Hessians written in numpy
at points of nonzero loss, for the linear, residual, L2-regularized and one-hidden-layer models."""

import sys
import threading
from fractions import Fraction

import mpmath
import numpy as np
import pytest

import dlncheck
import oracle


def contains(enclosure, value, rel=0.0):
    """Whether the exact enclosure (Fractions) contains `value`, widened by `rel` relatively (for
    an oracle known only approximately)."""
    lo, hi = enclosure
    slack = Fraction(abs(value)) * Fraction(rel)
    return lo - slack <= Fraction(value) <= hi + slack


def test_depth2_minimizer_matches_the_closed_form():
    # KP-depth2 (claims.md, reference values): X = I, zero loss, λ_max = ‖W_1‖₂² + ‖W_2‖₂² = φ² + 4
    w1 = np.array([[1.0, 1.0], [0.0, 1.0]])
    w2 = np.array([[2.0, 0.0], [0.0, 1.0]])
    s = dlncheck.sharpness([w1, w2], np.eye(2), w2 @ w1)
    with mpmath.workprec(300):
        exact = ((1 + mpmath.sqrt(5)) / 2) ** 2 + 4
    assert s.zero_loss and s.model == "linear" and s.params == 8
    assert s.f64 == pytest.approx(float(exact), rel=1e-13)
    lo, hi = s.enclosure
    assert isinstance(lo, Fraction) and isinstance(hi, Fraction)
    with mpmath.workprec(300):
        assert mpmath.mpf(lo.numerator) / lo.denominator <= exact
        assert exact <= mpmath.mpf(hi.numerator) / hi.denominator
        assert s.precision == 256
        assert abs(mpmath.mpf(s.mpfr) - exact) < mpmath.mpf(2) ** -240
        m = s.mpmath()
        assert isinstance(m, mpmath.mpf) and abs(m - exact) < mpmath.mpf(2) ** -240
    # the same at a higher precision: more digits, still right
    s512 = dlncheck.sharpness([w1, w2], np.eye(2), w2 @ w1, precision=512)
    with mpmath.workprec(600):
        exact = ((1 + mpmath.sqrt(5)) / 2) ** 2 + 4
        assert abs(s512.mpmath() - exact) < mpmath.mpf(2) ** -500


def test_scalar_minimizer_is_identified_exactly():
    # KP-scalar: λ_max = m² Σ w_i⁻², here 9·(4 + 1/4 + 1/9) = 157/4, from float input
    ws = [np.array([[0.5]]), np.array([[2.0]]), np.array([[3.0]])]
    s = dlncheck.sharpness(ws, np.array([[1.0]]), np.array([[3.0]]))
    expected = oracle.scalar_kp_lambda([Fraction(1, 2), Fraction(2), Fraction(3)])
    assert expected == Fraction(157, 4)
    assert s.enclosure == (expected, expected)
    # integer arrays: w = (1, 2, 4), y = 8 gives 84 (reference value of claims.md's KP-scalar)
    ints = [np.array([[v]], dtype=np.int64) for v in (1, 2, 4)]
    s = dlncheck.sharpness(ints, np.array([[1]], dtype=np.int32), np.array([[8]], dtype=np.uint8))
    assert s.enclosure == (Fraction(84), Fraction(84))
    assert s.f64 == pytest.approx(84.0, rel=1e-14)


def test_diagonal_network_rational_lambda_is_identified_exactly():
    # the dyadic sibling of the 91/9 case (cases/kp-depth3-diagonal.yaml): W = (diag(1/4, 1/2),
    # diag(4, 1), diag(1, 2)), X = Y = I; λ_max from the diagonal KP operator, exactly
    diags = [[Fraction(1, 4), Fraction(1, 2)], [Fraction(4), Fraction(1)], [Fraction(1), Fraction(2)]]
    expected = oracle.diagonal_kp_lambda(diags)
    assert expected == Fraction(273, 16)
    ws = [np.diag([float(v) for v in d]) for d in diags]
    s = dlncheck.sharpness(ws, np.eye(2), np.eye(2))
    assert s.zero_loss
    assert s.enclosure == (expected, expected)
    # the oracle reproduces the shipped case's 91/9 with its weights (1/3 is no binary float, so
    # sharpness cannot be given it exactly; check() reads the case, tests/test_check.py)
    assert oracle.diagonal_kp_lambda(
        [[Fraction(1, 3), Fraction(1, 2)], [Fraction(3), Fraction(1)], [Fraction(1), Fraction(2)]]
    ) == Fraction(91, 9)


def test_float32_entries_are_read_as_the_binary_values_they_hold():
    # w_1 = float32(0.1) ≠ 1/10; zero loss needs Y = w_1·2·3 exactly, which is a float64
    w1 = np.float32(0.1)
    exact_w1 = Fraction(float(w1))  # float32 → float64 is exact
    assert exact_w1 != Fraction(1, 10) and exact_w1 != Fraction(0.1)
    y = float(w1) * 6.0
    assert Fraction(y) == exact_w1 * 6
    ws = [np.array([[w1]], dtype=np.float32), np.array([[2.0]], np.float32), np.array([[3.0]], np.float32)]
    s = dlncheck.sharpness(ws, np.array([[1.0]], np.float32), np.array([[y]]))
    expected = oracle.scalar_kp_lambda([exact_w1, Fraction(2), Fraction(3)])
    assert s.zero_loss
    assert s.enclosure == (expected, expected)
    # float16 widens exactly too, and a Fortran-ordered or strided view is read in row order
    a = np.asfortranarray(np.array([[1.0, 2.0], [3.0, 4.0]]))
    b = np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 0.0], [3.0, 0.0, 4.0]])[::2, ::2]
    x = np.eye(2)
    s1 = dlncheck.sharpness([a], x, np.zeros((2, 2)))
    s2 = dlncheck.sharpness([b], x, np.zeros((2, 2)))
    s3 = dlncheck.sharpness([a.astype(np.float16)], x, np.zeros((2, 2)))
    assert s1.enclosure == s2.enclosure == s3.enclosure


@pytest.mark.parametrize(
    "model, kw",
    [
        ("linear", {}),
        ("residual", {}),
        ("l2-regularized", {"lam": 0.25}),
        ("l2-regularized", {"lam": "1/10", "mask": np.array([[1, 0, 1, 1], [0, 1, 1, 1]])}),
    ],
)
def test_nonzero_loss_matches_finite_differences(model, kw):
    rng = np.random.default_rng(5)
    d = [3, 3, 3, 2] if model != "residual" else [3, 3, 3, 3]
    ws = [rng.standard_normal((d[k + 1], d[k])) / 2 for k in range(3)]
    x = rng.standard_normal((d[0], 4))
    y = rng.standard_normal((d[-1], 4))
    s = dlncheck.sharpness(ws, x, y, model=model, **kw)
    okw = {}
    if model == "l2-regularized":
        okw["lam"] = float(Fraction(kw["lam"]))
        okw["mask"] = kw.get("mask")
    want = oracle.lambda_max_fd(model, ws, x, y, **okw)
    assert not s.zero_loss
    assert s.model == model
    assert s.f64 == pytest.approx(want, rel=1e-7)
    assert float(mpmath.mpf(s.mpfr)) == pytest.approx(want, rel=1e-7)
    assert s.enclosure is not None, s.notes
    assert contains(s.enclosure, want, rel=1e-7)
    # the enclosure is proven around the computed values
    assert contains(s.enclosure, s.f64, rel=1e-10)


def test_one_hidden_layer_slope_is_used():
    rng = np.random.default_rng(2)
    ws = [rng.standard_normal((3, 2)), rng.standard_normal((1, 3))]
    x = rng.standard_normal((2, 5))
    y = rng.standard_normal((1, 5))
    s = dlncheck.sharpness(ws, x, y, model="one-hidden-layer", slope=Fraction(1, 10))
    assert "a = 1/10" in s.loss_formula
    want = oracle.lambda_max_fd("one-hidden-layer", ws, x, y, slope=0.1)
    assert s.f64 == pytest.approx(want, rel=1e-7)
    assert contains(s.enclosure, want, rel=1e-7)
    same = dlncheck.sharpness(ws, x, y, model="one-hidden-layer", activation="leaky_relu", slope="0.1")
    assert same.enclosure == s.enclosure


def test_shape_errors_name_the_field():
    w1, w2 = np.ones((3, 2)), np.ones((1, 3))
    x, y = np.eye(2), np.ones((1, 2))
    # W_2 transposed
    with pytest.raises(ValueError, match=r"^<dlncheck\.sharpness>: point\.weights\[1\]: expected 1 row .*fits transposed"):
        dlncheck.sharpness([w1, w2.T], x, y)
    with pytest.raises(ValueError, match=r"data\.y: expected 2 columns \(n = 2"):
        dlncheck.sharpness([w1, w2], x, np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"data\.x: X must have full row rank"):
        dlncheck.sharpness([w1, w2], np.zeros((2, 2)), y)
    with pytest.raises(ValueError, match=r"point\.weights\[0\]: expected a 2-D array .*shape \[3\]"):
        dlncheck.sharpness([np.ones(3)], x, y)
    with pytest.raises(ValueError, match=r"found one matrix: pass \[W\]"):
        dlncheck.sharpness(w1, x, y)
    with pytest.raises(ValueError, match=r"point\.weights: no weight matrices"):
        dlncheck.sharpness([], x, y)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_entries_are_refused(bad):
    w = np.array([[1.0, 2.0], [3.0, bad]])
    with pytest.raises(ValueError, match=r"point\.weights\[0\]: entry \[1\]\[1\] is (NaN|inf|-inf), not a finite number"):
        dlncheck.sharpness([w], np.eye(2), np.eye(2))
    with pytest.raises(ValueError, match=r"data\.x: entry \[1\]\[1\]"):
        dlncheck.sharpness([np.eye(2)], w, np.eye(2))


def test_invalid_options_raise_with_the_library_message():
    x, y, w = np.eye(2), np.eye(2), [np.eye(2)]
    with pytest.raises(ValueError, match=r"model\.kind: unknown model kind \"lineer\"; did you mean linear\?"):
        dlncheck.sharpness(w, x, y, model="lineer")
    with pytest.raises(ValueError, match=r"model\.lambda: `lambda` is only for kind l2-regularized, not linear"):
        dlncheck.sharpness(w, x, y, lam=0.1)
    with pytest.raises(ValueError, match=r"model\.lambda: an l2-regularized model needs `lambda`"):
        dlncheck.sharpness(w, x, y, model="l2-regularized")
    with pytest.raises(ValueError, match=r"precision_bits = 8 is outside 16\.\.=65536"):
        dlncheck.sharpness(w, x, y, precision=8)
    with pytest.raises(ValueError, match=r"model\.dims: a residual network needs equal widths"):
        dlncheck.sharpness([np.ones((3, 2))], x, np.ones((3, 2)), model="residual")
    with pytest.raises(ValueError, match=r"unknown activation \"relu\""):
        dlncheck.sharpness(w, x, y, model="one-hidden-layer", activation="relu", slope=0)
    with pytest.raises(ValueError, match=r"unknown path \"fast\""):
        dlncheck.sharpness(w, x, y, path="fast")
    with pytest.raises(TypeError, match=r"dtype complex128 cannot be read exactly"):
        dlncheck.sharpness([np.eye(2) * 1j], x, y)


def test_result_object():
    ws = [np.array([[1.0]]), np.array([[2.0]]), np.array([[4.0]])]
    s = dlncheck.sharpness(ws, np.array([[1.0]]), np.array([[8.0]]), path="dense")
    assert s.path == "dense"
    assert s.seconds > 0
    assert s.enclosure_via == "exact-rational-kp"
    assert "λ_max = 84 exactly" in repr(s) and "via dense" in repr(s)
    assert "proven" in str(s)
    d = s.as_dict()
    assert d["f64"]["path"] == "dense" and d["certified"]["lo_exact"] == "84"
    assert d["mpfr"]["precision"] == 256
    bare = dlncheck.sharpness(ws, np.array([[1.0]]), np.array([[8.0]]), mpfr=False, certify=False)
    assert bare.mpfr is None and bare.mpmath() is None and bare.enclosure is None
    assert "not proven" in repr(bare)


def test_the_gil_is_released_during_the_computation():
    """With the switch interval so long that a thread holding the GIL never hands it over by
    itself, the main thread runs while the worker is inside sharpness only if sharpness releases
    the GIL: the main thread then sees the worker's flag set (no timing is asserted)."""
    rng = np.random.default_rng(1)
    ws = [rng.standard_normal((6, 6)) for _ in range(3)]
    x, y = rng.standard_normal((6, 8)), rng.standard_normal((6, 8))
    state = {"inside": False, "result": None}

    def work():
        state["inside"] = True
        state["result"] = dlncheck.sharpness(ws, x, y, certify=False)
        state["inside"] = False

    seen_inside = 0
    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        t = threading.Thread(target=work)
        t.start()
        while t.is_alive():
            if state["inside"]:
                seen_inside += 1
            t.join(0.001)  # blocks without the GIL, so the worker can finish
    finally:
        sys.setswitchinterval(old)
    assert state["result"] is not None and state["result"].mpfr is not None
    assert seen_inside > 0
