//! The assessments as JSON, written by hand ([`crate::json::JsonWriter`]):
//! the same bytes as `serde_json` writes for [`Assessment`], pretty in a
//! document or compact on a line of a stream, several times faster.

use super::model::{Animal, Assessment, LivestockGroup};
use crate::json::JsonWriter;

/// Writes one assessment, field for field as its `Serialize` does.
pub fn write_assessment(w: &mut JsonWriter<'_>, a: &Assessment) {
    w.begin_object();
    w.key("id");
    w.string(&a.id);
    w.key("hawl_end");
    w.date(a.hawl_end);
    w.key("hawl_complete");
    w.boolean(a.hawl_complete);
    w.key("zakatable_assets");
    w.money(a.zakatable_assets);
    w.key("deductible_debts");
    w.money(a.deductible_debts);
    w.key("net_wealth");
    w.money(a.net_wealth);
    w.key("nisab");
    w.money(a.nisab);
    w.key("nisab_met");
    w.boolean(a.nisab_met);
    w.key("wealth_zakat");
    w.money(a.wealth_zakat);
    w.key("crops");
    w.begin_array();
    for crop in &a.crops {
        w.element();
        w.begin_object();
        w.key("kg");
        w.fixed(crop.kg, 3);
        w.key("value");
        w.money(crop.value);
        w.end_object();
    }
    w.end_array();
    w.key("livestock");
    w.begin_array();
    for herd in &a.livestock {
        w.element();
        w.begin_object();
        w.key("species");
        w.raw(group_json(herd.species));
        w.key("due");
        w.begin_array();
        for animals in &herd.due {
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
    w.money(a.rikaz_zakat);
    w.key("total_due");
    w.money(a.total_due);
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
