//! A seeded generator of realistic payer populations (`ZAKAT.md`, "The
//! workload at scale"): wealth log-normal with most payers near or below
//! the nisab, a minority holding gold, silver, shares and funds, about half
//! with instalment debts, and a few with crops, livestock and found
//! treasure, over several currencies and regions.
//!
//! The same seed gives the same payers, and so the same bytes, on every
//! machine: the generator is `ChaCha8Rng`, and amounts are drawn as whole
//! minor units. (A log-normal draw is an `f64`; it only picks a size and is
//! turned into an integer number of cents at once: no money is ever
//! computed in floating point.)

use std::collections::BTreeMap;
use std::io::{self, Write};

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, LogNormal};
use rust_decimal::Decimal;

use super::model::{
    Asset, Debt, Holding, Irrigation, Payer, Policy, Prices, Quality, Species, Usage, ZakatInput,
};
use crate::date::CivilDate;
use crate::input::Currency;

/// The regions payers are spread over, for the totals by region.
pub const REGIONS: [&str; 6] = ["central", "north", "south", "east", "west", "islands"];

/// The reporting currency of generated files.
pub const REPORTING_CURRENCY: Currency = Currency(*b"USD");

/// The day generated files assess zakat on.
pub fn zakat_date() -> CivilDate {
    CivilDate::new(2026, 3, 20).expect("a valid date")
}

/// The prices of generated files (a plausible day in 2026).
pub fn prices() -> Prices {
    let fx = [
        ("EUR", Decimal::new(10_825, 4)),
        ("GBP", Decimal::new(12_641, 4)),
        ("MYR", Decimal::new(2_248, 4)),
        ("SAR", Decimal::new(2_666, 4)),
        ("AED", Decimal::new(2_723, 4)),
    ];
    Prices {
        gold_per_gram: Decimal::new(9840, 2),
        silver_per_gram: Decimal::new(112, 2),
        fx: fx
            .into_iter()
            .map(|(code, rate)| (Currency::parse(code).expect("a valid code"), rate))
            .collect::<BTreeMap<_, _>>(),
    }
}

/// A whole input in memory (for the lab and for tests).
pub fn generate(n_payers: usize, seed: u64) -> ZakatInput {
    ZakatInput {
        zakat_date: zakat_date(),
        currency: REPORTING_CURRENCY,
        prices: prices(),
        policy: Policy::default(),
        payers: payers(n_payers, seed).collect(),
    }
}

/// The payers of a population, one at a time.
pub fn payers(n_payers: usize, seed: u64) -> impl Iterator<Item = Payer> {
    let mut generator = PayerGenerator::new(seed);
    (0..n_payers).map(move |idx| generator.payer(idx))
}

/// Writes a whole `mizan zakat assess` input, one payer per line, without
/// holding the population in memory.
pub fn write_json<W: Write>(out: W, n_payers: usize, seed: u64) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    write_context(&mut out)?;
    out.write_all(b",\"payers\":")?;
    crate::input::write_records_and_close(&mut out, payers(n_payers, seed))
}

/// The same population as JSON Lines, the streaming form of `mizan zakat
/// assess`: the context on the first line (`zakat_date`, `currency`,
/// `prices`, `policy`), then one payer a line.
pub fn write_jsonl<W: Write>(out: W, n_payers: usize, seed: u64) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    write_context(&mut out)?;
    out.write_all(b"}\n")?;
    crate::input::write_records_as_lines(&mut out, payers(n_payers, seed))
}

/// The document's fields before `payers`, after its opening brace.
fn write_context<W: Write>(out: &mut W) -> io::Result<()> {
    write!(out, "{{\"zakat_date\":\"{}\",\"currency\":", zakat_date())?;
    serde_json::to_writer(&mut *out, &REPORTING_CURRENCY)?;
    out.write_all(b",\"prices\":")?;
    serde_json::to_writer(&mut *out, &prices())?;
    out.write_all(b",\"policy\":")?;
    serde_json::to_writer(&mut *out, &Policy::default())?;
    Ok(())
}

/// Livestock counts that sit on every bracket boundary of the three tables,
/// so that a generated population exercises each of them.
const LIVESTOCK_COUNTS: [u32; 30] = [
    4, 5, 24, 25, 29, 30, 35, 36, 39, 40, 45, 46, 59, 60, 61, 69, 70, 75, 76, 90, 91, 120, 121,
    129, 130, 200, 201, 399, 400, 1_234,
];

struct PayerGenerator {
    rng: ChaCha8Rng,
    wealth: LogNormal<f64>,
    currencies: Vec<Currency>,
}

impl PayerGenerator {
    fn new(seed: u64) -> Self {
        // Median liquid wealth about half the gold nisab (85 g × 98.40 =
        // 8,364.00), spread so that roughly three payers in four are below
        // the nisab, as published zakat statistics suggest.
        let wealth = LogNormal::new(8.3, 1.3).expect("valid parameters");
        let currencies = prices().fx.keys().copied().collect();
        PayerGenerator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            wealth,
            currencies,
        }
    }

    fn chance(&mut self, probability: f64) -> bool {
        self.rng.random_bool(probability)
    }

    /// A money amount in whole cents around `scale` (log-normal).
    fn amount_near(&mut self, scale: f64) -> Decimal {
        let draw = self.wealth.sample(&mut self.rng) * scale;
        let cents = (draw * 100.0).round().clamp(0.0, 1e13) as i64;
        Decimal::new(cents, 2)
    }

    fn currency(&mut self) -> Currency {
        if self.chance(0.8) {
            REPORTING_CURRENCY
        } else {
            let idx = self.rng.random_range(0..self.currencies.len());
            self.currencies[idx]
        }
    }

    fn payer(&mut self, idx: usize) -> Payer {
        let zakat_day = zakat_date();
        // From about 2.6 years to 5 months before the zakat date: about
        // three payers in four have completed a hawl (354 or 355 days), and
        // some fall on its last day or the day before.
        let days_before = self.rng.random_range(150..950u32);
        let hawl_start = back_days(zakat_day, days_before);

        let mut assets = Vec::new();
        let n_cash = self.rng.random_range(1..=3);
        for _ in 0..n_cash {
            let amount = self.amount_near(1.0 / f64::from(n_cash));
            let currency = self.currency();
            assets.push(Asset::Cash { amount, currency });
        }
        if self.chance(0.25) {
            for _ in 0..self.rng.random_range(1..=2) {
                let karat = [24, 22, 21, 18, 14][self.rng.random_range(0..5)];
                let milligrams = self.rng.random_range(1_000..250_000i64);
                let usage = if self.chance(0.5) {
                    Usage::Worn
                } else {
                    Usage::Investment
                };
                assets.push(Asset::Gold {
                    grams: Decimal::new(milligrams, 3),
                    karat,
                    usage,
                });
            }
        }
        if self.chance(0.07) {
            let fineness = [999, 925, 900, 800][self.rng.random_range(0..4)];
            let grams = Decimal::new(self.rng.random_range(10_000..2_000_000i64), 3);
            let usage = if self.chance(0.4) {
                Usage::Worn
            } else {
                Usage::Investment
            };
            assets.push(Asset::Silver {
                grams,
                fineness,
                usage,
            });
        }
        if self.chance(0.15) {
            let value = self.amount_near(0.8);
            let currency = self.currency();
            assets.push(Asset::Shares {
                value,
                currency,
                held: Holding::Trading,
            });
        }
        if self.chance(0.25) {
            let value = self.amount_near(2.0);
            let currency = self.currency();
            if self.chance(0.5) {
                assets.push(Asset::Shares {
                    value,
                    currency,
                    held: Holding::LongTerm,
                });
            } else {
                let ratio = ["0.21", "0.25", "0.3", "0.4", "1"][self.rng.random_range(0..5)];
                assets.push(Asset::Fund {
                    value,
                    currency,
                    zakatable_ratio: ratio.parse().expect("a valid ratio"),
                });
            }
        }
        if self.chance(0.05) {
            let value = self.amount_near(3.0);
            let currency = self.currency();
            assets.push(Asset::TradeGoods { value, currency });
        }
        if self.chance(0.06) {
            let amount = self.amount_near(0.5);
            let currency = self.currency();
            let quality = if self.chance(0.7) {
                Quality::Strong
            } else {
                Quality::Weak
            };
            assets.push(Asset::Receivable {
                amount,
                currency,
                quality,
            });
        }
        if self.chance(0.008) {
            // Around the 653 kg nisab, including 652 and 653 themselves.
            let kg = match self.rng.random_range(0..4) {
                0 => Decimal::from(652),
                1 => Decimal::from(653),
                _ => Decimal::new(self.rng.random_range(1_000..80_000i64), 1),
            };
            let irrigation = [Irrigation::Rain, Irrigation::Irrigated, Irrigation::Mixed]
                [self.rng.random_range(0..3)];
            let price_per_kg = Decimal::new(self.rng.random_range(50..500i64), 2);
            assets.push(Asset::Crop {
                kg,
                irrigation,
                price_per_kg,
            });
        }
        if self.chance(0.005) {
            for _ in 0..self.rng.random_range(1..=2) {
                let species = [
                    Species::Sheep,
                    Species::Goats,
                    Species::Cattle,
                    Species::Camels,
                ][self.rng.random_range(0..4)];
                let count = LIVESTOCK_COUNTS[self.rng.random_range(0..LIVESTOCK_COUNTS.len())];
                assets.push(Asset::Livestock { species, count });
            }
        }
        if self.chance(0.003) {
            let value = self.amount_near(0.3);
            let currency = self.currency();
            assets.push(Asset::Rikaz { value, currency });
        }

        let mut debts = Vec::new();
        if self.chance(0.5) {
            for _ in 0..self.rng.random_range(1..=2) {
                let monthly = Decimal::new(self.rng.random_range(5_000..300_000i64), 2);
                let remaining_months = self.rng.random_range(1..=300);
                let currency = self.currency();
                debts.push(Debt::Instalment {
                    monthly,
                    currency,
                    remaining_months,
                });
            }
        }
        if self.chance(0.2) {
            let amount = self.amount_near(0.1);
            let currency = self.currency();
            debts.push(Debt::DueNow { amount, currency });
        }

        let region = REGIONS[self.rng.random_range(0..REGIONS.len())];
        Payer {
            id: format!("P{idx:07}"),
            region: Some(region.to_owned()),
            hawl_start,
            assets,
            debts,
        }
    }
}

/// `date` minus `days` days.
fn back_days(date: CivilDate, days: u32) -> CivilDate {
    CivilDate::from_day_number(date.day_number() - i64::from(days)).expect("a date in range")
}
