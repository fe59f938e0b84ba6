//! Zakat: assessing the annual alms on a population of payers.
//!
//! - [`model`]: payers, asset lines, debts, prices, policy, assessments, and
//!   the JSON of `mizan zakat assess`.
//! - [`rules`]: the rules of `ZAKAT.md` written for the reader, in
//!   `rust_decimal`: the reference every lesson is checked against.
//! - [`fixed`]: the rules in fixed point, for the payers it can prove in
//!   range.
//! - [`engine`]: the fastest path proved identical to the reference (fixed
//!   point, the reference for the rest, on every core): what `mizan zakat
//!   assess` runs.
//! - [`parse`]: a payer read by hand from its JSON, for the engine.
//! - [`output`]: the results as JSON, written by hand, byte for byte as
//!   `serde_json` writes them.
//! - [`generate`]: seeded, realistic populations at any scale.
//! - [`receipt`]: a payer's receipt as text, the readable way and by hand.

pub mod engine;
pub mod fixed;
pub mod generate;
pub mod model;
pub mod output;
pub mod parse;
pub mod receipt;
pub mod rules;

pub use model::{Assessment, Payer, ZakatInput, ZakatOutput};
pub use rules::{Context, assess, assess_all};
