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
}
