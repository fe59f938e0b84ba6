//! The zakat rules in fixed point: the assessment of the optimized
//! pipeline.
//!
//! Every figure is an `i64` count of cents (crops: of grams), products are
//! taken in `i128`, and a payer's assessment allocates nothing. The
//! reference ([`super::rules::assess`]) computes in `Decimal`, and fails
//! where a product would not fit `Decimal`'s 96-bit mantissa. This module
//! never has to decide such a case: a payer whose arithmetic could leave
//! the fast domain (a product of mantissas at or above 2^96, a figure
//! beyond `i64`, more than [`MAX_CROPS`] harvests, a hawl the calendar
//! cannot end) is handed back as `None`, and the caller assesses that payer
//! with the reference. The checks are conservative, never optimistic, so
//! every payer gets exactly the reference's figures, errors included.
//!
//! What is hoisted out of the loop over payers ([`Prepared`]): the nisab,
//! the exchange rates as integers, the policy, and the hawl's end for every
//! day payers started one on (one Umm al-Qura conversion a day instead of
//! one a payer).

use rayon::prelude::*;
use rust_decimal::Decimal;

use super::model::{Asset, Debt, DebtPolicy, Holding, Irrigation, JewelleryPolicy, Payer, Quality};
use super::model::{LivestockGroup, Usage, YearBasis, ZakatInput};
use super::rules::{CROP_NISAB_KG, Context, hawl_end, nisab_value};
use crate::date::CivilDate;
use crate::input::Currency;
use crate::money::{Num, cents_num};

/// The most harvests a payer may have and be assessed here.
pub const MAX_CROPS: usize = 4;

/// One harvest's zakat: grams due and their value in cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Crop {
    /// Kilograms due, in grams.
    pub grams: i64,
    /// Their value, in cents.
    pub cents: i64,
}

/// One payer's assessment in fixed point: the figures of
/// [`super::model::Assessment`], in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    /// The day the hawl ends.
    pub hawl_end: CivilDate,
    /// Whether it has ended by the zakat date.
    pub hawl_complete: bool,
    /// Zakatable assets, cents.
    pub zakatable_assets: i64,
    /// Deductible debts, cents.
    pub deductible_debts: i64,
    /// Net wealth, cents.
    pub net_wealth: i64,
    /// Whether net wealth reaches the nisab.
    pub nisab_met: bool,
    /// Zakat on wealth, cents.
    pub wealth_zakat: i64,
    /// The harvests, in line order; the first `n_crops` are used.
    pub crops: [Crop; MAX_CROPS],
    /// How many harvests.
    pub n_crops: u8,
    /// Head counted per livestock group (in `LivestockGroup` order), where
    /// the payer holds the group at all.
    pub herds: [Option<u32>; 3],
    /// Zakat on rikaz, cents.
    pub rikaz_zakat: i64,
    /// The total due, cents.
    pub total_due: i64,
}

/// The livestock groups, in the order receipts list them.
pub const GROUPS: [LivestockGroup; 3] = [
    LivestockGroup::SheepAndGoats,
    LivestockGroup::Cattle,
    LivestockGroup::Camels,
];

/// Everything the same for every payer of a file, computed once.
#[derive(Debug, Clone)]
pub struct Prepared<'a> {
    /// The reference's context, for the payers assessed by the reference.
    pub context: Context<'a>,
    /// The nisab in cents; `None` where the reference cannot compute it
    /// (then every payer goes to the reference, which says why).
    pub nisab: Option<i64>,
    fx: Vec<(Currency, Num)>,
    long_term_ratio: Num,
    jewellery_exempt: bool,
    debts: DebtPolicy,
    year: YearBasis,
    gold_per_gram: Num,
    silver_per_gram: Num,
    hawl: HawlTable,
}

/// The hawl's end for each day of a range of start days, indexed by
/// [`day_key`] (no calendar arithmetic to look one up).
#[derive(Debug, Clone, Default)]
struct HawlTable {
    first_key: usize,
    ends: Vec<Option<CivilDate>>,
}

/// A date as `year × 372 + (month − 1) × 31 + day − 1`: increasing with
/// the date, computed with two multiplications, with a few unused keys
/// (the 30th of February).
#[inline]
fn day_key(date: CivilDate) -> usize {
    (date.year() as usize) * 372 + usize::from(date.month() - 1) * 31 + usize::from(date.day() - 1)
}

impl<'a> Prepared<'a> {
    /// Hoists what every payer shares. With `parallel`, the hawl table is
    /// filled on every core.
    pub fn new(input: &'a ZakatInput, parallel: bool) -> Prepared<'a> {
        Prepared::for_payers(input, &input.payers, parallel)
    }

    /// Hoists what `payers` share under `input`'s context (whose own payers
    /// are not looked at): a stream prepares each batch of the payers it
    /// reads under the context line.
    pub fn for_payers(input: &'a ZakatInput, payers: &[Payer], parallel: bool) -> Prepared<'a> {
        let starts = payers.iter().map(|payer| payer.hawl_start);
        Prepared::with_hawl(input, HawlTable::new(starts, input.policy.year, parallel))
    }

    /// Hoists what payers with these hawl starts share (the hawl table
    /// covers them; a payer starting elsewhere has its hawl computed as it
    /// comes).
    pub fn for_starts(input: &'a ZakatInput, starts: &[CivilDate], parallel: bool) -> Prepared<'a> {
        let starts = starts.iter().copied();
        Prepared::with_hawl(input, HawlTable::new(starts, input.policy.year, parallel))
    }

    fn with_hawl(input: &'a ZakatInput, hawl: HawlTable) -> Prepared<'a> {
        let context = Context::of(input);
        let mut fx = vec![(input.currency, Num::of(Decimal::ONE))];
        fx.extend(
            input
                .prices
                .fx
                .iter()
                .filter(|(currency, _)| **currency != input.currency)
                .map(|(currency, rate)| (*currency, Num::of(*rate))),
        );
        let nisab = nisab_value(&input.prices, input.policy.nisab)
            .ok()
            .and_then(|nisab| Num::of(nisab).cents());
        Prepared {
            context,
            nisab,
            fx,
            long_term_ratio: Num::of(input.policy.long_term_shares_ratio),
            jewellery_exempt: input.policy.jewellery == JewelleryPolicy::Exempt,
            debts: input.policy.debts,
            year: input.policy.year,
            gold_per_gram: Num::of(input.prices.gold_per_gram),
            silver_per_gram: Num::of(input.prices.silver_per_gram),
            hawl,
        }
    }

    #[inline]
    fn fx(&self, currency: Currency) -> Option<Num> {
        // Most lines are in the reporting currency, the list's first entry;
        // codes compare as one integer rather than three bytes.
        let code = |c: Currency| u32::from_le_bytes([c.0[0], c.0[1], c.0[2], 0]);
        let wanted = code(currency);
        self.fx
            .iter()
            .find(|(c, _)| code(*c) == wanted)
            .map(|(_, rate)| *rate)
    }

    /// `round(value × rate)` to the cent: the reference's `line_value`.
    #[inline]
    fn line(&self, value: Decimal, currency: Currency) -> Option<i64> {
        if currency == self.context.currency && value.scale() <= 2 {
            // Most lines: the reporting currency (a rate of exactly one) and
            // at most two places, so the cents are the mantissa scaled up.
            let scale_up = [100, 10, 1][value.scale() as usize];
            return i64::try_from(value.mantissa()).ok()?.checked_mul(scale_up);
        }
        Num::of(value).times(self.fx(currency)?)?.cents()
    }

    /// The reference's `zakatable_value`, for a wealth line.
    #[inline]
    pub fn wealth_line(&self, asset: &Asset) -> Option<i64> {
        match asset {
            Asset::Cash { amount, currency } => self.line(*amount, *currency),
            Asset::TradeGoods { value, currency } => self.line(*value, *currency),
            Asset::Receivable {
                amount,
                currency,
                quality,
            } => match quality {
                Quality::Strong => self.line(*amount, *currency),
                Quality::Weak => Some(0),
            },
            Asset::Gold {
                grams,
                karat,
                usage,
            } => self.metal(*grams, *karat, 24, *usage, self.gold_per_gram),
            Asset::Silver {
                grams,
                fineness,
                usage,
            } => self.metal(*grams, *fineness, 1000, *usage, self.silver_per_gram),
            Asset::Shares {
                value,
                currency,
                held,
            } => {
                let ratio = match held {
                    Holding::Trading => Num::int(1),
                    Holding::LongTerm => self.long_term_ratio,
                };
                let converted = Num::of(*value).times(self.fx(*currency)?)?;
                converted.times(ratio)?.cents()
            }
            Asset::Fund {
                value,
                currency,
                zakatable_ratio,
            } => {
                let converted = Num::of(*value).times(self.fx(*currency)?)?;
                converted.times(Num::of(*zakatable_ratio))?.cents()
            }
            Asset::Crop { .. } | Asset::Livestock { .. } | Asset::Rikaz { .. } => Some(0),
        }
    }

    /// `grams × purity / parts × price`, multiplied first and divided once.
    fn metal(
        &self,
        grams: Decimal,
        purity: u32,
        parts: i128,
        usage: Usage,
        price: Num,
    ) -> Option<i64> {
        if usage == Usage::Worn && self.jewellery_exempt {
            return Some(0);
        }
        Num::of(grams)
            .times(Num::int(purity))?
            .times(price)?
            .div_cents(parts)
    }

    /// The reference's `deductible`.
    #[inline]
    fn debt(&self, debt: &Debt) -> Option<i64> {
        match debt {
            _ if self.debts == DebtPolicy::None => Some(0),
            Debt::DueNow { amount, currency } => self.line(*amount, *currency),
            Debt::Instalment {
                monthly,
                currency,
                remaining_months,
            } => {
                let months = match self.debts {
                    DebtPolicy::TwelveMonths => (*remaining_months).min(12),
                    DebtPolicy::NextInstalment => (*remaining_months).min(1),
                    DebtPolicy::None => 0,
                };
                let owed = Num::of(*monthly).times(Num::int(months))?;
                owed.times(self.fx(*currency)?)?.cents()
            }
        }
    }

    /// The reference's `crop_due`.
    fn crop(kg: Decimal, irrigation: Irrigation, price_per_kg: Decimal) -> Option<Crop> {
        if kg < Decimal::from(CROP_NISAB_KG) {
            return Some(Crop::default());
        }
        let rate = match irrigation {
            Irrigation::Rain => Num {
                mantissa: 10,
                scale: 2,
            },
            Irrigation::Irrigated => Num {
                mantissa: 5,
                scale: 2,
            },
            Irrigation::Mixed => Num {
                mantissa: 75,
                scale: 3,
            },
        };
        let grams = Num::of(kg).times(rate)?.units(3)?;
        let due_kg = Num {
            mantissa: i128::from(grams),
            scale: 3,
        };
        let cents = due_kg.times(Num::of(price_per_kg))?.cents()?;
        Some(Crop { grams, cents })
    }

    /// Assesses one payer, or `None` where the reference must (see the
    /// module's documentation).
    // ANCHOR: assess
    #[inline]
    pub fn assess(&self, payer: &Payer) -> Option<Figures> {
        let nisab = self.nisab?;
        let hawl_end = self.hawl.end(payer.hawl_start, self.year)?;
        let hawl_complete = self.context.zakat_date >= hawl_end;

        let (mut zakatable_assets, mut rikaz_value) = (0i64, 0i64);
        let mut crops = [Crop::default(); MAX_CROPS];
        let mut n_crops = 0;
        let mut herds = [None; 3];
        for asset in &payer.assets {
            match asset {
                Asset::Crop {
                    kg,
                    irrigation,
                    price_per_kg,
                } => {
                    *crops.get_mut(n_crops)? = Self::crop(*kg, *irrigation, *price_per_kg)?;
                    n_crops += 1;
                }
                Asset::Livestock { species, count } => {
                    let herd = &mut herds[species.group() as usize];
                    *herd = Some(herd.unwrap_or(0u32).saturating_add(*count));
                }
                Asset::Rikaz { value, currency } => {
                    rikaz_value = rikaz_value.checked_add(self.line(*value, *currency)?)?;
                }
                _ => zakatable_assets = zakatable_assets.checked_add(self.wealth_line(asset)?)?,
            }
        }
        let mut deductible_debts = 0i64;
        for debt in &payer.debts {
            deductible_debts = deductible_debts.checked_add(self.debt(debt)?)?;
        }

        let net_wealth = zakatable_assets.checked_sub(deductible_debts)?.max(0);
        let nisab_met = net_wealth >= nisab;
        let wealth_zakat = if hawl_complete && nisab_met {
            let rate = match self.year {
                YearBasis::Lunar => Num {
                    mantissa: 25,
                    scale: 3,
                },
                YearBasis::Solar => Num {
                    mantissa: 2577,
                    scale: 5,
                },
            };
            cents_num(net_wealth).times(rate)?.cents()?
        } else {
            0
        };
        let rikaz_zakat = cents_num(rikaz_value)
            .times(Num {
                mantissa: 2,
                scale: 1,
            })?
            .cents()?;
        let mut total_due = wealth_zakat.checked_add(rikaz_zakat)?;
        for crop in &crops[..n_crops] {
            total_due = total_due.checked_add(crop.cents)?;
        }
        Some(Figures {
            hawl_end,
            hawl_complete,
            zakatable_assets,
            deductible_debts,
            net_wealth,
            nisab_met,
            wealth_zakat,
            crops,
            n_crops: n_crops as u8,
            herds,
            rikaz_zakat,
            total_due,
        })
    }
    // ANCHOR_END: assess
}

impl HawlTable {
    /// One hawl end a key, from the first to the last start day, when
    /// there are no more such keys than starts (otherwise an empty table,
    /// and each payer's hawl is computed as it comes).
    fn new(starts: impl Iterator<Item = CivilDate>, year: YearBasis, parallel: bool) -> HawlTable {
        let mut count = 0;
        let Some((first, last)) =
            starts
                .map(day_key)
                .fold(None, |range: Option<(usize, usize)>, key| {
                    count += 1;
                    match range {
                        None => Some((key, key)),
                        Some((lo, hi)) => Some((lo.min(key), hi.max(key))),
                    }
                })
        else {
            return HawlTable::default();
        };
        let span = last - first + 1;
        if span > count {
            return HawlTable::default();
        }
        let end_of = |offset: usize| {
            let key = first + offset;
            let (year_of, rest) = (key / 372, key % 372);
            let start =
                CivilDate::new(year_of as i32, (rest / 31 + 1) as u8, (rest % 31 + 1) as u8);
            // A key that is no day (the 30th of February) is never looked up.
            start.ok().and_then(|start| hawl_end(start, year).ok())
        };
        let ends = if parallel {
            (0..span).into_par_iter().map(end_of).collect()
        } else {
            (0..span).map(end_of).collect()
        };
        HawlTable {
            first_key: first,
            ends,
        }
    }

    /// The hawl's end for `start`; `None` where the calendar cannot say
    /// (the reference then reports the error).
    #[inline]
    fn end(&self, start: CivilDate, year: YearBasis) -> Option<CivilDate> {
        match day_key(start)
            .checked_sub(self.first_key)
            .and_then(|offset| self.ends.get(offset))
        {
            Some(end) => *end,
            None => hawl_end(start, year).ok(),
        }
    }
}
