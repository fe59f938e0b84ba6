//! Exercise `zakat/parsing`: the lesson's naive form, to make faster.
//!
//! Rewrite `attempt` (and anything else in this file) so that it gives
//! the same output, byte for byte, faster. Check it with
//!
//! ```sh
//! cargo exercise check zakat/parsing
//! ```
//!
//! `cargo exercise hint zakat/parsing` says where the naive form's time goes.
//! The lab's own answer is the lesson's optimized form, shown in the
//! book's chapter "Parsing".

use mizan::input::InputError;
use mizan::zakat::lessons::parsing::{Parsed, PayersFile, deserialize, read, validated};

/// A `serde_json::Value` first, then the model from it.
pub fn attempt(input: &PayersFile) -> Result<Parsed, InputError> {
    let value: serde_json::Value = read(&input.bytes)?;
    validated(deserialize(value)?)
}
