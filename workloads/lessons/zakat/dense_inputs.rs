//! The totals table with no hash, which `zakat/hashing` (its dense index)
//! and `zakat/sharding` (a dense table a task) both time: a file of its
//! own, so that the sources of the lessons that do not use it are as they
//! were.

use super::inputs::{CLASSES, Key, Line, Total, Totals, add, key};
use crate::input::Currency;

// ANCHOR: dense_totals
/// A totals table with no hash: a currency code is three capital letters,
/// so it numbers itself (26³ codes); a region is a byte and a class one of
/// five. The first time a currency is seen it gets the next block of
/// 256 × 5 cells, and a line's cell is found by arithmetic.
#[derive(Debug, Clone)]
pub struct DenseTotals {
    /// Each currency code's block, plus one (zero: not seen yet).
    block_of: Vec<u16>,
    /// Each block's currency.
    currencies: Vec<Currency>,
    /// Every block's cells, one per region and class.
    cells: Vec<Total>,
}

/// The cells of one currency's block: one per region and class.
const BLOCK: usize = 256 * CLASSES.len();

impl Default for DenseTotals {
    fn default() -> DenseTotals {
        DenseTotals {
            block_of: vec![0; 26 * 26 * 26],
            currencies: Vec::new(),
            cells: Vec::new(),
        }
    }
}

impl DenseTotals {
    /// The cell of `key`, made at zero the first time its currency is seen.
    #[inline]
    fn cell(&mut self, (region, currency, class): Key) -> &mut Total {
        let code = code_number(currency);
        if self.block_of[code] == 0 {
            self.currencies.push(currency);
            self.block_of[code] =
                u16::try_from(self.currencies.len()).expect("at most 26³ currencies");
            self.cells
                .resize(self.cells.len() + BLOCK, Total::default());
        }
        let block = usize::from(self.block_of[code] - 1);
        &mut self.cells[block * BLOCK + usize::from(region) * CLASSES.len() + class as usize]
    }

    /// Adds one line to its key's cell.
    #[inline]
    pub fn add(&mut self, line: &Line) {
        add(self.cell(key(line)), line);
    }

    /// Every cell of `other` added into this table's.
    pub fn merge(&mut self, other: DenseTotals) {
        for (block, cells) in other.cells.chunks_exact(BLOCK).enumerate() {
            for (idx, total) in cells.iter().enumerate().filter(|(_, t)| t.lines > 0) {
                let key = cell_key(other.currencies[block], idx);
                let cell = self.cell(key);
                cell.lines += total.lines;
                cell.value += total.value;
            }
        }
    }

    /// The table as the other forms give it: every key with a line.
    pub fn into_totals(self) -> Totals {
        let mut totals = Totals::new();
        for (block, cells) in self.cells.chunks_exact(BLOCK).enumerate() {
            for (idx, total) in cells.iter().enumerate().filter(|(_, t)| t.lines > 0) {
                totals.insert(cell_key(self.currencies[block], idx), *total);
            }
        }
        totals
    }
}

/// The key of cell `idx` of `currency`'s block.
fn cell_key(currency: Currency, idx: usize) -> Key {
    let region = (idx / CLASSES.len()) as u8;
    (region, currency, CLASSES[idx % CLASSES.len()])
}

/// A currency code's own number, 0 to 26³ − 1.
fn code_number(currency: Currency) -> usize {
    currency.0.iter().fold(0, |number, letter| {
        assert!(
            letter.is_ascii_uppercase(),
            "a currency code is three capitals"
        );
        number * 26 + usize::from(letter - b'A')
    })
}
// ANCHOR_END: dense_totals

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::lessons::zakat::inputs::AssetClass;

    fn line(region: u8, currency: &str, class: AssetClass, cents: i64) -> Line {
        Line {
            region,
            currency: Currency(currency.as_bytes().try_into().unwrap()),
            class,
            value: Decimal::new(cents, 2),
        }
    }

    #[test]
    fn a_currency_numbers_itself() {
        assert_eq!(code_number(Currency(*b"AAA")), 0);
        assert_eq!(code_number(Currency(*b"ZZZ")), 26 * 26 * 26 - 1);
        assert_eq!(code_number(Currency(*b"USD")), 20 * 676 + 18 * 26 + 3);
    }

    #[test]
    fn dense_tables_merge_into_the_maps_totals() {
        let lines = [
            line(0, "USD", AssetClass::Cash, 100),
            line(255, "ZZZ", AssetClass::Rikaz, -5),
            line(0, "USD", AssetClass::Cash, 250),
            line(7, "EUR", AssetClass::Metals, 1),
        ];
        let (mut first, mut second) = (DenseTotals::default(), DenseTotals::default());
        for line in &lines[..2] {
            first.add(line);
        }
        for line in &lines[2..] {
            second.add(line);
        }
        first.merge(second);
        let totals = first.into_totals();
        let expected: Totals = [
            ((0, Currency(*b"USD"), AssetClass::Cash), (2, 350)),
            ((7, Currency(*b"EUR"), AssetClass::Metals), (1, 1)),
            ((255, Currency(*b"ZZZ"), AssetClass::Rikaz), (1, -5)),
        ]
        .into_iter()
        .map(|(key, (lines, cents))| {
            let value = Decimal::new(cents, 2);
            (key, Total { lines, value })
        })
        .collect();
        assert_eq!(totals, expected);
    }
}
