//! Binomial proportions with Wilson score intervals (Wilson 1927; Agresti & Coull 1998):
//! for k successes in n trials, p̂ = k/n and z = 1.959963984540054 (the 97.5% normal quantile),
//! center = (p̂ + z²/2n)/(1 + z²/n), half-width = z/(1 + z²/n)·√(p̂(1 − p̂)/n + z²/4n²).

use serde::Serialize;

/// The 97.5% quantile of the standard normal distribution.
const Z95: f64 = 1.959963984540054;

/// k of n with its Wilson 95% interval.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Proportion {
    /// Successes.
    pub count: usize,
    /// Trials.
    pub of: usize,
    /// k/n (0 when n = 0).
    pub rate: f64,
    /// Wilson 95% interval [lo, hi] (the whole [0, 1] when n = 0).
    pub wilson95: [f64; 2],
}

/// k of n with its Wilson 95% interval.
pub fn wilson95(count: usize, of: usize) -> Proportion {
    if of == 0 {
        return Proportion {
            count,
            of,
            rate: 0.0,
            wilson95: [0.0, 1.0],
        };
    }
    let n = of as f64;
    let p = count as f64 / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Proportion {
        count,
        of,
        rate: p,
        wilson95: [(center - half).max(0.0), (center + half).min(1.0)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_reference_values() {
        // 0 of 200: [0, 0.01884] (the "rule of three" region); 10 of 100: [0.05523, 0.17437]
        let z = wilson95(0, 200);
        assert_eq!(z.wilson95[0], 0.0);
        assert!((z.wilson95[1] - 0.018845).abs() < 1e-5, "{:?}", z.wilson95);
        let t = wilson95(10, 100);
        assert!(
            (t.wilson95[0] - 0.055229).abs() < 1e-5 && (t.wilson95[1] - 0.174366).abs() < 1e-5,
            "{:?}",
            t.wilson95
        );
        let all = wilson95(50, 50);
        assert_eq!(all.wilson95[1], 1.0);
        assert!(all.wilson95[0] > 0.92);
    }

    quickcheck::quickcheck! {
        fn wilson_interval_contains_the_rate(k: u16, extra: u16) -> bool {
            let (k, n) = (k as usize, k as usize + extra as usize);
            let p = wilson95(k, n);
            n == 0 || (p.wilson95[0] <= p.rate + 1e-12 && p.rate <= p.wilson95[1] + 1e-12 && p.wilson95[0] >= 0.0 && p.wilson95[1] <= 1.0)
        }
    }
}
