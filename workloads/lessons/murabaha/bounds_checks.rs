//! `murabaha/bounds-checks`: the portfolio's aging, the input of the
//! arrears report: for every instalment of every contract, the days
//! between its due day and the day it was covered (or the as-of day, if it
//! is not covered yet), zero for an instalment covered on time or not yet
//! due. The instalments are held as columns, one vector of due days and
//! one of covered days, and the report is one pass down them.
//!
//! - naive: a loop over indices, `due[i]` and `covered[i]` read by index
//!   and `late[i]` written by index. The compiler cannot see that
//!   `covered` is as long as `due`, and a check is a branch to a panic at
//!   exactly the index that fails, after every write before it;
//! - optimized: the three zipped, into the same zeroed vector: nothing to
//!   check;
//! - `lengths-asserted`: the indexing loop kept, over `covered` re-cut to
//!   `due`'s length before it (`&covered[..n]`), one check for the loop,
//!   which shows the compiler the lengths.
//!
//! The finding: LLVM versions the indexed loop (it tests the lengths and
//! the overlap of the vectors once, then runs an SSE2 loop of eight
//! instalments a trip with no checks, the checked scalar loop only for the
//! last few), so the three forms run the same vector loop; the generated
//! code shows it (`objdump -d -C target/release/mizan`, the function
//! `column_indexed`). The contrast ([`BY_SCHEDULE`]) makes the same pass
//! schedule by schedule, each schedule's two slices cut from one range,
//! indexed, zipped or re-cut, the same test made once a schedule.

use proptest::prelude::*;

use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
    Variant,
};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Aging, Vec<i32>> = LessonDef {
    id: "murabaha/bounds-checks",
    why: "The aging report is one pass down two columns, the instalments' due days and \
          covered days, writing a third. Indexed by a loop counter, each read is checked \
          against its column's length, and a check is a branch to a panic at exactly the \
          index that fails, after every write before it: a loop that kept its checks would \
          handle one instalment at a time. The optimized form zips the three, with nothing \
          to check; both forms write into the same zeroed vector. The checks did not stay: \
          LLVM tests the lengths once before the indexed loop and runs a vectorized copy \
          when they hold (the generated code of column_indexed shows the vector loop), so \
          the two loops do the same work. {?instructions|gain The counters differ \
          ({instructions}).|same The counters agree (instructions {instructions}, \
          branches {branches}; most of both are the zeroing's rep stosb, which valgrind \
          counts a byte at a time).|loss The counters differ ({instructions}).} \
          {?speedup|gain In time zipping measured {speedup}.|same In time the two are \
          within the noise ({speedup}).|loss In time zipping measured {speedup}.} \
          Re-cutting the covered column to the due column's length, the usual advice: \
          {?over_naive:lengths-asserted|gain against the indexed loop it measured \
          {over_naive:lengths-asserted}.|same it changes nothing measurable that the \
          compiler had not already done ({over_naive:lengths-asserted}).|loss against \
          the indexed loop it measured {over_naive:lengths-asserted}.} The contrast makes the same pass schedule by \
          schedule, each contract's two slices cut from one range: {?contrast.speedup|gain \
          there zipping measured {contrast.speedup}.|same there too the two are within the \
          noise ({contrast.speedup}).|loss there zipping measured {contrast.speedup}.} \
          Read the generated code (cargo asm, or objdump) or count the branches before \
          rewriting a loop for its bounds checks: here the compiler had removed them.",
    build,
    elements: |input| input.due.len() as u64,
    naive: column_indexed,
    optimized: column_zipped,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary,
    invariant: Some(a_day_count_an_instalment),
    allocators: None,
    variants: &[Variant::new("lengths-asserted", column_lengths_asserted)],
    scaling: false,
    contrast: Some(Contrast {
        name: "schedule by schedule",
        scale: Scale::Default,
        input: ContrastInput::Stage(&BY_SCHEDULE),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "The loop indexes three vectors by a counter, and nothing tells the compiler that \
         `covered` is as long as `due`. Before rewriting it, read the generated code of the \
         naive form (`objdump -d -C target/release/mizan`): is the check still in the loop?",
        compares: "every instalment's days late, contract by contract, as printed",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// A covered day that is not there: the instalment is not covered yet.
pub const NOT_COVERED: i32 = i32::MAX;

/// Every instalment of a portfolio, as day numbers (days since 0001-01-01),
/// contract after contract.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Aging {
    /// The day each instalment is due.
    pub due: Vec<i32>,
    /// The day each was covered, or [`NOT_COVERED`]; as long as `due`.
    pub covered: Vec<i32>,
    /// Where each contract's instalments end in `due` and `covered`, in
    /// order; the last is their length.
    pub ends: Vec<usize>,
    /// The day the report is made.
    pub as_of: i32,
}

impl Aging {
    /// Each contract's (due, covered) days.
    pub fn schedules(&self) -> impl Iterator<Item = (&[i32], &[i32])> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(start, &end)| (&self.due[start..end], &self.covered[start..end]))
    }
}

/// The instalments of `contracts`, covered as the reference rules cover
/// them.
fn aging(contracts: impl Iterator<Item = crate::murabaha::model::Contract>) -> Aging {
    let day = |date: crate::date::CivilDate| date.day_number() as i32;
    let mut aging = Aging {
        due: Vec::new(),
        covered: Vec::new(),
        ends: Vec::new(),
        as_of: day(crate::murabaha::generate::as_of()),
    };
    for contract in contracts {
        let rules = crate::murabaha::rules::plan(&contract).expect("generated plans");
        let dues = crate::murabaha::rules::due_dates(contract.first_due, contract.term_months)
            .expect("generated dates");
        let covered = crate::murabaha::rules::cover(&contract.payments, &rules.amounts)
            .expect("generated payments");
        aging.due.extend(dues.into_iter().map(day));
        aging
            .covered
            .extend(covered.into_iter().map(|d| d.map_or(NOT_COVERED, day)));
        aging.ends.push(aging.due.len());
    }
    aging
}

fn build(scale: Scale, seed: u64) -> Aging {
    let n = super::inputs::posting_contracts_at(scale) / 10;
    aging(crate::murabaha::generate::contracts(n.max(1), seed))
}

/// The contrast: the same pass, schedule by schedule.
pub const BY_SCHEDULE: LessonDef<Aging, Vec<i32>> = LessonDef {
    id: "murabaha/bounds-checks",
    why: "",
    build,
    elements: |input| input.due.len() as u64,
    naive,
    optimized,
    prepare: Prepare::NONE,
    limit: None,
    reference: None,
    arbitrary,
    invariant: None,
    allocators: None,
    variants: &[Variant::new("lengths-asserted", lengths_asserted)],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

// ANCHOR: column_indexed
/// One pass down the columns, every vector indexed by the loop counter.
// Indexing is the naive form's point (clippy would have it zipped, which is
// the optimized form).
#[allow(clippy::needless_range_loop)]
pub fn column_indexed(input: &Aging) -> Vec<i32> {
    let mut late = vec![0; input.due.len()];
    for i in 0..input.due.len() {
        let end = input.covered[i].min(input.as_of);
        late[i] = (end - input.due[i]).max(0);
    }
    late
}
// ANCHOR_END: column_indexed

// ANCHOR: column_zipped
/// One pass down the columns, zipped with the output: nothing to check.
pub fn column_zipped(input: &Aging) -> Vec<i32> {
    let mut late = vec![0; input.due.len()];
    for ((out, &due), &covered) in late.iter_mut().zip(&input.due).zip(&input.covered) {
        *out = (covered.min(input.as_of) - due).max(0);
    }
    late
}
// ANCHOR_END: column_zipped

// ANCHOR: column_lengths_asserted
/// The indexing loop, over `covered` re-cut to `due`'s length first.
#[allow(clippy::needless_range_loop)]
pub fn column_lengths_asserted(input: &Aging) -> Vec<i32> {
    let n = input.due.len();
    let (due, covered) = (&input.due[..n], &input.covered[..n]);
    let mut late = vec![0; n];
    for i in 0..n {
        let end = covered[i].min(input.as_of);
        late[i] = (end - due[i]).max(0);
    }
    late
}
// ANCHOR_END: column_lengths_asserted

// ANCHOR: limit
/// The speed of light: read both vectors once and write the output once,
/// with one operation an instalment and no schedules.
fn limit(input: &Aging) -> u64 {
    let late: Vec<i32> = input
        .due
        .iter()
        .zip(&input.covered)
        .map(|(&due, &covered)| covered ^ due)
        .collect();
    std::hint::black_box(&late);
    late.len() as u64
}
// ANCHOR_END: limit

// ANCHOR: naive
/// Each schedule's vectors indexed by the loop counter.
pub fn naive(input: &Aging) -> Vec<i32> {
    let mut late = vec![0; input.due.len()];
    let mut start = 0;
    for (due, covered) in input.schedules() {
        for i in 0..due.len() {
            let end = covered[i].min(input.as_of);
            late[start + i] = (end - due[i]).max(0);
        }
        start += due.len();
    }
    late
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// Each schedule's two slices zipped with its part of the output: nothing
/// to check.
pub fn optimized(input: &Aging) -> Vec<i32> {
    let mut late = vec![0; input.due.len()];
    let mut rest = &mut late[..];
    for (due, covered) in input.schedules() {
        let (out, tail) = rest.split_at_mut(due.len());
        for ((out, &due), &covered) in out.iter_mut().zip(due).zip(covered) {
            *out = (covered.min(input.as_of) - due).max(0);
        }
        rest = tail;
    }
    late
}
// ANCHOR_END: optimized

// ANCHOR: lengths_asserted
/// The indexing loop over slices re-cut to the schedule's length first.
pub fn lengths_asserted(input: &Aging) -> Vec<i32> {
    let mut late = vec![0; input.due.len()];
    let mut start = 0;
    for (due, covered) in input.schedules() {
        let n = due.len();
        let (covered, out) = (&covered[..n], &mut late[start..start + n]);
        for i in 0..n {
            let end = covered[i].min(input.as_of);
            out[i] = (end - due[i]).max(0);
        }
        start += n;
    }
    late
}
// ANCHOR_END: lengths_asserted

/// Up to 40 schedules of none, one or up to 500 instalments (lengths
/// around the vector width among them), due before, on and after the
/// as-of day, covered early, on time, late or not at all.
pub fn arbitrary() -> BoxedStrategy<Aging> {
    let day = 690_000i32..760_000;
    let instalment = (
        day.clone(),
        prop_oneof![
            1 => Just(NOT_COVERED),
            3 => day.clone(),
        ],
    );
    let schedule = proptest::collection::vec(instalment, 0..500);
    (proptest::collection::vec(schedule, 0..40), day)
        .prop_map(|(schedules, as_of)| {
            let mut aging = Aging {
                due: Vec::new(),
                covered: Vec::new(),
                ends: Vec::new(),
                as_of,
            };
            for schedule in schedules {
                for (due, covered) in schedule {
                    aging.due.push(due);
                    aging.covered.push(covered);
                }
                aging.ends.push(aging.due.len());
            }
            aging
        })
        .boxed()
}

/// The invariant: a count of days late for every instalment, never
/// negative, and the re-cut loop's the same.
fn a_day_count_an_instalment(input: &Aging, late: &Vec<i32>) -> Result<(), String> {
    ensure(late.len() == input.due.len(), || {
        format!("{} counts for {} instalments", late.len(), input.due.len())
    })?;
    ensure(late.iter().all(|d| *d >= 0), || {
        "a negative count".to_owned()
    })?;
    ensure(&lengths_asserted(input) == late, || {
        "not the re-cut loop's counts".to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_late_from_the_covered_day_or_the_as_of_day() {
        let input = Aging {
            due: vec![100, 100, 100, 300, 120],
            covered: vec![90, 100, 131, NOT_COVERED, NOT_COVERED],
            ends: vec![2, 2, 5],
            as_of: 200,
        };
        // Early, on time, 31 days late, not yet due, 80 days overdue.
        let expected = vec![0, 0, 31, 0, 80];
        assert_eq!(naive(&input), expected);
        assert_eq!(optimized(&input), expected);
        assert_eq!(lengths_asserted(&input), expected);
        assert_eq!(column_indexed(&input), expected);
        assert_eq!(column_zipped(&input), expected);
        assert_eq!(column_lengths_asserted(&input), expected);
    }

    #[test]
    fn the_input_is_a_portfolio_of_ten_schedules() {
        let portfolio = build(Scale::Tiny, 1);
        assert_eq!(portfolio.due.len(), portfolio.covered.len());
        assert_eq!(portfolio.ends.len(), 10);
        assert_eq!(portfolio.schedules().count(), 10);
        assert_eq!(column_indexed(&portfolio), naive(&portfolio));
    }
}
