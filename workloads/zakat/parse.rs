//! A payer read by hand from its JSON: the engine's parser.
//!
//! `serde_json`'s derived `Deserialize` spends most of its time on what
//! this input never has (escapes, fields in any of several spellings,
//! error paths kept up to date). [`payer`] reads the common shape straight
//! into the model, through the same value checks and the same
//! [`RawAsset`] conversion as the derive, and gives up (`None`) at the
//! first thing it does not expect; the caller then parses that record
//! with `serde_json`, whose result or error stands. The tests hold the two
//! to the same payers, and to `None` or the same payer on inputs mutated
//! at random.

use rust_decimal::Decimal;

use super::model::{
    Asset, AssetKind, Debt, DebtKind, Holding, Irrigation, Payer, Quality, RawAsset, RawDebt,
    Species, Usage,
};
use crate::input::{Bounded, Currency, Ratio};
use crate::json::{Reader, Seen};

/// One payer from its JSON text, or `None` for the serde path.
pub fn payer(bytes: &[u8]) -> Option<Payer> {
    let mut r = Reader::new(bytes);
    let payer = read_payer(&mut r)?;
    r.end()?;
    Some(payer)
}

/// The payer whose JSON starts at index `at` of `bytes` (after white
/// space), and the index just past it; `None` for the serde path.
pub fn payer_at(bytes: &[u8], at: usize) -> Option<(Payer, usize)> {
    let mut r = Reader::at(bytes, at);
    let payer = read_payer(&mut r)?;
    Some((payer, r.position()))
}

/// The payer whose JSON starts at index `at` of `bytes`, read into
/// `payer` (its strings' and vectors' room kept from the payer before),
/// and the index just past it; `None` for the serde path, with `payer`
/// left in no particular state.
pub fn payer_into(bytes: &[u8], at: usize, payer: &mut Payer) -> Option<usize> {
    let mut r = Reader::at(bytes, at);
    read_payer_into(&mut r, payer)?;
    Some(r.position())
}

fn read_payer(r: &mut Reader<'_>) -> Option<Payer> {
    let mut payer = Payer {
        id: String::new(),
        region: None,
        hawl_start: crate::date::CivilDate::new(2000, 1, 1).expect("a date"),
        assets: Vec::new(),
        debts: Vec::new(),
    };
    read_payer_into(r, &mut payer)?;
    Some(payer)
}

fn read_payer_into(r: &mut Reader<'_>, payer: &mut Payer) -> Option<()> {
    let mut seen = Seen::default();
    let mut region = None;
    payer.assets.clear();
    payer.debts.clear();
    r.object(|r, key| match key {
        "id" => {
            seen.mark(0)?;
            let id = r.string()?;
            payer.id.clear();
            payer.id.push_str(id);
            Some(())
        }
        "region" => {
            seen.mark(1)?;
            region = Some(r.string()?);
            Some(())
        }
        "hawl_start" => {
            seen.mark(2)?;
            payer.hawl_start = r.date()?;
            Some(())
        }
        "assets" => {
            seen.mark(3)?;
            r.array(|r| {
                payer.assets.push(asset(r)?);
                Some(())
            })
        }
        "debts" => {
            seen.mark(4)?;
            r.array(|r| {
                payer.debts.push(debt(r)?);
                Some(())
            })
        }
        _ => None,
    })?;
    // The id and the hawl's start are required.
    if !seen.has(0) || !seen.has(2) {
        return None;
    }
    match (region, &mut payer.region) {
        (None, slot) => *slot = None,
        (Some(text), Some(kept)) => {
            kept.clear();
            kept.push_str(text);
        }
        (Some(text), slot) => *slot = Some(text.to_owned()),
    }
    Some(())
}

fn ratio(r: &mut Reader<'_>) -> Option<Ratio> {
    let value = r.decimal()?;
    ((!value.is_sign_negative() || value.is_zero()) && value <= Decimal::ONE)
        .then_some(Ratio(value))
}

fn bounded<const MIN: u32, const MAX: u32>(r: &mut Reader<'_>) -> Option<Bounded<MIN, MAX>> {
    let value = r.integer()?;
    (i64::from(MIN)..=i64::from(MAX))
        .contains(&value)
        .then_some(Bounded(value as u32))
}

fn currency(r: &mut Reader<'_>) -> Option<Currency> {
    Currency::parse(r.string()?)
}

/// Sets a field once: a repeated field is the serde path's to refuse.
fn once<T>(slot: &mut Option<T>, value: Option<T>) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value?);
    Some(())
}

fn asset(r: &mut Reader<'_>) -> Option<Asset> {
    let mut kind = None;
    let mut raw = RawAsset {
        kind: AssetKind::Cash,
        amount: None,
        value: None,
        currency: None,
        grams: None,
        karat: None,
        fineness: None,
        usage: None,
        held: None,
        zakatable_ratio: None,
        quality: None,
        kg: None,
        irrigation: None,
        price_per_kg: None,
        species: None,
        count: None,
    };
    r.object(|r, key| match key {
        "kind" => once(&mut kind, asset_kind(r.string()?)),
        "amount" => once(&mut raw.amount, r.non_negative()),
        "value" => once(&mut raw.value, r.non_negative()),
        "currency" => once(&mut raw.currency, currency(r)),
        "grams" => once(&mut raw.grams, r.non_negative()),
        "karat" => once(&mut raw.karat, bounded(r)),
        "fineness" => once(&mut raw.fineness, bounded(r)),
        "use" => once(
            &mut raw.usage,
            match r.string()? {
                "investment" => Some(Usage::Investment),
                "worn" => Some(Usage::Worn),
                _ => None,
            },
        ),
        "held" => once(
            &mut raw.held,
            match r.string()? {
                "trading" => Some(Holding::Trading),
                "long_term" => Some(Holding::LongTerm),
                _ => None,
            },
        ),
        "zakatable_ratio" => once(&mut raw.zakatable_ratio, ratio(r)),
        "quality" => once(
            &mut raw.quality,
            match r.string()? {
                "strong" => Some(Quality::Strong),
                "weak" => Some(Quality::Weak),
                _ => None,
            },
        ),
        "kg" => once(&mut raw.kg, r.non_negative()),
        "irrigation" => once(
            &mut raw.irrigation,
            match r.string()? {
                "rain" => Some(Irrigation::Rain),
                "irrigated" => Some(Irrigation::Irrigated),
                "mixed" => Some(Irrigation::Mixed),
                _ => None,
            },
        ),
        "price_per_kg" => once(&mut raw.price_per_kg, r.non_negative()),
        "species" => once(
            &mut raw.species,
            match r.string()? {
                "sheep" => Some(Species::Sheep),
                "goats" => Some(Species::Goats),
                "cattle" => Some(Species::Cattle),
                "camels" => Some(Species::Camels),
                _ => None,
            },
        ),
        "count" => once(&mut raw.count, bounded(r)),
        _ => None,
    })?;
    raw.kind = kind?;
    Asset::try_from(raw).ok()
}

fn asset_kind(name: &str) -> Option<AssetKind> {
    Some(match name {
        "cash" => AssetKind::Cash,
        "gold" => AssetKind::Gold,
        "silver" => AssetKind::Silver,
        "shares" => AssetKind::Shares,
        "fund" => AssetKind::Fund,
        "trade_goods" => AssetKind::TradeGoods,
        "receivable" => AssetKind::Receivable,
        "crop" => AssetKind::Crop,
        "livestock" => AssetKind::Livestock,
        "rikaz" => AssetKind::Rikaz,
        _ => return None,
    })
}

fn debt(r: &mut Reader<'_>) -> Option<Debt> {
    let mut kind = None;
    let mut raw = RawDebt {
        kind: DebtKind::DueNow,
        amount: None,
        monthly: None,
        currency: None,
        remaining_months: None,
    };
    r.object(|r, key| match key {
        "kind" => once(
            &mut kind,
            match r.string()? {
                "due_now" => Some(DebtKind::DueNow),
                "instalment" => Some(DebtKind::Instalment),
                _ => None,
            },
        ),
        "amount" => once(&mut raw.amount, r.non_negative()),
        "monthly" => once(&mut raw.monthly, r.non_negative()),
        "currency" => once(&mut raw.currency, currency(r)),
        "remaining_months" => once(&mut raw.remaining_months, bounded(r)),
        _ => None,
    })?;
    raw.kind = kind?;
    Debt::try_from(raw).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde(text: &str) -> Option<Payer> {
        serde_json::from_str(text).ok()
    }

    #[test]
    fn reads_what_serde_reads() {
        for text in [
            r#"{"id":"H1","region":"north","hawl_start":"2025-03-01","assets":[{"kind":"cash","amount":"12000.00","currency":"USD"},{"kind":"gold","grams":"50","karat":24,"use":"investment"},{"kind":"silver","grams":"200","fineness":925,"use":"worn"},{"kind":"shares","value":"8000","currency":"EUR","held":"long_term"},{"kind":"fund","value":"10000","currency":"USD","zakatable_ratio":"0.21"},{"kind":"trade_goods","value":"5000","currency":"USD"},{"kind":"receivable","amount":"2000","currency":"USD","quality":"weak"},{"kind":"crop","kg":"1000","irrigation":"mixed","price_per_kg":"2.00"},{"kind":"livestock","species":"goats","count":65},{"kind":"rikaz","value":"1000","currency":"USD"}],"debts":[{"kind":"due_now","amount":"3000","currency":"USD"},{"kind":"instalment","monthly":"1500","currency":"USD","remaining_months":240}]}"#,
            r#" { "hawl_start" : "2025-03-01" , "id" : "é" } "#,
            r#"{"id":"A","hawl_start":"2025-03-01","assets":[],"debts":[]}"#,
            r#"{"id":"A","hawl_start":"2025-03-01","assets":[{"kind":"cash","amount":"-0","currency":"USD"}]}"#,
        ] {
            assert_eq!(payer(text.as_bytes()), serde(text), "{text}");
            assert!(payer(text.as_bytes()).is_some(), "{text}");
        }
    }

    #[test]
    fn a_payer_read_into_another_is_the_one_read_afresh() {
        let texts = [
            r#"{"id":"LONG-ID-0001","region":"north","hawl_start":"2025-03-01","assets":[{"kind":"cash","amount":"1","currency":"USD"},{"kind":"gold","grams":"50","karat":24,"use":"investment"}],"debts":[{"kind":"due_now","amount":"3","currency":"USD"}]}"#,
            r#"{"id":"B","hawl_start":"2024-01-31"}"#,
            r#"{"hawl_start":"2024-01-31","region":"south","id":"C","debts":[]}"#,
            r#"{"id":"D","region":"x","hawl_start":"2024-01-31","assets":[{"kind":"rikaz","value":"9","currency":"USD"}]}"#,
        ];
        let mut payer = payer(texts[0].as_bytes()).unwrap();
        for text in texts.iter().chain(texts.iter().rev()) {
            let end = payer_into(text.as_bytes(), 0, &mut payer).unwrap();
            assert_eq!(end, text.len());
            assert_eq!(Some(&payer), serde(text).as_ref(), "{text}");
        }
        assert_eq!(
            payer_into(
                br#"{"region":"x","hawl_start":"2024-01-31"}"#,
                0,
                &mut payer
            ),
            None
        );
    }

    #[test]
    fn gives_up_where_serde_must_judge() {
        for text in [
            r#"{"id":"A","id":"B","hawl_start":"2025-03-01"}"#,
            r#"{"id":"A\u0041","hawl_start":"2025-03-01"}"#,
            r#"{"id":"A","hawl_start":"2025-03-01","other":1}"#,
            r#"{"id":"A","hawl_start":"2025-02-30"}"#,
            r#"{"id":"A"}"#,
            r#"{"id":"A","region":null,"hawl_start":"2025-03-01"}"#,
            r#"{"id":"A","hawl_start":"2025-03-01"} x"#,
            r#"{"id":"A","hawl_start":"2025-03-01","assets":[{"kind":"gold","grams":"1","karat":25,"use":"worn"}]}"#,
            r#"{"id":"A","hawl_start":"2025-03-01","assets":[{"kind":"gold","grams":"1","karat":024,"use":"worn"}]}"#,
            r#"{"id":"A","hawl_start":"2025-03-01","assets":[{"kind":"gold","grams":"1","karat":2.0,"use":"worn"}]}"#,
            r#"{"id":"A","hawl_start":"2025-03-01","assets":[{"kind":"cash","amount":"-1","currency":"USD"}]}"#,
            r#"{"id":"A","hawl_start":"2025-03-01","assets":[{"kind":"cash","amount":"1","currency":"USD","grams":"1"}]}"#,
            r#"{"id":"A","hawl_start":"2025-03-01","assets":[{"kind":"fund","value":"1","currency":"USD","zakatable_ratio":"1.5"}]}"#,
            r#"{"id":"A","hawl_start":"2025-03-01","debts":[{"kind":"instalment","monthly":"1","currency":"usd","remaining_months":1}]}"#,
        ] {
            assert_eq!(payer(text.as_bytes()), None, "{text}");
        }
    }
}
