"""dlncheck against the reference peers of ../shared/anchors/peers.py, side by side, in one run.

Run through benches/compare.sh (which builds dlncheck and sets up the Python environment).

For each depth L in {3, 6, 12} and width d in {4, 8, 16, 32, 64} this driver
1. draws the random balanced minimizer of peers.balanced_minimizer(L, d, rng) with the seed
   1000·L + d (numpy's default_rng), and a non-minimizer with the same weights and
   Y' = Y + N/10 (N standard normal from the same generator);
2. writes both as dlncheck case YAML (weights as the exact binary values of the f64 entries, "p/q";
   for the minimizer Y = W_L⋯W_1 exactly, in integers, so the loss is exactly zero);
3. runs `dlncheck sharpness CASE --json` (f64 along the planner's path, median of the repeats;
   MPFR-256; the proven enclosure) and each peer in its own process (so peak memory, the
   process's maximum resident set from getrusage, is per method), reading the same YAML;
4. writes reports/bench.md (tables, ratios, targets) and reports/bench.svg (log-log plot).

Peers that the shared results showed to be too slow at a size are skipped there (stated in the
report). Timings are medians of `--repeat` runs (default 3; one run when a run takes > 5 s).
"""
import argparse, json, os, platform, resource, subprocess, sys, time
from fractions import Fraction
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
PEERS_DIR = Path(os.environ.get("PEERS_DIR", REPO.parent / "shared" / "anchors"))
DEPTHS = (3, 6, 12)
WIDTHS = (4, 8, 16, 32, 64)
PEERS = ("jax-full", "jax-eigsh", "jax-power", "mpmath-60", "arb-200", "kron-op")
# Skips: largest parameter count per peer (the shared results: mpmath-60 and arb-200 take 17 s at
# P = 192, jax-full 40 s at P = 6144 and 119 s at 12288; kron-op is O((d_L n)^3)).
PEER_MAX_PARAMS = {"jax-full": 3072, "mpmath-60": 192, "arb-200": 192}


def frac_str(q):
    q = Fraction(q)
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def exact_product(ws):
    """W_L...W_1 exactly, in Python integers: each f64 matrix is an integer matrix / 2^e."""
    def scaled(w):
        fr = [[Fraction(float(v)) for v in row] for row in w]
        e = max((f.denominator.bit_length() - 1 for row in fr for f in row), default=0)
        ints = np.array([[int(f * (1 << e)) for f in row] for row in fr], dtype=object)
        return ints, e
    p, e = scaled(ws[0])
    for w in ws[1:]:
        wi, ew = scaled(w)
        p = wi.dot(p)
        e += ew
    return [[Fraction(int(v), 1 << e) for v in row] for row in p]


def matrix_yaml(rows):
    return "[" + ", ".join("[" + ", ".join(f'"{frac_str(v)}"' for v in row) + "]" for row in rows) + "]"


def write_case(path, name, ws, x, y):
    lines = [
        "version: 1", f"name: {name}",
        "about: random balanced minimizer of peers.balanced_minimizer (benches/compare.py)",
        f"model: {{kind: linear, dims: [{', '.join(str(d) for d in [ws[0].shape[1]] + [w.shape[0] for w in ws])}]}}",
        "data:", "  x: identity", f"  y: {matrix_yaml(y)}",
        # the case's own point only: no balanced SVD factorization (irrational, inexact) beside it
        "generate: {balanced: false}",
        "point:", "  weights:",
    ]
    lines += [f"    - {matrix_yaml(w)}" for w in ws]
    lines += ["checks:", "  - {claim: KP-exact, expect: verified}", ""]
    path.write_text("\n".join(lines))


def generate(out_dir):
    sys.path.insert(0, str(PEERS_DIR))
    import peers
    cases = []
    for L in DEPTHS:
        for d in WIDTHS:
            rng = np.random.default_rng(1000 * L + d)
            ws, x, m = peers.balanced_minimizer(L, d, rng)
            noise = rng.standard_normal(m.shape) / 10
            y = exact_product(ws)
            y_nm = [[Fraction(float(v)) for v in row] for row in np.array([[float(f) for f in r] for r in y]) + noise]
            mini, nonmin = out_dir / f"min-L{L}-d{d}.yaml", out_dir / f"nonmin-L{L}-d{d}.yaml"
            write_case(mini, f"bench-min-L{L}-d{d}", ws, x, y)
            write_case(nonmin, f"bench-nonmin-L{L}-d{d}", ws, x, y_nm)
            cases.append({"L": L, "d": d, "params": L * d * d, "min": mini, "nonmin": nonmin})
    return cases


# ---------------------------------------------------------------------------------------------
# one measurement in a child process: `compare.py child METHOD CASE REPEAT`
def read_case(path):
    """Parse the case YAML written by write_case (a fixed, simple layout: no YAML library)."""
    import ast
    text = Path(path).read_text().splitlines()
    y, ws = None, []
    for line in text:
        s = line.strip()
        if s.startswith("y: "):
            y = ast.literal_eval(s[3:])
        elif s.startswith("- [["):
            ws.append(ast.literal_eval(s[2:]))
    to = lambda m: np.array([[float(Fraction(v)) for v in row] for row in m])
    ws = [to(w) for w in ws]
    return ws, np.eye(ws[0].shape[1]), to(y)


def child(method, case, repeat):
    sys.path.insert(0, str(PEERS_DIR))
    import peers
    ws, x, y = read_case(case)
    # start JAX's runtime before timing (the shared bench ran every method in one warm process);
    # each method's own jit compile stays inside its timing, as in peers.py
    import jax, jax.numpy as jnp
    jax.jit(lambda v: v + 1)(jnp.ones(2)).block_until_ready()
    times, value = [], None
    for i in range(repeat):
        t = time.perf_counter()
        value = peers.METHODS[method](ws, x, y)
        times.append(time.perf_counter() - t)
        if times[-1] > 20.0:
            break
    extra = {}
    if method == "jax-eigsh":
        extra["residual"] = eigsh_residual(peers, ws, x, y)
    print(json.dumps({"value": value, "times": times, "extra": extra}))


def eigsh_residual(peers, ws, x, y):
    """||Hv - theta v|| of jax-eigsh's answer (same call as peers.jax_eigsh, with the vector)."""
    from scipy.sparse.linalg import LinearOperator, eigsh
    import jax.numpy as jnp
    hvp, n = peers.hvp_fn(ws, x, y)
    op = LinearOperator((n, n), matvec=lambda v: np.asarray(hvp(jnp.asarray(v))), dtype=np.float64)
    vals, vecs = eigsh(op, k=1, which="LA", tol=1e-12, v0=np.ones(n))
    v = vecs[:, 0] / np.linalg.norm(vecs[:, 0])
    return float(np.linalg.norm(op.matvec(v) - vals[0] * v))


def measured(args, cwd=None):
    """Run `args` (under GNU time where there is one, for the process's own peak RSS): the
    completed process, its wall time in seconds and its peak RSS in MiB (None without GNU time)."""
    gnu = Path("/usr/bin/time")
    full = ([str(gnu), "-f", "MAXRSS %M"] if gnu.exists() else []) + args
    t = time.perf_counter()
    proc = subprocess.run(full, capture_output=True, text=True, cwd=cwd)
    wall = time.perf_counter() - t
    rss = None
    for line in proc.stderr.splitlines():
        if line.startswith("MAXRSS "):
            rss = int(line.split()[1]) / 1024.0
    return proc, wall, rss


def timed(args):
    """Run a peer child (`measured`): its JSON result with the wall time as `_wall`, or its error,
    and its peak RSS."""
    proc, wall, rss = measured(args)
    if proc.returncode != 0:
        tail = [l for l in proc.stderr.splitlines() if not l.startswith("MAXRSS")][-1:]
        return {"error": " ".join(tail) or f"exit {proc.returncode}"}, rss
    res = json.loads(proc.stdout)
    res["_wall"] = wall
    return res, rss


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dlncheck", required=True)
    ap.add_argument("--out", default=str(REPO / "reports"))
    ap.add_argument("--work", default=str(REPO / "target" / "bench-cases"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--max-d", type=int, default=64)
    ap.add_argument("--peers", default=",".join(PEERS))
    a = ap.parse_args()
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    cases = [c for c in generate(work) if c["d"] <= a.max_d]
    peers_sel = [p for p in a.peers.split(",") if p]
    rows = []
    for c in cases:
        row = dict(c)
        for kind in ("min", "nonmin"):
            certify = kind == "min" and c["d"] <= 32
            args = [a.dlncheck, "sharpness", str(c[kind]), "--json", "--repeat", str(a.repeat)]
            if not certify:
                args.append("--no-certify")
            res, rss = timed(args)
            row[f"dln-{kind}"] = res
            row[f"dln-{kind}-rss"] = rss
            print(f"L={c['L']} d={c['d']} {kind}: dlncheck {short(res)}", flush=True)
        row["dln-check"] = run_check(a.dlncheck, c["min"], work / f"check-L{c['L']}-d{c['d']}",
                                     a.repeat)
        print(f"L={c['L']} d={c['d']} check KP-exact: {row['dln-check']}", flush=True)
        for p in peers_sel:
            if c["params"] > PEER_MAX_PARAMS.get(p, 10 ** 9):
                row[p] = {"skipped": True}
                continue
            res, rss = timed([sys.executable, __file__, "child", p, str(c["min"]), str(a.repeat)])
            row[p], row[p + "-rss"] = res, rss
            print(f"L={c['L']} d={c['d']} {p}: {short(res)}", flush=True)
        if "jax-eigsh" in peers_sel:
            res, rss = timed([sys.executable, __file__, "child", "jax-eigsh", str(c["nonmin"]), str(a.repeat)])
            row["jax-eigsh-nonmin"], row["jax-eigsh-nonmin-rss"] = res, rss
            print(f"L={c['L']} d={c['d']} jax-eigsh (non-minimizer): {short(res)}", flush=True)
        rows.append(row)
    suite = run_suite(a.dlncheck)
    (work / "rows.json").write_text(json.dumps({"rows": rows, "suite": suite}, default=str))
    import report
    report.write(rows, suite, Path(a.out), peers_sel, a.repeat, time.time() - t0, PEER_MAX_PARAMS)


def run_check(dln, case, report_dir, repeat):
    """`dlncheck check CASE` (KP-exact at the case's minimizer): process wall time (median of
    `repeat`, one run when it took over 20 s), peak RSS, and the verdict, strength, agreement bits
    and λ_max path from its report.json."""
    times, rss, out = [], None, {}
    for _ in range(repeat):
        proc, wall, run_rss = measured(
            [dln, "check", str(case), "--report-dir", str(report_dir), "--quiet"], cwd=REPO)
        times.append(wall)
        if run_rss is not None:
            rss = run_rss
        if times[-1] > 20.0:
            break
    try:
        rep = json.loads((Path(report_dir) / "report.json").read_text())
        case_rep = rep["cases"][0]
        if case_rep.get("error"):
            out["error"] = case_rep["error"]
        else:
            chk = case_rep["checks"][0]
            v = chk.get("values") or {}
            out.update(verdict=chk["verdict"], strength=chk.get("strength"),
                       agreement_bits=v.get("agreement_bits"), path=v.get("lambda_max_path"),
                       reason=chk.get("reason"))
    except (OSError, ValueError, KeyError, IndexError) as e:
        out["error"] = f"no report: {e}"
    out.update(seconds=median(times), all=times, rss=rss, exit=proc.returncode)
    return out


def run_suite(dln):
    """The whole shipped suite: `dlncheck check cases` (default jobs), wall time, median of 3."""
    times, rss = [], None
    for _ in range(3):
        proc, wall, run_rss = measured(
            [dln, "check", str(REPO / "cases"), "--report-dir", str(REPO / "target" / "bench-suite"),
             "--quiet"], cwd=REPO)
        times.append(wall)
        if run_rss is not None:
            rss = run_rss
    return {"seconds": median(times), "all": times, "rss": rss, "exit": proc.returncode}


def short(res):
    if "error" in res:
        return f"ERROR {res['error']}"
    if "f64" in res:
        return f"{res['f64']['value']:.12g} via {res['f64']['path']} in {res['f64']['seconds']:.4g}s"
    return f"{res['value']:.12g} in {median(res['times']):.4g}s"


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        main()
