//! `zakat/small-vectors`: the receipt's summary of each payer's wealth: the
//! total and the three largest lines, largest first. Each payer's valued
//! wealth lines are gathered into a temporary list, sorted, and the list is
//! dropped.
//!
//! - naive: the temporary is a `Vec`: one `malloc` and one `free` per payer;
//! - optimized: a `smallvec::SmallVec` with room for [`INLINE`] lines on the
//!   stack, chosen from the generated population's distribution (see
//!   [`lines_per_payer`]): it touches the heap only for the rare payer with
//!   more;
//! - `inline-two`, a further form: the same `SmallVec` with room for two,
//!   which most payers overflow: it then spills to the heap (one allocation,
//!   as the `Vec` makes, plus the copy of what was inline and a branch on
//!   every access).
//!
//! The contrast is a population whose lists are long (32 payers' lines a
//! list: [`long_lists`]), where the same `SmallVec` of five spills for
//! every list and grows on the heap as the `Vec` does (sparing only the
//! `Vec`'s first block, of four, among the six or so a list takes).

use proptest::prelude::*;
use rust_decimal::Decimal;
use smallvec::SmallVec;

use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, Scale, Variant,
};
use crate::zakat::rules::{Context, zakatable_value};

use super::inputs::is_wealth;

/// The lesson's registry entry.
pub const LESSON: LessonDef<Valued, Vec<Summary>> = LessonDef {
    id: "zakat/small-vectors",
    why: "Every payer's wealth lines are gathered into a temporary list, sorted and \
          summed, and the list is dropped. A Vec puts every such list on the heap \
          ({allocations_per_record:naive} allocations a payer, growth included); a \
          SmallVec keeps up to its inline size in the value itself, on the stack, and goes \
          to the heap only beyond it ({allocations_per_record:optimized} a payer), the \
          inline size chosen from the distribution of lines per payer. What that removes \
          is a malloc and a free a payer, and glibc serves a small block freed right after \
          use from its per-thread cache: the naive form's profile has a small share of its \
          samples in malloc, realloc and free, and both forms sort and sum the lines in \
          Decimal, as the speed of light (the same sort, in one buffer kept for the run) \
          does too. Callgrind counts the instructions, {instructions}, and the branches, {branches}. \
          {?speedup|gain Here the SmallVec measured {speedup}.|same Here the two are \
          within the noise ({speedup}).|loss Here the SmallVec measured {speedup}.} Too \
          small an inline size is a further form: with room for two, most payers spill, \
          and a spilled list makes the heap allocation the Vec made plus the copy out of \
          the inline buffer ({allocations_per_record:inline-two} allocations a payer). \
          {?over_naive:inline-two|gain Against the Vec it still measured \
          {over_naive:inline-two}.|same Against the Vec it is within the noise \
          ({over_naive:inline-two}).|loss Against the Vec it measured \
          {over_naive:inline-two}.} The contrast is lists longer than the inline room: \
          thirty-two payers' lines a list, so that the SmallVec of five spills for every one \
          and grows on the heap as the Vec does, sparing only the Vec's first, smallest \
          block ({contrast.allocations_per_record:optimized} allocations a list, growth \
          included, against the Vec's {contrast.allocations_per_record:naive}). \
          {?contrast.speedup|gain There the SmallVec measured {contrast.speedup}.|same \
          There the two are within the noise ({contrast.speedup}).|loss There the SmallVec \
          measured {contrast.speedup}.} A small vector is worth its inline buffer where \
          most lists fit it, and more where allocation costs more than here: lists kept \
          rather than dropped at once, an allocator under contention, or work around it \
          that is cheap.",
    build,
    elements: |input| input.payers.len() as u64,
    naive,
    optimized,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: "speed of light + sorting",
        run: limit,
    }),
    reference: None,
    arbitrary,
    invariant: Some(a_summary_a_payer),
    allocators: None,
    variants: &[Variant::new("inline-two", inline_two)],
    scaling: false,
    contrast: Some(Contrast {
        name: "lists past the inline room",
        // A list of many payers costs their sorting: at the default scale
        // a run of four payers a list took 27 ms and the budget moved the
        // lesson itself to the small scale to pay for it.
        scale: Scale::Small,
        input: ContrastInput::Build(long_lists),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "Every payer's lines are collected into a fresh Vec, sorted and dropped: one malloc and \
         one free per payer. How many wealth lines does a payer hold? `lines_per_payer` counts \
         them; a list that small can live on the stack.",
        compares: "every payer's sum and the positions of its three largest lines, as printed",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// The inline size: generated payers hold one to nine wealth lines, and
/// nine in ten hold at most this many, where one fewer would hold 88 %
/// (`lines_per_payer` at the default scale, asserted in the tests).
pub const INLINE: usize = 5;

/// One line of one payer, valued in the reporting currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ValuedLine {
    /// Whether it is wealth (crops, livestock and treasure are assessed
    /// apart, and left out of the summary).
    pub wealth: bool,
    /// Its zakatable value.
    pub value: Decimal,
}

/// A population's lines, valued once (the valuation is the stage of
/// `zakat/pre-allocation`'s contrast; this one is what follows it).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Valued {
    /// Each payer's lines, in the order of the payer's file.
    pub payers: Vec<Vec<ValuedLine>>,
}

/// A payer's summary on the receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Summary {
    /// The wealth lines' sum.
    pub total: Decimal,
    /// The positions of the three largest wealth lines in the payer's
    /// file, largest first (the earlier line first between equal values);
    /// `None` where the payer has fewer.
    pub largest: [Option<u16>; 3],
}

fn build(scale: Scale, seed: u64) -> Valued {
    let input = crate::zakat::generate::generate(super::inputs::line_payers_at(scale), seed);
    let context = Context::of(&input);
    Valued {
        payers: input
            .payers
            .iter()
            .map(|payer| {
                payer
                    .assets
                    .iter()
                    .map(|asset| ValuedLine {
                        wealth: is_wealth(asset),
                        value: if is_wealth(asset) {
                            zakatable_value(asset, &context).expect("generated lines value")
                        } else {
                            Decimal::ZERO
                        },
                    })
                    .collect()
            })
            .collect(),
    }
}

// ANCHOR: long_lists
/// The contrast's population: the generated one with every
/// [`PAYERS_A_LIST`] payers' lines in one list (a list of 32 to 288 lines,
/// past the inline room of five for every list but the last), as long
/// lists as a trading house's accounts would make.
pub fn long_lists(scale: Scale, seed: u64) -> Valued {
    let valued = build(scale, seed);
    Valued {
        payers: (valued.payers.chunks(PAYERS_A_LIST))
            .map(|payers| payers.concat())
            .collect(),
    }
}

/// Payers' lines a list in the contrast.
pub const PAYERS_A_LIST: usize = 32;
// ANCHOR_END: long_lists

/// How many payers hold each number of wealth lines: entry `n` counts the
/// payers with exactly `n`.
pub fn lines_per_payer(input: &Valued) -> Vec<usize> {
    let mut counts = Vec::new();
    for lines in &input.payers {
        let n = lines.iter().filter(|line| line.wealth).count();
        if counts.len() <= n {
            counts.resize(n + 1, 0);
        }
        counts[n] += 1;
    }
    counts
}

/// The summary of a payer's wealth lines, sorted largest first.
pub fn summary(sorted: &[(u16, Decimal)]) -> Summary {
    let mut largest = [None; 3];
    for (slot, (idx, _)) in largest.iter_mut().zip(sorted) {
        *slot = Some(*idx);
    }
    Summary {
        total: sorted.iter().map(|(_, value)| value).sum(),
        largest,
    }
}

/// The payer's wealth lines as (position, value).
pub fn wealth_lines(lines: &[ValuedLine]) -> impl Iterator<Item = (u16, Decimal)> + '_ {
    lines
        .iter()
        .enumerate()
        .filter(|(_, line)| line.wealth)
        .map(|(idx, line)| (idx as u16, line.value))
}

// ANCHOR: limit
/// The speed of light: the same sort, in one buffer kept for the whole
/// population, so that no list is made at all. No temporary-list form can
/// do better than sorting the lines where they already are.
fn limit(input: &Valued) -> u64 {
    let mut buffer: Vec<(u16, Decimal)> = Vec::new();
    let mut checksum = 0u64;
    for lines in &input.payers {
        buffer.clear();
        buffer.extend(wealth_lines(lines));
        buffer.sort_by_key(|line| std::cmp::Reverse(line.1));
        checksum ^= summary(&buffer).total.mantissa() as u64;
    }
    checksum
}
// ANCHOR_END: limit

// ANCHOR: naive
/// Each payer's lines gathered into a `Vec`.
pub fn naive(input: &Valued) -> Vec<Summary> {
    let mut summaries = Vec::with_capacity(input.payers.len());
    for lines in &input.payers {
        let mut wealth: Vec<(u16, Decimal)> = wealth_lines(lines).collect();
        wealth.sort_by_key(|line| std::cmp::Reverse(line.1));
        summaries.push(summary(&wealth));
    }
    summaries
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// Each payer's lines gathered into a `SmallVec` with room for `INLINE`.
pub fn optimized(input: &Valued) -> Vec<Summary> {
    let mut summaries = Vec::with_capacity(input.payers.len());
    for lines in &input.payers {
        let mut wealth: SmallVec<[(u16, Decimal); INLINE]> = wealth_lines(lines).collect();
        wealth.sort_by_key(|line| std::cmp::Reverse(line.1));
        summaries.push(summary(&wealth));
    }
    summaries
}
// ANCHOR_END: optimized

// ANCHOR: inline_two
/// The same with room for two: most payers spill to the heap.
pub fn inline_two(input: &Valued) -> Vec<Summary> {
    let mut summaries = Vec::with_capacity(input.payers.len());
    for lines in &input.payers {
        let mut wealth: SmallVec<[(u16, Decimal); 2]> = wealth_lines(lines).collect();
        wealth.sort_by_key(|line| std::cmp::Reverse(line.1));
        summaries.push(summary(&wealth));
    }
    summaries
}
// ANCHOR_END: inline_two

/// Up to 100 payers of none, one or many (up to 40) valued lines, some not
/// wealth, with ties (values from a handful of cents) as well as any `i64`
/// of cents at up to two places: the small-vectors lesson's lists, inline
/// and spilled.
pub fn arbitrary() -> BoxedStrategy<Valued> {
    let value = prop_oneof![
        (0i64..4).prop_map(|cents| Decimal::new(cents, 2)),
        (any::<i64>(), 0..=2u32).prop_map(|(units, scale)| Decimal::new(units, scale)),
    ];
    let line = (proptest::bool::weighted(0.8), value)
        .prop_map(|(wealth, value)| ValuedLine { wealth, value });
    let payer = prop_oneof![
        proptest::collection::vec(line.clone(), 0..=1),
        proptest::collection::vec(line.clone(), 2..=6),
        proptest::collection::vec(line, 7..40),
    ];
    proptest::collection::vec(payer, 0..100)
        .prop_map(|payers| Valued { payers })
        .boxed()
}

/// The invariant: a summary for every payer.
// The signature is `Invariant`'s, over the lesson's output type.
#[allow(clippy::ptr_arg)]
fn a_summary_a_payer(input: &Valued, summaries: &Vec<Summary>) -> Result<(), String> {
    ensure(summaries.len() == input.payers.len(), || {
        format!(
            "{} summaries for {} payers",
            summaries.len(),
            input.payers.len()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(cents: i64) -> ValuedLine {
        ValuedLine {
            wealth: true,
            value: Decimal::new(cents, 2),
        }
    }

    #[test]
    fn the_inline_size_holds_nine_payers_in_ten() {
        let counts = lines_per_payer(&build(Scale::Default, 1));
        let payers: usize = counts.iter().sum();
        // The generator's distribution at seed 1, as the book quotes it.
        assert_eq!(
            counts,
            [0, 26_243, 49_438, 61_616, 39_167, 17_177, 5_322, 951, 85, 1]
        );
        let inline: usize = counts[..=INLINE].iter().sum();
        assert_eq!(payers, 200_000);
        assert!(inline * 10 >= payers * 9, "{counts:?}");
        // One fewer would not do.
        let fewer: usize = counts[..INLINE].iter().sum();
        assert!(fewer * 10 < payers * 9, "{counts:?}");
        // And some payers still spill.
        assert!(counts.len() > INLINE + 1, "{counts:?}");
        // At most two lines (`inline-two`'s room): a minority.
        assert!(
            counts[..=2].iter().sum::<usize>() * 2 < payers,
            "{counts:?}"
        );
    }

    #[test]
    fn the_contrasts_lists_spill_past_the_inline_room() {
        let counts = lines_per_payer(&long_lists(Scale::Small, 1));
        let lists: usize = counts.iter().sum();
        assert_eq!(lists, 20_000_usize.div_ceil(PAYERS_A_LIST));
        let fit: usize = counts[..=INLINE].iter().sum();
        // At most the last, short list fits the inline room.
        assert!(fit <= 1, "{counts:?}");
        assert!(counts.len() - 1 <= 9 * PAYERS_A_LIST, "{counts:?}");
    }

    #[test]
    fn summaries_of_none_one_and_many_lines() {
        let crop = ValuedLine {
            wealth: false,
            value: Decimal::ZERO,
        };
        let input = Valued {
            payers: vec![
                vec![],
                vec![crop],
                vec![line(500)],
                vec![line(1), crop, line(300), line(300), line(7), line(-2)],
            ],
        };
        let expected = vec![
            Summary {
                total: Decimal::ZERO,
                largest: [None; 3],
            },
            Summary {
                total: Decimal::ZERO,
                largest: [None; 3],
            },
            Summary {
                total: Decimal::new(500, 2),
                largest: [Some(0), None, None],
            },
            Summary {
                total: Decimal::new(606, 2),
                // Equal values keep their order in the file.
                largest: [Some(2), Some(3), Some(4)],
            },
        ];
        assert_eq!(naive(&input), expected);
        assert_eq!(optimized(&input), expected);
        assert_eq!(inline_two(&input), expected);
    }
}
