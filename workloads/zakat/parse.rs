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
    let (payer, end) = payer_at(bytes, 0)?;
    Reader::at(bytes, end).end()?;
    Some(payer)
}

/// The payer whose JSON starts at index `at` of `bytes` (after white
/// space), and the index just past it; `None` for the serde path.
pub fn payer_at(bytes: &[u8], at: usize) -> Option<(Payer, usize)> {
    let mut payer = Payer {
        id: String::new(),
        region: None,
        hawl_start: crate::date::CivilDate::new(2000, 1, 1).expect("a date"),
        assets: Vec::new(),
        debts: Vec::new(),
    };
    let end = payer_into(bytes, at, &mut payer)?;
    Some((payer, end))
}

/// The payer whose JSON starts at index `at` of `bytes`, read into
/// `payer` (its strings' and vectors' room kept from the payer before),
/// and the index just past it; `None` for the serde path, with `payer`
/// left in no particular state. The layout `mizan generate` writes is
/// read by [`read_canonical`]; any other, by the general reader.
pub fn payer_into(bytes: &[u8], at: usize, payer: &mut Payer) -> Option<usize> {
    let mut r = Reader::at(bytes, at);
    if read_canonical(&mut r, payer).is_some() {
        return Some(r.position());
    }
    let mut r = Reader::at(bytes, at);
    read_general(&mut r, payer)?;
    Some(r.position())
}

/// Reads the payer at the reader in the layout `serde_json::to_string`
/// writes (and `mizan generate`): the fields in their declared order, a
/// line's `kind` first and then its kind's fields in theirs, no white
/// space. A key with its quotes and colon is one comparison of a constant
/// size, not a string read and then matched, and a line is built as its
/// kind at once (its fields are exactly the kind's, so
/// `TryFrom<RawAsset>` would have nothing to refuse). `None` at the first
/// byte out of that layout, with `payer` in no particular state: the
/// caller reads the payer again with the general reader, which judges
/// every other layout. The values go through the same readers as there.
fn read_canonical(r: &mut Reader<'_>, payer: &mut Payer) -> Option<()> {
    payer.assets.clear();
    payer.debts.clear();
    r.lit(b"{\"id\":\"")?;
    let id = r.string_body()?;
    payer.id.clear();
    payer.id.push_str(id);
    let region = match r.lit(b",\"region\":\"") {
        Some(()) => Some(r.string_body()?),
        None => None,
    };
    set_region(&mut payer.region, region);
    r.lit(b",\"hawl_start\":")?;
    payer.hawl_start = r.date()?;
    r.lit(b",\"assets\":[")?;
    canonical_lines(r, |r| {
        payer.assets.push(canonical_asset(r)?);
        Some(())
    })?;
    r.lit(b",\"debts\":[")?;
    canonical_lines(r, |r| {
        payer.debts.push(canonical_debt(r)?);
        Some(())
    })?;
    r.lit(b"}")
}

/// The lines of an array whose `[` was read, up to and with its `]`.
#[inline(always)]
fn canonical_lines(
    r: &mut Reader<'_>,
    mut line: impl FnMut(&mut Reader<'_>) -> Option<()>,
) -> Option<()> {
    if r.lit(b"]").is_some() {
        return Some(());
    }
    loop {
        line(r)?;
        if r.lit(b",").is_none() {
            return r.lit(b"]");
        }
    }
}

/// A key with its punctuation (`,"name":`), then its value.
#[inline(always)]
fn then<'a, T>(
    r: &mut Reader<'a>,
    key: &[u8],
    value: impl FnOnce(&mut Reader<'a>) -> Option<T>,
) -> Option<T> {
    r.lit(key)?;
    value(r)
}

fn non_negative(r: &mut Reader<'_>) -> Option<Decimal> {
    r.non_negative().map(|value| value.0)
}

/// One asset in the canonical layout (see [`read_canonical`]).
fn canonical_asset(r: &mut Reader<'_>) -> Option<Asset> {
    r.lit(b"{\"kind\":\"")?;
    let asset = match r.string_body()? {
        "cash" => {
            let amount = then(r, b",\"amount\":", non_negative)?;
            let currency = then(r, b",\"currency\":", currency)?;
            Asset::Cash { amount, currency }
        }
        "gold" => {
            let grams = then(r, b",\"grams\":", non_negative)?;
            let karat = then(r, b",\"karat\":", bounded::<1, 24>)?.0;
            let usage = then(r, b",\"use\":", usage)?;
            Asset::Gold {
                grams,
                karat,
                usage,
            }
        }
        "silver" => {
            let grams = then(r, b",\"grams\":", non_negative)?;
            let fineness = then(r, b",\"fineness\":", bounded::<1, 1000>)?.0;
            let usage = then(r, b",\"use\":", usage)?;
            Asset::Silver {
                grams,
                fineness,
                usage,
            }
        }
        "shares" => {
            let value = then(r, b",\"value\":", non_negative)?;
            let currency = then(r, b",\"currency\":", currency)?;
            let held = then(r, b",\"held\":", holding)?;
            Asset::Shares {
                value,
                currency,
                held,
            }
        }
        "fund" => {
            let value = then(r, b",\"value\":", non_negative)?;
            let currency = then(r, b",\"currency\":", currency)?;
            let zakatable_ratio = then(r, b",\"zakatable_ratio\":", ratio)?.0;
            Asset::Fund {
                value,
                currency,
                zakatable_ratio,
            }
        }
        "trade_goods" => {
            let value = then(r, b",\"value\":", non_negative)?;
            let currency = then(r, b",\"currency\":", currency)?;
            Asset::TradeGoods { value, currency }
        }
        "receivable" => {
            let amount = then(r, b",\"amount\":", non_negative)?;
            let currency = then(r, b",\"currency\":", currency)?;
            let quality = then(r, b",\"quality\":", quality)?;
            Asset::Receivable {
                amount,
                currency,
                quality,
            }
        }
        "crop" => {
            let kg = then(r, b",\"kg\":", non_negative)?;
            let irrigation = then(r, b",\"irrigation\":", irrigation)?;
            let price_per_kg = then(r, b",\"price_per_kg\":", non_negative)?;
            Asset::Crop {
                kg,
                irrigation,
                price_per_kg,
            }
        }
        "livestock" => {
            let species = then(r, b",\"species\":", species)?;
            let count = then(r, b",\"count\":", bounded::<0, 1_000_000_000>)?.0;
            Asset::Livestock { species, count }
        }
        "rikaz" => {
            let value = then(r, b",\"value\":", non_negative)?;
            let currency = then(r, b",\"currency\":", currency)?;
            Asset::Rikaz { value, currency }
        }
        _ => return None,
    };
    r.lit(b"}")?;
    Some(asset)
}

/// One debt in the canonical layout (see [`read_canonical`]).
fn canonical_debt(r: &mut Reader<'_>) -> Option<Debt> {
    r.lit(b"{\"kind\":\"")?;
    let debt = match r.string_body()? {
        "due_now" => {
            let amount = then(r, b",\"amount\":", non_negative)?;
            let currency = then(r, b",\"currency\":", currency)?;
            Debt::DueNow { amount, currency }
        }
        "instalment" => {
            let monthly = then(r, b",\"monthly\":", non_negative)?;
            let currency = then(r, b",\"currency\":", currency)?;
            let remaining_months = then(r, b",\"remaining_months\":", bounded::<0, 10_000>)?.0;
            Debt::Instalment {
                monthly,
                currency,
                remaining_months,
            }
        }
        _ => return None,
    };
    r.lit(b"}")?;
    Some(debt)
}

fn read_general(r: &mut Reader<'_>, payer: &mut Payer) -> Option<()> {
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
    set_region(&mut payer.region, region);
    Some(())
}

/// Sets a payer's region to `text`, into the string it had where it had
/// one.
fn set_region(slot: &mut Option<String>, text: Option<&str>) {
    match (text, slot) {
        (None, slot) => *slot = None,
        (Some(text), Some(kept)) => {
            kept.clear();
            kept.push_str(text);
        }
        (Some(text), slot) => *slot = Some(text.to_owned()),
    }
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

fn usage(r: &mut Reader<'_>) -> Option<Usage> {
    match r.string()? {
        "investment" => Some(Usage::Investment),
        "worn" => Some(Usage::Worn),
        _ => None,
    }
}

fn holding(r: &mut Reader<'_>) -> Option<Holding> {
    match r.string()? {
        "trading" => Some(Holding::Trading),
        "long_term" => Some(Holding::LongTerm),
        _ => None,
    }
}

fn quality(r: &mut Reader<'_>) -> Option<Quality> {
    match r.string()? {
        "strong" => Some(Quality::Strong),
        "weak" => Some(Quality::Weak),
        _ => None,
    }
}

fn irrigation(r: &mut Reader<'_>) -> Option<Irrigation> {
    match r.string()? {
        "rain" => Some(Irrigation::Rain),
        "irrigated" => Some(Irrigation::Irrigated),
        "mixed" => Some(Irrigation::Mixed),
        _ => None,
    }
}

fn species(r: &mut Reader<'_>) -> Option<Species> {
    match r.string()? {
        "sheep" => Some(Species::Sheep),
        "goats" => Some(Species::Goats),
        "cattle" => Some(Species::Cattle),
        "camels" => Some(Species::Camels),
        _ => None,
    }
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
        "use" => once(&mut raw.usage, usage(r)),
        "held" => once(&mut raw.held, holding(r)),
        "zakatable_ratio" => once(&mut raw.zakatable_ratio, ratio(r)),
        "quality" => once(&mut raw.quality, quality(r)),
        "kg" => once(&mut raw.kg, r.non_negative()),
        "irrigation" => once(&mut raw.irrigation, irrigation(r)),
        "price_per_kg" => once(&mut raw.price_per_kg, r.non_negative()),
        "species" => once(&mut raw.species, species(r)),
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

    fn empty() -> Payer {
        payer(br#"{"id":"","hawl_start":"2000-01-01"}"#).unwrap()
    }

    /// The canonical reader's payer and end, or `None`.
    fn canonical(text: &[u8]) -> Option<(Payer, usize)> {
        let mut read = empty();
        let mut r = Reader::new(text);
        read_canonical(&mut r, &mut read)?;
        Some((read, r.position()))
    }

    /// The general reader's payer and end, or `None`.
    fn general(text: &[u8]) -> Option<(Payer, usize)> {
        let mut read = empty();
        let mut r = Reader::new(text);
        read_general(&mut r, &mut read)?;
        Some((read, r.position()))
    }

    #[test]
    fn the_canonical_layout_reads_as_the_general_reader_reads_it() {
        let every_kind = r#"{"id":"H1","region":"north","hawl_start":"2025-03-01","assets":[{"kind":"cash","amount":"12000.00","currency":"USD"},{"kind":"gold","grams":"50","karat":24,"use":"investment"},{"kind":"silver","grams":"200","fineness":925,"use":"worn"},{"kind":"shares","value":"8000","currency":"EUR","held":"long_term"},{"kind":"fund","value":"10000","currency":"USD","zakatable_ratio":"0.21"},{"kind":"trade_goods","value":"5000","currency":"USD"},{"kind":"receivable","amount":"2000","currency":"USD","quality":"weak"},{"kind":"crop","kg":"1000","irrigation":"mixed","price_per_kg":"2.00"},{"kind":"livestock","species":"goats","count":65},{"kind":"rikaz","value":"1000","currency":"USD"}],"debts":[{"kind":"due_now","amount":"3000","currency":"USD"},{"kind":"instalment","monthly":"1500","currency":"USD","remaining_months":240}]}"#;
        let mut payers: Vec<Payer> = vec![serde(every_kind).unwrap()];
        payers.extend(crate::zakat::generate::payers(40, 7));
        let mut no_region = payers[0].clone();
        no_region.region = None;
        no_region.debts.clear();
        payers.push(no_region);
        for payer in &payers {
            // `serde_json`'s compact text is the layout, read whole.
            let text = serde_json::to_string(payer).unwrap();
            let (read, end) = canonical(text.as_bytes()).expect("the canonical layout");
            assert_eq!((&read, end), (payer, text.len()), "{text}");
        }
        // Every byte of it changed or taken out: the canonical reader
        // gives up, or reads what the general reader reads.
        let text = serde_json::to_string(&payers[0]).unwrap();
        let mut read_by_both = 0;
        for at in 0..text.len() {
            for by in [
                None,
                Some(b' '),
                Some(b'x'),
                Some(b'9'),
                Some(b'"'),
                Some(b'}'),
            ] {
                let mut mutated = text.as_bytes().to_vec();
                match by {
                    Some(b) => mutated[at] = b,
                    None => {
                        mutated.remove(at);
                    }
                }
                if let Some(read) = canonical(&mutated) {
                    assert_eq!(Some(&read), general(&mutated).as_ref(), "{mutated:?}");
                    read_by_both += 1;
                }
            }
        }
        // Digits changed in the figures are still the layout.
        assert!(read_by_both > 50, "{read_by_both}");
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
