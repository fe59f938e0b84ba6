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
//! the learner's to use, and so are the lessons' shared `inputs` modules
//! (the input types and their helpers). A glob import of a lesson
//! (`copying::*`) names everything in it, so it is counted as the lesson
//! itself. A module imported under its own name or another (`use
//! mizan::zakat;`, `use mizan as m;`) is followed where the code uses it
//! (`zakat::engine::…` is `mizan::zakat::engine::…`); comments and string
//! literals are left out. A source scan, not a proof: what a lesson's
//! answer calls in the domain itself (a receipt writer, a parser) is the
//! domain's, and a determined learner can hide a path (a macro); the
//! checker catches the answer handed in as it is, not every disguise.

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
    let under = |path: &str, root: &str| path == root || path.starts_with(&format!("{root}::"));
    let allowed: BTreeSet<String> = paths(start).into_iter().collect();
    let mut found = Vec::new();
    for path in paths(attempt) {
        let shared_inputs =
            path.split("::").nth(3) == Some("inputs") || path.split("::").nth(2) == Some("inputs");
        let lab = (under(&path, "mizan::lessons") && !shared_inputs)
            || FAST_PATHS.iter().any(|fast| under(&path, fast));
        // An item of what the starting point names (`Receipts::new`).
        let ok =
            allowed.iter().any(|a| under(&path, a)) || may_call.iter().any(|m| under(&path, m));
        if lab && !ok && !found.contains(&path) {
            found.push(path);
        }
    }
    found
}

/// Every `mizan::…` path a source names, a `{…}` group expanded (`self`
/// as the group's prefix, `*` kept), comments and strings left out, and
/// every use of a module imported by name followed to its full path.
fn paths(source: &str) -> Vec<String> {
    let code = code_only(source);
    // `mizan` under another name: `use mizan as m;`, `extern crate mizan
    // as m;`.
    let mut code = code.clone();
    for alias in aliases_of_the_crate(&code) {
        code = replace_word_path(&code, &alias, "mizan");
    }
    let mut out = direct_paths(&code);
    // A module imported by name (`use mizan::zakat;`, `use
    // mizan::zakat::engine as e;`): its uses in the code, in full.
    let imported: Vec<(String, String)> = use_lines(&code)
        .into_iter()
        .flat_map(|u| direct_paths(&u).into_iter().zip(std::iter::repeat(u)))
        .map(|(path, line)| {
            let name = line
                .split(" as ")
                .nth(1)
                .map(|a| a.trim_matches(|c: char| !c.is_alphanumeric() && c != '_'))
                .filter(|a| !a.is_empty() && !line.contains('{'))
                .map(str::to_owned)
                .unwrap_or_else(|| path.rsplit("::").next().unwrap_or("").to_owned());
            (name, path)
        })
        .collect();
    for (name, full) in imported {
        let mut rest = code.as_str();
        let pattern = format!("{name}::");
        while let Some(at) = rest.find(&pattern) {
            let before = rest[..at].chars().next_back();
            let tail = &rest[at + name.len()..];
            rest = &rest[at + pattern.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let mut more = Vec::new();
            expand(&format!("{full}{tail}"), String::new(), &mut more);
            out.extend(more);
        }
    }
    out
}

/// The source with its comments and string and character literals blanked
/// (their lines kept).
fn code_only(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                    }
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                    }
                    if !escaped && c == '"' {
                        break;
                    }
                    escaped = !escaped && c == '\\';
                }
                out.push_str("\"\"");
            }
            _ => out.push(c),
        }
    }
    out
}

/// The `use` declarations of a source, each on one line.
fn use_lines(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().next_back();
        let tail = &rest[at + 4..];
        rest = tail;
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let end = tail.find(';').unwrap_or(tail.len());
        out.push(tail[..end].split_whitespace().collect::<Vec<_>>().join(" "));
    }
    out
}

/// The names the crate itself goes by besides `mizan`.
fn aliases_of_the_crate(code: &str) -> Vec<String> {
    let flat = code.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = Vec::new();
    for marker in ["use mizan as ", "extern crate mizan as ", "use ::mizan as "] {
        let mut rest = flat.as_str();
        while let Some(at) = rest.find(marker) {
            rest = &rest[at + marker.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && name != "_" {
                out.push(name);
            }
        }
    }
    out
}

/// `code` with every path starting `word::` (as a whole word) starting
/// `with::` instead.
fn replace_word_path(code: &str, word: &str, with: &str) -> String {
    let pattern = format!("{word}::");
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find(&pattern) {
        let before = rest[..at].chars().next_back();
        out.push_str(&rest[..at]);
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            out.push_str(&pattern);
        } else {
            out.push_str(with);
            out.push_str("::");
        }
        rest = &rest[at + pattern.len()..];
    }
    out.push_str(rest);
    out
}

/// Every path a source names that starts `mizan::`.
fn direct_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
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
        // Under another name, in a string, an item of what is allowed.
        let hidden = format!(
            "{START}use mizan::zakat;\nuse mizan as m;\nfn g() {{ let s = \"a//b\"; \
             zakat::engine::assess_payer(); m::lessons::zakat::copying::optimized(); }}\n\
             fn h() {{ let t = \"mizan::lessons::zakat::copying::optimized\"; \
             mizan::lessons::zakat::copying::RegionTotal::default(); \
             mizan::lessons::zakat::inputs::Lines::default(); }}\n"
        );
        assert_eq!(
            borrowed(&hidden, START, &[]),
            [
                "mizan::lessons::zakat::copying::optimized",
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
