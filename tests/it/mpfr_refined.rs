//! `dlncheck sharpness --json` MPFR above the old dense MPFR limit (d_L·n = 320): a zero-loss
//! linear network with d_L·n = 576, whose λ_max is a known rational, refined matrix-free in
//! MPFR with a proven radius ("kp-operator-refined").
//!
//! The oracle. W_k = Q_k D_k Q_{k−1} and X = Q_0 with diagonal D_k = diag(a_{k,i}) and exactly
//! orthogonal rational Householder reflections Q_k = I − 2v_kv_kᵀ/(v_kᵀv_k) (Q_k = Q_kᵀ =
//! Q_k⁻¹), Y = W_L⋯W_1 X. The loss is invariant under W_k ↦ Q_kᵀW_kQ_{k−1}, X ↦ Q_0ᵀX, an
//! orthogonal change of the parameters, so ∇²f has the spectrum of the diagonal network
//! (D_k, X = I) at zero loss: ∇²f = JᵀJ, and there output entry (p, i) depends on W_k[q, r] only
//! for q = p, r = i, with ∂/∂W_k[p, i] = Π_{j>k} a_{j,p} Π_{j<k} a_{j,i}. So JJᵀ is diagonal and
//! λ_max = max_{p,i} Σ_k Π_{j>k} a_{j,p}² Π_{j<k} a_{j,i}², computed here in rationals.

use crate::common::{decimal, exact_mul, json_of, yaml_matrix};
use num_rational::BigRational as Q;
use num_traits::{One, Signed, Zero};

type M = Vec<Vec<Q>>;

fn q(n: i64, d: i64) -> Q {
    Q::new(n.into(), d.into())
}

fn householder(v: &[i64]) -> M {
    let vv: i64 = v.iter().map(|x| x * x).sum();
    let d = v.len();
    (0..d)
        .map(|i| {
            (0..d)
                .map(|j| {
                    let id = if i == j { Q::one() } else { Q::zero() };
                    id - q(2 * v[i] * v[j], vv)
                })
                .collect()
        })
        .collect()
}

#[test]
fn mpfr_above_the_dense_limit_encloses_a_known_rational_lambda_max() {
    let (l, d) = (3usize, 24usize);
    // a_{k,i}: 2 at i = 0 (so (p, i) = (0, 0) is the unique maximum), else in [1/4, 7/4]
    let a: Vec<Vec<Q>> = (0..l)
        .map(|k| {
            (0..d)
                .map(|i| {
                    if i == 0 {
                        q(2, 1)
                    } else {
                        q(1 + ((5 * i + 3 * k) % 7) as i64, 4)
                    }
                })
                .collect()
        })
        .collect();
    let qs: Vec<M> = (0..=l)
        .map(|k| {
            let v: Vec<i64> = (0..d as i64)
                .map(|i| (i * (2 * k as i64 + 3) + 1) % 5 - 2)
                .collect();
            householder(&v)
        })
        .collect();
    let diag = |k: usize| -> M {
        (0..d)
            .map(|i| {
                (0..d)
                    .map(|j| if i == j { a[k][i].clone() } else { Q::zero() })
                    .collect()
            })
            .collect()
    };
    let ws: Vec<M> = (0..l)
        .map(|k| exact_mul(&exact_mul(&qs[k + 1], &diag(k)), &qs[k]))
        .collect();
    let x = qs[0].clone();
    let y = ws.iter().fold(x.clone(), |z, w| exact_mul(w, &z));
    let dims = vec![d.to_string(); l + 1].join(", ");
    let weights: Vec<String> = ws
        .iter()
        .map(|w| format!("    - {}", yaml_matrix(w)))
        .collect();
    let text = format!(
        "version: 1\nname: mpfr-refined-L3-d24\nabout: rotated diagonal network, λ_max known\n\
         model: {{kind: linear, dims: [{dims}]}}\ndata:\n  x: {}\n  y: {}\npoint:\n  weights:\n{}\nchecks:\n  - {{claim: KP-exact}}\n",
        yaml_matrix(&x),
        yaml_matrix(&y),
        weights.join("\n")
    );
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case.yaml");
    std::fs::write(&case, text).unwrap();
    // the oracle
    let mut want = Q::zero();
    for p in 0..d {
        for i in 0..d {
            let mut s = Q::zero();
            for k in 0..l {
                let mut t = Q::one();
                for (j, aj) in a.iter().enumerate() {
                    if j > k {
                        t *= &aj[p] * &aj[p];
                    } else if j < k {
                        t *= &aj[i] * &aj[i];
                    }
                }
                s += t;
            }
            if s > want {
                want = s;
            }
        }
    }
    assert_eq!(want, q(48, 1));
    let r = json_of(&[
        "sharpness",
        case.to_str().unwrap(),
        "--json",
        "--no-certify",
    ]);
    assert_eq!(r["kp_dim"], 576);
    let m = &r["mpfr"];
    assert_eq!(m["via"], "kp-operator-refined", "{r}");
    assert_eq!(
        (m["proven"].as_bool(), m["separated"].as_bool()),
        (Some(true), Some(true))
    );
    let (lo, hi) = (
        decimal(m["lo"].as_str().unwrap()),
        decimal(m["hi"].as_str().unwrap()),
    );
    assert!(lo <= want && want <= hi, "{m}");
    let value = decimal(m["value"].as_str().unwrap());
    let radius = Q::from_float(m["radius"].as_f64().unwrap()).unwrap();
    assert!((value - &want).abs() <= radius, "{m}");
    // 256 bits on λ_max = 48: a radius below 10⁻⁶⁰ (~200 bits)
    assert!(radius < q(1, 1) / num_traits::pow(Q::from_integer(10.into()), 60));
    assert!(!radius.is_zero());
}
