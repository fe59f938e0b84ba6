//! What two or more zakat lessons share: the receipts and their
//! population, the valued lines of the totals tables, the identifiers of a
//! payers file, a payers file itself and the readers it goes through, and
//! the random inputs of each, out to the edges.

use std::collections::BTreeMap;
use std::hash::Hash;

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::date::CivilDate;
use crate::input::{Currency, InputError};
use crate::lab::api::Scale;
use crate::lessons::inputs::{day, edits, figure, identifier, input_decimal};
use crate::zakat::model::{
    Assessment, Asset, DebtPolicy, Irrigation, JewelleryPolicy, NisabBasis, Species, YearBasis,
};
use crate::zakat::receipt::write_receipt;
use crate::zakat::rules::{Context, line_value, zakatable_value};
use crate::zakat::{ZakatInput, generate as zakat_generate};

// ---- Receipts
/// The assessed population whose receipts are printed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Receipts {
    /// The reporting currency.
    pub currency: Currency,
    /// One assessment per payer.
    pub assessments: Vec<Assessment>,
    /// The length of the receipts document, for the speed-of-light
    /// reference.
    pub document_len: usize,
}

/// Payers at each scale, for the receipts.
pub fn receipt_payers_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 300,
        Scale::Small => 5_000,
        Scale::Default => 50_000,
        Scale::Bank => 1_000_000,
    }
}

/// The receipts of a generated population, assessed by the reference.
pub fn receipts(scale: Scale, seed: u64) -> Receipts {
    let input = crate::zakat::generate::generate(receipt_payers_at(scale), seed);
    let output = crate::zakat::assess_all(&input).expect("generated payers assess");
    let mut receipts = Receipts {
        currency: output.currency,
        assessments: output.assessments,
        document_len: 0,
    };
    let mut text = String::new();
    for a in &receipts.assessments {
        write_receipt(&mut text, a, receipts.currency.as_str());
    }
    receipts.document_len = text.len();
    receipts
}

// ANCHOR: receipts_limit
/// The speed of light: read every assessment once (its id and its total)
/// and write a document of the receipts' length. No receipt printer can do
/// less; what the optimized form spends above this is formatting.
pub fn receipts_limit(input: &Receipts) -> u64 {
    let mut out: Vec<u8> = Vec::with_capacity(input.document_len);
    let share = input.document_len / input.assessments.len().max(1);
    let mut checksum = 0u64;
    for a in &input.assessments {
        out.extend_from_slice(a.id.as_bytes());
        out.resize(out.len() + share.saturating_sub(a.id.len()), b' ');
        checksum ^= a.total_due.mantissa() as u64;
    }
    out.resize(input.document_len, b'\n');
    checksum ^ out.len() as u64
}
// ANCHOR_END: receipts_limit

/// Receipts of 40 assessed payers whose every printed figure is random.
pub fn arbitrary_receipts() -> BoxedStrategy<Receipts> {
    (
        0u64..1_000,
        proptest::collection::vec(identifier(), 40),
        proptest::collection::vec(figure(2), 40 * 8),
        proptest::collection::vec(figure(3), 40),
        proptest::collection::vec(day(), 40),
    )
        .prop_map(|(seed, ids, figures, kgs, hawl_ends)| {
            let input = zakat_generate::generate(40, seed);
            let mut assessments = crate::zakat::assess_all(&input)
                .expect("generated payers assess")
                .assessments;
            for (idx, a) in assessments.iter_mut().enumerate() {
                let f = &figures[idx * 8..idx * 8 + 8];
                a.id = ids[idx].clone();
                a.hawl_end = hawl_ends[idx];
                a.zakatable_assets = f[0];
                a.deductible_debts = f[1];
                a.net_wealth = f[2];
                a.nisab = f[3];
                a.wealth_zakat = f[4];
                a.rikaz_zakat = f[5];
                a.total_due = f[6];
                a.crops.push(crate::zakat::model::CropDue {
                    kg: kgs[idx],
                    value: f[7],
                });
            }
            Receipts {
                currency: input.currency,
                assessments,
                document_len: 0,
            }
        })
        .boxed()
}

// ---- Valued lines, for the totals tables

/// One valued line of one payer, ready to be added to the totals.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Line {
    /// The payer's region, as an index into the generator's regions.
    pub region: u8,
    /// The currency the line was held in (the reporting one for metals).
    pub currency: Currency,
    /// What kind of wealth.
    pub class: AssetClass,
    /// Its value in the reporting currency.
    pub value: Decimal,
}

/// The kinds of wealth totals are kept for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AssetClass {
    /// Cash and bank balances.
    Cash,
    /// Gold and silver.
    Metals,
    /// Shares and funds.
    Investments,
    /// Trade goods and receivables.
    Business,
    /// Found treasure.
    Rikaz,
}

/// The classes in the order of their dense index.
pub const CLASSES: [AssetClass; 5] = [
    AssetClass::Cash,
    AssetClass::Metals,
    AssetClass::Investments,
    AssetClass::Business,
    AssetClass::Rikaz,
];

/// The lines of a population.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Lines {
    /// Every valued line of every payer.
    pub lines: Vec<Line>,
}

/// A key of the totals table.
pub type Key = (u8, Currency, AssetClass);

/// One cell of the totals table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Total {
    /// How many lines.
    pub lines: u64,
    /// Their value.
    pub value: Decimal,
}

/// The totals table, in key order.
pub type Totals = BTreeMap<Key, Total>;

/// Payers at each scale, for the totals tables (lines, regions).
pub fn line_payers_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 300,
        Scale::Small => 20_000,
        Scale::Default => 200_000,
        Scale::Bank => 1_000_000,
    }
}

/// The valued wealth lines of a generated population, by region,
/// currency and class.
pub fn lines(scale: Scale, seed: u64) -> Lines {
    let input = crate::zakat::generate::generate(line_payers_at(scale), seed);
    let context = Context::of(&input);
    let regions = crate::zakat::generate::REGIONS;
    let mut lines = Vec::new();
    for payer in &input.payers {
        let region = payer
            .region
            .as_deref()
            .and_then(|r| regions.iter().position(|known| *known == r))
            .unwrap_or(0) as u8;
        for asset in &payer.assets {
            let (class, value) = match asset {
                Asset::Cash { .. } => (AssetClass::Cash, zakatable_value(asset, &context)),
                Asset::Gold { .. } | Asset::Silver { .. } => {
                    (AssetClass::Metals, zakatable_value(asset, &context))
                }
                Asset::Shares { .. } | Asset::Fund { .. } => {
                    (AssetClass::Investments, zakatable_value(asset, &context))
                }
                Asset::TradeGoods { .. } | Asset::Receivable { .. } => {
                    (AssetClass::Business, zakatable_value(asset, &context))
                }
                Asset::Rikaz { value, currency } => (
                    AssetClass::Rikaz,
                    line_value(*value, context.fx_rate(*currency)),
                ),
                Asset::Crop { .. } | Asset::Livestock { .. } => continue,
            };
            lines.push(Line {
                region,
                currency: asset.currency().unwrap_or(input.currency),
                class,
                value: value.expect("generated lines value"),
            });
        }
    }
    Lines { lines }
}

/// A line's key in the totals table: region, currency, class.
pub fn key(line: &Line) -> Key {
    (line.region, line.currency, line.class)
}

/// Adds one line to its key's total.
pub fn add(total: &mut Total, line: &Line) {
    total.lines += 1;
    total.value += line.value;
}

/// The invariant of a totals table: every line counted once.
pub fn every_line_counted(input: &Lines, totals: &Totals) -> Result<(), String> {
    let counted: u64 = totals.values().map(|t| t.lines).sum();
    if counted == input.lines.len() as u64 {
        Ok(())
    } else {
        Err(format!("{counted} lines counted of {}", input.lines.len()))
    }
}

/// Up to 20,000 wealth lines over 256 regions, random currencies and five
/// classes, zero, negative and huge values. Any `i64` of cents: 20,000 of
/// them sum exactly within a `Decimal`'s 96 bits, in any order, so forms
/// that add in different orders must give one total.
pub fn arbitrary_lines() -> BoxedStrategy<Lines> {
    proptest::collection::vec(
        (any::<u8>(), "[A-Z]{3}", 0..5usize, any::<i64>(), 0..=2u32),
        0..20_000,
    )
    .prop_map(|lines| Lines {
        lines: lines
            .into_iter()
            .map(|(region, currency, class, units, scale)| Line {
                region,
                currency: crate::input::Currency::parse(&currency)
                    .expect("three capitals are a currency code"),
                class: CLASSES[class],
                value: Decimal::new(units, scale),
            })
            .collect(),
    })
    .boxed()
}

// ---- The identifiers of a payers file

/// The payers' identifiers, in file order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ids {
    /// One per record.
    pub ids: Vec<String>,
}

/// A record whose identifier an earlier record already has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Duplicate {
    /// The repeating record's position in the file.
    pub at: u32,
    /// The position of the first record with the identifier.
    pub first: u32,
}

// ANCHOR: sort_then_scan
/// The positions sorted by identifier (a stable sort keeps each
/// identifier's records in file order), then one scan of neighbours.
pub fn duplicates_by_sorting(input: &Ids) -> Vec<Duplicate> {
    let mut order: Vec<u32> = (0..input.ids.len() as u32).collect();
    order.sort_by(|a, b| input.ids[*a as usize].cmp(&input.ids[*b as usize]));
    let mut duplicates = Vec::new();
    let mut first = 0;
    for (idx, &at) in order.iter().enumerate() {
        if idx > 0 && input.ids[order[idx - 1] as usize] == input.ids[at as usize] {
            duplicates.push(Duplicate { at, first });
        } else {
            first = at;
        }
    }
    duplicates.sort_unstable_by_key(|d| d.at);
    duplicates
}
// ANCHOR_END: sort_then_scan

/// Up to 600 identifiers, most from a tiny alphabet (so that repeats are
/// many, including the empty identifier and long runs of one), some
/// non-ASCII or long.
pub fn arbitrary_ids() -> BoxedStrategy<Ids> {
    let id = prop_oneof![
        4 => "[ab]{0,3}",
        1 => "\\PC{0,30}",
        1 => Just("Zaid-زيد".to_owned()),
    ];
    proptest::collection::vec(id, 0..600)
        .prop_map(|ids| Ids { ids })
        .boxed()
}

// ---- Populations

/// Whether a line is valued as wealth (crops, livestock and treasure are
/// assessed apart).
pub fn is_wealth(asset: &Asset) -> bool {
    !matches!(
        asset,
        Asset::Crop { .. } | Asset::Livestock { .. } | Asset::Rikaz { .. }
    )
}

/// A generated population of 0 to 60 payers: empty, one, many.
pub fn arbitrary_payers() -> BoxedStrategy<ZakatInput> {
    (0usize..60, 0u64..10_000)
        .prop_map(|(n, seed)| zakat_generate::generate(n, seed))
        .boxed()
}

/// A population of 60 payers pushed to the edges the fixed-point forms must
/// hand back to the reference: amounts with ten places and sixteen digits
/// (products past `Decimal`'s 96 bits), more harvests than the fast form
/// holds, a herd, zero amounts, every policy, any prices, the zakat date
/// moved a year either way. Some of them are errors, and every form must
/// give the same error.
pub fn arbitrary_population() -> BoxedStrategy<ZakatInput> {
    (
        0u64..10_000,
        edits(400),
        (input_decimal(), input_decimal(), input_decimal()),
        (0..3usize, 0..2usize, 0..2usize, 0..3usize),
        0..7usize,
        -400i64..400,
    )
        .prop_map(|(seed, amounts, prices, policy, extra_crops, days)| {
            let mut input = zakat_generate::generate(60, seed);
            let mut edit = amounts.iter();
            for payer in &mut input.payers {
                for asset in &mut payer.assets {
                    let Some(Some(value)) = edit.next() else {
                        continue;
                    };
                    match asset {
                        Asset::Cash { amount, .. } | Asset::Receivable { amount, .. } => {
                            *amount = *value
                        }
                        Asset::Gold { grams, .. } | Asset::Silver { grams, .. } => *grams = *value,
                        Asset::Shares { value: v, .. }
                        | Asset::Fund { value: v, .. }
                        | Asset::TradeGoods { value: v, .. }
                        | Asset::Rikaz { value: v, .. } => *v = *value,
                        Asset::Crop { kg, .. } => *kg = *value,
                        Asset::Livestock { count, .. } => *count = value.mantissa() as u32,
                    }
                }
            }
            // More harvests than the fixed-point form holds, and a herd.
            for k in 0..extra_crops {
                input.payers[0].assets.push(Asset::Crop {
                    kg: Decimal::new(700 + k as i64 * 100, 0),
                    irrigation: Irrigation::Mixed,
                    price_per_kg: Decimal::new(123, 2),
                });
            }
            input.payers[1].assets.push(Asset::Livestock {
                species: Species::Camels,
                count: 130,
            });
            if prices.0 > Decimal::ZERO {
                input.prices.gold_per_gram = prices.0;
            }
            if prices.1 > Decimal::ZERO {
                input.prices.silver_per_gram = prices.1;
            }
            if prices.2 > Decimal::ZERO
                && let Some(rate) = input.prices.fx.values_mut().next()
            {
                *rate = prices.2;
            }
            input.policy.nisab =
                [NisabBasis::Gold, NisabBasis::Silver, NisabBasis::Lower][policy.0];
            input.policy.year = [YearBasis::Lunar, YearBasis::Solar][policy.1];
            input.policy.jewellery =
                [JewelleryPolicy::Zakatable, JewelleryPolicy::Exempt][policy.2];
            input.policy.debts = [
                DebtPolicy::TwelveMonths,
                DebtPolicy::NextInstalment,
                DebtPolicy::None,
            ][policy.3];
            let zakat_day = input.zakat_date.day_number() + days;
            input.zakat_date =
                CivilDate::from_day_number(zakat_day).expect("a year either way is a date");
            input
        })
        .boxed()
}

// ---- A payers file and its readers

/// A payers file, as its bytes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(into = "PayersText", from = "PayersText")]
pub struct PayersFile {
    /// The JSON document.
    pub bytes: Vec<u8>,
    /// How many payers it holds (for the rates; the forms count their
    /// own).
    pub payers: usize,
}

/// A payers file as it is saved and read back: its text, readable.
#[derive(Serialize, Deserialize)]
pub struct PayersText {
    /// The document (any byte that is not UTF-8 shown as U+FFFD).
    pub text: String,
    /// How many payers it holds.
    pub payers: usize,
}

impl From<PayersFile> for PayersText {
    fn from(file: PayersFile) -> PayersText {
        PayersText {
            text: String::from_utf8_lossy(&file.bytes).into_owned(),
            payers: file.payers,
        }
    }
}

impl From<PayersText> for PayersFile {
    fn from(text: PayersText) -> PayersFile {
        PayersFile {
            bytes: text.text.into_bytes(),
            payers: text.payers,
        }
    }
}

impl PayersFile {
    /// The file of `input`, as `serde_json` writes it.
    pub fn of(input: &ZakatInput) -> PayersFile {
        PayersFile {
            bytes: serde_json::to_vec(input).expect("a model serializes"),
            payers: input.payers.len(),
        }
    }
}

/// What a form read: how many payers, and a digest of every field of the
/// model (the same for any two equal models).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Parsed {
    /// The payers read.
    pub payers: usize,
    /// A digest of the whole model.
    pub digest: u64,
}

/// The digest of a model: every field, in order, through a hasher with
/// fixed keys. A borrowed model hashes as its owned twin.
pub fn digest(value: &impl Hash) -> u64 {
    ahash::RandomState::with_seeds(1, 2, 3, 4).hash_one(value)
}

/// What a form reports of a model it read.
pub fn parsed(input: &ZakatInput) -> Parsed {
    Parsed {
        payers: input.payers.len(),
        digest: digest(input),
    }
}

/// Payers at each scale, for a payers file.
pub fn file_payers_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 100,
        Scale::Small => 1_000,
        Scale::Default => 10_000,
        Scale::Bank => 200_000,
    }
}

/// A generated population's payers file, as `serde_json` writes it.
pub fn payers_file(scale: Scale, seed: u64) -> PayersFile {
    PayersFile::of(&crate::zakat::generate::generate(
        file_payers_at(scale),
        seed,
    ))
}

/// An error as every form reports it: the path, and the message less the
/// position (` at line 1 column 57`) that only a parser of the text knows.
pub fn error(path: String, message: String) -> InputError {
    let message = match message.rfind(" at line ") {
        Some(at) if message[at + 9..].contains(" column ") => message[..at].to_owned(),
        _ => message,
    };
    InputError::new(path, message)
}

/// Runs a `serde` deserializer to its end with the path of its first error.
pub fn deserialize<'de, T: Deserialize<'de>, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<T, InputError>
where
    D::Error: std::fmt::Display,
{
    serde_path_to_error::deserialize(deserializer)
        .map_err(|e| error(e.path().to_string(), e.into_inner().to_string()))
}

// ANCHOR: read
/// A whole document from its bytes, with the path of its first error;
/// nothing but white space may follow it.
pub fn read<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, InputError> {
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    let value = deserialize(&mut reader)?;
    reader
        .end()
        .map_err(|e| error(String::new(), e.to_string()))?;
    Ok(value)
}
// ANCHOR_END: read

// ANCHOR: read_untracked
/// As [`read`], but with no path kept on the way: `serde_json` alone, and
/// only where it fails is the document read again by [`read`], for the
/// error's path. A path kept as it goes costs a `String` a key read
/// (`serde_path_to_error` records each map key), on every record of every
/// file, to name the one that fails.
pub fn read_untracked<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, InputError> {
    serde_json::from_slice(bytes).or_else(|_| read(bytes))
}
// ANCHOR_END: read_untracked

/// The checks no field can make on its own, as `ZakatInput::from_json`
/// makes them.
pub fn validated(input: ZakatInput) -> Result<Parsed, InputError> {
    input.check_currencies()?;
    input.check_unique_ids()?;
    Ok(parsed(&input))
}

/// The payers files of [`arbitrary_population`]'s edges, compact or pretty, as
/// written or with one thing wrong: cut short anywhere, a payer's id
/// twice, a currency with no rate, a karat out of range, a malformed or
/// negative amount, a number where a string goes, an unknown field, a
/// missing one; and valid files with an escape in an id.
pub fn arbitrary_payers_file() -> BoxedStrategy<PayersFile> {
    (
        arbitrary_population(),
        0..13usize,
        any::<proptest::sample::Index>(),
        any::<bool>(),
    )
        .prop_map(|(mut input, mutation, at, pretty)| {
            let n = input.payers.len();
            match mutation {
                4 => input.payers[at.index(n - 1) + 1].id = input.payers[0].id.clone(),
                5 => {
                    let payer = &mut input.payers[at.index(n)];
                    payer.debts.push(crate::zakat::model::Debt::DueNow {
                        amount: Decimal::ONE,
                        currency: crate::input::Currency::parse("ZZZ").expect("a code"),
                    });
                }
                _ => {}
            }
            let mut text = if pretty && mutation != 9 {
                serde_json::to_string_pretty(&input)
            } else {
                serde_json::to_string(&input)
            }
            .expect("a model serializes");
            let colon = if pretty && mutation != 9 {
                "\": "
            } else {
                "\":"
            };
            let reads_whole = read::<ZakatInput>(text.as_bytes()).is_ok();
            // The `k`th occurrence of `key`'s value, replaced by `f`.
            let mut edit = |key: &str, f: &dyn Fn(&str) -> String| {
                let pattern = format!("\"{key}{colon}");
                let starts: Vec<usize> = text.match_indices(&pattern).map(|(i, _)| i).collect();
                if let Some(&start) = starts.get(at.index(starts.len().max(1))) {
                    let value = start + pattern.len();
                    let end = value + text[value..].find([',', '}', '\n']).expect("a value ends");
                    let replaced = f(&text[value..end]);
                    text.replace_range(value..end, &replaced);
                }
            };
            match mutation {
                // Cut short only a file with nothing else wrong: the
                // population's edges include figures the reader refuses (a
                // count above its limit), and a file with two faults has
                // two right answers (the tree reads to the cut before it
                // looks at a count; the derived reader meets the count
                // first).
                3 if reads_whole => {
                    let mut cut = at.index(text.len());
                    while !text.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    text.truncate(cut);
                }
                6 => edit("karat", &|_| "25".to_owned()),
                7 => edit("amount", &|v| format!("\"x{}", &v[1..])),
                8 => edit("hawl_start", &|v| format!("{v},\"hawl_begin\":{v}")),
                9 => {
                    let key = "\"hawl_start\":\"";
                    let starts: Vec<usize> = text.match_indices(key).map(|(i, _)| i).collect();
                    let start = starts[at.index(starts.len())];
                    // The key, its ten-character date in quotes, the comma.
                    text.replace_range(start..start + key.len() + 12, "");
                }
                10 => edit("id", &|v| format!("\"\\u0041{}", &v[1..])),
                11 => edit("grams", &|v| format!("\"-{}", &v[1..])),
                12 => edit("value", &|v| v.trim_matches('"').to_owned()),
                _ => {}
            }
            PayersFile {
                bytes: text.into_bytes(),
                payers: n,
            }
        })
        .boxed()
}
