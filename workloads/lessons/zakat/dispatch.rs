//! `zakat/dispatch`: the valuation of a population's wealth lines, each in
//! cents of the reporting currency from quantities already in integer
//! units (cash and share values in cents, metal in milligrams): a few
//! integer operations a line, the form the pipeline's fixed-point rung
//! computes them in.
//!
//! - naive: the object-oriented design: each line a `Box<dyn Valued>`, a
//!   heap object of its own whose `cents` is found through a vtable at
//!   every call, and so cannot be inlined into the loop;
//! - optimized: each line a plain value, an `enum` of the asset kinds in
//!   one contiguous vector; `cents` is a `match`, which the compiler sees
//!   whole and inlines.
//!
//! The lines come as the statistics office's extract lists them: a table
//! an asset class, so that the kinds run in long stretches. The contrast
//! is the same lines in the payers' order, the kinds mixed at random,
//! where the branch on a line's kind (the match's, or the indirect call's
//! target) is mispredicted most of the time in both designs.

use proptest::prelude::*;
use rand::{RngExt, SeedableRng};

use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Lines, Vec<i64>> = LessonDef {
    id: "zakat/dispatch",
    why: "The two forms value the same lines with the same arithmetic and differ in how a \
          line is held: the naive form as a Box<dyn Valued>, a heap object of its own \
          reached through a pointer and called through its vtable; the optimized form as \
          an enum in one vector, its value a match. The counters say what that changes and \
          what it does not. The match is compiled to a jump table, so both forms make one \
          indirect jump a line (indirect calls and jumps, naive → optimized: \
          {indirect}), and the instructions {?instructions|gain fell ({instructions}).|same are close \
          ({instructions}): inlining the match saved little here.|loss rose \
          ({instructions}).} What moved is memory: a boxed line is a fat pointer in the \
          vector and a heap chunk elsewhere, two streams to read where the enum is one, \
          and the first-level misses {?d1_misses|gain fell with it ({d1_misses}).|same did \
          not move ({d1_misses}).|loss rose ({d1_misses}).} {?speedup|gain In time the \
          enum measured {speedup}.|same In time the two are within the noise \
          ({speedup}).|loss In time the enum measured {speedup}.} The lines come a table \
          an asset class, so the kind of the next line is the kind of the last and every \
          jump is predicted (mispredicted indirect jumps: {indirect_mispredicted}). The contrast \
          is the same lines in the payers' order, the kinds mixed: each form's jump then \
          goes wrong most of the time (mispredicted, naive → optimized: {contrast.indirect_mispredicted}), and \
          {?contrast.speedup|gain the enum still measured {contrast.speedup}.|same the two \
          are within the noise ({contrast.speedup}): a mispredicted jump costs both \
          designs more than the boxes cost the one.|loss the enum measured \
          {contrast.speedup}.} Dynamic dispatch is the right tool where the set of kinds \
          is open (a plug-in, a type a library's user defines); the asset classes of zakat \
          are not, and an enum keeps them in one vector.",
    build: build_lines,
    elements: |input| input.values.len() as u64,
    naive,
    optimized,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit_lines,
    }),
    reference: None,
    arbitrary: arbitrary_lines,
    invariant: Some(the_decimal_values),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: Some(Contrast {
        name: "the same lines in the payers' order",
        scale: Scale::Default,
        input: ContrastInput::Build(lines_in_payer_order),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "Every line is a heap object reached through a pointer, and its value a call through \
         a vtable that the compiler cannot inline, for a body of a few integer operations. \
         The input holds the same lines as plain values too: the asset kinds are a closed set.",
        compares: "every line's value in cents, in order",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// The unit prices a valuation needs, in cents of the reporting currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnitPrices {
    /// A gram of pure gold.
    pub gold_per_gram: i64,
    /// A gram of pure silver.
    pub silver_per_gram: i64,
    /// The share of a long-term holding's value that is zakatable, in
    /// basis points (`ZAKAT.md`: 25 %, 2,500).
    pub long_term_bp: i64,
}

/// One wealth line, in integer units, as a plain value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Value {
    /// Cash, in cents.
    Cash(i64),
    /// Gold: milligrams and karat (of 24).
    Gold(i64, i64),
    /// Silver: milligrams and fineness (of 1,000).
    Silver(i64, i64),
    /// Shares held for trade, at market value in cents.
    TradeShares(i64),
    /// Shares held for the long term, at market value in cents.
    LongTermShares(i64),
    /// A fund: its value in cents and its zakatable share in basis points.
    Fund(i64, i64),
}

/// `n / d` rounded half up, for `n ≥ 0` and `d > 0`: a division by a
/// constant, which the compiler turns into a multiply and a shift.
#[inline]
fn div_round(n: i64, d: i64) -> i64 {
    (n + d / 2) / d
}

// ANCHOR: value_match
impl Value {
    /// The line's zakatable value in cents, rounded half up.
    #[inline]
    pub fn cents(&self, prices: &UnitPrices) -> i64 {
        match *self {
            Value::Cash(cents) | Value::TradeShares(cents) => cents,
            Value::Gold(mg, karat) => div_round(mg * karat * prices.gold_per_gram, 24_000),
            Value::Silver(mg, fine) => div_round(mg * fine * prices.silver_per_gram, 1_000_000),
            Value::LongTermShares(cents) => div_round(cents * prices.long_term_bp, 10_000),
            Value::Fund(cents, bp) => div_round(cents * bp, 10_000),
        }
    }
}
// ANCHOR_END: value_match

// ANCHOR: valued
/// A wealth line that knows its value: the object-oriented design, a type
/// an asset kind.
pub trait Valued: Sync {
    /// The line's zakatable value in cents, rounded half up.
    fn cents(&self, prices: &UnitPrices) -> i64;
}

/// Cash or shares held for trade, in cents.
pub struct AtValue(pub i64);
/// Gold: milligrams and karat.
pub struct GoldLine(pub i64, pub i64);
/// Silver: milligrams and fineness.
pub struct SilverLine(pub i64, pub i64);
/// Shares held for the long term, in cents.
pub struct LongTermLine(pub i64);
/// A fund: cents and its zakatable share in basis points.
pub struct FundLine(pub i64, pub i64);

impl Valued for AtValue {
    fn cents(&self, _: &UnitPrices) -> i64 {
        self.0
    }
}

impl Valued for GoldLine {
    fn cents(&self, prices: &UnitPrices) -> i64 {
        div_round(self.0 * self.1 * prices.gold_per_gram, 24_000)
    }
}

impl Valued for SilverLine {
    fn cents(&self, prices: &UnitPrices) -> i64 {
        div_round(self.0 * self.1 * prices.silver_per_gram, 1_000_000)
    }
}

impl Valued for LongTermLine {
    fn cents(&self, prices: &UnitPrices) -> i64 {
        div_round(self.0 * prices.long_term_bp, 10_000)
    }
}

impl Valued for FundLine {
    fn cents(&self, _: &UnitPrices) -> i64 {
        div_round(self.0 * self.1, 10_000)
    }
}
// ANCHOR_END: valued

/// A population's wealth lines, held both ways: as plain values and as
/// boxed trait objects, the same lines in the same order. Saved as its
/// values, and boxed again when read back.
#[derive(serde::Deserialize)]
#[serde(from = "LineValues")]
pub struct Lines {
    /// The prices.
    pub prices: UnitPrices,
    /// The lines as values.
    pub values: Vec<Value>,
    /// The same lines as trait objects, allocated one after another in
    /// the lines' order, as a loader would make them.
    pub boxed: Vec<Box<dyn Valued>>,
}

/// Lines as they are saved and read back.
#[derive(serde::Deserialize)]
pub struct LineValues {
    /// The prices.
    pub prices: UnitPrices,
    /// The lines.
    pub values: Vec<Value>,
}

impl From<LineValues> for Lines {
    fn from(lines: LineValues) -> Lines {
        Lines::new(lines.prices, lines.values)
    }
}

impl serde::Serialize for Lines {
    /// Its values, as [`LineValues`] reads them back.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct ValuesRef<'a> {
            prices: &'a UnitPrices,
            values: &'a [Value],
        }
        ValuesRef {
            prices: &self.prices,
            values: &self.values,
        }
        .serialize(serializer)
    }
}

impl std::fmt::Debug for Lines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lines")
            .field("prices", &self.prices)
            .field("values", &self.values)
            .finish()
    }
}

impl Lines {
    /// These lines, boxed one by one as a loader of the object-oriented
    /// design would.
    pub fn new(prices: UnitPrices, values: Vec<Value>) -> Lines {
        let boxed = values
            .iter()
            .map(|value| -> Box<dyn Valued> {
                match *value {
                    Value::Cash(c) | Value::TradeShares(c) => Box::new(AtValue(c)),
                    Value::Gold(mg, k) => Box::new(GoldLine(mg, k)),
                    Value::Silver(mg, f) => Box::new(SilverLine(mg, f)),
                    Value::LongTermShares(c) => Box::new(LongTermLine(c)),
                    Value::Fund(c, bp) => Box::new(FundLine(c, bp)),
                }
            })
            .collect();
        Lines {
            prices,
            values,
            boxed,
        }
    }
}

/// Lines at each scale.
fn lines_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 1_000,
        Scale::Small => 50_000,
        Scale::Default => 500_000,
        Scale::Bank => 5_000_000,
    }
}

/// The prices of the generated populations, in cents.
const PRICES: UnitPrices = UnitPrices {
    gold_per_gram: 8_512,
    silver_per_gram: 98,
    long_term_bp: 2_500,
};

/// Lines of every kind, with the quantities a payer holds (cash and shares
/// up to a million, metal up to a kilogram), listed a table an asset
/// class as the extract lists them.
fn build_lines(scale: Scale, seed: u64) -> Lines {
    let mut values = values_in_payer_order(scale, seed);
    values.sort_by_key(|v| match v {
        Value::Cash(_) => 0,
        Value::Gold(..) => 1,
        Value::Silver(..) => 2,
        Value::TradeShares(_) => 3,
        Value::LongTermShares(_) => 4,
        Value::Fund(..) => 5,
    });
    Lines::new(PRICES, values)
}

/// The contrast: the same lines in the payers' order, the kinds mixed.
fn lines_in_payer_order(scale: Scale, seed: u64) -> Lines {
    Lines::new(PRICES, values_in_payer_order(scale, seed))
}

/// The lines as the payers hold them, the kinds at random.
fn values_in_payer_order(scale: Scale, seed: u64) -> Vec<Value> {
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(seed);
    (0..lines_at(scale))
        .map(|_| {
            let cents = rng.random_range(0..100_000_000i64);
            let mg = rng.random_range(0..1_000_000i64);
            match rng.random_range(0..6) {
                0 => Value::Cash(cents),
                1 => Value::Gold(mg, [18, 21, 22, 24][rng.random_range(0..4)]),
                2 => Value::Silver(mg, [800, 925, 999][rng.random_range(0..3)]),
                3 => Value::TradeShares(cents),
                4 => Value::LongTermShares(cents),
                _ => Value::Fund(cents, rng.random_range(0..=10_000)),
            }
        })
        .collect()
}

// ANCHOR: limit
/// The speed of light: read every line once and write one value for it.
fn limit_lines(input: &Lines) -> u64 {
    let out: Vec<i64> = input
        .values
        .iter()
        .map(|v| match *v {
            Value::Cash(c) | Value::TradeShares(c) | Value::LongTermShares(c) => c,
            Value::Gold(mg, _) | Value::Silver(mg, _) | Value::Fund(mg, _) => mg,
        })
        .collect();
    std::hint::black_box(&out);
    out.len() as u64
}
// ANCHOR_END: limit

// ANCHOR: naive
/// Each line a boxed trait object, its value found through the vtable.
pub fn naive(input: &Lines) -> Vec<i64> {
    input
        .boxed
        .iter()
        .map(|line| line.cents(&input.prices))
        .collect()
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// Each line a plain value, its value a `match` inlined into the loop.
pub fn optimized(input: &Lines) -> Vec<i64> {
    input
        .values
        .iter()
        .map(|line| line.cents(&input.prices))
        .collect()
}
// ANCHOR_END: optimized

/// Up to 2,000 lines of every kind, from zero to the largest quantities
/// whose products stay within an `i64` (a tonne of metal, ten billion in
/// cents), at prices up to a thousand times today's: a gold line's
/// product is at most 10⁹ mg × 24 × 10⁷ cents, 2.4 × 10¹⁷.
pub fn arbitrary_lines() -> BoxedStrategy<Lines> {
    let value = prop_oneof![
        (0i64..1_000_000_000_000).prop_map(Value::Cash),
        (
            0i64..1_000_000_000,
            prop_oneof![Just(18i64), Just(22), Just(24)]
        )
            .prop_map(|(mg, k)| Value::Gold(mg, k)),
        (0i64..1_000_000_000, 0i64..=1_000).prop_map(|(mg, f)| Value::Silver(mg, f)),
        (0i64..1_000_000_000_000).prop_map(Value::TradeShares),
        (0i64..1_000_000_000_000).prop_map(Value::LongTermShares),
        (0i64..1_000_000_000_000, 0i64..=10_000).prop_map(|(c, bp)| Value::Fund(c, bp)),
    ];
    (
        0i64..10_000_000,
        0i64..100_000,
        0i64..=10_000,
        proptest::collection::vec(value, 0..2_000),
    )
        .prop_map(|(gold, silver, bp, values)| {
            let prices = UnitPrices {
                gold_per_gram: gold,
                silver_per_gram: silver,
                long_term_bp: bp,
            };
            Lines::new(prices, values)
        })
        .boxed()
}

/// The invariant: every line's value is what `Decimal` arithmetic gives,
/// rounded half up to the cent.
// The signature is `Invariant`'s, over the lesson's output type.
#[allow(clippy::ptr_arg)]
fn the_decimal_values(input: &Lines, values: &Vec<i64>) -> Result<(), String> {
    use rust_decimal::Decimal;
    let p = &input.prices;
    let cents = |n: i64| Decimal::new(n, 2);
    for (line, &got) in input.values.iter().zip(values) {
        let value = match *line {
            Value::Cash(c) | Value::TradeShares(c) => cents(c),
            Value::Gold(mg, k) => {
                Decimal::new(mg, 3) * Decimal::from(k) * cents(p.gold_per_gram) / Decimal::from(24)
            }
            Value::Silver(mg, f) => {
                Decimal::new(mg, 3) * Decimal::new(f, 3) * cents(p.silver_per_gram)
            }
            Value::LongTermShares(c) => cents(c) * Decimal::new(p.long_term_bp, 4),
            Value::Fund(c, bp) => cents(c) * Decimal::new(bp, 4),
        };
        let expected = crate::money::round_half_up(value, 2);
        ensure(expected == cents(got), || {
            format!("{line:?}: {got} cents, Decimal gives {expected}")
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_designs_value_every_line_to_the_cent() {
        let prices = UnitPrices {
            gold_per_gram: 8_512,
            silver_per_gram: 98,
            long_term_bp: 2_500,
        };
        let input = Lines::new(
            prices,
            vec![
                Value::Cash(12_345),
                // 10 g of 22 karat at 85.12 a gram: 780.2666… → 780.27.
                Value::Gold(10_000, 22),
                // 1 kg of sterling at 0.98 a gram: 906.50.
                Value::Silver(1_000_000, 925),
                Value::TradeShares(99),
                // A quarter of 0.10: 0.025 → 0.03, half up.
                Value::LongTermShares(10),
                // 12.34 % of 100.00.
                Value::Fund(10_000, 1_234),
            ],
        );
        let expected = vec![12_345, 78_027, 90_650, 99, 3, 1_234];
        assert_eq!(naive(&input), expected);
        assert_eq!(optimized(&input), expected);
        assert_eq!(the_decimal_values(&input, &expected), Ok(()));
        assert!(the_decimal_values(&input, &vec![12_345, 78_026, 90_650, 99, 3, 1_234]).is_err());
        assert_eq!(limit_lines(&input), 6);
    }
}
