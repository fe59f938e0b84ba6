//! `zakat/dispatch`: the livestock census: the zakat due in kind on every
//! herd a ministry has counted (sheep and goats, cattle, camels), from the
//! schedules of `ZAKAT.md`.
//!
//! - naive: the object-oriented design: each herd is a `Box<dyn HerdDue>`,
//!   a heap object of its own whose `due` is found through a vtable at
//!   every call, and so cannot be inlined into the loop;
//! - optimized: each herd is a plain value, an `enum` of the species group
//!   and a count, in one contiguous vector; `due` is a `match`, which the
//!   compiler sees whole and inlines.
//!
//! The contrast is a census of camels only, where every call goes to the
//! same place: a predicted indirect call, which does not close the gap.

use proptest::prelude::*;
use rand::{RngExt, SeedableRng};

use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
};
use crate::zakat::model::{AnimalCount, LivestockGroup};
use crate::zakat::rules::livestock_due_in_kind;

/// The lesson's registry entry.
pub const LESSON: LessonDef<Census, Vec<[AnimalCount; 2]>> = LessonDef {
    id: "zakat/dispatch",
    why: "A census held as boxed trait objects, one Box<dyn HerdDue> per herd, pays for the \
          design at every herd: the herds are scattered over the heap, each call goes \
          through a vtable, and the compiler cannot inline a schedule it cannot see, so \
          the few comparisons of a herd's bracket are wrapped in a call and its return. The \
          same census as an enum in one vector is read in order and matched inline: \
          {speedup}. Dynamic dispatch is the right tool where the set of kinds is open (a \
          plug-in, a type defined by a user of the library); the species of zakat are not. \
          The second census holds camels only, so that every call goes to the same place \
          and the processor predicts it: the gap stays ({contrast.speedup}), because what \
          the boxes cost is the call itself and the scattered herds, not a mispredicted \
          target.",
    build,
    elements: |input| input.herds.len() as u64,
    naive,
    optimized,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary,
    invariant: Some(the_rules_livestock_due),
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: Some(Contrast {
        name: "camels only",
        scale: Scale::Default,
        input: ContrastInput::Build(one_species),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "Every herd is a heap object reached through a pointer, and its due a call through a \
         vtable that the compiler cannot inline. The census holds the same herds as plain \
         values too: the species group is a closed set.",
        compares: "every herd's animals due, as printed",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// One herd, as a plain value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Herd {
    /// Its species group.
    pub group: LivestockGroup,
    /// How many head.
    pub count: u32,
}

// ANCHOR: trait
/// A herd that knows the zakat due on it: the object-oriented design.
pub trait HerdDue: Sync {
    /// The animals due, as at most two kinds, an absent kind counting zero.
    fn due(&self) -> [AnimalCount; 2];
}

/// Sheep and goats.
pub struct Flock(pub u32);
/// Cattle.
pub struct CattleHerd(pub u32);
/// Camels.
pub struct CamelHerd(pub u32);

impl HerdDue for Flock {
    fn due(&self) -> [AnimalCount; 2] {
        livestock_due_in_kind(LivestockGroup::SheepAndGoats, self.0)
    }
}

impl HerdDue for CattleHerd {
    fn due(&self) -> [AnimalCount; 2] {
        livestock_due_in_kind(LivestockGroup::Cattle, self.0)
    }
}

impl HerdDue for CamelHerd {
    fn due(&self) -> [AnimalCount; 2] {
        livestock_due_in_kind(LivestockGroup::Camels, self.0)
    }
}
// ANCHOR_END: trait

/// A census, held both ways: as plain values and as boxed trait objects,
/// the same herds in the same order. Saved as its herds, and boxed again
/// when read back.
#[derive(serde::Deserialize)]
#[serde(from = "Herds")]
pub struct Census {
    /// The herds as values.
    pub herds: Vec<Herd>,
    /// The same herds as trait objects.
    pub boxed: Vec<Box<dyn HerdDue>>,
}

/// A census as it is saved and read back.
#[derive(serde::Deserialize)]
pub struct Herds {
    /// The herds as values.
    pub herds: Vec<Herd>,
}

impl From<Herds> for Census {
    fn from(herds: Herds) -> Census {
        Census::new(herds.herds)
    }
}

impl serde::Serialize for Census {
    /// Its herds, as [`Herds`] reads them back.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct HerdsRef<'a> {
            herds: &'a [Herd],
        }
        HerdsRef { herds: &self.herds }.serialize(serializer)
    }
}

impl std::fmt::Debug for Census {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Census")
            .field("herds", &self.herds)
            .finish()
    }
}

impl Census {
    /// A census of these herds, boxed one by one as a loader of the
    /// object-oriented design would.
    pub fn new(herds: Vec<Herd>) -> Census {
        let boxed = herds
            .iter()
            .map(|herd| -> Box<dyn HerdDue> {
                match herd.group {
                    LivestockGroup::SheepAndGoats => Box::new(Flock(herd.count)),
                    LivestockGroup::Cattle => Box::new(CattleHerd(herd.count)),
                    LivestockGroup::Camels => Box::new(CamelHerd(herd.count)),
                }
            })
            .collect();
        Census { herds, boxed }
    }
}

/// Herds at each scale.
fn herds_at(scale: Scale) -> usize {
    match scale {
        Scale::Tiny => 300,
        Scale::Small => 20_000,
        Scale::Default => 200_000,
        Scale::Bank => 1_000_000,
    }
}

const GROUPS: [LivestockGroup; 3] = [
    LivestockGroup::SheepAndGoats,
    LivestockGroup::Cattle,
    LivestockGroup::Camels,
];

/// Herds of every group, of 1 to 1,500 head (every bracket of the
/// schedules), the groups mixed in random order.
fn build(scale: Scale, seed: u64) -> Census {
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(seed);
    Census::new(
        (0..herds_at(scale))
            .map(|_| Herd {
                group: GROUPS[rng.random_range(0..GROUPS.len())],
                count: rng.random_range(1..1_500),
            })
            .collect(),
    )
}

/// The contrast: as many herds, all of one group (camels), so that every
/// call goes to the same place.
fn one_species(scale: Scale, seed: u64) -> Census {
    let mut census = build(scale, seed);
    for herd in &mut census.herds {
        herd.group = LivestockGroup::Camels;
    }
    Census::new(census.herds)
}

// ANCHOR: limit
/// The speed of light: read every herd once and write two counts for it.
fn limit(input: &Census) -> u64 {
    let out: Vec<[u32; 2]> = input.herds.iter().map(|h| [h.count, 0]).collect();
    std::hint::black_box(&out);
    out.len() as u64
}
// ANCHOR_END: limit

// ANCHOR: naive
/// Each herd a boxed trait object, its due found through the vtable.
pub fn naive(input: &Census) -> Vec<[AnimalCount; 2]> {
    input.boxed.iter().map(|herd| herd.due()).collect()
}
// ANCHOR_END: naive

// ANCHOR: optimized
/// Each herd a plain value, its due a `match` inlined into the loop.
pub fn optimized(input: &Census) -> Vec<[AnimalCount; 2]> {
    input
        .herds
        .iter()
        .map(|herd| livestock_due_in_kind(herd.group, herd.count))
        .collect()
}
// ANCHOR_END: optimized

/// Up to 2,000 herds of every group, of none, one, every bracket's edges
/// (counts below 1,500) and up to 200,000 head.
pub fn arbitrary() -> BoxedStrategy<Census> {
    let group = prop_oneof![
        Just(LivestockGroup::SheepAndGoats),
        Just(LivestockGroup::Cattle),
        Just(LivestockGroup::Camels),
    ];
    let count = prop_oneof![4 => 0u32..1_500, 1 => 0u32..200_000];
    proptest::collection::vec((group, count), 0..2_000)
        .prop_map(|herds| {
            Census::new(
                herds
                    .into_iter()
                    .map(|(group, count)| Herd { group, count })
                    .collect(),
            )
        })
        .boxed()
}

/// The invariant: each herd owes the animals the reference's
/// `livestock_due` lists.
fn the_rules_livestock_due(input: &Census, dues: &Vec<[AnimalCount; 2]>) -> Result<(), String> {
    for (herd, due) in input.herds.iter().zip(dues) {
        let listed: Vec<AnimalCount> = due.iter().copied().filter(|d| d.count > 0).collect();
        ensure(
            listed == crate::zakat::rules::livestock_due(herd.group, herd.count),
            || format!("{herd:?}: {listed:?}"),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zakat::model::Animal;

    #[test]
    fn both_designs_owe_the_same_animals() {
        let herd = |group, count| Herd { group, count };
        let input = Census::new(vec![
            herd(LivestockGroup::SheepAndGoats, 39),
            herd(LivestockGroup::SheepAndGoats, 40),
            herd(LivestockGroup::Cattle, 70),
            herd(LivestockGroup::Camels, 130),
        ]);
        let due = |animal, count| AnimalCount { animal, count };
        let expected = vec![
            [due(Animal::Sheep, 0), due(Animal::Sheep, 0)],
            [due(Animal::Sheep, 1), due(Animal::Sheep, 0)],
            // 70 = 30 + 40: a tabi' and a musinnah.
            [due(Animal::Tabi, 1), due(Animal::Musinnah, 1)],
            // 130 = 2 × 40 + 50.
            [due(Animal::BintLabun, 2), due(Animal::Hiqqah, 1)],
        ];
        assert_eq!(naive(&input), expected);
        assert_eq!(optimized(&input), expected);
    }
}
