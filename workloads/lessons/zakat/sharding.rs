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

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use rayon::prelude::*;

// std's Mutex, which `mizan profile` can ask how long threads waited.
use crate::lab::api::Mutex;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
    Variant,
};

use super::inputs::{Key, Lines, Total, Totals, add, every_line_counted, key, lines};

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

/// The contrast: the lesson's own population at the tiny scale, a
/// village's few hundred payers.
const VILLAGE: Contrast<Lines> = Contrast {
    name: "a village",
    scale: Scale::Tiny,
    input: ContrastInput::Build(lines),
};
