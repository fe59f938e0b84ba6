//! Exact money: the one place where decimal strings are parsed and printed,
//! where rounding happens, and where the fixed-point integer representation
//! used by the optimized forms meets `rust_decimal::Decimal`.
//!
//! The rules, in one place:
//!
//! - Money is never `f64`. The reference and naive forms use [`Decimal`]; the
//!   optimized forms may use [`Fixed`] (an `i64` count of `10^-DP` units) with
//!   `i128` products. Conversions between the two are exact or an error.
//! - Rounding is **half-up** to a number of decimal places ([`round_half_up`]).
//!   Every figure the domain rounds is non-negative, where half-up and
//!   "half away from zero" agree; for negative values this module rounds half
//!   away from zero, and says so, rather than leaving it to chance.
//! - A value that does not terminate (22/24 of a gram of gold) is never
//!   rounded twice: [`mul_div_round`] multiplies first, divides last, and
//!   rounds the exact rational once.
//! - Overflow and silent loss of precision are errors ([`MoneyError`]), never
//!   a wrap or a quiet rescale.
//!
//! ```
//! use mizan::money::{parse_decimal, round_half_up, format_fixed};
//! let x = parse_decimal("2.345").unwrap();
//! assert_eq!(format_fixed(round_half_up(x, 2), 2), "2.35");
//! let y = parse_decimal("2.34499999999").unwrap_err();
//! assert_eq!(y.to_string(), "\"2.34499999999\" has more than 10 decimal places");
//! ```
//!
//! One file on purpose (some 600 lines and its tests): the rounding rules
//! are kept where a reader can see all of them at once.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};

/// Decimal places of every money figure that the domain prints.
pub const MONEY_DP: u32 = 2;

/// The most decimal places an input decimal string may carry.
///
/// Ten covers the real inputs: an exchange rate quoted as 1 IDR =
/// 0.00006123 USD, a holding of bitcoin to eight places, grams to the
/// microgram. A product of the domain's formulas that would need more than
/// `Decimal`'s 96-bit mantissa (or 28 places) is an error that names the
/// field, never a rounding: `mul_exact`.
pub const MAX_INPUT_DP: u32 = 10;

/// The most digits an input decimal may carry before its point: inputs are
/// below 10^16 units (a household's savings in rials, a company's stock in
/// rupiah). With ten places that is 26 digits, inside `Decimal`'s 28.
pub const MAX_INPUT_INT_DIGITS: usize = 16;

/// Why a decimal string was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecimalError {
    /// Not of the form `-?digits(.digits)?`.
    Syntax(String),
    /// More than [`MAX_INPUT_DP`] places after the point.
    TooManyPlaces(String),
    /// More than [`MAX_INPUT_INT_DIGITS`] digits before the point.
    TooLarge(String),
}

impl fmt::Display for DecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecimalError::Syntax(s) => write!(f, "{s:?} is not a decimal number like \"1234.56\""),
            DecimalError::TooManyPlaces(s) => {
                write!(f, "{s:?} has more than {MAX_INPUT_DP} decimal places")
            }
            DecimalError::TooLarge(s) => write!(
                f,
                "{s:?} is too large (at most {MAX_INPUT_INT_DIGITS} digits before the point)"
            ),
        }
    }
}

impl std::error::Error for DecimalError {}

/// An arithmetic result that cannot be represented exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyError {
    /// The result does not fit the representation (or would have to be
    /// rounded to fit, which for money is the same failure).
    Overflow,
    /// A division by zero.
    DivisionByZero,
}

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MoneyError::Overflow => f.write_str("the value is too large to compute exactly"),
            MoneyError::DivisionByZero => f.write_str("division by zero"),
        }
    }
}

impl std::error::Error for MoneyError {}

/// A fixed-point number: `units × 10^-DP`, in an `i64`.
///
/// `Fixed<2>` counts minor units (cents); `Fixed<6>` holds an input rate or
/// a weight in milligrams exactly. Arithmetic is checked: it returns
/// [`MoneyError::Overflow`] rather than wrapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Fixed<const DP: u32>(pub i64);

/// Money in minor units (two decimal places).
pub type Cents = Fixed<MONEY_DP>;

/// Parses a strict decimal string: an optional `-`, digits, and optionally a
/// point followed by digits. No exponent, sign `+`, underscores or spaces
/// (which `Decimal::from_str` would accept), at most [`MAX_INPUT_DP`] places
/// and [`MAX_INPUT_INT_DIGITS`] integer digits.
pub fn parse_decimal(text: &str) -> Result<Decimal, DecimalError> {
    match leading_decimal(text.as_bytes()) {
        Some((value, len)) if len == text.len() => Ok(value),
        _ => parse_decimal_checked(text),
    }
}

/// The common shape of [`parse_decimal`]'s input, read in one pass from
/// the start of `bytes` up to their end or a `"` (a reader of JSON reads
/// a quoted decimal here without finding its end first): an optional
/// `-`, at most 18 digits with a point between two of them or none,
/// within the limits. The value and the bytes it took; `None` for
/// anything else, which [`parse_decimal`]'s checks then judge.
#[inline(always)]
pub fn leading_decimal(bytes: &[u8]) -> Option<(Decimal, usize)> {
    let negative = bytes.first() == Some(&b'-');
    let start = usize::from(negative);
    // At most 19 bytes are read (19 digits fit a u64): the loop's only
    // test of length is the window's end.
    let window = &bytes[start..bytes.len().min(start + 19)];
    let mut at = start + window.len();
    let mut mantissa: u64 = 0;
    let mut point = None;
    for (offset, &b) in window.iter().enumerate() {
        let digit = b.wrapping_sub(b'0');
        if digit < 10 {
            mantissa = mantissa * 10 + u64::from(digit);
        } else if b == b'.' && point.is_none() {
            point = Some(start + offset);
        } else if b == b'"' {
            at = start + offset;
            break;
        } else {
            return None;
        }
    }
    if at == start + 19 && bytes.get(at).is_some_and(|&b| b != b'"') {
        // More than 19 bytes.
        return None;
    }
    let len = at - start;
    let (places, int_digits) = match point {
        // A point needs a digit on each side.
        Some(p) if p == start || p + 1 == at => return None,
        Some(p) => (at - p - 1, p - start),
        None => (0, len),
    };
    if len == 0
        || len - usize::from(point.is_some()) > 18
        || places > MAX_INPUT_DP as usize
        || int_digits > MAX_INPUT_INT_DIGITS
    {
        return None;
    }
    // 18 digits fit the low 64 bits; minus zero is zero (as the checked
    // reading makes it).
    let value = Decimal::from_parts(
        mantissa as u32,
        (mantissa >> 32) as u32,
        0,
        negative,
        places as u32,
    );
    Some((value, at))
}

/// [`parse_decimal`] with every check, in order.
fn parse_decimal_checked(text: &str) -> Result<Decimal, DecimalError> {
    let syntax = || DecimalError::Syntax(text.to_owned());
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    let is_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int_part.is_empty()
        || !is_digits(int_part)
        || !is_digits(frac_part)
        || (body.contains('.') && frac_part.is_empty())
    {
        return Err(syntax());
    }
    if frac_part.len() > MAX_INPUT_DP as usize {
        return Err(DecimalError::TooManyPlaces(text.to_owned()));
    }
    if int_part.trim_start_matches('0').len() > MAX_INPUT_INT_DIGITS {
        return Err(DecimalError::TooLarge(text.to_owned()));
    }
    // At most 16 + 10 digits: the mantissa fits an i128 with room to spare.
    let mut mantissa: i128 = 0;
    for b in int_part.bytes().chain(frac_part.bytes()) {
        mantissa = mantissa * 10 + i128::from(b - b'0');
    }
    if negative {
        mantissa = -mantissa;
    }
    Ok(Decimal::from_i128_with_scale(
        mantissa,
        frac_part.len() as u32,
    ))
}

/// Rounds half-up (half away from zero for negative values) to `dp` places.
pub fn round_half_up(value: Decimal, dp: u32) -> Decimal {
    value.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

/// Rounds a money figure to the minor unit: `round_half_up(value, 2)`.
pub fn round_money(value: Decimal) -> Decimal {
    round_half_up(value, MONEY_DP)
}

/// Multiplies exactly: an error where `Decimal` would overflow or would have
/// to drop digits to hold the product.
pub fn mul_exact(a: Decimal, b: Decimal) -> Result<Decimal, MoneyError> {
    let product = a.checked_mul(b).ok_or(MoneyError::Overflow)?;
    // `Decimal` silently rescales a product whose mantissa would not fit in
    // 96 bits; for money that is an overflow, not a rounding.
    if product.scale() != a.scale() + b.scale() && !product.is_zero() {
        return Err(MoneyError::Overflow);
    }
    Ok(product)
}

/// Adds exactly (an error on overflow).
pub fn add_exact(a: Decimal, b: Decimal) -> Result<Decimal, MoneyError> {
    a.checked_add(b).ok_or(MoneyError::Overflow)
}

/// `round_half_up(numerator / denominator, dp)` computed on the exact
/// rational, so that a quotient that does not terminate (22/24) is rounded
/// once, at the end, and never on a truncated expansion.
///
/// ```
/// use mizan::money::{mul_div_round, parse_decimal};
/// use rust_decimal::Decimal;
/// // 50 g of 22-karat gold at 44.16 per gram of pure gold: 50 × 22 × 44.16 / 24.
/// let num = parse_decimal("48576.00").unwrap();
/// assert_eq!(mul_div_round(num, Decimal::from(24), 2).unwrap().to_string(), "2024.00");
/// ```
pub fn mul_div_round(
    numerator: Decimal,
    denominator: Decimal,
    dp: u32,
) -> Result<Decimal, MoneyError> {
    if denominator.is_zero() {
        return Err(MoneyError::DivisionByZero);
    }
    // numerator = a / 10^sa, denominator = b / 10^sb, so
    // numerator / denominator × 10^dp = a × 10^(sb + dp) / (b × 10^sa).
    let (a, sa) = (numerator.mantissa(), numerator.scale());
    let (b, sb) = (denominator.mantissa(), denominator.scale());
    let top = a.checked_mul(pow10(sb + dp)?).ok_or(MoneyError::Overflow)?;
    let bottom = b.checked_mul(pow10(sa)?).ok_or(MoneyError::Overflow)?;
    let quotient = div_round_half_up(top, bottom).ok_or(MoneyError::Overflow)?;
    if quotient.unsigned_abs() > MAX_DECIMAL_MANTISSA {
        return Err(MoneyError::Overflow);
    }
    Ok(Decimal::from_i128_with_scale(quotient, dp))
}

/// The largest mantissa a `Decimal` holds (2^96 − 1).
const MAX_DECIMAL_MANTISSA: u128 = (1u128 << 96) - 1;

fn pow10(exp: u32) -> Result<i128, MoneyError> {
    pow10_table(exp).ok_or(MoneyError::Overflow)
}

// ANCHOR: num
/// A `Decimal` as its mantissa and scale, exactly as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Num {
    /// The mantissa.
    pub mantissa: i128,
    /// The scale: the value is `mantissa × 10^-scale`.
    pub scale: u32,
}

/// `Decimal` keeps a product exact while its mantissa is below 2^96.
const MANTISSA_LIMIT: u128 = 1 << 96;

impl Num {
    /// The decimal's own mantissa and scale.
    #[inline]
    pub fn of(value: Decimal) -> Num {
        Num {
            mantissa: value.mantissa(),
            scale: value.scale(),
        }
    }

    /// A whole number.
    #[inline]
    pub const fn int(value: u32) -> Num {
        Num {
            mantissa: value as i128,
            scale: 0,
        }
    }

    /// The exact product, or `None` where `Decimal` could not hold it
    /// exactly (where `money::mul_exact` fails).
    #[inline]
    pub fn times(self, other: Num) -> Option<Num> {
        let mantissa = match (i64::try_from(self.mantissa), i64::try_from(other.mantissa)) {
            // One widening multiply, which cannot overflow: the common case.
            (Ok(a), Ok(b)) => i128::from(a) * i128::from(b),
            _ => self.mantissa.checked_mul(other.mantissa)?,
        };
        let scale = self.scale + other.scale;
        (mantissa.unsigned_abs() < MANTISSA_LIMIT && scale <= 28).then_some(Num { mantissa, scale })
    }

    /// Rounded half-up to `dp` places, as a count of `10^-dp` units.
    #[inline]
    pub fn units(self, dp: u32) -> Option<i64> {
        let units = if self.scale <= dp {
            let scale_up = pow10_table(dp - self.scale)?;
            match (i64::try_from(self.mantissa), i64::try_from(scale_up)) {
                (Ok(m), Ok(up)) => i128::from(m) * i128::from(up),
                _ => self.mantissa.checked_mul(scale_up)?,
            }
        } else {
            let divisor = pow10_table(self.scale - dp)?;
            // Most products fit a u64, where division is several times
            // cheaper than i128's.
            match u64::try_from(self.mantissa) {
                Ok(m) if self.scale - dp <= 19 => i128::from(div_pow10_round(m, self.scale - dp)),
                _ => div_round_half_up(self.mantissa, divisor)?,
            }
        };
        i64::try_from(units).ok()
    }

    /// Rounded to the cent.
    #[inline]
    pub fn cents(self) -> Option<i64> {
        self.units(2)
    }

    /// `round(self / divisor)` to the cent, on the exact rational (what
    /// [`mul_div_round`] does with a whole divisor).
    #[inline]
    pub fn div_cents(self, divisor: i128) -> Option<i64> {
        let top = self.mantissa.checked_mul(100)?;
        let bottom = divisor.checked_mul(pow10_table(self.scale)?)?;
        let quotient = match (u64::try_from(top), u64::try_from(bottom)) {
            // A 64-bit division is several times cheaper than a 128-bit one.
            (Ok(top), Ok(bottom)) if bottom > 0 => {
                let (q, r) = (top / bottom, top % bottom);
                i128::from(q + u64::from(r >= bottom - r))
            }
            _ => div_round_half_up(top, bottom)?,
        };
        i64::try_from(quotient).ok()
    }
}

/// `m / 10^exp` rounded half-up, for `exp` up to 19: one arm a power, so
/// that each division is by a constant, which the compiler turns into a
/// multiplication and a shift instead of a `div` instruction.
#[inline]
fn div_pow10_round(m: u64, exp: u32) -> u64 {
    #[inline(always)]
    fn by<const D: u64>(m: u64) -> u64 {
        let (q, r) = (m / D, m % D);
        q + u64::from(r >= D - r)
    }
    match exp {
        0 => m,
        1 => by::<10>(m),
        2 => by::<100>(m),
        3 => by::<1_000>(m),
        4 => by::<10_000>(m),
        5 => by::<100_000>(m),
        6 => by::<1_000_000>(m),
        7 => by::<10_000_000>(m),
        8 => by::<100_000_000>(m),
        9 => by::<1_000_000_000>(m),
        10 => by::<10_000_000_000>(m),
        11 => by::<100_000_000_000>(m),
        12 => by::<1_000_000_000_000>(m),
        13 => by::<10_000_000_000_000>(m),
        14 => by::<100_000_000_000_000>(m),
        15 => by::<1_000_000_000_000_000>(m),
        16 => by::<10_000_000_000_000_000>(m),
        17 => by::<100_000_000_000_000_000>(m),
        18 => by::<1_000_000_000_000_000_000>(m),
        _ => by::<10_000_000_000_000_000_000>(m),
    }
}

/// `10^exp` from a table (`None` past 10^38).
fn pow10_table(exp: u32) -> Option<i128> {
    const TABLE: [i128; 39] = {
        let mut table = [1i128; 39];
        let mut i = 1;
        while i < 39 {
            table[i] = table[i - 1] * 10;
            i += 1;
        }
        table
    };
    TABLE.get(exp as usize).copied()
}

/// A cent figure as a `Num`, for products with it (the `Decimal` the
/// reference holds has this scale or a smaller one, so its mantissa is no
/// larger: a product that fits here fits there).
#[inline]
pub fn cents_num(cents: i64) -> Num {
    Num {
        mantissa: i128::from(cents),
        scale: 2,
    }
}
// ANCHOR_END: num

/// A money figure (rounded to the cent first, if it has more places) as a
/// count of cents, in `i128`, which holds every `Decimal` figure.
pub fn cents_i128(value: Decimal) -> i128 {
    let value = round_money(value);
    value.mantissa() * 10i128.pow(MONEY_DP - value.scale())
}

/// Integer division rounding half away from zero; `None` on overflow or a
/// zero divisor. The building block of every fixed-point rounding.
///
/// ```
/// use mizan::money::div_round_half_up;
/// assert_eq!(div_round_half_up(5, 2), Some(3));
/// assert_eq!(div_round_half_up(-5, 2), Some(-3));
/// assert_eq!(div_round_half_up(7, 3), Some(2));
/// ```
pub fn div_round_half_up(numerator: i128, denominator: i128) -> Option<i128> {
    if denominator == 0 {
        return None;
    }
    let negative = (numerator < 0) != (denominator < 0);
    let n = numerator.unsigned_abs();
    let d = denominator.unsigned_abs();
    let (q, r) = (n / d, n % d);
    // Compare 2r with d without overflowing: r >= d - r.
    let q = if r >= d - r { q.checked_add(1)? } else { q };
    let q = i128::try_from(q).ok()?;
    Some(if negative { -q } else { q })
}

/// Prints a decimal with exactly `dp` places (rounding half-up first if it
/// has more), the way every money figure leaves the program.
pub fn format_fixed(value: Decimal, dp: u32) -> String {
    let mut v = round_half_up(value, dp);
    v.rescale(dp);
    let mut text = v.to_string();
    // A value within a few digits of `Decimal::MAX` cannot be rescaled to
    // carry `dp` places; the places are zeros, so write them as text.
    let missing = dp - v.scale();
    if missing > 0 {
        if v.scale() == 0 {
            text.push('.');
        }
        text.extend(std::iter::repeat_n('0', missing as usize));
    }
    text
}

/// [`format_fixed`] as a `Display`, which allocates nothing and honours a
/// width (`{:>12}`): `write!(out, "{:>12}", Places(value, 2))`. The digits
/// go through `Decimal`'s own `Display` into a buffer on the stack.
#[derive(Debug, Clone, Copy)]
pub struct Places(pub Decimal, pub u32);

impl fmt::Display for Places {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Places(value, dp) = *self;
        let mut v = round_half_up(value, dp);
        v.rescale(dp);
        let mut text = StackText::default();
        fmt::Write::write_fmt(&mut text, format_args!("{v}"))?;
        let missing = dp - v.scale();
        if missing > 0 {
            if v.scale() == 0 {
                text.push(b'.')?;
            }
            for _ in 0..missing {
                text.push(b'0')?;
            }
        }
        f.pad(text.as_str())
    }
}

/// Text on the stack, as long as any `Decimal` printed with its places.
struct StackText {
    bytes: [u8; 96],
    len: usize,
}

impl Default for StackText {
    fn default() -> Self {
        StackText {
            bytes: [0; 96],
            len: 0,
        }
    }
}

impl StackText {
    fn push(&mut self, byte: u8) -> fmt::Result {
        *self.bytes.get_mut(self.len).ok_or(fmt::Error)? = byte;
        self.len += 1;
        Ok(())
    }

    fn as_str(&self) -> &str {
        // Only whole `str`s and ASCII bytes are ever written.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        self.bytes
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl<const DP: u32> Fixed<DP> {
    /// Zero.
    pub const ZERO: Self = Fixed(0);

    /// The exact fixed-point value of `value`, or an error if it has more
    /// than `DP` places or does not fit in an `i64`.
    pub fn from_decimal(value: Decimal) -> Result<Self, MoneyError> {
        let mut v = value;
        v.rescale(DP);
        if v != value || v.scale() != DP {
            // More places than DP (rescale rounded), or too many digits for
            // the rescale to happen at all.
            return Err(MoneyError::Overflow);
        }
        i64::try_from(v.mantissa())
            .map(Fixed)
            .map_err(|_| MoneyError::Overflow)
    }

    /// The exact `Decimal` with `DP` places.
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, DP)
    }

    /// Checked addition.
    pub fn checked_add(self, other: Self) -> Result<Self, MoneyError> {
        self.0
            .checked_add(other.0)
            .map(Fixed)
            .ok_or(MoneyError::Overflow)
    }

    /// Checked subtraction.
    pub fn checked_sub(self, other: Self) -> Result<Self, MoneyError> {
        self.0
            .checked_sub(other.0)
            .map(Fixed)
            .ok_or(MoneyError::Overflow)
    }

    /// `round_half_up(self × other, DP)` where `other` has `DP2` places: the
    /// product is exact in `i128`, then rounded once.
    pub fn mul_round<const DP2: u32>(self, other: Fixed<DP2>) -> Result<Self, MoneyError> {
        let product = i128::from(self.0) * i128::from(other.0);
        let rounded = div_round_half_up(product, 10i128.pow(DP2)).ok_or(MoneyError::Overflow)?;
        i64::try_from(rounded)
            .map(Fixed)
            .map_err(|_| MoneyError::Overflow)
    }
}

impl<const DP: u32> fmt::Display for Fixed<DP> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_decimal(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        parse_decimal(s).unwrap()
    }

    #[test]
    fn places_prints_what_format_fixed_prints_and_pads() {
        for (value, dp) in [
            (d("0"), 2),
            (d("1.005"), 2),
            (d("-12.345"), 2),
            (d("7"), 3),
            (d("0.0000001234"), 10),
            (Decimal::MAX, 2),
            (Decimal::MIN, 0),
            (d("123456789012345.6789"), 2),
        ] {
            assert_eq!(
                Places(value, dp).to_string(),
                format_fixed(value, dp),
                "{value}"
            );
        }
        assert_eq!(format!("{:>8}", Places(d("1.5"), 2)), "    1.50");
        assert_eq!(format!("{:<6}|", Places(d("-2"), 1)), "-2.0  |");
        assert_eq!(
            format!("{:>12}", Places(d("1234567.891"), 2)),
            format!("{:>12}", format_fixed(d("1234567.891"), 2))
        );
    }

    #[test]
    fn rounding_boundaries() {
        // (input, places, expected)
        let cases = [
            ("1.005", 2, "1.01"),
            ("1.004999", 2, "1.00"),
            ("2.675", 2, "2.68"),
            ("0.005", 2, "0.01"),
            ("0.004999", 2, "0.00"),
            ("0", 2, "0.00"),
            ("-1.005", 2, "-1.01"),
            ("-1.004999", 2, "-1.00"),
            ("999999999999.995", 2, "1000000000000.00"),
            ("999999999999.994999", 2, "999999999999.99"),
            ("12.3445", 3, "12.345"),
            ("7", 2, "7.00"),
        ];
        for (input, dp, expected) in cases {
            assert_eq!(format_fixed(d(input), dp), expected, "{input} to {dp}");
        }
        // Beyond the input limits, next to Decimal::MAX, where the places
        // cannot be carried by a rescale: still exactly two.
        assert_eq!(
            format_fixed(Decimal::MAX, 2),
            "79228162514264337593543950335.00"
        );
        let near_max: Decimal = "7922816251426433759354395033.5".parse().unwrap();
        assert_eq!(format_fixed(near_max, 2), "7922816251426433759354395033.50");
    }

    #[test]
    fn parse_is_strict() {
        let bad = [
            "", "-", ".", "1.", ".5", "+1", "1e5", "1_000", " 1", "1 ", "1,5", "0x10", "--1",
            "1.2.3",
        ];
        for s in bad {
            assert_eq!(
                parse_decimal(s),
                Err(DecimalError::Syntax(s.to_owned())),
                "{s:?}"
            );
        }
        assert_eq!(
            parse_decimal("1.12345678901"),
            Err(DecimalError::TooManyPlaces("1.12345678901".into()))
        );
        assert_eq!(
            parse_decimal("10000000000000000"),
            Err(DecimalError::TooLarge("10000000000000000".into()))
        );
        // The edges: sixteen digits and ten places, and 10^15 itself.
        assert_eq!(
            d("9999999999999999.9999999999").to_string(),
            "9999999999999999.9999999999"
        );
        assert_eq!(d("1000000000000000").to_string(), "1000000000000000");
        assert_eq!(d("0.0000000001").to_string(), "0.0000000001");
        assert_eq!(
            d("-9999999999999999.9999999999").to_string(),
            "-9999999999999999.9999999999"
        );
        assert_eq!(d("000012.50").to_string(), "12.50");
        assert_eq!(d("-0.5").to_string(), "-0.5");
    }

    #[test]
    fn mul_div_round_is_exact() {
        // 22/24 does not terminate: 1 × 22 / 24 = 0.91666… → 0.92.
        assert_eq!(mul_div_round(d("22"), d("24"), 2).unwrap(), d("0.92"));
        // 0.125 exactly is a tie: up.
        assert_eq!(mul_div_round(d("1"), d("8"), 2).unwrap(), d("0.13"));
        // 1/3 to 10 places.
        assert_eq!(
            mul_div_round(d("1"), d("3"), 10).unwrap().to_string(),
            "0.3333333333"
        );
        // A denominator with places: 1 / 0.03 = 33.333…
        assert_eq!(mul_div_round(d("1"), d("0.03"), 2).unwrap(), d("33.33"));
        assert_eq!(
            mul_div_round(d("1"), Decimal::ZERO, 2),
            Err(MoneyError::DivisionByZero)
        );
        assert_eq!(
            mul_div_round(Decimal::MAX, d("0.000001"), 6),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn mul_exact_refuses_to_rescale() {
        assert_eq!(mul_exact(d("1.5"), d("2.25")).unwrap(), d("3.375"));
        // Two 18-digit mantissas: 36 digits do not fit 96 bits.
        let big = d("999999999999.999999");
        assert_eq!(mul_exact(big, big), Err(MoneyError::Overflow));
        assert_eq!(mul_exact(Decimal::ZERO, big).unwrap(), Decimal::ZERO);
    }

    #[test]
    fn fixed_point_round_trips() {
        let c = Cents::from_decimal(d("1234.5")).unwrap();
        assert_eq!(c, Fixed(123_450));
        assert_eq!(c.to_decimal().to_string(), "1234.50");
        assert_eq!(c.to_string(), "1234.50");
        assert_eq!(Cents::from_decimal(d("0.001")), Err(MoneyError::Overflow));
        assert_eq!(Cents::from_decimal(Decimal::MAX), Err(MoneyError::Overflow));
        let largest = Fixed::<2>(i64::MAX);
        assert_eq!(largest.to_string(), "92233720368547758.07");
        assert_eq!(Cents::from_decimal(largest.to_decimal()).unwrap(), largest);
        assert_eq!(largest.checked_add(Fixed(1)), Err(MoneyError::Overflow));
        assert_eq!(
            Fixed::<2>(i64::MIN).checked_sub(Fixed(1)),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn fixed_mul_round_matches_decimal() {
        // 933.33 × 0.0178809323 (10 places) rounded to cents.
        let amount = Cents::from_decimal(d("933.33")).unwrap();
        let rate = Fixed::<10>(178_809_323);
        let expected = round_money(d("933.33") * Decimal::new(178_809_323, 10));
        assert_eq!(amount.mul_round(rate).unwrap().to_decimal(), expected);
        // Ties round up: 0.05 × 0.5 = 0.025 → 0.03.
        assert_eq!(Fixed::<2>(5).mul_round(Fixed::<1>(5)).unwrap(), Fixed(3));
        assert_eq!(
            Fixed::<2>(i64::MAX).mul_round(Fixed::<0>(2)),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn div_round_half_up_edges() {
        assert_eq!(div_round_half_up(0, 7), Some(0));
        assert_eq!(div_round_half_up(14, 4), Some(4)); // 3.5
        assert_eq!(div_round_half_up(13, 4), Some(3)); // 3.25
        assert_eq!(div_round_half_up(1, 0), None);
        assert_eq!(div_round_half_up(i128::MAX, 1), Some(i128::MAX));
        assert_eq!(div_round_half_up(i128::MIN, -1), None);
    }

    #[test]
    fn the_one_pass_reading_is_the_checked_one() {
        let mut texts: Vec<String> = [
            "",
            "-",
            ".",
            "-.",
            "0",
            "-0",
            "00",
            "0.",
            ".5",
            "1.",
            "1..2",
            "1.2.3",
            "+1",
            "1e5",
            " 1",
            "1 ",
            "-0.00",
            "007.50",
            "12345678901234567",
            "0000000000000000001",
            "1234567890123456",
            "12345678.1234567890",
            "1.12345678901",
            "999999999999999999",
            "9999999999999999.9",
            "-9999999999999999.9999999999",
            "1_0",
            "١",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Every length and place count around the limits.
        for int in 0..=19 {
            for places in 0..=12 {
                for digit in ['0', '7', '9'] {
                    let whole: String = std::iter::repeat_n(digit, int).collect();
                    let fraction: String = std::iter::repeat_n('3', places).collect();
                    for sign in ["", "-"] {
                        texts.push(format!("{sign}{whole}"));
                        texts.push(format!("{sign}{whole}.{fraction}"));
                    }
                }
            }
        }
        texts.extend(["1\"2", "12\"", "-\"", "1.\"5", "\"1"].map(String::from));
        for text in texts {
            let fast = parse_decimal(&text);
            let checked = parse_decimal_checked(&text);
            assert_eq!(fast, checked, "{text:?}");
            if let (Ok(a), Ok(b)) = (&fast, &checked) {
                assert_eq!(a.serialize(), b.serialize(), "{text:?}");
            }
            if text.contains('"') {
                // Not a JSON string when quoted; the one-pass reading stops
                // at the quote, and `parse_decimal` must not take it.
                continue;
            }
            // A JSON reader reads the same value from the quoted string
            // (the one-pass reading stops at the quote), and stops after it.
            let quoted = format!("\"{text}\",");
            let mut reader = crate::json::Reader::new(quoted.as_bytes());
            let read = reader.decimal();
            assert_eq!(read, checked.as_ref().ok().copied(), "{quoted:?}");
            if let Some(read) = read {
                assert_eq!(reader.position(), text.len() + 2, "{quoted:?}");
                assert_eq!(read.serialize(), checked.unwrap().serialize(), "{quoted:?}");
            }
        }
    }
}
