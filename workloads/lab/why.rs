//! A lesson's "why" paragraph, with its figures filled in from the run.
//!
//! A figure in prose is generated from the run or not written: a `why`
//! carries no typed count, ratio, time or size. Where the paragraph needs
//! one, it names it with a placeholder, filled from the lesson's results
//! wherever the paragraph is shown (the book's lesson pages):
//!
//! | placeholder | becomes |
//! |---|---|
//! | `{speedup}` | naive over optimized, as a verdict: `2.21× faster (2.15–2.30×)`, `no measurable difference (0.97–1.06×)` |
//! | `{over_naive:FORM}` | the same for a further form |
//! | `{over_before:FORM}` | the form before's time over this one's: a ladder's rung |
//! | `{allocations_per_record:FORM}` | one warm run's allocations over its records: `6.0` |
//! | `{peak:FORM}` | one warm run's peak heap: `82.0 MB` |
//! | `{faults:FORM}` | one warm run's minor page faults: `20,112` |
//! | `{records}` | the records of a run: `50,000` |
//!
//! `FORM` is `naive`, `optimized` or a further form's name. Each may be
//! prefixed `contrast.` (`{contrast.speedup}`, `{contrast.records}`) for
//! the same figure of the lesson's contrast run, at its contrast scale.
//!
//! ```
//! use mizan::lab::why::typed_figures;
//!
//! assert_eq!(typed_figures("saves {speedup} with i128 products"), Vec::<String>::new());
//! assert_eq!(typed_figures("about 1.1x, six mremap calls, 80 MB"), ["1.1x", "80"]);
//! ```

use super::measure::{format_bytes, format_count};
use super::results::{FormResult, LessonResult};
use super::stats::number;
use super::tables::prose;

/// The placeholders a `why` may use (before any `:FORM`).
pub const PLACEHOLDERS: [&str; 7] = [
    "speedup",
    "over_naive",
    "over_before",
    "allocations_per_record",
    "peak",
    "faults",
    "records",
];

/// The figures typed into a text outside its placeholders: every run of
/// digits (with the `.`, `,`, `×`, `x` or `%` that continue it) not part
/// of an identifier such as `i128` or `u64`.
pub fn typed_figures(text: &str) -> Vec<String> {
    let outside = strip_placeholders(text);
    let chars: Vec<char> = outside.chars().collect();
    let mut figures = Vec::new();
    let mut idx = 0;
    while idx < chars.len() {
        let c = chars[idx];
        let in_identifier = idx > 0 && (chars[idx - 1].is_alphanumeric() || chars[idx - 1] == '_');
        if c.is_ascii_digit() && !in_identifier {
            let start = idx;
            while idx < chars.len()
                && (chars[idx].is_ascii_digit()
                    || (matches!(chars[idx], '.' | ',')
                        && chars.get(idx + 1).is_some_and(char::is_ascii_digit))
                    || matches!(chars[idx], '×' | 'x' | '%'))
            {
                idx += 1;
            }
            figures.push(chars[start..idx].iter().collect());
        } else {
            idx += 1;
        }
    }
    figures
}

/// The text with every `{…}` removed.
fn strip_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The prefix of a placeholder filled from the lesson's contrast run.
pub const CONTRAST: &str = "contrast.";

/// The placeholders of a text, as `(name, form)` (a contrast's name with
/// its prefix).
pub fn placeholders(text: &str) -> Vec<(String, Option<String>)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let inside = &rest[open + 1..open + close];
        let (name, form) = match inside.split_once(':') {
            Some((name, form)) => (name.to_owned(), Some(form.to_owned())),
            None => (inside.to_owned(), None),
        };
        found.push((name, form));
        rest = &rest[open + close + 1..];
    }
    found
}

/// `why` with its placeholders filled from `result` (`(not measured)`
/// where the run has no such figure).
pub fn render(why: &str, result: &LessonResult, contrast: Option<&LessonResult>) -> String {
    let mut out = String::with_capacity(why.len() + 64);
    let mut rest = why;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        let inside = &rest[open + 1..open + close];
        let filled = match inside.strip_prefix(CONTRAST) {
            Some(inside) => contrast.and_then(|contrast| fill(inside, contrast)),
            None => fill(inside, result),
        };
        out.push_str(&filled.unwrap_or_else(|| "(not measured)".to_owned()));
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

fn fill(placeholder: &str, result: &LessonResult) -> Option<String> {
    let m = result.measured.as_ref()?;
    let (name, form_name) = match placeholder.split_once(':') {
        Some((name, form)) => (name, Some(form)),
        None => (placeholder, None),
    };
    let form = |wanted: Option<&str>| -> Option<&FormResult> {
        let wanted = wanted?;
        m.forms.iter().find(|f| f.name == wanted)
    };
    let ratio = matches!(name, "speedup" | "over_naive" | "over_before");
    if ratio && !m.reliable() {
        // As the tables say it: a parallel form timed without its cores.
        return Some(super::tables::UNRELIABLE.to_owned());
    }
    match name {
        "speedup" => Some(prose(&m.speedup())),
        "over_naive" => form(form_name)?.over_naive.as_ref().map(prose),
        "over_before" => form(form_name)?.over_before.as_ref().map(prose),
        "allocations_per_record" => {
            let count = form(form_name)?.allocations.count;
            Some(number(count as f64 / result.elements.max(1) as f64))
        }
        "peak" => Some(format_bytes(form(form_name)?.allocations.peak_bytes)),
        "faults" => Some(format_count(form(form_name)?.minor_faults)),
        "records" => Some(format_count(result.elements)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_outside_placeholders_are_found() {
        assert_eq!(
            typed_figures("halved: 2× with 16 locks, a 4 KiB page, 1,639,249 blocks"),
            ["2×", "16", "4", "1,639,249"]
        );
        assert_eq!(
            typed_figures("i64 cents, u128, utf8, {allocations_per_record:naive} a payer"),
            Vec::<String>::new()
        );
        assert_eq!(
            typed_figures("ten places and sixteen locks"),
            Vec::<String>::new()
        );
        assert_eq!(
            placeholders("x {speedup} y {peak:optimized}"),
            [
                ("speedup".to_owned(), None),
                ("peak".to_owned(), Some("optimized".to_owned()))
            ]
        );
    }
}
