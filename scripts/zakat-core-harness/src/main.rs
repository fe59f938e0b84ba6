//! zakat-core 1.4.0 assessing the payers of a `mizan generate zakat`
//! document, the lines both read: cash (converted at the document's
//! rates), gold (grams and karat), silver (grams of pure silver) and debts
//! due now (a liability), each payer one `ZakatPortfolio` at the
//! document's gold and silver prices, the gold nisab. One line out a
//! payer: its id and the zakat due. `scripts/bench-zakat-core` times it
//! against `mizan zakat assess` on the same file.
//!
//!     zakat-core-harness FILE > OUT

use std::collections::HashMap;
use std::io::{self, BufWriter, Write};

use rust_decimal::Decimal;
use serde::Deserialize;
use zakat_core::prelude::*;

#[derive(Deserialize)]
struct Document {
    currency: String,
    prices: Prices,
    payers: Vec<Payer>,
}

#[derive(Deserialize)]
struct Prices {
    gold_per_gram: Decimal,
    silver_per_gram: Decimal,
    #[serde(default)]
    fx: HashMap<String, Decimal>,
}

#[derive(Deserialize)]
struct Payer {
    id: String,
    assets: Vec<Line>,
    #[serde(default)]
    debts: Vec<Line>,
}

/// An asset or debt line: the fields the four kinds read (others ignored).
#[derive(Deserialize)]
struct Line {
    kind: String,
    amount: Option<Decimal>,
    currency: Option<String>,
    grams: Option<Decimal>,
    karat: Option<u32>,
    fineness: Option<u32>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: zakat-core-harness FILE")?;
    let text = std::fs::read(&path)?;
    let doc: Document = serde_json::from_slice(&text)?;
    let config = ZakatConfig::new()
        .with_gold_price(doc.prices.gold_per_gram)
        .with_silver_price(doc.prices.silver_per_gram)
        .with_nisab_standard(NisabStandard::Gold);
    let rate = |line: &Line| -> Decimal {
        match line.currency.as_deref() {
            Some(c) if c != doc.currency => doc.prices.fx.get(c).copied().unwrap_or(Decimal::ONE),
            _ => Decimal::ONE,
        }
    };
    let mut out = BufWriter::new(io::stdout().lock());
    for payer in &doc.payers {
        let mut portfolio = ZakatPortfolio::new();
        for line in &payer.assets {
            match (line.kind.as_str(), line.amount, line.grams) {
                ("cash", Some(amount), _) => {
                    portfolio = portfolio.add_cash(amount * rate(line), "cash");
                }
                ("gold", _, Some(grams)) => {
                    portfolio = portfolio.add_gold(grams, line.karat.unwrap_or(24));
                }
                ("silver", _, Some(grams)) => {
                    let fine = Decimal::from(line.fineness.unwrap_or(1000)) / Decimal::from(1000);
                    portfolio = portfolio.add_silver(grams * fine);
                }
                _ => {}
            }
        }
        let debts: Decimal = payer
            .debts
            .iter()
            .filter(|d| d.kind == "due_now")
            .filter_map(|d| d.amount.map(|a| a * rate(d)))
            .sum();
        if !debts.is_zero() {
            portfolio = portfolio.add_business(Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, debts);
        }
        let result = portfolio.calculate_total(&config);
        writeln!(
            out,
            r#"{{"id":"{}","zakat_due":"{}"}}"#,
            payer.id, result.total_zakat_due
        )?;
    }
    out.flush()?;
    Ok(())
}
