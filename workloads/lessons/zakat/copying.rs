//! `zakat/copying`: the zakat due in each region, for the collection
//! office's table: every payer's due added to its region's total, the
//! totals kept in a map by region name.
//!
//! Three forms over the same payers, the same map type (std's `HashMap`)
//! and the same loop:
//!
//! - naive: the key is an owned `Option<String>`, so every payer's region
//!   name is cloned to look its total up (`entry` takes the key by value):
//!   an allocation, a copy and a free per payer, for a name the map
//!   already holds;
//! - optimized: the key borrows the payer's name (`Option<&str>`); names
//!   are copied once per region, into the output;
//! - `arc-str`, a further form: the names are shared `Arc<str>`s (as an
//!   interning parser would hand them out), so the clone is a reference
//!   count's increment and decrement, not an allocation.
//!
//! The contrast ([`BY_CURRENCY`]) copies a key that is three bytes on the
//! stack, a currency code, against borrowing it: where a copy allocates
//! nothing, there is nothing to save.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::input::Currency;
use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
    Variant,
};
use crate::zakat::rules::{Context, assess};

use super::inputs::{Lines, Total, add as add_line};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Regional, RegionTotals> = LessonDef {
    id: "zakat/copying",
    why: "HashMap::entry takes its key by value, so a map keyed by an owned String makes \
          the loop clone every payer's region name to look its total up: a malloc, a copy \
          and a free a payer ({allocations_per_record:naive} allocations a payer), for a \
          name the map already holds. Keying the map by a &str borrowed from the input \
          costs no copy, and the names are copied once a region, into the output \
          ({allocations_per_record:optimized} allocations a payer); the map type, its \
          hasher and the loop are the same. {?instructions|gain Callgrind counts what the \
          clones cost in work: {instructions}.|same Callgrind counts about as much work in \
          both ({instructions}).|loss Callgrind counts more work borrowed \
          ({instructions}).} {?speedup|gain In time borrowing measured {speedup}.|same In \
          time the two are within the noise ({speedup}).|loss In time borrowing measured \
          {speedup}.} A further form shares the names as Arc<str>, as an interning parser \
          would hand them out: its clone counts a reference up and down, with no \
          allocation ({allocations_per_record:arc-str} allocations a payer); \
          {?over_naive:arc-str|gain against the String clones it measured \
          {over_naive:arc-str}.|same against the String clones it is within the noise \
          ({over_naive:arc-str}).|loss against the String clones it measured \
          {over_naive:arc-str}.} The contrast keeps the two ways of keying and changes the \
          key: the valued lines' totals by currency, the key a currency code of three \
          bytes that is Copy. Copying it into the map's entry allocates nothing, so \
          borrowing has no allocation to remove ({contrast.allocations:naive} allocations \
          a run copied, {contrast.allocations:optimized} borrowed), the hash reads the \
          same three bytes either way, and a borrowed key is a pointer, larger than the \
          code it points to. {?contrast.speedup|gain There borrowing still measured \
          {contrast.speedup}.|same There the two are within the noise \
          ({contrast.speedup}).|loss There borrowing measured {contrast.speedup}.} Borrow \
          a key whose clone allocates, where the data outlives the loop; a small Copy key \
          has no allocation to remove, and copying it is the simpler code.",
    build,
    elements: |input| input.payers.len() as u64,
    naive,
    optimized,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary,
    invariant: Some(every_payer_counted),
    allocators: None,
    variants: &[Variant::new("arc-str", arc_str)],
    scaling: false,
    contrast: Some(Contrast {
        name: "a three-byte key: totals by currency",
        scale: Scale::Default,
        input: ContrastInput::Stage(&BY_CURRENCY),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "`entry` takes its key by value, so every payer's region name is cloned (allocated, \
         copied, freed) to find a total the map already has. The payers outlive the loop: \
         could the map's keys point into them?",
        compares: "every region's totals, as printed",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// One payer's due, with its region's name as the input file gave it and
/// as an interning parser would share it.
#[derive(Debug, Clone)]
pub struct RegionalDue {
    /// The region's name (`None` for a payer without one).
    pub region: Option<String>,
    /// The same name, shared: one allocation per distinct name.
    pub shared: Option<Arc<str>>,
    /// The zakat due.
    pub due: Decimal,
}

/// A population's dues.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(into = "Dues", from = "Dues")]
pub struct Regional {
    /// Every payer, in file order.
    pub payers: Vec<RegionalDue>,
}

/// A population's dues as they are saved and read back: each payer's
/// region and due (the shared names are made again when read).
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Dues {
    /// `(region, due)`, a payer each, in file order.
    pub payers: Vec<(Option<String>, Decimal)>,
}

impl From<Regional> for Dues {
    fn from(regional: Regional) -> Dues {
        Dues {
            payers: regional
                .payers
                .into_iter()
                .map(|p| (p.region, p.due))
                .collect(),
        }
    }
}

impl From<Dues> for Regional {
    fn from(dues: Dues) -> Regional {
        Regional::new(dues.payers)
    }
}

impl Regional {
    /// The dues of payers in these regions, each name shared among the
    /// payers that carry it.
    pub fn new(payers: impl IntoIterator<Item = (Option<String>, Decimal)>) -> Regional {
        let mut shared: HashMap<Option<String>, Option<Arc<str>>> = HashMap::new();
        let payers = payers
            .into_iter()
            .map(|(region, due)| RegionalDue {
                shared: shared
                    .entry(region.clone())
                    .or_insert_with(|| region.as_deref().map(Arc::from))
                    .clone(),
                region,
                due,
            })
            .collect();
        Regional { payers }
    }
}

/// One region's total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub struct RegionTotal {
    /// How many payers.
    pub payers: u64,
    /// The zakat they owe.
    pub due: Decimal,
}

/// The totals in region order (payers without a region first).
pub type RegionTotals = BTreeMap<Option<String>, RegionTotal>;

fn build(scale: Scale, seed: u64) -> Regional {
    let input = crate::zakat::generate::generate(super::inputs::line_payers_at(scale), seed);
    let context = Context::of(&input);
    Regional::new(input.payers.iter().map(|payer| {
        let due = assess(payer, &context)
            .expect("generated payers assess")
            .wealth_zakat;
        (payer.region.clone(), due)
    }))
}

/// Adds one payer to its region's total.
pub fn add(total: &mut RegionTotal, payer: &RegionalDue) {
    total.payers += 1;
    total.due += payer.due;
}

// ANCHOR: limit
/// The speed of light: read every payer's due and name once, with no map.
/// A total by region must at least read both.
fn limit(input: &Regional) -> u64 {
    input.payers.iter().fold(0u64, |sum, payer| {
        let name = payer.region.as_deref().map_or(0, str::len) as u64;
        sum.wrapping_add(payer.due.mantissa() as u64 ^ name)
    })
}
// ANCHOR_END: limit

// ANCHOR: naive
/// The map owns its keys: every payer's region name is cloned to look up.
pub fn naive(input: &Regional) -> RegionTotals {
    let mut totals: HashMap<Option<String>, RegionTotal> = HashMap::new();
    for payer in &input.payers {
        add(totals.entry(payer.region.clone()).or_default(), payer);
    }
    totals.into_iter().collect()
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// The map borrows its keys from the input; names are copied once per
/// region, into the output.
pub fn optimized(input: &Regional) -> RegionTotals {
    let mut totals: HashMap<Option<&str>, RegionTotal> = HashMap::new();
    for payer in &input.payers {
        add(totals.entry(payer.region.as_deref()).or_default(), payer);
    }
    totals
        .into_iter()
        .map(|(region, total)| (region.map(str::to_owned), total))
        .collect()
}
// ANCHOR_END: optimized

// ANCHOR: arc_str
/// The map owns shared names: a clone is a reference count.
pub fn arc_str(input: &Regional) -> RegionTotals {
    let mut totals: HashMap<Option<Arc<str>>, RegionTotal> = HashMap::new();
    for payer in &input.payers {
        add(totals.entry(payer.shared.clone()).or_default(), payer);
    }
    totals
        .into_iter()
        .map(|(region, total)| (region.map(|name| name.to_string()), total))
        .collect()
}
// ANCHOR_END: arc_str

/// The contrast: the valued lines' totals by currency, in std's HashMap,
/// the key a `Currency` (three bytes, `Copy`) copied into the map's entry
/// (naive) or borrowed from the line (optimized).
pub const BY_CURRENCY: LessonDef<Lines, BTreeMap<Currency, Total>> = LessonDef {
    id: "zakat/copying",
    why: "",
    build: super::inputs::lines,
    elements: |input| input.lines.len() as u64,
    naive: currency_copied,
    optimized: currency_borrowed,
    prepare: Prepare::NONE,
    limit: None,
    reference: None,
    arbitrary: super::inputs::arbitrary_lines,
    invariant: None,
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

// ANCHOR: by_currency
/// The map owns its keys: each line's currency code copied in (three
/// bytes, no allocation).
pub fn currency_copied(input: &Lines) -> BTreeMap<Currency, Total> {
    let mut totals: HashMap<Currency, Total> = HashMap::new();
    for line in &input.lines {
        add_line(totals.entry(line.currency).or_default(), line);
    }
    totals.into_iter().collect()
}

/// The map borrows its keys from the lines: a pointer to the code.
pub fn currency_borrowed(input: &Lines) -> BTreeMap<Currency, Total> {
    let mut totals: HashMap<&Currency, Total> = HashMap::new();
    for line in &input.lines {
        add_line(totals.entry(&line.currency).or_default(), line);
    }
    totals.into_iter().map(|(c, t)| (*c, t)).collect()
}
// ANCHOR_END: by_currency

/// Up to 3,000 payers' dues by region: no region, an empty name, the
/// generator's names, long and non-ASCII names, and up to 2,000 distinct
/// names; any `i64` of cents at up to two places.
pub fn arbitrary() -> BoxedStrategy<Regional> {
    let region = prop_oneof![
        Just(None),
        Just(Some(String::new())),
        (0..crate::zakat::generate::REGIONS.len())
            .prop_map(|idx| Some(crate::zakat::generate::REGIONS[idx].to_owned())),
        "\\PC{0,40}".prop_map(Some),
        (0u32..2_000).prop_map(|n| Some(format!("region-{n}"))),
    ];
    let due = (any::<i64>(), 0..=2u32).prop_map(|(units, scale)| Decimal::new(units, scale));
    proptest::collection::vec((region, due), 0..3_000)
        .prop_map(Regional::new)
        .boxed()
}

/// The invariant: every payer counted in one region.
fn every_payer_counted(input: &Regional, totals: &RegionTotals) -> Result<(), String> {
    let payers: u64 = totals.values().map(|t| t.payers).sum();
    ensure(payers == input.payers.len() as u64, || {
        format!("{payers} payers counted of {}", input.payers.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_totals_each_region_apart() {
        let due = |cents| Decimal::new(cents, 2);
        let input = Regional::new([
            (Some("north".to_owned()), due(250)),
            (None, due(1)),
            (Some("الشمال".to_owned()), due(7)),
            (Some("north".to_owned()), due(50)),
            (Some(String::new()), due(0)),
        ]);
        let expected: RegionTotals = [
            (
                None,
                RegionTotal {
                    payers: 1,
                    due: due(1),
                },
            ),
            (
                Some(String::new()),
                RegionTotal {
                    payers: 1,
                    due: due(0),
                },
            ),
            (
                Some("north".to_owned()),
                RegionTotal {
                    payers: 2,
                    due: due(300),
                },
            ),
            (
                Some("الشمال".to_owned()),
                RegionTotal {
                    payers: 1,
                    due: due(7),
                },
            ),
        ]
        .into_iter()
        .collect();
        assert_eq!(naive(&input), expected);
        assert_eq!(optimized(&input), expected);
        assert_eq!(arc_str(&input), expected);
        // One shared name per distinct name.
        let north: Vec<&Arc<str>> = input
            .payers
            .iter()
            .filter_map(|p| p.shared.as_ref())
            .filter(|name| &***name == "north")
            .collect();
        assert!(Arc::ptr_eq(north[0], north[1]));
    }
}
