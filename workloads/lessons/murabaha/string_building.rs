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
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
    Variant,
};
use crate::money::{Places, format_fixed};
use crate::murabaha::MurabahaInput;
use crate::murabaha::model::ContractResult;
use crate::murabaha::rules::process;
use crate::murabaha::statement::{TABLE_HEADING, format_statement, listed, write_statement};
use crate::text::write_fixed;

use super::inputs::{Statements, statement_contracts_at, statements, statements_limit};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Statements, String> = LessonDef {
    id: "murabaha/string-building",
    why: "Statements built row by row with format! allocate a String for every amount, \
          every row and every statement ({allocations_per_record:naive} allocations a \
          statement), and push every number through core::fmt's width and padding \
          machinery. The optimized form writes every row into one buffer sized up front, \
          with the numbers printed and right-aligned by hand from the Decimal's mantissa \
          (skipping the round_half_up that format_fixed applies to figures the rules have \
          already rounded). The two changes are separate rungs. write! into the one \
          buffer, still through core::fmt, is the first: \
          {?over_naive:write-into-one-buffer|gain it measured \
          {over_naive:write-into-one-buffer} over naive, the allocations' share.|same it \
          made no measurable difference ({over_naive:write-into-one-buffer}).|loss it \
          measured {over_naive:write-into-one-buffer} over naive.} The numbers by hand are \
          the second: {?over_before:optimized|gain they measured {over_before:optimized} \
          over the rung before.|same they made no measurable difference \
          ({over_before:optimized}).|loss they measured {over_before:optimized} over the \
          rung before.} In all, {?speedup|gain the optimized form measured {speedup}, with \
          instructions {instructions}.|same the two forms are within the noise ({speedup}; \
          instructions {instructions}).|loss the optimized form measured {speedup} \
          (instructions {instructions}).} The contrast processes each contract by the \
          reference rules (its schedule, recognition, payments and late charges in \
          Decimal) and prints one summary line for it, text that is a small share of a \
          record's work: {?contrast.speedup|gain there the line by hand still measured \
          {contrast.speedup}.|same there the two are within the noise \
          ({contrast.speedup}).|loss there the line by hand measured {contrast.speedup}.} \
          {?speedup|gain It is worth its code in a month-end run that prints the whole \
          book, not for a line now and then.|same Here even a run that prints the whole \
          book did not repay the hand-written printer.|loss Here even a run that prints \
          the whole book did not repay the hand-written printer.}",
    build: statements,
    elements: |input| input.results.len() as u64,
    naive,
    optimized,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: statements_limit,
    }),
    reference: None,
    arbitrary: super::inputs::arbitrary_statements,
    invariant: None,
    allocators: None,
    variants: &[Variant::new("write-into-one-buffer", write_into_one_buffer)],
    scaling: false,
    contrast: Some(Contrast {
        name: "a summary line as contracts are processed",
        scale: Scale::Tiny,
        input: ContrastInput::Stage(&PROCESSED),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "A statement is a dozen `format!` calls per instalment row, each a String appended with \
         `+=` and dropped. Write every row into one buffer instead, and then ask what \
         `core::fmt` costs per number.",
        compares: "the statements document, byte for byte",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

// Exercise includes: workloads/murabaha/statement.rs#format
// ANCHOR: naive
/// Each row a `format!`, each statement a `String`, the document a concat.
pub fn naive(input: &Statements) -> String {
    input
        .results
        .iter()
        .map(|result| format_statement(result, input.as_of))
        .collect::<Vec<String>>()
        .concat()
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

// ANCHOR_END: optimized

/// The contrast: each contract processed by the reference rules (its schedule,
/// recognition, payments and late charges in `Decimal`), then one summary
/// line printed with `format!` (naive) or by hand (optimized): text that is
/// a small share of the record's work.
pub const PROCESSED: LessonDef<MurabahaInput, String> = LessonDef {
    id: "murabaha/string-building",
    why: "",
    build: |scale, seed| crate::murabaha::generate::generate(statement_contracts_at(scale), seed),
    elements: |input| input.contracts.len() as u64,
    naive: processed_formatted,
    optimized: processed_by_hand,
    prepare: Prepare::NONE,
    limit: None,
    reference: None,
    arbitrary: super::inputs::arbitrary_contracts,
    invariant: None,
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

// ANCHOR: processed_formatted
/// Each contract processed, then its one summary line by `format!`: its
/// id, what it has paid and what it still owes.
pub fn processed_formatted(input: &MurabahaInput) -> String {
    let mut out = String::new();
    for contract in &input.contracts {
        let result = process(contract, input.as_of, &input.late_policy)
            .expect("generated contracts process");
        out.push_str(&format!(
            "{} paid {} deferred profit {}\n",
            result.id,
            format_fixed(result.paid, 2),
            format_fixed(result.deferred_profit, 2)
        ));
    }
    out
}
// ANCHOR_END: processed_formatted

// ANCHOR: processed_by_hand
/// Each contract processed, then its summary line written by hand.
pub fn processed_by_hand(input: &MurabahaInput) -> String {
    let mut out = String::new();
    for contract in &input.contracts {
        let result = process(contract, input.as_of, &input.late_policy)
            .expect("generated contracts process");
        out.push_str(&result.id);
        out.push_str(" paid ");
        write_fixed(&mut out, result.paid, 2);
        out.push_str(" deferred profit ");
        write_fixed(&mut out, result.deferred_profit, 2);
        out.push('\n');
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
