//! Random lesson inputs out to the edges, one proptest strategy per
//! lesson input: the property tests draw from them, and so does the
//! exercise checker ([`super::exercise`]), so that an attempt meets the
//! same edges the lab's own forms were tested on: zero, one cent, amounts
//! with fewer places than printed, very large and negative figures, long
//! and non-ASCII identifiers, missing dates, empty and long schedules,
//! tens of thousands of distinct keys, inputs at the largest the fast
//! paths must hand back to the reference.

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;
use rust_decimal::Decimal;

use crate::date::CivilDate;
use crate::murabaha::lessons::algorithmic::{ContractLedger, Ledgers};
use crate::murabaha::lessons::bounds_checks::{Aging, NOT_COVERED};
use crate::murabaha::lessons::fixed_point::Priced;
use crate::murabaha::lessons::hoisting::Plans;
use crate::murabaha::lessons::pre_allocation::{OpenBook, ProcessedBook};
use crate::murabaha::lessons::sharding::{PaymentEvent, PaymentStream};
use crate::murabaha::lessons::string_building::Statements;
use crate::murabaha::model::{Payment, Pricing};
use crate::murabaha::{MurabahaInput, generate as murabaha_generate};
use crate::zakat::lessons::algorithmic::Ids;
use crate::zakat::lessons::buffered_io::Document;
use crate::zakat::lessons::copying::Regional;
use crate::zakat::lessons::dispatch::{Census, Herd};
use crate::zakat::lessons::hashing::CLASSES;
use crate::zakat::lessons::hoisting::Hawl;
use crate::zakat::lessons::parsing::PayersFile;
use crate::zakat::lessons::sharding::{Line, Lines};
use crate::zakat::lessons::small_vectors::{Valued, ValuedLine};
use crate::zakat::lessons::string_building::Receipts;
use crate::zakat::model::{
    Asset, DebtPolicy, Irrigation, JewelleryPolicy, LivestockGroup, NisabBasis, Species, YearBasis,
};
use crate::zakat::{ZakatInput, generate as zakat_generate};

/// A figure as the rules produce them (at most `max_scale` places), over
/// the whole range from zero to far beyond any real amount.
pub fn figure(max_scale: u32) -> impl Strategy<Value = Decimal> {
    prop_oneof![
        Just(Decimal::ZERO),
        Just(Decimal::new(1, 2)),
        (0i64..1_000_000, 0..=max_scale).prop_map(|(m, s)| Decimal::new(m, s)),
        (0i64..i64::MAX, 0..=max_scale).prop_map(|(m, s)| Decimal::new(m, s)),
        (i64::MIN..0, 0..=max_scale).prop_map(|(m, s)| Decimal::new(m, s)),
        (any::<u64>(), any::<u32>(), 0..=max_scale).prop_map(|(lo, hi, s)| {
            Decimal::from_i128_with_scale(i128::from(lo) | (i128::from(hi) << 64), s)
        }),
    ]
}

/// An identifier: the generator's shape, any printable text, Arabic.
pub fn identifier() -> impl Strategy<Value = String> {
    prop_oneof!["[A-Z][0-9]{7}", "\\PC{0,40}", Just("Zaid-زيد".to_owned()),]
}

/// A day between 1900 and about 2146.
pub fn day() -> impl Strategy<Value = CivilDate> + Clone {
    (0i64..90_000).prop_map(|n| {
        CivilDate::from_day_number(CivilDate::new(1900, 1, 1).unwrap().day_number() + n).unwrap()
    })
}

/// Receipts of 40 assessed payers whose every printed figure is random.
pub fn receipts() -> BoxedStrategy<Receipts> {
    (
        0u64..1_000,
        proptest::collection::vec(identifier(), 40),
        proptest::collection::vec(figure(2), 40 * 8),
        proptest::collection::vec(figure(3), 40),
        proptest::collection::vec(day(), 40),
    )
        .prop_map(|(seed, ids, figures, kgs, hawl_ends)| {
            let input = zakat_generate::generate(40, seed);
            let mut assessments = crate::zakat::assess_all(&input)
                .expect("generated payers assess")
                .assessments;
            for (idx, a) in assessments.iter_mut().enumerate() {
                let f = &figures[idx * 8..idx * 8 + 8];
                a.id = ids[idx].clone();
                a.hawl_end = hawl_ends[idx];
                a.zakatable_assets = f[0];
                a.deductible_debts = f[1];
                a.net_wealth = f[2];
                a.nisab = f[3];
                a.wealth_zakat = f[4];
                a.rikaz_zakat = f[5];
                a.total_due = f[6];
                a.crops.push(crate::zakat::model::CropDue {
                    kg: kgs[idx],
                    value: f[7],
                });
            }
            Receipts {
                currency: input.currency,
                assessments,
                document_len: 0,
            }
        })
        .boxed()
}

/// Statements of 12 processed contracts whose every printed figure is
/// random, with a first instalment of random figures, covered or not.
pub fn statements() -> BoxedStrategy<Statements> {
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

/// A processed book of 1 to 29 contracts with schedules of any length,
/// empty ones included.
pub fn processed_book() -> BoxedStrategy<ProcessedBook> {
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
pub fn open_book() -> BoxedStrategy<OpenBook> {
    (processed_book(), day())
        .prop_map(|(book, as_of)| OpenBook {
            as_of,
            results: book.results,
        })
        .boxed()
}

/// Up to 20,000 wealth lines over 256 regions, random currencies and five
/// classes, zero, negative and huge values. Any `i64` of cents: 20,000 of
/// them sum exactly within a `Decimal`'s 96 bits, in any order, so forms
/// that add in different orders must give one total.
pub fn lines() -> BoxedStrategy<Lines> {
    proptest::collection::vec(
        (any::<u8>(), "[A-Z]{3}", 0..5usize, any::<i64>(), 0..=2u32),
        0..20_000,
    )
    .prop_map(|lines| Lines {
        lines: lines
            .into_iter()
            .map(|(region, currency, class, units, scale)| Line {
                region,
                currency: crate::input::Currency::parse(&currency)
                    .expect("three capitals are a currency code"),
                class: CLASSES[class],
                value: Decimal::new(units, scale),
            })
            .collect(),
    })
    .boxed()
}

/// Lines over a key space of 256 regions, sixteen currencies and five
/// classes (20,480 keys), either a few (the edges: none, one, a handful)
/// or 30,000 to 40,000 of them, which reach 15,000 and more distinct keys:
/// the hashing lesson's maps grow and re-hash many times over. Values as
/// in [`lines`].
pub fn keyed_lines() -> BoxedStrategy<Lines> {
    const CURRENCIES: [&str; 16] = [
        "USD", "EUR", "GBP", "SAR", "AED", "MYR", "IDR", "PKR", "TRY", "EGP", "JPY", "CHF", "IRR",
        "BDT", "NGN", "AAA",
    ];
    let line = (
        any::<u8>(),
        0..CURRENCIES.len(),
        0..5usize,
        any::<i64>(),
        0..=2u32,
    );
    prop_oneof![
        proptest::collection::vec(line.clone(), 0..8),
        proptest::collection::vec(line, 30_000..40_000),
    ]
    .prop_map(|lines| Lines {
        lines: lines
            .into_iter()
            .map(|(region, currency, class, units, scale)| Line {
                region,
                currency: crate::input::Currency::parse(CURRENCIES[currency])
                    .expect("three capitals are a currency code"),
                class: CLASSES[class],
                value: Decimal::new(units, scale),
            })
            .collect(),
    })
    .boxed()
}

/// Payments to 1 to 12,000 contracts, in any order, of any size.
pub fn payment_stream() -> BoxedStrategy<PaymentStream> {
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

/// Payments in any order, of any size, either to a few contracts (the
/// edges: one contract, no payments, contracts never paid) or to 10,000 to
/// 12,000 contracts that each receive at least one payment, so that a map
/// from contract to ledger holds 10,000 distinct keys and more.
pub fn wide_payment_stream() -> BoxedStrategy<PaymentStream> {
    let payment = (any::<u32>(), day(), any::<i64>());
    prop_oneof![
        (1usize..8, proptest::collection::vec(payment.clone(), 0..12)),
        (
            10_000usize..12_000,
            proptest::collection::vec(payment, 0..20_000)
        ),
    ]
    .prop_map(|(n_contracts, payments)| {
        let wide = n_contracts >= 10_000;
        let each = (0..n_contracts as u32)
            .filter(|_| wide)
            .map(|contract| (contract, CivilDate::new(2026, 1, 1).expect("a day"), 1));
        PaymentStream {
            n_contracts,
            payments: payments
                .into_iter()
                .map(|(contract, date, cents)| (contract % n_contracts as u32, date, cents))
                .chain(each)
                .map(|(contract_idx, date, cents)| PaymentEvent {
                    contract_idx,
                    date,
                    amount: Decimal::new(cents, 2),
                })
                .collect(),
        }
    })
    .boxed()
}

/// Up to 100 payers of none, one or many (up to 40) valued lines, some not
/// wealth, with ties (values from a handful of cents) as well as any `i64`
/// of cents at up to two places: the small-vectors lesson's lists, inline
/// and spilled.
pub fn valued() -> BoxedStrategy<Valued> {
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

/// Up to 3,000 payers' dues by region: no region, an empty name, the
/// generator's names, long and non-ASCII names, and up to 2,000 distinct
/// names; any `i64` of cents at up to two places.
pub fn regional() -> BoxedStrategy<Regional> {
    let region = prop_oneof![
        Just(None),
        Just(Some(String::new())),
        (0..zakat_generate::REGIONS.len())
            .prop_map(|idx| Some(zakat_generate::REGIONS[idx].to_owned())),
        "\\PC{0,40}".prop_map(Some),
        (0u32..2_000).prop_map(|n| Some(format!("region-{n}"))),
    ];
    let due = (any::<i64>(), 0..=2u32).prop_map(|(units, scale)| Decimal::new(units, scale));
    proptest::collection::vec((region, due), 0..3_000)
        .prop_map(Regional::new)
        .boxed()
}

/// Up to 600 identifiers, most from a tiny alphabet (so that repeats are
/// many, including the empty identifier and long runs of one), some
/// non-ASCII or long.
pub fn ids() -> BoxedStrategy<Ids> {
    let id = prop_oneof![
        4 => "[ab]{0,3}",
        1 => "\\PC{0,30}",
        1 => Just("Zaid-زيد".to_owned()),
    ];
    proptest::collection::vec(id, 0..600)
        .prop_map(|ids| Ids { ids })
        .boxed()
}

/// Up to 30 contracts of 1 to 400 instalments (zero ones among them) and
/// up to 450 payments in date order, of any size up to more than the
/// price: every instalment covered, some, or none.
pub fn ledgers() -> BoxedStrategy<Ledgers> {
    let amount = prop_oneof![
        1 => Just(Decimal::ZERO),
        4 => (1i64..10_000_000).prop_map(|cents| Decimal::new(cents, 2)),
    ];
    let payment = (day(), 1i64..20_000_000).prop_map(|(date, cents)| Payment {
        date,
        amount: Decimal::new(cents, 2),
    });
    let contract = (
        proptest::collection::vec(amount, 1..400),
        proptest::collection::vec(payment, 0..450),
    )
        .prop_map(|(amounts, mut payments)| {
            payments.sort_by_key(|p| p.date);
            ContractLedger { amounts, payments }
        });
    proptest::collection::vec(contract, 0..30)
        .prop_map(|contracts| Ledgers { contracts })
        .boxed()
}

/// Up to 2,000 lines, empty, short, long (up to 10,000 characters, more
/// than a `BufWriter`'s buffer) and non-ASCII, in a file of their own.
pub fn document() -> BoxedStrategy<Document> {
    let line = prop_oneof![
        4 => "\\PC{0,40}",
        1 => Just(String::new()),
        1 => (0usize..10_000).prop_map(|n| "x".repeat(n)),
    ];
    proptest::collection::vec(line, 0..2_000)
        .prop_map(Document::new)
        .boxed()
}

/// Up to 40 schedules of none, one or up to 500 instalments (lengths
/// around the vector width among them), due before, on and after the
/// as-of day, covered early, on time, late or not at all.
pub fn aging() -> BoxedStrategy<Aging> {
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

/// Up to 400 hawl starts in the two years before a zakat date anywhere
/// from 1950 to 2090, many of them a hawl's length before it (the last day
/// that completes a hawl and the first that does not among them), lunar
/// or solar.
pub fn hawl() -> BoxedStrategy<Hawl> {
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

/// Up to 2,000 herds of every group, of none, one, every bracket's edges
/// (counts below 1,500) and up to 200,000 head.
pub fn census() -> BoxedStrategy<Census> {
    let group = prop_oneof![
        Just(LivestockGroup::SheepAndGoats),
        Just(LivestockGroup::Cattle),
        Just(LivestockGroup::Camels),
    ];
    let count = prop_oneof![4 => 0u32..1_500, 1 => 0u32..200_000];
    proptest::collection::vec((group, count), 0..2_000)
        .prop_map(|herds| {
            Census::new(
                herds
                    .into_iter()
                    .map(|(group, count)| Herd { group, count })
                    .collect(),
            )
        })
        .boxed()
}

/// A generated population of 0 to 60 payers: empty, one, many.
pub fn payers() -> BoxedStrategy<ZakatInput> {
    (0usize..60, 0u64..10_000)
        .prop_map(|(n, seed)| zakat_generate::generate(n, seed))
        .boxed()
}

/// A generated portfolio of 0 to 40 contracts: empty, one, many.
pub fn contracts() -> BoxedStrategy<MurabahaInput> {
    (0usize..40, 0u64..10_000)
        .prop_map(|(n, seed)| murabaha_generate::generate(n, seed))
        .boxed()
}

/// A decimal as input may hold it: at most 10 places and 16 digits before
/// the point, often small, sometimes as large as allowed.
pub fn input_decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        Just(Decimal::ZERO),
        (1i64..10_000_000, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, s)),
        (0u32..=10).prop_flat_map(|s| {
            (0i128..10i128.pow(16 + s), Just(s))
                .prop_map(|(m, s)| Decimal::from_i128_with_scale(m, s))
        }),
        // The largest an input may be, at every number of places.
        (0u32..=10).prop_map(|s| Decimal::from_i128_with_scale(10i128.pow(16 + s) - 1, s)),
    ]
}

/// What to do to one line: keep it, or replace its amount.
fn edits(n: usize) -> impl Strategy<Value = Vec<Option<Decimal>>> {
    proptest::collection::vec(proptest::option::weighted(0.15, input_decimal()), n)
}

/// A population of 60 payers pushed to the edges the fixed-point forms must
/// hand back to the reference: amounts with ten places and sixteen digits
/// (products past `Decimal`'s 96 bits), more harvests than the fast form
/// holds, a herd, zero amounts, every policy, any prices, the zakat date
/// moved a year either way. Some of them are errors, and every form must
/// give the same error.
pub fn population() -> BoxedStrategy<ZakatInput> {
    (
        0u64..10_000,
        edits(400),
        (input_decimal(), input_decimal(), input_decimal()),
        (0..3usize, 0..2usize, 0..2usize, 0..3usize),
        0..7usize,
        -400i64..400,
    )
        .prop_map(|(seed, amounts, prices, policy, extra_crops, days)| {
            let mut input = zakat_generate::generate(60, seed);
            let mut edit = amounts.iter();
            for payer in &mut input.payers {
                for asset in &mut payer.assets {
                    let Some(Some(value)) = edit.next() else {
                        continue;
                    };
                    match asset {
                        Asset::Cash { amount, .. } | Asset::Receivable { amount, .. } => {
                            *amount = *value
                        }
                        Asset::Gold { grams, .. } | Asset::Silver { grams, .. } => *grams = *value,
                        Asset::Shares { value: v, .. }
                        | Asset::Fund { value: v, .. }
                        | Asset::TradeGoods { value: v, .. }
                        | Asset::Rikaz { value: v, .. } => *v = *value,
                        Asset::Crop { kg, .. } => *kg = *value,
                        Asset::Livestock { count, .. } => *count = value.mantissa() as u32,
                    }
                }
            }
            // More harvests than the fixed-point form holds, and a herd.
            for k in 0..extra_crops {
                input.payers[0].assets.push(Asset::Crop {
                    kg: Decimal::new(700 + k as i64 * 100, 0),
                    irrigation: Irrigation::Mixed,
                    price_per_kg: Decimal::new(123, 2),
                });
            }
            input.payers[1].assets.push(Asset::Livestock {
                species: Species::Camels,
                count: 130,
            });
            if prices.0 > Decimal::ZERO {
                input.prices.gold_per_gram = prices.0;
            }
            if prices.1 > Decimal::ZERO {
                input.prices.silver_per_gram = prices.1;
            }
            if prices.2 > Decimal::ZERO
                && let Some(rate) = input.prices.fx.values_mut().next()
            {
                *rate = prices.2;
            }
            input.policy.nisab =
                [NisabBasis::Gold, NisabBasis::Silver, NisabBasis::Lower][policy.0];
            input.policy.year = [YearBasis::Lunar, YearBasis::Solar][policy.1];
            input.policy.jewellery =
                [JewelleryPolicy::Zakatable, JewelleryPolicy::Exempt][policy.2];
            input.policy.debts = [
                DebtPolicy::TwelveMonths,
                DebtPolicy::NextInstalment,
                DebtPolicy::None,
            ][policy.3];
            let zakat_day = input.zakat_date.day_number() + days;
            input.zakat_date =
                CivilDate::from_day_number(zakat_day).expect("a year either way is a date");
            input
        })
        .boxed()
}

/// A portfolio of 20 contracts pushed to the same edges: any cost, any
/// rate (markup, flat or annuity), late charges at any rate, payments in
/// reverse order.
pub fn portfolio() -> BoxedStrategy<MurabahaInput> {
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

/// Up to 40 contracts of none to 420 instalments of any amount an input
/// may hold (ten places and sixteen digits among them), at monthly rates
/// from zero to five per cent with up to ten places.
pub fn plans() -> BoxedStrategy<Plans> {
    let rate = prop_oneof![
        Just(Decimal::ZERO),
        (0i64..=500_000_000).prop_map(|m| Decimal::new(m, 10)),
        (0i64..=500, 0u32..=4).prop_map(|(m, s)| Decimal::new(m, s + 4)),
    ];
    let contract = (proptest::collection::vec(input_decimal(), 0..420), rate);
    proptest::collection::vec(contract, 0..40)
        .prop_map(|contracts| {
            let mut plans = Plans {
                amounts: Vec::new(),
                ends: Vec::new(),
                rates: Vec::new(),
            };
            for (amounts, rate) in contracts {
                plans.amounts.extend(amounts);
                plans.ends.push(plans.amounts.len());
                plans.rates.push(rate);
            }
            plans
        })
        .boxed()
}

/// The edges of [`portfolio`], each contract at the rate the reference
/// finds for it, or at a rate drawn from zero to five per cent with up to
/// twelve places (more than the fixed-point form holds), and with costs of
/// three places among them.
pub fn priced() -> BoxedStrategy<Priced> {
    let rate = proptest::option::weighted(
        0.3,
        (0i64..=50_000_000_000, 0u32..=2).prop_map(|(m, s)| Decimal::new(m, 10 + s)),
    );
    (
        portfolio(),
        proptest::collection::vec(rate, 20),
        proptest::collection::vec(any::<bool>(), 20),
    )
        .prop_map(|(input, rates, fils)| {
            let mut priced = crate::murabaha::lessons::fixed_point::priced(input.contracts);
            for (k, contract) in priced.contracts.iter_mut().enumerate() {
                if let Some(rate) = rates[k] {
                    priced.rates[k] = rate;
                }
                if fils[k] && k % 4 == 0 {
                    contract.cost += Decimal::new(1, 3);
                }
            }
            priced
        })
        .boxed()
}

/// The payers files of [`population`]'s edges, compact or pretty, as
/// written or with one thing wrong: cut short anywhere, a payer's id
/// twice, a currency with no rate, a karat out of range, a malformed or
/// negative amount, a number where a string goes, an unknown field, a
/// missing one; and valid files with an escape in an id.
pub fn payers_file() -> BoxedStrategy<PayersFile> {
    (
        population(),
        0..13usize,
        any::<proptest::sample::Index>(),
        any::<bool>(),
    )
        .prop_map(|(mut input, mutation, at, pretty)| {
            let n = input.payers.len();
            match mutation {
                4 => input.payers[at.index(n - 1) + 1].id = input.payers[0].id.clone(),
                5 => {
                    let payer = &mut input.payers[at.index(n)];
                    payer.debts.push(crate::zakat::model::Debt::DueNow {
                        amount: Decimal::ONE,
                        currency: crate::input::Currency::parse("ZZZ").expect("a code"),
                    });
                }
                _ => {}
            }
            let mut text = if pretty && mutation != 9 {
                serde_json::to_string_pretty(&input)
            } else {
                serde_json::to_string(&input)
            }
            .expect("a model serializes");
            let colon = if pretty && mutation != 9 {
                "\": "
            } else {
                "\":"
            };
            let reads_whole = crate::zakat::lessons::parsing::derive_model(text.as_bytes()).is_ok();
            // The `k`th occurrence of `key`'s value, replaced by `f`.
            let mut edit = |key: &str, f: &dyn Fn(&str) -> String| {
                let pattern = format!("\"{key}{colon}");
                let starts: Vec<usize> = text.match_indices(&pattern).map(|(i, _)| i).collect();
                if let Some(&start) = starts.get(at.index(starts.len().max(1))) {
                    let value = start + pattern.len();
                    let end = value + text[value..].find([',', '}', '\n']).expect("a value ends");
                    let replaced = f(&text[value..end]);
                    text.replace_range(value..end, &replaced);
                }
            };
            match mutation {
                // Cut short only a file with nothing else wrong: the
                // population's edges include figures the reader refuses (a
                // count above its limit), and a file with two faults has
                // two right answers (the tree reads to the cut before it
                // looks at a count; the derived reader meets the count
                // first).
                3 if reads_whole => {
                    let mut cut = at.index(text.len());
                    while !text.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    text.truncate(cut);
                }
                6 => edit("karat", &|_| "25".to_owned()),
                7 => edit("amount", &|v| format!("\"x{}", &v[1..])),
                8 => edit("hawl_start", &|v| format!("{v},\"hawl_begin\":{v}")),
                9 => {
                    let key = "\"hawl_start\":\"";
                    let starts: Vec<usize> = text.match_indices(key).map(|(i, _)| i).collect();
                    let start = starts[at.index(starts.len())];
                    // The key, its ten-character date in quotes, the comma.
                    text.replace_range(start..start + key.len() + 12, "");
                }
                10 => edit("id", &|v| format!("\"\\u0041{}", &v[1..])),
                11 => edit("grams", &|v| format!("\"-{}", &v[1..])),
                12 => edit("value", &|v| v.trim_matches('"').to_owned()),
                _ => {}
            }
            PayersFile {
                bytes: text.into_bytes(),
                payers: n,
            }
        })
        .boxed()
}
