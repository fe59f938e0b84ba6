//! Equivalence as property tests: each lesson's naive and optimized forms
//! produce identical output on random inputs, including the edges that
//! fast-but-wrong code gets wrong: zero, one cent, amounts with fewer
//! places than printed, very large values, negative figures, long and
//! non-ASCII identifiers, missing dates.

use mizan::lab::arbitrary;
use mizan::murabaha::lessons::pre_allocation as export;
use mizan::murabaha::lessons::sharding as posting;
use mizan::murabaha::lessons::string_building as statements;
use mizan::zakat::lessons::sharding;
use mizan::zakat::lessons::string_building as receipts;
use mizan::zakat::lessons::{algorithmic, copying, hashing, pre_allocation, small_vectors};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn zakat_receipts_agree(input in arbitrary::receipts()) {
        let document = receipts::naive(&input);
        prop_assert_eq!(&document, &receipts::optimized(&input));
        prop_assert_eq!(&document, &receipts::write_into_one_buffer(&input));
        // The pooling lesson writes the same receipts through a reused
        // buffer or a fresh one: both give the same bytes.
        prop_assert_eq!(document.as_bytes(), &mizan::zakat::lessons::pooling::naive(&input)[..]);
        prop_assert_eq!(document.as_bytes(), &mizan::zakat::lessons::pooling::optimized(&input)[..]);
    }

    #[test]
    fn murabaha_statements_agree(input in arbitrary::statements()) {
        let document = statements::naive(&input);
        prop_assert_eq!(&document, &statements::optimized(&input));
        prop_assert_eq!(&document, &statements::write_into_one_buffer(&input));
        prop_assert_eq!(document.as_bytes(), &mizan::murabaha::lessons::pooling::naive(&input)[..]);
        prop_assert_eq!(
            document.as_bytes(),
            &mizan::murabaha::lessons::pooling::optimized(&input)[..]
        );
    }

    #[test]
    fn murabaha_export_agrees(book in arbitrary::processed_book()) {
        let naive = export::naive(&book);
        prop_assert_eq!(&naive, &export::optimized(&book));
        let expected_rows: usize = book.results.iter().map(|c| c.instalments.len()).sum();
        prop_assert_eq!(naive.len(), expected_rows);
    }

    /// Many distinct keys (up to 20,000 lines over 256 regions, random
    /// currencies and five classes), zero, negative and huge values: every
    /// sharding form builds the same table.
    #[test]
    fn sharding_forms_agree(input in arbitrary::lines()) {
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
    fn posting_forms_agree(input in arbitrary::payment_stream(), threads in 1usize..5) {
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

    /// None, a handful, or 30,000 to 40,000 lines over 20,480 keys: std's
    /// SipHash, aHash and the dense index build the same table, and the
    /// large inputs reach 10,000 distinct keys and more.
    #[test]
    fn hashing_forms_agree(input in arbitrary::keyed_lines()) {
        let expected = hashing::std_siphash(&input);
        prop_assert_eq!(&hashing::ahash(&input), &expected);
        prop_assert_eq!(&hashing::dense_index(&input), &expected);
        prop_assert_eq!(&sharding::sequential(&input), &expected);
        let lines: u64 = expected.values().map(|t| t.lines).sum();
        prop_assert_eq!(lines, input.lines.len() as u64);
        prop_assert!(input.lines.len() < 8 || expected.len() >= 10_000, "{}", expected.len());
    }

    /// A few contracts, or 10,000 to 12,000 that each are paid: every
    /// look-up builds the same ledgers.
    #[test]
    fn ledger_lookups_agree(input in mizan::lab::arbitrary::wide_payment_stream()) {
        let expected = mizan::murabaha::lessons::hashing::dense_index(&input);
        prop_assert_eq!(&mizan::murabaha::lessons::hashing::std_siphash(&input), &expected);
        prop_assert_eq!(&mizan::murabaha::lessons::hashing::ahash(&input), &expected);
        let paid = expected.iter().filter(|l| l.payments > 0).count();
        prop_assert!(input.n_contracts < 10_000 || paid == input.n_contracts);
    }

    /// Payers of none, one, a few and many lines (inline, at the edge and
    /// spilled), with ties: the Vec, the SmallVec and the spilling SmallVec
    /// give the same summaries.
    #[test]
    fn small_vector_forms_agree(input in arbitrary::valued()) {
        let expected = small_vectors::naive(&input);
        prop_assert_eq!(&small_vectors::optimized(&input), &expected);
        prop_assert_eq!(&small_vectors::inline_two(&input), &expected);
        prop_assert_eq!(expected.len(), input.payers.len());
    }

    /// No region, empty, long and non-ASCII names, up to 2,000 distinct
    /// ones: owned, borrowed and shared keys give the same totals.
    #[test]
    fn region_keys_agree(input in arbitrary::regional()) {
        let expected = copying::naive(&input);
        prop_assert_eq!(&copying::optimized(&input), &expected);
        prop_assert_eq!(&copying::arc_str(&input), &expected);
        let payers: u64 = expected.values().map(|t| t.payers).sum();
        prop_assert_eq!(payers, input.payers.len() as u64);
    }

    /// Identifiers with many repeats (the empty one, long runs of one),
    /// non-ASCII and long ones: the quadratic scan, the hash map and the
    /// sort find the same repeats and the same first records.
    #[test]
    fn duplicate_checks_agree(input in arbitrary::ids()) {
        let expected = algorithmic::naive(&input);
        prop_assert_eq!(&algorithmic::optimized(&input), &expected);
        prop_assert_eq!(&algorithmic::sort_then_scan(&input), &expected);
        let distinct: std::collections::HashSet<&String> = input.ids.iter().collect();
        prop_assert_eq!(expected.len() + distinct.len(), input.ids.len());
    }

    /// The same identifiers: the index grown from empty and the index
    /// reserved for every record find the same repeats as the sort (an
    /// independent method), and the contrast's valued lines grown and
    /// sized agree on random payers.
    #[test]
    fn identifier_indexes_agree(input in arbitrary::ids()) {
        let expected = algorithmic::sort_then_scan(&input);
        prop_assert_eq!(&pre_allocation::naive(&input), &expected);
        prop_assert_eq!(&pre_allocation::optimized(&input), &expected);
    }

    #[test]
    fn valued_lines_agree(input in arbitrary::payers()) {
        let grown = pre_allocation::lines_grown(&input);
        prop_assert_eq!(&grown, &pre_allocation::lines_sized(&input));
        prop_assert_eq!(grown.len(), input.payers.len());
    }

    /// Future cash flows after any day (before every instalment, after
    /// every one, between): the grown and the sized vectors hold the same
    /// flows, exactly those due after the day.
    #[test]
    fn future_flows_agree(book in arbitrary::open_book()) {
        let grown = export::flows_grown(&book);
        prop_assert_eq!(&grown, &export::flows_sized(&book));
        for (c, flows) in book.results.iter().zip(&grown) {
            let after = c.instalments.iter().filter(|i| i.due > book.as_of).count();
            prop_assert_eq!(flows.len(), after);
        }
    }

    /// Schedules of 1 to 400 instalments, zero ones among them, and up to
    /// 450 payments: the rescanning loop, the merge pass and the reference
    /// rules' `cover` give every instalment the same day.
    #[test]
    fn coverage_forms_agree(input in arbitrary::ledgers()) {
        let expected = mizan::murabaha::lessons::algorithmic::naive(&input);
        prop_assert_eq!(&mizan::murabaha::lessons::algorithmic::optimized(&input), &expected);
        for (contract, covered) in input.contracts.iter().zip(&expected) {
            prop_assert_eq!(covered.len(), contract.amounts.len());
            let price: rust_decimal::Decimal = contract.amounts.iter().sum();
            let paid: rust_decimal::Decimal = contract.payments.iter().map(|p| p.amount).sum();
            if paid <= price {
                let reference =
                    mizan::murabaha::rules::cover(&contract.payments, &contract.amounts).unwrap();
                prop_assert_eq!(&reference, covered);
            }
        }
    }

    /// Empty, short, long (beyond a BufWriter's buffer) and non-ASCII
    /// lines: straight to the file and through a BufWriter, the file holds
    /// the same bytes, each line and its newline.
    #[test]
    fn written_files_agree(input in arbitrary::document()) {
        let expected: Vec<u8> = input.lines.iter().flat_map(|l| [l.as_bytes(), b"\n"].concat()).collect();
        prop_assert_eq!(&mizan::zakat::lessons::buffered_io::naive(&input), &expected);
        prop_assert_eq!(&mizan::zakat::lessons::buffered_io::optimized(&input), &expected);
    }

    /// Up to 40 schedules of none to 500 instalments, due and covered on
    /// either side of the as-of day: the indexed, re-cut and zipped loops
    /// give every instalment the same days late.
    #[test]
    fn aging_forms_agree(input in arbitrary::aging()) {
        use mizan::murabaha::lessons::bounds_checks as aging;
        let expected = aging::naive(&input);
        prop_assert_eq!(&aging::optimized(&input), &expected);
        prop_assert_eq!(&aging::lengths_asserted(&input), &expected);
        prop_assert_eq!(expected.len(), input.due.len());
        prop_assert!(expected.iter().all(|d| *d >= 0));
    }

    /// Payers files at the edges of the fixed-point forms, compact and
    /// pretty, valid or with one thing wrong (cut short anywhere, an id
    /// twice, an unpriced currency, a karat out of range, a malformed or
    /// negative amount, a number for a string, an unknown or missing
    /// field, an escape in an id): every form reads the same model or
    /// gives the same error, and the hand reader either reads the model
    /// the derived parser reads or hands the file to it.
    #[test]
    fn payers_files_read_alike(file in arbitrary::payers_file()) {
        use mizan::zakat::lessons::parsing;
        let expected = parsing::derive(&file);
        prop_assert_eq!(&parsing::naive(&file), &expected);
        prop_assert_eq!(&parsing::borrowed(&file), &expected);
        prop_assert_eq!(&parsing::optimized(&file), &expected);
        let model = parsing::derive_model(&file.bytes);
        if let Some(by_hand) = parsing::by_hand(&file.bytes) {
            prop_assert_eq!(Ok(&by_hand), model.as_ref());
        }
        if let Ok(document) = parsing::borrowed_model(&file.bytes) {
            prop_assert_eq!(Ok(&document.to_owned_model()), model.as_ref());
        }
        if let Ok(parsed) = expected {
            prop_assert_eq!(parsed.payers, file.payers);
        }
    }

    /// Up to 40 contracts of none to 420 instalments of any input amount,
    /// at rates from zero to five per cent: the discount factor hoisted or
    /// not, the present values are the reference's, to the last digit.
    #[test]
    fn present_values_agree(input in arbitrary::plans()) {
        use mizan::murabaha::lessons::hoisting;
        let expected: Vec<_> = input
            .plans()
            .map(|(amounts, rate)| mizan::murabaha::rules::present_value(amounts, rate))
            .collect();
        let text = |v: &[rust_decimal::Decimal]| v.iter().map(|d| d.to_string()).collect::<Vec<_>>();
        prop_assert_eq!(text(&hoisting::naive(&input)), text(&expected));
        prop_assert_eq!(text(&hoisting::optimized(&input)), text(&expected));
    }

    /// Portfolios at the fixed-point edges (any cost, any rate, costs of
    /// three places, monthly rates of more places than the fast form
    /// holds): the schedules in cents are the reference's, contract by
    /// contract, refusals included.
    #[test]
    fn schedules_agree(input in arbitrary::priced()) {
        use mizan::murabaha::lessons::fixed_point;
        let (expected, fixed) = (fixed_point::naive(&input), fixed_point::optimized(&input));
        prop_assert_eq!(expected.ends.len(), input.contracts.len());
        prop_assert_eq!(&fixed.ends, &expected.ends);
        let mut start = 0;
        for ((contract, rate), &end) in input.contracts.iter().zip(&input.rates).zip(&expected.ends) {
            let reference = fixed_point::decimal_schedule(contract, *rate);
            let (amounts, profits) = reference.unwrap_or_default();
            prop_assert_eq!(&expected.amounts[start..end], &amounts[..]);
            prop_assert_eq!(&expected.profits[start..end], &profits[..]);
            prop_assert_eq!(&fixed.amounts[start..end], &amounts[..], "{:?} at {}", contract, rate);
            prop_assert_eq!(&fixed.profits[start..end], &profits[..], "{:?} at {}", contract, rate);
            start = end;
        }
    }

    /// Hawl starts in the two years before zakat dates from 1950 to 2090,
    /// many a hawl's length before, lunar and solar: the cutoff found once
    /// marks the same payers as each payer's own hawl end.
    #[test]
    fn hawl_tests_agree(input in arbitrary::hawl()) {
        use mizan::zakat::lessons::hoisting;
        prop_assert_eq!(hoisting::optimized(&input), hoisting::naive(&input));
    }

    /// Herds of every group, of none to 200,000 head: the boxed trait
    /// objects and the enum owe the same animals, as the reference's
    /// `livestock_due` lists them.
    #[test]
    fn herd_dues_agree(input in arbitrary::census()) {
        use mizan::zakat::lessons::dispatch;
        let expected = dispatch::optimized(&input);
        prop_assert_eq!(&dispatch::naive(&input), &expected);
        for (herd, due) in input.herds.iter().zip(&expected) {
            let listed: Vec<_> = due.iter().copied().filter(|d| d.count > 0).collect();
            prop_assert_eq!(listed, mizan::zakat::rules::livestock_due(herd.group, herd.count));
        }
    }

    /// Populations pushed to the edges the fixed-point form must hand back
    /// (ten places, sixteen digits, products past 96 bits, errors): every
    /// payer's zakatable wealth is the reference's, to the last digit, or
    /// the reference's failure.
    #[test]
    fn fixed_point_wealth_agrees(input in arbitrary::population()) {
        use mizan::zakat::lessons::fixed_point;
        let expected = fixed_point::naive(&input);
        let fixed = fixed_point::optimized(&input);
        prop_assert_eq!(&fixed, &expected);
        // The same digits and scale where the reference gives a figure
        // to the cent: compared as text, not only as numbers.
        for (a, b) in fixed.iter().zip(&expected) {
            if let (Some(a), Some(b)) = (a, b) {
                prop_assert_eq!(a.normalize().to_string(), b.normalize().to_string());
            }
        }
    }

    /// Populations at the edges, errors among them, at one to four
    /// threads: the parallel forms give the reference's assessments in
    /// order, or the error of its first bad payer.
    #[test]
    fn parallel_assessments_agree(input in arbitrary::population(), threads in 1usize..5) {
        use mizan::zakat::lessons::data_parallelism as dp;
        let expected = mizan::zakat::assess_all(&input).map(|output| output.assessments);
        prop_assert_eq!(&dp::sequential(&input), &expected);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            prop_assert_eq!(&dp::par_iter(&input), &expected);
            prop_assert_eq!(&dp::chunked(&input), &expected);
            Ok(())
        })?;
    }

    /// Portfolios of none to forty contracts at one to four threads: the
    /// counters side by side and padded, written once a payment or once a
    /// contract, add up to every payment and its cents.
    #[test]
    fn posting_statistics_agree(input in arbitrary::contracts(), threads in 1usize..5) {
        use mizan::murabaha::lessons::false_sharing as fs;
        let payments: Vec<_> = input.contracts.iter().flat_map(|c| &c.payments).collect();
        let cents: i128 = payments.iter().map(|p| mizan::money::cents_i128(p.amount)).sum();
        let expected = fs::Tally { payments: payments.len() as u64, cents: cents as u64 };
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            prop_assert_eq!(fs::side_by_side(&input), expected);
            prop_assert_eq!(fs::padded(&input), expected);
            prop_assert_eq!(fs::side_by_side_per_contract(&input), expected);
            prop_assert_eq!(fs::padded_per_contract(&input), expected);
            Ok(())
        })?;
    }

    /// Portfolios of none to forty contracts at one to four threads: a
    /// thread started for each batch and the pool's threads give every
    /// batch's totals, in order, as the reference rules make them; sent
    /// over channels, their sum.
    #[test]
    fn month_end_batches_agree(input in arbitrary::contracts(), threads in 1usize..5) {
        use mizan::money::cents_i128;
        use mizan::murabaha::lessons::thread_spawn as ts;
        let expected: Vec<ts::BatchTotals> = input
            .contracts
            .chunks(ts::BATCH)
            .map(|batch| {
                let mut t = ts::BatchTotals::default();
                for contract in batch {
                    t.contracts += 1;
                    match mizan::murabaha::rules::process(contract, input.as_of, &input.late_policy) {
                        Ok(r) => {
                            t.paid += cents_i128(r.paid);
                            t.recognised_profit += cents_i128(r.recognised_profit);
                            t.deferred_profit += cents_i128(r.deferred_profit);
                            t.late_charges += cents_i128(r.tawidh) + cents_i128(r.gharamah);
                        }
                        Err(_) => t.errors += 1,
                    }
                }
                t
            })
            .collect();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            prop_assert_eq!(&ts::spawn_per_batch(&input), &expected);
            prop_assert_eq!(&ts::pooled(&input), &expected);
            // murabaha/channels' contrast: the same month-end, a contract a
            // message or a batch a message, summed over the workers.
            use mizan::murabaha::lessons::channels;
            let sum = expected.iter().copied().fold(ts::BatchTotals::default(), channels::add);
            prop_assert_eq!(channels::month_end_a_message_a_contract(&input), sum);
            prop_assert_eq!(channels::month_end_batched(&input), sum);
            Ok(())
        })?;
    }

    /// Streams of up to twenty thousand payments over up to twelve
    /// thousand contracts at one to four threads: a message a payment and
    /// batched messages post every ledger as the sequential loop does.
    #[test]
    fn channel_postings_agree(input in arbitrary::payment_stream(), threads in 1usize..5) {
        use mizan::murabaha::lessons::{channels, sharding};
        let expected = sharding::sequential(&input);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            prop_assert_eq!(&channels::a_message_a_payment(&input), &expected);
            prop_assert_eq!(&channels::batched(&input), &expected);
            prop_assert_eq!(&channels::batched_by(&input, 16), &expected);
            prop_assert_eq!(&channels::batched_by(&input, 1), &expected);
            Ok(())
        })?;
    }
}
