//! Reading the domain commands' JSON: validated value types shared by both
//! domains, and one error type that names the failing field and record
//! (`payers[3].assets[1].karat: 25 is above 24`).
//!
//! Field paths come from `serde_path_to_error`; range checks live in the
//! value types' `Deserialize` impls, so that an out-of-range value is
//! reported at its own path. Checks that span several fields (a currency
//! with no exchange rate) are made after parsing and build the same error.

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::money::parse_decimal;

/// Which engine a domain command runs (`--engine`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// The fastest path the lab proves identical to the reference: fixed
    /// point on every core, the reference for every record it cannot
    /// prove in range.
    Fast,
    /// The reference rules, in `Decimal`, one record after another.
    Reference,
}

/// Bad input: where it is and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InputError {
    /// The field's path in the document, as `payers[3].assets[1].karat`
    /// (empty for the document itself).
    pub path: String,
    /// What is wrong, without a trailing period.
    pub message: String,
}

impl InputError {
    /// An error at `path`.
    #[cold]
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        InputError {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl serde::Serialize for InputError {
    /// As a user reads it: `payers[3].id: "P1" is also the id of payers[1]`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() || self.path == "." {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for InputError {}

/// Parses a whole JSON document into `T`, naming the path of the first
/// problem found.
pub fn parse_json<'de, T: Deserialize<'de>>(text: &'de str) -> Result<T, InputError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        InputError::new(path, err.into_inner().to_string())
    })?;
    deserializer
        .end()
        .map_err(|err| InputError::new("", err.to_string()))?;
    Ok(value)
}

/// A decimal string that must not be negative: an amount, a weight, a rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NonNegative(pub Decimal);

/// A decimal string above zero: a price or an exchange rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Positive(pub Decimal);

/// A decimal string from 0 to 1 inclusive: a share of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio(pub Decimal);

struct DecimalVisitor;

impl Visitor<'_> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal string such as \"1234.56\"")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Decimal, E> {
        parse_decimal(text).map_err(E::custom)
    }
}

fn deserialize_decimal<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    deserializer.deserialize_str(DecimalVisitor)
}

impl<'de> Deserialize<'de> for NonNegative {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = deserialize_decimal(deserializer)?;
        if value.is_sign_negative() && !value.is_zero() {
            return Err(de::Error::custom(format!("{value} is negative")));
        }
        Ok(NonNegative(value))
    }
}

impl<'de> Deserialize<'de> for Positive {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = deserialize_decimal(deserializer)?;
        if value <= Decimal::ZERO {
            return Err(de::Error::custom(format!("{value} is not above zero")));
        }
        Ok(Positive(value))
    }
}

impl<'de> Deserialize<'de> for Ratio {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = deserialize_decimal(deserializer)?;
        if value.is_sign_negative() && !value.is_zero() {
            return Err(de::Error::custom(format!("{value} is negative")));
        }
        if value > Decimal::ONE {
            return Err(de::Error::custom(format!("{value} is above 1")));
        }
        Ok(Ratio(value))
    }
}

/// An integer in `MIN..=MAX`, read from a JSON integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bounded<const MIN: u32, const MAX: u32>(pub u32);

impl<'de, const MIN: u32, const MAX: u32> Deserialize<'de> for Bounded<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = i64::deserialize(deserializer)?;
        if value < i64::from(MIN) {
            return Err(de::Error::custom(format!("{value} is below {MIN}")));
        }
        if value > i64::from(MAX) {
            return Err(de::Error::custom(format!("{value} is above {MAX}")));
        }
        Ok(Bounded(value as u32))
    }
}

/// An ISO 4217-shaped currency code: three ASCII capital letters.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency(pub [u8; 3]);

impl Currency {
    /// The code as text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("a currency code is ASCII")
    }

    /// Parses a three-capital-letter code.
    pub fn parse(text: &str) -> Option<Currency> {
        let bytes: [u8; 3] = text.as_bytes().try_into().ok()?;
        bytes
            .iter()
            .all(u8::is_ascii_uppercase)
            .then_some(Currency(bytes))
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_str())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Currency::parse(&text).ok_or_else(|| {
            de::Error::custom(format!(
                "{text:?} is not a currency code of three capital letters"
            ))
        })
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Serializes a `Decimal` as a string, keeping its scale (`"12.50"`).
pub fn serialize_decimal<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

/// Serializes money as a string with exactly two decimals.
pub fn serialize_money<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&crate::money::format_fixed(*value, crate::money::MONEY_DP))
}

/// The value of an optional field that `kind` requires.
pub fn required<T>(value: Option<T>, field: &str, kind: &str) -> Result<T, String> {
    value.ok_or_else(|| format!("missing field `{field}`, which a `{kind}` record needs"))
}

/// Refuses a field that does not belong to a record of `kind`.
pub fn forbidden<T>(value: &Option<T>, field: &str, kind: &str) -> Result<(), String> {
    match value {
        Some(_) => Err(format!(
            "field `{field}` does not belong to a `{kind}` record"
        )),
        None => Ok(()),
    }
}

/// Writes the records of a document's last field, a JSON array, one
/// compact record a line, then closes the array and the document: the
/// streaming tail of the generators' output, which never holds a whole data
/// set in memory.
pub fn write_records_and_close<W: std::io::Write, T: Serialize>(
    out: &mut W,
    records: impl Iterator<Item = T>,
) -> std::io::Result<()> {
    out.write_all(b"[")?;
    for (idx, record) in records.enumerate() {
        out.write_all(if idx == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *out, &record)?;
    }
    out.write_all(b"\n]}\n")?;
    out.flush()
}

/// Writes records one compact record a line: the body of a JSON Lines
/// stream, which never holds a whole data set in memory.
pub fn write_records_as_lines<W: std::io::Write, T: Serialize>(
    out: &mut W,
    records: impl Iterator<Item = T>,
) -> std::io::Result<()> {
    for record in records {
        serde_json::to_writer(&mut *out, &record)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
