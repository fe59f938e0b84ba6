//! `zakat/hoisting`: which payers owe zakat on their wealth this year, the
//! first test of every assessment: whether a full hawl (one Umm al-Qura
//! year, or one Gregorian year under the solar policy) has passed from the
//! day the payer's wealth reached the nisab to the zakat date.
//!
//! - naive: each payer's hawl end computed (a conversion to the Hijri
//!   calendar and back, in `icu_calendar`) and compared with the zakat
//!   date, as the reference rules do: two hundred thousand payers, a
//!   conversion each;
//! - optimized: the conversion hoisted out of the payers' loop. The
//!   payers' starts fall on a few hundred days (from five months to two
//!   and a half years before the zakat date), and a day's answer is the same for every payer who
//!   started on it, so the answer is computed once a day of that span,
//!   before the loop, into a table; each payer is then one look-up;
//! - `cut-off`, a further form, an algorithm rather than a hoisting: the
//!   hawl end never moves backwards as the start moves forwards, so the
//!   payers whose hawl is complete are exactly those who started on or
//!   before one day, found with a few conversions; each payer is then one
//!   comparison of dates.
//!
//! No compiler hoists either: the conversion is a call it cannot see
//! through, and the invariant (the answer depends on the day alone) is a
//! fact about the input, not an expression in the loop.

use proptest::prelude::*;

use crate::date::CivilDate;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
    Variant,
};
use crate::zakat::model::YearBasis;
use crate::zakat::rules::hawl_end;

/// The lesson's registry entry.
pub const LESSON: LessonDef<Hawl, Vec<bool>> = LessonDef {
    id: "zakat/hoisting",
    why: "Testing each payer's hawl converts the payer's start to the Hijri calendar and \
          back to find its end, and compares it with the zakat date: a conversion a payer. \
          But a payer's answer depends on the day the payer started alone, and two hundred \
          thousand payers started on a few hundred days. The optimized form hoists the \
          conversions out of the payers' loop: one a day of the starts' span, into a \
          table, before the loop; each payer is then a look-up. {?instructions|gain The \
          instructions fell ({instructions}) with the conversions moved out of the \
          loop.|same The instructions did not move ({instructions}).|loss The instructions \
          rose ({instructions}).} {?speedup|gain In time the table measured \
          {speedup}.|same In time the two are within the noise ({speedup}).|loss In time \
          the table measured {speedup}.} No compiler makes this move: the conversion is a \
          call it cannot see through, and that the answer depends on the day alone is a \
          fact about the input. The cut-off, a further form, is an algorithm rather than a \
          hoisting: a hawl end never moves backwards as its start moves forwards, so the \
          complete hawls are those started on or before one day, found with a few \
          conversions ({over_naive:cut-off} over the naive form). The contrast is a \
          household of four payers, whose starts still span most of two years: the table \
          converts every day of the span to answer four (instructions, \
          {contrast.instructions}). {?contrast.speedup|gain There the table still measured \
          {contrast.speedup}.|same There the two are within the noise \
          ({contrast.speedup}).|loss There the table measured {contrast.speedup}.} \
          Hoisting pays when the loop runs more often than the hoisted work costs.",
    build,
    elements: |input| input.starts.len() as u64,
    naive,
    optimized,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary,
    invariant: None,
    allocators: None,
    variants: &[Variant::new("cut-off", cut_off)],
    scaling: false,
    contrast: Some(Contrast {
        name: "a household of four",
        scale: Scale::Tiny,
        input: ContrastInput::Build(household),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "Every payer's hawl end is a trip through the Hijri calendar, and two hundred \
         thousand payers started on a few hundred days. What does a payer's answer depend on, \
         and how many different answers are there to compute?",
        compares: "every payer's hawl: complete or not, in the payers' order",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// The day each payer's hawl started, and the zakat date they are tested
/// against.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Hawl {
    /// The zakat date.
    pub zakat_date: CivilDate,
    /// Lunar or solar years.
    pub year: YearBasis,
    /// Each payer's hawl start.
    pub starts: Vec<CivilDate>,
}

/// Payers at each scale: each costs the naive form a conversion of
/// calendars.
fn payers_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 300,
        Scale::Small => 20_000,
        Scale::Default => 200_000,
        Scale::Bank => 1_000_000,
    }
}

fn build(scale: Scale, seed: u64) -> Hawl {
    let input = crate::zakat::generate::generate(payers_at(scale), seed);
    Hawl {
        zakat_date: input.zakat_date,
        year: input.policy.year,
        starts: input.payers.iter().map(|payer| payer.hawl_start).collect(),
    }
}

/// The contrast: four payers.
fn household(scale: Scale, seed: u64) -> Hawl {
    let mut hawl = build(scale, seed);
    hawl.starts.truncate(4);
    hawl
}

// ANCHOR: latest_complete_start
/// The latest start whose hawl ends on or before `zakat_date`: a hawl is
/// complete exactly when it started on or before this day, because
/// [`hawl_end`] is non-decreasing in the start (the tests check it on every
/// day of the years the lab uses). `None` where no start in range
/// qualifies.
pub fn latest_complete_start(zakat_date: CivilDate, year: YearBasis) -> Option<CivilDate> {
    let ends_by = |day: i64| {
        CivilDate::from_day_number(day)
            .ok()
            .and_then(|start| hawl_end(start, year).ok())
            .is_some_and(|end| end <= zakat_date)
    };
    // A hawl is at most 366 days (a Gregorian year with a 29 February),
    // so a start 367 days back ends by the zakat date; walk forward while
    // the next day's hawl still does.
    let mut day = zakat_date.day_number() - 367;
    if !ends_by(day) {
        return None;
    }
    while ends_by(day + 1) {
        day += 1;
    }
    CivilDate::from_day_number(day).ok()
}
// ANCHOR_END: latest_complete_start

// ANCHOR: limit
/// The speed of light: read every start once and write one flag for it.
fn limit(input: &Hawl) -> u64 {
    let flags: Vec<bool> = input.starts.iter().map(|s| s.day() == 1).collect();
    std::hint::black_box(&flags);
    flags.len() as u64
}
// ANCHOR_END: limit

// ANCHOR: naive
/// Each payer's hawl end computed and compared with the zakat date.
pub fn naive(input: &Hawl) -> Vec<bool> {
    input
        .starts
        .iter()
        .map(|&start| {
            let end = hawl_end(start, input.year).expect("a hawl end in range");
            input.zakat_date >= end
        })
        .collect()
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// Whether a hawl started on each day of the starts' span is complete,
/// computed once a day before the loop; each payer is then one look-up.
pub fn optimized(input: &Hawl) -> Vec<bool> {
    let (Some(first), Some(last)) = (input.starts.iter().min(), input.starts.iter().max()) else {
        return Vec::new();
    };
    let first = first.day_number_arith();
    let complete: Vec<bool> = (first..=last.day_number_arith())
        .map(|day| {
            let start = CivilDate::from_day_number(day).expect("a day between two dates");
            let end = hawl_end(start, input.year).expect("a hawl end in range");
            input.zakat_date >= end
        })
        .collect();
    input
        .starts
        .iter()
        .map(|start| complete[(start.day_number_arith() - first) as usize])
        .collect()
}
// ANCHOR_END: optimized

// ANCHOR: cut_off
/// The latest start that completes a hawl by the zakat date, found once;
/// each payer is then one comparison.
pub fn cut_off(input: &Hawl) -> Vec<bool> {
    let cutoff = latest_complete_start(input.zakat_date, input.year);
    input
        .starts
        .iter()
        .map(|&start| cutoff.is_some_and(|cutoff| start <= cutoff))
        .collect()
}
// ANCHOR_END: cut_off

/// Up to 400 hawl starts in the two years before a zakat date anywhere
/// from 1950 to 2090, many of them a hawl's length before it (the last day
/// that completes a hawl and the first that does not among them), lunar
/// or solar.
pub fn arbitrary() -> BoxedStrategy<Hawl> {
    let zakat_day = CivilDate::new(1950, 1, 1).unwrap().day_number()
        ..CivilDate::new(2090, 1, 1).unwrap().day_number();
    let year = prop_oneof![Just(YearBasis::Lunar), Just(YearBasis::Solar)];
    // Days before the zakat date: around a hawl's length (354 to 366),
    // or anywhere in two years.
    let before = prop_oneof![350i64..370, 0i64..800];
    (zakat_day, year, proptest::collection::vec(before, 0..400))
        .prop_map(|(zakat_day, year, before)| {
            let zakat_date = CivilDate::from_day_number(zakat_day).unwrap();
            Hawl {
                zakat_date,
                year,
                starts: before
                    .into_iter()
                    .map(|before| CivilDate::from_day_number(zakat_day - before).unwrap())
                    .collect(),
            }
        })
        .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u8, d: u8) -> CivilDate {
        CivilDate::new(y, m, d).expect("a day")
    }

    #[test]
    fn the_hawl_end_never_moves_backwards() {
        for year in [YearBasis::Lunar, YearBasis::Solar] {
            let first = day(2015, 1, 1).day_number();
            let mut last = hawl_end(day(2015, 1, 1), year).unwrap();
            for n in first + 1..day(2030, 1, 1).day_number() {
                let end = hawl_end(CivilDate::from_day_number(n).unwrap(), year).unwrap();
                assert!(end >= last, "{year:?}: day {n}");
                last = end;
            }
        }
    }

    #[test]
    fn the_cutoff_is_the_last_start_that_completes() {
        // 20 March 2026 is 1 Shawwal 1447; one Hijri year earlier is 1
        // Shawwal 1446, 30 March 2025: a hawl that started then ends on
        // the zakat date itself.
        let zakat = day(2026, 3, 20);
        assert_eq!(
            latest_complete_start(zakat, YearBasis::Lunar),
            Some(day(2025, 3, 30))
        );
        assert_eq!(
            latest_complete_start(zakat, YearBasis::Solar),
            Some(day(2025, 3, 20))
        );
        let input = Hawl {
            zakat_date: zakat,
            year: YearBasis::Lunar,
            starts: vec![day(2025, 3, 29), day(2025, 3, 30), day(2025, 3, 31)],
        };
        assert_eq!(naive(&input), [true, true, false]);
        assert_eq!(optimized(&input), [true, true, false]);
        assert_eq!(cut_off(&input), [true, true, false]);
        let none = Hawl {
            starts: Vec::new(),
            ..input
        };
        assert!(optimized(&none).is_empty());
    }
}
