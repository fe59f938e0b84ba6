//! `zakat/sharding`: the totals of a population's zakatable wealth by
//! region, currency and asset class, aggregated by all the machine's cores
//! at once (rayon).
//!
//! Four forms, one table:
//!
//! - naive: one `Mutex<HashMap>` that every thread locks for every line;
//! - `striped-locks`: sixteen maps behind sixteen locks, a line going to the
//!   stripe its key hashes to, so that threads mostly lock different ones;
//! - `sequential`: one thread, one map, no locks (the baseline a parallel
//!   form must beat);
//! - optimized: each rayon task folds its share into a map of its own, and
//!   the maps are merged at the end (`fold` / `reduce`): no shared state
//!   while working.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::input::Currency;
// std's Mutex, which `mizan profile` can ask how long threads waited.
use crate::lab::lesson::{ContrastInput, LessonDef, Limit, SPEED_OF_LIGHT, Scale, Variant};
use crate::lab::lock::Mutex;
use crate::zakat::model::Asset;
use crate::zakat::rules::{Context, line_value, zakatable_value};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Lines, Totals> = LessonDef {
    id: "zakat/sharding",
    why: "Aggregating totals on every core with one Mutex<HashMap> makes the cores queue \
          for the lock on every line: the thread table shows the global lock against \
          itself on one thread. Striping the map over sixteen locks lets threads mostly \
          take different locks. A map of its own per rayon task, merged at the end (fold and \
          reduce), shares nothing while working and scales with the cores: {speedup} over the \
          global lock, and {over_before:optimized} over the sequential loop on one thread, \
          the baseline that matters. With a village of \
          payers the tasks and the merge cost more than the work: the maps lose to one \
          thread ({contrast.over_before:optimized}), and against the lock \
          ({contrast.speedup}) their verdict moves from run to run.",
    build,
    elements: |input| input.lines.len() as u64,
    naive: global_lock,
    optimized: per_thread,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary: Some(crate::lab::arbitrary::lines),
    allocators: None,
    variants: &[
        Variant {
            name: "striped-locks",
            run: striped_locks,
        },
        Variant {
            name: "sequential",
            run: sequential,
        },
    ],
    scaling: true,
    contrast: Some(VILLAGE),
};

/// One valued line of one payer, ready to be added to the totals.
#[derive(Debug, Clone, Copy)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

/// The lines of a population.
#[derive(Debug, Clone)]
pub struct Lines {
    /// Every valued line of every payer.
    pub lines: Vec<Line>,
}

/// A key of the totals table.
pub type Key = (u8, Currency, AssetClass);

/// One cell of the totals table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Total {
    /// How many lines.
    pub lines: u64,
    /// Their value.
    pub value: Decimal,
}

/// The totals table, in key order.
pub type Totals = BTreeMap<Key, Total>;

/// Payers at each scale.
pub fn payers_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 300,
        Scale::Small => 20_000,
        Scale::Default => 200_000,
        Scale::Bank => 1_000_000,
    }
}

fn build(scale: Scale, seed: u64) -> Lines {
    let input = crate::zakat::generate::generate(payers_at(scale), seed);
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

// ANCHOR: limit
/// The speed of light: every core reads its share of the lines once and
/// adds their values' low words, with no keys and no table. An aggregation
/// must at least read every line.
fn limit(input: &Lines) -> u64 {
    input
        .lines
        .par_iter()
        .map(|line| line.value.mantissa() as u64 ^ line.region as u64)
        .reduce(|| 0, u64::wrapping_add)
}
// ANCHOR_END: limit

// ANCHOR: naive
/// Every thread locks the one map for every line.
pub fn global_lock(input: &Lines) -> Totals {
    let totals: Mutex<HashMap<Key, Total>> = Mutex::new(HashMap::new());
    input.lines.par_iter().for_each(|line| {
        let mut totals = totals.lock().expect("no thread panics holding the lock");
        add(totals.entry(key(line)).or_default(), line);
    });
    totals
        .into_inner()
        .expect("no thread panicked")
        .into_iter()
        .collect()
}
// ANCHOR_END: naive

// ANCHOR: striped
/// Sixteen maps behind sixteen locks; a line goes to its key's stripe.
pub fn striped_locks(input: &Lines) -> Totals {
    const STRIPES: usize = 16;
    let stripes: Vec<Mutex<HashMap<Key, Total>>> =
        (0..STRIPES).map(|_| Mutex::new(HashMap::new())).collect();
    input.lines.par_iter().for_each(|line| {
        let key = key(line);
        let mut hasher = std::hash::DefaultHasher::new();
        key.hash(&mut hasher);
        let stripe = hasher.finish() as usize % STRIPES;
        let mut totals = stripes[stripe]
            .lock()
            .expect("no thread panics holding the lock");
        add(totals.entry(key).or_default(), line);
    });
    stripes
        .into_iter()
        .flat_map(|stripe| stripe.into_inner().expect("no thread panicked"))
        .collect()
}
// ANCHOR_END: striped

// ANCHOR: sequential
/// One thread, one map, no locks.
pub fn sequential(input: &Lines) -> Totals {
    let mut totals: HashMap<Key, Total> = HashMap::new();
    for line in &input.lines {
        add(totals.entry(key(line)).or_default(), line);
    }
    totals.into_iter().collect()
}
// ANCHOR_END: sequential

// ANCHOR: optimized
/// Each rayon task folds its lines into a map of its own; the maps are
/// merged at the end.
pub fn per_thread(input: &Lines) -> Totals {
    input
        .lines
        .par_iter()
        .fold(HashMap::new, |mut totals: HashMap<Key, Total>, line| {
            add(totals.entry(key(line)).or_default(), line);
            totals
        })
        .reduce(HashMap::new, |mut merged, part| {
            for (key, total) in part {
                let cell = merged.entry(key).or_default();
                cell.lines += total.lines;
                cell.value += total.value;
            }
            merged
        })
        .into_iter()
        .collect()
}
// ANCHOR_END: optimized

/// The contrast: the lesson's own population at the tiny scale, a
/// village's few hundred payers.
const VILLAGE: crate::lab::lesson::Contrast<Lines> = crate::lab::lesson::Contrast {
    name: "a village",
    scale: Scale::Tiny,
    input: ContrastInput::Build(build),
};
