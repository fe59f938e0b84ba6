//! `zakat/pipeline`: the whole zakat run, from the parsed payers to every
//! payer's receipt and the totals by region: valuation, hawl, debts,
//! nisab, what is due, receipts, totals.
//!
//! The naive form is the reference assessment ([`crate::zakat::assess_all`],
//! `Decimal` throughout, one calendar conversion a payer), the naive
//! receipts of `zakat/string-building`, and totals in a `BTreeMap` keyed by
//! the region's name. The optimized form assesses in fixed point
//! ([`crate::zakat::fixed`]) with what payers share hoisted out of the
//! loop, writes each receipt by hand straight from the cents (in a stack
//! record, copied out in one piece), keeps the totals by borrowed region
//! names (a short list, indexed by a hash map once the regions are many),
//! and splits the payers over the cores. Between them, the ladder's rungs
//! (`receipts-by-hand`, `borrowed-totals`, `fixed-point`, `from-cents`,
//! `region-list`, `hoisted`) each change one thing (a rung that carries a
//! second, smaller change names it), so each step's worth is its own
//! ratio.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::input::{Currency, InputError};
use crate::lab::api::{
    Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale, Variant,
};
use crate::text::{Document, RECORD_CAPACITY, Record, Sink};
use crate::zakat::ZakatInput;
use crate::zakat::engine::{self, Assessed, assess_payer, per_part};
use crate::zakat::fixed::{Figures, GROUPS, Prepared};
use crate::zakat::model::{Assessment, Asset, Payer};
use crate::zakat::receipt::{animal_name, format_receipt, group_name};
use crate::zakat::rules::livestock_due_in_kind;

/// The lesson's registry entry.
pub const LESSON: LessonDef<Population, Result<ZakatRun, InputError>> = LessonDef {
    id: "zakat/pipeline",
    why: "The whole run, naive, spends its time in Decimal arithmetic, a calendar conversion for \
          every payer, and format! for every line of every receipt. Each rung of the ladder \
          changes one thing and is timed in the same run, over the rung before: receipts written \
          by hand (still from the Decimal assessment) {over_before:receipts-by-hand}; the totals \
          keyed by borrowed region names {over_before:borrowed-totals}; the assessment's \
          arithmetic in integer cents with i128 products (the engine also finds the nisab once for \
          the file), turned back into the same assessment for the same writer \
          {over_before:fixed-point}; one pass, each receipt and total written straight from the \
          cents {over_before:from-cents}; the totals in a short list instead of a tree \
          {over_before:region-list}; each distinct hawl start converted once before the loop \
          {over_before:hoisted}; all of these on one thread, and the last rung the machine's cores \
          alone, {over_before:optimized}. {?instructions|gain Under callgrind, which counts every \
          thread's work together, the instructions a payer fell from the naive form to the \
          optimized one ({instructions}), and one run's allocations from {allocations:naive} to \
          {allocations:optimized}: the rungs cut the work, and the last one splits it.|same Under \
          callgrind, which counts every thread's work together, the instructions did not move \
          ({instructions}).|loss Under callgrind, which counts every thread's work together, the \
          instructions rose ({instructions}).} {?speedup|gain In all the optimized run measured \
          {speedup} over the naive one: such a rewrite is worth weighing for a run made often over \
          many records, while for a one-off report the reference is clearer.|same In all the two \
          runs are within the noise ({speedup}), and the reference is the clearer.|loss In all the \
          optimized run measured {speedup}: the reference is the clearer and, here, the better \
          choice.}",
    build,
    elements: |p| p.input.payers.len() as u64,
    naive: |p| naive(&p.input),
    optimized: |p| optimized(&p.input),
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary,
    invariant: None,
    allocators: None,
    variants: &[
        Variant::new("receipts-by-hand", |p| receipts_by_hand(&p.input)),
        Variant::new("borrowed-totals", |p| borrowed_totals(&p.input)),
        Variant::new("fixed-point", |p| fixed_point(&p.input)),
        Variant::new("from-cents", |p| from_cents(&p.input)),
        Variant::new("region-list", |p| region_list(&p.input)),
        Variant::new("hoisted", |p| hoisted(&p.input)),
    ],
    scaling: true,
    contrast: None,
    practice: Practice::Rewrite(Exercise {
        hint: "The whole run, from the parsed input to the receipts and the totals: assessment in \
         `Decimal`, receipts by `format!`, totals in a map keyed by region name, one thread. \
         Each earlier lesson is one rung of this ladder.",
        compares: "the run's receipts document and totals by region, or the error",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// What the run produces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct ZakatRun {
    /// Every payer's receipt, in input order.
    pub receipts: Document,
    /// The totals by region, in region order (payers without a region
    /// first).
    pub totals: Vec<RegionTotal>,
}

/// The totals of one region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub struct RegionTotal {
    /// The region (`None` for payers without one).
    pub region: Option<String>,
    /// How many payers.
    pub payers: u64,
    /// How many of them owe something.
    pub payers_due: u64,
    /// What they owe in all.
    pub total_due: Decimal,
}

/// Payers at each scale.
pub fn payers_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 400,
        Scale::Small => 5_000,
        Scale::Default => 50_000,
        Scale::Bank => 1_000_000,
    }
}

/// A population to assess, and the length of its receipts (for the speed
/// of light).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Population {
    /// The parsed input.
    pub input: ZakatInput,
    /// The length of the receipts document, in bytes.
    pub receipts_len: usize,
}

/// The property tests' inputs at the edges (see
/// [`super::inputs::arbitrary_population`]); the document length only feeds the
/// speed of light, which the checks do not run.
fn arbitrary() -> proptest::strategy::BoxedStrategy<Population> {
    use proptest::strategy::Strategy as _;
    super::inputs::arbitrary_population()
        .prop_map(|input| Population {
            input,
            receipts_len: 0,
        })
        .boxed()
}

fn build(scale: Scale, seed: u64) -> Population {
    let input = crate::zakat::generate::generate(payers_at(scale), seed);
    let receipts_len = optimized(&input).map_or(0, |run| run.receipts.len());
    Population {
        input,
        receipts_len,
    }
}

// ANCHOR: limit
/// The speed of light: on every core, as the optimized form splits the
/// work, read every field a payer's assessment reads (its id, region and
/// hawl, every line's amount and currency) and write a document of the
/// receipts' length. No pipeline can do less; what the optimized form
/// spends above this is computing and formatting.
fn limit(population: &Population) -> u64 {
    let payers = &population.input.payers;
    let per_part = per_part(payers.len());
    let share = population.receipts_len / payers.len().max(1);
    payers
        .par_chunks(per_part)
        .map(|payers| {
            let mut out: Vec<u8> = Vec::with_capacity(payers.len() * share);
            let mut checksum = 0u64;
            for payer in payers {
                let start = out.len();
                out.extend_from_slice(payer.id.as_bytes());
                out.extend_from_slice(payer.region.as_deref().unwrap_or("").as_bytes());
                checksum ^= u64::from(payer.hawl_start.day());
                for asset in &payer.assets {
                    checksum ^= amount(asset).mantissa() as u64;
                }
                checksum ^= payer.debts.len() as u64;
                out.resize(start + share.max(out.len() - start), b' ');
            }
            checksum ^ out.len() as u64
        })
        .reduce(|| 0, |a, b| a ^ b)
}

/// The amount a line is valued from.
fn amount(asset: &Asset) -> Decimal {
    match asset {
        Asset::Cash { amount, .. } | Asset::Receivable { amount, .. } => *amount,
        Asset::Gold { grams, .. } | Asset::Silver { grams, .. } => *grams,
        Asset::Shares { value, .. }
        | Asset::Fund { value, .. }
        | Asset::TradeGoods { value, .. }
        | Asset::Rikaz { value, .. } => *value,
        Asset::Crop { kg, .. } => *kg,
        Asset::Livestock { count, .. } => Decimal::from(*count),
    }
}
// ANCHOR_END: limit

/// The error for a region's total past what a `Decimal` holds.
#[cold]
pub fn total_too_large() -> InputError {
    InputError::new(
        "payers",
        "their total zakat due is too large to compute exactly",
    )
}

// ANCHOR: naive
/// The reference assessment, the naive receipts, totals by region name.
pub fn naive(input: &ZakatInput) -> Result<ZakatRun, InputError> {
    let output = crate::zakat::assess_all(input)?;
    let totals = totals_by_name(&input.payers, &output.assessments)?;
    let mut receipts = String::new();
    for assessment in &output.assessments {
        receipts += &format_receipt(assessment, output.currency);
    }
    Ok(ZakatRun {
        receipts: receipts.into(),
        totals,
    })
}

fn totals_by_name(
    payers: &[Payer],
    assessments: &[Assessment],
) -> Result<Vec<RegionTotal>, InputError> {
    let mut totals: BTreeMap<Option<String>, RegionTotal> = BTreeMap::new();
    for (payer, assessment) in payers.iter().zip(assessments) {
        let total = totals.entry(payer.region.clone()).or_default();
        count(total, assessment)?;
    }
    Ok(totals
        .into_iter()
        .map(|(region, total)| RegionTotal { region, ..total })
        .collect())
}

/// Counts one payer's assessment into its region's total.
fn count(total: &mut RegionTotal, assessment: &Assessment) -> Result<(), InputError> {
    total.payers += 1;
    if assessment.total_due > Decimal::ZERO {
        total.payers_due += 1;
    }
    total.total_due = total
        .total_due
        .checked_add(assessment.total_due)
        .ok_or_else(total_too_large)?;
    Ok(())
}
// ANCHOR_END: naive

// ANCHOR: receipts_by_hand
/// Rung 1: the reference assessment, receipts written by hand, into one
/// buffer sized for them as they are written by hand in
/// `zakat/string-building` (the naive form's `String` grows): the text
/// and its buffer, one rung.
pub fn receipts_by_hand(input: &ZakatInput) -> Result<ZakatRun, InputError> {
    by_hand_with_totals(input, totals_by_name)
}

/// A way to total the assessments by region.
type TotalsBy = fn(&[Payer], &[Assessment]) -> Result<Vec<RegionTotal>, InputError>;

/// The reference assessment, the receipts by hand, the totals by `totals`.
fn by_hand_with_totals(input: &ZakatInput, totals: TotalsBy) -> Result<ZakatRun, InputError> {
    let output = crate::zakat::assess_all(input)?;
    let totals = totals(&input.payers, &output.assessments)?;
    // Receipts average some 240 bytes; 256 a receipt is a little more.
    let mut receipts = String::with_capacity(output.assessments.len() * 256);
    for assessment in &output.assessments {
        crate::zakat::receipt::write_receipt(&mut receipts, assessment, output.currency.as_str());
    }
    Ok(ZakatRun {
        receipts: receipts.into(),
        totals,
    })
}
// ANCHOR_END: receipts_by_hand

// ANCHOR: borrowed_totals
/// Rung 2: as rung 1, the totals keyed by the payer's own region name,
/// borrowed, instead of a copy of it a payer.
pub fn borrowed_totals(input: &ZakatInput) -> Result<ZakatRun, InputError> {
    by_hand_with_totals(input, totals_by_borrowed_name)
}

fn totals_by_borrowed_name<'a>(
    payers: &'a [Payer],
    assessments: &[Assessment],
) -> Result<Vec<RegionTotal>, InputError> {
    let mut totals: BTreeMap<Option<&'a str>, RegionTotal> = BTreeMap::new();
    for (payer, assessment) in payers.iter().zip(assessments) {
        let total = totals.entry(payer.region.as_deref()).or_default();
        count(total, assessment)?;
    }
    Ok(totals
        .into_iter()
        .map(|(region, total)| RegionTotal {
            region: region.map(str::to_owned),
            ..total
        })
        .collect())
}
// ANCHOR_END: borrowed_totals

// ANCHOR: fixed_point
/// Rung 3: the assessments in fixed point (the engine's integer cents,
/// `i128` products, the rates and the nisab prepared once for the file, as
/// the engine prepares them; a payer out of range handed to the
/// reference), each turned back into the reference's `Assessment`;
/// receipts and totals as rung 2, on one thread.
pub fn fixed_point(input: &ZakatInput) -> Result<ZakatRun, InputError> {
    let prepared = Prepared::for_starts(input, &[], false);
    let assessments = input
        .payers
        .iter()
        .enumerate()
        .map(|(idx, payer)| match assess_payer(&prepared, payer) {
            Ok(Assessed::Fast(figures)) => Ok(engine::assessment(payer, &figures, &prepared)),
            Ok(Assessed::Reference(assessment)) => Ok(assessment),
            Err(e) => Err(InputError::new(
                format!("payers[{idx}].{}", e.at),
                e.message,
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let totals = totals_by_borrowed_name(&input.payers, &assessments)?;
    let mut receipts = String::with_capacity(assessments.len() * 256);
    for assessment in &assessments {
        crate::zakat::receipt::write_receipt(&mut receipts, assessment, input.currency.as_str());
    }
    Ok(ZakatRun {
        receipts: receipts.into(),
        totals,
    })
}
// ANCHOR_END: fixed_point

// ANCHOR: from_cents
/// Rung 4: as rung 3, but one pass: each payer's receipt written straight
/// from its cents (in a stack record, copied out in one piece) and its due
/// added to its region's total in cents as it is assessed; the totals in a
/// `BTreeMap` by borrowed name, as before; on one thread.
pub fn from_cents(input: &ZakatInput) -> Result<ZakatRun, InputError> {
    let prepared = Prepared::for_starts(input, &[], false);
    let part = run_part::<BTreeMap<Option<&str>, Sums>>(&prepared, &input.payers, 0);
    finish(vec![part])
}
// ANCHOR_END: from_cents

// ANCHOR: region_list
/// Rung 5: as rung 4, the totals in a short list searched in order while
/// the regions are few (indexed by a hash map once they are many).
pub fn region_list(input: &ZakatInput) -> Result<ZakatRun, InputError> {
    let prepared = Prepared::for_starts(input, &[], false);
    let part = run_part::<RegionSums>(&prepared, &input.payers, 0);
    finish(vec![part])
}
// ANCHOR_END: region_list

// ANCHOR: hoisted
/// Rung 6: as rung 5, each distinct hawl start's end found once, before
/// the loop, on one thread.
pub fn hoisted(input: &ZakatInput) -> Result<ZakatRun, InputError> {
    let prepared = Prepared::new(input, false);
    let part = run_part::<RegionSums>(&prepared, &input.payers, 0);
    finish(vec![part])
}
// ANCHOR_END: hoisted

// ANCHOR: optimized
/// Fixed point, shared work hoisted, receipts by hand, payers split over
/// the cores in a few contiguous parts whose texts are joined in order.
pub fn optimized(input: &ZakatInput) -> Result<ZakatRun, InputError> {
    let prepared = Prepared::new(input, true);
    // The engine's parts: a few a thread.
    let per_part = per_part(input.payers.len());
    let parts: Vec<Part> = input
        .payers
        .par_chunks(per_part)
        .enumerate()
        .map(|(idx, payers)| run_part::<RegionSums>(&prepared, payers, idx * per_part))
        .collect();
    finish(parts)
}

/// One part's receipts and totals, or the first error in it.
struct Part<'a> {
    receipts: String,
    totals: Vec<(Option<&'a str>, Sums)>,
    error: Option<InputError>,
}

/// Running totals by region, in cents: what a rung keeps them in.
trait Totals<'a>: Default {
    /// The region's totals, made at zero the first time.
    fn get(&mut self, region: Option<&'a str>) -> &mut Sums;
    /// Every region's totals, in any order.
    fn into_list(self) -> Vec<(Option<&'a str>, Sums)>;
}

impl<'a> Totals<'a> for BTreeMap<Option<&'a str>, Sums> {
    fn get(&mut self, region: Option<&'a str>) -> &mut Sums {
        self.entry(region).or_default()
    }

    fn into_list(self) -> Vec<(Option<&'a str>, Sums)> {
        self.into_iter().collect()
    }
}

/// Running totals by region: a short list searched in order while the
/// regions are few (a handful of string comparisons costs less than
/// hashing the name), indexed by a hash map once they are many.
#[derive(Default)]
struct RegionSums<'a> {
    list: Vec<(RegionKey, Option<&'a str>, Sums)>,
    index: HashMap<Option<&'a str>, usize>,
}

/// A region's name's length and first eight bytes: two integers to
/// compare instead of a call to `memcmp`, and enough to tell the usual
/// region names apart (the names are compared in full only on a match of
/// a longer name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RegionKey(usize, u64);

impl RegionKey {
    #[inline]
    fn of(region: Option<&str>) -> RegionKey {
        match region {
            None => RegionKey(usize::MAX, 0),
            Some(name) => {
                let prefix = name
                    .bytes()
                    .take(8)
                    .fold(0u64, |key, b| (key << 8) | u64::from(b));
                RegionKey(name.len(), prefix)
            }
        }
    }
}

/// Above this many regions, a [`RegionSums`] list is indexed.
const SHORT: usize = 16;

impl<'a> Totals<'a> for RegionSums<'a> {
    fn into_list(self) -> Vec<(Option<&'a str>, Sums)> {
        self.list
            .into_iter()
            .map(|(_, r, sums)| (r, sums))
            .collect()
    }

    fn get(&mut self, region: Option<&'a str>) -> &mut Sums {
        let found = if self.list.len() <= SHORT {
            let key = RegionKey::of(region);
            self.list
                .iter()
                .position(|(k, r, _)| *k == key && (key.0 <= 8 || *r == region))
        } else {
            self.index.get(&region).copied()
        };
        let at = match found {
            Some(at) => at,
            None => {
                self.list
                    .push((RegionKey::of(region), region, Sums::default()));
                if self.list.len() > SHORT {
                    if self.index.is_empty() {
                        self.index = (self.list.iter().enumerate())
                            .map(|(at, (_, r, _))| (*r, at))
                            .collect();
                    } else {
                        self.index.insert(region, self.list.len() - 1);
                    }
                }
                self.list.len() - 1
            }
        };
        &mut self.list[at].2
    }
}

/// A region's running totals, in cents.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    payers: u64,
    payers_due: u64,
    cents: i128,
}

/// Assesses `payers` (the first of them at `first_idx` in the file) into
/// one buffer and one totals map: nothing allocated per payer.
fn run_part<'a, T: Totals<'a>>(
    prepared: &Prepared,
    payers: &'a [Payer],
    first_idx: usize,
) -> Part<'a> {
    // Receipts average some 240 bytes; 256 each rarely needs to grow.
    let mut receipts = String::with_capacity(payers.len() * 256);
    let mut totals = T::default();
    let mut record = Record::default();
    let currency = prepared.context.currency;
    for (offset, payer) in payers.iter().enumerate() {
        let total_due = match assess_payer(prepared, payer) {
            Ok(Assessed::Fast(figures)) => {
                // A receipt is at most some 900 bytes besides its id.
                if payer.id.len() + 1024 <= RECORD_CAPACITY {
                    record.clear();
                    write_receipt(&mut record, payer, &figures, prepared.nisab, currency);
                    receipts.push_str(record.as_str());
                } else {
                    write_receipt(&mut receipts, payer, &figures, prepared.nisab, currency);
                }
                i128::from(figures.total_due)
            }
            Ok(Assessed::Reference(assessment)) => {
                by_reference(&mut receipts, &assessment, currency)
            }
            Err(e) => {
                let at = format!("payers[{}].{}", first_idx + offset, e.at);
                let error = Some(InputError::new(at, e.message));
                return Part {
                    receipts,
                    totals: totals.into_list(),
                    error,
                };
            }
        };
        let sums = totals.get(payer.region.as_deref());
        sums.payers += 1;
        sums.payers_due += u64::from(total_due > 0);
        sums.cents += total_due;
    }
    Part {
        receipts,
        totals: totals.into_list(),
        error: None,
    }
}
// ANCHOR_END: optimized

/// A payer outside the fixed-point domain, which the reference assessed:
/// the domain's receipt writer prints it.
#[cold]
fn by_reference(receipts: &mut String, assessment: &Assessment, currency: Currency) -> i128 {
    crate::zakat::receipt::write_receipt(receipts, assessment, currency.as_str());
    crate::money::cents_i128(assessment.total_due)
}

/// Puts the parts together in order: the first error, or the receipts (a
/// document of the parts' texts, not copied into one) and the totals.
fn finish(parts: Vec<Part>) -> Result<ZakatRun, InputError> {
    let mut merged: BTreeMap<Option<&str>, Sums> = BTreeMap::new();
    let mut receipts = Vec::with_capacity(parts.len());
    for part in parts {
        if let Some(error) = part.error {
            return Err(error);
        }
        receipts.push(part.receipts);
        for (region, sums) in &part.totals {
            let merged = merged.entry(*region).or_default();
            merged.payers += sums.payers;
            merged.payers_due += sums.payers_due;
            merged.cents += sums.cents;
        }
    }
    let totals = merged
        .into_iter()
        .map(|(region, sums)| {
            Ok(RegionTotal {
                region: region.map(str::to_owned),
                payers: sums.payers,
                payers_due: sums.payers_due,
                total_due: Decimal::try_from_i128_with_scale(sums.cents, 2)
                    .map_err(|_| total_too_large())?,
            })
        })
        .collect::<Result<_, InputError>>()?;
    Ok(ZakatRun {
        receipts: Document::from_parts(receipts),
        totals,
    })
}

// ANCHOR: write_receipt
/// Writes one receipt from the fixed-point figures: the same text as
/// [`crate::zakat::receipt::write_receipt`] writes from the `Decimal` ones.
fn write_receipt<S: Sink>(
    out: &mut S,
    payer: &Payer,
    f: &Figures,
    nisab: Option<i64>,
    currency: Currency,
) {
    // A macro rather than a closure: each label stays a literal, whose
    // copy the compiler inlines (through a closure's `&str` parameter it
    // called memcpy).
    macro_rules! money {
        ($label:literal, $cents:expr) => {{
            out.put($label);
            out.put_ascii(currency.0);
            out.put(" ");
            out.put_units::<2>($cents);
        }};
    }
    out.put("ZAKAT RECEIPT ");
    out.put(&payer.id);
    out.put("\nHawl ends ");
    out.put_date(f.hawl_end);
    out.put(if f.hawl_complete {
        " (complete)\n"
    } else {
        " (not complete)\n"
    });
    money!("Zakatable assets: ", f.zakatable_assets);
    money!("\nDeductible debts: ", f.deductible_debts);
    money!("\nNet wealth: ", f.net_wealth);
    money!("\nNisab: ", nisab.unwrap_or_default());
    out.put(if f.nisab_met { " (met)" } else { " (not met)" });
    money!("\nZakat on wealth: ", f.wealth_zakat);
    let mut digits = itoa::Buffer::new();
    for (idx, crop) in f.crops[..usize::from(f.n_crops)].iter().enumerate() {
        out.put("\nCrop ");
        out.put(digits.format(idx + 1));
        out.put(": ");
        out.put_units::<3>(crop.grams);
        money!(" kg worth ", crop.cents);
    }
    for (group, herd) in GROUPS.iter().zip(f.herds) {
        let Some(count) = herd else { continue };
        out.put("\nLivestock, ");
        out.put(group_name(*group));
        out.put(": ");
        let mut listed = 0;
        if f.hawl_complete {
            for due in livestock_due_in_kind(*group, count) {
                if due.count > 0 {
                    if listed > 0 {
                        out.put(", ");
                    }
                    out.put(digits.format(due.count));
                    out.put(" ");
                    out.put(animal_name(due.animal));
                    listed += 1;
                }
            }
        }
        if listed == 0 {
            out.put("nothing due");
        }
    }
    money!("\nZakat on rikaz: ", f.rikaz_zakat);
    money!("\nTOTAL DUE: ", f.total_due);
    out.put("\n\n");
}
// ANCHOR_END: write_receipt
