//! `zakat/hashing`: the totals of a population's zakatable wealth by
//! region, currency and asset class, on one thread: the statistics office's
//! table. Every line is one look-up in a map from its key to its cell.
//!
//! Three forms over the same lines, the same loop and the same map type
//! (hashbrown's, which std's `HashMap` is):
//!
//! - naive: `std::collections::HashMap`, whose default hasher is SipHash-1-3
//!   with keys drawn at random per map, so that nobody can choose keys that
//!   collide (HashDoS);
//! - optimized: `ahash::AHashMap`, the same table with aHash, still keyed
//!   at random per process. The lab builds for the baseline x86-64 target
//!   (no `target-feature=+aes`), so aHash 0.8 compiles its fallback hash, a
//!   folded 64×64→128-bit multiply a word, not its AES-round version: a few
//!   multiplies for a short key instead of SipHash's rounds;
//! - `fxhash`, a further form: the same table with FxHash (rustc's), a
//!   multiply a word with no key at all, so cheaper than aHash on these
//!   short keys and no defence against keys chosen to collide (the
//!   murabaha lesson's contrast shows that case);
//! - `dense-index`, a further form (a better technique, not a faster hash):
//!   no hash at all. A currency code is three capital letters, so it
//!   numbers itself (26³ codes); a region is a byte; a class is one of
//!   five. A key is then an index into a plain array.
//!
//! The contrast ([`ASSESSED`]) keeps the two maps and gives each look-up a
//! payer's whole assessment to follow: the totals by region as payers are
//! assessed.

use std::collections::HashMap;

use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
    Variant,
};
use crate::zakat::ZakatInput;
use crate::zakat::receipt::format_receipt;
use crate::zakat::rules::{Context, assess};

use super::dense_inputs::DenseTotals;
use super::inputs::{
    CLASSES, Key, Line, Lines, Total, Totals, add, every_line_counted, key, lines,
    receipt_payers_at,
};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Lines, Totals> = LessonDef {
    id: "zakat/hashing",
    why: "Every line is one look-up in the totals map, and the two forms differ in the \
          map's hasher alone: std's HashMap runs SipHash over the key, rounds of mixing \
          keyed at random; ahash's AHashMap is the same hashbrown table with aHash, which \
          in this build (for the baseline x86 target, no AES instructions enabled) is its \
          fallback: a folded multiply a word. {?instructions|gain The instructions say \
          where the time went: {instructions}; the mispredicted branches, SipHash's \
          handling of a key's short tail among them: {mispredicted}.|same The instructions \
          did not move ({instructions}).|loss The instructions rose ({instructions}).} \
          {?speedup|gain In time aHash's map measured {speedup}.|same In time the two \
          are within the noise ({speedup}).|loss In time aHash measured {speedup}.} FxHash, \
          rustc's hasher, a further form, is a multiply a word with no key at all: \
          {?over_naive:fxhash|gain it measured {over_naive:fxhash} against std's \
          map|same it is within the noise of std's map ({over_naive:fxhash})|loss it \
          measured {over_naive:fxhash} against std's map} (instructions: \
          {instructions:fxhash}), and it gives up what aHash keeps, a key a process that \
          nobody outside can predict. The dense index, a further form, needs no hash at \
          all: a currency code numbers itself and a region and a class are small numbers, \
          so a key is an index into an array ({over_naive:dense-index} against std's map; \
          instructions: {instructions:dense-index}). The contrast keeps the two maps and gives every look-up a \
          whole payer to follow: each payer assessed and its receipt printed with format!, \
          then its zakat added to its region's total (instructions \
          {contrast.instructions}). {?contrast.speedup|gain There the faster hash still \
          measured {contrast.speedup}.|same There the hash is too small a share of a \
          payer's work to measure ({contrast.speedup}).|loss There aHash measured \
          {contrast.speedup}.} Keep std's SipHash where the keys come from outside and the \
          map's worst case matters: the murabaha contrast shows what an unkeyed fast hash \
          does under keys chosen to collide.",
    build: lines,
    elements: |input| input.lines.len() as u64,
    naive: std_siphash,
    optimized: ahash,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary,
    invariant: Some(every_line_in_the_sharded_table),
    allocators: None,
    variants: &[
        Variant::new("fxhash", fxhash),
        Variant::new("dense-index", dense_index),
    ],
    scaling: false,
    contrast: Some(Contrast {
        name: "totals by region as receipts are written",
        scale: Scale::Small,
        input: ContrastInput::Stage(&ASSESSED),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "Every line is one look-up in a std HashMap, and every look-up hashes the key with \
         SipHash first. Is anyone choosing these keys to attack the table? If not, a faster \
         hash will do; and the key's parts are small numbers already.",
        compares: "the totals table: every key, its count and its sum as printed",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

// ANCHOR: limit
/// The speed of light: read every line once and add up its value's low
/// word, with no keys and no table. An aggregation must at least read every
/// line.
fn limit(input: &Lines) -> u64 {
    input.lines.iter().fold(0u64, |sum, line| {
        sum.wrapping_add(line.value.mantissa() as u64 ^ u64::from(line.region))
    })
}
// ANCHOR_END: limit

// ANCHOR: naive
/// std's HashMap: SipHash-1-3 over every line's key.
pub fn std_siphash(input: &Lines) -> Totals {
    let mut totals: HashMap<Key, Total> = HashMap::new();
    for line in &input.lines {
        add(totals.entry(key(line)).or_default(), line);
    }
    totals.into_iter().collect()
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// The same table with aHash.
pub fn ahash(input: &Lines) -> Totals {
    let mut totals: ahash::AHashMap<Key, Total> = ahash::AHashMap::new();
    for line in &input.lines {
        add(totals.entry(key(line)).or_default(), line);
    }
    totals.into_iter().collect()
}
// ANCHOR_END: optimized

// ANCHOR: fxhash
/// The same table with FxHash: no key.
pub fn fxhash(input: &Lines) -> Totals {
    let mut totals: rustc_hash::FxHashMap<Key, Total> = rustc_hash::FxHashMap::default();
    for line in &input.lines {
        add(totals.entry(key(line)).or_default(), line);
    }
    totals.into_iter().collect()
}
// ANCHOR_END: fxhash

// ANCHOR: dense
/// No hash: each line's cell found by arithmetic ([`DenseTotals`]).
pub fn dense_index(input: &Lines) -> Totals {
    let mut totals = DenseTotals::default();
    for line in &input.lines {
        totals.add(line);
    }
    totals.into_totals()
}
// ANCHOR_END: dense

/// The contrast: every payer assessed by the reference rules (`Decimal`, a
/// calendar conversion for the hawl) and its receipt written, and its
/// zakat added to its region's total in a map keyed by the region's name:
/// SipHash (naive) or aHash (optimized). One look-up a payer, beside a
/// whole assessment and a receipt.
pub const ASSESSED: LessonDef<ZakatInput, RegionDues> = LessonDef {
    id: "zakat/hashing",
    why: "",
    build: |scale, seed| crate::zakat::generate::generate(receipt_payers_at(scale), seed),
    elements: |input| input.payers.len() as u64,
    naive: assessed_siphash,
    optimized: assessed_ahash,
    prepare: Prepare::NONE,
    limit: None,
    reference: None,
    arbitrary: super::inputs::arbitrary_payers,
    invariant: None,
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

/// The contrast's output: every payer's receipt, and every region's payers
/// and the zakat they owe, in the regions' order (`-` for payers without
/// one).
#[derive(Debug, serde::Serialize)]
pub struct RegionDues {
    /// The receipts, in the payers' order.
    pub receipts: String,
    /// Each region's payers and their zakat.
    pub totals: std::collections::BTreeMap<String, (u64, Decimal)>,
}

// ANCHOR: assessed
/// Every payer assessed and its receipt written, then its zakat added to
/// its region's total in std's HashMap (SipHash-1-3 over the region's
/// name).
pub fn assessed_siphash(input: &ZakatInput) -> RegionDues {
    let context = Context::of(input);
    let mut receipts = String::new();
    let mut totals: HashMap<&str, (u64, Decimal)> = HashMap::new();
    for payer in &input.payers {
        let assessment = assess(payer, &context).expect("generated payers assess");
        receipts.push_str(&format_receipt(&assessment, input.currency));
        let total = totals
            .entry(payer.region.as_deref().unwrap_or("-"))
            .or_default();
        total.0 += 1;
        total.1 += assessment.total_due;
    }
    let totals = totals.into_iter().map(|(r, t)| (r.to_owned(), t));
    RegionDues {
        receipts,
        totals: totals.collect(),
    }
}

/// The same with aHash's map.
pub fn assessed_ahash(input: &ZakatInput) -> RegionDues {
    let context = Context::of(input);
    let mut receipts = String::new();
    let mut totals: ahash::AHashMap<&str, (u64, Decimal)> = ahash::AHashMap::new();
    for payer in &input.payers {
        let assessment = assess(payer, &context).expect("generated payers assess");
        receipts.push_str(&format_receipt(&assessment, input.currency));
        let total = totals
            .entry(payer.region.as_deref().unwrap_or("-"))
            .or_default();
        total.0 += 1;
        total.1 += assessment.total_due;
    }
    let totals = totals.into_iter().map(|(r, t)| (r.to_owned(), t));
    RegionDues {
        receipts,
        totals: totals.collect(),
    }
}
// ANCHOR_END: assessed

/// Lines over a key space of 256 regions, sixteen currencies and five
/// classes (20,480 keys), either a few (the edges: none, one, a handful)
/// or 30,000 to 40,000 of them, which reach 15,000 and more distinct keys:
/// the hashing lesson's maps grow and re-hash many times over. Values as
/// in [`lines`].
pub fn arbitrary() -> BoxedStrategy<Lines> {
    const CURRENCIES: [&str; 16] = [
        "USD", "EUR", "GBP", "SAR", "AED", "MYR", "IDR", "PKR", "TRY", "EGP", "JPY", "CHF", "IRR",
        "BDT", "NGN", "AAA",
    ];
    let line = (
        any::<u8>(),
        0..CURRENCIES.len(),
        0..5usize,
        any::<i64>(),
        0..=2u32,
    );
    prop_oneof![
        proptest::collection::vec(line.clone(), 0..8),
        proptest::collection::vec(line, 30_000..40_000),
    ]
    .prop_map(|lines| Lines {
        lines: lines
            .into_iter()
            .map(|(region, currency, class, units, scale)| Line {
                region,
                currency: crate::input::Currency::parse(CURRENCIES[currency])
                    .expect("three capitals are a currency code"),
                class: CLASSES[class],
                value: Decimal::new(units, scale),
            })
            .collect(),
    })
    .boxed()
}

/// The invariant: every line counted, the table the sharding lesson's
/// sequential loop builds, and the generator's wide inputs reach ten
/// thousand distinct keys (so the maps grow and re-hash many times).
fn every_line_in_the_sharded_table(input: &Lines, totals: &Totals) -> Result<(), String> {
    every_line_counted(input, totals)?;
    let mut sequential = std::collections::BTreeMap::new();
    for line in &input.lines {
        add(sequential.entry(key(line)).or_default(), line);
    }
    ensure(&sequential == totals, || {
        "not the sequential loop's table".to_owned()
    })?;
    ensure(input.lines.len() < 8 || totals.len() >= 10_000, || {
        format!(
            "{} lines make only {} keys",
            input.lines.len(),
            totals.len()
        )
    })
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::input::Currency;
    use crate::lessons::zakat::inputs::{AssetClass, Line};

    fn line(region: u8, currency: &str, class: AssetClass, cents: i64) -> Line {
        Line {
            region,
            currency: Currency::parse(currency).expect("a code"),
            class,
            value: Decimal::new(cents, 2),
        }
    }

    #[test]
    fn the_classes_are_numbered_as_declared() {
        for (idx, class) in CLASSES.iter().enumerate() {
            assert_eq!(*class as usize, idx);
        }
    }

    #[test]
    fn every_form_adds_each_key_apart() {
        let input = Lines {
            lines: vec![
                line(0, "USD", AssetClass::Cash, 100),
                line(255, "ZZZ", AssetClass::Rikaz, -5),
                line(0, "USD", AssetClass::Cash, 250),
                line(0, "EUR", AssetClass::Cash, 1),
                line(0, "USD", AssetClass::Metals, 7),
            ],
        };
        let expected: Totals = [
            (
                (0, Currency(*b"EUR"), AssetClass::Cash),
                Total {
                    lines: 1,
                    value: Decimal::new(1, 2),
                },
            ),
            (
                (0, Currency(*b"USD"), AssetClass::Cash),
                Total {
                    lines: 2,
                    value: Decimal::new(350, 2),
                },
            ),
            (
                (0, Currency(*b"USD"), AssetClass::Metals),
                Total {
                    lines: 1,
                    value: Decimal::new(7, 2),
                },
            ),
            (
                (255, Currency(*b"ZZZ"), AssetClass::Rikaz),
                Total {
                    lines: 1,
                    value: Decimal::new(-5, 2),
                },
            ),
        ]
        .into_iter()
        .collect();
        assert_eq!(std_siphash(&input), expected);
        assert_eq!(ahash(&input), expected);
        assert_eq!(dense_index(&input), expected);
        assert!(dense_index(&Lines { lines: vec![] }).is_empty());
    }
}
