//! `zakat/vectorization`: each payer's zakat on wealth from the column of
//! net wealth in cents (2.5 %, half up: `(net + 20) / 40`, nothing below
//! the nisab), a wealth outside the range the totals take refused with the
//! payer named. The loop a vector unit could run two or four payers at a
//! time (`i64` lanes), if nothing in it stops the compiler.
//!
//! - naive: the range checked payer by payer, an early return from the
//!   loop for the first payer outside it, each due pushed: the loop may
//!   stop at any payer, which no vector loop can;
//! - `checks-hoisted`: the range proved once over the column first (a
//!   minimum and a maximum), then a plain loop with nothing to stop it.
//!   Still scalar: the division by 40 of a 64-bit number is a 64-bit
//!   multiply-high, which neither SSE2 nor AVX2 has;
//! - `branch-free`: the same, the nisab test a select
//!   (`std::hint::select_unpredictable`) the compiler may not turn back
//!   into a jump past the division: the branch, apart from the lanes;
//! - `portable`: the same proof also shows every wealth below 2³² cents
//!   (some 43 million in the reporting currency), so the division can be
//!   the multiply and shift the compiler makes of a `u32` division, a
//!   `u32` times a `u32`: in 64-bit lanes that is a `pmuludq`, and the
//!   compiler vectorizes the loop with SSE2, two payers a vector (the
//!   loop in `u32` lanes, `i64` in and out, is not vectorized: the
//!   narrowing and widening cost more than LLVM's model allows). A column
//!   with a larger wealth takes the 64-bit loop;
//! - optimized: the same loop compiled a second time for AVX2 (four
//!   payers a vector), chosen at run time when the processor has it
//!   (`is_x86_feature_detected!`), the portable build the fallback: what
//!   an expert ships.
//!
//! The contrast ([`IN_DECIMAL`]) makes the same proof before a loop whose
//! work is a `Decimal` multiplication and rounding a payer: nothing there
//! is a vector operation, and the proof saves only the checks.

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::processor_inputs::{MAX_NET_CENTS, Wealth, arbitrary_wealth, due_cents, wealth};
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
    Variant, ensure,
};

/// Each payer's due in cents, or the first payer whose wealth is out of
/// range.
pub type Dues = Result<Vec<i64>, String>;

/// The lesson's registry entry.
pub const LESSON: LessonDef<Wealth, Dues> = LessonDef {
    id: "zakat/vectorization",
    why: "Each payer's due is a test, an addition and a division by forty, the same for \
          every payer: a loop a vector unit could run several payers at a time. The naive \
          loop checks each wealth and may return at any payer, and a loop that can stop \
          between any two payers is not one the compiler vectorizes. The lesson takes \
          what stops it away one step at a time, each step's ratio against the step \
          before. Proving the range once over the column first removes the early return, \
          and the loop still runs one payer at a time: {over_naive:checks-hoisted}. The \
          scalar loop jumps past the division for a payer below the nisab, a guess the \
          predictor often gets wrong; made a select it may not turn back into a jump, \
          still one payer at a time: {over_before:branch-free} (mispredicted branches, naive → \
          branch-free: {mispredicted:branch-free}). Dividing an i64 by a constant is a multiply-high \
          of two i64s, which the vector units here do not have; the same proof shows \
          every wealth fits in a u32, and then the division is the multiply and shift \
          the compiler makes of a u32 division, a u32 times a u32, which in i64 lanes is \
          a pmuludq: the compiler vectorizes the loop (the counters' table of the machine \
          code shows the vector instructions), {over_before:portable} against the \
          branch-free scalar loop (instructions, naive → portable: \
          {instructions:portable}). Built again for AVX2 and chosen at run time, with registers twice as \
          wide and a compare of i64s the baseline build has to assemble from narrower \
          ones: {over_before:optimized} against the portable build (instructions, naive → \
          optimized: {instructions}). {?speedup|gain The whole lesson \
          measured {speedup}.|same In all, the two are within the noise ({speedup}).|loss \
          In all, the optimized form measured {speedup}.} The contrast makes the same \
          proof before a loop whose work is a Decimal multiplication and rounding a \
          payer: {?contrast.speedup|gain there the proof still measured \
          {contrast.speedup}.|same there nothing vectorizes and the two are within the \
          noise ({contrast.speedup}).|loss there the proof's extra pass measured \
          {contrast.speedup}.}",
    build: wealth,
    elements: |input| input.net.len() as u64,
    naive,
    optimized,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary,
    invariant: Some(a_fortieth_at_or_above_the_nisab),
    allocators: None,
    variants: &[
        Variant::new("checks-hoisted", checks_hoisted),
        Variant::new("branch-free", branch_free),
        Variant::new("portable", portable),
    ],
    scaling: false,
    contrast: Some(Contrast {
        name: "the due in Decimal",
        scale: Scale::Default,
        input: ContrastInput::Stage(&IN_DECIMAL),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "The loop may return at any payer, so it runs one payer at a time. Check the \
         whole column first, then write a loop with nothing in it that can stop; then read \
         its machine code (`mizan asm zakat/vectorization portable` shows what a vector \
         loop looks like) and ask what width the division needs.",
        compares: "every payer's due in cents, or the first error, as printed",
        keep: &[],
        may_call: &[
            "mizan::lessons::zakat::processor_inputs::due_cents",
            "mizan::lessons::zakat::processor_inputs::MAX_NET_CENTS",
        ],
        constraint: None,
    }),
};

fn arbitrary() -> BoxedStrategy<Wealth> {
    // Now and then a wealth out of range: negative, or past the largest.
    (
        arbitrary_wealth(),
        proptest::option::of((0usize..600, any::<bool>())),
    )
        .prop_map(|(mut input, bad)| {
            if let Some((at, low)) = bad.filter(|(at, _)| *at < input.net.len()) {
                input.net[at] = if low {
                    -1 - input.net[at] % 7
                } else {
                    MAX_NET_CENTS + 1
                };
            }
            input
        })
        .boxed()
}

/// The error for payer `payer`'s wealth.
pub fn out_of_range(payer: usize, net: i64) -> String {
    format!("payer {payer}: net wealth of {net} cents is outside 0 to {MAX_NET_CENTS}")
}

// ANCHOR: naive
/// Each payer's due, the wealth checked payer by payer.
pub fn naive(input: &Wealth) -> Dues {
    let mut dues = Vec::with_capacity(input.net.len());
    for (payer, &net) in input.net.iter().enumerate() {
        if !(0..=MAX_NET_CENTS).contains(&net) {
            return Err(out_of_range(payer, net));
        }
        dues.push(if net >= input.nisab {
            due_cents(net)
        } else {
            0
        });
    }
    Ok(dues)
}
// ANCHOR_END: naive

/// The range of the column, proved in one pass: `Ok(largest)`, or the
/// first payer outside it.
fn proved(net: &[i64]) -> Result<i64, String> {
    let (low, high) = net
        .iter()
        .fold((0i64, 0i64), |(low, high), &n| (low.min(n), high.max(n)));
    if low < 0 || high > MAX_NET_CENTS {
        let payer = net
            .iter()
            .position(|n| !(0..=MAX_NET_CENTS).contains(n))
            .expect("a wealth out of range");
        return Err(out_of_range(payer, net[payer]));
    }
    Ok(high)
}

// ANCHOR: checks_hoisted
/// The range proved first, then a loop with nothing to stop it, in 64
/// bits.
pub fn checks_hoisted(input: &Wealth) -> Dues {
    proved(&input.net)?;
    Ok(wide(&input.net, input.nisab))
}

/// Every payer's due in 64 bits: one payer at a time.
fn wide(net: &[i64], nisab: i64) -> Vec<i64> {
    (net.iter())
        .map(|&n| if n >= nisab { due_cents(n) } else { 0 })
        .collect()
}
// ANCHOR_END: checks_hoisted

// ANCHOR: branch_free
/// The range proved first, then the 64-bit loop with the nisab test made
/// a select the compiler may not turn back into a branch: still one payer
/// at a time.
pub fn branch_free(input: &Wealth) -> Dues {
    proved(&input.net)?;
    let nisab = input.nisab;
    Ok((input.net.iter())
        .map(|&n| std::hint::select_unpredictable(n >= nisab, due_cents(n), 0))
        .collect())
}
// ANCHOR_END: branch_free

// ANCHOR: portable
/// The range proved first; below 2³² cents, the division as a multiply
/// in 64-bit lanes.
pub fn portable(input: &Wealth) -> Dues {
    let high = proved(&input.net)?;
    Ok(match narrow_nisab(high, input.nisab) {
        Some(nisab) => narrow(&input.net, nisab),
        None => wide(&input.net, input.nisab),
    })
}

/// The nisab, when every wealth (at most `high`) leaves room for the
/// `+ 20` in 32 bits; `None` otherwise.
fn narrow_nisab(high: i64, nisab: i64) -> Option<i64> {
    (high <= i64::from(u32::MAX) - 20).then_some(nisab)
}

/// Every payer's due, each wealth known to be below 2³² − 20 cents: the
/// division by 40 written as the multiply and shift the compiler makes of
/// a `u32` division (by `0xCCCC_CCCD`, then 37 bits right), a `u32` times
/// a `u32` in 64-bit lanes, which is one `pmuludq`.
#[inline(always)]
fn narrow(net: &[i64], nisab: i64) -> Vec<i64> {
    (net.iter())
        .map(|&n| {
            let m = (n as u64 & 0xffff_ffff) + 20;
            let due = ((m * 0xCCCC_CCCD) >> 37) as i64;
            // Kept by the test as a factor: a branch around the work
            // would stop the vector loop as surely as a check.
            due * i64::from(n >= nisab)
        })
        .collect()
}
// ANCHOR_END: portable

// ANCHOR: optimized
/// The portable form with its loop compiled for AVX2 when the processor
/// has it.
pub fn optimized(input: &Wealth) -> Dues {
    with_avx2(input, has_avx2())
}

/// Whether this processor runs AVX2.
pub fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The portable form, its narrow loop the AVX2 build when `avx2` says
/// the processor has it (a test passes `false` to cover the fallback).
pub fn with_avx2(input: &Wealth, avx2: bool) -> Dues {
    let high = proved(&input.net)?;
    Ok(match narrow_nisab(high, input.nisab) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: called only when the processor has AVX2.
        Some(nisab) if avx2 => unsafe { narrow_avx2(&input.net, nisab) },
        Some(nisab) => narrow(&input.net, nisab),
        None => wide(&input.net, input.nisab),
    })
}

/// [`narrow`] compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn narrow_avx2(net: &[i64], nisab: i64) -> Vec<i64> {
    narrow(net, nisab)
}
// ANCHOR_END: optimized

// ANCHOR: limit
/// The speed of light: the column read and the dues written, one
/// operation a payer.
fn limit(input: &Wealth) -> u64 {
    let dues: Vec<i64> = input.net.iter().map(|&n| n >> 5).collect();
    std::hint::black_box(&dues);
    dues.len() as u64
}
// ANCHOR_END: limit

/// The contrast: the due worked out in `Decimal`, checked payer by payer
/// against proved first.
pub const IN_DECIMAL: LessonDef<Wealth, Dues> = LessonDef {
    id: "zakat/vectorization",
    why: "",
    build: wealth,
    elements: |input| input.net.len() as u64,
    naive: decimal_checked,
    optimized: decimal_proved,
    prepare: Prepare::NONE,
    limit: None,
    reference: None,
    arbitrary,
    invariant: None,
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

/// The due on `net` cents in `Decimal`: 2.5 %, half up, back in cents.
fn decimal_due(net: i64, nisab: i64) -> i64 {
    if net < nisab {
        return 0;
    }
    let rate = crate::zakat::rules::rate(crate::zakat::model::YearBasis::Lunar);
    let due = crate::money::round_half_up(Decimal::new(net, 2) * rate, 2);
    rust_decimal::prelude::ToPrimitive::to_i64(&(due * Decimal::ONE_HUNDRED))
        .expect("a due in range fits")
}

// ANCHOR: decimal_checked
/// The contrast's naive form: the range checked payer by payer.
pub fn decimal_checked(input: &Wealth) -> Dues {
    let mut dues = Vec::with_capacity(input.net.len());
    for (payer, &net) in input.net.iter().enumerate() {
        if !(0..=MAX_NET_CENTS).contains(&net) {
            return Err(out_of_range(payer, net));
        }
        dues.push(decimal_due(net, input.nisab));
    }
    Ok(dues)
}
// ANCHOR_END: decimal_checked

// ANCHOR: decimal_proved
/// The contrast's optimized form: the range proved first.
pub fn decimal_proved(input: &Wealth) -> Dues {
    proved(&input.net)?;
    Ok((input.net.iter())
        .map(|&n| decimal_due(n, input.nisab))
        .collect())
}
// ANCHOR_END: decimal_proved

/// The invariant: a fortieth, half up, for every payer at or above the
/// nisab and nothing below it, or the first payer out of range; the
/// portable build's the same as the AVX2 one's.
fn a_fortieth_at_or_above_the_nisab(input: &Wealth, dues: &Dues) -> Result<(), String> {
    match input
        .net
        .iter()
        .position(|n| !(0..=MAX_NET_CENTS).contains(n))
    {
        Some(payer) => ensure(*dues == Err(out_of_range(payer, input.net[payer])), || {
            format!("payer {payer} is out of range, and the output is {dues:?}")
        })?,
        None => {
            let got = dues.as_ref().map_err(|e| format!("refused: {e}"))?;
            for (net, due) in input.net.iter().zip(got) {
                let expected = if *net >= input.nisab {
                    (net + 20) / 40
                } else {
                    0
                };
                ensure(*due == expected, || format!("{net}: {due}, not {expected}"))?;
            }
        }
    }
    ensure(with_avx2(input, false) == *dues, || {
        "the portable build differs".to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fortieth_half_up_at_or_above_the_nisab() {
        let input = Wealth {
            net: vec![0, 59_999, 60_000, 60_019, 60_020, 4_294_967_275],
            nisab: 60_000,
        };
        let expected = Ok(vec![0, 0, 1_500, 1_500, 1_501, 107_374_182]);
        for form in [
            naive,
            checks_hoisted,
            branch_free,
            portable,
            optimized,
            decimal_checked,
            decimal_proved,
        ] {
            assert_eq!(form(&input), expected);
        }
        assert_eq!(with_avx2(&input, false), expected);
    }

    #[test]
    fn past_32_bits_the_wide_loop_and_out_of_range_the_first_payer() {
        // 2^32 - 20 cents: one past the narrow loop's range.
        let wide = Wealth {
            net: vec![4_294_967_276, 10],
            nisab: 0,
        };
        assert_eq!(narrow_nisab(4_294_967_276, 0), None);
        let expected = Ok(vec![107_374_182, 0]);
        for form in [
            naive,
            checks_hoisted,
            branch_free,
            portable,
            optimized,
            decimal_proved,
        ] {
            assert_eq!(form(&wide), expected);
        }
        let refused = Wealth {
            net: vec![5, -1, MAX_NET_CENTS + 1],
            nisab: 0,
        };
        let error =
            Err("payer 1: net wealth of -1 cents is outside 0 to 1000000000000000".to_owned());
        for form in [
            naive,
            checks_hoisted,
            branch_free,
            portable,
            optimized,
            decimal_checked,
            decimal_proved,
        ] {
            assert_eq!(form(&refused), error);
        }
    }

    #[test]
    fn the_multiply_and_shift_is_the_division_for_every_u32() {
        let check = |n: i64| {
            let input = Wealth {
                net: vec![n],
                nisab: 0,
            };
            assert_eq!(narrow(&input.net, 0), vec![due_cents(n)], "{n}");
        };
        let top = i64::from(u32::MAX) - 20;
        for n in (0..=top)
            .step_by(9_973)
            .chain(0..2_000)
            .chain(top - 2_000..=top)
        {
            check(n);
        }
    }

    #[test]
    fn a_nisab_past_32_bits_leaves_every_narrow_due_at_zero() {
        let input = Wealth {
            net: vec![1_000, 4_000_000_000],
            nisab: 5_000_000_000,
        };
        assert_eq!(portable(&input), Ok(vec![0, 0]));
        assert_eq!(optimized(&input), Ok(vec![0, 0]));
        assert_eq!(with_avx2(&input, false), Ok(vec![0, 0]));
        assert_eq!(naive(&input), Ok(vec![0, 0]));
    }
}
