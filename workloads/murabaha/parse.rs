//! A contract read by hand from its JSON: the engine's parser (see
//! `zakat::parse` for the method: the common shape read straight into the
//! model through the derive's own checks, `None` for the serde path at the
//! first thing unexpected).

use rust_decimal::Decimal;

use super::model::{
    Contract, EarlySettlement, MAX_TERM_MONTHS, Payment, Pricing, PricingMethod, RawPricing,
    Recognition,
};
use crate::json::{Reader, Seen};

/// One contract from its JSON text, or `None` for the serde path.
pub fn contract(bytes: &[u8]) -> Option<Contract> {
    let mut r = Reader::new(bytes);
    let contract = read_contract(&mut r)?;
    r.end()?;
    Some(contract)
}

/// The contract whose JSON starts at index `at` of `bytes` (after white
/// space), and the index just past it; `None` for the serde path.
pub fn contract_at(bytes: &[u8], at: usize) -> Option<(Contract, usize)> {
    let mut r = Reader::at(bytes, at);
    let contract = read_contract(&mut r)?;
    Some((contract, r.position()))
}

fn read_contract(r: &mut Reader<'_>) -> Option<Contract> {
    let mut seen = Seen::default();
    let (mut id, mut cost, mut pricing, mut term, mut first_due) = (None, None, None, None, None);
    let mut recognition = Recognition::default();
    let mut payments = Vec::new();
    let mut early_settlement = None;
    r.object(|r, key| {
        match key {
            "id" => {
                seen.mark(0)?;
                id = Some(r.string()?.to_owned());
            }
            "cost" => {
                seen.mark(1)?;
                cost = Some(positive(r)?);
            }
            "pricing" => {
                seen.mark(2)?;
                pricing = Some(read_pricing(r)?);
            }
            "term_months" => {
                seen.mark(3)?;
                let n = r.integer()?;
                term = Some(
                    (1..=i64::from(MAX_TERM_MONTHS))
                        .contains(&n)
                        .then_some(n as u32)?,
                );
            }
            "first_due" => {
                seen.mark(4)?;
                first_due = Some(r.date()?);
            }
            "recognition" => {
                seen.mark(5)?;
                recognition = match r.string()? {
                    "effective" => Recognition::Effective,
                    "straight_line" => Recognition::StraightLine,
                    "rule_of_78" => Recognition::RuleOf78,
                    _ => return None,
                };
            }
            "payments" => {
                seen.mark(6)?;
                r.array(|r| {
                    payments.push(payment(r)?);
                    Some(())
                })?;
            }
            "early_settlement" => {
                seen.mark(7)?;
                early_settlement = Some(settlement(r)?);
            }
            _ => return None,
        }
        Some(())
    })?;
    Some(Contract {
        id: id?,
        cost: cost?,
        pricing: pricing?,
        term_months: term?,
        first_due: first_due?,
        recognition,
        payments,
        early_settlement,
    })
}

/// As `Positive`'s `Deserialize`.
fn positive(r: &mut Reader<'_>) -> Option<Decimal> {
    r.decimal().filter(|value| *value > Decimal::ZERO)
}

fn read_pricing(r: &mut Reader<'_>) -> Option<Pricing> {
    let mut seen = Seen::default();
    let mut method = None;
    let mut raw = RawPricing {
        method: PricingMethod::Markup,
        markup: None,
        annual_rate: None,
    };
    r.object(|r, key| {
        match key {
            "method" => {
                seen.mark(0)?;
                method = Some(match r.string()? {
                    "markup" => PricingMethod::Markup,
                    "flat" => PricingMethod::Flat,
                    "annuity" => PricingMethod::Annuity,
                    _ => return None,
                });
            }
            "markup" => {
                seen.mark(1)?;
                raw.markup = Some(r.non_negative()?);
            }
            "annual_rate" => {
                seen.mark(2)?;
                raw.annual_rate = Some(r.non_negative()?);
            }
            _ => return None,
        }
        Some(())
    })?;
    raw.method = method?;
    Pricing::try_from(raw).ok()
}

fn payment(r: &mut Reader<'_>) -> Option<Payment> {
    let mut seen = Seen::default();
    let (mut date_, mut amount) = (None, None);
    r.object(|r, key| {
        match key {
            "date" => {
                seen.mark(0)?;
                date_ = Some(r.date()?);
            }
            "amount" => {
                seen.mark(1)?;
                amount = Some(positive(r)?);
            }
            _ => return None,
        }
        Some(())
    })?;
    Some(Payment {
        date: date_?,
        amount: amount?,
    })
}

fn settlement(r: &mut Reader<'_>) -> Option<EarlySettlement> {
    let mut seen = Seen::default();
    let (mut date_, mut rate) = (None, Decimal::ZERO);
    r.object(|r, key| {
        match key {
            "date" => {
                seen.mark(0)?;
                date_ = Some(r.date()?);
            }
            "esc_annual_rate" => {
                seen.mark(1)?;
                rate = r.non_negative()?.0;
            }
            _ => return None,
        }
        Some(())
    })?;
    Some(EarlySettlement {
        date: date_?,
        esc_annual_rate: rate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde(text: &str) -> Option<Contract> {
        serde_json::from_str(text).ok()
    }

    #[test]
    fn reads_what_serde_reads() {
        for text in [
            r#"{"id":"M1","cost":"100000.00","pricing":{"method":"annuity","annual_rate":"0.08"},"term_months":36,"first_due":"2026-02-01","recognition":"rule_of_78","payments":[{"date":"2026-02-01","amount":"3133.64"}],"early_settlement":{"date":"2027-02-01","esc_annual_rate":"0.00"}}"#,
            r#"{"id":"M2","cost":"1","pricing":{"method":"markup","markup":"0.12"},"term_months":1,"first_due":"2026-02-01","early_settlement":{"date":"2027-02-01"}}"#,
            r#"{ "first_due" : "2026-02-01", "term_months": 600, "pricing": {"annual_rate": "0", "method": "flat"}, "cost": "5", "id": "é", "payments": [] }"#,
        ] {
            assert_eq!(contract(text.as_bytes()), serde(text), "{text}");
            assert!(contract(text.as_bytes()).is_some(), "{text}");
        }
    }

    #[test]
    fn gives_up_where_serde_must_judge() {
        let base = r#""id":"M","cost":"1","pricing":{"method":"flat","annual_rate":"0.1"},"first_due":"2026-02-01""#;
        for tail in [
            r#","term_months":0"#,
            r#","term_months":601"#,
            r#","term_months":12,"term_months":12"#,
            r#","term_months":12,"recognition":"other""#,
            r#","term_months":12,"early_settlement":null"#,
            r#","term_months":12,"payments":[{"date":"2026-02-01","amount":"0"}]"#,
            r#","term_months":12,"x":1"#,
            r#""#,
        ] {
            let text = format!("{{{base}{tail}}}");
            assert_eq!(contract(text.as_bytes()), None, "{text}");
        }
        let text = r#"{"id":"M","cost":"1","pricing":{"method":"flat","markup":"0.1"},"term_months":1,"first_due":"2026-02-01"}"#;
        assert_eq!(contract(text.as_bytes()), None);
    }
}
