//! Exact rational matrices stored as an integer matrix over one common denominator, M = N / D
//! (GMP integers through rug), for fast exact products: N_AB = N_A N_B and D_AB = D_A D_B, with
//! no gcd per operation (the generic [`super::mat::matmul`] over `BigRational` reduces every sum).
//! Used where long exact product chains are needed (zero-loss checks and Gram factors of deep
//! networks).

use super::field::{q_to_rug, rug_to_q};
use super::mat::Mat;
use num_rational::BigRational;
use rug::Integer;

/// M = N / D exactly, N row-major, D > 0.
#[derive(Clone, Debug)]
pub struct Scaled {
    rows: usize,
    cols: usize,
    num: Vec<Integer>,
    den: Integer,
}

impl Scaled {
    /// Exactly `m`, over the lcm of its denominators.
    pub fn from_q(m: &Mat<BigRational>) -> Self {
        let qs: Vec<rug::Rational> = m.as_slice().iter().map(q_to_rug).collect();
        let mut den = Integer::from(1);
        for q in &qs {
            den.lcm_mut(q.denom());
        }
        let num = qs
            .iter()
            .map(|q| Integer::from(&den / q.denom()) * q.numer())
            .collect();
        Scaled {
            rows: m.rows(),
            cols: m.cols(),
            num,
            den,
        }
    }

    /// The identity I_n.
    pub fn identity(n: usize) -> Self {
        let mut num = vec![Integer::new(); n * n];
        for i in 0..n {
            num[i * n + i] = Integer::from(1);
        }
        Scaled {
            rows: n,
            cols: n,
            num,
            den: Integer::from(1),
        }
    }

    /// The exact rational matrix (each entry reduced).
    pub fn to_q(&self) -> Mat<BigRational> {
        Mat::from_fn(self.rows, self.cols, |i, j| {
            rug_to_q(&rug::Rational::from((
                self.num[i * self.cols + j].clone(),
                self.den.clone(),
            )))
        })
    }

    /// A · B (`ta`: use Aᵀ; `tb`: use Bᵀ).
    fn product(a: &Scaled, ta: bool, b: &Scaled, tb: bool) -> Scaled {
        let (ar, ac) = if ta {
            (a.cols, a.rows)
        } else {
            (a.rows, a.cols)
        };
        let (br, bc) = if tb {
            (b.cols, b.rows)
        } else {
            (b.rows, b.cols)
        };
        assert_eq!(ac, br, "Scaled product: inner dimensions differ");
        let at = |i: usize, k: usize| {
            if ta {
                &a.num[k * a.cols + i]
            } else {
                &a.num[i * a.cols + k]
            }
        };
        let bt = |k: usize, j: usize| {
            if tb {
                &b.num[j * b.cols + k]
            } else {
                &b.num[k * b.cols + j]
            }
        };
        let mut num = vec![Integer::new(); ar * bc];
        for i in 0..ar {
            for k in 0..ac {
                let x = at(i, k);
                if *x == 0 {
                    continue;
                }
                for j in 0..bc {
                    num[i * bc + j] += x * bt(k, j);
                }
            }
        }
        Scaled {
            rows: ar,
            cols: bc,
            num,
            den: Integer::from(&a.den * &b.den),
        }
    }

    /// A · B
    pub fn matmul(&self, b: &Scaled) -> Scaled {
        Scaled::product(self, false, b, false)
    }
    /// Aᵀ · A
    pub fn gram_tn(&self) -> Scaled {
        Scaled::product(self, true, self, false)
    }
    /// A · Aᵀ
    pub fn gram_nt(&self) -> Scaled {
        Scaled::product(self, false, self, true)
    }

    /// The entries row-major in MPFR at `prec` bits, each N_ij rounded to nearest and then divided
    /// by D with one more correctly rounded operation (mpfr_div_z): relative error
    /// ≤ (1 + u)² − 1 ≤ γ₂ for u = 2^(1−prec), with no gcd (unlike [`Self::to_q`]).
    pub fn to_floats(&self, prec: u32) -> Vec<rug::Float> {
        self.num
            .iter()
            .map(|n| rug::Float::with_val(prec, n) / &self.den)
            .collect()
    }

    /// Is this matrix exactly equal to `m`? (N_ij · den(m_ij) = num(m_ij) · D for every entry.)
    pub fn equals(&self, m: &Mat<BigRational>) -> bool {
        (self.rows, self.cols) == (m.rows(), m.cols())
            && self.num.iter().zip(m.as_slice()).all(|(n, q)| {
                let q = q_to_rug(q);
                Integer::from(n * q.denom()) == Integer::from(q.numer() * &self.den)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{mat, Exact};

    fn q(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    #[test]
    fn products_agree_with_the_generic_exact_ones() {
        let a = Mat::from_fn(3, 2, |i, j| {
            q(i as i64 * 2 - j as i64 + 1, (i + j + 2) as i64)
        });
        let b = Mat::from_fn(2, 4, |i, j| {
            q(j as i64 - 3 * i as i64, (2 * i + j + 1) as i64)
        });
        let (sa, sb) = (Scaled::from_q(&a), Scaled::from_q(&b));
        assert_eq!(sa.matmul(&sb).to_q(), mat::matmul(&Exact, &a, &b));
        assert_eq!(sa.gram_tn().to_q(), mat::matmul_tn(&Exact, &a, &a));
        assert_eq!(sa.gram_nt().to_q(), mat::matmul_nt(&Exact, &a, &a));
        assert!(sa.matmul(&sb).equals(&mat::matmul(&Exact, &a, &b)));
        let mut off = mat::matmul(&Exact, &a, &b);
        *off.at_mut(2, 3) += q(1, 1000);
        assert!(!sa.matmul(&sb).equals(&off));
        assert_eq!(Scaled::identity(3).matmul(&sa).to_q(), a);
    }
}
