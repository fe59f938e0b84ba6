//! A seeded generator of realistic bank portfolios (`MURABAHA.md`, "The
//! workload at scale"): about 30 % home financing (180–420 months, annuity,
//! 3.5–6 %), 45 % personal (12–120 months, flat 3–7 %), 20 % auto (36–108
//! months, flat 2–4 %) and 5 % SME and commodity murabaha (1–60 months,
//! markup); recognition methods mixed; instalments paid on time but for
//! 1–3 % paid 1–90 days late and a few contracts in arrears; 5–10 % of
//! contracts settled early on the statement date.
//!
//! The same seed gives the same contracts and the same bytes; payments are
//! the plan's own instalment amounts, computed by [`super::rules::amounts`]
//! (the effective rate, which the payments do not need, is not searched
//! for: that Newton search in `Decimal` was nine tenths of the generator's
//! time).

use std::io::{self, Write};

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rust_decimal::Decimal;

use super::model::{
    Contract, EarlySettlement, LatePolicy, MurabahaInput, Payment, Pricing, Recognition,
};
use super::rules::{amounts, due_dates};
use crate::date::CivilDate;

/// The statement date of generated portfolios.
pub fn as_of() -> CivilDate {
    CivilDate::new(2026, 10, 31).expect("a valid date")
}

/// A whole portfolio in memory (for the lab and for tests).
pub fn generate(n_contracts: usize, seed: u64) -> MurabahaInput {
    MurabahaInput {
        as_of: as_of(),
        late_policy: LatePolicy::default(),
        contracts: contracts(n_contracts, seed).collect(),
    }
}

/// The contracts of a portfolio, one at a time.
pub fn contracts(n_contracts: usize, seed: u64) -> impl Iterator<Item = Contract> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n_contracts).map(move |idx| contract(&mut rng, idx))
}

/// Writes a whole `mizan murabaha process` input, one contract per line,
/// without holding the portfolio in memory.
pub fn write_json<W: Write>(out: W, n_contracts: usize, seed: u64) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    write!(out, "{{\"as_of\":\"{}\",\"late_policy\":", as_of())?;
    serde_json::to_writer(&mut out, &LatePolicy::default())?;
    out.write_all(b",\"contracts\":")?;
    crate::input::write_records_and_close(&mut out, contracts(n_contracts, seed))
}

/// The same portfolio as JSON Lines, the streaming form of `mizan
/// murabaha process`: the context on the first line (`as_of`,
/// `late_policy`), then one contract a line.
pub fn write_jsonl<W: Write>(out: W, n_contracts: usize, seed: u64) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    write!(out, "{{\"as_of\":\"{}\",\"late_policy\":", as_of())?;
    serde_json::to_writer(&mut out, &LatePolicy::default())?;
    out.write_all(b"}\n")?;
    crate::input::write_records_as_lines(&mut out, contracts(n_contracts, seed))
}

/// A rate drawn in basis points from `lo..=hi` (as a fraction).
fn rate_bp(rng: &mut ChaCha8Rng, lo: i64, hi: i64) -> Decimal {
    Decimal::new(rng.random_range(lo..=hi), 4)
}

fn contract(rng: &mut ChaCha8Rng, idx: usize) -> Contract {
    let segment = rng.random_range(0..100);
    let (kind, term_months, pricing, cost_cents) = match segment {
        0..30 => (
            "H",
            rng.random_range(180..=420u32),
            Pricing::Annuity {
                annual_rate: rate_bp(rng, 350, 600),
            },
            rng.random_range(10_000_000..150_000_000i64),
        ),
        30..75 => (
            "P",
            rng.random_range(12..=120u32),
            Pricing::Flat {
                annual_rate: rate_bp(rng, 300, 700),
            },
            rng.random_range(200_000..15_000_000i64),
        ),
        75..95 => (
            "A",
            rng.random_range(36..=108u32),
            Pricing::Flat {
                annual_rate: rate_bp(rng, 200, 400),
            },
            rng.random_range(1_500_000..20_000_000i64),
        ),
        _ => (
            "S",
            rng.random_range(1..=60u32),
            Pricing::Markup {
                markup: rate_bp(rng, 100, 2_500),
            },
            rng.random_range(5_000_000..500_000_000i64),
        ),
    };
    let recognition = match rng.random_range(0..10) {
        0..7 => Recognition::Effective,
        7..9 => Recognition::StraightLine,
        _ => Recognition::RuleOf78,
    };
    // First instalments over the ten years before the statement date, so
    // that contracts are at every stage of their lives.
    let first_due = as_of()
        .sub_months(rng.random_range(0..120))
        .expect("a date in range");
    let first_due = CivilDate::new(
        first_due.year(),
        first_due.month(),
        [1, 5, 15, 28, 31][rng.random_range(0..5)].min(days_in_month(first_due)),
    )
    .expect("a valid day");

    let mut contract = Contract {
        id: format!("{kind}{idx:07}"),
        cost: Decimal::new(cost_cents, 2),
        pricing,
        term_months,
        first_due,
        recognition,
        payments: Vec::new(),
        early_settlement: None,
    };
    let amounts = amounts(&contract).expect("generated contracts are valid");
    let dues = due_dates(first_due, term_months).expect("dates in range");
    // About 2 % of customers stopped paying four months ago.
    let stopped_paying = if rng.random_bool(0.02) {
        as_of().sub_months(4).expect("in range")
    } else {
        as_of()
    };
    for (due, amount) in dues.iter().zip(&amounts) {
        if *due > stopped_paying {
            break;
        }
        let date = if rng.random_bool(0.02) {
            let late = CivilDate::from_day_number(due.day_number() + rng.random_range(1..=90i64))
                .expect("in range");
            if late > as_of() {
                continue;
            }
            late
        } else {
            *due
        };
        contract.payments.push(Payment {
            date,
            amount: *amount,
        });
    }
    let last_due = *dues.last().expect("at least one instalment");
    if rng.random_bool(0.075) && as_of() >= first_due && as_of() <= last_due {
        contract.early_settlement = Some(EarlySettlement {
            date: as_of(),
            esc_annual_rate: if rng.random_bool(0.5) {
                Decimal::ZERO
            } else {
                rate_bp(rng, 100, 300)
            },
        });
    }
    contract
}

fn days_in_month(date: CivilDate) -> u8 {
    let first = CivilDate::new(date.year(), date.month(), 1).expect("valid");
    let next = first.add_months(1).expect("in range");
    first.days_until(next) as u8
}
