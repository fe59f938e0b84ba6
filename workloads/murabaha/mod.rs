//! Murabaha: processing a bank's portfolio of cost-plus-profit sales.
//!
//! - [`model`]: contracts, pricing and recognition methods, payments,
//!   settlement requests, results, and the JSON of `mizan murabaha process`.
//! - [`rules`]: the rules of `MURABAHA.md` written for the reader, in
//!   `rust_decimal`: the reference every lesson is checked against.
//! - [`generate`]: seeded, realistic portfolios at any scale.
//! - [`lessons`]: the lab's murabaha lessons, naive and optimized forms.

pub mod fixed;
pub mod generate;
pub mod lessons;
pub mod model;
pub mod rules;

pub use model::{Contract, ContractResult, MurabahaInput, MurabahaOutput};
pub use rules::{process, process_all};
