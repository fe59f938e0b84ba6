//! Generates the exercises from the lessons, so that a lesson is written
//! once:
//!
//! - each starting point, `OUT_DIR/start/<workload>_<technique>.rs`: the
//!   text of the lesson's naive form (its `// ANCHOR: naive` region, or the
//!   region that holds the function `LESSON.naive` names), the function
//!   renamed `attempt`, with what its `// Exercise includes:` lines name,
//!   the imports the text uses (made absolute), and a header with the
//!   lesson's hint, what the checker compares and what must stay true;
//! - `OUT_DIR/exercises.rs`: a module a starting point, a module an
//!   attempt (the learner's `attempts/<name>.rs` where it exists, the
//!   starting point where not) and the list of exercises, every lesson
//!   whose `practice` is `Practice::Rewrite` (a test holds it to the
//!   registry);
//! - a warning naming the new path of every import an attempt still
//!   makes from where the lessons used to be.
//!
//! The attempts are `exercises/attempts/`, or the folder `MIZAN_ATTEMPTS`
//! names (`cargo exercise grade` builds each student's folder so).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// Paths that moved when the lessons got a wing of their own, for the
/// warning an older attempt gets: each old path with its new one.
const MOVED: &[(&str, &str)] = &[
    (
        "mizan::zakat::lessons::string_building::Receipts",
        "mizan::lessons::zakat::inputs::Receipts",
    ),
    (
        "mizan::zakat::lessons::string_building::write_receipt",
        "mizan::zakat::receipt::write_receipt",
    ),
    (
        "mizan::zakat::lessons::string_building::animal_name",
        "mizan::zakat::receipt::animal_name",
    ),
    (
        "mizan::zakat::lessons::string_building::group_name",
        "mizan::zakat::receipt::group_name",
    ),
    (
        "mizan::murabaha::lessons::string_building::Statements",
        "mizan::lessons::murabaha::inputs::Statements",
    ),
    (
        "mizan::murabaha::lessons::string_building::write_statement",
        "mizan::murabaha::statement::write_statement",
    ),
    (
        "mizan::murabaha::lessons::string_building::TABLE_HEADING",
        "mizan::murabaha::statement::TABLE_HEADING",
    ),
    (
        "mizan::murabaha::lessons::string_building::listed",
        "mizan::murabaha::statement::listed",
    ),
    (
        "mizan::zakat::lessons::sharding::",
        "mizan::lessons::zakat::inputs:: (Line, Lines, Key, Total, Totals, key, add)",
    ),
    (
        "mizan::zakat::lessons::algorithmic::",
        "mizan::lessons::zakat::inputs:: (Ids, Duplicate)",
    ),
    (
        "mizan::zakat::lessons::pre_allocation::is_wealth",
        "mizan::lessons::zakat::inputs::is_wealth",
    ),
    (
        "mizan::zakat::lessons::parsing::",
        "mizan::lessons::zakat::inputs:: (PayersFile, Parsed, read, deserialize, validated)",
    ),
    (
        "mizan::zakat::lessons::buffered_io::",
        "mizan::lessons::inputs:: (Document, Destination)",
    ),
    (
        "mizan::murabaha::lessons::sharding::",
        "mizan::lessons::murabaha::inputs:: (PaymentStream, PaymentEvent, Ledger, post)",
    ),
    (
        "mizan::murabaha::lessons::pre_allocation::",
        "mizan::lessons::murabaha::inputs:: (ProcessedBook, OpenBook, Flows)",
    ),
    (
        "mizan::murabaha::lessons::thread_spawn::",
        "mizan::lessons::murabaha::inputs:: (BatchTotals, month_end)",
    ),
    ("mizan::zakat::lessons::", "mizan::lessons::zakat::"),
    ("mizan::murabaha::lessons::", "mizan::lessons::murabaha::"),
];

fn main() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = here
        .parent()
        .expect("the exercises crate is in the checkout");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let lessons = root.join("workloads/lessons");
    // The attempts compiled in: the learner's `attempts/`, or a student's
    // folder that `cargo exercise grade` names.
    println!("cargo:rerun-if-env-changed=MIZAN_ATTEMPTS");
    let attempts = std::env::var_os("MIZAN_ATTEMPTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| here.join("attempts"));
    println!("cargo:rustc-env=MIZAN_ATTEMPTS_DIR={}", attempts.display());
    for dir in [
        &lessons,
        &attempts,
        &root.join("workloads/zakat"),
        &root.join("workloads/murabaha"),
    ] {
        println!("cargo:rerun-if-changed={}", dir.display());
    }
    println!("cargo:rerun-if-changed={}", root.join("book/src").display());

    let mut exercises = Vec::new();
    for workload in ["zakat", "murabaha"] {
        let mut files: Vec<PathBuf> = fs::read_dir(lessons.join(workload))
            .expect("the lessons folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .collect();
        files.sort();
        for file in files {
            let text = fs::read_to_string(&file).expect("a lesson file");
            let technique = file.file_stem().unwrap().to_str().unwrap().to_owned();
            if let Some(exercise) = Exercise::of(workload, &technique, &text) {
                println!("cargo:rerun-if-changed={}", file.display());
                exercises.push(exercise);
            }
        }
    }

    // In the registry's order (`lessons()` in `workloads/lessons/mod.rs`).
    let registry = fs::read_to_string(lessons.join("mod.rs")).expect("the registry");
    let rank = |e: &Exercise| {
        registry
            .find(&format!("&{}::{}::LESSON", e.workload, e.technique))
            .unwrap_or(usize::MAX)
    };
    exercises.sort_by_key(rank);

    fs::create_dir_all(out.join("start")).expect("OUT_DIR is writable");
    let mut code = String::from(
        "// Generated by build.rs from the lessons: every exercise's starting point,\n\
         // its attempt, and the list.\n\n/// The starting points, as handed out.\npub mod start {\n",
    );
    for e in &exercises {
        let path = out.join("start").join(format!("{}.rs", e.name));
        let text = e.starting_point(root);
        fs::write(&path, &text).expect("OUT_DIR is writable");
        let _ = writeln!(
            code,
            "    #[path = {:?}]\n    pub mod {};",
            path.display().to_string(),
            e.name
        );
    }
    code.push_str("}\n\n/// Each exercise's attempt, or its starting point where there is none yet.\npub mod attempts {\n");
    for e in &exercises {
        let attempt = attempts.join(format!("{}.rs", e.name));
        if attempt.exists() {
            println!("cargo:rerun-if-changed={}", attempt.display());
            warn_of_moved_paths(&attempt);
            let _ = writeln!(
                code,
                "    #[path = {:?}]\n    pub mod {};",
                attempt.display().to_string(),
                e.name
            );
        } else {
            let _ = writeln!(code, "    pub use super::start::{};", e.name);
        }
    }
    code.push_str(
        "}\n\n/// Every exercise, in the registry's order.\npub static EXERCISES: &[&dyn Exercise] = &[\n",
    );
    for e in &exercises {
        let _ = writeln!(
            code,
            "    exercise!({}, mizan::lessons::{}::{}::LESSON),",
            e.name, e.workload, e.technique
        );
    }
    code.push_str("];\n");
    fs::write(out.join("exercises.rs"), code).expect("OUT_DIR is writable");
}

/// One lesson's exercise, as its file declares it.
struct Exercise {
    workload: &'static str,
    technique: String,
    /// `zakat_pooling`.
    name: String,
    /// `zakat/pooling`.
    id: String,
    /// The naive form's function.
    naive: String,
    /// For a lesson whose naive form is a closure over a field of its
    /// input (`|p| naive(&p.input)`): the field.
    field: Option<String>,
    input_type: String,
    output_type: String,
    hint: String,
    compares: String,
    keep: Vec<String>,
    /// `path#anchor` regions the starting point includes besides the
    /// naive form.
    includes: Vec<String>,
}

impl Exercise {
    /// The exercise a lesson file declares, if it declares one.
    fn of(workload: &'static str, technique: &str, text: &str) -> Option<Exercise> {
        let start = text.find("pub const LESSON: LessonDef<")?;
        let header_end = start + text[start..].find(" = LessonDef {")?;
        let types = &text[start + "pub const LESSON: LessonDef<".len()..header_end - 1];
        let (input_type, output_type) = split_top_level(types);
        let body_end = start + text[start..].find("\n};\n")?;
        let body = &text[start..body_end];
        let practice = body.find("practice: Practice::Rewrite(")?;
        let practice = &body[practice..];
        let (naive, field) = naive_of(body);
        Some(Exercise {
            workload,
            technique: technique.to_owned(),
            name: format!("{workload}_{technique}"),
            id: format!("{workload}/{}", technique.replace('_', "-")),
            naive,
            field,
            input_type: input_type.trim().to_owned(),
            output_type: output_type.trim().to_owned(),
            hint: string_field(practice, "hint:").unwrap_or_default(),
            compares: string_field(practice, "compares:").unwrap_or_default(),
            keep: list_field(practice, "keep:"),
            includes: text
                .lines()
                .filter_map(|l| l.strip_prefix("// Exercise includes: "))
                .map(|l| l.trim().to_owned())
                .collect(),
        })
    }

    /// The starting point's text.
    fn starting_point(&self, root: &Path) -> String {
        let lesson_path = format!("workloads/lessons/{}/{}.rs", self.workload, self.technique);
        // Where the naive form is: the lesson's own `naive` region, or the
        // region of the lesson, its workload's inputs or the shared inputs
        // that holds the function.
        let candidates = [
            lesson_path.clone(),
            format!("workloads/lessons/{}/inputs.rs", self.workload),
            "workloads/lessons/inputs.rs".to_owned(),
        ];
        let signature = format!("pub fn {}(", self.naive);
        let (naive_file, region) = candidates
            .iter()
            .find_map(|path| {
                let text = fs::read_to_string(root.join(path)).ok()?;
                regions(&text)
                    .into_iter()
                    .find(|(_, r)| r.contains(&signature))
                    .map(|(_, r)| (path.clone(), r))
            })
            .unwrap_or_else(|| panic!("{}: no anchored region holds `{signature}`", self.id));
        let mut body = match &self.field {
            None => region.replacen(&signature, "pub fn attempt(", 1),
            Some(field) => format!(
                "/// The exercise's signature: the lesson's input, the lesson's output.\n\
                 pub fn attempt(input: &{}) -> {} {{\n    run(&input.{field})\n}}\n\n{}",
                self.input_type,
                self.output_type,
                region.replacen(&signature, "fn run(", 1)
            ),
        };
        let mut sources = vec![naive_file];
        for include in &self.includes {
            let (path, anchor) = include
                .split_once('#')
                .unwrap_or_else(|| panic!("{}: `{include}` is not path#anchor", self.id));
            let text = fs::read_to_string(root.join(path))
                .unwrap_or_else(|_| panic!("{}: no file {path}", self.id));
            let region = regions(&text)
                .into_iter()
                .find(|(name, _)| name == anchor)
                .unwrap_or_else(|| panic!("{}: no anchor {anchor} in {path}", self.id))
                .1;
            body.push('\n');
            body.push_str(&region);
            sources.push(path.to_owned());
        }
        let imports = imports_for(root, &sources, &lesson_path, &body);
        // Paths in the text itself, made absolute as the imports are.
        let module = module_of(&sources[0]);
        let parent = module
            .rsplit_once("::")
            .map_or("mizan", |(p, _)| p)
            .to_owned();
        let body = body
            .replace("crate::", "mizan::")
            .replace("super::", &format!("{parent}::"));
        let chapter = chapter_of(root, &self.technique);
        let mut header = format!(
            "//! Exercise `{}`: the lesson's naive form, to make faster.\n//!\n",
            self.id
        );
        header += &doc(&format!(
            "Rewrite `attempt` (and anything else in this file) so that it gives the same \
             output faster. What the checker compares: {}.",
            self.compares
        ));
        if !self.keep.is_empty() {
            header.push_str("//!\n//! What must stay true besides the output:\n");
            for keep in &self.keep {
                header += &doc(&format!("- {keep}"));
            }
        }
        header += &format!(
            "//!\n//! Check it with\n//!\n//! ```sh\n//! cargo exercise check {}\n//! ```\n//!\n",
            self.id
        );
        header += &doc(&format!("Where to look first: {}", self.hint));
        header += "//!\n";
        header += &doc(&format!(
            "The lab's own answer is the lesson's optimized form, shown in the book's \
             chapter \"{chapter}\"; the exercise is to write your own."
        ));
        header.push('\n');
        format!("{header}{imports}\n{body}")
    }
}

/// A paragraph as `//!` lines of at most 76 characters (a list item's
/// continuation lines indented under its text).
fn doc(text: &str) -> String {
    let indent = if text.starts_with("- ") { "  " } else { "" };
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > 72 {
            let _ = writeln!(out, "//! {line}");
            line = indent.to_owned();
        }
        if !line.trim().is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "//! {line}");
    }
    out
}

/// `LESSON.naive`'s function, and the field it is applied to when the
/// naive form is a closure (`naive: |p| naive(&p.input)`).
fn naive_of(body: &str) -> (String, Option<String>) {
    for line in body.lines() {
        let line = line.trim();
        if line == "naive," {
            return ("naive".to_owned(), None);
        }
        if let Some(rest) = line.strip_prefix("naive: ") {
            let rest = rest.trim_end_matches(',');
            if let Some(closure) = rest.strip_prefix('|') {
                // `|p| name(&p.field)`
                let (var, call) = closure.split_once('|').expect("a closure");
                let call = call.trim();
                let (name, arg) = call.split_once('(').expect("a call");
                let field = arg
                    .trim_end_matches(')')
                    .trim_start_matches('&')
                    .strip_prefix(&format!("{}.", var.trim()))
                    .expect("a field of the input");
                return (name.to_owned(), Some(field.to_owned()));
            }
            return (rest.to_owned(), None);
        }
    }
    panic!("a LESSON without a naive form")
}

/// `A, B` split at its top-level comma.
fn split_top_level(types: &str) -> (&str, &str) {
    let mut depth = 0;
    for (at, c) in types.char_indices() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth -= 1,
            ',' if depth == 0 => return (&types[..at], &types[at + 1..]),
            _ => {}
        }
    }
    panic!("LessonDef<{types}> has two types")
}

/// The value of a string literal field (`hint: "…",`), unescaped.
fn string_field(text: &str, field: &str) -> Option<String> {
    let at = text.find(field)? + field.len();
    let rest = text[at..].trim_start().strip_prefix('"')?;
    Some(read_literal(rest).0)
}

/// A string literal's value from just after its opening quote, and the
/// bytes it took.
fn read_literal(rest: &str) -> (String, usize) {
    let mut value = String::new();
    let mut chars = rest.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return (value, at + 1),
            '\\' => match chars.next().map(|(_, c)| c) {
                Some('\n') => {
                    while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
                        chars.next();
                    }
                }
                Some('n') => value.push('\n'),
                Some('t') => value.push('\t'),
                Some(other) => value.push(other),
                None => break,
            },
            c => value.push(c),
        }
    }
    (value, rest.len())
}

/// The string literals of a list field (`keep: &["…", "…"],`).
fn list_field(text: &str, field: &str) -> Vec<String> {
    let Some(at) = text.find(field) else {
        return Vec::new();
    };
    let rest = &text[at + field.len()..];
    let end = rest.find(']').unwrap_or(0);
    let mut list = rest[..end].to_owned();
    let mut values = Vec::new();
    while let Some(open) = list.find('"') {
        let (value, took) = read_literal(&list[open + 1..]);
        values.push(value);
        list = list[open + 1 + took..].to_owned();
    }
    values
}

/// Every `// ANCHOR: name` … `// ANCHOR_END: name` region of a file, its
/// lines without the anchors themselves.
fn regions(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (at, line) in lines.iter().enumerate() {
        if let Some(name) = line.trim().strip_prefix("// ANCHOR: ") {
            let end = format!("// ANCHOR_END: {name}");
            let mut region = String::new();
            for inner in &lines[at + 1..] {
                if inner.trim() == end {
                    break;
                }
                if !inner.trim_start().starts_with("// ANCHOR") {
                    region.push_str(inner);
                    region.push('\n');
                }
            }
            found.push((name.to_owned(), region));
        }
    }
    found
}

/// The module path of a source file: `workloads/zakat/receipt.rs` is
/// `mizan::zakat::receipt`.
fn module_of(path: &str) -> String {
    let inner = path
        .trim_start_matches("workloads/")
        .trim_end_matches(".rs")
        .trim_end_matches("/mod");
    format!("mizan::{}", inner.replace('/', "::"))
}

/// The `use` lines the body needs, from the files its regions came from:
/// every import whose name the body's code uses, made absolute, and the
/// files' own items the body uses but does not define.
fn imports_for(root: &Path, sources: &[String], lesson_path: &str, body: &str) -> String {
    let code = strip_comments(body);
    let defined = defined_names(&code);
    let writes = code.contains("write!(") || code.contains("writeln!(") || code.contains(".flush(");
    let mut uses = BTreeSet::new();
    let mut files: Vec<&str> = sources.iter().map(String::as_str).collect();
    if !files.contains(&lesson_path) {
        files.push(lesson_path);
    }
    for path in files {
        let text = fs::read_to_string(root.join(path)).expect("a source file");
        let module = module_of(path);
        let parent = module
            .rsplit_once("::")
            .map_or("mizan", |(p, _)| p)
            .to_owned();
        for (full, name) in use_paths(&text) {
            // A trait brought in for its methods (`Write` for `write!`),
            // and rayon's prelude for `par_iter`.
            let needed = match name.as_str() {
                "_" | "Write" => writes && full.contains("Write"),
                "*" => full == "rayon::prelude::*" && code.contains("par_"),
                _ => !defined.contains(name.as_str()) && uses_item(&code, &name),
            };
            if needed {
                uses.insert(absolute(&full, &module, &parent));
            }
        }
        // The file's own items that the body uses and does not define.
        for item in defined_names(&strip_comments(&text)) {
            if !defined.contains(item.as_str()) && uses_item(&code, &item) {
                uses.insert(format!("{module}::{item}"));
            }
        }
    }
    // A name imported from two places (a file's own item and its
    // re-export): keep the first.
    let mut seen = BTreeSet::new();
    let mut lines = String::new();
    for path in uses {
        let name = path.rsplit("::").next().unwrap_or(&path).to_owned();
        if name.starts_with('*') || name.ends_with(" as _") || seen.insert(name) {
            let _ = writeln!(lines, "use {path};");
        }
    }
    lines
}

/// A path of a source file's module made absolute.
fn absolute(path: &str, module: &str, parent: &str) -> String {
    if let Some(rest) = path.strip_prefix("crate::") {
        format!("mizan::{rest}")
    } else if let Some(rest) = path.strip_prefix("super::") {
        format!("{parent}::{rest}")
    } else if let Some(rest) = path.strip_prefix("self::") {
        format!("{module}::{rest}")
    } else {
        path.to_owned()
    }
}

/// Whether the code uses `name` as an item: a type (a capitalized word
/// anywhere but after a dot), or a function or constant called, named in
/// a path, or passed as a value (`.map(name)`), but not a field, a method
/// or a binding of a pattern (`Some(name) =>`).
fn uses_item(code: &str, name: &str) -> bool {
    let bytes = code.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    // A name the code binds itself is a local, not an item.
    for binding in [
        format!("let {name} "),
        format!("let mut {name} "),
        format!("let {name}:"),
    ] {
        if code.contains(&binding) {
            return false;
        }
    }
    let mut from = 0;
    while let Some(found) = code[from..].find(name) {
        let at = from + found;
        let end = at + name.len();
        from = end;
        let before = code[..at].trim_end_matches(' ');
        if at > 0 && is_word(bytes[at - 1]) || end < bytes.len() && is_word(bytes[end]) {
            continue;
        }
        if before.ends_with('.') || before.ends_with("::") || before.ends_with("fn") {
            continue;
        }
        if name.starts_with(|c: char| c.is_ascii_uppercase()) {
            return true;
        }
        let after = &code[end..];
        if after.starts_with('(') || after.starts_with("::") || after.starts_with('!') {
            return true;
        }
        let passed = before.ends_with('(') || before.ends_with(',');
        let closes = after.starts_with(')') || after.starts_with(',');
        let pattern = after.trim_start_matches(')').trim_start().starts_with("=>");
        if passed && closes && !pattern {
            return true;
        }
    }
    false
}

/// The text without `//` comments (doc comments included).
fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(at) if !l[..at].contains('"') => &l[..at],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The names of the top-level items a text defines.
fn defined_names(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in code.lines() {
        let line = line.strip_prefix("pub ").unwrap_or(line);
        for keyword in [
            "fn ", "struct ", "enum ", "const ", "static ", "type ", "trait ",
        ] {
            if let Some(rest) = line.strip_prefix(keyword) {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    names.insert(name);
                }
            }
        }
    }
    names
}

/// Every path a file's top-level `use` declarations bring in, with the
/// name it is known by: `use a::{b, c::D};` gives `(a::b, b)`, `(a::c::D, D)`.
fn use_paths(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("\nuse ") {
        let after = &rest[at + 5..];
        let end = after.find(';').expect("a use ends");
        let tree: String = after[..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        expand(&tree, "", &mut found);
        rest = &after[end..];
        // Stop at the tests: their imports are theirs.
        if rest.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
    }
    found
}

/// Expands one use tree under `prefix`.
fn expand(tree: &str, prefix: &str, found: &mut Vec<(String, String)>) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let base = tree[..open].trim_end_matches("::");
        let inner = &tree[open + 1..tree.rfind('}').expect("a closing brace")];
        let prefix = join(prefix, base);
        let mut depth = 0;
        let mut start = 0;
        for (at, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(&inner[start..at], &prefix, found);
                    start = at + 1;
                }
                _ => {}
            }
        }
        expand(&inner[start..], &prefix, found);
        return;
    }
    if tree.is_empty() {
        return;
    }
    if tree.ends_with('*') {
        found.push((join(prefix, tree), "*".to_owned()));
        return;
    }
    if tree == "self" {
        let name = prefix.rsplit("::").next().unwrap_or(prefix).to_owned();
        found.push((prefix.to_owned(), name));
        return;
    }
    let (path, name) = match tree.split_once(" as ") {
        Some((path, alias)) => (path.trim(), alias.trim()),
        None => (tree, tree.rsplit("::").next().unwrap_or(tree)),
    };
    if name == "_" {
        // `use std::fmt::Write as _;`: a trait brought in for its methods.
        found.push((format!("{} as _", join(prefix, path)), "_".to_owned()));
        return;
    }
    found.push((join(prefix, path), name.to_owned()));
}

fn join(prefix: &str, path: &str) -> String {
    if prefix.is_empty() {
        path.to_owned()
    } else {
        format!("{prefix}::{path}")
    }
}

/// The title of the technique's chapter.
fn chapter_of(root: &Path, technique: &str) -> String {
    let stem = match technique {
        "pipeline" => "pipelines".to_owned(),
        other => other.replace('_', "-"),
    };
    fs::read_to_string(root.join(format!("book/src/techniques/{stem}.md")))
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("# ").map(str::to_owned))
        })
        .unwrap_or_else(|| stem.clone())
}

/// A warning for every import an attempt makes from a path that moved.
fn warn_of_moved_paths(attempt: &Path) {
    let Ok(text) = fs::read_to_string(attempt) else {
        return;
    };
    let name = attempt.file_name().unwrap().to_string_lossy();
    let mut warned = BTreeSet::new();
    for line in text.lines().filter(|l| l.contains("mizan::")) {
        if let Some((old, new)) = MOVED.iter().find(|(old, _)| line.contains(old))
            && warned.insert(*old)
        {
            println!(
                "cargo:warning=exercises/attempts/{name}: `{old}` has moved to `{new}`; \
                 change the import (the lessons now live in mizan::lessons)"
            );
        }
    }
}
