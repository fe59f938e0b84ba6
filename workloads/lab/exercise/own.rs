//! The lab's own answer, recognised: an attempt that calls a lesson's
//! forms, or the lab's optimized code, in place of its own.
//!
//! Read from the attempt's source: every path into `mizan::lessons` it
//! names (in a `use`, or inline), and every path into the domain's fast
//! paths (`zakat::engine` and `zakat::fixed`, their murabaha twins, and
//! `tool`, which are the lab's optimized forms put to work). What the
//! starting point itself names (the lesson's input and output types, its
//! helpers) is allowed, and so is what the exercise's `may_call` lists;
//! the rest of the domain (the model, the rules, money, dates, text) is
//! the learner's to use. A glob import of a lesson (`copying::*`) names
//! everything in it, so it is counted as the lesson itself.

use std::collections::BTreeSet;

/// The domain's fast paths: the lab's optimized code.
const FAST_PATHS: [&str; 5] = [
    "mizan::zakat::engine",
    "mizan::zakat::fixed",
    "mizan::murabaha::engine",
    "mizan::murabaha::fixed",
    "mizan::tool",
];

/// The paths of the lab's own code that `attempt` names beyond what
/// `start` (its starting point) names and `may_call` allows, in order.
pub fn borrowed(attempt: &str, start: &str, may_call: &[&str]) -> Vec<String> {
    let allowed: BTreeSet<String> = paths(start).into_iter().collect();
    let mut found = Vec::new();
    for path in paths(attempt) {
        let lab = path.starts_with("mizan::lessons")
            || FAST_PATHS
                .iter()
                .any(|fast| path == *fast || path.starts_with(&format!("{fast}::")));
        let ok = allowed.contains(&path)
            || may_call
                .iter()
                .any(|m| path == *m || path.starts_with(&format!("{m}::")));
        if lab && !ok && !found.contains(&path) {
            found.push(path);
        }
    }
    found
}

/// Every `mizan::…` path a source names, a `{…}` group expanded (`self`
/// as the group's prefix, `*` kept), comments left out.
fn paths(source: &str) -> Vec<String> {
    let code: String = source
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("mizan::") {
        let before = rest[..at].chars().next_back();
        let tail = &rest[at..];
        rest = &rest[at + "mizan::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        expand(tail, String::new(), &mut out);
    }
    out
}

/// Reads the path at the start of `text` onto `prefix`, into `out`.
fn expand(text: &str, prefix: String, out: &mut Vec<String>) {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':' || c == '*'))
        .unwrap_or(text.len());
    let head = text[..end].trim_end_matches("::");
    let path = match (prefix.is_empty(), head) {
        (true, _) => head.to_owned(),
        (false, "self") => prefix.clone(),
        (false, _) => format!("{prefix}::{head}"),
    };
    let path = path.trim_end_matches("::*").to_owned();
    if text[end..].starts_with('{') && text[..end].ends_with("::") {
        let group = &text[end + 1..];
        let mut depth = 0usize;
        let mut start = 0;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    item(&group[start..i], &path, out);
                    return;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    item(&group[start..i], &path, out);
                    start = i + 1;
                }
                _ => {}
            }
        }
    } else if !path.is_empty() {
        out.push(path);
    }
}

fn item(text: &str, prefix: &str, out: &mut Vec<String>) {
    let text = text.trim();
    if !text.is_empty() {
        expand(text, prefix.to_owned(), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: &str = "use mizan::lessons::zakat::copying::RegionTotal;\n\
        use mizan::lessons::zakat::copying::{Regional, add};\n\
        pub fn attempt(input: &Regional) -> RegionTotals { todo() }\n";

    #[test]
    fn the_starting_points_own_paths_and_the_domain_are_allowed() {
        let attempt = format!(
            "{START}use mizan::zakat::model::Payer;\nuse mizan::money::{{round_money, self}};\n\
             // mizan::lessons::zakat::copying::optimized in a comment\n"
        );
        assert_eq!(borrowed(&attempt, START, &[]), Vec::<String>::new());
    }

    #[test]
    fn a_lessons_form_its_lesson_or_the_engine_is_the_labs_own() {
        let attempt = format!(
            "{START}use mizan::lessons::zakat::copying::{{self as c, LESSON}};\n\
             fn f(i: &Regional) {{ (LESSON.optimized)(i); c::optimized(i); \
             mizan::lessons::zakat::hashing::optimized(i); }}\n\
             use mizan::zakat::engine::assess_payer;\nuse mizan::lessons::zakat::copying::*;\n"
        );
        assert_eq!(
            borrowed(&attempt, START, &[]),
            [
                "mizan::lessons::zakat::copying",
                "mizan::lessons::zakat::copying::LESSON",
                "mizan::lessons::zakat::hashing::optimized",
                "mizan::zakat::engine::assess_payer",
            ]
        );
        // What the exercise allows is not.
        assert_eq!(
            borrowed(
                &attempt,
                START,
                &[
                    "mizan::lessons::zakat::copying",
                    "mizan::lessons::zakat::hashing",
                    "mizan::zakat::engine"
                ]
            ),
            Vec::<String>::new()
        );
    }
}
