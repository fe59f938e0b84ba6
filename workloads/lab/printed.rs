//! An output as it prints, the one thing two forms' outputs are compared
//! by: its serialization in CBOR (RFC 8949), in which text is its bytes
//! and a `Decimal` is its text with every place (`0.00`, not `0`).
//! `PartialEq` and `Hash` would not do: `Decimal` normalizes both.

use std::hash::Hasher;

use serde::Serialize;

/// An output as it prints: its serialization in CBOR (RFC 8949), in which
/// text is its bytes and a `Decimal` is its text with every place (`0.00`,
/// not `0`). Two outputs are the same output when these bytes are.
pub fn printed<O: Serialize + ?Sized>(output: &O) -> Vec<u8> {
    let mut bytes = Vec::new();
    ciborium::into_writer(output, &mut bytes).expect("a lesson's output serializes");
    bytes
}

/// A digest of an output's printed bytes ([`printed`]), streamed through
/// SipHash with fixed keys: the same output gives the same digest in
/// every process of this binary, and no output is held twice.
pub fn digest_of<O: Serialize + ?Sized>(output: &O) -> u64 {
    let mut hasher = HashWriter(std::hash::DefaultHasher::new());
    ciborium::into_writer(output, &mut hasher).expect("a lesson's output serializes");
    hasher.0.finish()
}

/// A writer that hashes what it is given.
struct HashWriter(std::hash::DefaultHasher);

impl std::io::Write for HashWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.write(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    #[test]
    fn outputs_that_are_equal_as_values_but_print_differently_differ() {
        let zero = Decimal::ZERO;
        let zero_cents = Decimal::new(0, 2);
        assert_eq!(zero, zero_cents);
        assert_ne!(digest_of(&zero), digest_of(&zero_cents));
        assert_ne!(printed(&vec![zero]), printed(&vec![zero_cents]));
        assert_eq!(
            digest_of(&vec![zero_cents]),
            digest_of(&vec![Decimal::new(0, 2)])
        );
        // Text is its bytes: a `String` and a `&str` of it print alike.
        assert_eq!(printed("receipt\n"), printed(&"receipt\n".to_owned()));
    }
}
