//! `murabaha/false-sharing`'s exercise constraint, the monitor: alone in a
//! test binary of its own, because the counters a run publishes are the
//! process's (`false_sharing::live`), and another test posting at the same
//! time would be read by the monitor as the attempt's progress.

use mizan::lab::lesson::Practice;
use mizan::lessons::murabaha::false_sharing::{
    self, Counters, Every, LESSON, Tally, post, publish,
};
use mizan::murabaha::MurabahaInput;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// The tally summed in locals on each thread and added up at the end: the
/// same output, and no counter a monitor could read.
fn in_locals(input: &MurabahaInput) -> Tally {
    let mut tally = Tally::default();
    for payment in input.contracts.iter().flat_map(|c| &c.payments) {
        tally.payments += 1;
        tally.cents += mizan::money::cents_i128(payment.amount) as u64;
    }
    tally
}

/// A table published, but written once, at the end.
fn at_the_end(input: &MurabahaInput) -> Tally {
    let counters = Arc::new(Counters::default());
    let read = Arc::clone(&counters);
    publish(Arc::new(move || Tally {
        payments: read.payments.load(Ordering::Relaxed),
        cents: read.cents.load(Ordering::Relaxed),
    }));
    let tally = in_locals(input);
    counters.payments.store(tally.payments, Ordering::Relaxed);
    counters.cents.store(tally.cents, Ordering::Relaxed);
    tally
}

/// The table written once a contract (the lesson's contrast writes it once
/// every 64): progress, but not a payment at a time.
fn once_a_contract(input: &MurabahaInput) -> Tally {
    post::<Counters>(input, Every::Contracts(1))
}

/// The padded table of the learner's own slot type, through `post`.
fn own_padding(input: &MurabahaInput) -> Tally {
    #[derive(Default)]
    #[repr(align(128))]
    struct Padded(Counters);
    impl false_sharing::Slot for Padded {
        fn counters(&self) -> &Counters {
            &self.0
        }
    }
    post::<Padded>(input, Every::Payment)
}

#[test]
fn a_monitor_must_see_the_counters_move() {
    let Practice::Rewrite(exercise) = &LESSON.practice else {
        panic!("false sharing is an exercise");
    };
    let monitor = exercise
        .constraint
        .expect("false sharing checks its monitor");
    assert_eq!(monitor(LESSON.naive), Ok(()));
    assert_eq!(monitor(LESSON.optimized), Ok(()));
    assert_eq!(monitor(own_padding), Ok(()));
    let none = monitor(in_locals).unwrap_err();
    assert!(none.contains("saw none: no table was published"), "{none}");
    let late = monitor(at_the_end).unwrap_err();
    assert!(
        late.contains("saw them change once, never inside a contract"),
        "{late}"
    );
    let batched = monitor(once_a_contract).unwrap_err();
    assert!(batched.contains("never inside a contract"), "{batched}");
}
