//! `zakat/sharding`: the totals of a population's zakatable wealth by
//! region, currency and asset class, aggregated by all the machine's cores
//! at once (rayon).
//!
//! Five forms:
//!
//! - naive: one `Mutex<HashMap>` that every thread locks for every line;
//! - `striped-locks`: sixteen maps behind sixteen locks, a line going to the
//!   stripe its key hashes to, so that threads mostly lock different ones;
//! - `sequential`: one thread, one map, no locks (the baseline a parallel
//!   form must beat);
//! - optimized: each rayon task folds its share into a map of its own, and
//!   the maps are merged at the end (`fold` / `reduce`): no shared state
//!   while working;
//! - `dense-per-task`, a further form: the same tasks, each table a dense
//!   one instead of a map (a key's cell found by arithmetic, no hash:
//!   `zakat/hashing`'s dense index). The key space is small (a few hundred
//!   keys a currency), which is what makes this possible.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use rayon::prelude::*;

// std's Mutex, which `mizan profile` can ask how long threads waited.
use crate::lab::api::Mutex;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
    Variant,
};

use super::dense_inputs::DenseTotals;
use super::inputs::{Key, Lines, Total, Totals, add, every_line_counted, key, lines};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Lines, Totals> = LessonDef {
    id: "zakat/sharding",
    why: "Aggregating totals on every core into one Mutex<HashMap> makes every thread take \
          the one lock for every line, and a thread that finds it held spins, then sleeps: \
          the naive form's profile has most of its samples in the lock's spin, wait and \
          unlock. Striping the map over sixteen locks lets threads mostly take different \
          ones; the optimized form gives each rayon task a map of its own and merges the \
          maps at the end (fold and reduce), sharing nothing while it works; a sequential \
          loop, one map and no lock, is the baseline. {?speedup|gain Over the global lock \
          the per-task maps measured {speedup}|same Against the global lock the per-task \
          maps are within the noise ({speedup})|loss Against the global lock the per-task \
          maps measured {speedup}|unreliable Against the global lock the ratio is not \
          reported}; {?over_before:optimized|gain over the sequential loop, the baseline \
          that matters, they measured {over_before:optimized}.|same against the sequential \
          loop, the baseline that matters, they are within the noise \
          ({over_before:optimized}).|loss against the sequential loop, the baseline that \
          matters, they measured {over_before:optimized}.|unreliable against the \
          sequential loop the ratio is not reported.} The sequential loop's work is \
          hashing each key, finding it in the map and adding the line's value, not reading \
          the lines: its profile is SipHash and the map's key comparisons, and the speed \
          of light, which reads every line and nothing more, shows in the limit table how \
          far below the loops reading alone is. With a key space this small (a few \
          hundred keys a currency), a further form keeps the per-task tables and drops \
          the hash: each a dense table, a key's cell found by arithmetic; \
          {?over_naive:dense-per-task|gain it measured {over_naive:dense-per-task} against \
          the global lock|same it is within the noise of the global lock \
          ({over_naive:dense-per-task})|loss it measured {over_naive:dense-per-task} \
          against the global lock|unreliable its ratio is not reported} (instructions: {instructions:dense-per-task}). Callgrind runs the threads \
          one at a time, so its counts are of work, a spinning wait's included, not of contention: \
          {instructions}. The contrast is a village's {contrast.records} lines, \
          summed by the sequential loop (its naive form there) and by the per-task maps: \
          {?contrast.speedup|gain there the per-task maps measured \
          {contrast.speedup} over one thread.|same there the per-task maps are within the \
          noise of one thread ({contrast.speedup}).|loss there the per-task maps measured \
          {contrast.speedup} against one thread, probably because starting the tasks and \
          merging the maps outweigh so little work.|unreliable \
          there the ratio is not reported.} Shard where each item is enough work to share \
          and the merge is small beside it, and compare a parallel form with the \
          sequential loop, not only with the lock.",
    build: lines,
    elements: |input| input.lines.len() as u64,
    naive: global_lock,
    optimized: per_thread,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary: super::inputs::arbitrary_lines,
    invariant: Some(every_line_counted),
    allocators: None,
    variants: &[
        Variant::new("striped-locks", striped_locks),
        // Before `sequential`: the optimized form's "over the form before"
        // is over the sequential loop, which the why cites.
        Variant::new("dense-per-task", dense_per_task),
        Variant::new("sequential", sequential),
    ],
    scaling: true,
    contrast: Some(VILLAGE),
    practice: Practice::Rewrite(Exercise {
        hint: "Every line takes the one lock: the threads queue on it. Let each thread total its own \
         lines in a map of its own, and merge the maps once at the end.",
        compares: "the totals table: every key, its count and its sum as printed",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

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

// ANCHOR: dense_per_task
/// A further form: the optimized form's per-task tables, each a dense
/// table (no hash: a key's cell found by arithmetic, as in
/// `zakat/hashing`'s dense index) instead of a map.
pub fn dense_per_task(input: &Lines) -> Totals {
    input
        .lines
        .par_iter()
        .fold(DenseTotals::default, |mut totals, line| {
            totals.add(line);
            totals
        })
        .reduce(DenseTotals::default, |mut merged, part| {
            merged.merge(part);
            merged
        })
        .into_totals()
}
// ANCHOR_END: dense_per_task

/// The contrast: the lesson's own lines at the tiny scale, a village's few
/// hundred payers, summed by one thread (the sequential loop, the naive
/// form there) or by the per-task maps: where sharding does not pay.
const VILLAGE: Contrast<Lines> = Contrast {
    name: "a village, against one thread",
    scale: Scale::Tiny,
    input: ContrastInput::Stage(&VILLAGE_STAGE),
};

/// [`VILLAGE`]'s forms: the sequential loop and the per-task maps.
pub const VILLAGE_STAGE: LessonDef<Lines, Totals> = LessonDef {
    id: "zakat/sharding",
    why: "",
    build: lines,
    elements: |input| input.lines.len() as u64,
    naive: sequential,
    optimized: per_thread,
    prepare: Prepare::NONE,
    limit: None,
    reference: None,
    arbitrary: super::inputs::arbitrary_lines,
    invariant: Some(every_line_counted),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};
