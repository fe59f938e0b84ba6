//! `murabaha/pipeline`: the bank's month-end run over its portfolio, from
//! the parsed contracts to every customer's statement and the portfolio's
//! totals: schedules, profit recognition, payment posting, late charges,
//! settlement quotes, statements, totals.
//!
//! The naive form is the reference processing
//! ([`crate::murabaha::process_all`], `Decimal` throughout, the effective
//! rate by Newton's method in `Decimal`), the naive statements of
//! `murabaha/string-building`, and totals summed in `Decimal`. The
//! optimized form processes in fixed point ([`crate::murabaha::fixed`]),
//! finds the effective rate in `f64` and proves it, reuses one schedule's
//! buffers from contract to contract, writes statements by hand from the
//! cents, and splits the contracts over the cores. The ladder's rungs
//! (`statements-by-hand`, `fixed-point`, `from-cents`, `pooled-scratch`)
//! each change one thing and are timed with them, except that the
//! fixed-point engine's two changes (integer cents and the rate found in
//! `f64`) come as one rung.

use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::date::CivilDate;
use crate::input::InputError;
use crate::lab::api::{
    Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale, Variant,
};
use crate::murabaha::MurabahaInput;
use crate::murabaha::engine::{self, Processed, per_part, process_contract};
use crate::murabaha::fixed::{Figures, Prepared, Schedule};
use crate::murabaha::model::{Contract, ContractResult};
use crate::murabaha::statement::{self, TABLE_HEADING, format_statement};
use crate::text::{Document, Record, Sink, write_date, write_units};

/// The lesson's registry entry.
pub const LESSON: LessonDef<Portfolio, Result<MurabahaRun, InputError>> = LessonDef {
    id: "murabaha/pipeline",
    why: "The whole month-end run, naive, spends its time finding each contract's effective rate \
          by Newton's method in Decimal, in Decimal arithmetic for every instalment, and in \
          format! for every statement row. Each rung of the ladder is timed in the same run over \
          the rung before: statements written by hand from the reference's results \
          {over_before:statements-by-hand}; the fixed-point engine, which computes the schedule in \
          integer cents bit-identical to Decimal (handing any contract that could overflow back to \
          the reference) and finds the rate in f64 and proves it to the last of its ten places, \
          two changes this rung makes together, its results turned back into the same \
          ContractResult for the same writer {over_before:fixed-point}; statements and totals \
          written straight from the cents, with no ContractResult made (nor the two schedule \
          columns only it holds) and the statements' buffer sized from the rows \
          {over_before:from-cents}; one schedule's buffers reused for every contract \
          {over_before:pooled-scratch}; all on one thread, and the last rung the machine's cores \
          alone, {over_before:optimized}. {?instructions|gain Under callgrind, which counts every \
          thread's work together, the instructions a contract fell from the naive form to the \
          optimized one ({instructions}), and one run's allocations from {allocations:naive} to \
          {allocations:optimized}: the rungs cut the work, and the last one splits it.|same Under \
          callgrind, which counts every thread's work together, the instructions did not move \
          ({instructions}).|loss Under callgrind, which counts every thread's work together, the \
          instructions rose ({instructions}).} {?speedup|gain In all the optimized run measured \
          {speedup} over the naive one, worth weighing for a run over the whole book every month; \
          a single contract's schedule is fast enough either way.|same In all the two runs are \
          within the noise ({speedup}), and the reference is the clearer.|loss In all the \
          optimized run measured {speedup}: the reference is the clearer and, here, the better \
          choice.}",
    build,
    elements: |p| p.input.contracts.len() as u64,
    naive: |p| naive(&p.input),
    optimized: |p| optimized(&p.input),
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary,
    invariant: None,
    allocators: None,
    variants: &[
        Variant::new("statements-by-hand", |p| statements_by_hand(&p.input)),
        Variant::new("fixed-point", |p| fixed_point(&p.input)),
        Variant::new("from-cents", |p| from_cents(&p.input)),
        Variant::new("pooled-scratch", |p| pooled_scratch(&p.input)),
    ],
    scaling: true,
    contrast: None,
    practice: Practice::Rewrite(Exercise {
        hint: "The month-end run: every contract processed in `Decimal`, every statement by \
         `format!`, one thread. Each earlier lesson is one rung of this ladder.",
        compares: "the run's statements document and portfolio totals, or the error",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// What the month-end run produces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct MurabahaRun {
    /// Every customer's statement, in input order.
    pub statements: Document,
    /// The portfolio's totals.
    pub totals: PortfolioTotals,
}

/// The portfolio's totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub struct PortfolioTotals {
    /// Contracts processed.
    pub contracts: u64,
    /// Their selling prices.
    #[serde(serialize_with = "to_the_cent")]
    pub selling_price: Decimal,
    /// Payments received.
    #[serde(serialize_with = "to_the_cent")]
    pub paid: Decimal,
    /// Ta'widh charged (bank income).
    #[serde(serialize_with = "to_the_cent")]
    pub tawidh: Decimal,
    /// Gharamah charged (payable to charity).
    #[serde(serialize_with = "to_the_cent")]
    pub gharamah: Decimal,
    /// Profit recognised by the statement date.
    #[serde(serialize_with = "to_the_cent")]
    pub recognised_profit: Decimal,
    /// Profit deferred.
    #[serde(serialize_with = "to_the_cent")]
    pub deferred_profit: Decimal,
    /// Settlement quotes given.
    pub settlements: u64,
    /// What they ask in all.
    #[serde(serialize_with = "to_the_cent")]
    pub settlement_amount: Decimal,
}

/// A total as a statement prints it: to the cent at least, so that a sum
/// of zeros prints `0.00` whichever zero the sum started from, and with
/// every place it has beyond the cent (a contract whose cost has more
/// places, which the reference processed).
fn to_the_cent<S: serde::Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    let mut value = *value;
    if value.scale() < 2 {
        value.rescale(2);
    }
    serializer.collect_str(&value)
}

/// Contracts at each scale.
pub fn contracts_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 60,
        Scale::Small => 200,
        Scale::Default => 2_000,
        Scale::Bank => 200_000,
    }
}

/// A portfolio to process, and the length of its statements (for the
/// speed of light).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Portfolio {
    /// The parsed input.
    pub input: MurabahaInput,
    /// The length of the statements document, in bytes.
    pub statements_len: usize,
}

/// The property tests' inputs at the edges (see
/// [`super::inputs::arbitrary_portfolio`]); the document length only feeds the
/// speed of light, which the checks do not run.
fn arbitrary() -> proptest::strategy::BoxedStrategy<Portfolio> {
    use proptest::strategy::Strategy as _;
    super::inputs::arbitrary_portfolio()
        .prop_map(|input| Portfolio {
            input,
            statements_len: 0,
        })
        .boxed()
}

fn build(scale: Scale, seed: u64) -> Portfolio {
    let input = crate::murabaha::generate::generate(contracts_at(scale), seed);
    let statements_len = optimized(&input).map_or(0, |run| run.statements.len());
    Portfolio {
        input,
        statements_len,
    }
}

// ANCHOR: limit
/// The speed of light: on every core, as the optimized form splits the
/// work, read every field processing reads (each contract's terms and
/// every payment) and write, for every instalment of the term, its share
/// of a document of the statements' length. No month-end run can do less;
/// what the optimized form spends above this is computing and formatting.
fn limit(portfolio: &Portfolio) -> u64 {
    let contracts = &portfolio.input.contracts;
    let per_part = per_part(contracts.len());
    let instalments: usize = contracts.iter().map(|c| c.term_months as usize).sum();
    let share = portfolio.statements_len / instalments.max(1);
    contracts
        .par_chunks(per_part)
        .map(|contracts| {
            let terms: usize = contracts.iter().map(|c| c.term_months as usize).sum();
            let mut out: Vec<u8> = Vec::with_capacity(terms * share + share);
            let mut checksum = 0u64;
            for c in contracts {
                out.extend_from_slice(c.id.as_bytes());
                checksum ^= c.cost.mantissa() as u64 ^ u64::from(c.first_due.day());
                for payment in &c.payments {
                    checksum ^= payment.amount.mantissa() as u64;
                }
                let written = out.len();
                out.resize(written + share * c.term_months as usize, b' ');
            }
            checksum ^ out.len() as u64
        })
        .reduce(|| 0, |a, b| a ^ b)
}
// ANCHOR_END: limit

/// The error for portfolio totals past what a `Decimal` holds.
#[cold]
pub fn totals_too_large() -> InputError {
    InputError::new("contracts", "their totals are too large to compute exactly")
}

// ANCHOR: naive
/// The reference processing and the naive statement of each contract in
/// turn, totals in `Decimal`. Contract by contract, as a month-end run
/// over a whole book must go: processed whole first, every schedule held
/// in `Decimal` and every statement in a `String` of its own, a bank's
/// portfolio needed 7.4 GB of heap at once (`mizan run murabaha/pipeline
/// --scale bank --runs 1`, when this form worked that way).
pub fn naive(input: &MurabahaInput) -> Result<MurabahaRun, InputError> {
    let mut statements = String::new();
    let mut totals = Totals::default();
    for (idx, contract) in input.contracts.iter().enumerate() {
        let result = process_at(input, idx, contract)?;
        totals.add(&result);
        statements.push_str(&format_statement(&result, input.as_of));
    }
    Ok(MurabahaRun {
        statements: statements.into(),
        totals: totals.finish()?,
    })
}

/// The reference's processing of one contract, its error named as
/// [`crate::murabaha::process_all`] names it.
fn process_at(
    input: &MurabahaInput,
    idx: usize,
    contract: &Contract,
) -> Result<ContractResult, InputError> {
    crate::murabaha::process(contract, input.as_of, &input.late_policy)
        .map_err(|e| InputError::new(format!("contracts[{idx}].{}", e.at), e.message))
}

/// Totals in `Decimal`, whose overflow is reported after every contract
/// was processed (a contract's own error comes first, as in every form).
#[derive(Default)]
struct Totals {
    sums: PortfolioTotals,
    overflow: bool,
}

impl Totals {
    fn add(&mut self, result: &ContractResult) {
        if !self.overflow && add_result(&mut self.sums, result).is_err() {
            self.overflow = true;
        }
    }

    fn finish(self) -> Result<PortfolioTotals, InputError> {
        if self.overflow {
            return Err(totals_too_large());
        }
        Ok(self.sums)
    }
}

/// Adds one contract's figures to the totals.
fn add_result(t: &mut PortfolioTotals, c: &ContractResult) -> Result<(), InputError> {
    let add = |sum: &mut Decimal, value: Decimal| -> Result<(), InputError> {
        *sum = sum.checked_add(value).ok_or_else(totals_too_large)?;
        Ok(())
    };
    t.contracts += 1;
    add(&mut t.selling_price, c.selling_price)?;
    add(&mut t.paid, c.paid)?;
    add(&mut t.tawidh, c.tawidh)?;
    add(&mut t.gharamah, c.gharamah)?;
    add(&mut t.recognised_profit, c.recognised_profit)?;
    add(&mut t.deferred_profit, c.deferred_profit)?;
    if let Some(s) = &c.settlement {
        t.settlements += 1;
        add(&mut t.settlement_amount, s.amount)?;
    }
    Ok(())
}
// ANCHOR_END: naive

// ANCHOR: statements_by_hand
/// Rung 1: the reference processing, statements written by hand.
pub fn statements_by_hand(input: &MurabahaInput) -> Result<MurabahaRun, InputError> {
    let mut statements = String::new();
    let mut totals = Totals::default();
    for (idx, contract) in input.contracts.iter().enumerate() {
        let result = process_at(input, idx, contract)?;
        totals.add(&result);
        statement::write_statement(&mut statements, &result, input.as_of);
    }
    Ok(MurabahaRun {
        statements: statements.into(),
        totals: totals.finish()?,
    })
}
// ANCHOR_END: statements_by_hand

// ANCHOR: fixed_point
/// Rung 2: each contract processed by the fixed-point engine (its
/// schedule in integer cents, its rate found in `f64` and proved; a
/// contract out of range handed to the reference) into a fresh scratch,
/// then turned back into the reference's `ContractResult`; statements and
/// totals as rung 1, on one thread.
pub fn fixed_point(input: &MurabahaInput) -> Result<MurabahaRun, InputError> {
    let prepared = Prepared::new(input.as_of, &input.late_policy);
    let mut statements = String::new();
    let mut totals = Totals::default();
    for (idx, contract) in input.contracts.iter().enumerate() {
        // Every column the reference's instalments carry, which the
        // statement does not print but a `ContractResult` holds.
        let mut schedule =
            Schedule::for_contracts(std::slice::from_ref(contract)).with_every_column();
        let result = match process_contract(&prepared, input, contract, &mut schedule) {
            Ok(Processed::Fast(figures)) => engine::result(contract, &figures, &schedule),
            Ok(Processed::Reference(result)) => result,
            Err(e) => {
                return Err(InputError::new(
                    format!("contracts[{idx}].{}", e.at),
                    e.message,
                ));
            }
        };
        totals.add(&result);
        statement::write_statement(&mut statements, &result, input.as_of);
    }
    Ok(MurabahaRun {
        statements: statements.into(),
        totals: totals.finish()?,
    })
}
// ANCHOR_END: fixed_point

// ANCHOR: from_cents
/// Rung 3: as rung 2, but each statement written straight from the cents
/// (every row in a stack record, pushed in one piece, into one buffer
/// sized from the rows) and the totals kept in cents, with no
/// `ContractResult` made (so the schedule also skips the two columns only
/// a `ContractResult` holds); a fresh schedule scratch for every
/// contract, on one thread.
pub fn from_cents(input: &MurabahaInput) -> Result<MurabahaRun, InputError> {
    let prepared = Prepared::new(input.as_of, &input.late_policy);
    finish(vec![run_part(
        &prepared,
        input,
        &input.contracts,
        0,
        Scratch::PerContract,
    )])
}
// ANCHOR_END: from_cents

// ANCHOR: pooled_scratch
/// Rung 4: as rung 3, one schedule scratch for the run, sized for its
/// longest contract and reused, on one thread.
pub fn pooled_scratch(input: &MurabahaInput) -> Result<MurabahaRun, InputError> {
    let prepared = Prepared::new(input.as_of, &input.late_policy);
    finish(vec![run_part(
        &prepared,
        input,
        &input.contracts,
        0,
        Scratch::Pooled,
    )])
}
// ANCHOR_END: pooled_scratch

// ANCHOR: optimized
/// Fixed point, the rate proved, buffers reused, statements by hand, the
/// contracts split over the cores in a few contiguous parts.
pub fn optimized(input: &MurabahaInput) -> Result<MurabahaRun, InputError> {
    let prepared = Prepared::new(input.as_of, &input.late_policy);
    // The engine's parts: many a thread, since contracts differ in length.
    let per_part = per_part(input.contracts.len());
    let parts: Vec<Part> = input
        .contracts
        .par_chunks(per_part)
        .enumerate()
        .map(|(idx, contracts)| {
            run_part(&prepared, input, contracts, idx * per_part, Scratch::Pooled)
        })
        .collect();
    finish(parts)
}

/// One part's statements and totals, or the first error in it.
struct Part {
    statements: String,
    totals: Sums,
    error: Option<InputError>,
}

/// Running totals in cents.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    contracts: u64,
    selling_price: i128,
    paid: i128,
    tawidh: i128,
    gharamah: i128,
    recognised_profit: i128,
    deferred_profit: i128,
    settlements: u64,
    settlement_amount: i128,
    /// The contracts the reference processed, summed in `Decimal`.
    by_reference: PortfolioTotals,
}

impl Sums {
    fn add(&mut self, f: &Figures) {
        self.contracts += 1;
        self.selling_price += i128::from(f.selling_price);
        self.paid += i128::from(f.paid);
        self.tawidh += i128::from(f.tawidh);
        self.gharamah += i128::from(f.gharamah);
        self.recognised_profit += i128::from(f.recognised_profit);
        self.deferred_profit += i128::from(f.deferred_profit);
        if let Some((_, _, _, amount)) = f.settlement {
            self.settlements += 1;
            self.settlement_amount += i128::from(amount);
        }
    }

    fn merge(&mut self, other: &Sums) -> Result<(), InputError> {
        self.contracts += other.contracts;
        self.selling_price += other.selling_price;
        self.paid += other.paid;
        self.tawidh += other.tawidh;
        self.gharamah += other.gharamah;
        self.recognised_profit += other.recognised_profit;
        self.deferred_profit += other.deferred_profit;
        self.settlements += other.settlements;
        self.settlement_amount += other.settlement_amount;
        let r = &other.by_reference;
        self.by_reference.contracts += r.contracts;
        self.by_reference.settlements += r.settlements;
        let sums = [
            (&mut self.by_reference.selling_price, r.selling_price),
            (&mut self.by_reference.paid, r.paid),
            (&mut self.by_reference.tawidh, r.tawidh),
            (&mut self.by_reference.gharamah, r.gharamah),
            (
                &mut self.by_reference.recognised_profit,
                r.recognised_profit,
            ),
            (&mut self.by_reference.deferred_profit, r.deferred_profit),
            (
                &mut self.by_reference.settlement_amount,
                r.settlement_amount,
            ),
        ];
        for (sum, value) in sums {
            *sum = sum.checked_add(value).ok_or_else(totals_too_large)?;
        }
        Ok(())
    }
}

/// Where a part's schedule scratch comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scratch {
    /// Made for each contract and dropped after it (the ladder's rung
    /// before pooling).
    PerContract,
    /// One for the part, sized for its longest contract: nothing
    /// allocated per contract.
    Pooled,
}

/// Processes `contracts` (the first at `first_idx` in the file) into one
/// buffer, with the schedule's scratch `scratch` says.
fn run_part(
    prepared: &Prepared,
    input: &MurabahaInput,
    contracts: &[Contract],
    first_idx: usize,
    scratch: Scratch,
) -> Part {
    // About 85 bytes a listed row and 320 for the rest of a statement.
    let rows: usize = contracts.iter().map(|c| listed_rows(c, input.as_of)).sum();
    let mut statements = String::with_capacity(rows * 86 + contracts.len() * 320);
    let mut schedule = match scratch {
        Scratch::Pooled => Schedule::for_contracts(contracts),
        Scratch::PerContract => Schedule::for_contracts(&[]),
    };
    let mut record = Record::default();
    let mut totals = Sums::default();
    for (offset, contract) in contracts.iter().enumerate() {
        if scratch == Scratch::PerContract {
            schedule = Schedule::for_contracts(std::slice::from_ref(contract));
        }
        match process_contract(prepared, input, contract, &mut schedule) {
            Ok(Processed::Fast(figures)) => {
                write_statement(
                    &mut statements,
                    &mut record,
                    contract,
                    &figures,
                    &schedule,
                    input.as_of,
                );
                totals.add(&figures);
            }
            Ok(Processed::Reference(result)) => {
                if let Err(e) = by_reference(&mut statements, &mut totals, &result, input) {
                    return Part {
                        statements,
                        totals,
                        error: Some(e),
                    };
                }
            }
            Err(e) => {
                let at = format!("contracts[{}].{}", first_idx + offset, e.at);
                return Part {
                    statements,
                    totals,
                    error: Some(InputError::new(at, e.message)),
                };
            }
        }
    }
    Part {
        statements,
        totals,
        error: None,
    }
}
// ANCHOR_END: optimized

/// About how many rows a statement lists (the instalments due by `as_of`;
/// one more where the last falls later in `as_of`'s month), for sizing.
fn listed_rows(contract: &Contract, as_of: CivilDate) -> usize {
    let months = (as_of.year() - contract.first_due.year()) * 12 + i32::from(as_of.month())
        - i32::from(contract.first_due.month());
    (months.max(-1) + 1).min(contract.term_months as i32) as usize
}

/// A contract outside the fixed-point domain, which the reference
/// processed: the string-building lesson's writer prints it. Its figures
/// are summed apart, in `Decimal`: with a cost of more than two places they
/// have more than two places too.
#[cold]
fn by_reference(
    statements: &mut String,
    totals: &mut Sums,
    result: &ContractResult,
    input: &MurabahaInput,
) -> Result<(), InputError> {
    statement::write_statement(statements, result, input.as_of);
    add_result(&mut totals.by_reference, result)
}

/// Puts the parts together in order: the first error, or the statements
/// (a document of the parts' texts) and the totals.
fn finish(parts: Vec<Part>) -> Result<MurabahaRun, InputError> {
    let mut sums = Sums::default();
    let mut statements = Vec::with_capacity(parts.len());
    for part in parts {
        if let Some(error) = part.error {
            return Err(error);
        }
        statements.push(part.statements);
        sums.merge(&part.totals)?;
    }
    let r = sums.by_reference;
    let money = |cents: i128, by_reference: Decimal| {
        Decimal::try_from_i128_with_scale(cents, 2)
            .ok()
            .and_then(|sum| sum.checked_add(by_reference))
            .ok_or_else(totals_too_large)
    };
    Ok(MurabahaRun {
        statements: Document::from_parts(statements),
        totals: PortfolioTotals {
            contracts: sums.contracts + r.contracts,
            selling_price: money(sums.selling_price, r.selling_price)?,
            paid: money(sums.paid, r.paid)?,
            tawidh: money(sums.tawidh, r.tawidh)?,
            gharamah: money(sums.gharamah, r.gharamah)?,
            recognised_profit: money(sums.recognised_profit, r.recognised_profit)?,
            deferred_profit: money(sums.deferred_profit, r.deferred_profit)?,
            settlements: sums.settlements + r.settlements,
            settlement_amount: money(sums.settlement_amount, r.settlement_amount)?,
        },
    })
}

// ANCHOR: write_statement
/// Writes one statement from the fixed-point schedule: the same text as
/// [`statement::write_statement`] writes from the `Decimal` one.
fn write_statement(
    out: &mut String,
    record: &mut Record,
    contract: &Contract,
    f: &Figures,
    s: &Schedule,
    as_of: CivilDate,
) {
    let mut digits = itoa::Buffer::new();
    out.push_str("STATEMENT ");
    out.push_str(&contract.id);
    out.push_str(" as of ");
    write_date(out, as_of);
    out.push_str("\nSelling price ");
    write_units(out, f.selling_price, 2);
    out.push_str(", profit ");
    write_units(out, f.profit, 2);
    out.push_str(", monthly rate ");
    write_units(out, f.monthly_rate, 10);
    out.push('\n');
    out.push_str(TABLE_HEADING);
    let listed = s.dues.partition_point(|due| *due <= as_of);
    for k in 0..listed {
        // Each row built in a stack record and pushed in one piece.
        let row = &mut *record;
        row.clear();
        row.put_aligned(digits.format(k + 1), 5);
        row.put(" ");
        row.put_date(s.dues[k]);
        row.put(" ");
        row.put_units_aligned::<2>(s.amounts[k], 12);
        row.put(" ");
        row.put_units_aligned::<2>(s.profits[k], 12);
        row.put(" ");
        row.put_units_aligned::<2>(s.outstanding_price[k], 12);
        match s.covered_on[k] {
            Some(day) => {
                row.put("  ");
                row.put_date(day);
            }
            None => row.put("      unpaid"),
        }
        row.put(" ");
        row.put_aligned(digits.format(s.days_late[k]), 5);
        row.put(" ");
        row.put_units_aligned::<2>(s.tawidh[k], 9);
        row.put("\n");
        out.push_str(row.as_str());
    }
    if listed < s.dues.len() {
        out.push_str("Next instalment ");
        out.push_str(digits.format(listed + 1));
        out.push_str(" due ");
        write_date(out, s.dues[listed]);
        out.push_str(": ");
        write_units(out, s.amounts[listed], 2);
        out.push('\n');
    }
    out.push_str("Paid ");
    write_units(out, f.paid, 2);
    out.push_str(", ta'widh ");
    write_units(out, f.tawidh, 2);
    out.push_str(", gharamah (to charity) ");
    write_units(out, f.gharamah, 2);
    out.push_str("\nProfit recognised ");
    write_units(out, f.recognised_profit, 2);
    out.push_str(", deferred ");
    write_units(out, f.deferred_profit, 2);
    out.push('\n');
    if let Some((date, esc, ibra, amount)) = f.settlement {
        out.push_str("Early settlement on ");
        write_date(out, date);
        out.push_str(": charge ");
        write_units(out, esc, 2);
        out.push_str(", ibra' ");
        write_units(out, ibra, 2);
        out.push_str(", amount due ");
        write_units(out, amount, 2);
        out.push('\n');
    }
    out.push('\n');
}
// ANCHOR_END: write_statement
