//! The zakat domain model: what a payer holds and owes, the prices and the
//! policy an assessment runs under, and what it produces. The input types
//! read and write the JSON of `FORMATS.md`; the output types print it.
//!
//! One file on purpose: the model is the JSON of `FORMATS.md`, read as a
//! whole beside it.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::date::CivilDate;
use crate::input::{
    Bounded, Currency, InputError, NonNegative, Positive, Ratio, forbidden, parse_json, required,
    serialize_decimal, serialize_money,
};

/// The whole input of `mizan zakat assess`.
#[derive(Debug, Clone, PartialEq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZakatInput {
    /// The day the zakat is assessed on.
    pub zakat_date: CivilDate,
    /// The reporting currency every value is converted to.
    pub currency: Currency,
    /// Metal prices and exchange rates.
    pub prices: Prices,
    /// The options for the disputed points (defaults when absent).
    #[serde(default)]
    pub policy: Policy,
    /// The payers to assess.
    pub payers: Vec<Payer>,
}

/// Metal prices per gram of the pure metal, and exchange rates, all in the
/// reporting currency.
#[derive(Debug, Clone, PartialEq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prices {
    /// Price of one gram of pure gold.
    #[serde(serialize_with = "serialize_decimal", deserialize_with = "positive")]
    pub gold_per_gram: Decimal,
    /// Price of one gram of pure silver.
    #[serde(serialize_with = "serialize_decimal", deserialize_with = "positive")]
    pub silver_per_gram: Decimal,
    /// Units of the reporting currency per one unit of each other currency.
    #[serde(
        default,
        serialize_with = "serialize_rates",
        deserialize_with = "positive_rates"
    )]
    pub fx: BTreeMap<Currency, Decimal>,
}

/// The policy options of `ZAKAT.md`, one per disputed point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// Which metal sets the nisab.
    pub nisab: NisabBasis,
    /// Lunar (2.5 %) or solar (2.577 %) zakat year.
    pub year: YearBasis,
    /// Whether jewellery in personal use is zakatable.
    pub jewellery: JewelleryPolicy,
    /// The share of long-term shares' market value that is zakatable.
    #[serde(serialize_with = "serialize_decimal", deserialize_with = "ratio")]
    pub long_term_shares_ratio: Decimal,
    /// Which debts are deducted.
    pub debts: DebtPolicy,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            nisab: NisabBasis::Gold,
            year: YearBasis::Lunar,
            jewellery: JewelleryPolicy::Exempt,
            long_term_shares_ratio: Decimal::new(25, 2),
            debts: DebtPolicy::TwelveMonths,
        }
    }
}

/// `policy.nisab`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NisabBasis {
    /// 85 g of pure gold (default).
    Gold,
    /// 595 g of pure silver.
    Silver,
    /// The lower of the two values.
    Lower,
}

/// `policy.year`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum YearBasis {
    /// A Hijri (Umm al-Qura) hawl at 2.5 % (default).
    Lunar,
    /// A Gregorian hawl at 2.577 % (AAOIFI).
    Solar,
}

/// `policy.jewellery`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JewelleryPolicy {
    /// Jewellery in personal use is exempt (default).
    Exempt,
    /// Jewellery in personal use is zakatable.
    Zakatable,
}

/// `policy.debts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DebtPolicy {
    /// Debts due now plus up to twelve monthly instalments (default).
    TwelveMonths,
    /// Debts due now plus the next monthly instalment of each debt.
    NextInstalment,
    /// No deduction.
    None,
}

/// One payer: an identifier, the day the hawl started, and the lines.
#[derive(Debug, Clone, PartialEq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payer {
    /// The payer's identifier, echoed in the assessment.
    pub id: String,
    /// Where the payer lives, for aggregate totals (optional; an addition
    /// to `FORMATS.md` that the generator always fills).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The day the wealth first reached the nisab.
    pub hawl_start: CivilDate,
    /// What the payer holds.
    #[serde(default)]
    pub assets: Vec<Asset>,
    /// What the payer owes.
    #[serde(default)]
    pub debts: Vec<Debt>,
}

/// One asset line.
#[derive(Debug, Clone, PartialEq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "RawAsset")]
pub enum Asset {
    /// Cash and bank balances at face value.
    Cash {
        #[serde(serialize_with = "serialize_decimal")]
        amount: Decimal,
        currency: Currency,
    },
    /// Gold, valued by its pure-gold content.
    Gold {
        #[serde(serialize_with = "serialize_decimal")]
        grams: Decimal,
        karat: u32,
        #[serde(rename = "use")]
        usage: Usage,
    },
    /// Silver, valued by its pure-silver content.
    Silver {
        #[serde(serialize_with = "serialize_decimal")]
        grams: Decimal,
        fineness: u32,
        #[serde(rename = "use")]
        usage: Usage,
    },
    /// Shares at market value.
    Shares {
        #[serde(serialize_with = "serialize_decimal")]
        value: Decimal,
        currency: Currency,
        held: Holding,
    },
    /// A fund or pension at its stated zakatable share.
    Fund {
        #[serde(serialize_with = "serialize_decimal")]
        value: Decimal,
        currency: Currency,
        #[serde(serialize_with = "serialize_decimal")]
        zakatable_ratio: Decimal,
    },
    /// Goods held for trade, at market value.
    TradeGoods {
        #[serde(serialize_with = "serialize_decimal")]
        value: Decimal,
        currency: Currency,
    },
    /// Money owed to the payer.
    Receivable {
        #[serde(serialize_with = "serialize_decimal")]
        amount: Decimal,
        currency: Currency,
        quality: Quality,
    },
    /// A harvest (no hawl).
    Crop {
        #[serde(serialize_with = "serialize_decimal")]
        kg: Decimal,
        irrigation: Irrigation,
        #[serde(serialize_with = "serialize_decimal")]
        price_per_kg: Decimal,
    },
    /// Grazing animals, due in kind.
    Livestock { species: Species, count: u32 },
    /// Found treasure (no nisab, no hawl).
    Rikaz {
        #[serde(serialize_with = "serialize_decimal")]
        value: Decimal,
        currency: Currency,
    },
}

/// Whether metal is held as an investment or worn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Usage {
    /// Bullion, coins, jewellery bought as a store of value.
    Investment,
    /// Jewellery in personal use.
    Worn,
}

/// Why shares are held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Holding {
    /// For trading: 100 % of market value.
    Trading,
    /// Long-term: the policy's ratio of market value.
    LongTerm,
}

/// How likely a receivable is to be paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quality {
    /// Expected to be paid: zakatable.
    Strong,
    /// Doubtful: excluded.
    Weak,
}

/// How a crop was watered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Irrigation {
    /// Rain-fed: 10 %.
    Rain,
    /// Irrigated at a cost: 5 %.
    Irrigated,
    /// Both: 7.5 %.
    Mixed,
}

/// A livestock species.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Species {
    /// Sheep (counted together with goats).
    Sheep,
    /// Goats (counted together with sheep).
    Goats,
    /// Cattle.
    Cattle,
    /// Camels.
    Camels,
}

/// One debt line.
#[derive(Debug, Clone, PartialEq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "RawDebt")]
pub enum Debt {
    /// Owed now, in full.
    DueNow {
        #[serde(serialize_with = "serialize_decimal")]
        amount: Decimal,
        currency: Currency,
    },
    /// Paid monthly.
    Instalment {
        #[serde(serialize_with = "serialize_decimal")]
        monthly: Decimal,
        currency: Currency,
        remaining_months: u32,
    },
}

/// The output of `mizan zakat assess`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ZakatOutput {
    /// The reporting currency.
    pub currency: Currency,
    /// One assessment per payer, in input order.
    pub assessments: Vec<Assessment>,
}

/// One payer's assessment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Assessment {
    /// The payer's identifier.
    pub id: String,
    /// The day the hawl ends.
    pub hawl_end: CivilDate,
    /// Whether the zakat date is on or after the hawl end.
    pub hawl_complete: bool,
    /// The sum of the zakatable asset lines, each rounded to the cent.
    #[serde(serialize_with = "serialize_money")]
    pub zakatable_assets: Decimal,
    /// The deductible debts under the policy.
    #[serde(serialize_with = "serialize_money")]
    pub deductible_debts: Decimal,
    /// Assets less debts, never below zero.
    #[serde(serialize_with = "serialize_money")]
    pub net_wealth: Decimal,
    /// The nisab value under the policy.
    #[serde(serialize_with = "serialize_money")]
    pub nisab: Decimal,
    /// Whether net wealth reaches the nisab (equality counts).
    pub nisab_met: bool,
    /// Zakat on wealth (zero unless the hawl is complete and the nisab met).
    #[serde(serialize_with = "serialize_money")]
    pub wealth_zakat: Decimal,
    /// One entry per crop line, in input order.
    pub crops: Vec<CropDue>,
    /// One entry per species group the payer holds.
    pub livestock: Vec<LivestockDue>,
    /// Zakat on found treasure.
    #[serde(serialize_with = "serialize_money")]
    pub rikaz_zakat: Decimal,
    /// Wealth zakat + crop values + rikaz zakat (livestock is due in kind).
    #[serde(serialize_with = "serialize_money")]
    pub total_due: Decimal,
}

/// The zakat due on one crop line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CropDue {
    /// Kilograms due (three decimals).
    #[serde(serialize_with = "serialize_kg")]
    pub kg: Decimal,
    /// Their value in the reporting currency.
    #[serde(serialize_with = "serialize_money")]
    pub value: Decimal,
}

/// The animals due for one species group.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LivestockDue {
    /// The group: `sheep_and_goats`, `cattle` or `camels`.
    pub species: LivestockGroup,
    /// The animals due (empty when none).
    pub due: Vec<AnimalCount>,
}

/// Species as they are counted: sheep and goats together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LivestockGroup {
    /// Sheep and goats, counted together.
    SheepAndGoats,
    /// Cattle.
    Cattle,
    /// Camels.
    Camels,
}

/// A number of animals of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AnimalCount {
    /// Which animal.
    pub animal: Animal,
    /// How many.
    pub count: u32,
}

/// The animals that livestock zakat is paid in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Animal {
    /// A sheep (or goat).
    Sheep,
    /// A one-year-old calf.
    Tabi,
    /// A two-year-old cow.
    Musinnah,
    /// A one-year-old she-camel.
    BintMakhad,
    /// A two-year-old she-camel.
    BintLabun,
    /// A three-year-old she-camel.
    Hiqqah,
    /// A four-year-old she-camel.
    Jadhaah,
}

impl ZakatInput {
    /// Parses and validates the JSON of `mizan zakat assess`.
    pub fn from_json(text: &str) -> Result<ZakatInput, InputError> {
        let input: ZakatInput = parse_json(text)?;
        input.check_currencies()?;
        input.check_unique_ids()?;
        Ok(input)
    }

    /// Every currency an asset or debt names has an exchange rate.
    pub fn check_currencies(&self) -> Result<(), InputError> {
        for (payer_idx, payer) in self.payers.iter().enumerate() {
            self.check_payer(payer).map_err(|e| {
                InputError::new(format!("payers[{payer_idx}].{}", e.path), e.message)
            })?;
        }
        Ok(())
    }

    /// The checks of one payer that its own fields cannot make: an id, and
    /// an exchange rate for every currency it names. The path is the
    /// payer's own (`assets[1].currency`); a stream reads the file's
    /// context and then checks each payer as it comes.
    pub fn check_payer(&self, payer: &Payer) -> Result<(), InputError> {
        self.check_lines(&payer.id, &payer.assets, &payer.debts)
    }

    /// [`ZakatInput::check_payer`] on a payer's id and lines, wherever they
    /// are held.
    pub fn check_lines(
        &self,
        id: &str,
        assets: &[Asset],
        debts: &[Debt],
    ) -> Result<(), InputError> {
        if id.is_empty() {
            return Err(InputError::new("id", "is empty"));
        }
        let priced = |currency: Currency| {
            currency == self.currency || self.prices.fx.contains_key(&currency)
        };
        for (line_idx, asset) in assets.iter().enumerate() {
            if let Some(currency) = asset.currency()
                && !priced(currency)
            {
                return Err(self.unpriced("assets", line_idx, currency));
            }
        }
        for (line_idx, debt) in debts.iter().enumerate() {
            if !priced(debt.currency()) {
                return Err(self.unpriced("debts", line_idx, debt.currency()));
            }
        }
        Ok(())
    }

    #[cold]
    fn unpriced(&self, list: &str, line_idx: usize, currency: Currency) -> InputError {
        InputError::new(
            format!("{list}[{line_idx}].currency"),
            format!(
                "{currency} has no exchange rate in prices.fx (the reporting currency is {})",
                self.currency
            ),
        )
    }

    /// Every payer has an id of its own.
    pub fn check_unique_ids(&self) -> Result<(), InputError> {
        distinct_ids(self.payers.iter().map(|payer| payer.id.as_str()))
    }
}

/// The payers' ids, in order, are none of them empty and each given once;
/// the error names the first that is not (`payers[3].id`).
pub fn distinct_ids<'a>(ids: impl ExactSizeIterator<Item = &'a str>) -> Result<(), InputError> {
    let mut seen = std::collections::HashMap::with_capacity(ids.len());
    for (idx, id) in ids.enumerate() {
        if id.is_empty() {
            return Err(InputError::new(format!("payers[{idx}].id"), "is empty"));
        }
        if let Some(first) = seen.insert(id, idx) {
            return Err(InputError::new(
                format!("payers[{idx}].id"),
                format!("{id:?} is also the id of payers[{first}]"),
            ));
        }
    }
    Ok(())
}

impl Asset {
    /// The currency the line is stated in, if it has one (metals, crops and
    /// livestock are valued by the file's prices).
    pub fn currency(&self) -> Option<Currency> {
        match self {
            Asset::Cash { currency, .. }
            | Asset::Shares { currency, .. }
            | Asset::Fund { currency, .. }
            | Asset::TradeGoods { currency, .. }
            | Asset::Receivable { currency, .. }
            | Asset::Rikaz { currency, .. } => Some(*currency),
            Asset::Gold { .. }
            | Asset::Silver { .. }
            | Asset::Crop { .. }
            | Asset::Livestock { .. } => None,
        }
    }
}

impl Debt {
    /// The currency the debt is stated in.
    pub fn currency(&self) -> Currency {
        match self {
            Debt::DueNow { currency, .. } | Debt::Instalment { currency, .. } => *currency,
        }
    }
}

impl Species {
    /// The group the species is counted in.
    pub fn group(self) -> LivestockGroup {
        match self {
            Species::Sheep | Species::Goats => LivestockGroup::SheepAndGoats,
            Species::Cattle => LivestockGroup::Cattle,
            Species::Camels => LivestockGroup::Camels,
        }
    }
}

fn positive<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    Positive::deserialize(d).map(|p| p.0)
}

fn ratio<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    Ratio::deserialize(d).map(|p| p.0)
}

fn positive_rates<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<Currency, Decimal>, D::Error> {
    let rates = BTreeMap::<Currency, Positive>::deserialize(d)?;
    Ok(rates.into_iter().map(|(c, r)| (c, r.0)).collect())
}

fn serialize_rates<S: serde::Serializer>(
    rates: &BTreeMap<Currency, Decimal>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(rates.iter().map(|(c, r)| (c, r.to_string())))
}

fn serialize_kg<S: serde::Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&crate::money::format_fixed(*value, 3))
}

/// The kinds of asset line, as the `kind` field names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum AssetKind {
    Cash,
    Gold,
    Silver,
    Shares,
    Fund,
    TradeGoods,
    Receivable,
    Crop,
    Livestock,
    Rikaz,
}

/// An asset line as written: every field optional, so that each field's
/// own problems are reported at its own path, and the kind's required and
/// foreign fields are checked after.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAsset {
    pub(crate) kind: AssetKind,
    pub(crate) amount: Option<NonNegative>,
    pub(crate) value: Option<NonNegative>,
    pub(crate) currency: Option<Currency>,
    pub(crate) grams: Option<NonNegative>,
    pub(crate) karat: Option<Bounded<1, 24>>,
    pub(crate) fineness: Option<Bounded<1, 1000>>,
    #[serde(rename = "use")]
    pub(crate) usage: Option<Usage>,
    pub(crate) held: Option<Holding>,
    pub(crate) zakatable_ratio: Option<Ratio>,
    pub(crate) quality: Option<Quality>,
    pub(crate) kg: Option<NonNegative>,
    pub(crate) irrigation: Option<Irrigation>,
    pub(crate) price_per_kg: Option<NonNegative>,
    pub(crate) species: Option<Species>,
    pub(crate) count: Option<Bounded<0, 1_000_000_000>>,
}

impl TryFrom<RawAsset> for Asset {
    type Error = String;

    fn try_from(raw: RawAsset) -> Result<Asset, String> {
        use AssetKind as K;
        let kind = match raw.kind {
            K::Cash => "cash",
            K::Gold => "gold",
            K::Silver => "silver",
            K::Shares => "shares",
            K::Fund => "fund",
            K::TradeGoods => "trade_goods",
            K::Receivable => "receivable",
            K::Crop => "crop",
            K::Livestock => "livestock",
            K::Rikaz => "rikaz",
        };
        // The fields each kind takes; any other field present is refused
        // (the first in this order). A bit a field: one mask test where a
        // list of names compared string by string was a tenth of
        // `mizan zakat assess`'s instructions.
        const FIELDS: [&str; 15] = [
            "amount",
            "value",
            "currency",
            "grams",
            "karat",
            "fineness",
            "use",
            "held",
            "zakatable_ratio",
            "quality",
            "kg",
            "irrigation",
            "price_per_kg",
            "species",
            "count",
        ];
        // Each field's bit: its place in FIELDS.
        const AMOUNT: u16 = 1 << 0;
        const VALUE: u16 = 1 << 1;
        const CURRENCY: u16 = 1 << 2;
        const GRAMS: u16 = 1 << 3;
        const KARAT: u16 = 1 << 4;
        const FINENESS: u16 = 1 << 5;
        const USE: u16 = 1 << 6;
        const HELD: u16 = 1 << 7;
        const ZAKATABLE_RATIO: u16 = 1 << 8;
        const QUALITY: u16 = 1 << 9;
        const KG: u16 = 1 << 10;
        const IRRIGATION: u16 = 1 << 11;
        const PRICE_PER_KG: u16 = 1 << 12;
        const SPECIES: u16 = 1 << 13;
        const COUNT: u16 = 1 << 14;
        let allowed = match raw.kind {
            K::Cash => AMOUNT | CURRENCY,
            K::Gold => GRAMS | KARAT | USE,
            K::Silver => GRAMS | FINENESS | USE,
            K::Shares => VALUE | CURRENCY | HELD,
            K::Fund => VALUE | CURRENCY | ZAKATABLE_RATIO,
            K::TradeGoods | K::Rikaz => VALUE | CURRENCY,
            K::Receivable => AMOUNT | CURRENCY | QUALITY,
            K::Crop => KG | IRRIGATION | PRICE_PER_KG,
            K::Livestock => SPECIES | COUNT,
        };
        let present = [
            raw.amount.is_some(),
            raw.value.is_some(),
            raw.currency.is_some(),
            raw.grams.is_some(),
            raw.karat.is_some(),
            raw.fineness.is_some(),
            raw.usage.is_some(),
            raw.held.is_some(),
            raw.zakatable_ratio.is_some(),
            raw.quality.is_some(),
            raw.kg.is_some(),
            raw.irrigation.is_some(),
            raw.price_per_kg.is_some(),
            raw.species.is_some(),
            raw.count.is_some(),
        ]
        .iter()
        .enumerate()
        .fold(0u16, |mask, (at, present)| {
            mask | (u16::from(*present) << at)
        });
        let extra = present & !allowed;
        if extra != 0 {
            forbidden(&Some(()), FIELDS[extra.trailing_zeros() as usize], kind)?;
        }
        let currency = || required(raw.currency, "currency", kind);
        Ok(match raw.kind {
            K::Cash => Asset::Cash {
                amount: required(raw.amount, "amount", kind)?.0,
                currency: currency()?,
            },
            K::Gold => Asset::Gold {
                grams: required(raw.grams, "grams", kind)?.0,
                karat: required(raw.karat, "karat", kind)?.0,
                usage: required(raw.usage, "use", kind)?,
            },
            K::Silver => Asset::Silver {
                grams: required(raw.grams, "grams", kind)?.0,
                fineness: required(raw.fineness, "fineness", kind)?.0,
                usage: required(raw.usage, "use", kind)?,
            },
            K::Shares => Asset::Shares {
                value: required(raw.value, "value", kind)?.0,
                currency: currency()?,
                held: required(raw.held, "held", kind)?,
            },
            K::Fund => Asset::Fund {
                value: required(raw.value, "value", kind)?.0,
                currency: currency()?,
                zakatable_ratio: required(raw.zakatable_ratio, "zakatable_ratio", kind)?.0,
            },
            K::TradeGoods => Asset::TradeGoods {
                value: required(raw.value, "value", kind)?.0,
                currency: currency()?,
            },
            K::Receivable => Asset::Receivable {
                amount: required(raw.amount, "amount", kind)?.0,
                currency: currency()?,
                quality: required(raw.quality, "quality", kind)?,
            },
            K::Crop => Asset::Crop {
                kg: required(raw.kg, "kg", kind)?.0,
                irrigation: required(raw.irrigation, "irrigation", kind)?,
                price_per_kg: required(raw.price_per_kg, "price_per_kg", kind)?.0,
            },
            K::Livestock => Asset::Livestock {
                species: required(raw.species, "species", kind)?,
                count: required(raw.count, "count", kind)?.0,
            },
            K::Rikaz => Asset::Rikaz {
                value: required(raw.value, "value", kind)?.0,
                currency: currency()?,
            },
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DebtKind {
    DueNow,
    Instalment,
}

/// A debt line as written (see [`RawAsset`]).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDebt {
    pub(crate) kind: DebtKind,
    pub(crate) amount: Option<NonNegative>,
    pub(crate) monthly: Option<NonNegative>,
    pub(crate) currency: Option<Currency>,
    pub(crate) remaining_months: Option<Bounded<0, 10_000>>,
}

impl TryFrom<RawDebt> for Debt {
    type Error = String;

    fn try_from(raw: RawDebt) -> Result<Debt, String> {
        Ok(match raw.kind {
            DebtKind::DueNow => {
                let kind = "due_now";
                forbidden(&raw.monthly, "monthly", kind)?;
                forbidden(&raw.remaining_months, "remaining_months", kind)?;
                Debt::DueNow {
                    amount: required(raw.amount, "amount", kind)?.0,
                    currency: required(raw.currency, "currency", kind)?,
                }
            }
            DebtKind::Instalment => {
                let kind = "instalment";
                forbidden(&raw.amount, "amount", kind)?;
                Debt::Instalment {
                    monthly: required(raw.monthly, "monthly", kind)?.0,
                    currency: required(raw.currency, "currency", kind)?,
                    remaining_months: required(raw.remaining_months, "remaining_months", kind)?.0,
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field on every kind: refused where it does not belong, naming
    /// the first such field in the order the fields are listed.
    #[test]
    fn a_field_that_does_not_belong_is_named() {
        let values = [
            ("amount", "\"1\""),
            ("value", "\"1\""),
            ("currency", "\"USD\""),
            ("grams", "\"1\""),
            ("karat", "24"),
            ("fineness", "900"),
            ("use", "\"worn\""),
            ("held", "\"trading\""),
            ("zakatable_ratio", "\"0.5\""),
            ("quality", "\"strong\""),
            ("kg", "\"1\""),
            ("irrigation", "\"rain\""),
            ("price_per_kg", "\"1\""),
            ("species", "\"sheep\""),
            ("count", "1"),
        ];
        let kinds: [(&str, &[&str]); 10] = [
            ("cash", &["amount", "currency"]),
            ("gold", &["grams", "karat", "use"]),
            ("silver", &["grams", "fineness", "use"]),
            ("shares", &["value", "currency", "held"]),
            ("fund", &["value", "currency", "zakatable_ratio"]),
            ("trade_goods", &["value", "currency"]),
            ("rikaz", &["value", "currency"]),
            ("receivable", &["amount", "currency", "quality"]),
            ("crop", &["kg", "irrigation", "price_per_kg"]),
            ("livestock", &["species", "count"]),
        ];
        let field = |name: &str| {
            let value = values.iter().find(|(n, _)| *n == name).unwrap().1;
            format!(",\"{name}\":{value}")
        };
        for (kind, fields) in kinds {
            let base: String = fields.iter().map(|f| field(f)).collect();
            let text = format!("{{\"kind\":\"{kind}\"{base}}}");
            assert!(serde_json::from_str::<Asset>(&text).is_ok(), "{text}");
            let extras: Vec<&str> = values
                .iter()
                .map(|(name, _)| *name)
                .filter(|name| !fields.contains(name))
                .collect();
            for (at, extra) in extras.iter().enumerate() {
                // This extra field and every one after it: the first named.
                let more: String = extras[at..].iter().rev().map(|f| field(f)).collect();
                let text = format!("{{\"kind\":\"{kind}\"{base}{more}}}");
                let error = serde_json::from_str::<Asset>(&text)
                    .unwrap_err()
                    .to_string();
                let expected = format!("field `{extra}` does not belong to a `{kind}` record");
                assert!(error.starts_with(&expected), "{text}: {error}");
            }
        }
    }
}
