//! A lesson's "why" paragraph, with its figures filled in from the run, and
//! every sentence whose truth depends on a ratio written for each verdict
//! the ratio can get.
//!
//! One idea, the paragraph's template, in one file of some 870 lines
//! besides its tests: its grammar, its rendering, the synthetic results
//! that render it under every verdict, and the check that no rendering
//! contradicts its figure, which must agree on one grammar.
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
//! | `{allocations_per_record:FORM}` | one warm run's allocations over its records: `6.0`, `0.00022` (never `0` when there were any) |
//! | `{allocations:FORM}` | one warm run's allocations: `22` |
//! | `{peak:FORM}` | one warm run's peak heap: `82.0 MB` |
//! | `{faults:FORM}` | one warm run's minor page faults: `20,112` |
//! | `{records}` | the records of a run: `50,000` |
//! | `{instructions}` | callgrind's instructions a record, naive → optimized: `568 → 213 a record, 2.67× fewer` |
//! | `{branches}`, `{mispredicted}`, `{indirect}`, `{indirect_mispredicted}`, `{d1_misses}`, `{ll_misses}` | the same for the other counters of `mizan counters` |
//!
//! `FORM` is `naive`, `optimized` or a further form's name. Each may be
//! prefixed `contrast.` (`{contrast.speedup}`, `{contrast.records}`) for
//! the same figure of the lesson's contrast run, at its contrast scale.
//!
//! **A conclusion follows the verdict.** A sentence that draws a
//! conclusion from a ratio (a technique wins, pays, ends something) is a
//! conditional, one text for each verdict the ratio can get, and the run
//! picks the one that holds:
//!
//! ```text
//! {?speedup|gain padding ends it ({speedup})|same padding changes nothing
//! measurable here ({speedup})|loss padding costs more than it saves
//! ({speedup})}
//! ```
//!
//! A counter is a conditional's subject too (`{?instructions|gain …|same
//! …|loss …}`): a gain when the optimized form (or `FORM`) counts at least
//! 5 % fewer, a loss when 5 % more, the same between.
//!
//! `gain`, `same` and `loss` are required; `unreliable` (a thread result
//! timed while another process held a core) may be given, and otherwise
//! reads that the result is not reported. A bare ratio placeholder may
//! stand only in a sentence that draws no conclusion from it:
//! [`contradictions`] finds a direction word (`faster`, `wins`, `ends`,
//! ...) beside a figure whose verdict says otherwise, and the tests render
//! every lesson's paragraph with every verdict of every ratio it cites.
//!
//! ```
//! use mizan::lab::why::typed_figures;
//!
//! assert_eq!(typed_figures("saves {speedup} with i128 products"), Vec::<String>::new());
//! assert_eq!(typed_figures("about 1.1x, six mremap calls, 80 MB"), ["1.1x", "80"]);
//! ```

use super::measure::{format_bytes, format_count};
use super::results::{FormResult, LessonResult};
use super::stats::{Ratio, Verdict, number};
use super::tables::prose;

/// The placeholders a `why` may use (before any `:FORM`).
pub const PLACEHOLDERS: [&str; 15] = [
    "speedup",
    "over_naive",
    "over_before",
    "allocations_per_record",
    "allocations",
    "peak",
    "faults",
    "records",
    "instructions",
    "branches",
    "mispredicted",
    "indirect",
    "indirect_mispredicted",
    "d1_misses",
    "ll_misses",
];

/// The placeholders that are counters of `mizan counters`: naive against
/// the optimized form (or `FORM`).
pub const COUNTERS: [&str; 7] = [
    "instructions",
    "branches",
    "mispredicted",
    "indirect",
    "indirect_mispredicted",
    "d1_misses",
    "ll_misses",
];

/// How far a counter must move to be a gain or a loss: counts are exact,
/// but a change of a few per cent is not what explains a ratio of time.
pub const COUNTER_MOVE: f64 = 1.05;

/// The placeholders that are ratios, and so have a verdict.
pub const RATIOS: [&str; 3] = ["speedup", "over_naive", "over_before"];

/// The prefix of a placeholder filled from the lesson's contrast run.
pub const CONTRAST: &str = "contrast.";

/// What a conditional's branch is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Branch {
    /// The ratio's interval is above 1.
    Gain,
    /// The interval holds 1.
    Same,
    /// The interval is below 1.
    Loss,
    /// A thread result the run did not report (another process held a
    /// core).
    Unreliable,
}

impl Branch {
    /// Every branch, in the order a conditional writes them.
    pub const ALL: [Branch; 4] = [Branch::Gain, Branch::Same, Branch::Loss, Branch::Unreliable];

    /// Its label in a conditional.
    pub fn label(self) -> &'static str {
        match self {
            Branch::Gain => "gain",
            Branch::Same => "same",
            Branch::Loss => "loss",
            Branch::Unreliable => "unreliable",
        }
    }

    fn of(verdict: Verdict) -> Branch {
        match verdict {
            Verdict::Faster => Branch::Gain,
            Verdict::NoDifference => Branch::Same,
            Verdict::Slower => Branch::Loss,
        }
    }
}

/// The text a conditional gives when the result is not reported and it
/// names no `unreliable` branch.
const NOT_REPORTED: &str = "(⚠ not reported: another process held a core while it ran)";

/// A piece of a parsed paragraph.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    /// A placeholder: its text between the braces.
    Figure(String),
    /// A conditional on a ratio placeholder, with its branches.
    If {
        ratio: String,
        branches: Vec<(Branch, Vec<Piece>)>,
    },
}

/// Parses a paragraph; `Err` names what is wrong with a conditional.
fn parse(text: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            pieces.push(Piece::Text(rest[..open].to_owned()));
        }
        let close = matching_brace(&rest[open..])
            .map(|c| open + c)
            .ok_or_else(|| format!("an unclosed brace: {}", &rest[open..]))?;
        let inside = &rest[open + 1..close];
        if let Some(conditional) = inside.strip_prefix('?') {
            pieces.push(conditional_of(conditional)?);
        } else {
            pieces.push(Piece::Figure(inside.to_owned()));
        }
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_owned()));
    }
    Ok(pieces)
}

/// Where the brace that opens `text` closes.
fn matching_brace(text: &str) -> Option<usize> {
    let mut depth = 0;
    for (at, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(at);
                }
            }
            _ => {}
        }
    }
    None
}

/// A conditional's text after `{?`: its ratio, then `|label text` branches.
fn conditional_of(text: &str) -> Result<Piece, String> {
    let parts = split_top_level(text, '|');
    let ratio = parts[0].trim().to_owned();
    let name = ratio.trim_start_matches(CONTRAST);
    let name = name.split(':').next().unwrap_or(name);
    if !RATIOS.contains(&name) && !COUNTERS.contains(&name) {
        return Err(format!(
            "{{?{ratio}…}}: a conditional is on a ratio ({RATIOS:?}) or a counter ({COUNTERS:?})"
        ));
    }
    let mut branches = Vec::new();
    for part in &parts[1..] {
        let part = part.trim_start();
        let (label, body) = part.split_once(char::is_whitespace).unwrap_or((part, ""));
        let branch = Branch::ALL
            .into_iter()
            .find(|b| b.label() == label)
            .ok_or_else(|| {
                format!("{{?{ratio}…}}: no branch `{label}` (gain, same, loss, unreliable)")
            })?;
        if branches.iter().any(|(b, _)| *b == branch) {
            return Err(format!("{{?{ratio}…}}: the `{label}` branch twice"));
        }
        branches.push((branch, parse(body)?));
    }
    for needed in [Branch::Gain, Branch::Same, Branch::Loss] {
        if !branches.iter().any(|(b, _)| *b == needed) {
            return Err(format!(
                "{{?{ratio}…}}: no `{}` branch: a conclusion is written for every verdict",
                needed.label()
            ));
        }
    }
    Ok(Piece::If { ratio, branches })
}

/// `text` split at `sep` outside braces.
fn split_top_level(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (at, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            c if c == sep && depth == 0 => {
                parts.push(&text[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// Whether a paragraph is well formed: every conditional on a ratio, with
/// a branch for every verdict, every placeholder one of
/// [`PLACEHOLDERS`].
pub fn check_template(text: &str) -> Result<(), String> {
    fn walk(pieces: &[Piece]) -> Result<(), String> {
        for piece in pieces {
            match piece {
                Piece::Text(_) => {}
                Piece::Figure(inside) => {
                    let name = inside.trim_start_matches(CONTRAST);
                    let name = name.split(':').next().unwrap_or(name);
                    if !PLACEHOLDERS.contains(&name) {
                        return Err(format!("an unknown placeholder {{{inside}}}"));
                    }
                }
                Piece::If { branches, .. } => {
                    for (_, body) in branches {
                        walk(body)?;
                    }
                }
            }
        }
        Ok(())
    }
    walk(&parse(text)?)
}

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

/// The text with every placeholder removed (a conditional's branches
/// kept, their placeholders removed).
fn strip_placeholders(text: &str) -> String {
    fn walk(pieces: &[Piece], out: &mut String) {
        for piece in pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Figure(_) => {}
                Piece::If { branches, .. } => {
                    for (_, body) in branches {
                        walk(body, out);
                        out.push(' ');
                    }
                }
            }
        }
    }
    let mut out = String::with_capacity(text.len());
    match parse(text) {
        Ok(pieces) => walk(&pieces, &mut out),
        Err(_) => out.push_str(text),
    }
    out
}

/// The placeholders of a text, as `(name, form)` (a contrast's name with
/// its prefix), those of every conditional's branches and the ratios
/// conditionals are on included.
pub fn placeholders(text: &str) -> Vec<(String, Option<String>)> {
    fn split(inside: &str) -> (String, Option<String>) {
        match inside.split_once(':') {
            Some((name, form)) => (name.to_owned(), Some(form.to_owned())),
            None => (inside.to_owned(), None),
        }
    }
    fn walk(pieces: &[Piece], found: &mut Vec<(String, Option<String>)>) {
        for piece in pieces {
            match piece {
                Piece::Text(_) => {}
                Piece::Figure(inside) => found.push(split(inside)),
                Piece::If { ratio, branches } => {
                    found.push(split(ratio));
                    for (_, body) in branches {
                        walk(body, found);
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    if let Ok(pieces) = parse(text) {
        walk(&pieces, &mut found);
    }
    found
}

/// `why` with its placeholders filled from `result` (`(not measured)`
/// where the run has no such figure) and each conditional's branch chosen
/// by its ratio's verdict (a conditional on a figure the run has not is
/// left out).
pub fn render(why: &str, result: &LessonResult, contrast: Option<&LessonResult>) -> String {
    render_with(why, result, contrast, false)
}

/// [`render`], each ratio figure marked `⟦verdict:text⟧` (for
/// [`contradictions`] and the book's renderings of every verdict).
pub fn render_marked(why: &str, result: &LessonResult, contrast: Option<&LessonResult>) -> String {
    render_with(why, result, contrast, true)
}

fn render_with(
    why: &str,
    result: &LessonResult,
    contrast: Option<&LessonResult>,
    marked: bool,
) -> String {
    let pieces = match parse(why) {
        Ok(pieces) => pieces,
        Err(e) => return format!("(a malformed paragraph: {e})"),
    };
    let mut out = String::with_capacity(why.len() + 64);
    emit(&pieces, result, contrast, marked, None, &mut out);
    out
}

/// `said`: the ratio whose "no measurable difference" the enclosing
/// branch has already put in words, so that its figure there is only the
/// interval ("within the noise (0.95–1.04×)", not "within the noise (no
/// measurable difference (0.95–1.04×))").
fn emit(
    pieces: &[Piece],
    result: &LessonResult,
    contrast: Option<&LessonResult>,
    marked: bool,
    said: Option<&str>,
    out: &mut String,
) {
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Figure(inside) => {
                let filled = match said {
                    Some(ratio) if ratio == inside.as_str() => interval(inside, result, contrast),
                    _ => None,
                }
                .unwrap_or_else(|| figure(inside, result, contrast));
                match (marked, verdict_of(inside, result, contrast)) {
                    (true, Some(branch)) => {
                        out.push_str(&format!("⟦{}:{filled}⟧", branch.label()));
                    }
                    _ => out.push_str(&filled),
                }
            }
            Piece::If { ratio, branches } => {
                let branch = verdict_of(ratio, result, contrast);
                let chosen = branch.and_then(|b| branches.iter().find(|(x, _)| *x == b));
                match (branch, chosen) {
                    (Some(Branch::Same), Some((_, body))) => {
                        emit(body, result, contrast, marked, Some(ratio.as_str()), out);
                    }
                    (_, Some((_, body))) => emit(body, result, contrast, marked, None, out),
                    (Some(Branch::Unreliable), None) => out.push_str(NOT_REPORTED),
                    // A sentence about a figure this run did not make (the
                    // counters of a run that did not count them) is left
                    // out, with the space before it.
                    (None, _) => {
                        if out.ends_with(' ') {
                            out.pop();
                        }
                    }
                    _ => out.push_str("(not measured)"),
                }
            }
        }
    }
}

/// A placeholder's text from the run.
fn figure(inside: &str, result: &LessonResult, contrast: Option<&LessonResult>) -> String {
    let filled = match inside.strip_prefix(CONTRAST) {
        Some(inside) => contrast.and_then(|contrast| fill(inside, contrast)),
        None => fill(inside, result),
    };
    filled.unwrap_or_else(|| "(not measured)".to_owned())
}

/// A placeholder's name, its form (after a `:`) and the results it reads
/// (the contrast's, for a `contrast.` one; `None` where there is none).
fn parts<'a, 'r>(
    inside: &'a str,
    result: &'r LessonResult,
    contrast: Option<&'r LessonResult>,
) -> Option<(&'a str, Option<&'a str>, &'r LessonResult)> {
    let (inside, result) = match inside.strip_prefix(CONTRAST) {
        Some(inside) => (inside, contrast?),
        None => (inside, result),
    };
    Some(match inside.split_once(':') {
        Some((name, form)) => (name, Some(form), result),
        None => (inside, None, result),
    })
}

/// A ratio placeholder's interval alone, `0.954–1.03×`, where the ratio
/// is a measured "no measurable difference" (`None` otherwise).
fn interval(
    inside: &str,
    result: &LessonResult,
    contrast: Option<&LessonResult>,
) -> Option<String> {
    let (name, form, result) = parts(inside, result, contrast)?;
    let m = result.measured.as_ref()?;
    if !RATIOS.contains(&name) || !m.reliable() {
        return None;
    }
    let r = ratio(m, name, form)?;
    (r.verdict() == Verdict::NoDifference).then(|| format!("{}–{}×", number(r.low), number(r.high)))
}

/// The verdict of a ratio placeholder (`None` for any other, or one the
/// run did not measure).
fn verdict_of(
    inside: &str,
    result: &LessonResult,
    contrast: Option<&LessonResult>,
) -> Option<Branch> {
    let (name, form, result) = parts(inside, result, contrast)?;
    if COUNTERS.contains(&name) {
        let (before, after) = counter_pair(result, name, form)?;
        let moved = before as f64 / (after as f64).max(1.0);
        return Some(
            if before == after || (1.0 / COUNTER_MOVE..COUNTER_MOVE).contains(&moved) {
                Branch::Same
            } else if moved >= COUNTER_MOVE {
                Branch::Gain
            } else {
                Branch::Loss
            },
        );
    }
    if !RATIOS.contains(&name) {
        return None;
    }
    let m = result.measured.as_ref()?;
    if !m.reliable() {
        return Some(Branch::Unreliable);
    }
    ratio(m, name, form).map(|r| Branch::of(r.verdict()))
}

/// A counter's counts of the naive form and of the optimized form (or
/// `form`), from the lesson's counters.
fn counter_pair(result: &LessonResult, name: &str, form: Option<&str>) -> Option<(u64, u64)> {
    let counts = result.counters.as_ref()?;
    let get = |f: &super::counters::FormCounts| match name {
        "instructions" => f.instructions,
        "branches" => f.branches,
        "mispredicted" => f.mispredicted,
        "indirect" => f.indirect,
        "indirect_mispredicted" => f.indirect_mispredicted,
        "d1_misses" => f.d1_misses,
        _ => f.ll_misses,
    };
    let naive = counts.form("naive")?;
    let other = counts.form(form.unwrap_or("optimized"))?;
    Some((get(naive), get(other)))
}

fn ratio<'m>(m: &'m super::results::Measured, name: &str, form: Option<&str>) -> Option<&'m Ratio> {
    let form = || m.forms.iter().find(|f| Some(f.name.as_str()) == form);
    match name {
        "speedup" => m.optimized().over_naive.as_ref(),
        "over_naive" => form()?.over_naive.as_ref(),
        "over_before" => form()?.over_before.as_ref(),
        _ => None,
    }
}

fn fill(placeholder: &str, result: &LessonResult) -> Option<String> {
    let (name, form_name) = match placeholder.split_once(':') {
        Some((name, form)) => (name, Some(form)),
        None => (placeholder, None),
    };
    if COUNTERS.contains(&name) {
        return counter_text(result, name, form_name);
    }
    let m = result.measured.as_ref()?;
    let form = |wanted: Option<&str>| -> Option<&FormResult> {
        let wanted = wanted?;
        m.forms.iter().find(|f| f.name == wanted)
    };
    if RATIOS.contains(&name) && !m.reliable() {
        // As the tables say it: a parallel form timed without its cores.
        return Some(super::tables::UNRELIABLE.to_owned());
    }
    match name {
        "speedup" | "over_naive" | "over_before" => ratio(m, name, form_name).map(prose),
        "allocations_per_record" => {
            let count = form(form_name)?.allocations.count;
            Some(per_record(count, result.elements))
        }
        "allocations" => Some(format_count(form(form_name)?.allocations.count)),
        "peak" => Some(format_bytes(form(form_name)?.allocations.peak_bytes)),
        "faults" => Some(format_count(form(form_name)?.minor_faults)),
        "records" => Some(format_count(result.elements)),
        _ => None,
    }
}

/// A counter, naive → the optimized form (or `form`), a record:
/// `568 → 213 a record, 2.67× fewer`.
fn counter_text(result: &LessonResult, name: &str, form: Option<&str>) -> Option<String> {
    let (before, after) = counter_pair(result, name, form)?;
    let records = result.counters.as_ref()?.records;
    let per = |n: u64| per_record(n, records);
    let moved = before as f64 / (after as f64).max(1.0);
    let how = if before == after || (1.0 / COUNTER_MOVE..COUNTER_MOVE).contains(&moved) {
        "within 5\u{a0}%".to_owned()
    } else if moved >= COUNTER_MOVE {
        format!("{}× fewer", number(moved))
    } else {
        format!("{}× more", number(1.0 / moved))
    };
    Some(format!("{} → {} a record, {how}", per(before), per(after)))
}

/// `count` over `records`, never `0` for a count that is not (see
/// [`super::measure::format_per_record`]).
pub fn per_record(count: u64, records: u64) -> String {
    super::measure::format_per_record(count, records)
}

/// A lesson's paragraph rendered (marked, see [`render_marked`]) under
/// synthetic results: every ratio a gain, then each ratio it cites with
/// each other verdict in turn (the others gains), then every ratio the
/// same, every ratio a loss, and, for a lesson about threads, its results
/// not reported. Each as `(scenario, rendering)`.
pub fn scenarios(lesson: &dyn super::lesson::Lesson) -> Vec<(String, String)> {
    let why = lesson.why();
    let forms = lesson.form_names();
    let contrast_forms = match lesson.contrast_stage() {
        Some(stage) => Some(stage.form_names()),
        None => lesson.contrast().map(|_| forms.clone()),
    };
    let mut keys: Vec<String> = Vec::new();
    for (name, form) in placeholders(why) {
        let bare = name.trim_start_matches(CONTRAST);
        if RATIOS.contains(&bare) || COUNTERS.contains(&bare) {
            let key = match form {
                Some(form) => format!("{name}:{form}"),
                None => name.clone(),
            };
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    let scene = |overrides: &[(&str, Branch)], all: Branch| {
        let result = synthetic(lesson.id(), &forms, "", overrides, all, lesson.scaling());
        let contrast = contrast_forms.as_ref().map(|forms| {
            synthetic(
                lesson.id(),
                forms,
                CONTRAST,
                overrides,
                all,
                lesson.scaling(),
            )
        });
        render_marked(why, &result, contrast.as_ref())
    };
    let mut out = vec![("every ratio a gain".to_owned(), scene(&[], Branch::Gain))];
    for key in &keys {
        for branch in [Branch::Same, Branch::Loss] {
            out.push((
                format!("`{key}` {}, the others gains", branch.label()),
                scene(&[(key, branch)], Branch::Gain),
            ));
        }
    }
    out.push(("every ratio the same".to_owned(), scene(&[], Branch::Same)));
    out.push(("every ratio a loss".to_owned(), scene(&[], Branch::Loss)));
    if lesson.scaling() {
        out.push((
            "not reported (another process held a core)".to_owned(),
            scene(&[], Branch::Unreliable),
        ));
    }
    out
}

/// A result of `forms` whose ratios are all `all`, but those named in
/// `overrides` (`speedup`, `over_naive:FORM`, `over_before:FORM`, each
/// with `prefix`).
fn synthetic(
    id: &str,
    forms: &[&str],
    prefix: &str,
    overrides: &[(&str, Branch)],
    all: Branch,
    scaling: bool,
) -> LessonResult {
    use super::results::Measured;
    let ratio = |branch: Branch| {
        let (median, low, high) = match branch {
            Branch::Gain | Branch::Unreliable => (2.0, 1.8, 2.2),
            Branch::Same => (1.0, 0.95, 1.05),
            Branch::Loss => (0.5, 0.45, 0.55),
        };
        Ratio {
            median,
            low,
            high,
            pairs: 18,
            slices: 6,
            coverage: 0.97,
        }
    };
    let verdict = |key: String| {
        overrides
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(all, |(_, b)| *b)
    };
    let last = forms.len() - 1;
    // Each counter of each form: naive's 1,000, a form's 500 for a gain,
    // 1,000 for the same, 2,000 for a loss.
    let counts = super::counters::LessonCounts {
        id: id.to_owned(),
        contrast: (!prefix.is_empty()).then(String::new),
        scale: super::lesson::Scale::Small,
        records: 100,
        threads: scaling,
        stamp: String::new(),
        machine: String::new(),
        forms: forms
            .iter()
            .enumerate()
            .map(|(idx, name)| {
                let count = |counter: &str| -> u64 {
                    if idx == 0 {
                        return 1_000;
                    }
                    let named = format!("{prefix}{counter}:{name}");
                    let bare = format!("{prefix}{counter}");
                    let branch = overrides
                        .iter()
                        .find(|(k, _)| *k == named || (idx == last && *k == bare))
                        .map_or(all, |(_, b)| *b);
                    match branch {
                        Branch::Gain | Branch::Unreliable => 500,
                        Branch::Same => 1_000,
                        Branch::Loss => 2_000,
                    }
                };
                super::counters::FormCounts {
                    name: (*name).to_owned(),
                    instructions: count("instructions"),
                    branches: count("branches"),
                    mispredicted: count("mispredicted"),
                    indirect: count("indirect"),
                    indirect_mispredicted: count("indirect_mispredicted"),
                    d1_misses: count("d1_misses"),
                    ll_misses: count("ll_misses"),
                    allocations: 600,
                    code: None,
                }
            })
            .collect(),
    };
    let form_results = forms
        .iter()
        .enumerate()
        .map(|(idx, name)| {
            let over_naive = if idx == last {
                // `speedup` is the optimized form's ratio over naive.
                let speedup = format!("{prefix}speedup");
                let named = format!("{prefix}over_naive:{name}");
                match (
                    overrides.iter().any(|(k, _)| *k == speedup),
                    verdict(named.clone()),
                ) {
                    (true, _) => verdict(speedup),
                    (false, b) => b,
                }
            } else {
                verdict(format!("{prefix}over_naive:{name}"))
            };
            FormResult {
                name: (*name).to_owned(),
                ns: 1_000_000,
                allocations: super::alloc::AllocationCount {
                    count: 600,
                    bytes: 60_000,
                    peak_bytes: 40_000,
                },
                minor_faults: 12,
                over_naive: (idx > 0).then(|| ratio(over_naive)),
                over_before: (idx > 0)
                    .then(|| ratio(verdict(format!("{prefix}over_before:{name}")))),
            }
        })
        .collect();
    LessonResult {
        id: id.to_owned(),
        scale: super::lesson::Scale::Default,
        elements: 100,
        failure: None,
        measured: Some(Measured {
            pairs: 18,
            slices: 6,
            threads: 2,
            forms: form_results,
            limit: None,
            scaling: Vec::new(),
            parallelism: scaling.then_some(super::machine::Parallelism {
                threads: 2,
                effective: if all == Branch::Unreliable { 1.1 } else { 1.95 },
            }),
            child_peak_rss: None,
        }),
        instructions: None,
        allocators: None,
        seconds: 1.0,
        contrast: None,
        counters: Some(counts),
    }
}

/// Every lesson's paragraph under every scenario of [`scenarios`], as the
/// book's page `generated/whys.md` shows them to a reviewer, each ratio's
/// figure marked with its verdict.
pub fn renderings(lessons: &[&dyn super::lesson::Lesson]) -> String {
    let mut out = String::from(
        "<!-- generated by `mizan whys`; do not edit -->\n\n\
         # Every lesson's why, under every verdict\n\n\
         Each lesson's paragraph rendered with made-up results: every ratio a gain, then \
         each ratio it cites as no measurable difference and as a loss in turn, then all \
         the same, all a loss, and, for a lesson about threads, results not reported. \
         A ratio's figure is marked with its verdict, ⟦gain: …⟧, ⟦same: …⟧, ⟦loss: …⟧; the \
         figures are made up (2.00×, 1.00×, 0.50×), the words are the lesson's. A test \
         fails on a rendering that puts a word of gain or loss beside a figure that says \
         otherwise, and on this page when it is not what the lessons render.\n",
    );
    for lesson in lessons {
        out.push_str(&format!("\n## `{}`\n", lesson.id()));
        for (scenario, text) in scenarios(*lesson) {
            out.push_str(&format!("\n**{scenario}.** {}\n", text.replace('\n', " ")));
        }
    }
    out
}

/// Words that draw a conclusion in the direction of a gain, and of a loss.
const GAIN_WORDS: [&str; 14] = [
    "faster", "wins", "win", "pays", "ends", "closes", "saves", "beats", "gains", "halves",
    "speeds", "buys", "helps", "cheaper",
];
const LOSS_WORDS: [&str; 7] = [
    "slower",
    "loses",
    "lose",
    "hurts",
    "dearer",
    "backfires",
    "worse",
];

/// The sentences of a marked rendering ([`render_marked`]) whose words
/// contradict the verdicts of the figures in them: a direction word beside
/// a figure of no measurable difference (or a result not reported), a
/// word of gain beside a loss, of loss beside a gain. Each as
/// `sentence — why`.
pub fn contradictions(marked: &str) -> Vec<String> {
    let mut found = Vec::new();
    for sentence in sentences(marked) {
        let mut verdicts = Vec::new();
        let mut words = String::new();
        let mut rest = sentence.as_str();
        while let Some(open) = rest.find('⟦') {
            words.push_str(&rest[..open]);
            let close = rest[open..].find('⟧').map_or(rest.len(), |c| open + c);
            let inside = &rest[open + '⟦'.len_utf8()..close];
            if let Some((label, _)) = inside.split_once(':') {
                verdicts.push(label.to_owned());
            }
            rest = rest.get(close + '⟧'.len_utf8()..).unwrap_or("");
        }
        words.push_str(rest);
        let lower = words.to_lowercase();
        let has = |list: &[&str]| -> Option<String> {
            list.iter()
                .find(|w| {
                    lower
                        .split(|c: char| !c.is_alphanumeric() && c != '\'')
                        .any(|word| word == **w)
                })
                .map(|w| (*w).to_owned())
        };
        let neutral = verdicts.iter().any(|v| v == "same" || v == "unreliable");
        let gains = verdicts.iter().any(|v| v == "gain");
        let losses = verdicts.iter().any(|v| v == "loss");
        let problem = if neutral {
            has(&GAIN_WORDS)
                .or_else(|| has(&LOSS_WORDS))
                .map(|w| format!("`{w}` beside a figure with no measurable difference"))
        } else if losses && !gains {
            has(&GAIN_WORDS).map(|w| format!("`{w}` beside a loss"))
        } else if gains && !losses {
            has(&LOSS_WORDS).map(|w| format!("`{w}` beside a gain"))
        } else {
            None
        };
        if let Some(problem) = problem {
            found.push(format!("{} — {problem}", sentence.trim()));
        }
    }
    found
}

/// A paragraph's sentences: cut after `.` or `;` followed by a space (the
/// figures' own `2.05×` keep their points; a `:` joins a claim to the
/// figure that bears it out, so it does not cut).
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        current.push(c);
        if matches!(c, '.' | ';') && chars.peek().is_some_and(|n| n.is_whitespace()) {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out
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
            typed_figures("{?speedup|gain it wins 2×|same no 3 here|loss {speedup}}"),
            ["2×", "3"]
        );
        assert_eq!(
            placeholders(
                "x {speedup} y {peak:optimized} {?over_before:fast|gain {records}|same a|loss b}"
            ),
            [
                ("speedup".to_owned(), None),
                ("peak".to_owned(), Some("optimized".to_owned())),
                ("over_before".to_owned(), Some("fast".to_owned())),
                ("records".to_owned(), None),
            ]
        );
    }

    #[test]
    fn a_conditional_needs_every_verdict_and_a_ratio() {
        assert_eq!(check_template("{?speedup|gain a|same b|loss c}"), Ok(()));
        assert_eq!(
            check_template("{?speedup|gain a|loss c}"),
            Err(
                "{?speedup…}: no `same` branch: a conclusion is written for every verdict"
                    .to_owned()
            )
        );
        assert!(check_template("{?records|gain a|same b|loss c}").is_err());
        assert!(check_template("{?speedup|gain a|same b|loss c|maybe d}").is_err());
        assert!(check_template("{?speedup|gain a|same b|loss {nothing}}").is_err());
        assert!(check_template("{?speedup|gain a|same b|loss c").is_err());
    }

    #[test]
    fn a_count_per_record_is_never_zero_when_there_were_any() {
        assert_eq!(per_record(0, 100_000), "0.000");
        assert_eq!(per_record(22, 100_000), "0.00022");
        assert_eq!(per_record(7, 100_000), "0.000070");
        assert_eq!(per_record(600, 100), "6.00");
    }

    #[test]
    fn a_branch_that_says_no_difference_shows_only_the_interval() {
        let why = "{?speedup|gain It measured {speedup}.|same The two are within the noise \
                   ({speedup}).|loss It measured {speedup}.} Alone: {speedup}.";
        let forms = ["naive", "optimized"];
        let same = synthetic("x/y", &forms, "", &[], Branch::Same, false);
        assert_eq!(
            render(why, &same, None),
            "The two are within the noise (0.950–1.05×). \
             Alone: no measurable difference (0.950–1.05×)."
        );
        let gain = synthetic("x/y", &forms, "", &[], Branch::Gain, false);
        assert_eq!(
            render(why, &gain, None),
            "It measured 2.00× faster (1.80–2.20×). Alone: 2.00× faster (1.80–2.20×)."
        );
        // A further form's ratio in its own branch; another ratio there
        // keeps its words.
        let three = ["naive", "fast", "optimized"];
        let same3 = synthetic("x/y", &three, "", &[], Branch::Same, false);
        assert_eq!(
            render(
                "{?over_naive:fast|gain a|same b ({over_naive:fast}; {speedup})|loss c}",
                &same3,
                None
            ),
            "b (0.950–1.05×; no measurable difference (0.950–1.05×))"
        );
        // The contrast's ratio in its own branch.
        assert_eq!(
            render(
                "{?contrast.speedup|gain a|same b ({contrast.speedup})|loss c}",
                &same,
                Some(&same)
            ),
            "b (0.950–1.05×)"
        );
        // Inside a nested conditional on another ratio, the outer one's
        // figure is given in full again.
        assert_eq!(
            render(
                "{?speedup|gain a|same b {?over_naive:fast|gain c|same d {speedup}|loss e}|loss f}",
                &same3,
                None
            ),
            "b d no measurable difference (0.950–1.05×)"
        );
    }

    #[test]
    fn a_direction_word_beside_no_difference_is_a_contradiction() {
        let found = contradictions(
            "Padding ends it: ⟦same:no measurable difference (0.997–4.00×)⟧. \
             The lock loses here (⟦loss:2.00× slower (1.8–2.2×)⟧); \
             the shards win (⟦gain:2.00× faster (1.8–2.2×)⟧).",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("Padding ends it:")
                && found[0].ends_with("`ends` beside a figure with no measurable difference"),
            "{found:?}"
        );
        assert_eq!(
            contradictions("The maps win (⟦loss:2.00× slower (1.8–2.2×)⟧)."),
            ["The maps win (⟦loss:2.00× slower (1.8–2.2×)⟧). — `win` beside a loss"]
        );
        assert!(
            contradictions("One thread measured ⟦same:no measurable difference (0.9–1.1×)⟧.")
                .is_empty()
        );
    }
}
