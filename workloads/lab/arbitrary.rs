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
use crate::murabaha::lessons::pre_allocation::ProcessedBook;
use crate::murabaha::lessons::sharding::{PaymentEvent, PaymentStream};
use crate::murabaha::lessons::string_building::Statements;
use crate::murabaha::model::Pricing;
use crate::murabaha::{MurabahaInput, generate as murabaha_generate};
use crate::zakat::lessons::sharding::{AssetClass, Line, Lines};
use crate::zakat::lessons::string_building::Receipts;
use crate::zakat::model::{
    Asset, DebtPolicy, Irrigation, JewelleryPolicy, NisabBasis, Species, YearBasis,
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
pub fn day() -> impl Strategy<Value = CivilDate> {
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

/// Up to 20,000 wealth lines over 256 regions, random currencies and five
/// classes, zero, negative and huge values. Any `i64` of cents: 20,000 of
/// them sum exactly within a `Decimal`'s 96 bits, in any order, so forms
/// that add in different orders must give one total.
pub fn lines() -> BoxedStrategy<Lines> {
    let classes = [
        AssetClass::Cash,
        AssetClass::Metals,
        AssetClass::Investments,
        AssetClass::Business,
        AssetClass::Rikaz,
    ];
    proptest::collection::vec(
        (any::<u8>(), "[A-Z]{3}", 0..5usize, any::<i64>(), 0..=2u32),
        0..20_000,
    )
    .prop_map(move |lines| Lines {
        lines: lines
            .into_iter()
            .map(|(region, currency, class, units, scale)| Line {
                region,
                currency: crate::input::Currency::parse(&currency)
                    .expect("three capitals are a currency code"),
                class: classes[class],
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
