//! Oracles independent of the code under test: minimal polynomials known in closed form,
//! determinants by plain Gaussian elimination, roots placed by construction.

use super::charpoly::{charpoly, companion_of, power_poly, product_poly, sum_poly};
use super::*;
use crate::mat::Mat;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};
use std::cmp::Ordering;

fn q(n: i64, d: i64) -> BigRational {
    BigRational::new(n.into(), d.into())
}

fn mat(n: usize, v: &[(i64, i64)]) -> Mat<BigRational> {
    Mat::from_vec(n, n, v.iter().map(|&(a, b)| q(a, b)).collect())
}

fn ints(n: usize, v: &[i64]) -> Mat<BigRational> {
    Mat::from_vec(n, n, v.iter().map(|&a| q(a, 1)).collect())
}

/// det(M) by Gaussian elimination over ℚ with row swaps, written here for the oracle.
fn det(m: &Mat<BigRational>) -> BigRational {
    let n = m.rows();
    let mut a: Vec<Vec<BigRational>> = (0..n)
        .map(|i| (0..n).map(|j| m.at(i, j).clone()).collect())
        .collect();
    let mut d = BigRational::one();
    for c in 0..n {
        let Some(p) = (c..n).find(|&r| !a[r][c].is_zero()) else {
            return BigRational::zero();
        };
        if p != c {
            a.swap(p, c);
            d = -d;
        }
        d *= &a[c][c];
        for r in c + 1..n {
            let f = &a[r][c] / &a[c][c];
            let (top, bottom) = a.split_at_mut(r);
            for (x, y) in bottom[0][c..].iter_mut().zip(&top[c][c..]) {
                *x -= &f * y;
            }
        }
    }
    d
}

fn caps() -> Caps {
    Caps::default()
}

#[test]
fn charpoly_agrees_with_determinants_at_rationals() {
    let a = mat(
        4,
        &[
            (1, 2),
            (3, 1),
            (0, 1),
            (-2, 7),
            (5, 3),
            (-1, 1),
            (4, 9),
            (1, 1),
            (0, 1),
            (2, 5),
            (7, 1),
            (-3, 2),
            (1, 11),
            (0, 1),
            (1, 3),
            (2, 1),
        ],
    );
    let p = charpoly(&a, &caps()).unwrap();
    assert_eq!(p.degree(), Some(4));
    // p is a constant multiple c of det(xI − A); find c at x = 0 … and check elsewhere
    let at = |x: &BigRational| {
        let m = Mat::from_fn(4, 4, |i, j| {
            let e = if i == j {
                x.clone()
            } else {
                BigRational::zero()
            };
            e - a.at(i, j)
        });
        det(&m)
    };
    let c = p.eval(&q(0, 1)) / at(&q(0, 1));
    for x in [q(1, 1), q(-3, 2), q(7, 5), q(100, 1), q(-1, 9)] {
        assert_eq!(p.eval(&x), &c * at(&x), "x = {x}");
    }
}

#[test]
fn sturm_counts_roots_placed_by_construction() {
    // (x − 1)(x − 2)(x − 3)(2x + 1)
    let p = Poly::from_i64(&[-1, 1])
        .mul(&Poly::from_i64(&[-2, 1]))
        .mul(&Poly::from_i64(&[-3, 1]))
        .mul(&Poly::from_i64(&[1, 2]));
    let s = Sturm::new(&p);
    assert_eq!(s.count_closed(&q(-10, 1), &q(10, 1)), 4);
    assert_eq!(s.count_closed(&q(1, 1), &q(3, 1)), 3);
    assert_eq!(s.count_half_open(&q(1, 1), &q(3, 1)), 2);
    assert_eq!(s.count_closed(&q(-1, 2), &q(-1, 2)), 1);
    assert_eq!(s.count_closed(&q(3, 2), &q(5, 2)), 1);
    assert_eq!(s.count_above(&q(2, 1)), 1);
    assert_eq!(s.count_above(&q(-1, 1)), 4);
    // the square of it has the same distinct roots; square-free part recovers p
    let sq = p.mul(&p);
    assert_eq!(sq.square_free(), p.primitive());
    assert_eq!(
        p.gcd(&Poly::from_i64(&[-2, 1]).mul(&Poly::from_i64(&[5, 1]))),
        Poly::from_i64(&[-2, 1])
    );
}

#[test]
fn sqrt2_plus_sqrt3_has_its_minimal_polynomial() {
    let s = sum_poly(
        &Poly::from_i64(&[-2, 0, 1]),
        &Poly::from_i64(&[-3, 0, 1]),
        &caps(),
    )
    .unwrap();
    assert_eq!(s, Poly::from_i64(&[1, 0, -10, 0, 1]));
    // √2·√3 = √6: roots of x² − 6 (twice each: the square-free part)
    let p = product_poly(
        &Poly::from_i64(&[-2, 0, 1]),
        &Poly::from_i64(&[-3, 0, 1]),
        &caps(),
    )
    .unwrap();
    assert_eq!(p, Poly::from_i64(&[-6, 0, 1]));
    // the companion matrix's characteristic polynomial is the polynomial itself
    let c = companion_of(&Poly::from_i64(&[5, -1, 0, 3]));
    assert_eq!(
        charpoly(&c, &caps()).unwrap(),
        Poly::from_i64(&[5, -1, 0, 3])
    );
}

#[test]
fn golden_ratio_squared_minus_itself_is_one() {
    let phi = RealAlgebraic::new(&Poly::from_i64(&[-1, -1, 1]), q(1, 1), q(2, 1)).unwrap();
    let mut leaves = vec![phi.clone(), phi.clone(), phi.scale(&q(-1, 1))];
    let mut x = sum_of_products(&mut leaves, &[vec![0, 1], vec![2]], &caps()).unwrap();
    let mut one = RealAlgebraic::rational(&q(1, 1));
    assert_eq!(x.cmp(&mut one, &caps()), Ok(Ordering::Equal));
    // and it is not 1 + 2^-200
    let mut near =
        RealAlgebraic::rational(&(q(1, 1) + BigRational::new(BigInt::one(), BigInt::one() << 200)));
    assert_eq!(x.cmp(&mut near, &caps()), Ok(Ordering::Less));
    // (φ²)^(1/2) = φ; φ^(2/1) = φ + 1
    let mut phi2 = RealAlgebraic::new(&Poly::from_i64(&[1, -3, 1]), q(2, 1), q(3, 1)).unwrap();
    let mut root = phi2.pow_ratio(1, 2, &caps()).unwrap();
    let mut p = phi.clone();
    assert_eq!(root.cmp(&mut p, &caps()), Ok(Ordering::Equal));
    let mut sq = phi.clone().pow_ratio(2, 1, &caps()).unwrap();
    let mut leaves = vec![phi.clone(), RealAlgebraic::rational(&q(1, 1))];
    let mut sum = sum_of_products(&mut leaves, &[vec![0], vec![1]], &caps()).unwrap();
    assert_eq!(sq.cmp(&mut sum, &caps()), Ok(Ordering::Equal));
    // 3·(2)^(2/3) against 3·4^(1/3): equal; against 3·(4 + 2^-90)^(1/3): less
    let mut a = RealAlgebraic::rational(&q(2, 1))
        .pow_ratio(2, 3, &caps())
        .unwrap()
        .scale(&q(3, 1));
    let mut b = RealAlgebraic::rational(&q(4, 1))
        .pow_ratio(1, 3, &caps())
        .unwrap()
        .scale(&q(3, 1));
    assert_eq!(a.cmp(&mut b, &caps()), Ok(Ordering::Equal));
    let four = q(4, 1) + BigRational::new(BigInt::one(), BigInt::one() << 90);
    let mut c = RealAlgebraic::rational(&four)
        .pow_ratio(1, 3, &caps())
        .unwrap()
        .scale(&q(3, 1));
    assert_eq!(a.cmp(&mut c, &caps()), Ok(Ordering::Less));
    assert!(power_poly(&Poly::from_i64(&[-2, 1]), 1, 2, &caps()).is_ok());
}

/// R·A·Rᵀ for the rational rotation R = (3/5, −4/5; 4/5, 3/5) on the first two coordinates.
fn rotate(a: &Mat<BigRational>) -> Mat<BigRational> {
    let n = a.rows();
    let r = Mat::from_fn(n, n, |i, j| match (i, j) {
        (0, 0) | (1, 1) => q(3, 5),
        (0, 1) => q(-4, 5),
        (1, 0) => q(4, 5),
        _ if i == j => q(1, 1),
        _ => q(0, 1),
    });
    let mul = |x: &Mat<BigRational>, y: &Mat<BigRational>| {
        Mat::from_fn(n, n, |i, j| (0..n).map(|k| x.at(i, k) * y.at(k, j)).sum())
    };
    mul(&mul(&r, a), &r.transpose())
}

#[test]
fn matrices_with_the_same_irrational_top_eigenvalue_are_equal() {
    // [[2,1],[1,1]]: λ_max = (3 + √5)/2; the 3 × 3 matrix diag([[2,1],[1,1]], 1) rotated has it too
    let a = ints(2, &[2, 1, 1, 1]);
    let b = rotate(&ints(3, &[2, 1, 0, 1, 1, 0, 0, 0, 1]));
    let mut x = RealAlgebraic::top_eigenvalue(&a, &q(2, 1), &q(3, 1), &caps()).unwrap();
    // a deliberately wrong hint is widened
    let mut y = RealAlgebraic::top_eigenvalue(&b, &q(-5, 1), &q(0, 1), &caps()).unwrap();
    assert_eq!(x.cmp(&mut y, &caps()), Ok(Ordering::Equal));
    // oracle: (3 + √5)/2 lies in [lo, hi] ⇔ (2lo − 3)² ≤ 5 ≤ (2hi − 3)² with both sides ≥ 0
    let two = q(2, 1);
    let (l, h) = (&two * x.lo() - q(3, 1), &two * x.hi() - q(3, 1));
    assert!(&l * &l <= q(5, 1) || l < q(0, 1));
    assert!(&h * &h >= q(5, 1) && h > q(0, 1));
}

#[test]
fn near_misses_are_unequal_at_every_gap() {
    // λ_max((1 + 2^-k)·A) = (1 + 2^-k)·(3 + √5)/2, k up to 4 × 256
    let a = ints(2, &[2, 1, 1, 1]);
    let x = RealAlgebraic::top_eigenvalue(&a, &q(2, 1), &q(3, 1), &caps()).unwrap();
    for k in [1usize, 10, 53, 100, 256, 512, 1024] {
        let s = q(1, 1) + BigRational::new(BigInt::one(), BigInt::one() << k);
        let b = Mat::from_fn(2, 2, |i, j| a.at(i, j) * &s);
        let mut y = RealAlgebraic::top_eigenvalue(&b, &q(2, 1), &q(3, 1), &caps()).unwrap();
        let mut x = x.clone();
        assert_eq!(x.cmp(&mut y, &caps()), Ok(Ordering::Less), "k = {k}");
        assert_eq!(y.cmp(&mut x, &caps()), Ok(Ordering::Greater), "k = {k}");
    }
}

#[test]
fn caps_refuse_with_a_reason() {
    let big = Mat::from_fn(60, 60, |i, j| q((i + j) as i64, 1));
    assert!(matches!(
        charpoly(&big, &caps()),
        Err(AlgError::Order { n: 60, .. })
    ));
    let p = Poly::from_i64(&[-2, 0, 0, 0, 0, 1]);
    assert!(matches!(
        sum_poly(&p, &p, &caps()),
        Err(AlgError::Degree { degree: 25, .. })
    ));
}
