//! Property tests of the [ZL] models and inequalities at random small rational points:
//! - the pointwise gradient-dominance inequalities (ZL-gd-linear, -residual, -nonlinear) hold with
//!   the certified lower σ_min brackets, i.e. (f − f*)·D_lo ≤ ‖∇f‖² exactly (D_lo ≤ D, so this is
//!   implied by the claim and fails if the loss, gradient, brackets or D are wrong);
//! - the residual network at A = W − I equals the linear network at W exactly (loss, gradient,
//!   Hessian);
//! - the leaky-ReLU network with slope 1 equals the depth-2 linear network exactly (loss,
//!   gradient, Hessian).
//!
//! Points are seeded from quickcheck's generator; entries are p/q with |p| ≤ 4, 1 ≤ q ≤ 4.

use dlncheck::certify::sigma::bracket;
use dlncheck::claims::zl::gd::{denominator_bracket, factors};
use dlncheck::enumerate::minimizers::{random_invertible, target_map};
use dlncheck::linalg::mat::{self, Mat};
use dlncheck::linalg::Exact;
use dlncheck::model::zl::{Net, ZlProblem};
use dlncheck::model::{linear, one_hidden, residual};
use num_rational::BigRational;
use num_traits::{One, Zero};
use quickcheck::{Arbitrary, Gen, QuickCheck};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

type Q = BigRational;

/// A seed and the sizes of a random problem.
#[derive(Clone, Debug)]
struct Draw {
    seed: u64,
    width: usize,
    depth: usize,
}

impl Arbitrary for Draw {
    fn arbitrary(g: &mut Gen) -> Self {
        Draw {
            seed: u64::arbitrary(g),
            width: 1 + usize::arbitrary(g) % 3,
            depth: 1 + usize::arbitrary(g) % 3,
        }
    }
}

fn small(rng: &mut impl Rng) -> Q {
    Q::new(
        rng.gen_range(-4i64..=4).into(),
        rng.gen_range(1i64..=4).into(),
    )
}

fn random(rng: &mut impl Rng, r: usize, c: usize) -> Mat<Q> {
    Mat::from_fn(r, c, |_, _| small(rng))
}

/// (f − f*)·D_lo ≤ ‖∇f‖² at the point, with D_lo from the certified lower brackets.
fn inequality_holds(pb: &ZlProblem, p: &[Mat<Q>]) -> bool {
    let (l, g) = pb.loss_and_gradient(&Exact, p);
    let gap = l - &pb.f_star;
    let gsq: Q = g.iter().map(|m| mat::frob2(&Exact, m)).sum();
    let sig: Vec<_> = factors(pb, p).iter().map(bracket).collect();
    let x_sigma = bracket(&pb.x.transpose());
    let (dlo, dhi) = denominator_bracket(pb, &x_sigma, &sig, &vec![Q::zero(); sig.len()]);
    dlo <= dhi && gap >= Q::zero() && gap * dlo <= gsq
}

#[test]
fn pointwise_gradient_dominance_holds_at_random_rational_points() {
    fn prop(d: Draw) -> bool {
        let mut rng = ChaCha8Rng::seed_from_u64(d.seed);
        let w = d.width;
        // X: w × (w + 1) with full row rank (an invertible block and a random column)
        let (g, _) = random_invertible(&mut rng, w);
        let extra = random(&mut rng, w, 1);
        let x = Mat::from_fn(w, w + 1, |i, j| {
            if j < w {
                g.at(i, j).clone()
            } else {
                extra.at(i, 0).clone()
            }
        });
        let y = random(&mut rng, w, w + 1);
        let phi = target_map(&x, &y).expect("full row rank");
        let r = mat::sub(&Exact, &mat::matmul(&Exact, &phi, &x), &y);
        let f_star = mat::frob2(&Exact, &r) / Q::from_integer(2.into());
        let point: Vec<Mat<Q>> = (0..d.depth).map(|_| random(&mut rng, w, w)).collect();
        let linear_pb = ZlProblem {
            net: Net::Linear { phi: phi.clone() },
            x: x.clone(),
            y: y.clone(),
            f_star: f_star.clone(),
            width: w,
            depth: d.depth,
        };
        let residual_pb = ZlProblem {
            net: Net::Residual { phi },
            ..linear_pb.clone()
        };
        // nonlinear: X square invertible, f* = 0 (the bound f ≤ ‖∇f‖²/D holds for any Y)
        let (xs, _) = random_invertible(&mut rng, w);
        let slope = Q::new(rng.gen_range(1i64..=4).into(), 4.into());
        let nonlinear_pb = ZlProblem {
            net: Net::OneHidden { slope },
            x: xs,
            y: random(&mut rng, w, w),
            f_star: Q::zero(),
            width: w,
            depth: 2,
        };
        let two: Vec<Mat<Q>> = (0..2).map(|_| random(&mut rng, w, w)).collect();
        inequality_holds(&linear_pb, &point)
            && inequality_holds(&residual_pb, &point)
            && inequality_holds(&nonlinear_pb, &two)
    }
    QuickCheck::new()
        .tests(60)
        .quickcheck(prop as fn(Draw) -> bool);
}

#[test]
fn residual_with_a_equal_w_minus_i_is_the_linear_network_exactly() {
    fn prop(d: Draw) -> bool {
        let mut rng = ChaCha8Rng::seed_from_u64(d.seed);
        let w: Vec<Mat<Q>> = (0..d.depth)
            .map(|_| random(&mut rng, d.width, d.width))
            .collect();
        let x = random(&mut rng, d.width, d.width + 1);
        let y = random(&mut rng, d.width, d.width + 1);
        let a = residual::parameters(&Exact, &w);
        let ev = linear::evaluate(&Exact, &w, &x, &y);
        residual::loss(&Exact, &a, &x, &y) == linear::loss(&Exact, &ev)
            && residual::gradient(&Exact, &a, &x, &y) == linear::gradient(&Exact, &ev)
            && residual::hessian(&Exact, &a, &x, &y) == linear::hessian(&Exact, &w, &ev)
            && residual::layers(&Exact, &a) == w
    }
    QuickCheck::new()
        .tests(60)
        .quickcheck(prop as fn(Draw) -> bool);
}

#[test]
fn leaky_relu_with_slope_one_is_the_depth_two_linear_network_exactly() {
    fn prop(d: Draw) -> bool {
        let mut rng = ChaCha8Rng::seed_from_u64(d.seed);
        let (d0, d1, d2) = (d.width, d.depth + 1, 1 + d.seed as usize % 3);
        let w = vec![random(&mut rng, d1, d0), random(&mut rng, d2, d1)];
        let x = random(&mut rng, d0, 3);
        let y = random(&mut rng, d2, 3);
        let one = Q::one();
        let nev = one_hidden::evaluate(&Exact, &w, &one, &x, &y);
        let lev = linear::evaluate(&Exact, &w, &x, &y);
        one_hidden::loss(&Exact, &nev) == linear::loss(&Exact, &lev)
            && one_hidden::gradient(&Exact, &w, &x, &nev) == linear::gradient(&Exact, &lev)
            && one_hidden::hessian(&Exact, &w, &one, &x, &nev)
                == Some(linear::hessian(&Exact, &w, &lev))
    }
    QuickCheck::new()
        .tests(60)
        .quickcheck(prop as fn(Draw) -> bool);
}
