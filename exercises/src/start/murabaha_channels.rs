//! Exercise `murabaha/channels`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check murabaha/channels
//! ```
//!
//! `cargo exercise hint murabaha/channels` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "Channels".

use std::sync::mpsc::{SyncSender, sync_channel};

use mizan::murabaha::lessons::channels::{IN_FLIGHT, workers};
use mizan::murabaha::lessons::sharding::{Ledger, PaymentEvent, PaymentStream, post};

/// One message per payment.
pub fn attempt(input: &PaymentStream) -> Vec<Ledger> {
    let mut ledgers = vec![Ledger::default(); input.n_contracts];
    let shard_len = input.n_contracts.div_ceil(workers()).max(1);
    std::thread::scope(|scope| {
        let senders: Vec<SyncSender<PaymentEvent>> = ledgers
            .chunks_mut(shard_len)
            .enumerate()
            .map(|(worker, shard)| {
                let (sender, receiver) = sync_channel::<PaymentEvent>(IN_FLIGHT);
                let first = worker * shard_len;
                scope.spawn(move || {
                    for payment in receiver {
                        post(&mut shard[payment.contract_idx as usize - first], &payment);
                    }
                });
                sender
            })
            .collect();
        for payment in &input.payments {
            let owner = payment.contract_idx as usize / shard_len;
            senders[owner].send(*payment).expect("a worker ended early");
        }
    });
    ledgers
}
