//! `zakat/data-layout`: a pass that reads one field of every valued line
//! (its value in cents), over the lines stored as an array of structs (a
//! `Vec` of rows, every field of a line beside the others) against a
//! struct of arrays (a `Vec` a field, the values side by side).
//!
//! - naive: the total of the rows' values: each row's 32 bytes come into
//!   the cache for the 8 the pass reads;
//! - optimized: the total of the value column: every byte read is a value.
//!
//! The columns are made from the rows in the optimized form's untimed
//! preparation ([`Prepare`]), as a program that keeps its lines in columns
//! would have them; both forms add the same values in the same order with
//! the same checked arithmetic. The contrast ([`EVERY_FIELD`]) is a pass
//! that reads every field of every line (a digest of the ledger), where
//! the columns bring no byte the rows did not.

use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use super::inputs::AssetClass;
use crate::input::Currency;
use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
};
use crate::zakat::model::Asset;

/// The lesson's registry entry.
pub const LESSON: LessonDef<Ledger, Total> = LessonDef {
    id: "zakat/data-layout",
    why: "The total of the population's line values reads one field of each line. Stored \
          as rows, every line's fields side by side, the cache brings each row in whole, \
          so the pass moves every field through the cache to read one; stored as columns, \
          the values side by side, every byte it brings in is a value. Both forms add with \
          the same checked arithmetic, in the same order. The first-level cache misses came to {d1_misses}; \
          the instructions, {instructions}. {?speedup|gain The column measured {speedup}.|same In time the \
          two are within the noise ({speedup}).|loss The column measured {speedup}.} The \
          contrast digests every field of every line, a chain of multiplications a line \
          where each waits for the one before, so that the bytes the layouts bring in \
          (first-level misses, {contrast.d1_misses}) are not what the pass waits for: \
          {?contrast.speedup|gain there the columns still measured \
          {contrast.speedup}.|same there the two layouts are within the noise \
          ({contrast.speedup}).|loss there the columns measured {contrast.speedup}.}",
    build,
    elements: |input| input.rows.len() as u64,
    naive,
    optimized,
    prepare: Prepare {
        naive: None,
        optimized: Some(with_columns),
    },
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary,
    invariant: Some(the_sum_of_the_values),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: Some(Contrast {
        name: "every field",
        scale: Scale::Default,
        input: ContrastInput::Stage(&EVERY_FIELD),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "The attempt runs, as the optimized form does, on the ledger with its columns \
         filled (`input.columns`, one vector a field, made from the rows before the clock \
         starts). Which of them does the total need?",
        compares: "the number of lines and the total of their values in cents, as printed",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// One valued line of a payer's wealth, as a ledger row: 32 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// The payer's place in the population.
    pub payer: u32,
    /// The payer's region, an index into the generator's regions.
    pub region: u8,
    /// What kind of wealth.
    pub class: AssetClass,
    /// The currency the line was held in.
    pub currency: Currency,
    /// The day the payer's hawl began (days since 0001-01-01).
    pub hawl_start: i32,
    /// The exchange rate to the reporting currency, in millionths.
    pub fx_micros: i64,
    /// The line's value in the reporting currency, in cents.
    pub value: i64,
}

/// The same lines, one vector a field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Columns {
    /// [`Row::payer`] of every line.
    pub payer: Vec<u32>,
    /// [`Row::region`].
    pub region: Vec<u8>,
    /// [`Row::class`].
    pub class: Vec<AssetClass>,
    /// [`Row::currency`].
    pub currency: Vec<Currency>,
    /// [`Row::hawl_start`].
    pub hawl_start: Vec<i32>,
    /// [`Row::fx_micros`].
    pub fx_micros: Vec<i64>,
    /// [`Row::value`].
    pub value: Vec<i64>,
}

/// A population's valued lines: the rows as built, and the columns once
/// the optimized form's preparation has made them (empty before).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ledger {
    /// Every line, a row each.
    pub rows: Vec<Row>,
    /// The same lines as columns.
    pub columns: Columns,
}

/// The total the pass makes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Total {
    /// How many lines.
    pub lines: u64,
    /// The sum of their values in cents; `None` if it would pass an
    /// `i64`.
    pub value: Option<i64>,
}

/// The lines of a generated population, valued by the reference rules.
fn build(scale: Scale, seed: u64) -> Ledger {
    let input = crate::zakat::generate::generate(super::inputs::line_payers_at(scale), seed);
    let context = crate::zakat::rules::Context::of(&input);
    let regions = crate::zakat::generate::REGIONS;
    let cents = |value: rust_decimal::Decimal, dp: u32| {
        let scaled = (value * rust_decimal::Decimal::from(10i64.pow(dp))).round();
        rust_decimal::prelude::ToPrimitive::to_i64(&scaled).expect("fits an i64")
    };
    let mut rows = Vec::new();
    for (payer, p) in input.payers.iter().enumerate() {
        let region = p
            .region
            .as_deref()
            .and_then(|r| regions.iter().position(|known| *known == r))
            .unwrap_or(0) as u8;
        for asset in &p.assets {
            let class = match asset {
                Asset::Cash { .. } => AssetClass::Cash,
                Asset::Gold { .. } | Asset::Silver { .. } => AssetClass::Metals,
                Asset::Shares { .. } | Asset::Fund { .. } => AssetClass::Investments,
                Asset::TradeGoods { .. } | Asset::Receivable { .. } => AssetClass::Business,
                Asset::Rikaz { .. } | Asset::Crop { .. } | Asset::Livestock { .. } => continue,
            };
            let currency = asset.currency().unwrap_or(input.currency);
            let value = crate::zakat::rules::zakatable_value(asset, &context)
                .expect("generated lines value");
            rows.push(Row {
                payer: payer as u32,
                region,
                class,
                currency,
                hawl_start: p.hawl_start.day_number() as i32,
                fx_micros: cents(context.fx_rate(currency), 6),
                value: cents(value, 2),
            });
        }
    }
    Ledger {
        rows,
        columns: Columns::default(),
    }
}

/// The optimized form's preparation: the rows as columns (the rows kept).
pub fn with_columns(input: &Ledger) -> Ledger {
    let rows = &input.rows;
    Ledger {
        rows: rows.clone(),
        columns: Columns {
            payer: rows.iter().map(|r| r.payer).collect(),
            region: rows.iter().map(|r| r.region).collect(),
            class: rows.iter().map(|r| r.class).collect(),
            currency: rows.iter().map(|r| r.currency).collect(),
            hawl_start: rows.iter().map(|r| r.hawl_start).collect(),
            fx_micros: rows.iter().map(|r| r.fx_micros).collect(),
            value: rows.iter().map(|r| r.value).collect(),
        },
    }
}

// ANCHOR: naive
/// The total of the lines' values, read from the rows.
pub fn naive(input: &Ledger) -> Total {
    let mut value = Some(0i64);
    for row in &input.rows {
        value = value.and_then(|v| v.checked_add(row.value));
    }
    Total {
        lines: input.rows.len() as u64,
        value,
    }
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// The total of the lines' values, read from the value column.
pub fn optimized(input: &Ledger) -> Total {
    let mut value = Some(0i64);
    for &v in &input.columns.value {
        value = value.and_then(|total| total.checked_add(v));
    }
    Total {
        lines: input.columns.value.len() as u64,
        value,
    }
}
// ANCHOR_END: optimized

// ANCHOR: limit
/// The speed of light: the value column read once, added without checks.
fn limit(input: &Ledger) -> u64 {
    let sum = (input.columns.value.iter()).fold(0i64, |acc, &v| acc.wrapping_add(v));
    std::hint::black_box(sum) as u64
}
// ANCHOR_END: limit

/// The contrast: a digest of every field of every line.
pub const EVERY_FIELD: LessonDef<Ledger, u64> = LessonDef {
    id: "zakat/data-layout",
    why: "",
    build,
    elements: |input| input.rows.len() as u64,
    naive: digest_rows,
    optimized: digest_columns,
    prepare: Prepare {
        naive: None,
        optimized: Some(with_columns),
    },
    limit: None,
    reference: None,
    arbitrary,
    invariant: None,
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

/// One step of the digest: the fields of a line folded in, in order.
fn fold(acc: u64, fields: [u64; 7]) -> u64 {
    fields
        .into_iter()
        .fold(acc, |acc, f| (acc ^ f).wrapping_mul(0x0000_0100_0000_01b3))
}

// ANCHOR: digest_rows
/// A digest of every field of every line, read from the rows.
pub fn digest_rows(input: &Ledger) -> u64 {
    let mut digest = 0xcbf2_9ce4_8422_2325;
    for r in &input.rows {
        let currency = u64::from(u32::from_le_bytes([
            r.currency.0[0],
            r.currency.0[1],
            r.currency.0[2],
            0,
        ]));
        digest = fold(
            digest,
            [
                r.payer.into(),
                r.region.into(),
                r.class as u64,
                currency,
                r.hawl_start as u64,
                r.fx_micros as u64,
                r.value as u64,
            ],
        );
    }
    digest
}
// ANCHOR_END: digest_rows

// ANCHOR: digest_columns
/// The same digest, read from the columns.
pub fn digest_columns(input: &Ledger) -> u64 {
    let c = &input.columns;
    let mut digest = 0xcbf2_9ce4_8422_2325;
    let fields = (c.payer.iter().zip(&c.region).zip(&c.class).zip(&c.currency))
        .zip(c.hawl_start.iter().zip(&c.fx_micros).zip(&c.value));
    for ((((&payer, &region), &class), currency), ((&hawl_start, &fx_micros), &value)) in fields {
        let currency = u64::from(u32::from_le_bytes([
            currency.0[0],
            currency.0[1],
            currency.0[2],
            0,
        ]));
        digest = fold(
            digest,
            [
                payer.into(),
                region.into(),
                class as u64,
                currency,
                hawl_start as u64,
                fx_micros as u64,
                value as u64,
            ],
        );
    }
    digest
}
// ANCHOR_END: digest_columns

/// Up to 600 lines, values from zero to past what an `i64` total holds,
/// every class and a few currencies and regions.
fn arbitrary() -> BoxedStrategy<Ledger> {
    let class = proptest::sample::select(super::inputs::CLASSES.to_vec());
    let currency = proptest::sample::select(vec![*b"SAR", *b"USD", *b"EUR", *b"MYR"]);
    let value = prop_oneof![
        6 => 0i64..10_000_000_000,
        1 => Just(0i64),
        1 => (i64::MAX / 4)..=i64::MAX,
    ];
    let row = (
        any::<u32>(),
        any::<u8>(),
        class,
        currency,
        690_000i32..760_000,
        1i64..10_000_000_000,
        value,
    )
        .prop_map(
            |(payer, region, class, currency, hawl_start, fx_micros, value)| Row {
                payer,
                region,
                class,
                currency: Currency(currency),
                hawl_start,
                fx_micros,
                value,
            },
        );
    proptest::collection::vec(row, 0..600)
        .prop_map(|rows| Ledger {
            rows,
            columns: Columns::default(),
        })
        .boxed()
}

/// The invariant: every line counted, and the total the values' sum (or
/// none, where the sum passes an `i64`).
fn the_sum_of_the_values(input: &Ledger, total: &Total) -> Result<(), String> {
    ensure(total.lines == input.rows.len() as u64, || {
        format!("{} lines counted of {}", total.lines, input.rows.len())
    })?;
    let wide: i128 = input.rows.iter().map(|r| i128::from(r.value)).sum();
    ensure(
        total.value.map(i128::from) == i64::try_from(wide).ok().map(i128::from),
        || format!("total {:?}, the values sum to {wide}", total.value),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(value: i64) -> Row {
        Row {
            payer: 7,
            region: 1,
            class: AssetClass::Cash,
            currency: Currency(*b"SAR"),
            hawl_start: 700_000,
            fx_micros: 1_000_000,
            value,
        }
    }

    #[test]
    fn a_row_is_four_columns_wide_and_the_total_reads_one() {
        assert_eq!(std::mem::size_of::<Row>(), 32);
        let rows = Ledger {
            rows: vec![row(150), row(0), row(2_500)],
            columns: Columns::default(),
        };
        let expected = Total {
            lines: 3,
            value: Some(2_650),
        };
        assert_eq!(naive(&rows), expected);
        assert_eq!(optimized(&with_columns(&rows)), expected);
        let past = Ledger {
            rows: vec![row(i64::MAX), row(1)],
            columns: Columns::default(),
        };
        assert_eq!(naive(&past).value, None);
        assert_eq!(optimized(&with_columns(&past)).value, None);
    }

    #[test]
    fn the_digest_is_the_same_from_rows_and_columns_and_sees_every_field() {
        let ledger = build(Scale::Tiny, 1);
        assert!(ledger.rows.len() > 300);
        let columns = with_columns(&ledger);
        assert_eq!(digest_rows(&ledger), digest_columns(&columns));
        let mut changed = ledger.clone();
        changed.rows[0].hawl_start += 1;
        assert_ne!(digest_rows(&changed), digest_rows(&ledger));
    }
}
