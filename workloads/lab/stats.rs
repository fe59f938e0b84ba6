//! The interval of a ratio, and the verdict it supports.
//!
//! Every ratio the lab reports (naive over optimized, naive over a further
//! form, a form at one thread over the same form at two) comes from
//! *paired* runs: in each rotation of the runner both forms ran once, one
//! right after the other, so a neighbour's load falls on both. Each pair
//! gives one ratio. The runner makes its pairs in *slices* (each with fresh
//! thread pools, at another moment of the run), and
//! reports the median of all the pairs' ratios with the distribution-free
//! 95 % confidence interval of the median of the slices' medians
//! ([`Ratio::of_slices`]): the order statistics that a binomial count puts
//! around a median, with no assumption about the shape of the noise, which
//! on a shared machine is anything but normal. With `n` values the
//! interval is `[r₍ₖ₎, r₍ₙ₊₁₋ₖ₎]`, `k` the largest rank with
//! `P(Binomial(n, ½) < k) ≤ 2.5 %`: the lowest and highest of six values
//! (96.9 % coverage), ranks 4 and 12 of 15 (96.5 %), 10 and 22 of 31.
//!
//! A ratio whose interval holds 1.0 is **no measurable difference**: it
//! is printed as `≈` and never called a gain or a loss. With a hundred
//! ratios in a run a few 95 % intervals miss by chance: two runs agree
//! when their intervals overlap, and a verdict that flips between runs
//! is noise (see `mizan compare`).
//!
//! ```
//! use mizan::lab::stats::{Ratio, Verdict};
//!
//! // Fifteen pairs: the baseline took 10 units, the form 5, give or take.
//! let baseline = [10, 10, 11, 10, 9, 10, 10, 12, 10, 10, 10, 11, 10, 9, 10];
//! let form = [5, 5, 5, 6, 5, 4, 5, 5, 5, 5, 6, 5, 5, 5, 5];
//! let ratio = Ratio::of_pairs(&baseline, &form).unwrap();
//! assert_eq!(ratio.median, 2.0);
//! assert_eq!(ratio.verdict(), Verdict::Faster);
//! assert_eq!(ratio.to_string(), "2.00× (1.80–2.20)");
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

/// The median of per-pair ratios `baseline / form` with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Ratio {
    /// The median per-pair ratio (above 1: the form is faster).
    pub median: f64,
    /// The interval's lower end.
    pub low: f64,
    /// The interval's upper end.
    pub high: f64,
    /// How many pairs it stands on.
    pub pairs: usize,
    /// How many slices the pairs were made in (see [`Ratio::of_slices`]).
    #[serde(default = "one")]
    pub slices: usize,
    /// The interval's coverage (0.95 and a little more from 6 pairs on;
    /// min to max, with less coverage, for fewer pairs).
    pub coverage: f64,
}

/// Each pair's ratio, `baseline[i] / form[i]`.
fn pair_ratios(baseline: &[u64], form: &[u64]) -> Vec<f64> {
    baseline
        .iter()
        .zip(form)
        .map(|(b, f)| *b as f64 / (*f).max(1) as f64)
        .collect()
}

fn one() -> usize {
    1
}

/// What an interval lets one say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The whole interval is above 1: the form is faster.
    Faster,
    /// The whole interval is below 1: the form is slower.
    Slower,
    /// The interval holds 1: no measurable difference.
    NoDifference,
}

impl Verdict {
    /// `faster`, `slower`, `no measurable difference`.
    pub fn describe(self) -> &'static str {
        match self {
            Verdict::Faster => "faster",
            Verdict::Slower => "slower",
            Verdict::NoDifference => "no measurable difference",
        }
    }
}

impl Ratio {
    /// The ratio of two equally long series of paired timings, pair by
    /// pair (`baseline[i] / form[i]`); `None` without pairs.
    pub fn of_pairs(baseline: &[u64], form: &[u64]) -> Option<Ratio> {
        Ratio::of_ratios(&mut pair_ratios(baseline, form))
    }

    /// The ratio of paired timings made in several *slices* (each slice
    /// with fresh thread pools, at another moment of the run; pairs line up
    /// within a slice). The median is that of every pair's ratio;
    /// the interval is the distribution-free interval of the median of the
    /// slices' medians, because the slices, not the pairs, are what is
    /// independent of the things that stay put within a slice and move
    /// between runs (a neighbour's load, the heap's layout, where the
    /// threads landed). With one slice, the interval of the pairs.
    pub fn of_slices(baseline: &[Vec<u64>], form: &[Vec<u64>]) -> Option<Ratio> {
        let per_slice: Vec<Vec<f64>> = baseline
            .iter()
            .zip(form)
            .map(|(b, f)| pair_ratios(b, f))
            .filter(|ratios| !ratios.is_empty())
            .collect();
        let mut pooled: Vec<f64> = per_slice.iter().flatten().copied().collect();
        let mut ratio = Ratio::of_ratios(&mut pooled)?;
        if per_slice.len() > 1 {
            let mut medians: Vec<f64> = per_slice
                .into_iter()
                .map(|mut r| Ratio::of_ratios(&mut r).expect("a slice has pairs").median)
                .collect();
            let slices = Ratio::of_ratios(&mut medians).expect("slices");
            ratio.low = slices.low;
            ratio.high = slices.high;
            ratio.coverage = slices.coverage;
        }
        ratio.slices = baseline.iter().filter(|b| !b.is_empty()).count().max(1);
        Some(ratio)
    }

    /// The median and interval of some ratios (sorted in place).
    pub fn of_ratios(ratios: &mut [f64]) -> Option<Ratio> {
        let n = ratios.len();
        if n == 0 {
            return None;
        }
        ratios.sort_unstable_by(f64::total_cmp);
        let median = if n % 2 == 1 {
            ratios[n / 2]
        } else {
            (ratios[n / 2 - 1] + ratios[n / 2]) / 2.0
        };
        let (rank, coverage) = median_interval_rank(n);
        Some(Ratio {
            median,
            low: ratios[rank - 1],
            high: ratios[n - rank],
            pairs: n,
            slices: 1,
            coverage,
        })
    }

    /// What the interval lets one say.
    pub fn verdict(&self) -> Verdict {
        if self.low > 1.0 {
            Verdict::Faster
        } else if self.high < 1.0 {
            Verdict::Slower
        } else {
            Verdict::NoDifference
        }
    }

    /// Whether two intervals overlap: two runs of the same ratio agree.
    pub fn overlaps(&self, other: &Ratio) -> bool {
        self.low <= other.high && other.low <= self.high
    }
}

/// `2.00× (1.80–2.20)`, or `≈ (0.97–1.06)` when the interval holds 1.
impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.verdict() == Verdict::NoDifference {
            write!(f, "≈ ({}–{})", number(self.low), number(self.high))
        } else {
            write!(
                f,
                "{}× ({}–{})",
                number(self.median),
                number(self.low),
                number(self.high)
            )
        }
    }
}

/// Three significant figures, at most two decimals: `0.973`, `2.00`,
/// `18.6`, `142`.
pub fn number(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else if value >= 1.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.3}")
    }
}

/// The rank `k` (1-based) of the interval `[r₍ₖ₎, r₍ₙ₊₁₋ₖ₎]` of the median
/// of `n` values, and its coverage: the largest `k` whose tail
/// `P(Binomial(n, ½) ≤ k − 1)` is at most 2.5 %; `(1, coverage of min–max)`
/// when even `k = 1` is too wide a tail (fewer than six values).
pub fn median_interval_rank(n: usize) -> (usize, f64) {
    assert!(n > 0, "an interval needs values");
    // P(X = i) for X ~ Binomial(n, ½), built up term by term from 2⁻ⁿ
    // (representable for the thousand pairs the runner stops at, and
    // far beyond).
    let n_f = n as f64;
    let mut term = 0.5f64.powi(n.min(1000) as i32);
    let mut tail = 0.0; // P(X ≤ i − 1)
    let mut rank = 0;
    for i in 0..n {
        if tail + term > 0.025 {
            break;
        }
        tail += term;
        rank = i + 1;
        term *= (n_f - i as f64) / (i as f64 + 1.0);
    }
    if rank == 0 {
        // Fewer than six values: min to max, covering 1 − 2·2⁻ⁿ.
        (1, 1.0 - 2.0 * 0.5f64.powi(n as i32))
    } else {
        // tail = P(X ≤ rank − 1).
        (rank, 1.0 - 2.0 * tail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ranks_of_the_median_interval_are_the_binomial_ones() {
        // From the binomial table: n = 15 → ranks 4 and 12 (96.5 %),
        // n = 20 → 6 and 15 (95.9 %), n = 31 → 10 and 22 (97.1 %).
        let (rank, coverage) = median_interval_rank(15);
        assert_eq!(rank, 4);
        assert!((coverage - 0.964_844).abs() < 1e-6, "{coverage}");
        let (rank, coverage) = median_interval_rank(20);
        assert_eq!(rank, 6);
        assert!((coverage - 0.958_611).abs() < 1e-6, "{coverage}");
        assert_eq!(median_interval_rank(31).0, 10);
        // Six values: min and max cover 1 − 2/64.
        assert_eq!(median_interval_rank(6), (1, 1.0 - 2.0 / 64.0));
        // Three values cannot reach 95 %: min to max, 75 %.
        assert_eq!(median_interval_rank(3), (1, 0.75));
        assert_eq!(median_interval_rank(1), (1, 0.0));
    }

    #[test]
    fn an_interval_holding_one_is_no_measurable_difference() {
        let ratio = Ratio::of_ratios(&mut [0.9, 1.2, 1.0, 1.1, 0.95, 1.05, 1.02]).unwrap();
        assert_eq!(ratio.median, 1.02);
        assert_eq!((ratio.low, ratio.high), (0.9, 1.2));
        assert_eq!(ratio.verdict(), Verdict::NoDifference);
        assert_eq!(ratio.to_string(), "≈ (0.900–1.20)");
        let slower = Ratio::of_ratios(&mut [0.5, 0.6, 0.55, 0.52, 0.58, 0.51]).unwrap();
        assert_eq!(slower.verdict(), Verdict::Slower);
        assert_eq!(slower.median, 0.535);
        assert_eq!(slower.to_string(), "0.535× (0.500–0.600)");
    }

    #[test]
    fn pairs_are_divided_pair_by_pair() {
        // The pairs' ratios are 2, 4 and 1; the median is 2, not the
        // ratio of the medians (20 / 10).
        let ratio = Ratio::of_pairs(&[20, 40, 10], &[10, 10, 10]).unwrap();
        assert_eq!(ratio.median, 2.0);
        assert_eq!((ratio.low, ratio.high), (1.0, 4.0));
        assert_eq!(Ratio::of_pairs(&[], &[]), None);
        let a = Ratio::of_ratios(&mut [1.0, 1.1, 1.2]).unwrap();
        let b = Ratio::of_ratios(&mut [1.15, 1.3, 1.4]).unwrap();
        let c = Ratio::of_ratios(&mut [1.25, 1.3, 1.4]).unwrap();
        assert!(a.overlaps(&b) && b.overlaps(&a));
        assert!(!a.overlaps(&c));
    }

    #[test]
    fn slices_give_the_interval_and_pairs_the_median() {
        // Three slices of three pairs: medians 2, 3 and 4 (the pooled
        // ratios are 1.9, 2, 2.1, 2.9, 3, 3.1, 3.9, 4, 4.1).
        let baseline = vec![vec![19, 20, 21], vec![29, 30, 31], vec![39, 40, 41]];
        let form = vec![vec![10; 3]; 3];
        let ratio = Ratio::of_slices(&baseline, &form).unwrap();
        assert_eq!(ratio.median, 3.0);
        assert_eq!((ratio.low, ratio.high), (2.0, 4.0));
        assert_eq!((ratio.pairs, ratio.slices), (9, 3));
        assert_eq!(ratio.coverage, 0.75);
        // One slice: the pairs' own interval.
        let one = Ratio::of_slices(&baseline[..1], &form[..1]).unwrap();
        assert_eq!((one.low, one.median, one.high), (1.9, 2.0, 2.1));
        assert_eq!(one.slices, 1);
    }

    #[test]
    fn numbers_keep_three_figures() {
        assert_eq!(number(0.9734), "0.973");
        assert_eq!(number(2.0), "2.00");
        assert_eq!(number(18.59), "18.6");
        assert_eq!(number(142.4), "142");
    }
}
