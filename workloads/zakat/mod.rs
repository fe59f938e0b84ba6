//! Zakat: assessing the annual alms on a population of payers.
//!
//! - [`model`]: payers, asset lines, debts, prices, policy, assessments, and
//!   the JSON of `mizan zakat assess`.
//! - [`rules`]: the rules of `ZAKAT.md` written for the reader, in
//!   `rust_decimal`: the reference every lesson is checked against.
//! - [`generate`]: seeded, realistic populations at any scale.
//! - [`lessons`]: the lab's zakat lessons, naive and optimized forms.

pub mod fixed;
pub mod generate;
pub mod lessons;
pub mod model;
pub mod rules;

pub use model::{Assessment, Payer, ZakatInput, ZakatOutput};
pub use rules::{Context, assess, assess_all};
