//! The assessments as JSON, written by hand ([`crate::json::JsonWriter`]):
//! the same bytes as `serde_json` writes for [`Assessment`], pretty in a
//! document or compact on a line of a stream, several times faster.

use rust_decimal::Decimal;

use super::fixed::{Figures, GROUPS, Prepared};
use super::model::{Animal, AnimalCount, Assessment, LivestockGroup};
use super::rules::livestock_due;
use crate::date::CivilDate;
use crate::json::JsonWriter;
use crate::money::MONEY_DP;
use crate::text::{write_date, write_units_between};

/// Writes one assessment, field for field as its `Serialize` does.
pub fn write_assessment(w: &mut JsonWriter<'_>, a: &Assessment) {
    let money = |value| Figure::Decimal(value, MONEY_DP);
    write_fields(
        w,
        &Fields {
            id: &a.id,
            hawl_end: a.hawl_end,
            hawl_complete: a.hawl_complete,
            zakatable_assets: money(a.zakatable_assets),
            deductible_debts: money(a.deductible_debts),
            net_wealth: money(a.net_wealth),
            nisab: money(a.nisab),
            nisab_met: a.nisab_met,
            wealth_zakat: money(a.wealth_zakat),
            rikaz_zakat: money(a.rikaz_zakat),
            total_due: money(a.total_due),
        },
        a.crops
            .iter()
            .map(|crop| (Figure::Decimal(crop.kg, 3), money(crop.value))),
        a.livestock.iter().map(|herd| (herd.species, &herd.due[..])),
    );
}

/// Writes the assessment of the payer `id` from the engine's fixed-point figures
/// (cents, grams), without building the [`Assessment`]: the same bytes as
/// [`write_assessment`] of [`super::engine::assessment`]'s.
pub fn write_figures(w: &mut JsonWriter<'_>, id: &str, f: &Figures, prepared: &Prepared) {
    // Figures exist only where the nisab is in cents.
    let nisab = prepared.nisab.unwrap_or_default();
    if f.n_crops == 0 && f.herds == [None; 3] && !crate::json::needs_escape(id) {
        if let Some(out) = w.text_at(true, 2) {
            write_plain_pretty(out, id, f, nisab);
            return;
        }
        if let Some(out) = w.text_at(false, 0) {
            write_plain_compact(out, id, f, nisab);
            return;
        }
    }
    let cents = |units| Figure::Units(units, MONEY_DP);
    let herds: Vec<(LivestockGroup, Vec<AnimalCount>)> = GROUPS
        .iter()
        .zip(f.herds)
        .filter_map(|(group, herd)| {
            let count = herd?;
            let due = if f.hawl_complete {
                livestock_due(*group, count)
            } else {
                Vec::new()
            };
            Some((*group, due))
        })
        .collect();
    write_fields(
        w,
        &Fields {
            id,
            hawl_end: f.hawl_end,
            hawl_complete: f.hawl_complete,
            zakatable_assets: cents(f.zakatable_assets),
            deductible_debts: cents(f.deductible_debts),
            net_wealth: cents(f.net_wealth),
            nisab: cents(nisab),
            nisab_met: f.nisab_met,
            wealth_zakat: cents(f.wealth_zakat),
            rikaz_zakat: cents(f.rikaz_zakat),
            total_due: cents(f.total_due),
        },
        f.crops[..usize::from(f.n_crops)]
            .iter()
            .map(|crop| (Figure::Units(crop.grams, 3), cents(crop.cents))),
        herds.iter().map(|(group, due)| (*group, &due[..])),
    );
}

/// The writer of an assessment with no crops and no herds (nearly every
/// payer) in one layout: its text between the figures pushed as constant
/// runs, each key with the punctuation around it and the constant fields
/// beside it in one run, where the general layout writes every separator,
/// key and bracket on its own. The same bytes as [`write_fields`] (the
/// tests hold both to the reference's writer); the id needs no escape.
/// `$open` starts the object up to its first key, `$sep` goes before each
/// later key, `$colon` after every key, `$close` ends the object.
macro_rules! plain_writer {
    ($name:ident, $doc:literal, $open:literal, $sep:literal, $colon:literal, $close:literal) => {
        #[doc = $doc]
        fn $name(out: &mut String, id: &str, f: &Figures, nisab: i64) {
            macro_rules! key {
                ($key:literal) => {
                    concat!($sep, "\"", $key, "\"", $colon)
                };
            }
            let cents = |out: &mut String, units| {
                if units == 0 {
                    // Most payers' rikaz, and many a debt total and zakat.
                    out.push_str("\"0.00\"");
                } else {
                    write_units_between(out, units, MONEY_DP, Some(b'"'));
                }
            };
            out.push_str(concat!($open, "\"id\"", $colon, "\""));
            out.push_str(id);
            out.push_str(concat!("\"", key!("hawl_end"), "\""));
            write_date(out, f.hawl_end);
            out.push_str(if f.hawl_complete {
                concat!(
                    "\"",
                    key!("hawl_complete"),
                    "true",
                    key!("zakatable_assets")
                )
            } else {
                concat!(
                    "\"",
                    key!("hawl_complete"),
                    "false",
                    key!("zakatable_assets")
                )
            });
            cents(out, f.zakatable_assets);
            out.push_str(key!("deductible_debts"));
            cents(out, f.deductible_debts);
            out.push_str(key!("net_wealth"));
            cents(out, f.net_wealth);
            out.push_str(key!("nisab"));
            cents(out, nisab);
            out.push_str(if f.nisab_met {
                concat!(key!("nisab_met"), "true", key!("wealth_zakat"))
            } else {
                concat!(key!("nisab_met"), "false", key!("wealth_zakat"))
            });
            cents(out, f.wealth_zakat);
            out.push_str(concat!(
                key!("crops"),
                "[]",
                key!("livestock"),
                "[]",
                key!("rikaz_zakat")
            ));
            cents(out, f.rikaz_zakat);
            out.push_str(key!("total_due"));
            cents(out, f.total_due);
            out.push_str($close);
        }
    };
}

plain_writer!(
    write_plain_pretty,
    "A plain assessment pretty in a document's array (two deep).",
    "{\n      ",
    ",\n      ",
    ": ",
    "\n    }"
);

plain_writer!(
    write_plain_compact,
    "A plain assessment compact, a line of a stream.",
    "{",
    ",",
    ":",
    "}"
);

/// A figure as the model holds it or as the engine does.
#[derive(Clone, Copy)]
enum Figure {
    /// A `Decimal`, written with so many places.
    Decimal(Decimal, u32),
    /// A count of `10^-dp` units.
    Units(i64, u32),
}

impl Figure {
    #[inline]
    fn write(self, w: &mut JsonWriter<'_>) {
        match self {
            Figure::Decimal(value, dp) => w.fixed(value, dp),
            Figure::Units(units, dp) => w.units(units, dp),
        }
    }
}

/// An assessment's scalar fields.
struct Fields<'a> {
    id: &'a str,
    hawl_end: CivilDate,
    hawl_complete: bool,
    zakatable_assets: Figure,
    deductible_debts: Figure,
    net_wealth: Figure,
    nisab: Figure,
    nisab_met: bool,
    wealth_zakat: Figure,
    rikaz_zakat: Figure,
    total_due: Figure,
}

/// The one layout of an assessment: crops as (kg, value), herds as
/// (group, animals due).
fn write_fields<'d>(
    w: &mut JsonWriter<'_>,
    a: &Fields<'_>,
    crops: impl Iterator<Item = (Figure, Figure)>,
    livestock: impl Iterator<Item = (LivestockGroup, &'d [AnimalCount])>,
) {
    w.begin_object();
    w.key("id");
    w.string(a.id);
    w.key("hawl_end");
    w.date(a.hawl_end);
    w.key("hawl_complete");
    w.boolean(a.hawl_complete);
    w.key("zakatable_assets");
    a.zakatable_assets.write(w);
    w.key("deductible_debts");
    a.deductible_debts.write(w);
    w.key("net_wealth");
    a.net_wealth.write(w);
    w.key("nisab");
    a.nisab.write(w);
    w.key("nisab_met");
    w.boolean(a.nisab_met);
    w.key("wealth_zakat");
    a.wealth_zakat.write(w);
    w.key("crops");
    w.begin_array();
    for (kg, value) in crops {
        w.element();
        w.begin_object();
        w.key("kg");
        kg.write(w);
        w.key("value");
        value.write(w);
        w.end_object();
    }
    w.end_array();
    w.key("livestock");
    w.begin_array();
    for (species, due) in livestock {
        w.element();
        w.begin_object();
        w.key("species");
        w.raw(group_json(species));
        w.key("due");
        w.begin_array();
        for animals in due {
            w.element();
            w.begin_object();
            w.key("animal");
            w.raw(animal_json(animals.animal));
            w.key("count");
            w.number(u64::from(animals.count));
            w.end_object();
        }
        w.end_array();
        w.end_object();
    }
    w.end_array();
    w.key("rikaz_zakat");
    a.rikaz_zakat.write(w);
    w.key("total_due");
    a.total_due.write(w);
    w.end_object();
}

/// A livestock group as its JSON string.
fn group_json(group: LivestockGroup) -> &'static str {
    match group {
        LivestockGroup::SheepAndGoats => "\"sheep_and_goats\"",
        LivestockGroup::Cattle => "\"cattle\"",
        LivestockGroup::Camels => "\"camels\"",
    }
}

/// An animal as its JSON string.
fn animal_json(animal: Animal) -> &'static str {
    match animal {
        Animal::Sheep => "\"sheep\"",
        Animal::Tabi => "\"tabi\"",
        Animal::Musinnah => "\"musinnah\"",
        Animal::BintMakhad => "\"bint_makhad\"",
        Animal::BintLabun => "\"bint_labun\"",
        Animal::Hiqqah => "\"hiqqah\"",
        Animal::Jadhaah => "\"jadhaah\"",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_written_as_their_assessment_is() {
        let mut input = crate::zakat::generate::generate(3000, 11);
        // An id that needs an escape takes the general layout.
        input.payers[1].id = "Q\"1".to_owned();
        let prepared = Prepared::new(&input, false);
        let mut plain = 0;
        for payer in &input.payers {
            let Some(f) = prepared.assess(payer) else {
                continue;
            };
            plain += usize::from(f.n_crops == 0 && f.herds == [None; 3]);
            let assessment = super::super::engine::assessment(payer, &f, &prepared);
            // Pretty two deep in a document's array, compact on a line of
            // its own, and elsewhere.
            for (pretty, depth) in [(true, 2), (false, 0), (false, 2), (true, 1)] {
                let (mut from_figures, mut expected) = (String::new(), String::new());
                let mut w = JsonWriter::inside_array(&mut from_figures, pretty, depth, false);
                w.element();
                write_figures(&mut w, &payer.id, &f, &prepared);
                let mut w = JsonWriter::inside_array(&mut expected, pretty, depth, false);
                w.element();
                write_assessment(&mut w, &assessment);
                assert_eq!(from_figures, expected, "{}", payer.id);
            }
        }
        // Most payers take the constant-run layout; some have crops or herds.
        assert!(plain > 2000 && plain < 3000, "{plain}");
    }

    #[test]
    fn names_match_serde() {
        for group in [
            LivestockGroup::SheepAndGoats,
            LivestockGroup::Cattle,
            LivestockGroup::Camels,
        ] {
            assert_eq!(group_json(group), serde_json::to_string(&group).unwrap());
        }
        for animal in [
            Animal::Sheep,
            Animal::Tabi,
            Animal::Musinnah,
            Animal::BintMakhad,
            Animal::BintLabun,
            Animal::Hiqqah,
            Animal::Jadhaah,
        ] {
            assert_eq!(animal_json(animal), serde_json::to_string(&animal).unwrap());
        }
    }
}
