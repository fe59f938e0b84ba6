//! Mizan's exercises: every lesson's naive form as a starting point, the
//! learner's attempts, and the list the checker (`cargo exercise`) reads.
//!
//! - `src/start/<exercise>.rs`: the starting point, as handed out;
//! - `attempts/<exercise>.rs`: the learner's copy (made by `cargo exercise
//!   start`, ignored by git), which [`attempts`] compiles in place of the
//!   starting point once it exists.
//!
//! The checker's logic is [`mizan::lab::exercise`].

use mizan::lab::exercise::{Exercise, ExerciseDef};
use mizan::{murabaha, zakat};

pub mod start;

/// Each exercise's attempt, or its starting point where there is none yet
/// (see `build.rs`).
pub mod attempts {
    include!(concat!(env!("OUT_DIR"), "/attempts.rs"));
}

/// This crate's folder; its parent is the checkout's root, where git and
/// the book are.
pub const DIR: &str = env!("CARGO_MANIFEST_DIR");

/// An exercise of `$lesson`, from module `$module` of [`start`] and
/// [`attempts`].
macro_rules! exercise {
    ($module:ident, $lesson:expr, $hint:expr) => {
        &ExerciseDef {
            lesson: &$lesson,
            attempt: attempts::$module::attempt,
            start: start::$module::attempt,
            file: concat!(stringify!($module), ".rs"),
            hint: $hint,
        }
    };
}

/// Every exercise, in the registry's order.
pub static EXERCISES: [&dyn Exercise; 29] = [
    exercise!(
        zakat_string_building,
        zakat::lessons::string_building::LESSON,
        "Every line is a `format!` (a String of its own) and every receipt a `join` of a Vec of \
         them: count what is allocated for one receipt. Then look at what `format_fixed` and \
         `Display` do per figure."
    ),
    exercise!(
        murabaha_string_building,
        murabaha::lessons::string_building::LESSON,
        "A statement is a dozen `format!` calls per instalment row, each a String appended with \
         `+=` and dropped. Write every row into one buffer instead, and then ask what \
         `core::fmt` costs per number."
    ),
    exercise!(
        zakat_pre_allocation,
        zakat::lessons::pre_allocation::LESSON,
        "The index starts empty and doubles as it fills; every doubling allocates a new table \
         and hashes every key already in it again. How many identifiers will it hold at most? \
         That is known before the loop."
    ),
    exercise!(
        murabaha_pre_allocation,
        murabaha::lessons::pre_allocation::LESSON,
        "`flat_map(..).collect()` cannot know the number of rows in advance, so the Vec doubles \
         as it goes. The number of rows is the sum of the schedules' lengths."
    ),
    exercise!(
        zakat_pooling,
        zakat::lessons::pooling::LESSON,
        "Every receipt gets a fresh String that grows from nothing and is freed once copied out. \
         One buffer, cleared between receipts, keeps its capacity."
    ),
    exercise!(
        murabaha_pooling,
        murabaha::lessons::pooling::LESSON,
        "Every statement gets a fresh String that grows from nothing and is freed once copied \
         out. One buffer, cleared between statements, keeps its capacity."
    ),
    exercise!(
        zakat_sharding,
        zakat::lessons::sharding::LESSON,
        "Every line takes the one lock: the threads queue on it. Let each thread total its own \
         lines in a map of its own, and merge the maps once at the end."
    ),
    exercise!(
        murabaha_sharding,
        murabaha::lessons::sharding::LESSON,
        "Every payment takes the one lock. Each contract's ledger belongs to one contract: give \
         each thread its own contracts (by index), so that no two threads touch one ledger."
    ),
    exercise!(
        zakat_pipeline,
        zakat::lessons::pipeline::LESSON,
        "The whole run, from the parsed input to the receipts and the totals: assessment in \
         `Decimal`, receipts by `format!`, totals in a map keyed by region name, one thread. \
         Each earlier lesson is one rung of this ladder."
    ),
    exercise!(
        murabaha_pipeline,
        murabaha::lessons::pipeline::LESSON,
        "The month-end run: every contract processed in `Decimal`, every statement by \
         `format!`, one thread. Each earlier lesson is one rung of this ladder."
    ),
    exercise!(
        zakat_hashing,
        zakat::lessons::hashing::LESSON,
        "Every line is one look-up in a std HashMap, and every look-up hashes the key with \
         SipHash first. Is anyone choosing these keys to attack the table? If not, a faster \
         hash will do; and the key's parts are small numbers already."
    ),
    exercise!(
        murabaha_hashing,
        murabaha::lessons::hashing::LESSON,
        "Every payment hashes its contract number with SipHash to find its ledger. The numbers \
         are not an attacker's: a faster hash is safe here. And they run from zero."
    ),
    exercise!(
        zakat_small_vectors,
        zakat::lessons::small_vectors::LESSON,
        "Every payer's lines are collected into a fresh Vec, sorted and dropped: one malloc and \
         one free per payer. How many wealth lines does a payer hold? `lines_per_payer` counts \
         them; a list that small can live on the stack."
    ),
    exercise!(
        zakat_copying,
        zakat::lessons::copying::LESSON,
        "`entry` takes its key by value, so every payer's region name is cloned (allocated, \
         copied, freed) to find a total the map already has. The payers outlive the loop: \
         could the map's keys point into them?"
    ),
    exercise!(
        zakat_algorithmic,
        zakat::lessons::algorithmic::LESSON,
        "Each identifier is compared with every one before it: double the file, four times the \
         comparisons. What would let you ask \"have I seen this one?\" in one step?"
    ),
    exercise!(
        murabaha_algorithmic,
        murabaha::lessons::algorithmic::LESSON,
        "For every instalment the naive form sums the schedule from the first instalment and \
         scans the payments from the first. Both lists are already in order: what does the \
         answer for instalment k tell you about instalment k + 1?"
    ),
    exercise!(
        zakat_buffered_io,
        zakat::lessons::buffered_io::LESSON,
        "A `File` has no buffer: every `writeln!` is a system call (two, in fact). Count them \
         with `strace -c`. Where could the lines wait until there are enough to be worth a call?"
    ),
    exercise!(
        murabaha_buffered_io,
        murabaha::lessons::buffered_io::LESSON,
        "Every statement row is a `write` system call to the file, and `println!` locks and \
         flushes standard output for every row. Gather the rows before they reach the kernel."
    ),
    exercise!(
        murabaha_bounds_checks,
        murabaha::lessons::bounds_checks::LESSON,
        "Every schedule's loop indexes two slices by a counter. Count the instructions \
         (`--instructions`): what does the compiler do before each short loop to be allowed \
         to drop the checks, and what would let it skip that?"
    ),
    exercise!(
        zakat_hoisting,
        zakat::lessons::hoisting::LESSON,
        "Every payer's hawl end is a trip through the Hijri calendar, compared with one zakat \
         date that never changes. If one start completes its hawl, does every earlier start? \
         Then which one day do you need to know?"
    ),
    exercise!(
        zakat_dispatch,
        zakat::lessons::dispatch::LESSON,
        "Every herd is a heap object reached through a pointer, and its due a call through a \
         vtable that the compiler cannot inline. The census holds the same herds as plain \
         values too: the species group is a closed set."
    ),
    exercise!(
        zakat_fixed_point,
        zakat::lessons::fixed_point::LESSON,
        "Every line is valued in `Decimal`: a 96-bit multiplication, a rescale and a rounding \
         in software. Values to the cent are integers of cents; an `i128` holds any product \
         of two of them. Whatever you cannot prove in range, hand to `decimal_wealth`."
    ),
    exercise!(
        murabaha_fixed_point,
        murabaha::lessons::fixed_point::LESSON,
        "Every instalment and every period's profit is a `Decimal` product rounded to the cent. \
         The costs are whole cents and the rates have ten places: an `i64` of cents and an \
         `i128` product hold every step. `murabaha::fixed` has the pieces; whatever you cannot \
         prove in range, hand to `decimal_schedule`."
    ),
    exercise!(
        murabaha_hoisting,
        murabaha::lessons::hoisting::LESSON,
        "Every step of the fold divides one by one plus the rate, a long division in software. \
         Which values does that division depend on, and how often do they change?"
    ),
    exercise!(
        zakat_parsing,
        zakat::lessons::parsing::LESSON,
        "The whole file becomes a `serde_json::Value` tree (a map for every object, a String \
         for every key and value) before the model is made from it. The model's types already \
         know how to read themselves from bytes. Then: which strings need a copy at all?"
    ),
    exercise!(
        zakat_data_parallelism,
        zakat::lessons::data_parallelism::LESSON,
        "Every payer is assessed on one core while the others wait, and no payer's assessment \
         needs another's. The collected results must still come back in order, and a bad file \
         must still name its first bad payer, not whichever a thread found first."
    ),
    exercise!(
        murabaha_false_sharing,
        murabaha::lessons::false_sharing::LESSON,
        "No two threads write the same counter, yet the threads slow each other down. How far \
         apart in memory are the two threads' counters, and what does a core fetch when it \
         writes one? `post` is generic over how a slot is laid out."
    ),
    exercise!(
        murabaha_thread_spawn,
        murabaha::lessons::thread_spawn::LESSON,
        "Every batch starts a thread of its own and ends it when the batch is done. What does \
         the operating system do to start a thread, and how many batches share that cost? \
         The threads running at once must stay as many as the pool has."
    ),
    exercise!(
        murabaha_channels,
        murabaha::lessons::channels::LESSON,
        "Posting a payment takes a few nanoseconds; sending it takes a slot of the channel, and \
         a worker that has drained its channel sleeps until the reader wakes it. How many \
         payments could one message carry, and what must stay the same: the routing, the \
         order each worker sees its payments in, and how many payments may wait in a channel."
    ),
];
