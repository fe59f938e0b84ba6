//! `murabaha/string-building`: printing every customer's statement of
//! account (the instalments due so far, what was paid and when, late
//! charges, profit recognised and deferred, a settlement quote) into one
//! document.
//!
//! The naive form formats each row with `format!` and its width specifiers
//! and appends it to the statement, then joins the statements: a `String`
//! per amount, a `String` per row, a `String` per statement. The optimized
//! form writes every row into one buffer sized up front, right-aligning
//! numbers it prints by hand from the `Decimal`'s mantissa.

use rust_decimal::Decimal;

use crate::date::CivilDate;
use crate::lab::lesson::{
    Contrast, ContrastInput, LessonDef, Limit, SPEED_OF_LIGHT, Scale, Variant,
};
use crate::money::{Places, format_fixed};
use crate::murabaha::MurabahaInput;
use crate::murabaha::model::{ContractResult, Instalment};
use crate::murabaha::rules::process;
use crate::text::{push_fixed_right_aligned, push_right_aligned, write_date, write_fixed};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Statements, String> = LessonDef {
    id: "murabaha/string-building",
    why: "Statements built row by row with format! allocate a String for every amount, \
          every row and every statement, and push every number through core::fmt's width \
          and padding machinery. Writing every row into one buffer sized up front, with \
          the numbers printed and right-aligned by hand from the Decimal's mantissa, \
          removes the allocations per contract and most of the formatting cost. The two \
          are separate rungs: write! into the one buffer, still through core::fmt, \
          measured {over_naive:write-into-one-buffer} over naive (the allocations' share); \
          the numbers by hand did the rest. The contrast prints the same statements as each \
          contract is processed by the reference rules, where the text is a small share \
          of a record's work: {contrast.speedup}. It does not pay for a statement printed \
          now and then; it pays in a month-end run that prints the whole book.",
    build,
    elements: |input| input.results.len() as u64,
    naive,
    optimized,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary: Some(crate::lab::arbitrary::statements),
    allocators: None,
    variants: &[Variant {
        name: "write-into-one-buffer",
        run: write_into_one_buffer,
    }],
    scaling: false,
    contrast: Some(Contrast {
        name: "statements as contracts are processed",
        scale: Scale::Tiny,
        input: ContrastInput::Stage(&PROCESSED),
    }),
};

/// The processed portfolio whose statements are printed.
#[derive(Debug, Clone)]
pub struct Statements {
    /// The statement date.
    pub as_of: CivilDate,
    /// One processed contract per customer.
    pub results: Vec<ContractResult>,
    /// The length of the statements document, for the speed-of-light
    /// reference.
    pub document_len: usize,
}

/// Contracts at each scale.
pub fn contracts_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 100,
        Scale::Small => 500,
        Scale::Default => 5_000,
        Scale::Bank => 200_000,
    }
}

fn build(scale: Scale, seed: u64) -> Statements {
    let input = crate::murabaha::generate::generate(contracts_at(scale), seed);
    // The domain's engine gives the reference's results exactly (the tests
    // hold them to each other) in a fraction of its time: a lesson's input
    // is built out of its share of the lab's time budget.
    let output = crate::murabaha::engine::process_all(&input).expect("generated contracts process");
    let mut statements = Statements {
        as_of: input.as_of,
        results: output.contracts,
        document_len: 0,
    };
    statements.document_len = optimized(&statements).len();
    statements
}

/// The instalments a statement lists: those due on or before its date.
pub fn listed(result: &ContractResult, as_of: CivilDate) -> impl Iterator<Item = &Instalment> {
    result
        .instalments
        .iter()
        .take_while(move |i| i.due <= as_of)
}

/// The heading of the instalment table.
pub const TABLE_HEADING: &str =
    "   No        Due       Amount       Profit  Outstanding     Covered  Late   Ta'widh\n";

// ANCHOR: naive
/// Each row a `format!`, each statement a `String`, the document a concat.
pub fn naive(input: &Statements) -> String {
    input
        .results
        .iter()
        .map(|result| statement(result, input.as_of))
        .collect::<Vec<String>>()
        .concat()
}

/// One contract's statement, the readable way.
pub fn statement(c: &ContractResult, as_of: CivilDate) -> String {
    let money = |value: Decimal| format_fixed(value, 2);
    let mut text = format!("STATEMENT {} as of {}\n", c.id, as_of);
    text += &format!(
        "Selling price {}, profit {}, monthly rate {}\n",
        money(c.selling_price),
        money(c.profit),
        format_fixed(c.monthly_rate, 10)
    );
    text += TABLE_HEADING;
    for i in listed(c, as_of) {
        let covered = match i.covered_on {
            Some(day) => day.to_string(),
            None => "unpaid".to_string(),
        };
        text += &format!(
            "{:>5} {} {:>12} {:>12} {:>12} {:>11} {:>5} {:>9}\n",
            i.n,
            i.due,
            money(i.amount),
            money(i.profit),
            money(i.outstanding_price),
            covered,
            i.days_late,
            money(i.tawidh)
        );
    }
    if let Some(next) = c.instalments.iter().find(|i| i.due > as_of) {
        text += &format!(
            "Next instalment {} due {}: {}\n",
            next.n,
            next.due,
            money(next.amount)
        );
    }
    text += &format!(
        "Paid {}, ta'widh {}, gharamah (to charity) {}\n",
        money(c.paid),
        money(c.tawidh),
        money(c.gharamah)
    );
    text += &format!(
        "Profit recognised {}, deferred {}\n",
        money(c.recognised_profit),
        money(c.deferred_profit)
    );
    if let Some(s) = &c.settlement {
        text += &format!(
            "Early settlement on {}: charge {}, ibra' {}, amount due {}\n",
            s.date,
            money(s.esc),
            money(s.ibra),
            money(s.amount)
        );
    }
    text.push('\n');
    text
}
// ANCHOR_END: naive

// ANCHOR: write
/// The rung between: every row written with `write!` into one buffer sized up front,
/// so nothing is allocated per contract, but every figure still goes
/// through `core::fmt` (`Places` is `format_fixed` as a `Display`).
pub fn write_into_one_buffer(input: &Statements) -> String {
    let rows: usize = input
        .results
        .iter()
        .map(|c| c.instalments.partition_point(|i| i.due <= input.as_of))
        .sum();
    let mut out = String::with_capacity(rows * 86 + input.results.len() * 320);
    for c in &input.results {
        write_statement_fmt(&mut out, c, input.as_of).expect("a String takes any text");
    }
    out
}

fn write_statement_fmt(out: &mut String, c: &ContractResult, as_of: CivilDate) -> std::fmt::Result {
    use std::fmt::Write as _;
    let money = |value: Decimal| Places(value, 2);
    writeln!(out, "STATEMENT {} as of {as_of}", c.id)?;
    writeln!(
        out,
        "Selling price {}, profit {}, monthly rate {}",
        money(c.selling_price),
        money(c.profit),
        Places(c.monthly_rate, 10)
    )?;
    out.push_str(TABLE_HEADING);
    for i in listed(c, as_of) {
        write!(
            out,
            "{:>5} {} {:>12} {:>12} {:>12} ",
            i.n,
            i.due,
            money(i.amount),
            money(i.profit),
            money(i.outstanding_price)
        )?;
        // A date is ten characters: right-aligned in eleven.
        match i.covered_on {
            Some(day) => write!(out, " {day}")?,
            None => out.push_str("     unpaid"),
        }
        writeln!(out, " {:>5} {:>9}", i.days_late, money(i.tawidh))?;
    }
    if let Some(next) = c.instalments.iter().find(|i| i.due > as_of) {
        writeln!(
            out,
            "Next instalment {} due {}: {}",
            next.n,
            next.due,
            money(next.amount)
        )?;
    }
    writeln!(
        out,
        "Paid {}, ta'widh {}, gharamah (to charity) {}",
        money(c.paid),
        money(c.tawidh),
        money(c.gharamah)
    )?;
    writeln!(
        out,
        "Profit recognised {}, deferred {}",
        money(c.recognised_profit),
        money(c.deferred_profit)
    )?;
    if let Some(s) = &c.settlement {
        writeln!(
            out,
            "Early settlement on {}: charge {}, ibra' {}, amount due {}",
            s.date,
            money(s.esc),
            money(s.ibra),
            money(s.amount)
        )?;
    }
    out.push('\n');
    Ok(())
}
// ANCHOR_END: write

// ANCHOR: optimized
/// Every row written into one buffer sized up front, numbers by hand.
pub fn optimized(input: &Statements) -> String {
    // About 85 bytes a row and 260 for the rest of a statement.
    let rows: usize = input
        .results
        .iter()
        .map(|c| c.instalments.partition_point(|i| i.due <= input.as_of))
        .sum();
    let mut out = String::with_capacity(rows * 86 + input.results.len() * 320);
    for c in &input.results {
        write_statement(&mut out, c, input.as_of);
    }
    out
}

/// Writes one statement at the end of `out`, without allocating.
pub fn write_statement(out: &mut String, c: &ContractResult, as_of: CivilDate) {
    let mut digits = itoa::Buffer::new();
    out.push_str("STATEMENT ");
    out.push_str(&c.id);
    out.push_str(" as of ");
    write_date(out, as_of);
    out.push_str("\nSelling price ");
    write_fixed(out, c.selling_price, 2);
    out.push_str(", profit ");
    write_fixed(out, c.profit, 2);
    out.push_str(", monthly rate ");
    write_fixed(out, c.monthly_rate, 10);
    out.push('\n');
    out.push_str(TABLE_HEADING);
    for i in listed(c, as_of) {
        push_right_aligned(out, digits.format(i.n), 5);
        out.push(' ');
        write_date(out, i.due);
        out.push(' ');
        push_fixed_right_aligned(out, i.amount, 2, 12);
        out.push(' ');
        push_fixed_right_aligned(out, i.profit, 2, 12);
        out.push(' ');
        push_fixed_right_aligned(out, i.outstanding_price, 2, 12);
        out.push(' ');
        match i.covered_on {
            Some(day) => {
                out.push(' ');
                write_date(out, day);
            }
            None => out.push_str("     unpaid"),
        }
        out.push(' ');
        push_right_aligned(out, digits.format(i.days_late), 5);
        out.push(' ');
        push_fixed_right_aligned(out, i.tawidh, 2, 9);
        out.push('\n');
    }
    if let Some(next) = c
        .instalments
        .get(c.instalments.partition_point(|i| i.due <= as_of))
    {
        out.push_str("Next instalment ");
        out.push_str(digits.format(next.n));
        out.push_str(" due ");
        write_date(out, next.due);
        out.push_str(": ");
        write_fixed(out, next.amount, 2);
        out.push('\n');
    }
    out.push_str("Paid ");
    write_fixed(out, c.paid, 2);
    out.push_str(", ta'widh ");
    write_fixed(out, c.tawidh, 2);
    out.push_str(", gharamah (to charity) ");
    write_fixed(out, c.gharamah, 2);
    out.push_str("\nProfit recognised ");
    write_fixed(out, c.recognised_profit, 2);
    out.push_str(", deferred ");
    write_fixed(out, c.deferred_profit, 2);
    out.push('\n');
    if let Some(s) = &c.settlement {
        out.push_str("Early settlement on ");
        write_date(out, s.date);
        out.push_str(": charge ");
        write_fixed(out, s.esc, 2);
        out.push_str(", ibra' ");
        write_fixed(out, s.ibra, 2);
        out.push_str(", amount due ");
        write_fixed(out, s.amount, 2);
        out.push('\n');
    }
    out.push('\n');
}
// ANCHOR_END: optimized

// ANCHOR: limit
/// The speed of light: read every listed instalment once and write a
/// document of the statements' length.
pub fn limit(input: &Statements) -> u64 {
    let mut out: Vec<u8> = Vec::with_capacity(input.document_len);
    let mut checksum = 0u64;
    for c in &input.results {
        out.extend_from_slice(c.id.as_bytes());
        for i in listed(c, input.as_of) {
            checksum ^= i.amount.mantissa() as u64;
            out.extend_from_slice(b"                                                                                     \n");
        }
    }
    out.resize(input.document_len, b'\n');
    checksum ^ out.len() as u64
}
// ANCHOR_END: limit

/// The contrast: each contract processed by the reference rules (its schedule,
/// recognition, payments and late charges in `Decimal`), then its statement
/// built with `format!` (naive) or written by hand (optimized).
pub const PROCESSED: LessonDef<MurabahaInput, String> = LessonDef {
    id: "murabaha/string-building",
    why: "",
    build: |scale, seed| crate::murabaha::generate::generate(contracts_at(scale), seed),
    elements: |input| input.contracts.len() as u64,
    naive: processed_formatted,
    optimized: processed_by_hand,
    limit: None,
    reference: None,
    arbitrary: Some(crate::lab::arbitrary::contracts),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
};

// ANCHOR: processed_formatted
/// Each contract processed, then its text by `format!`.
pub fn processed_formatted(input: &MurabahaInput) -> String {
    let mut out = String::new();
    for contract in &input.contracts {
        let result = process(contract, input.as_of, &input.late_policy)
            .expect("generated contracts process");
        out.push_str(&statement(&result, input.as_of));
    }
    out
}
// ANCHOR_END: processed_formatted

// ANCHOR: processed_by_hand
/// Each contract processed, then its text written by hand.
pub fn processed_by_hand(input: &MurabahaInput) -> String {
    let mut out = String::new();
    for contract in &input.contracts {
        let result = process(contract, input.as_of, &input.late_policy)
            .expect("generated contracts process");
        write_statement(&mut out, &result, input.as_of);
    }
    out
}
// ANCHOR_END: processed_by_hand

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_reads_as_expected() {
        let input = crate::murabaha::MurabahaInput::from_json(include_str!(
            "../../../tests/data/murabaha_formats_example.json"
        ))
        .unwrap();
        let output = crate::murabaha::process_all(&input).unwrap();
        let mut result = output.contracts[0].clone();
        // Two rows are enough to read: keep the first 14 instalments.
        result.instalments.truncate(14);
        let statements = Statements {
            as_of: "2026-03-15".parse().unwrap(),
            results: vec![result],
            document_len: 0,
        };
        let expected = "STATEMENT M1 as of 2026-03-15\n\
            Selling price 112810.92, profit 12810.92, monthly rate 0.0066666667\n   \
            No        Due       Amount       Profit  Outstanding     Covered  Late   Ta'widh\n    \
            1 2026-02-01      3133.64       666.67    109677.28  2026-02-01     0      0.00\n    \
            2 2026-03-01      3133.64       650.22    106543.64      unpaid   337     28.93\n\
            Next instalment 3 due 2026-04-01: 3133.64\n\
            Paid 3133.64, ta'widh 173.77, gharamah (to charity) 0.00\n\
            Profit recognised 7351.95, deferred 5458.97\n\
            Early settlement on 2027-02-01: charge 0.00, ibra' 5458.97, amount due 104392.08\n\n";
        assert_eq!(naive(&statements), expected);
        assert_eq!(optimized(&statements), expected);
    }
}
