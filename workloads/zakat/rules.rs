//! The zakat rules of `ZAKAT.md`, written for the reader: one function per
//! rule, `rust_decimal` throughout, every rounding through `crate::money`.
//! This is the reference that every naive and optimized form of the lab is
//! checked against.

use rust_decimal::Decimal;

use crate::date::CivilDate;
use crate::money::{MoneyError, add_exact, mul_div_round, mul_exact, round_half_up, round_money};

use super::model::{
    Animal, AnimalCount, Assessment, Asset, CropDue, Debt, DebtPolicy, Holding, Irrigation,
    JewelleryPolicy, LivestockDue, LivestockGroup, NisabBasis, Payer, Policy, Prices, Quality,
    Usage, YearBasis, ZakatInput, ZakatOutput,
};
use crate::input::{Currency, InputError};

/// Grams of pure gold in the gold nisab.
pub const GOLD_NISAB_GRAMS: u32 = 85;
/// Grams of pure silver in the silver nisab.
pub const SILVER_NISAB_GRAMS: u32 = 595;
/// Kilograms of a harvest below which no crop zakat is due.
pub const CROP_NISAB_KG: u32 = 653;

/// Everything an assessment needs besides the payer: the same for every
/// payer in a file.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The day of assessment.
    pub zakat_date: CivilDate,
    /// The reporting currency.
    pub currency: Currency,
    /// Prices and exchange rates.
    pub prices: &'a Prices,
    /// The policy.
    pub policy: &'a Policy,
    /// The first [`RATES`] exchange rates, prepared once for a file and
    /// found by a short scan (a file names a handful of currencies); any
    /// further ones are looked up in `prices.fx`.
    rates: [(Currency, Decimal); RATES],
    /// How many of `rates` are filled.
    rates_len: usize,
}

/// Exchange rates a [`Context`] holds in its own short list.
const RATES: usize = 8;

/// A computation that cannot be done exactly, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessError {
    /// The line within the payer, as `assets[1]`, or the figure, as
    /// `net_wealth`.
    pub at: String,
    /// What went wrong, without a trailing period.
    pub message: String,
}

impl AssessError {
    #[cold]
    fn new(at: impl Into<String>, message: impl ToString) -> Self {
        AssessError {
            at: at.into(),
            message: message.to_string(),
        }
    }
}

impl<'a> Context<'a> {
    /// The context of a whole input file.
    pub fn of(input: &'a ZakatInput) -> Self {
        let mut rates = [(input.currency, Decimal::ONE); RATES];
        let rates_len = input.prices.fx.len().min(RATES);
        for (slot, (currency, rate)) in rates.iter_mut().zip(&input.prices.fx) {
            *slot = (*currency, *rate);
        }
        Context {
            zakat_date: input.zakat_date,
            currency: input.currency,
            prices: &input.prices,
            policy: &input.policy,
            rates,
            rates_len,
        }
    }

    /// Units of the reporting currency per unit of `currency`.
    ///
    /// A precondition, not a check: `ZakatInput::from_json` refuses a line
    /// whose currency has no rate, and the generator names only currencies
    /// it prices, so a rate is always there (this panics if a caller builds
    /// an input by hand without one).
    pub fn fx_rate(&self, currency: Currency) -> Decimal {
        if currency == self.currency {
            return Decimal::ONE;
        }
        match self.rates[..self.rates_len]
            .iter()
            .find(|(c, _)| *c == currency)
        {
            Some((_, rate)) => *rate,
            None => self.prices.fx[&currency],
        }
    }
}

/// Assesses every payer of a file, in order.
pub fn assess_all(input: &ZakatInput) -> Result<ZakatOutput, InputError> {
    let context = Context::of(input);
    let assessments = input
        .payers
        .iter()
        .enumerate()
        .map(|(idx, payer)| {
            assess(payer, &context)
                .map_err(|e| InputError::new(format!("payers[{idx}].{}", e.at), e.message))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ZakatOutput {
        currency: input.currency,
        assessments,
    })
}

/// Assesses one payer under the default rules and the context's policy.
// ANCHOR: assess
pub fn assess(payer: &Payer, context: &Context) -> Result<Assessment, AssessError> {
    let hawl_end = hawl_end(payer.hawl_start, context.policy.year)
        .map_err(|e| AssessError::new("hawl_start", e))?;
    let hawl_complete = context.zakat_date >= hawl_end;

    let mut zakatable_assets = Decimal::ZERO;
    let mut rikaz_value = Decimal::ZERO;
    let mut crops = Vec::new();
    let mut livestock_counts: Vec<(LivestockGroup, u32)> = Vec::new();
    for (line_idx, asset) in payer.assets.iter().enumerate() {
        let at = |error: MoneyError| AssessError::new(format!("assets[{line_idx}]"), error);
        match asset {
            Asset::Crop {
                kg,
                irrigation,
                price_per_kg,
            } => crops.push(crop_due(*kg, *irrigation, *price_per_kg).map_err(at)?),
            Asset::Livestock { species, count } => {
                let group = species.group();
                match livestock_counts.iter_mut().find(|(g, _)| *g == group) {
                    Some((_, total)) => *total = total.saturating_add(*count),
                    None => livestock_counts.push((group, *count)),
                }
            }
            Asset::Rikaz { value, currency } => {
                let line = line_value(*value, context.fx_rate(*currency)).map_err(at)?;
                rikaz_value = add_exact(rikaz_value, line).map_err(at)?;
            }
            _ => {
                let line = zakatable_value(asset, context).map_err(at)?;
                zakatable_assets = add_exact(zakatable_assets, line).map_err(at)?;
            }
        }
    }

    let mut deductible_debts = Decimal::ZERO;
    for (line_idx, debt) in payer.debts.iter().enumerate() {
        let at = |error: MoneyError| AssessError::new(format!("debts[{line_idx}]"), error);
        let line = deductible(debt, context).map_err(at)?;
        deductible_debts = add_exact(deductible_debts, line).map_err(at)?;
    }

    let net_wealth = (zakatable_assets - deductible_debts).max(Decimal::ZERO);
    let figure = |at: &'static str| move |error: MoneyError| AssessError::new(at, error);
    let nisab = nisab_value(context.prices, context.policy.nisab).map_err(figure("nisab"))?;
    let nisab_met = net_wealth >= nisab;
    let wealth_zakat = if hawl_complete && nisab_met {
        round_money(
            mul_exact(net_wealth, rate(context.policy.year)).map_err(figure("wealth_zakat"))?,
        )
    } else {
        Decimal::ZERO
    };

    livestock_counts.sort_by_key(|(group, _)| *group);
    let livestock = livestock_counts
        .into_iter()
        .map(|(species, count)| LivestockDue {
            species,
            due: if hawl_complete {
                livestock_due(species, count)
            } else {
                Vec::new()
            },
        })
        .collect();

    let rikaz_zakat =
        round_money(mul_exact(rikaz_value, RIKAZ_RATE).map_err(figure("rikaz_zakat"))?);
    let mut total_due = add_exact(wealth_zakat, rikaz_zakat).map_err(figure("total_due"))?;
    for crop in &crops {
        total_due = add_exact(total_due, crop.value).map_err(figure("total_due"))?;
    }

    Ok(Assessment {
        id: payer.id.clone(),
        hawl_end,
        hawl_complete,
        zakatable_assets,
        deductible_debts,
        net_wealth,
        nisab,
        nisab_met,
        wealth_zakat,
        crops,
        livestock,
        rikaz_zakat,
        total_due,
    })
}
// ANCHOR_END: assess

/// Zakat on found treasure: one fifth.
pub const RIKAZ_RATE: Decimal = Decimal::from_parts(2, 0, 0, false, 1);

/// The day the hawl ends: one Umm al-Qura year after its start (day 30 of a
/// 29-day month clamped to day 29), or one Gregorian year under the solar
/// policy.
pub fn hawl_end(
    hawl_start: CivilDate,
    year: YearBasis,
) -> Result<CivilDate, crate::date::DateError> {
    match year {
        YearBasis::Lunar => hawl_start.hijri_year_later(),
        YearBasis::Solar => hawl_start.gregorian_year_later(),
    }
}

/// The zakat rate of the policy's year: 2.5 % lunar, 2.577 % solar.
pub fn rate(year: YearBasis) -> Decimal {
    match year {
        YearBasis::Lunar => Decimal::new(25, 3),
        YearBasis::Solar => Decimal::new(2577, 5),
    }
}

/// A value converted to the reporting currency, rounded to the cent once.
pub fn line_value(value: Decimal, fx_rate: Decimal) -> Result<Decimal, MoneyError> {
    Ok(round_money(mul_exact(value, fx_rate)?))
}

/// The zakatable value of a wealth line (cash, metals, shares, funds, trade
/// goods, receivables), rounded to the cent; zero for an exempt line.
pub fn zakatable_value(asset: &Asset, context: &Context) -> Result<Decimal, MoneyError> {
    let prices = context.prices;
    let jewellery_exempt = context.policy.jewellery == JewelleryPolicy::Exempt;
    match asset {
        Asset::Cash { amount, currency } => line_value(*amount, context.fx_rate(*currency)),
        Asset::Gold {
            grams,
            karat,
            usage,
        } => {
            if *usage == Usage::Worn && jewellery_exempt {
                return Ok(Decimal::ZERO);
            }
            // grams × karat / 24 × price: multiply first, divide last, so
            // that 22/24 is never rounded before the final cent.
            let numerator = mul_exact(
                mul_exact(*grams, Decimal::from(*karat))?,
                prices.gold_per_gram,
            )?;
            mul_div_round(numerator, Decimal::from(24), crate::money::MONEY_DP)
        }
        Asset::Silver {
            grams,
            fineness,
            usage,
        } => {
            if *usage == Usage::Worn && jewellery_exempt {
                return Ok(Decimal::ZERO);
            }
            let numerator = mul_exact(
                mul_exact(*grams, Decimal::from(*fineness))?,
                prices.silver_per_gram,
            )?;
            mul_div_round(numerator, Decimal::from(1000), crate::money::MONEY_DP)
        }
        Asset::Shares {
            value,
            currency,
            held,
        } => {
            let ratio = match held {
                Holding::Trading => Decimal::ONE,
                Holding::LongTerm => context.policy.long_term_shares_ratio,
            };
            let converted = mul_exact(*value, context.fx_rate(*currency))?;
            Ok(round_money(mul_exact(converted, ratio)?))
        }
        Asset::Fund {
            value,
            currency,
            zakatable_ratio,
        } => {
            let converted = mul_exact(*value, context.fx_rate(*currency))?;
            Ok(round_money(mul_exact(converted, *zakatable_ratio)?))
        }
        Asset::TradeGoods { value, currency } => line_value(*value, context.fx_rate(*currency)),
        Asset::Receivable {
            amount,
            currency,
            quality,
        } => match quality {
            Quality::Strong => line_value(*amount, context.fx_rate(*currency)),
            Quality::Weak => Ok(Decimal::ZERO),
        },
        Asset::Crop { .. } | Asset::Livestock { .. } | Asset::Rikaz { .. } => Ok(Decimal::ZERO),
    }
}

/// The deductible part of a debt under the policy, in the reporting
/// currency, rounded to the cent.
pub fn deductible(debt: &Debt, context: &Context) -> Result<Decimal, MoneyError> {
    let months_counted = |remaining: u32| match context.policy.debts {
        DebtPolicy::TwelveMonths => remaining.min(12),
        DebtPolicy::NextInstalment => remaining.min(1),
        DebtPolicy::None => 0,
    };
    match debt {
        _ if context.policy.debts == DebtPolicy::None => Ok(Decimal::ZERO),
        Debt::DueNow { amount, currency } => line_value(*amount, context.fx_rate(*currency)),
        Debt::Instalment {
            monthly,
            currency,
            remaining_months,
        } => {
            let owed = mul_exact(*monthly, Decimal::from(months_counted(*remaining_months)))?;
            line_value(owed, context.fx_rate(*currency))
        }
    }
}

/// The nisab value under the policy, rounded to the cent.
pub fn nisab_value(prices: &Prices, basis: NisabBasis) -> Result<Decimal, MoneyError> {
    let gold = || mul_exact(Decimal::from(GOLD_NISAB_GRAMS), prices.gold_per_gram).map(round_money);
    let silver =
        || mul_exact(Decimal::from(SILVER_NISAB_GRAMS), prices.silver_per_gram).map(round_money);
    Ok(match basis {
        NisabBasis::Gold => gold()?,
        NisabBasis::Silver => silver()?,
        NisabBasis::Lower => gold()?.min(silver()?),
    })
}

/// The share of a harvest that is due: 10 % rain-fed, 5 % irrigated, 7.5 %
/// mixed.
pub fn crop_rate(irrigation: Irrigation) -> Decimal {
    match irrigation {
        Irrigation::Rain => Decimal::new(10, 2),
        Irrigation::Irrigated => Decimal::new(5, 2),
        Irrigation::Mixed => Decimal::new(75, 3),
    }
}

/// The zakat on one harvest: nothing below 653 kg; otherwise the kilograms
/// due (to the gram) and their value (to the cent).
pub fn crop_due(
    kg: Decimal,
    irrigation: Irrigation,
    price_per_kg: Decimal,
) -> Result<CropDue, MoneyError> {
    if kg < Decimal::from(CROP_NISAB_KG) {
        return Ok(CropDue {
            kg: Decimal::ZERO,
            value: Decimal::ZERO,
        });
    }
    let due_kg = round_half_up(mul_exact(kg, crop_rate(irrigation))?, 3);
    let value = round_money(mul_exact(due_kg, price_per_kg)?);
    Ok(CropDue { kg: due_kg, value })
}

/// The animals due on `count` head of a species group (the hawl being
/// complete). Empty when the count is below the first bracket.
pub fn livestock_due(group: LivestockGroup, count: u32) -> Vec<AnimalCount> {
    livestock_due_in_kind(group, count)
        .into_iter()
        .filter(|due| due.count > 0)
        .collect()
}

/// The animals due, as at most two kinds in receipt order, an absent kind
/// counting zero: [`livestock_due`] without the `Vec`.
pub fn livestock_due_in_kind(group: LivestockGroup, count: u32) -> [AnimalCount; 2] {
    let due = |animal, count| AnimalCount { animal, count };
    let one = |animal, count| [due(animal, count), due(animal, 0)];
    match group {
        LivestockGroup::SheepAndGoats => {
            let sheep = match count {
                0..=39 => 0,
                40..=120 => 1,
                121..=200 => 2,
                201..=399 => 3,
                _ => count / 100,
            };
            one(Animal::Sheep, sheep)
        }
        LivestockGroup::Cattle => match count {
            0..=29 => one(Animal::Tabi, 0),
            30..=39 => one(Animal::Tabi, 1),
            40..=59 => one(Animal::Musinnah, 1),
            _ => {
                // Drop the units, then N = 30a + 40b with the most musinnah.
                let (tabi, musinnah) = decompose(count - count % 10, 30, 40);
                [due(Animal::Tabi, tabi), due(Animal::Musinnah, musinnah)]
            }
        },
        LivestockGroup::Camels => match count {
            0..=4 => one(Animal::Sheep, 0),
            5..=24 => one(Animal::Sheep, count / 5),
            25..=35 => one(Animal::BintMakhad, 1),
            36..=45 => one(Animal::BintLabun, 1),
            46..=60 => one(Animal::Hiqqah, 1),
            61..=75 => one(Animal::Jadhaah, 1),
            76..=90 => one(Animal::BintLabun, 2),
            91..=120 => one(Animal::Hiqqah, 2),
            _ => {
                // Drop the units, then N = 40a + 50b with the most hiqqah.
                let (bint_labun, hiqqah) = decompose(count - count % 10, 40, 50);
                [
                    due(Animal::BintLabun, bint_labun),
                    due(Animal::Hiqqah, hiqqah),
                ]
            }
        },
    }
}

/// Writes `total = small × a + large × b` with the largest `b`. Every
/// multiple of ten from 60 (cattle: 30 and 40) or 120 (camels: 40 and 50)
/// has such a decomposition.
fn decompose(total: u32, small: u32, large: u32) -> (u32, u32) {
    (0..=total / large)
        .rev()
        .find(|b| (total - b * large).is_multiple_of(small))
        .map(|b| ((total - b * large) / small, b))
        .expect("every multiple of ten above the first bracket decomposes")
}
