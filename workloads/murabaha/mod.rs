//! Murabaha: processing a bank's portfolio of cost-plus-profit sales.
//!
//! - [`model`]: contracts, pricing and recognition methods, payments,
//!   settlement requests, results, and the JSON of `mizan murabaha process`.
//! - [`rules`]: the rules of `MURABAHA.md` written for the reader, in
//!   `rust_decimal`: the reference every lesson is checked against.
//! - [`fixed`]: the rules in fixed point, for the contracts it can prove
//!   in range.
//! - [`engine`]: the fastest path proved identical to the reference (fixed
//!   point, the reference for the rest, on every core): what `mizan
//!   murabaha process` runs.
//! - [`parse`]: a contract read by hand from its JSON, for the engine.
//! - [`output`]: the results as JSON, written by hand, byte for byte as
//!   `serde_json` writes them.
//! - [`generate`]: seeded, realistic portfolios at any scale.
//! - [`statement`]: a customer's statement as text, the readable way and
//!   by hand.

pub mod engine;
pub mod fixed;
pub mod generate;
pub mod model;
pub mod output;
pub mod parse;
pub mod rules;
pub mod statement;

pub use model::{Contract, ContractResult, MurabahaInput, MurabahaOutput};
pub use rules::{process, process_all};
