//! `zakat/algorithmic`: checking a payers file before it is assessed: every
//! payer's identifier must be unique, and every record that repeats an
//! earlier one's is reported with the first record that has it.
//!
//! - naive: each record's identifier compared with every earlier record's
//!   until a match: O(n²) comparisons for a file with few repeats;
//! - optimized: one pass, each identifier looked up in a hash map of the
//!   identifiers seen so far (with the record that first had it): O(n);
//! - `sort-then-scan`: the records' positions sorted by identifier, so that
//!   repeats sit side by side, then one scan: O(n log n), no hashing.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use rand::{RngExt, SeedableRng};

use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
    Variant,
};

use super::inputs::{Duplicate, Ids, duplicates_by_sorting};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Ids, Vec<Duplicate>> = LessonDef {
    id: "zakat/algorithmic",
    why: "Comparing each payer's identifier with every earlier one does a number of \
          comparisons that grows with the square of the file: ten times the payers, a \
          hundred times the work. One pass with a hash map of the identifiers seen so far \
          does one look-up a payer, and its work grows with the file. {?instructions|gain \
          Callgrind counts the comparisons the map does without: {instructions}.|same \
          Callgrind counts about as much work in both ({instructions}).|loss Callgrind \
          counts more work in the map ({instructions}).} {?speedup|gain At {records} \
          payers the map measured {speedup}, a ratio that is not a constant: the \
          comparisons grow with the square of the file and the look-ups with the file, so \
          by the counts of their work a larger file should widen it.|same At {records} \
          payers the two are within the noise ({speedup}).|loss At {records} payers the \
          map measured {speedup}.} Sorting the records' positions by identifier and \
          scanning neighbours grows as n log n, with no hashing: \
          {?over_naive:sort-then-scan|gain it measured {over_naive:sort-then-scan} over \
          the quadratic loop.|same it is within the noise of the quadratic loop \
          ({over_naive:sort-then-scan}).|loss it measured {over_naive:sort-then-scan} \
          against the quadratic loop.} The contrast is the payers one branch registers in \
          a day, {contrast.records} records: the square of so few is small, while the map \
          allocates its table and hashes every key whatever the file's size \
          ({contrast.allocations:optimized} allocations a run against the loop's \
          {contrast.allocations:naive}). {?contrast.speedup|gain There the map still \
          measured {contrast.speedup}.|same There the two are within the noise \
          ({contrast.speedup}).|loss There the map measured {contrast.speedup}: a few \
          comparisons of short strings cost less than a table to set up and fill.} \
          {?contrast.over_naive:sort-then-scan|gain The sort measured \
          {contrast.over_naive:sort-then-scan} there over the quadratic loop.|same The \
          sort is within the noise of the quadratic loop there \
          ({contrast.over_naive:sort-then-scan}).|loss The sort measured \
          {contrast.over_naive:sort-then-scan} there against the quadratic loop.} Judge an \
          algorithm at the largest input it will meet and at the smallest: the main file \
          and the contrast are those two ends here.",
    build,
    elements: |input| input.ids.len() as u64,
    naive,
    optimized,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary: super::inputs::arbitrary_ids,
    invariant: Some(every_record_first_or_repeat),
    allocators: None,
    variants: &[Variant::new("sort-then-scan", duplicates_by_sorting)],
    scaling: false,
    contrast: Some(Contrast {
        name: "a branch's day: 8 records",
        scale: Scale::Tiny,
        input: ContrastInput::Build(|_, seed| build_of(HANDFUL, seed)),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "Each identifier is compared with every one before it: double the file, four times the \
         comparisons. What would let you ask \"have I seen this one?\" in one step?",
        compares: "every repeated identifier's position and its first's, in file order",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// Records at each scale (the naive form's work grows with the square).
pub fn ids_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 32,
        Scale::Small => 2_000,
        Scale::Default => 10_000,
        Scale::Bank => 100_000,
    }
}

// ANCHOR: handful
/// The contrast's file: the payers one branch registers in a day.
const HANDFUL: usize = 8;
// ANCHOR_END: handful

/// [`ids_at`]`(scale)` records, as [`build_of`] makes them.
fn build(scale: Scale, seed: u64) -> Ids {
    build_of(ids_at(scale), seed)
}

/// `n` records of which one in a hundred repeats the identifier of a
/// random earlier one.
fn build_of(n: usize, seed: u64) -> Ids {
    let mut ids: Vec<String> = crate::zakat::generate::generate(n, seed)
        .payers
        .into_iter()
        .map(|payer| payer.id)
        .collect();
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(seed);
    for at in 1..n {
        if rng.random_range(0..100) == 0 {
            ids[at] = ids[rng.random_range(0..at)].clone();
        }
    }
    Ids { ids }
}

// ANCHOR: limit
/// The speed of light: read every identifier once. Any check of them must.
fn limit(input: &Ids) -> u64 {
    input.ids.iter().fold(0u64, |sum, id| {
        let first = id.as_bytes().first().copied().unwrap_or(0);
        sum.wrapping_add(id.len() as u64 ^ u64::from(first))
    })
}
// ANCHOR_END: limit

// ANCHOR: naive
/// Each identifier against every earlier one, until a match.
pub fn naive(input: &Ids) -> Vec<Duplicate> {
    let mut duplicates = Vec::new();
    for (at, id) in input.ids.iter().enumerate() {
        for (first, earlier) in input.ids[..at].iter().enumerate() {
            if earlier == id {
                duplicates.push(Duplicate {
                    at: at as u32,
                    first: first as u32,
                });
                break;
            }
        }
    }
    duplicates
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// One pass: each identifier looked up among those seen so far.
pub fn optimized(input: &Ids) -> Vec<Duplicate> {
    let mut seen: HashMap<&str, u32> = HashMap::with_capacity(input.ids.len());
    let mut duplicates = Vec::new();
    for (at, id) in input.ids.iter().enumerate() {
        match seen.entry(id.as_str()) {
            Entry::Occupied(first) => duplicates.push(Duplicate {
                at: at as u32,
                first: *first.get(),
            }),
            Entry::Vacant(slot) => {
                slot.insert(at as u32);
            }
        }
    }
    duplicates
}
// ANCHOR_END: optimized

/// The invariant: every record is either the first with its identifier
/// or a repeat.
// The signature is `Invariant`'s, over the lesson's output type.
#[allow(clippy::ptr_arg)]
fn every_record_first_or_repeat(input: &Ids, repeats: &Vec<Duplicate>) -> Result<(), String> {
    let distinct: std::collections::HashSet<&String> = input.ids.iter().collect();
    ensure(repeats.len() + distinct.len() == input.ids.len(), || {
        format!(
            "{} repeats and {} distinct identifiers in {} records",
            repeats.len(),
            distinct.len(),
            input.ids.len()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(ids: &[&str]) -> Ids {
        Ids {
            ids: ids.iter().map(|id| id.to_string()).collect(),
        }
    }

    #[test]
    fn every_repeat_names_the_first_record() {
        let input = ids(&["a", "b", "a", "", "b", "a", "زيد", ""]);
        let expected = vec![
            Duplicate { at: 2, first: 0 },
            Duplicate { at: 4, first: 1 },
            Duplicate { at: 5, first: 0 },
            Duplicate { at: 7, first: 3 },
        ];
        assert_eq!(naive(&input), expected);
        assert_eq!(optimized(&input), expected);
        assert_eq!(duplicates_by_sorting(&input), expected);
        assert!(naive(&ids(&[])).is_empty());
        assert!(optimized(&ids(&["x"])).is_empty());
    }

    #[test]
    fn the_generated_file_repeats_about_one_record_in_a_hundred() {
        let input = build(Scale::Default, 1);
        let found = optimized(&input);
        assert_eq!(input.ids.len(), 10_000);
        // One in a hundred on average: 90 at seed 1.
        assert_eq!(found.len(), 90);
    }
}
