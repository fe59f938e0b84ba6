//! Equivalence as property tests: each lesson's naive and optimized forms
//! produce identical output on random inputs, including the edges that
//! fast-but-wrong code gets wrong: zero, one cent, amounts with fewer
//! places than printed, very large values, negative figures, long and
//! non-ASCII identifiers, missing dates.

use mizan::date::CivilDate;
use mizan::murabaha::lessons::pre_allocation as export;
use mizan::murabaha::lessons::sharding as posting;
use mizan::murabaha::lessons::string_building as statements;
use mizan::zakat::lessons::sharding;
use mizan::zakat::lessons::string_building as receipts;
use proptest::prelude::*;
use rust_decimal::Decimal;

/// A figure as the rules produce them (at most `max_scale` places), over
/// the whole range from zero to far beyond any real amount.
fn figure(max_scale: u32) -> impl Strategy<Value = Decimal> {
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

fn identifier() -> impl Strategy<Value = String> {
    prop_oneof!["[A-Z][0-9]{7}", "\\PC{0,40}", Just("Zaid-زيد".to_owned()),]
}

fn day() -> impl Strategy<Value = CivilDate> {
    (0i64..90_000).prop_map(|n| {
        CivilDate::from_day_number(CivilDate::new(1900, 1, 1).unwrap().day_number() + n).unwrap()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn zakat_receipts_agree(
        seed in 0u64..1_000,
        ids in proptest::collection::vec(identifier(), 40),
        figures in proptest::collection::vec(figure(2), 40 * 8),
        kgs in proptest::collection::vec(figure(3), 40),
        hawl_ends in proptest::collection::vec(day(), 40),
    ) {
        let input = mizan::zakat::generate::generate(40, seed);
        let mut assessments = mizan::zakat::assess_all(&input).unwrap().assessments;
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
            a.crops.push(mizan::zakat::model::CropDue { kg: kgs[idx], value: f[7] });
        }
        let input = receipts::Receipts {
            currency: input.currency,
            assessments,
            document_len: 0,
        };
        let document = receipts::naive(&input);
        prop_assert_eq!(&document, &receipts::optimized(&input));
        // The pooling lesson writes the same receipts through a reused
        // buffer or a fresh one: both give the same bytes.
        prop_assert_eq!(document.as_bytes(), &mizan::zakat::lessons::pooling::naive(&input)[..]);
        prop_assert_eq!(document.as_bytes(), &mizan::zakat::lessons::pooling::optimized(&input)[..]);
    }

    #[test]
    fn murabaha_statements_agree(
        seed in 0u64..1_000,
        ids in proptest::collection::vec(identifier(), 12),
        figures in proptest::collection::vec(figure(2), 12 * 8),
        rates in proptest::collection::vec(figure(10), 12),
        rows in proptest::collection::vec((figure(2), figure(2), figure(2), figure(2), proptest::option::of(day()), any::<u32>()), 12),
        as_of in day(),
    ) {
        let input = mizan::murabaha::generate::generate(12, seed);
        let mut results = mizan::murabaha::process_all(&input).unwrap().contracts;
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
        let input = statements::Statements {
            as_of,
            results,
            document_len: 0,
        };
        let document = statements::naive(&input);
        prop_assert_eq!(&document, &statements::optimized(&input));
        prop_assert_eq!(document.as_bytes(), &mizan::murabaha::lessons::pooling::naive(&input)[..]);
        prop_assert_eq!(
            document.as_bytes(),
            &mizan::murabaha::lessons::pooling::optimized(&input)[..]
        );
    }

    #[test]
    fn murabaha_export_agrees(
        seed in 0u64..1_000,
        lengths in proptest::collection::vec(0usize..500, 1..30),
    ) {
        let input = mizan::murabaha::generate::generate(lengths.len(), seed);
        let mut results = mizan::murabaha::process_all(&input).unwrap().contracts;
        // Schedules of any length, empty ones included.
        for (c, length) in results.iter_mut().zip(&lengths) {
            c.instalments.truncate(*length);
        }
        let book = export::ProcessedBook { results };
        let naive = export::naive(&book);
        prop_assert_eq!(&naive, &export::optimized(&book));
        let expected_rows: usize = book.results.iter().map(|c| c.instalments.len()).sum();
        prop_assert_eq!(naive.len(), expected_rows);
    }

    /// Many distinct keys (up to 20,000 lines over 256 regions, random
    /// currencies and five classes), zero, negative and huge values: every
    /// sharding form builds the same table.
    #[test]
    fn sharding_forms_agree(
        lines in proptest::collection::vec(
            (any::<u8>(), "[A-Z]{3}", 0..5usize, any::<i64>(), 0..=2u32),
            0..20_000,
        ),
    ) {
        let classes = [
            sharding::AssetClass::Cash,
            sharding::AssetClass::Metals,
            sharding::AssetClass::Investments,
            sharding::AssetClass::Business,
            sharding::AssetClass::Rikaz,
        ];
        let input = sharding::Lines {
            lines: lines
                .into_iter()
                .map(|(region, currency, class, units, scale)| sharding::Line {
                    region,
                    currency: mizan::input::Currency::parse(&currency).unwrap(),
                    class: classes[class],
                    // Any i64 of cents: 20,000 of them sum exactly within
                    // a Decimal's 96 bits, in any order, so the forms'
                    // different orders of addition must give one total.
                    value: Decimal::new(units, scale),
                })
                .collect(),
        };
        let expected = sharding::sequential(&input);
        prop_assert_eq!(&sharding::global_lock(&input), &expected);
        prop_assert_eq!(&sharding::striped_locks(&input), &expected);
        prop_assert_eq!(&sharding::per_thread(&input), &expected);
        let lines: u64 = expected.values().map(|t| t.lines).sum();
        prop_assert_eq!(lines, input.lines.len() as u64);
    }

    /// Payments to up to 12,000 contracts, in any order, of any size: every
    /// posting form builds the same ledgers, at any thread count.
    #[test]
    fn posting_forms_agree(
        n_contracts in 1usize..12_000,
        payments in proptest::collection::vec((any::<u32>(), day(), any::<i64>()), 0..20_000),
        threads in 1usize..5,
    ) {
        let input = posting::PaymentStream {
            n_contracts,
            payments: payments
                .into_iter()
                .map(|(contract, date, cents)| posting::PaymentEvent {
                    contract_idx: contract % n_contracts as u32,
                    date,
                    amount: Decimal::new(cents, 2),
                })
                .collect(),
        };
        let expected = posting::sequential(&input);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            prop_assert_eq!(&posting::global_lock(&input), &expected);
            prop_assert_eq!(&posting::striped_locks(&input), &expected);
            prop_assert_eq!(&posting::owner_shards(&input), &expected);
            Ok(())
        })?;
        let posted: u32 = expected.iter().map(|l| l.payments).sum();
        prop_assert_eq!(posted as usize, input.payments.len());
    }
}
