//! `zakat/parsing`: reading the payers file of `FORMATS.md` (the document
//! `mizan zakat assess` takes) from bytes in memory into the validated
//! model: every field's type and range checked, every currency priced,
//! every id distinct, and the first problem reported with its path
//! (`payers[3].assets[1].karat: 25 is above 24`).
//!
//! - naive: `serde_json::Value` first, the tree then turned into the model
//!   through the same derived `Deserialize`: every object a map of owned
//!   keys, every string and number a node, built and then taken apart;
//! - `derive`: the derived `Deserialize` straight from the bytes (what the
//!   reference's `ZakatInput::from_json` does), the error's path kept as
//!   it reads (`serde_path_to_error`, as the naive form's two steps do);
//! - `derive-untracked`: the same with no path kept on the way: the bytes
//!   read again with the path only when the first read fails;
//! - `borrowed`: the same, with the identifiers and regions borrowed from
//!   the input (`Cow<str>`: borrowed unless the JSON escapes a character)
//!   instead of copied into a `String` each;
//! - optimized: by hand, straight to the model: the records found by a
//!   structural scan, each read by the engine's own reader
//!   (`zakat::parse::payer`), which knows the shape of a payer (the
//!   layout `serde_json` and `mizan generate` write is checked key by key
//!   as comparisons of a constant size; any other layout is read field by
//!   field, each key matched) and reads each amount's digits, up to the
//!   closing quote, into a `Decimal`'s integer mantissa and scale
//!   (fixed point, no intermediate string), with the derived parser as the
//!   fallback for anything it does not expect, so its model or its error
//!   stands.
//!
//! Every form gives the same model (compared by a digest of every field, and
//! in the tests field by field) or the same error: the same path and the
//! same message, less the line and column that only a parser of the text
//! can give. One difference is the `Value` form's own: a JSON object with
//! a key twice keeps the last one, silently, where the typed forms refuse
//! the document; the tests show it.
//!
//! The contrast ([`ESCAPED`]) is the same file with each payer's region a
//! real name, its letters outside ASCII escaped as Python's `json.dumps`
//! writes them, read by the derived parser (untracked) against the hand
//! reader: the hand reader gives up at the first escape and the file goes
//! to the derived parser after all.

use std::borrow::Cow;
use std::hash::Hash;

use serde::Deserialize;

use crate::date::CivilDate;
use crate::input::{Currency, InputError};
use crate::json::scan;
use crate::lab::api::ensure;
use crate::lab::api::{
    Contrast, ContrastInput, Exercise, LessonDef, Limit, Practice, Prepare, SPEED_OF_LIGHT, Scale,
    Variant,
};
use crate::zakat::model::{Asset, Debt, Policy, Prices, ZakatInput};

use super::inputs::{
    Parsed, PayersFile, deserialize, digest, file_payers_at, payers_file, read, read_untracked,
    validated,
};

/// The lesson's registry entry.
pub const LESSON: LessonDef<PayersFile, Result<Parsed, InputError>> = LessonDef {
    id: "zakat/parsing",
    why: "Reading JSON through serde_json's Value builds a tree first: a map of owned keys \
          for every object, a node for every string and number, each allocated, then \
          walked and freed to make the model. The derived Deserialize reads the bytes \
          straight into the model's fields, and like the Value form it keeps the path of \
          the first error as it reads (serde_path_to_error, a String for every key read): \
          {?over_naive:derive|gain it measured {over_naive:derive} over the Value \
          form.|same it is within the noise of the Value form ({over_naive:derive}).|loss \
          it measured {over_naive:derive} against the Value form.} The next rung keeps no \
          path on the way: serde_json alone, the bytes read again with the path only if \
          the first read fails, so a valid file never pays for the path \
          ({allocations_per_record:derive} allocations a payer tracked, \
          {allocations_per_record:derive-untracked} untracked); \
          {?over_before:derive-untracked|gain dropping the path measured \
          {over_before:derive-untracked} over the tracked derive.|same dropping the path \
          is within the noise of the tracked derive ({over_before:derive-untracked}).|loss \
          dropping the path measured {over_before:derive-untracked} against the tracked \
          derive.} Borrowing a payer's id and region from the input instead of copying \
          them is the rung after, also untracked ({allocations_per_record:borrowed} \
          allocations a payer); {?over_before:borrowed|gain it measured \
          {over_before:borrowed} over the untracked derive.|same it is within the noise of \
          the untracked derive ({over_before:borrowed}).|loss it measured \
          {over_before:borrowed} against the untracked derive.} Reading by hand, knowing \
          the shape of a payer and taking each amount's digits straight into a Decimal's \
          integer mantissa, with the untracked derive behind it for anything unexpected, \
          is the last rung ({allocations_per_record:optimized} allocations a payer): \
          {?over_before:optimized|gain it measured {over_before:optimized} over the \
          borrowed rung, and {speedup} over the Value form.|same it is within the noise of \
          the borrowed rung ({over_before:optimized}; {speedup} over the Value form).|loss \
          it measured {over_before:optimized} against the borrowed rung ({speedup} over \
          the Value form).} {?instructions|gain Callgrind counts the work the rungs \
          remove, from the Value form to the hand reader: {instructions}.|same Callgrind \
          counts about as much work in the Value form and the hand reader \
          ({instructions}).|loss Callgrind counts more work in the hand reader than in the \
          Value form ({instructions}).} Every form gives the same model or the same error, \
          except that a Value keeps the last of two same-named fields without a word. The \
          contrast has the regions' real names escaped, as Python's json.dumps writes \
          them, and sets the hand reader against the untracked derive it falls back to: \
          the hand reader scans the whole file for its records, gives up at the first \
          escape and hands the file to the derived parser, which reads it all again. \
          {?contrast.speedup|gain There the hand reader still measured \
          {contrast.speedup}.|same There the two are within the noise \
          ({contrast.speedup}).|loss There the hand reader measured {contrast.speedup}: \
          its scan is work thrown away before the derived parser starts.} A fast path for \
          the common shape is extra work on every file without that shape: write a reader \
          by hand for the format a tool reads all day, keep the derived parser behind it, \
          and know how often the fallback runs.",
    build: payers_file,
    elements: |input| input.payers as u64,
    naive,
    optimized,
    prepare: Prepare::NONE,
    limit: Some(Limit {
        name: SPEED_OF_LIGHT,
        run: limit,
    }),
    reference: None,
    arbitrary: super::inputs::arbitrary_payers_file,
    invariant: Some(read_as_the_derived_parser_reads),
    allocators: None,
    variants: &[
        Variant::new("derive", derive),
        Variant::new("derive-untracked", derive_untracked),
        Variant::new("borrowed", borrowed),
    ],
    scaling: false,
    contrast: Some(Contrast {
        name: "escaped region names, derived against by hand",
        scale: Scale::Small,
        input: ContrastInput::Stage(&ESCAPED),
    }),
    practice: Practice::Rewrite(Exercise {
        hint: "The whole file becomes a `serde_json::Value` tree (a map for every object, a String \
         for every key and value) before the model is made from it. The model's types already \
         know how to read themselves from bytes. Then: which strings need a copy at all?",
        compares: "the model read (a digest of every field) or the error, path and message",
        keep: &[],
        may_call: &[],
        constraint: None,
    }),
};

/// The contrast: the hand reader against the derived parser it falls back
/// to, on a file where it must fall back.
pub const ESCAPED: LessonDef<PayersFile, Result<Parsed, InputError>> = LessonDef {
    id: "zakat/parsing",
    why: "",
    build: escaped_regions,
    elements: |input| input.payers as u64,
    naive: derive_untracked,
    optimized,
    prepare: Prepare::NONE,
    limit: None,
    reference: None,
    arbitrary: super::inputs::arbitrary_payers_file,
    invariant: None,
    allocators: None,
    variants: &[],
    scaling: false,
    contrast: None,
    practice: Practice::Contrast,
};

// ANCHOR: escaped
/// The contrast's file: the same payers with their regions' real names, the
/// letters outside ASCII escaped as Python's `json.dumps` writes them by
/// default (`"\u00cele-de-France"`).
fn escaped_regions(scale: Scale, seed: u64) -> PayersFile {
    const NAMES: [&str; 4] = ["Île-de-France", "Zürich", "Şanlıurfa", "Kraków"];
    let mut input = crate::zakat::generate::generate(file_payers_at(scale), seed);
    for (k, payer) in input.payers.iter_mut().enumerate() {
        payer.region = Some(NAMES[k % NAMES.len()].to_owned());
    }
    let text = serde_json::to_string(&input).expect("a model serializes");
    let mut escaped = String::with_capacity(text.len() + input.payers.len() * 6);
    for c in text.chars() {
        if c.is_ascii() {
            escaped.push(c);
        } else {
            escaped.push_str(&format!("\\u{:04x}", c as u32));
        }
    }
    PayersFile {
        bytes: escaped.into_bytes(),
        payers: input.payers.len(),
    }
}
// ANCHOR_END: escaped

// ANCHOR: limit
/// The speed of light: every byte read once, one comparison a byte.
fn limit(input: &PayersFile) -> u64 {
    input.bytes.iter().filter(|&&b| b == b'{').count() as u64
}
// ANCHOR_END: limit

// ANCHOR: naive
/// A `serde_json::Value` first, then the model from it.
pub fn naive(input: &PayersFile) -> Result<Parsed, InputError> {
    let value: serde_json::Value = read(&input.bytes)?;
    validated(deserialize(value)?)
}
// ANCHOR_END: naive

// ANCHOR: derive
/// The derived `Deserialize`, straight from the bytes.
pub fn derive(input: &PayersFile) -> Result<Parsed, InputError> {
    validated(derive_model(&input.bytes)?)
}

/// The model by the derived `Deserialize`.
pub fn derive_model(bytes: &[u8]) -> Result<ZakatInput, InputError> {
    read(bytes)
}
// ANCHOR_END: derive

// ANCHOR: derive_untracked
/// The derived `Deserialize` with no path kept on the way.
pub fn derive_untracked(input: &PayersFile) -> Result<Parsed, InputError> {
    validated(read_untracked(&input.bytes)?)
}
// ANCHOR_END: derive_untracked

// ANCHOR: borrowed
/// The document with its identifiers borrowed from the input.
#[derive(Debug, Hash, Deserialize)]
#[serde(deny_unknown_fields, rename = "ZakatInput")]
pub struct DocumentRef<'a> {
    zakat_date: CivilDate,
    currency: Currency,
    prices: Prices,
    #[serde(default)]
    policy: Policy,
    #[serde(borrow)]
    payers: Vec<PayerRef<'a>>,
}

/// A payer whose id and region point into the input where they can.
#[derive(Debug, Hash, Deserialize)]
#[serde(deny_unknown_fields, rename = "Payer")]
pub struct PayerRef<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(default, borrow)]
    region: Option<Text<'a>>,
    hawl_start: CivilDate,
    #[serde(default)]
    assets: Vec<Asset>,
    #[serde(default)]
    debts: Vec<Debt>,
}

/// A string borrowed from the input unless it has an escape. serde borrows
/// a `Cow<str>` field only where the field's type is `Cow` itself: inside
/// an `Option` it would always copy, so the region is wrapped.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

impl Hash for Text<'_> {
    /// As the `String` of the owned model hashes.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

/// The derived `Deserialize` into the borrowed model.
pub fn borrowed(input: &PayersFile) -> Result<Parsed, InputError> {
    let document = borrowed_model(&input.bytes)?;
    document.check()?;
    Ok(Parsed {
        payers: document.payers.len(),
        digest: digest(&document),
    })
}
// ANCHOR_END: borrowed

/// The borrowed model, unchecked (no path kept unless the read fails).
pub fn borrowed_model(bytes: &[u8]) -> Result<DocumentRef<'_>, InputError> {
    read_untracked(bytes)
}

impl DocumentRef<'_> {
    /// `ZakatInput`'s own checks: every currency priced, payer by payer,
    /// then every id distinct.
    fn check(&self) -> Result<(), InputError> {
        let context = ZakatInput {
            zakat_date: self.zakat_date,
            currency: self.currency,
            prices: self.prices.clone(),
            policy: self.policy,
            payers: Vec::new(),
        };
        for (idx, payer) in self.payers.iter().enumerate() {
            context
                .check_lines(&payer.id, &payer.assets, &payer.debts)
                .map_err(|e| InputError::new(format!("payers[{idx}].{}", e.path), e.message))?;
        }
        crate::zakat::model::distinct_ids(self.payers.iter().map(|payer| &*payer.id))
    }

    /// The owned model (for the tests).
    pub fn to_owned_model(&self) -> ZakatInput {
        ZakatInput {
            zakat_date: self.zakat_date,
            currency: self.currency,
            prices: self.prices.clone(),
            policy: self.policy,
            payers: self
                .payers
                .iter()
                .map(|p| crate::zakat::model::Payer {
                    id: p.id.to_string(),
                    region: p.region.as_ref().map(|r| r.0.to_string()),
                    hawl_start: p.hawl_start,
                    assets: p.assets.clone(),
                    debts: p.debts.clone(),
                })
                .collect(),
        }
    }
}

// ANCHOR: optimized
/// By hand: the records found by a structural scan, each read straight
/// into the model, the derived parser behind it for anything unexpected.
pub fn optimized(input: &PayersFile) -> Result<Parsed, InputError> {
    match by_hand(&input.bytes) {
        Some(model) => validated(model),
        None => derive_untracked(input),
    }
}

/// The model by hand, or `None` for the derived parser.
pub fn by_hand(bytes: &[u8]) -> Option<ZakatInput> {
    let split = scan::split(bytes, "payers")?;
    let mut model = derive_model(&split.context).ok()?;
    model.payers.reserve_exact(split.records.len());
    for record in split.records {
        model
            .payers
            .push(crate::zakat::parse::payer(&bytes[record])?);
    }
    Some(model)
}
// ANCHOR_END: optimized

/// The invariant: the hand reader reads the model the derived parser
/// reads, or hands the file to it; the borrowed model is the owned one;
/// a file read counts its payers.
fn read_as_the_derived_parser_reads(
    file: &PayersFile,
    parsed: &Result<Parsed, InputError>,
) -> Result<(), String> {
    let model = derive_model(&file.bytes);
    if let Some(by_hand) = by_hand(&file.bytes) {
        ensure(Ok(&by_hand) == model.as_ref(), || {
            "the hand reader read another model".to_owned()
        })?;
    }
    if let Ok(document) = borrowed_model(&file.bytes) {
        ensure(Ok(&document.to_owned_model()) == model.as_ref(), || {
            "the borrowed model is not the owned one".to_owned()
        })?;
    }
    if let Ok(parsed) = parsed {
        ensure(parsed.payers == file.payers, || {
            format!("{} payers read of {}", parsed.payers, file.payers)
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::zakat::inputs::parsed;

    #[test]
    fn every_form_reads_the_same_model() {
        let input = payers_file(Scale::Tiny, 7);
        let model = crate::zakat::generate::generate(100, 7);
        let expected = Ok(parsed(&model));
        assert_eq!(naive(&input), expected);
        assert_eq!(derive(&input), expected);
        assert_eq!(derive_untracked(&input), expected);
        assert_eq!(borrowed(&input), expected);
        assert_eq!(optimized(&input), expected);
        assert_eq!(by_hand(&input.bytes).as_ref(), Some(&model));
        assert_eq!(
            borrowed_model(&input.bytes).unwrap().to_owned_model(),
            model
        );
    }

    #[test]
    fn escaped_names_go_to_the_derived_parser() {
        let file = escaped_regions(Scale::Tiny, 7);
        let text = std::str::from_utf8(&file.bytes).unwrap();
        assert!(text.is_ascii() && text.contains(r#""region":"\u00cele-de-France""#));
        let model = derive_model(&file.bytes).unwrap();
        assert_eq!(model.payers[1].region.as_deref(), Some("Zürich"));
        assert!(by_hand(&file.bytes).is_none());
        let expected = Ok(parsed(&model));
        for form in [naive, derive, derive_untracked, borrowed, optimized] {
            assert_eq!(form(&file), expected);
        }
    }

    #[test]
    fn every_form_gives_the_same_error() {
        let mut model = crate::zakat::generate::generate(5, 7);
        model.payers[3].id = model.payers[1].id.clone();
        let file = PayersFile::of(&model);
        let expected = Err(InputError::new(
            "payers[3].id",
            format!("{:?} is also the id of payers[1]", model.payers[1].id),
        ));
        for form in [naive, derive, derive_untracked, borrowed, optimized] {
            assert_eq!(form(&file), expected);
        }
        let text = String::from_utf8(PayersFile::of(&model).bytes).unwrap();
        let bad = text.replacen("\"hawl_start\"", "\"hawl_begin\"", 1);
        let file = PayersFile {
            bytes: bad.into_bytes(),
            payers: 5,
        };
        let expected = naive(&file);
        let error = expected.clone().unwrap_err();
        assert_eq!(error.path, "payers[0].hawl_begin");
        assert!(
            error.message.starts_with("unknown field `hawl_begin`"),
            "{error}"
        );
        for form in [derive, derive_untracked, borrowed, optimized] {
            assert_eq!(form(&file), expected);
        }
    }

    #[test]
    fn a_value_keeps_the_last_of_two_same_named_fields() {
        let text = String::from_utf8(payers_file(Scale::Tiny, 7).bytes).unwrap();
        let twice = text.replacen("{\"id\":", "{\"id\":\"first\",\"id\":", 1);
        let file = PayersFile {
            bytes: twice.into_bytes(),
            payers: 100,
        };
        assert!(naive(&file).is_ok());
        let error = derive(&file).unwrap_err();
        assert_eq!(error.path, "payers[0]");
        assert_eq!(error.message, "duplicate field `id`");
        assert_eq!(optimized(&file), Err(error.clone()));
        assert_eq!(derive_untracked(&file), Err(error.clone()));
        assert_eq!(borrowed(&file), Err(error));
    }
}
