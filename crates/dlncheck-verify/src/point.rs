//! Reading a point certificate (with JSON paths in every error) and checking its quantities and
//! assertions (docs/certificates.md).
//!
//! Everything is read and validated first, so that a malformed certificate is reported before
//! any expensive computation; then each quantity and each assertion becomes one [`CheckLine`].

use super::algebraic::{self, P};
use super::json::{
    array, brief, entries, err, field, join, number, object, shape, string, vector, Result,
};
use super::ldlt::{classify, Definiteness};
use super::loss::{Landscape, Network};
use super::rational::{Mat, Q};
use super::{CheckLine, VerifyError, MAX_DATA_ENTRIES, MAX_PARAMS};
use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};
use serde_json::{Map, Value};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

/// Read `problem`: shapes first (chain, limits), then the numbers.
fn problem(v: &Value) -> Result<Network> {
    let obj = object(v, "problem")?;
    let ws = array(field(obj, "weights", "problem")?, "problem.weights")?;
    if ws.is_empty() {
        return Err(err("problem.weights", "needs at least one layer"));
    }
    let shapes = ws
        .iter()
        .enumerate()
        .map(|(k, w)| shape(w, &format!("problem.weights[{k}]")))
        .collect::<Result<Vec<_>>>()?;
    let x_value = field(obj, "x", "problem")?;
    let y_value = field(obj, "y", "problem")?;
    let xs = shape(x_value, "problem.x")?;
    let ys = shape(y_value, "problem.y")?;
    let params = shapes
        .iter()
        .try_fold(0usize, |acc, &(r, c)| acc.checked_add(r.checked_mul(c)?));
    match params {
        Some(p) if p <= MAX_PARAMS => {}
        _ => {
            return Err(err(
                "problem.weights",
                format!(
                    "{} parameters exceed the limit of {MAX_PARAMS}",
                    params.map_or("too many".to_string(), |p| p.to_string())
                ),
            ))
        }
    }
    for (name, (r, c)) in [("problem.x", xs), ("problem.y", ys)] {
        if r.saturating_mul(c) > MAX_DATA_ENTRIES {
            return Err(err(
                name,
                format!(
                    "{r}×{c} = {} entries exceed the limit of {MAX_DATA_ENTRIES}",
                    r * c
                ),
            ));
        }
    }
    // W_k is d_k × d_{k−1}: X has d_0 rows, each W_k has as many columns as W_{k−1} has rows.
    let mut d_prev = xs.0;
    for (k, &(r, c)) in shapes.iter().enumerate() {
        if c != d_prev {
            let from = if k == 0 {
                "X has".to_string()
            } else {
                format!("weights[{}] has", k - 1)
            };
            return Err(err(
                &format!("problem.weights[{k}]"),
                format!(
                    "shape {r}×{c}: expected {d_prev} columns ({from} {d_prev} rows; W_k is d_k × d_(k-1))"
                ),
            ));
        }
        d_prev = r;
    }
    if ys != (d_prev, xs.1) {
        return Err(err(
            "problem.y",
            format!(
                "shape {}×{}: expected {}×{} (d_L × n, with n = columns of X)",
                ys.0, ys.1, d_prev, xs.1
            ),
        ));
    }
    let weights = ws
        .iter()
        .zip(&shapes)
        .enumerate()
        .map(|(k, (w, &s))| entries(w, &format!("problem.weights[{k}]"), s))
        .collect::<Result<Vec<_>>>()?;
    Ok(Network {
        weights,
        x: entries(x_value, "problem.x", xs)?,
        y: entries(y_value, "problem.y", ys)?,
    })
}

/// A direction: a list of matrices with exactly the shapes of the weights, flattened like θ.
fn direction(v: &Value, path: &str, net: &Network) -> Result<Vec<Q>> {
    let ms = array(v, path)?;
    if ms.len() != net.depth() {
        return Err(err(
            path,
            format!(
                "has {} matrices, expected {} (one per layer)",
                ms.len(),
                net.depth()
            ),
        ));
    }
    let mut theta = Vec::with_capacity(net.num_params());
    for (k, (m, w)) in ms.iter().zip(&net.weights).enumerate() {
        let p = format!("{path}[{k}]");
        let s = shape(m, &p)?;
        if s != (w.rows(), w.cols()) {
            return Err(err(
                &p,
                format!(
                    "shape {}×{}, expected {}×{} (the shape of W_{})",
                    s.0,
                    s.1,
                    w.rows(),
                    w.cols(),
                    k + 1
                ),
            ));
        }
        theta.extend_from_slice(entries(m, &p, s)?.data());
    }
    Ok(theta)
}

/// A symmetric matrix named by a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum MatrixName {
    /// ∇²f.
    Hessian,
    /// Σ_k (B_kX)ᵀ(B_kX) ⊗ A_kA_kᵀ.
    KpOperator,
    /// A_kᵀA_k.
    GramAbove(usize),
    /// (B_kX)(B_kX)ᵀ.
    GramBelowX(usize),
    /// W_kᵀW_k.
    GramWeight(usize),
    /// YᵀY.
    GramTarget,
}

impl fmt::Display for MatrixName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MatrixName::Hessian => write!(f, "hessian"),
            MatrixName::KpOperator => write!(f, "kp_operator"),
            MatrixName::GramAbove(k) => write!(f, "gram_above {k}"),
            MatrixName::GramBelowX(k) => write!(f, "gram_below_x {k}"),
            MatrixName::GramWeight(k) => write!(f, "gram_weight {k}"),
            MatrixName::GramTarget => write!(f, "gram_target"),
        }
    }
}

impl MatrixName {
    fn parse(v: &Value, path: &str, depth: usize) -> Result<MatrixName> {
        match v {
            Value::String(s) => match s.as_str() {
                "hessian" => Ok(MatrixName::Hessian),
                "kp_operator" => Ok(MatrixName::KpOperator),
                "gram_target" => Ok(MatrixName::GramTarget),
                other => Err(err(path, format!("unknown matrix {other:?}"))),
            },
            Value::Object(obj) if obj.len() == 1 => {
                let (key, k) = obj.iter().next().expect("one entry");
                let kpath = join(path, key);
                let make: fn(usize) -> MatrixName = match key.as_str() {
                    "gram_above" => MatrixName::GramAbove,
                    "gram_below_x" => MatrixName::GramBelowX,
                    "gram_weight" => MatrixName::GramWeight,
                    other => return Err(err(path, format!("unknown matrix {other:?}"))),
                };
                match k.as_u64() {
                    Some(k) if k >= 1 && k as usize <= depth => Ok(make(k as usize)),
                    _ => Err(err(
                        &kpath,
                        format!("expected a layer number 1 … {depth}, found {}", brief(k)),
                    )),
                }
            }
            _ => Err(err(
                path,
                format!(
                    "expected a matrix name or {{\"gram_above\": k}}-style object, found {}",
                    brief(v)
                ),
            )),
        }
    }

    /// The size of the (square) matrix.
    fn dim(&self, net: &Network) -> usize {
        let d = |k: usize| net.weights[k - 1].rows(); // d_k, k ≥ 1
        let d_before = |k: usize| net.weights[k - 1].cols(); // d_{k−1}
        match *self {
            MatrixName::Hessian => net.num_params(),
            MatrixName::KpOperator => net.y.rows() * net.y.cols(),
            MatrixName::GramAbove(k) => d(k),
            MatrixName::GramBelowX(k) | MatrixName::GramWeight(k) => d_before(k),
            MatrixName::GramTarget => net.y.cols(),
        }
    }

    /// The matrix at the certificate's point.
    pub(super) fn build(&self, land: &Landscape) -> Mat {
        let net = &land.net;
        match *self {
            MatrixName::Hessian => land.hessian().clone(),
            MatrixName::KpOperator => {
                let mut sum: Option<Mat> = None;
                for k in 1..=net.depth() {
                    let a = net.above(k);
                    let b = net.below_x(k);
                    let term = b.transpose().mul(&b).kron(&a.mul(&a.transpose()));
                    sum = Some(match sum {
                        None => term,
                        Some(s) => s.add(&term),
                    });
                }
                sum.expect("at least one layer")
            }
            MatrixName::GramAbove(k) => {
                let a = net.above(k);
                a.transpose().mul(&a)
            }
            MatrixName::GramBelowX(k) => {
                let b = net.below_x(k);
                b.mul(&b.transpose())
            }
            MatrixName::GramWeight(k) => {
                let w = &net.weights[k - 1];
                w.transpose().mul(w)
            }
            MatrixName::GramTarget => net.y.transpose().mul(&net.y),
        }
    }
}

/// An interval [lo, hi] of rationals.
pub(super) type Interval = (Q, Q);

/// What a quantity is.
#[derive(Clone, Debug)]
pub(super) enum QuantityKind {
    /// λ_max(matrix), with a Rayleigh vector for the lower end and `upper` for the upper end.
    LambdaMax {
        matrix: MatrixName,
        vector: Vec<Q>,
        upper: Q,
        exact: bool,
    },
    /// tr ∇²f from the interpolated diagonal.
    TraceHessian,
    /// Σ_k ‖A_k‖²_F ‖B_kX‖²_F.
    TraceFormula,
    /// m² Σ_k w_k⁻² for a scalar network.
    ScalarFormula,
    /// L · s^{(L−1)/L} for the quantity `of` (an enclosure of λ_max(YᵀY)).
    MinSharpness { of: String },
}

/// A named quantity with its claimed enclosure.
#[derive(Clone, Debug)]
pub(super) struct Quantity {
    /// Its name in the certificate.
    pub(super) name: String,
    /// The claimed enclosure [lo, hi].
    pub(super) enclosure: Interval,
    /// What it is.
    pub(super) kind: QuantityKind,
}

fn enclosure(obj: &Map<String, Value>, path: &str) -> Result<Interval> {
    let p = join(path, "enclosure");
    let v = vector(field(obj, "enclosure", path)?, &p)?;
    match <[Q; 2]>::try_from(v) {
        Ok([lo, hi]) => Ok((lo, hi)),
        Err(v) => Err(err(
            &p,
            format!("expected [lo, hi], found {} numbers", v.len()),
        )),
    }
}

fn quantity(name: &str, v: &Value, net: &Network) -> Result<Quantity> {
    let path = format!("quantities.{name}");
    let obj = object(v, &path)?;
    let enclosure = enclosure(obj, &path)?;
    let kind = if let Some(m) = obj.get("matrix") {
        let matrix = MatrixName::parse(m, &join(&path, "matrix"), net.depth())?;
        let vpath = join(&path, "rayleigh_vector");
        let vector = vector(field(obj, "rayleigh_vector", &path)?, &vpath)?;
        let n = matrix.dim(net);
        if vector.len() != n {
            return Err(err(
                &vpath,
                format!("has {} entries, but {matrix} is {n} × {n}", vector.len()),
            ));
        }
        let upper = number(field(obj, "upper", &path)?, &join(&path, "upper"))?;
        let epath = join(&path, "exact");
        let exact = field(obj, "exact", &path)?
            .as_bool()
            .ok_or_else(|| err(&epath, "expected true or false"))?;
        QuantityKind::LambdaMax {
            matrix,
            vector,
            upper,
            exact,
        }
    } else if let Some(s) = obj.get("scalar") {
        let spath = join(&path, "scalar");
        match string(s, &spath)? {
            "trace_hessian" => QuantityKind::TraceHessian,
            "trace_formula" => QuantityKind::TraceFormula,
            "scalar_formula" => {
                if net.weights.iter().any(|w| (w.rows(), w.cols()) != (1, 1)) {
                    return Err(err(
                        &spath,
                        "scalar_formula needs a scalar network (every W_k is 1 × 1)",
                    ));
                }
                QuantityKind::ScalarFormula
            }
            "min_sharpness" => QuantityKind::MinSharpness {
                of: string(field(obj, "of", &path)?, &join(&path, "of"))?.to_string(),
            },
            other => return Err(err(&spath, format!("unknown scalar {other:?}"))),
        }
    } else {
        return Err(err(&path, "needs a \"matrix\" or a \"scalar\" field"));
    };
    Ok(Quantity {
        name: name.to_string(),
        enclosure,
        kind,
    })
}

/// A relation operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Op {
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
    Ne,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "≤",
            Op::Eq => "=",
            Op::Ge => "≥",
            Op::Gt => ">",
            Op::Ne => "≠",
        }
    }
}

/// A sum of products of quantity names.
pub(super) type Expr = Vec<Vec<String>>;

/// One side of an algebraic relation: its polynomial (integer coefficients, low to high), the
/// interval its value is stated to lie in, and the interval of the leaves' interval arithmetic.
#[derive(Clone, Debug)]
pub(super) struct AlgebraicSide {
    poly: Vec<BigInt>,
    interval: Interval,
    leaf_interval: Interval,
}

/// The proof of a relation between real algebraic numbers (docs/certificates.md).
#[derive(Clone, Debug)]
pub(super) struct AlgebraicProof {
    leaves: BTreeMap<String, Interval>,
    lhs: AlgebraicSide,
    rhs: AlgebraicSide,
    gcd: Vec<BigInt>,
}

fn interval(v: &Value, path: &str) -> Result<Interval> {
    let v = vector(v, path)?;
    match <[Q; 2]>::try_from(v) {
        Ok([lo, hi]) if lo <= hi => Ok((lo, hi)),
        Ok(_) => Err(err(path, "an interval needs lo ≤ hi")),
        Err(v) => Err(err(
            path,
            format!("expected [lo, hi], found {} numbers", v.len()),
        )),
    }
}

fn int_poly(v: &Value, path: &str) -> Result<Vec<BigInt>> {
    let c = vector(v, path)?;
    if c.len() > algebraic::MAX_ORDER + 1 {
        return Err(err(
            path,
            format!("degree above the cap {}", algebraic::MAX_ORDER),
        ));
    }
    c.into_iter()
        .enumerate()
        .map(|(i, q)| {
            if q.is_integer() {
                Ok(q.to_integer())
            } else {
                Err(err(
                    &format!("{path}[{i}]"),
                    "a coefficient must be an integer",
                ))
            }
        })
        .collect()
}

fn algebraic_proof(
    v: &Value,
    path: &str,
    names: &BTreeMap<String, Quantity>,
) -> Result<AlgebraicProof> {
    let obj = object(v, path)?;
    let lpath = join(path, "leaves");
    let mut leaves = BTreeMap::new();
    for (name, iv) in object(field(obj, "leaves", path)?, &lpath)? {
        if !names.contains_key(name) {
            return Err(err(&lpath, format!("unknown quantity {name:?}")));
        }
        leaves.insert(name.clone(), interval(iv, &join(&lpath, name))?);
    }
    let side = |key: &str| -> Result<AlgebraicSide> {
        let spath = join(path, key);
        let o = object(field(obj, key, path)?, &spath)?;
        Ok(AlgebraicSide {
            poly: int_poly(field(o, "poly", &spath)?, &join(&spath, "poly"))?,
            interval: interval(field(o, "interval", &spath)?, &join(&spath, "interval"))?,
            leaf_interval: interval(
                field(o, "leaf_interval", &spath)?,
                &join(&spath, "leaf_interval"),
            )?,
        })
    };
    Ok(AlgebraicProof {
        leaves,
        lhs: side("lhs")?,
        rhs: side("rhs")?,
        gcd: int_poly(field(obj, "gcd", path)?, &join(path, "gcd"))?,
    })
}

/// One assertion.
#[derive(Clone, Debug)]
pub(super) enum Assertion {
    Relation {
        lhs: Expr,
        op: Op,
        rhs: Expr,
        tolerance: Q,
        algebraic: Option<Box<AlgebraicProof>>,
    },
    Critical,
    Loss(Q),
    LossAbove(Q),
    NegativeCurvature {
        direction: Vec<Q>,
        value: Q,
    },
    HessianPsd,
    DescentCurve {
        direction: Vec<Q>,
        coefficients: Vec<Q>,
    },
    Balancedness,
}

fn expr(v: &Value, path: &str, names: &BTreeMap<String, Quantity>) -> Result<Expr> {
    let terms = array(v, path)?;
    if terms.is_empty() {
        return Err(err(path, "an expression needs at least one term"));
    }
    terms
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let tpath = format!("{path}[{i}]");
            let factors = array(t, &tpath)?;
            if factors.is_empty() {
                return Err(err(&tpath, "a term needs at least one quantity"));
            }
            factors
                .iter()
                .enumerate()
                .map(|(j, f)| {
                    let fpath = format!("{tpath}[{j}]");
                    let name = string(f, &fpath)?;
                    if names.contains_key(name) {
                        Ok(name.to_string())
                    } else {
                        Err(err(&fpath, format!("unknown quantity {name:?}")))
                    }
                })
                .collect()
        })
        .collect()
}

fn assertion(
    v: &Value,
    path: &str,
    net: &Network,
    names: &BTreeMap<String, Quantity>,
) -> Result<Assertion> {
    let obj = object(v, path)?;
    let num = |key: &str| number(field(obj, key, path)?, &join(path, key));
    let dir = || {
        direction(
            field(obj, "direction", path)?,
            &join(path, "direction"),
            net,
        )
    };
    let tpath = join(path, "type");
    Ok(match string(field(obj, "type", path)?, &tpath)? {
        "relation" => {
            let opath = join(path, "op");
            let op = match string(field(obj, "op", path)?, &opath)? {
                "<" => Op::Lt,
                "<=" => Op::Le,
                "=" => Op::Eq,
                ">=" => Op::Ge,
                ">" => Op::Gt,
                "!=" => Op::Ne,
                other => return Err(err(&opath, format!("unknown operator {other:?}"))),
            };
            let tolerance = match obj.get("tolerance") {
                None => Q::zero(),
                Some(t) => {
                    let p = join(path, "tolerance");
                    let t = number(t, &p)?;
                    if t.is_negative() {
                        return Err(err(&p, "a tolerance must be ≥ 0"));
                    }
                    t
                }
            };
            Assertion::Relation {
                lhs: expr(field(obj, "lhs", path)?, &join(path, "lhs"), names)?,
                op,
                rhs: expr(field(obj, "rhs", path)?, &join(path, "rhs"), names)?,
                tolerance,
                algebraic: match obj.get("algebraic") {
                    None => None,
                    Some(a) => Some(Box::new(algebraic_proof(
                        a,
                        &join(path, "algebraic"),
                        names,
                    )?)),
                },
            }
        }
        "critical" => Assertion::Critical,
        "loss" => Assertion::Loss(num("value")?),
        "loss_above" => Assertion::LossAbove(num("value")?),
        "negative_curvature" => Assertion::NegativeCurvature {
            direction: dir()?,
            value: num("value")?,
        },
        "hessian_psd" => Assertion::HessianPsd,
        "descent_curve" => Assertion::DescentCurve {
            direction: dir()?,
            coefficients: vector(
                field(obj, "coefficients", path)?,
                &join(path, "coefficients"),
            )?,
        },
        "identity" => {
            let npath = join(path, "name");
            match string(field(obj, "name", path)?, &npath)? {
                "balancedness" => Assertion::Balancedness,
                other => return Err(err(&npath, format!("unknown identity {other:?}"))),
            }
        }
        other => return Err(err(&tpath, format!("unknown assertion type {other:?}"))),
    })
}

/// A point certificate read and checked: its lines, and the facts the verdict rules read
/// ([`super::rules`]): the quantities, each assertion with whether it passed, and the landscape.
pub(super) struct PointCheck {
    /// One line per quantity, then one per assertion.
    pub(super) lines: Vec<CheckLine>,
    /// The quantities by name.
    pub(super) quantities: BTreeMap<String, Quantity>,
    /// The assertions in file order, each with whether its check passed.
    pub(super) assertions: Vec<(Assertion, bool)>,
    /// The problem and its exact loss, gradient and Hessian.
    pub(super) land: Landscape,
}

/// Read and check the quantities and assertions of one point certificate (`top`, at JSON path
/// `path`, empty for a top-level certificate).
pub(super) fn check_point(top: &Map<String, Value>, path: &str) -> Result<PointCheck> {
    let rebase = |e: VerifyError| match e {
        VerifyError::Malformed { path: p, message } if !path.is_empty() => VerifyError::Malformed {
            path: join(path, &p),
            message,
        },
        other => other,
    };
    check_point_at(top).map_err(rebase)
}

fn check_point_at(top: &Map<String, Value>) -> Result<PointCheck> {
    let net = problem(field(top, "problem", "")?)?;
    let mut quantities = BTreeMap::new();
    if let Some(qs) = top.get("quantities") {
        for (name, q) in object(qs, "quantities")? {
            quantities.insert(name.clone(), quantity(name, q, &net)?);
        }
    }
    for q in quantities.values() {
        if let QuantityKind::MinSharpness { of } = &q.kind {
            if !quantities.contains_key(of) {
                return Err(err(
                    &format!("quantities.{}.of", q.name),
                    format!("unknown quantity {of:?}"),
                ));
            }
        }
    }
    let mut assertions = Vec::new();
    if let Some(a) = top.get("assertions") {
        for (i, a) in array(a, "assertions")?.iter().enumerate() {
            assertions.push(assertion(
                a,
                &format!("assertions[{i}]"),
                &net,
                &quantities,
            )?);
        }
    }

    let land = Landscape::new(net);
    let mut lines = Vec::with_capacity(quantities.len() + assertions.len());
    for q in quantities.values() {
        lines.push(check_quantity(q, &quantities, &land));
    }
    let mut checked = Vec::with_capacity(assertions.len());
    for (i, a) in assertions.into_iter().enumerate() {
        let l = check_assertion(i, &a, &quantities, &land);
        checked.push((a, l.ok));
        lines.push(l);
    }
    Ok(PointCheck {
        lines,
        quantities,
        assertions: checked,
        land,
    })
}

/// A sub-check: whether it holds, and its text.
type Part = (bool, String);

/// Join sub-checks into one line; failed parts are marked ✗.
fn line(what: String, parts: Vec<Part>) -> CheckLine {
    let ok = parts.iter().all(|p| p.0);
    let detail = parts
        .into_iter()
        .map(|(ok, text)| if ok { text } else { format!("{text} ✗") })
        .collect::<Vec<_>>()
        .join("; ");
    CheckLine { what, ok, detail }
}

/// `a ≥ b`, showing the true relation.
fn ge(a_name: &str, a: &Q, b_name: &str, b: &Q) -> Part {
    let ok = a >= b;
    let sym = if ok { "≥" } else { "<" };
    (ok, format!("{a_name} = {a} {sym} {b_name} = {b}"))
}

/// `a ≤ b`, showing the true relation.
fn le(a_name: &str, a: &Q, b_name: &str, b: &Q) -> Part {
    let ok = a <= b;
    let sym = if ok { "≤" } else { ">" };
    (ok, format!("{a_name} = {a} {sym} {b_name} = {b}"))
}

/// `a = b`, showing the true relation.
fn eq(a_name: &str, a: &Q, b_name: &str, b: &Q) -> Part {
    let ok = a == b;
    let sym = if ok { "=" } else { "≠" };
    (ok, format!("{a_name} = {a} {sym} {b_name} = {b}"))
}

/// q^n by repeated squaring.
fn pow(q: &Q, mut n: usize) -> Q {
    let mut base = q.clone();
    let mut out = Q::one();
    while n > 0 {
        if n & 1 == 1 {
            out *= &base;
        }
        n >>= 1;
        if n > 0 {
            base = &base * &base;
        }
    }
    out
}

fn check_quantity(q: &Quantity, all: &BTreeMap<String, Quantity>, land: &Landscape) -> CheckLine {
    let (lo, hi) = &q.enclosure;
    let mut parts = Vec::new();
    if lo > hi {
        parts.push((false, format!("empty enclosure: lo = {lo} > hi = {hi}")));
    }
    let net = &land.net;
    let exact_scalar = |parts: &mut Vec<Part>, label: &str, value: Q| {
        parts.push(if lo == &value && hi == &value {
            (true, format!("{label} = {value} = lo = hi"))
        } else {
            (
                false,
                format!("{label} = {value}, so the enclosure must be [{value}, {value}]"),
            )
        });
    };
    let what = match &q.kind {
        QuantityKind::LambdaMax {
            matrix,
            vector,
            upper,
            exact,
        } => {
            let m = matrix.build(land);
            let n = m.rows();
            let vv: Q = vector.iter().map(|x| x * x).sum();
            // The Rayleigh quotient proves λ_max ≥ lo. For an exact enclosure the singular
            // u·I − M ⪰ 0 alone proves λ_max = u (⪰ 0: λ_max ≤ u; singular: u is an
            // eigenvalue), so there the vector is optional evidence and only reported.
            let rq = (!vv.is_zero()).then(|| m.quadratic_form(vector) / &vv);
            match (&rq, *exact) {
                (None, false) => parts.push((false, "rayleigh_vector is zero".to_string())),
                (None, true) => parts.push((
                    true,
                    "rayleigh_vector is zero (not needed: exact)".to_string(),
                )),
                (Some(rq), true) if rq < lo => {
                    parts.push((true, format!("RQ(v) < lo = {lo} (not needed: exact)")))
                }
                (Some(rq), _) => parts.push(ge("RQ(v)", rq, "lo", lo)),
            }
            parts.push(le("upper", upper, "hi", hi));
            let d = classify(&m.shift_neg(upper));
            if *exact {
                let ok = lo == upper && hi == upper;
                parts.push(if ok {
                    (true, "exact: lo = hi = upper".to_string())
                } else {
                    (false, "exact needs lo = hi = upper".to_string())
                });
                let singular = matches!(d, Definiteness::SemidefiniteSingular { .. });
                parts.push((singular, format!("{upper}·I − M {}", d.describe(n))));
                if ok && singular {
                    parts.push((true, format!("so λ_max = {upper} exactly")));
                }
            } else {
                let pd = d == Definiteness::PositiveDefinite;
                parts.push((pd, format!("{upper}·I − M {}", d.describe(n))));
                if pd {
                    parts.push((true, format!("so λ_max < {upper}")));
                }
            }
            format!("λ_max({matrix}) ∈ [{lo}, {hi}]")
        }
        QuantityKind::TraceHessian => {
            exact_scalar(&mut parts, "tr ∇²f", land.trace_hessian());
            format!("trace_hessian ∈ [{lo}, {hi}]")
        }
        QuantityKind::TraceFormula => {
            let value = (1..=net.depth())
                .map(|k| net.above(k).frobenius_sq() * net.below_x(k).frobenius_sq())
                .sum();
            exact_scalar(&mut parts, "Σ_k ‖A_k‖²‖B_kX‖²", value);
            format!("trace_formula ∈ [{lo}, {hi}]")
        }
        QuantityKind::ScalarFormula => {
            // m² Σ_k w_k⁻² = Σ_k Π_{j≠k} w_j² (also defined when some w_k = 0).
            let w: Vec<&Q> = net.weights.iter().map(|w| w.at(0, 0)).collect();
            let value = (0..w.len())
                .map(|k| {
                    w.iter()
                        .enumerate()
                        .filter(|&(j, _)| j != k)
                        .map(|(_, x)| *x * *x)
                        .product::<Q>()
                })
                .sum();
            exact_scalar(&mut parts, "m² Σ_k w_k⁻²", value);
            format!("scalar_formula ∈ [{lo}, {hi}]")
        }
        QuantityKind::MinSharpness { of } => {
            let l = net.depth();
            let lq = Q::from_integer((l as i64).into());
            let s = &all[of];
            let (s_lo, s_hi) = &s.enclosure;
            let is_target = matches!(
                &s.kind,
                QuantityKind::LambdaMax {
                    matrix: MatrixName::GramTarget,
                    ..
                }
            );
            parts.push((
                is_target,
                format!("s = {of} must enclose λ_max(gram_target) = σ_1²"),
            ));
            parts.push(ge("s_lo", s_lo, "0", &Q::zero()));
            parts.push(ge("lo", lo, "0", &Q::zero()));
            let ll = pow(&lq, l);
            let low_ok = pow(lo, l) <= &ll * pow(s_lo, l - 1);
            parts.push((
                low_ok,
                format!(
                    "lo^L {} L^L·s_lo^(L−1) (L = {l}, s_lo = {s_lo})",
                    if low_ok { "≤" } else { ">" }
                ),
            ));
            let high_ok = pow(hi, l) >= &ll * pow(s_hi, l - 1);
            parts.push((
                high_ok,
                format!(
                    "hi^L {} L^L·s_hi^(L−1) (s_hi = {s_hi})",
                    if high_ok { "≥" } else { "<" }
                ),
            ));
            format!("min_sharpness L·s^((L−1)/L) of {of} ∈ [{lo}, {hi}]")
        }
    };
    line(format!("quantity {}: {what}", q.name), parts)
}

/// The interval of an expression: products of enclosures (all ends ≥ 0) summed.
fn eval(e: &Expr, all: &BTreeMap<String, Quantity>) -> (Interval, Vec<String>) {
    let mut negative = Vec::new();
    let mut lo = Q::zero();
    let mut hi = Q::zero();
    for term in e {
        let mut tlo = Q::one();
        let mut thi = Q::one();
        for name in term {
            let (a, b) = &all[name].enclosure;
            if a.is_negative() || b.is_negative() {
                negative.push(format!("{name} ∈ [{a}, {b}] has a negative end"));
            }
            tlo *= a;
            thi *= b;
        }
        lo += tlo;
        hi += thi;
    }
    ((lo, hi), negative)
}

fn expr_text(e: &Expr) -> String {
    e.iter()
        .map(|t| t.join("·"))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// (hi − lo) / max(|lo|, |hi|), or 0 for [0, 0].
fn relative_width((lo, hi): &Interval) -> Q {
    let scale = lo.abs().max(hi.abs());
    if scale.is_zero() {
        Q::zero()
    } else {
        (hi - lo) / scale
    }
}

/// Decide `l op r` for intervals: `<` needs hi(l) < lo(r); `=` needs both exact and equal, or
/// overlapping intervals each of relative width ≤ `tol`; `≠` needs disjoint intervals.
fn decide(l: &Interval, op: Op, r: &Interval, tol: &Q) -> Part {
    let ((llo, lhi), (rlo, rhi)) = (l, r);
    match op {
        Op::Lt => {
            let ok = lhi < rlo;
            (
                ok,
                format!(
                    "hi(lhs) = {lhi} {} lo(rhs) = {rlo}",
                    if ok { "<" } else { "≥" }
                ),
            )
        }
        Op::Le => le("hi(lhs)", lhi, "lo(rhs)", rlo),
        Op::Gt => {
            let ok = llo > rhi;
            (
                ok,
                format!(
                    "lo(lhs) = {llo} {} hi(rhs) = {rhi}",
                    if ok { ">" } else { "≤" }
                ),
            )
        }
        Op::Ge => ge("lo(lhs)", llo, "hi(rhs)", rhi),
        Op::Ne => {
            let ok = lhi < rlo || rhi < llo;
            let text = if ok {
                "the intervals are disjoint"
            } else {
                "the intervals overlap"
            };
            (ok, text.to_string())
        }
        Op::Eq => {
            if llo == lhi && rlo == rhi {
                let ok = llo == rlo;
                let sym = if ok { "=" } else { "≠" };
                return (ok, format!("exact: {llo} {sym} {rlo}"));
            }
            let overlap = llo <= rhi && rlo <= lhi;
            let (wl, wr) = (relative_width(l), relative_width(r));
            let ok = overlap && &wl <= tol && &wr <= tol;
            (
                ok,
                format!(
                    "intervals {}; relative widths {wl} and {wr} {} tolerance {tol}",
                    if overlap { "overlap" } else { "are disjoint" },
                    if &wl <= tol && &wr <= tol {
                        "≤"
                    } else {
                        "exceed"
                    }
                ),
            )
        }
    }
}

/// The polynomial of a leaf and the checks that its value is that polynomial's only root in the
/// leaf's interval: λ_max(M) of a stated enclosure that is not a point is the largest root of
/// p = the square-free part of det(xI − M) (M symmetric, so every root is real), shown by one
/// root of p in [a, b] and none above b; an exact quantity (lo = hi, proven by its own line) is
/// the root of d·x − n with the interval [q, q]; the KP-min value L·s^((L−1)/L) of a leaf s is a
/// root of the power polynomial of s's, and lies in [c, d] when c ≥ 0, c^L ≤ L^L·s_lo^(L−1) and
/// d^L ≥ L^L·s_hi^(L−1) (t ↦ t^((L−1)/L) is monotone), where it must be the only root.
fn leaf_poly(
    name: &str,
    proof: &AlgebraicProof,
    all: &BTreeMap<String, Quantity>,
    land: &Landscape,
    parts: &mut Vec<Part>,
) -> Option<P> {
    let Some(iv) = proof.leaves.get(name) else {
        parts.push((
            false,
            format!("leaf {name} has no interval in algebraic.leaves"),
        ));
        return None;
    };
    let (a, b) = iv;
    let q = &all[name];
    let (lo, hi) = &q.enclosure;
    if lo == hi {
        let ok = a == lo && b == lo;
        parts.push((ok, format!("{name} = {lo} exactly, interval [{a}, {b}]")));
        let p = P::from_ints(&[-lo.numer().clone(), lo.denom().clone()]);
        return ok.then_some(p);
    }
    let p = match &q.kind {
        QuantityKind::LambdaMax { matrix, .. } => {
            let m = matrix.build(land);
            let rows: Vec<Vec<Q>> = (0..m.rows())
                .map(|i| (0..m.cols()).map(|j| m.at(i, j).clone()).collect())
                .collect();
            match algebraic::charpoly(&rows) {
                Ok(c) => algebraic::square_free(&c),
                Err(e) => {
                    parts.push((false, format!("{name}: {e}")));
                    return None;
                }
            }
        }
        QuantityKind::MinSharpness { of } => {
            let s = leaf_poly(of, proof, all, land, parts)?;
            let (s_lo, s_hi) = &proof.leaves[of];
            let l = land.net.depth();
            let lq = Q::from_integer((l as i64).into());
            let ll = pow(&lq, l);
            let ok = !s_lo.is_negative()
                && !a.is_negative()
                && pow(a, l) <= &ll * pow(s_lo, l - 1)
                && pow(b, l) >= &ll * pow(s_hi, l - 1);
            parts.push((
                ok,
                format!("{name} = L·{of}^((L−1)/L) lies in [{a}, {b}] (L = {l}, {of} ∈ [{s_lo}, {s_hi}])"),
            ));
            if !ok {
                return None;
            }
            match algebraic::power(&s, l - 1, l, &lq) {
                Ok(p) => p,
                Err(e) => {
                    parts.push((false, format!("{name}: {e}")));
                    return None;
                }
            }
        }
        _ => {
            parts.push((
                false,
                format!("{name}: no algebraic form for this quantity"),
            ));
            return None;
        }
    };
    let n = algebraic::roots_in(&p, a, b);
    let top = matches!(q.kind, QuantityKind::LambdaMax { .. });
    let above = if top {
        algebraic::roots_above(&p, b)
    } else {
        0
    };
    let ok = n == 1 && above == 0;
    parts.push((
        ok,
        format!(
            "{name}: the square-free polynomial of degree {} has {n} root(s) in [{a}, {b}]{}",
            p.0.len().saturating_sub(1),
            if top {
                format!(" and {above} above (λ_max is its largest root)")
            } else {
                String::new()
            }
        ),
    ));
    ok.then_some(p)
}

/// Check one side: rebuild its polynomial from the leaves' (products of the factors from the
/// left, then sums of the terms, each square-free), compare with the stated one, and show that
/// its value is the only root in the interval arithmetic C of the leaves' intervals and lies in
/// the stated interval J. Returns (polynomial, J ∩ C).
fn algebraic_side(
    label: &str,
    e: &Expr,
    side: &AlgebraicSide,
    leaves: &BTreeMap<String, P>,
    proof: &AlgebraicProof,
    parts: &mut Vec<Part>,
) -> Option<(P, Interval)> {
    let mut poly: Option<P> = None;
    let (mut lo, mut hi) = (Q::zero(), Q::zero());
    for t in e {
        let mut tp: Option<P> = None;
        let (mut tlo, mut thi) = (Q::one(), Q::one());
        for n in t {
            let (a, b) = &proof.leaves[n];
            if t.len() > 1 && a.is_negative() {
                parts.push((false, format!("{label}: factor {n} may be negative")));
                return None;
            }
            tlo *= a;
            thi *= b;
            let f = &leaves[n];
            tp = Some(match tp {
                None => f.clone(),
                Some(p) => match algebraic::product(&p, f) {
                    Ok(p) => p,
                    Err(e) => {
                        parts.push((false, format!("{label}: {e}")));
                        return None;
                    }
                },
            });
        }
        lo += tlo;
        hi += thi;
        let tp = tp?;
        poly = Some(match poly {
            None => tp,
            Some(p) => match algebraic::sum(&p, &tp) {
                Ok(p) => p,
                Err(e) => {
                    parts.push((false, format!("{label}: {e}")));
                    return None;
                }
            },
        });
    }
    let p = poly?;
    let same = algebraic::same(&p, &side.poly);
    parts.push((
        same,
        format!(
            "{label}: polynomial recomputed{}",
            if same {
                " and equal to the stated one"
            } else {
                ", differs from the stated one"
            }
        ),
    ));
    let c = (lo, hi);
    let c_ok = side.leaf_interval == c;
    parts.push((c_ok, format!("{label}: leaf interval [{}, {}]", c.0, c.1)));
    let k = (
        (&side.interval.0).max(&c.0).clone(),
        (&side.interval.1).min(&c.1).clone(),
    );
    let in_c = algebraic::roots_in(&p, &c.0, &c.1);
    let in_k = if k.0 <= k.1 {
        algebraic::roots_in(&p, &k.0, &k.1)
    } else {
        0
    };
    let ok = in_c == 1 && in_k == 1;
    parts.push((
        ok,
        format!(
            "{label}: {in_c} root(s) in the leaf interval, {in_k} in its intersection [{}, {}] with the stated interval",
            k.0, k.1
        ),
    ));
    (same && c_ok && ok).then_some((p, k))
}

/// A relation decided between real algebraic numbers: the sides' values v_l, v_r lie in K_l, K_r
/// (each the only root of its polynomial there, [`algebraic_side`]); `<` needs hi(K_l) < lo(K_r);
/// `=` needs a root of g = gcd(p_l, p_r) in K_l ∩ K_r (it is a root of p_l in K_l, so v_l, and
/// likewise v_r); `≠` needs disjoint intervals; `≤`, `≥` either.
fn decide_algebraic(
    lhs: &Expr,
    op: Op,
    rhs: &Expr,
    proof: &AlgebraicProof,
    all: &BTreeMap<String, Quantity>,
    land: &Landscape,
) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut leaves = BTreeMap::new();
    for n in lhs.iter().chain(rhs).flatten() {
        if leaves.contains_key(n) {
            continue;
        }
        match leaf_poly(n, proof, all, land, &mut parts) {
            Some(p) => {
                leaves.insert(n.clone(), p);
            }
            None => return parts,
        }
    }
    let l = algebraic_side("lhs", lhs, &proof.lhs, &leaves, proof, &mut parts);
    let r = algebraic_side("rhs", rhs, &proof.rhs, &leaves, proof, &mut parts);
    let (Some((pl, kl)), Some((pr, kr))) = (l, r) else {
        return parts;
    };
    let g = algebraic::gcd(&pl, &pr);
    let g_ok = algebraic::same(&g, &proof.gcd);
    parts.push((
        g_ok,
        format!(
            "gcd recomputed{}",
            if g_ok {
                " and equal to the stated one"
            } else {
                ", differs from the stated one"
            }
        ),
    ));
    if !g_ok {
        return parts;
    }
    let order = algebraic::order(&kl, &kr);
    let equal = || {
        let (a, b) = ((&kl.0).max(&kr.0), (&kl.1).min(&kr.1));
        a <= b && algebraic::roots_in(&g, a, b) >= 1
    };
    let ok = match op {
        Op::Lt => order == Some(Ordering::Less),
        Op::Gt => order == Some(Ordering::Greater),
        Op::Ne => order.is_some(),
        Op::Eq => equal(),
        Op::Le => order == Some(Ordering::Less) || equal(),
        Op::Ge => order == Some(Ordering::Greater) || equal(),
    };
    parts.push((
        ok,
        format!(
            "lhs ∈ [{}, {}], rhs ∈ [{}, {}] as algebraic numbers: {} {} {}",
            kl.0,
            kl.1,
            kr.0,
            kr.1,
            "lhs",
            op.symbol(),
            "rhs"
        ),
    ));
    parts
}

fn check_assertion(
    i: usize,
    a: &Assertion,
    all: &BTreeMap<String, Quantity>,
    land: &Landscape,
) -> CheckLine {
    let net = &land.net;
    let f = land.loss();
    let (what, parts) = match a {
        Assertion::Relation {
            lhs,
            op,
            rhs,
            tolerance,
            algebraic,
        } => {
            let (l, mut bad) = eval(lhs, all);
            let (r, bad_r) = eval(rhs, all);
            bad.extend(bad_r);
            let mut parts: Vec<Part> = bad.into_iter().map(|b| (false, b)).collect();
            parts.push((
                true,
                format!("lhs ∈ [{}, {}], rhs ∈ [{}, {}]", l.0, l.1, r.0, r.1),
            ));
            if tolerance.is_positive() {
                parts.push((
                    false,
                    format!(
                        "tolerance {tolerance} > 0: the format allows none, since an equality \
                         within a tolerance is not a proof"
                    ),
                ));
            }
            match algebraic {
                None => parts.push(decide(&l, *op, &r, tolerance)),
                Some(proof) => parts.extend(decide_algebraic(lhs, *op, rhs, proof, all, land)),
            }
            (
                format!(
                    "relation: {} {} {}",
                    expr_text(lhs),
                    op.symbol(),
                    expr_text(rhs)
                ),
                parts,
            )
        }
        Assertion::Critical => {
            let g = land.gradient();
            let nonzero: Vec<usize> = (0..g.len()).filter(|&a| !g[a].is_zero()).collect();
            let part = match nonzero.first() {
                None => (true, format!("all {} entries of ∇f are 0", g.len())),
                Some(&a) => {
                    let (k, r, c) = net.locate(a);
                    (
                        false,
                        format!(
                            "∂f/∂weights[{}][{r}][{c}] = {} ≠ 0 ({} of {} entries nonzero)",
                            k - 1,
                            g[a],
                            nonzero.len(),
                            g.len()
                        ),
                    )
                }
            };
            ("critical: ∇f = 0".to_string(), vec![part])
        }
        Assertion::Loss(q) => (format!("loss = {q}"), vec![eq("f", f, "value", q)]),
        Assertion::LossAbove(q) => {
            let ok = f > q;
            let sym = if ok { ">" } else { "≤" };
            (
                format!("loss > {q}"),
                vec![(ok, format!("f = {f} {sym} value = {q}"))],
            )
        }
        Assertion::NegativeCurvature { direction, value } => {
            let c = land.curvature(direction);
            (
                format!("negative curvature vᵀ∇²f v = {value} < 0"),
                vec![
                    eq("vᵀ∇²f v", &c, "value", value),
                    (
                        value.is_negative(),
                        format!(
                            "value = {value} {} 0",
                            if value.is_negative() { "<" } else { "≥" }
                        ),
                    ),
                ],
            )
        }
        Assertion::HessianPsd => {
            let h = land.hessian();
            let d = classify(h);
            (
                "∇²f ⪰ 0".to_string(),
                vec![(d.is_psd(), format!("∇²f {}", d.describe(h.rows())))],
            )
        }
        Assertion::DescentCurve {
            direction,
            coefficients,
        } => {
            let curve = land.curve(direction);
            let actual = &curve[1..];
            let n = actual.len().max(coefficients.len());
            let zero = Q::zero();
            let mut mismatches = Vec::new();
            for j in 0..n {
                let a = actual.get(j).unwrap_or(&zero);
                let c = coefficients.get(j).unwrap_or(&zero);
                if a != c {
                    mismatches.push(format!("c_{} = {a}, not {c}", j + 1));
                }
            }
            let mut parts = vec![if mismatches.is_empty() {
                (
                    true,
                    format!("f(θ + tV) − f(θ) = {} exactly", poly_text(actual)),
                )
            } else {
                (
                    false,
                    format!(
                        "f(θ + tV) − f(θ) = {}: {}",
                        poly_text(actual),
                        mismatches.join(", ")
                    ),
                )
            }];
            parts.push(match coefficients.iter().position(|c| !c.is_zero()) {
                None => (false, "no nonzero coefficient".to_string()),
                Some(j) => {
                    let c = &coefficients[j];
                    let ok = c.is_negative();
                    (
                        ok,
                        format!(
                            "lowest nonzero coefficient c_{} = {c} {} 0",
                            j + 1,
                            if ok { "<" } else { ">" }
                        ),
                    )
                }
            });
            ("descent curve along V".to_string(), parts)
        }
        Assertion::Balancedness => {
            let g = land.gradient_matrices();
            let w = &net.weights;
            let mut parts = Vec::new();
            for k in 1..net.depth() {
                // W_{k+1}ᵀ ∇_{k+1} f and ∇_k f W_kᵀ (k 1-based → indices k and k−1).
                let lhs = w[k].transpose().mul(&g[k]);
                let rhs = g[k - 1].mul(&w[k - 1].transpose());
                if lhs != rhs {
                    let (r, c) = (0..lhs.rows())
                        .flat_map(|r| (0..lhs.cols()).map(move |c| (r, c)))
                        .find(|&(r, c)| lhs.at(r, c) != rhs.at(r, c))
                        .expect("matrices differ");
                    parts.push((
                        false,
                        format!(
                            "k = {k}: entry ({r}, {c}) is {} on the left, {} on the right",
                            lhs.at(r, c),
                            rhs.at(r, c)
                        ),
                    ));
                }
            }
            if parts.is_empty() {
                let l = net.depth();
                let text = if l == 1 {
                    "vacuous for L = 1".to_string()
                } else {
                    format!("holds exactly for k = 1 … {} (L = {l})", l - 1)
                };
                parts.push((true, text));
            }
            (
                "identity balancedness: W_(k+1)ᵀ∇_(k+1)f = ∇_kf W_kᵀ".to_string(),
                parts,
            )
        }
    };
    line(format!("assertion {i}: {what}"), parts)
}

/// `c_1 t + c_2 t² + …` with zero terms left out (`0` when all are zero).
fn poly_text(c: &[Q]) -> String {
    let terms: Vec<String> = c
        .iter()
        .enumerate()
        .filter(|(_, x)| !x.is_zero())
        .map(|(j, x)| match j + 1 {
            1 => format!("({x})·t"),
            p => format!("({x})·t^{p}"),
        })
        .collect();
    if terms.is_empty() {
        "0".to_string()
    } else {
        terms.join(" + ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rational::parse_exact;

    fn iv(a: &str, b: &str) -> Interval {
        (parse_exact(a).unwrap(), parse_exact(b).unwrap())
    }

    #[test]
    fn intervals_decide_relations() {
        let z = Q::zero();
        let tol = parse_exact("1/100").unwrap();
        assert!(decide(&iv("1", "2"), Op::Lt, &iv("3", "4"), &z).0);
        assert!(!decide(&iv("1", "3"), Op::Lt, &iv("3", "4"), &z).0);
        assert!(decide(&iv("1", "3"), Op::Le, &iv("3", "4"), &z).0);
        assert!(!decide(&iv("1", "7/2"), Op::Le, &iv("3", "4"), &z).0);
        assert!(decide(&iv("5", "6"), Op::Gt, &iv("3", "4"), &z).0);
        assert!(!decide(&iv("4", "6"), Op::Gt, &iv("3", "4"), &z).0);
        assert!(decide(&iv("4", "6"), Op::Ge, &iv("3", "4"), &z).0);
        assert!(decide(&iv("1", "2"), Op::Ne, &iv("3", "4"), &z).0);
        assert!(decide(&iv("5", "6"), Op::Ne, &iv("3", "4"), &z).0);
        assert!(!decide(&iv("1", "3"), Op::Ne, &iv("3", "4"), &z).0);
        // = : exact and equal; exact and different; overlapping and narrow; wide; disjoint.
        assert!(decide(&iv("7/3", "7/3"), Op::Eq, &iv("7/3", "7/3"), &z).0);
        assert!(!decide(&iv("2", "2"), Op::Eq, &iv("3", "3"), &tol).0);
        assert!(decide(&iv("100", "100"), Op::Eq, &iv("99", "100"), &tol).0);
        assert!(!decide(&iv("100", "100"), Op::Eq, &iv("99", "100"), &z).0);
        assert!(!decide(&iv("100", "100"), Op::Eq, &iv("98", "100"), &tol).0);
        assert!(!decide(&iv("101", "101"), Op::Eq, &iv("99", "100"), &tol).0);
        // negative ends: width relative to max(|lo|, |hi|)
        assert_eq!(
            relative_width(&iv("-100", "-99")),
            parse_exact("1/100").unwrap()
        );
        assert_eq!(relative_width(&iv("0", "0")), Q::zero());
    }

    #[test]
    fn expressions_multiply_then_add() {
        let mut all = BTreeMap::new();
        for (name, lo, hi) in [
            ("a", "10", "11"),
            ("b", "2", "3"),
            ("c", "1", "2"),
            ("d", "1/2", "1"),
        ] {
            all.insert(
                name.to_string(),
                Quantity {
                    name: name.to_string(),
                    enclosure: iv(lo, hi),
                    kind: QuantityKind::TraceHessian,
                },
            );
        }
        let e: Expr = vec![vec!["b".into(), "c".into()], vec!["d".into()]];
        let ((lo, hi), bad) = eval(&e, &all);
        assert!(bad.is_empty());
        assert_eq!((lo, hi), iv("5/2", "7"));
        // a ∈ [10, 11] vs b·c + d ∈ [5/2, 7]
        let a: Expr = vec![vec!["a".into()]];
        let (ia, _) = eval(&a, &all);
        let (ie, _) = eval(&e, &all);
        assert!(!decide(&ia, Op::Le, &ie, &Q::zero()).0);
        assert!(decide(&ia, Op::Gt, &ie, &Q::zero()).0);
        assert_eq!(
            pow(&parse_exact("-2/3").unwrap(), 3),
            parse_exact("-8/27").unwrap()
        );
        assert_eq!(pow(&parse_exact("5").unwrap(), 0), Q::one());
    }
}
