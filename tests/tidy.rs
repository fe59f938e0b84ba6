//! The layering rules of `ARCHITECTURE.md`, checked on the source (a tidy
//! test, as rust-analyzer has): every file's paths into the crate (`use
//! crate::…` and `super::…` lines, and the same paths written inline), at
//! file level, with `#[cfg(test)]` modules left out, resolved to the file
//! they name.
//!
//! - The domain (`money`, `date`, `input`, `json`, `text`, `zakat`,
//!   `murabaha`, `tool`) imports neither `lab` nor `lessons`.
//! - `lab` imports no workload and no lesson (the registry is handed to
//!   it).
//! - A lesson imports the lab only through `lab::api`, its workload's
//!   `inputs.rs`, the shared `lessons/inputs.rs` and the domain: never
//!   another lesson, never `tool`. A workload's further inputs file
//!   (`zakat/dense_inputs.rs`) may import its `inputs.rs`, not the other
//!   way round.
//! - No import circles, anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The domain's top-level modules.
const DOMAIN: [&str; 8] = [
    "money", "date", "input", "json", "text", "zakat", "murabaha", "tool",
];

/// A source tree: each file's path under `workloads/` and its text.
type Tree = BTreeMap<String, String>;

/// The crate's source files (the binary's `main.rs` and `cli/` are a
/// crate of their own, which reaches the library by `mizan::`).
fn workloads() -> Tree {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("workloads");
    let mut tree = Tree::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let name = path
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                if name != "main.rs" && !name.starts_with("cli/") {
                    tree.insert(name, std::fs::read_to_string(&path).unwrap());
                }
            }
        }
    }
    tree
}

/// A file's module path: `lessons/zakat/pooling.rs` is `lessons::zakat::pooling`.
fn module_of(file: &str) -> Vec<String> {
    let stem = file.trim_end_matches(".rs");
    let stem = stem.trim_end_matches("/mod");
    if stem == "lib" {
        return Vec::new();
    }
    stem.split('/').map(str::to_owned).collect()
}

/// The text without comments, string literals and `#[cfg(test)]` modules.
fn code_of(text: &str) -> String {
    // Comments and strings first, so that no brace in them counts.
    let mut code = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if text[at..].starts_with("//") {
            at += text[at..].find('\n').unwrap_or(text.len() - at);
        } else if bytes[at] == b'"' {
            at += 1;
            while at < bytes.len() && bytes[at] != b'"' {
                at += if bytes[at] == b'\\' { 2 } else { 1 };
            }
            at += 1;
            code.push_str("\"\"");
        } else if text[at..].starts_with("b'")
            || text[at..].starts_with('\'') && is_char(&text[at..])
        {
            // A character literal (not a lifetime): skip it whole.
            let start = at + text[at..].find('\'').unwrap() + 1;
            let len = if bytes[start] == b'\\' {
                text[start..].find('\'').unwrap()
            } else {
                text[start..].chars().next().unwrap().len_utf8()
            };
            at = start + len + 1;
            code.push_str("' '");
        } else {
            let c = text[at..].chars().next().unwrap();
            code.push(c);
            at += c.len_utf8();
        }
    }
    // Then the test modules, to their closing brace.
    while let Some(start) = code.find("#[cfg(test)]") {
        let Some(open) = code[start..].find('{').map(|o| start + o) else {
            break;
        };
        let mut depth = 0;
        let mut end = open;
        for (i, c) in code[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        code.replace_range(start..end, "");
    }
    code
}

/// Whether text starting with `'` is a character literal rather than a
/// lifetime.
fn is_char(text: &str) -> bool {
    let mut chars = text.chars().skip(1);
    match chars.next() {
        Some('\\') => true,
        Some(_) => chars.next() == Some('\''),
        None => false,
    }
}

/// Every path into the crate the code names: `crate::…` and `super::…`,
/// inline or in a `use` tree (expanded), as segments from the crate root.
fn paths_of(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    // A path may start at a child module the file declares (`pub use
    // model::Payer;` in `zakat/mod.rs`, `zakat::pooling::LESSON` in the
    // registry): it is relative to the file's own module.
    let children: Vec<&str> = code
        .lines()
        .filter_map(|l| {
            let l = l.trim().strip_prefix("pub ").unwrap_or(l.trim());
            let name = l.strip_prefix("mod ")?;
            Some(name.trim_end_matches([';', '{', ' ']))
        })
        .collect();
    let absolute = |path: &str| -> Option<Vec<String>> {
        let first = path.split("::").next().unwrap_or("");
        if children.contains(&first) {
            absolute(&format!("self::{path}"), module)
        } else {
            absolute(path, module)
        }
    };
    // `use` trees, expanded.
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        let after = &rest[at + 4..];
        let Some(end) = after.find(';') else { break };
        if before.is_none_or(|c| !c.is_alphanumeric() && c != '_') {
            let tree = compact(&after[..end]);
            expand(&tree, "", &mut |path: String| found.extend(absolute(&path)));
        }
        rest = &after[end..];
    }
    // Inline paths (those in `use` lines are found again: harmless).
    let bytes = code.as_bytes();
    let starts: Vec<String> = ["crate", "super"]
        .iter()
        .map(|s| s.to_string())
        .chain(children.iter().map(|c| c.to_string()))
        .map(|s| format!("{s}::"))
        .collect();
    for start in &starts {
        let start = start.as_str();
        let mut from = 0;
        while let Some(i) = code[from..].find(start) {
            let at = from + i;
            from = at + start.len();
            if at > 0
                && (bytes[at - 1].is_ascii_alphanumeric()
                    || bytes[at - 1] == b'_'
                    || bytes[at - 1] == b':')
            {
                continue;
            }
            let end = code[at..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .map_or(code.len(), |e| at + e);
            let path = code[at..end].trim_end_matches(':');
            found.extend(absolute(path));
        }
    }
    found
}

/// A use tree with its white space removed, but for the one space either
/// side of `as`: `use a::{b as c}` is `a::{b as c}`, and `one_pass` stays
/// whole.
fn compact(tree: &str) -> String {
    tree.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" ::", "::")
        .replace("{ ", "{")
        .replace(" }", "}")
        .replace(", ", ",")
        .replace(" ,", ",")
}

/// Expands a use tree (compacted, see [`compact`]) under `prefix`.
fn expand(tree: &str, prefix: &str, out: &mut impl FnMut(String)) {
    if let Some(open) = tree.find('{') {
        let base = tree[..open].trim_end_matches("::");
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let prefix = if prefix.is_empty() {
            base.to_owned()
        } else {
            format!("{prefix}::{base}")
        };
        let mut depth = 0;
        let mut start = 0;
        for (at, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(&inner[start..at], &prefix, out);
                    start = at + 1;
                }
                _ => {}
            }
        }
        expand(&inner[start..], &prefix, out);
        return;
    }
    // `path as name`: the path (the one space left of the alias's, see
    // `compact`).
    let tree = tree
        .split(" as ")
        .next()
        .unwrap_or(tree)
        .trim()
        .trim_end_matches("::*");
    if tree.is_empty() {
        return;
    }
    let path = match (prefix.is_empty(), tree) {
        (true, _) => tree.to_owned(),
        (false, "self") => prefix.to_owned(),
        (false, _) => format!("{prefix}::{tree}"),
    };
    out(path);
}

/// A `crate::`/`super::` path as segments from the crate root; `None` for
/// a path outside the crate (`std::…`, a dependency).
fn absolute(path: &str, module: &[String]) -> Option<Vec<String>> {
    let mut segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let mut base: Vec<String> = match segments.first() {
        Some(&"crate") => {
            segments.remove(0);
            Vec::new()
        }
        Some(&"super") => {
            // The parent of the file's module (a `mod.rs`'s module is its
            // folder's, so its `super` is the folder's parent).
            let mut base = module.to_vec();
            while segments.first() == Some(&"super") {
                segments.remove(0);
                base.pop();
            }
            base
        }
        Some(&"self") => {
            segments.remove(0);
            module.to_vec()
        }
        _ => return None,
    };
    base.extend(segments.iter().map(|s| s.to_string()));
    Some(base)
}

/// The file a path names: the longest prefix of it that is a file's
/// module, through the re-exports of a folder's `mod.rs`
/// (`crate::zakat::Payer` is `zakat/model.rs`'s).
fn resolve(
    path: &[String],
    modules: &BTreeMap<Vec<String>, String>,
    reexports: &Reexports,
) -> Option<String> {
    for len in (0..=path.len()).rev() {
        if let Some(file) = modules.get(&path[..len]) {
            if let Some(name) = path.get(len)
                && let Some(target) = reexports.get(&(file.clone(), name.clone()))
            {
                return Some(target.clone());
            }
            return Some(file.clone());
        }
    }
    None
}

/// `(file, name)` to the file that defines what the file re-exports as
/// `name` (`pub use model::{Payer}` in `zakat/mod.rs`).
type Reexports = BTreeMap<(String, String), String>;

/// Every file's imports, as the files they name (itself left out).
fn graph(tree: &Tree) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeMap<Vec<String>, String> = tree
        .keys()
        .map(|file| (module_of(file), file.clone()))
        .collect();
    let mut reexports = Reexports::new();
    // Only a folder's `mod.rs` is seen through (its re-exports are its
    // children's items, named from the outside by the folder's path); a
    // facade such as `lab/api.rs` is the file a path names.
    for (file, text) in tree.iter().filter(|(f, _)| f.ends_with("mod.rs")) {
        let module = module_of(file);
        for line in code_of(text).lines() {
            let Some(rest) = line.trim().strip_prefix("pub use ") else {
                continue;
            };
            let tree_text = compact(rest.trim_end_matches(';'));
            let mut targets = Vec::new();
            // Relative to the module itself (`pub use model::X`).
            let tree_text = if tree_text.starts_with("crate::") || tree_text.starts_with("super::")
            {
                tree_text
            } else {
                format!("self::{tree_text}")
            };
            expand(&tree_text, "", &mut |p: String| targets.push(p));
            for target in targets {
                let Some(abs) = absolute(&target, &module) else {
                    continue;
                };
                let name = abs.last().cloned().unwrap_or_default();
                if let Some(to) = resolve(&abs, &modules, &Reexports::new()) {
                    reexports.insert((file.clone(), name), to);
                }
            }
        }
    }
    tree.iter()
        .map(|(file, text)| {
            let module = module_of(file);
            let targets = paths_of(&code_of(text), &module)
                .iter()
                .filter_map(|p| resolve(p, &modules, &reexports))
                .filter(|t| t != file && t != "lib.rs")
                .collect();
            (file.clone(), targets)
        })
        .collect()
}

/// What a file is.
#[derive(Debug, PartialEq)]
enum Layer {
    Domain,
    Lab,
    /// `lessons/mod.rs`: the registry.
    Registry,
    /// `lessons/inputs.rs` or a workload's `inputs.rs`.
    Inputs,
    /// A lesson: `lessons/<workload>/<technique>.rs`.
    Lesson,
    Root,
}

fn layer(file: &str) -> Layer {
    let first = file.split(['/', '.']).next().unwrap_or("");
    match first {
        "lab" => Layer::Lab,
        "lessons" if file == "lessons/mod.rs" => Layer::Registry,
        "lessons" if file.ends_with("inputs.rs") => Layer::Inputs,
        "lessons" => Layer::Lesson,
        "lib" => Layer::Root,
        _ if DOMAIN.contains(&first) => Layer::Domain,
        _ => panic!("{file}: a file in no layer; add its module to the tidy test"),
    }
}

/// Every broken rule, one line each.
fn violations(tree: &Tree) -> Vec<String> {
    let graph = graph(tree);
    let mut found = Vec::new();
    for (file, targets) in &graph {
        for target in targets {
            let (from, to) = (layer(file), layer(target));
            let workload = |f: &str| f.split('/').nth(1).map(str::to_owned);
            let broken = match from {
                Layer::Domain => matches!(
                    to,
                    Layer::Lab | Layer::Lesson | Layer::Inputs | Layer::Registry
                ),
                Layer::Lab => to != Layer::Lab,
                Layer::Lesson | Layer::Inputs => match to {
                    Layer::Lab => target != "lab/api.rs",
                    Layer::Lesson | Layer::Registry => true,
                    Layer::Inputs => {
                        let own_workload = workload(target) == workload(file);
                        let workload_inputs = target.ends_with("/inputs.rs");
                        !(target == "lessons/inputs.rs"
                            || own_workload && (from == Layer::Lesson || workload_inputs))
                            || target == file
                    }
                    Layer::Domain => target.starts_with("tool/"),
                    Layer::Root => false,
                },
                Layer::Registry => {
                    !matches!(to, Layer::Lesson | Layer::Inputs) && target != "lab/api.rs"
                }
                Layer::Root => false,
            };
            if broken {
                found.push(format!("{file} imports {target}"));
            }
        }
    }
    for circle in circles(&graph) {
        found.push(format!("an import circle: {}", circle.join(" -> ")));
    }
    found
}

/// The import circles: every strongly connected set of two files or more
/// (Tarjan), each shown as a path round it.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        sets: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.graph.contains_key(w) {
                continue;
            }
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut set = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                set.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if set.len() > 1 {
                set.sort();
                s.sets.push(set);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        sets: Vec::new(),
    };
    for v in graph.keys() {
        if !state.index.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    state.sets
}

#[test]
fn the_layers_hold_and_no_imports_go_round() {
    let found = violations(&workloads());
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// A tree of a few files, each `(path, text)`.
fn fixture(files: &[(&str, &str)]) -> Tree {
    files
        .iter()
        .map(|(path, text)| (path.to_string(), text.to_string()))
        .collect()
}

/// A sound little tree: the domain, the lab's api, a workload's inputs and
/// two lessons.
fn sound() -> Vec<(&'static str, &'static str)> {
    vec![
        ("lib.rs", "pub mod money; pub mod lab; pub mod lessons;"),
        ("money.rs", "pub struct Cents;"),
        ("zakat/mod.rs", "pub mod model;\npub use model::Payer;"),
        (
            "zakat/model.rs",
            "use crate::money::Cents;\npub struct Payer;",
        ),
        ("lab/api.rs", "pub use super::lesson::LessonDef;"),
        ("lab/lesson.rs", "pub struct LessonDef;"),
        (
            "lessons/mod.rs",
            "use crate::lab::api::LessonDef;\npub fn lessons() { let _ = &zakat::pooling::LESSON; }",
        ),
        ("lessons/inputs.rs", "use crate::money::Cents;"),
        (
            "lessons/zakat/inputs.rs",
            "use crate::zakat::Payer;\nuse crate::lessons::inputs::day;",
        ),
        (
            "lessons/zakat/pooling.rs",
            "use crate::lab::api::LessonDef;\nuse super::inputs::Receipts;\n\
             fn f() { crate::zakat::model::Payer; }\n\
             #[cfg(test)]\nmod tests { use crate::lessons::zakat::sharding::LESSON; }",
        ),
        (
            "lessons/zakat/sharding.rs",
            "use crate::lab::api::LessonDef;\n// use super::pooling::naive;\nconst S: &str = \"super::pooling\";",
        ),
    ]
}

#[test]
fn a_sound_tree_passes_and_tests_comments_and_strings_are_left_out() {
    assert_eq!(violations(&fixture(&sound())), Vec::<String>::new());
    // `zakat::Payer` resolves through the re-export to the model.
    let graph = graph(&fixture(&sound()));
    assert!(graph["lessons/zakat/inputs.rs"].contains("zakat/model.rs"));
    assert!(!graph["lessons/zakat/pooling.rs"].contains("lessons/zakat/sharding.rs"));
}

#[test]
fn a_lesson_importing_another_lesson_fails() {
    for (how, text) in [
        ("a use line", "use super::pooling::naive;"),
        (
            "an absolute use line",
            "use crate::lessons::zakat::pooling::{naive, LESSON};",
        ),
        (
            "an inline path",
            "fn f() { let _ = super::pooling::naive; }",
        ),
        (
            "an inline crate path",
            "const L: () = crate::lessons::zakat::pooling::LESSON;",
        ),
    ] {
        let mut files = sound();
        files.retain(|(p, _)| *p != "lessons/zakat/sharding.rs");
        files.push(("lessons/zakat/sharding.rs", text));
        assert_eq!(
            violations(&fixture(&files)),
            ["lessons/zakat/sharding.rs imports lessons/zakat/pooling.rs"],
            "{how}"
        );
    }
}

#[test]
fn a_lesson_reaching_past_the_lab_api_or_into_tool_fails() {
    let mut files = sound();
    files.push(("lab/runner.rs", "pub fn pool() {}"));
    files.push(("tool/mod.rs", "pub fn run() {}"));
    files.push((
        "lessons/zakat/copying.rs",
        "use crate::lab::runner::pool;\nuse crate::tool::run;",
    ));
    let found = violations(&fixture(&files));
    assert_eq!(
        found,
        [
            "lessons/zakat/copying.rs imports lab/runner.rs",
            "lessons/zakat/copying.rs imports tool/mod.rs",
        ]
    );
}

#[test]
fn the_lab_importing_a_workload_and_the_domain_importing_the_lab_fail() {
    let mut files = sound();
    files.push(("lab/machine.rs", "use crate::zakat::model::Payer;"));
    files.push((
        "date.rs",
        "pub fn today() { crate::lab::lesson::LessonDef; }",
    ));
    let found = violations(&fixture(&files));
    assert_eq!(
        found,
        [
            "date.rs imports lab/lesson.rs",
            "lab/machine.rs imports zakat/model.rs"
        ]
    );
}

#[test]
fn an_import_circle_fails() {
    let mut files = sound();
    files.push((
        "lab/runner.rs",
        "use super::machine::measure;\npub fn median() {}",
    ));
    files.push((
        "lab/machine.rs",
        "use super::process::child;\npub fn measure() {}",
    ));
    files.push((
        "lab/process.rs",
        "pub fn child() { super::runner::median(); }",
    ));
    let found = violations(&fixture(&files));
    assert_eq!(
        found,
        ["an import circle: lab/machine.rs -> lab/process.rs -> lab/runner.rs"]
    );
}

#[test]
fn a_folder_and_its_child_going_round_fails() {
    // `tool/mod.rs` re-exports its child's item by a relative path, and
    // the child reaches back for the trait the parent defines.
    let mut files = sound();
    files.push((
        "tool/mod.rs",
        "mod zakat;\npub use zakat::Zakat;\npub trait Domain {}",
    ));
    files.push(("tool/zakat.rs", "use super::Domain;\npub struct Zakat;"));
    assert_eq!(
        violations(&fixture(&files)),
        ["an import circle: tool/mod.rs -> tool/zakat.rs"]
    );
    // With the trait in a file of its own, nothing goes round.
    files.retain(|(p, _)| !p.starts_with("tool/"));
    files.push((
        "tool/mod.rs",
        "mod domain;\nmod zakat;\npub use domain::Domain;\npub use zakat::Zakat;",
    ));
    files.push(("tool/domain.rs", "pub trait Domain {}"));
    files.push((
        "tool/zakat.rs",
        "use super::domain::Domain;\npub struct Zakat;",
    ));
    assert_eq!(violations(&fixture(&files)), Vec::<String>::new());
}

#[test]
fn a_name_with_as_in_it_is_read_whole_and_an_alias_is_dropped() {
    let mut files = sound();
    files.push(("tool/mod.rs", "mod one_pass;\nmod document;"));
    files.push(("tool/one_pass.rs", "pub fn one_pass() {}"));
    files.push((
        "tool/document.rs",
        "use super::one_pass::one_pass;\nuse crate::money::{Cents as Money, self};",
    ));
    let graph = graph(&fixture(&files));
    assert_eq!(
        graph["tool/document.rs"],
        ["money.rs", "tool/one_pass.rs"].map(str::to_owned).into()
    );
    assert_eq!(violations(&fixture(&files)), Vec::<String>::new());
}
