//! What two or more murabaha lessons share: the statements and their
//! portfolio, the payment streams and ledgers of the posting lessons, a
//! processed book and its future cash flows, the month-end task, and the
//! random inputs of each, out to the edges.

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::date::CivilDate;
use crate::lab::api::Scale;
use crate::lessons::inputs::{day, edits, figure, identifier};
use crate::money::cents_i128;
use crate::murabaha::engine::{Processed, process_contract};
use crate::murabaha::fixed::{Prepared, Schedule};
use crate::murabaha::model::{Contract, ContractResult, Pricing};
use crate::murabaha::statement::{listed, write_statement};
use crate::murabaha::{MurabahaInput, generate as murabaha_generate};

// ---- Statements
/// The processed portfolio whose statements are printed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Statements {
    /// The statement date.
    pub as_of: CivilDate,
    /// One processed contract per customer.
    pub results: Vec<ContractResult>,
    /// The length of the statements document, for the speed-of-light
    /// reference.
    pub document_len: usize,
}

/// Contracts at each scale, for the statements.
pub fn statement_contracts_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 100,
        Scale::Small => 500,
        Scale::Default => 5_000,
        Scale::Bank => 200_000,
    }
}

/// The statements of a generated portfolio, processed by the engine.
pub fn statements(scale: Scale, seed: u64) -> Statements {
    let input = crate::murabaha::generate::generate(statement_contracts_at(scale), seed);
    // The domain's engine gives the reference's results exactly (the tests
    // hold them to each other) in a fraction of its time: a lesson's input
    // is built out of its share of the lab's time budget.
    let output = crate::murabaha::engine::process_all(&input).expect("generated contracts process");
    let mut statements = Statements {
        as_of: input.as_of,
        results: output.contracts,
        document_len: 0,
    };
    let mut text = String::new();
    for c in &statements.results {
        write_statement(&mut text, c, statements.as_of);
    }
    statements.document_len = text.len();
    statements
}

// ANCHOR: statements_limit
/// The speed of light: read every listed instalment once and write a
/// document of the statements' length.
pub fn statements_limit(input: &Statements) -> u64 {
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
// ANCHOR_END: statements_limit

/// Statements of 12 processed contracts whose every printed figure is
/// random, with a first instalment of random figures, covered or not.
pub fn arbitrary_statements() -> BoxedStrategy<Statements> {
    type Row = (Decimal, Decimal, Decimal, Decimal, Option<CivilDate>, u32);
    let row = (
        figure(2),
        figure(2),
        figure(2),
        figure(2),
        proptest::option::of(day()),
        any::<u32>(),
    );
    (
        0u64..1_000,
        proptest::collection::vec(identifier(), 12),
        proptest::collection::vec(figure(2), 12 * 8),
        proptest::collection::vec(figure(10), 12),
        proptest::collection::vec(row, 12),
        day(),
    )
        .prop_map(
            |(seed, ids, figures, rates, rows, as_of): (_, _, _, _, Vec<Row>, _)| {
                let input = murabaha_generate::generate(12, seed);
                let mut results = crate::murabaha::process_all(&input)
                    .expect("generated contracts process")
                    .contracts;
                for (idx, c) in results.iter_mut().enumerate() {
                    let f = &figures[idx * 8..idx * 8 + 8];
                    c.id = ids[idx].clone();
                    c.selling_price = f[0];
                    c.profit = f[1];
                    c.paid = f[2];
                    c.tawidh = f[3];
                    c.gharamah = f[4];
                    c.recognised_profit = f[5];
                    c.deferred_profit = f[6];
                    c.monthly_rate = rates[idx];
                    if let Some(s) = c.settlement.as_mut() {
                        s.amount = f[7];
                    }
                    let (amount, profit, outstanding, tawidh, covered, late) = rows[idx];
                    if let Some(first) = c.instalments.first_mut() {
                        first.amount = amount;
                        first.profit = profit;
                        first.outstanding_price = outstanding;
                        first.tawidh = tawidh;
                        first.covered_on = covered;
                        first.days_late = late;
                    }
                }
                Statements {
                    as_of,
                    results,
                    document_len: 0,
                }
            },
        )
        .boxed()
}

// ---- Payment streams and ledgers

/// One payment received.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct PaymentEvent {
    /// The contract it pays, by position in the portfolio.
    pub contract_idx: u32,
    /// The day it arrived.
    pub date: CivilDate,
    /// How much.
    pub amount: Decimal,
}

/// A day-ordered stream of payments over a portfolio.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PaymentStream {
    /// How many contracts the portfolio has.
    pub n_contracts: usize,
    /// The payments, in the order they arrived.
    pub payments: Vec<PaymentEvent>,
}

/// A contract's ledger.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Ledger {
    /// Payments posted.
    pub payments: u32,
    /// Their sum.
    pub paid: Decimal,
    /// The latest payment's date.
    pub last_payment: Option<CivilDate>,
}

/// Contracts at each scale, for the payment streams.
pub fn posting_contracts_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 100,
        Scale::Small => 2_000,
        Scale::Default => 20_000,
        Scale::Bank => 200_000,
    }
}

/// The day-ordered stream of payments over a portfolio of
/// [`posting_contracts_at`]`(scale)` contracts.
pub fn payment_stream(scale: Scale, seed: u64) -> PaymentStream {
    let n_contracts = posting_contracts_at(scale);
    let mut payments: Vec<PaymentEvent> = crate::murabaha::generate::contracts(n_contracts, seed)
        .enumerate()
        .flat_map(|(idx, contract)| {
            contract.payments.into_iter().map(move |p| PaymentEvent {
                contract_idx: idx as u32,
                date: p.date,
                amount: p.amount,
            })
        })
        .collect();
    // The order they arrived in: by day (stable, so a day's payments keep
    // their order).
    payments.sort_by_key(|p| p.date);
    PaymentStream {
        n_contracts,
        payments,
    }
}

/// Posts one payment to its contract's ledger.
pub fn post(ledger: &mut Ledger, payment: &PaymentEvent) {
    ledger.payments += 1;
    ledger.paid += payment.amount;
    ledger.last_payment = ledger.last_payment.max(Some(payment.date));
}

// ANCHOR: ledgers_by_index
/// One thread, the ledgers indexed by contract.
pub fn ledgers_by_index(input: &PaymentStream) -> Vec<Ledger> {
    let mut ledgers = vec![Ledger::default(); input.n_contracts];
    for payment in &input.payments {
        post(&mut ledgers[payment.contract_idx as usize], payment);
    }
    ledgers
}
// ANCHOR_END: ledgers_by_index

// ANCHOR: owner_shards
/// One contiguous range of contracts per thread; each thread reads the
/// whole stream and posts its own contracts' payments into its own slice.
pub fn owner_shards(input: &PaymentStream) -> Vec<Ledger> {
    let mut ledgers = vec![Ledger::default(); input.n_contracts];
    let shard_len = input
        .n_contracts
        .div_ceil(rayon::current_num_threads())
        .max(1);
    ledgers
        .par_chunks_mut(shard_len)
        .enumerate()
        .for_each(|(shard_idx, shard)| {
            let first = shard_idx * shard_len;
            let owned = first..first + shard.len();
            for payment in &input.payments {
                let idx = payment.contract_idx as usize;
                if owned.contains(&idx) {
                    post(&mut shard[idx - first], payment);
                }
            }
        });
    ledgers
}
// ANCHOR_END: owner_shards

/// Payments to 1 to 12,000 contracts, in any order, of any size.
pub fn arbitrary_payment_stream() -> BoxedStrategy<PaymentStream> {
    (
        1usize..12_000,
        proptest::collection::vec((any::<u32>(), day(), any::<i64>()), 0..20_000),
    )
        .prop_map(|(n_contracts, payments)| PaymentStream {
            n_contracts,
            payments: payments
                .into_iter()
                .map(|(contract, date, cents)| PaymentEvent {
                    contract_idx: contract % n_contracts as u32,
                    date,
                    amount: Decimal::new(cents, 2),
                })
                .collect(),
        })
        .boxed()
}

// ---- A processed book, and its future cash flows

/// The processed portfolio: every contract's schedule.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProcessedBook {
    /// One processed contract per customer.
    pub results: Vec<ContractResult>,
}

/// Contracts at each scale: a larger book than the other murabaha lessons,
/// as the export is the whole book's instalments.
pub fn book_contracts_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 100,
        Scale::Small => 1_000,
        Scale::Default => 10_000,
        Scale::Bank => 200_000,
    }
}

/// The contrast's input: the processed portfolio and the day its future
/// cash flows start after.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OpenBook {
    /// Instalments due after this day are future cash flows.
    pub as_of: CivilDate,
    /// One processed contract per customer.
    pub results: Vec<ContractResult>,
}

/// One contract's future cash flows: the due date and amount of every
/// instalment due after the book's day, in order.
pub type Flows = Vec<(CivilDate, Decimal)>;

/// The processed portfolio at the generator's as-of day.
pub fn open_book(scale: Scale, seed: u64) -> OpenBook {
    let input = crate::murabaha::generate::generate(book_contracts_at(scale), seed);
    OpenBook {
        as_of: input.as_of,
        results: crate::murabaha::engine::process_all(&input)
            .expect("generated contracts process")
            .contracts,
    }
}

/// The contracts of [`open_book`] with three future instalments or fewer
/// (a third of the generated book, most of them paid off).
pub fn maturing_book(scale: Scale, seed: u64) -> OpenBook {
    let mut book = open_book(scale, seed);
    let as_of = book.as_of;
    book.results
        .retain(|c| c.instalments.iter().filter(|i| i.due > as_of).count() <= 3);
    book
}

// ANCHOR: flows_grown
/// Each contract's future instalments collected from a filter: `collect`
/// cannot know how many pass, so each vector grows as it goes.
pub fn flows_grown(book: &OpenBook) -> Vec<Flows> {
    book.results
        .iter()
        .map(|c| {
            c.instalments
                .iter()
                .filter(|i| i.due > book.as_of)
                .map(|i| (i.due, i.amount))
                .collect()
        })
        .collect()
}
// ANCHOR_END: flows_grown

// ANCHOR: flows_sized
/// Each contract's vector sized to its schedule's length (at least what
/// passes the filter) before it is filled.
pub fn flows_sized(book: &OpenBook) -> Vec<Flows> {
    book.results
        .iter()
        .map(|c| {
            let mut flows = Vec::with_capacity(c.instalments.len());
            flows.extend(
                c.instalments
                    .iter()
                    .filter(|i| i.due > book.as_of)
                    .map(|i| (i.due, i.amount)),
            );
            flows
        })
        .collect()
}
// ANCHOR_END: flows_sized

/// A processed book of 1 to 29 contracts with schedules of any length,
/// empty ones included.
pub fn arbitrary_processed_book() -> BoxedStrategy<ProcessedBook> {
    (0u64..1_000, proptest::collection::vec(0usize..500, 1..30))
        .prop_map(|(seed, lengths)| {
            let input = murabaha_generate::generate(lengths.len(), seed);
            let mut results = crate::murabaha::process_all(&input)
                .expect("generated contracts process")
                .contracts;
            for (c, length) in results.iter_mut().zip(&lengths) {
                c.instalments.truncate(*length);
            }
            ProcessedBook { results }
        })
        .boxed()
}

/// A processed book of [`processed_book`]'s kind, with any day after which
/// its instalments are future cash flows (before all, after all, between).
pub fn arbitrary_open_book() -> BoxedStrategy<OpenBook> {
    (arbitrary_processed_book(), day())
        .prop_map(|(book, as_of)| OpenBook {
            as_of,
            results: book.results,
        })
        .boxed()
}

// ---- The month-end task

// ANCHOR: task
/// One task's totals, in cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub struct BatchTotals {
    /// Contracts processed.
    pub contracts: u32,
    /// Contracts the rules refused.
    pub errors: u32,
    /// Payments received.
    pub paid: i128,
    /// Profit recognised by the statement date.
    pub recognised_profit: i128,
    /// Profit deferred.
    pub deferred_profit: i128,
    /// Ta'widh and gharamah charged.
    pub late_charges: i128,
}

/// The month-end task: every contract of a batch processed by the engine,
/// and the batch's totals.
pub fn month_end(prepared: &Prepared, input: &MurabahaInput, batch: &[Contract]) -> BatchTotals {
    let mut schedule = Schedule::for_contracts(batch);
    let mut totals = BatchTotals::default();
    for contract in batch {
        totals.contracts += 1;
        match process_contract(prepared, input, contract, &mut schedule) {
            Ok(Processed::Fast(f)) => {
                totals.paid += i128::from(f.paid);
                totals.recognised_profit += i128::from(f.recognised_profit);
                totals.deferred_profit += i128::from(f.deferred_profit);
                totals.late_charges += i128::from(f.tawidh) + i128::from(f.gharamah);
            }
            Ok(Processed::Reference(r)) => {
                totals.paid += cents_i128(r.paid);
                totals.recognised_profit += cents_i128(r.recognised_profit);
                totals.deferred_profit += cents_i128(r.deferred_profit);
                totals.late_charges += cents_i128(r.tawidh) + cents_i128(r.gharamah);
            }
            Err(_) => totals.errors += 1,
        }
    }
    totals
}
// ANCHOR_END: task

/// Every task on the calling thread, in order: the check's reference.
pub fn month_end_on_one_thread(input: &MurabahaInput, per_task: usize) -> Vec<BatchTotals> {
    let prepared = Prepared::new(input.as_of, &input.late_policy);
    input
        .contracts
        .chunks(per_task)
        .map(|batch| month_end(&prepared, input, batch))
        .collect()
}

// ---- Portfolios

/// A generated portfolio of 0 to 40 contracts: empty, one, many.
pub fn arbitrary_contracts() -> BoxedStrategy<MurabahaInput> {
    (0usize..40, 0u64..10_000)
        .prop_map(|(n, seed)| murabaha_generate::generate(n, seed))
        .boxed()
}

/// A portfolio of 20 contracts pushed to the same edges: any cost, any
/// rate (markup, flat or annuity), late charges at any rate, payments in
/// reverse order.
pub fn arbitrary_portfolio() -> BoxedStrategy<MurabahaInput> {
    (
        0u64..10_000,
        edits(20),
        proptest::collection::vec(proptest::option::weighted(0.2, 0i64..3_000_000), 20),
        (0i64..500_000, 0i64..500_000),
        any::<bool>(),
    )
        .prop_map(|(seed, costs, rates, late, reverse_payments)| {
            let mut input = murabaha_generate::generate(20, seed);
            input.late_policy.tawidh_annual_rate = Decimal::new(late.0, 6);
            input.late_policy.gharamah_annual_rate = Decimal::new(late.1, 6);
            for (idx, contract) in input.contracts.iter_mut().enumerate() {
                if let Some(cost) = costs[idx].filter(|c| *c > Decimal::ZERO) {
                    contract.cost = cost;
                }
                if let Some(rate) = rates[idx] {
                    let rate = Decimal::new(rate, 6);
                    contract.pricing = match contract.pricing {
                        Pricing::Markup { .. } => Pricing::Markup { markup: rate },
                        Pricing::Flat { .. } => Pricing::Flat { annual_rate: rate },
                        Pricing::Annuity { .. } => Pricing::Annuity { annual_rate: rate },
                    };
                }
                if reverse_payments {
                    contract.payments.reverse();
                }
            }
            input
        })
        .boxed()
}
