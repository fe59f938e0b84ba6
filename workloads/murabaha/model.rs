//! The murabaha domain model: contracts, their pricing and recognition
//! methods, payments and early-settlement requests; and what processing
//! produces. The types read and write the JSON of `FORMATS.md`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::date::CivilDate;
use crate::input::{
    Bounded, InputError, NonNegative, Positive, forbidden, parse_json, required, serialize_decimal,
    serialize_money,
};

/// The longest term accepted, in months (50 years).
pub const MAX_TERM_MONTHS: u32 = 600;

/// The whole input of `mizan murabaha process`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MurabahaInput {
    /// The day statements, late charges and recognised profit are as of.
    pub as_of: CivilDate,
    /// Late-payment charge rates (defaults when absent).
    #[serde(default)]
    pub late_policy: LatePolicy,
    /// The portfolio.
    pub contracts: Vec<Contract>,
}

/// Late-payment charge rates, a year, on the instalment amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LatePolicy {
    /// Ta'widh (compensation, bank income): 1 % by default.
    #[serde(
        serialize_with = "serialize_decimal",
        deserialize_with = "non_negative"
    )]
    pub tawidh_annual_rate: Decimal,
    /// Gharamah (penalty, paid to charity): 0 by default.
    #[serde(
        serialize_with = "serialize_decimal",
        deserialize_with = "non_negative"
    )]
    pub gharamah_annual_rate: Decimal,
}

impl Default for LatePolicy {
    fn default() -> Self {
        LatePolicy {
            tawidh_annual_rate: Decimal::new(1, 2),
            gharamah_annual_rate: Decimal::ZERO,
        }
    }
}

/// One murabaha contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    /// The contract's identifier.
    pub id: String,
    /// What the bank paid for the asset.
    #[serde(serialize_with = "serialize_decimal", deserialize_with = "positive")]
    pub cost: Decimal,
    /// How the profit is set.
    pub pricing: Pricing,
    /// The number of monthly instalments.
    #[serde(deserialize_with = "term")]
    pub term_months: u32,
    /// The first instalment's due date; the others follow monthly.
    pub first_due: CivilDate,
    /// How the profit is spread over the periods.
    #[serde(default)]
    pub recognition: Recognition,
    /// Payments received, in any order.
    #[serde(default)]
    pub payments: Vec<Payment>,
    /// A request to settle early, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub early_settlement: Option<EarlySettlement>,
}

/// How the selling price is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", try_from = "RawPricing")]
pub enum Pricing {
    /// A rate on cost: `profit = round(cost × markup)`.
    Markup {
        #[serde(serialize_with = "serialize_decimal")]
        markup: Decimal,
    },
    /// A flat annual rate: `profit = round(cost × rate × n / 12)`.
    Flat {
        #[serde(serialize_with = "serialize_decimal")]
        annual_rate: Decimal,
    },
    /// Level instalments that amortise the cost at `annual_rate / 12`.
    Annuity {
        #[serde(serialize_with = "serialize_decimal")]
        annual_rate: Decimal,
    },
}

/// How the total profit is recognised period by period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recognition {
    /// At the effective monthly rate on the outstanding cost (default).
    #[default]
    Effective,
    /// Equal amounts.
    StraightLine,
    /// Sum of the digits.
    #[serde(rename = "rule_of_78")]
    RuleOf78,
}

/// A payment received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// The day it was received.
    pub date: CivilDate,
    /// How much.
    #[serde(serialize_with = "serialize_decimal", deserialize_with = "positive")]
    pub amount: Decimal,
}

/// A request for an early-settlement quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarlySettlement {
    /// The settlement day.
    pub date: CivilDate,
    /// The early-settlement charge rate, a year (0 by default).
    #[serde(
        default,
        serialize_with = "serialize_decimal",
        deserialize_with = "non_negative"
    )]
    pub esc_annual_rate: Decimal,
}

/// The output of `mizan murabaha process`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MurabahaOutput {
    /// One result per contract, in input order.
    pub contracts: Vec<ContractResult>,
}

/// One contract processed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContractResult {
    /// The contract's identifier.
    pub id: String,
    /// Cost plus profit: the deferred price, fixed for good.
    #[serde(serialize_with = "serialize_money")]
    pub selling_price: Decimal,
    /// The total profit P.
    #[serde(serialize_with = "serialize_money")]
    pub profit: Decimal,
    /// The monthly rate of the effective method (10 decimals).
    #[serde(serialize_with = "serialize_rate")]
    pub monthly_rate: Decimal,
    /// The schedule, with recognition, coverage and late charges.
    pub instalments: Vec<Instalment>,
    /// The sum of the payments received.
    #[serde(serialize_with = "serialize_money")]
    pub paid: Decimal,
    /// Ta'widh charged (bank income).
    #[serde(serialize_with = "serialize_money")]
    pub tawidh: Decimal,
    /// Gharamah charged (charity payable).
    #[serde(serialize_with = "serialize_money")]
    pub gharamah: Decimal,
    /// Profit recognised on instalments due on or before `as_of`.
    #[serde(serialize_with = "serialize_money")]
    pub recognised_profit: Decimal,
    /// Profit not yet recognised at `as_of`.
    #[serde(serialize_with = "serialize_money")]
    pub deferred_profit: Decimal,
    /// The early-settlement quote, if one was asked for.
    pub settlement: Option<Settlement>,
}

/// One instalment of a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Instalment {
    /// 1-based number.
    pub n: u32,
    /// Due date.
    pub due: CivilDate,
    /// Amount due.
    #[serde(serialize_with = "serialize_money")]
    pub amount: Decimal,
    /// Profit recognised for this period.
    #[serde(serialize_with = "serialize_money")]
    pub profit: Decimal,
    /// `amount − profit`: the cost this instalment repays.
    #[serde(serialize_with = "serialize_money")]
    pub principal: Decimal,
    /// Cost outstanding after this instalment.
    #[serde(serialize_with = "serialize_money")]
    pub outstanding_cost: Decimal,
    /// Selling price outstanding after this instalment.
    #[serde(serialize_with = "serialize_money")]
    pub outstanding_price: Decimal,
    /// The day the payment that completed it was received.
    pub covered_on: Option<CivilDate>,
    /// Days late (to the covering day, or to `as_of` while uncovered).
    pub days_late: u32,
    /// Ta'widh on this instalment.
    #[serde(serialize_with = "serialize_money")]
    pub tawidh: Decimal,
    /// Gharamah on this instalment.
    #[serde(serialize_with = "serialize_money")]
    pub gharamah: Decimal,
}

/// An early-settlement quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Settlement {
    /// The settlement day.
    pub date: CivilDate,
    /// The early-settlement charge.
    #[serde(serialize_with = "serialize_money")]
    pub esc: Decimal,
    /// The rebate: deferred profit less the charge, never below zero.
    #[serde(serialize_with = "serialize_money")]
    pub ibra: Decimal,
    /// What the customer pays to settle.
    #[serde(serialize_with = "serialize_money")]
    pub amount: Decimal,
}

impl MurabahaInput {
    /// Parses and validates the JSON of `mizan murabaha process`.
    pub fn from_json(text: &str) -> Result<MurabahaInput, InputError> {
        let input: MurabahaInput = parse_json(text)?;
        input.check()?;
        Ok(input)
    }

    /// The checks that span fields: ids, payment and settlement dates.
    fn check(&self) -> Result<(), InputError> {
        let mut seen = std::collections::HashMap::with_capacity(self.contracts.len());
        for (idx, contract) in self.contracts.iter().enumerate() {
            // An empty id is refused by `check_contract`, and the first
            // empty one before it could repeat.
            if let Some(first) = seen.insert(contract.id.as_str(), idx)
                && !contract.id.is_empty()
            {
                return Err(InputError::new(
                    format!("contracts[{idx}].id"),
                    format!("{:?} is also the id of contracts[{first}]", contract.id),
                ));
            }
            self.check_contract(contract)
                .map_err(|e| InputError::new(format!("contracts[{idx}].{}", e.path), e.message))?;
        }
        Ok(())
    }

    /// The checks of one contract that its own fields cannot make (an id;
    /// payment and settlement dates against its schedule and `as_of`), at
    /// the contract's own paths (`payments[2].date`): a stream reads the
    /// file's context and then checks each contract as it comes.
    pub fn check_contract(&self, contract: &Contract) -> Result<(), InputError> {
        let at = |field: &str| field.to_string();
        if contract.id.is_empty() {
            return Err(InputError::new(at("id"), "is empty"));
        }
        let last_due = contract
            .first_due
            .add_months(contract.term_months - 1)
            .map_err(|e| InputError::new(at("first_due"), e.to_string()))?;
        let start = contract.start();
        for (payment_idx, payment) in contract.payments.iter().enumerate() {
            let field = at(&format!("payments[{payment_idx}].date"));
            if payment.date < start {
                return Err(InputError::new(
                    field,
                    format!(
                        "{} is before the contract began on {start} (a month before the first instalment)",
                        payment.date
                    ),
                ));
            }
            if payment.date > self.as_of {
                return Err(InputError::new(
                    field,
                    format!("{} is after as_of {}", payment.date, self.as_of),
                ));
            }
        }
        if let Some(settlement) = &contract.early_settlement {
            let field = at("early_settlement.date");
            if settlement.date < contract.first_due {
                return Err(InputError::new(
                    field,
                    format!(
                        "{} is before the first instalment is due ({})",
                        settlement.date, contract.first_due
                    ),
                ));
            }
            if settlement.date > last_due {
                return Err(InputError::new(
                    field,
                    format!(
                        "{} is after the last instalment is due ({last_due}): nothing is early",
                        settlement.date
                    ),
                ));
            }
            if settlement.date < self.as_of {
                return Err(InputError::new(
                    field,
                    format!(
                        "{} is before as_of {}: a quote is made as of as_of or later",
                        settlement.date, self.as_of
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl Contract {
    /// The day the contract began: one month before the first instalment
    /// (the first instalment itself for a first due date in January 1900).
    pub fn start(&self) -> CivilDate {
        self.first_due.sub_months(1).unwrap_or(self.first_due)
    }
}

fn serialize_rate<S: serde::Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&crate::money::format_fixed(*value, 10))
}

fn positive<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    Positive::deserialize(d).map(|p| p.0)
}

fn non_negative<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    NonNegative::deserialize(d).map(|p| p.0)
}

fn term<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    Bounded::<1, MAX_TERM_MONTHS>::deserialize(d).map(|b| b.0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum PricingMethod {
    Markup,
    Flat,
    Annuity,
}

/// Pricing as written (see `zakat::model`'s `RawAsset` for why flat).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPricing {
    pub(crate) method: PricingMethod,
    pub(crate) markup: Option<NonNegative>,
    pub(crate) annual_rate: Option<NonNegative>,
}

impl TryFrom<RawPricing> for Pricing {
    type Error = String;

    fn try_from(raw: RawPricing) -> Result<Pricing, String> {
        Ok(match raw.method {
            PricingMethod::Markup => {
                forbidden(&raw.annual_rate, "annual_rate", "markup")?;
                Pricing::Markup {
                    markup: required(raw.markup, "markup", "markup")?.0,
                }
            }
            PricingMethod::Flat => {
                forbidden(&raw.markup, "markup", "flat")?;
                Pricing::Flat {
                    annual_rate: required(raw.annual_rate, "annual_rate", "flat")?.0,
                }
            }
            PricingMethod::Annuity => {
                forbidden(&raw.markup, "markup", "annuity")?;
                Pricing::Annuity {
                    annual_rate: required(raw.annual_rate, "annual_rate", "annuity")?.0,
                }
            }
        })
    }
}
