//! The book builds, and nothing in it points at nothing: every
//! `{{#include}}` names a file (and an anchor) that exists, every link and
//! image inside the book resolves, and every registered lesson has its
//! section in a technique chapter. mdBook itself builds happily with a
//! missing include, image or page, so these checks are this test's own.
//!
//! It also checks what a reader in a browser would see and mdBook does not
//! complain of: code included outside a code block (rendered as a paragraph
//! with smart quotes), a word written like an HTML tag (`Mutex<HashMap>`
//! outside backticks, which the browser swallows), an image drawn wider
//! than the page's column (its text shrunk to fit), and a table with more
//! columns than the column holds. Each check is also run on a page that has
//! the problem, so that a check that cannot fail fails.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

const BOOK: &str = "book";

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            markdown_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

/// The book's pages (everything under `src/` but the generated fragments),
/// each with the Markdown pages it includes written in, as mdBook renders
/// it: a fragment's links are relative to the page that includes it.
fn chapters() -> Vec<(PathBuf, String)> {
    pages()
        .into_iter()
        .map(|(path, text)| {
            let text = expand_markdown_includes(&path, &text);
            (path, text)
        })
        .collect()
}

/// The book's pages as written, their includes not yet expanded.
fn pages() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    markdown_files(&Path::new(BOOK).join("src"), &mut files);
    files.retain(|path| !path.components().any(|c| c.as_os_str() == "generated"));
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path).unwrap();
            (path, text)
        })
        .collect()
}

fn expand_markdown_includes(page: &Path, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let directive = line.trim();
        match directive
            .strip_prefix("{{#include ")
            .and_then(|rest| rest.strip_suffix("}}"))
            .filter(|target| target.ends_with(".md"))
        {
            Some(target) => {
                let file = page.parent().unwrap().join(target.trim());
                let included = fs::read_to_string(&file)
                    .unwrap_or_else(|e| panic!("{}: include {target}: {e}", page.display()));
                out.push_str(&included);
                out.push('\n');
            }
            None => out.push_str(line),
        }
    }
    out
}

/// The `{{#include path[:anchor]}}` directives of a chapter.
fn includes(text: &str) -> Vec<(String, Option<String>)> {
    text.match_indices("{{#include ")
        .map(|(at, _)| {
            let rest = &text[at + "{{#include ".len()..];
            let directive = &rest[..rest.find("}}").expect("an include is closed")];
            match directive.trim().split_once(':') {
                Some((path, anchor)) => (path.to_owned(), Some(anchor.to_owned())),
                None => (directive.trim().to_owned(), None),
            }
        })
        .collect()
}

/// The targets of a chapter's Markdown links and images, `](target)`.
fn link_targets(text: &str) -> Vec<String> {
    text.match_indices("](")
        .map(|(at, _)| {
            let rest = &text[at + 2..];
            rest[..rest.find(')').expect("a link is closed")].to_owned()
        })
        .collect()
}

/// The width, in CSS pixels, of mdBook's content column
/// (`--content-max-width`): an image drawn wider is shrunk to it.
const COLUMN_PX: u32 = 750;

/// The most columns a table may have and still read on a phone, where it
/// scrolls (`book/theme/mizan.css`) but no more than this fits on a laptop.
const MAX_TABLE_COLUMNS: usize = 6;

/// The HTML the book's pages write on purpose; anything else that looks
/// like a tag outside code is a word the browser would swallow.
const ALLOWED_TAGS: [&str; 16] = [
    "a",
    "code",
    "img",
    "picture",
    "source",
    "wbr",
    "figure",
    "figcaption",
    "div",
    "span",
    "br",
    "sup",
    "sub",
    "details",
    "summary",
    "p",
];

/// The lines of a page outside fenced code blocks, numbered from 1, with
/// inline code spans blanked out (an HTML comment is kept: it is checked
/// apart).
fn prose_lines(text: &str) -> Vec<(usize, String)> {
    let mut fenced = false;
    let mut lines = Vec::new();
    for (idx, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut prose = String::with_capacity(line.len());
        let mut in_code = false;
        for c in line.chars() {
            if c == '`' {
                in_code = !in_code;
                prose.push(' ');
            } else {
                prose.push(if in_code { ' ' } else { c });
            }
        }
        lines.push((idx + 1, prose));
    }
    lines
}

/// Includes of code (anything but another Markdown page) that are not
/// inside a fenced block.
fn includes_outside_code(text: &str) -> Vec<String> {
    prose_lines(text)
        .into_iter()
        .filter(|(_, line)| {
            includes(line)
                .iter()
                .any(|(target, _)| !target.ends_with(".md"))
        })
        .map(|(n, line)| format!("line {n}: {}", line.trim()))
        .collect()
}

/// Words outside code that a browser would take for an HTML tag.
fn tag_like_words(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (n, line) in prose_lines(text) {
        let bytes = line.as_bytes();
        for (at, _) in line.match_indices('<') {
            let rest = &line[at + 1..];
            if rest.starts_with("!--") || rest.starts_with("http") {
                continue;
            }
            let name: String = rest
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            let is_word_char = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
            let closing = rest.starts_with('/');
            let glued = at > 0 && is_word_char(bytes[at - 1]) && !closing;
            if name.is_empty() && !glued {
                continue; // `a < b`, `<=`: a comparison, not a tag.
            }
            if rest.starts_with("wbr>") {
                continue; // A break a generated name allows (`column_<wbr>indexed`).
            }
            if glued || !ALLOWED_TAGS.contains(&name.to_ascii_lowercase().as_str()) {
                let end = line[at..].find('>').map_or(line.len(), |e| at + e + 1);
                let start = line[..at]
                    .rfind(|c: char| c.is_whitespace())
                    .map_or(0, |s| s + 1);
                found.push(format!("line {n}: {}", &line[start..end]));
            }
        }
    }
    found
}

/// Tables with more than [`MAX_TABLE_COLUMNS`] columns: (line, columns).
fn wide_tables(text: &str) -> Vec<(usize, usize)> {
    let lines = prose_lines(text);
    let mut wide = Vec::new();
    for pair in lines.windows(2) {
        let (n, header) = &pair[0];
        let separator = pair[1].1.trim();
        let is_separator = separator.starts_with('|')
            && separator.contains("--")
            && separator
                .chars()
                .all(|c| matches!(c, '|' | '-' | ':' | ' '));
        if is_separator {
            let columns = header.trim().trim_matches('|').split('|').count();
            if columns > MAX_TABLE_COLUMNS {
                wide.push((*n, columns));
            }
        }
    }
    wide
}

/// The width an image is drawn at: the root `width` of an SVG (`None`
/// when it is relative, such as `100%`), or a PNG's pixel width.
fn image_width(file: &Path) -> Option<u32> {
    let bytes = fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    if bytes.starts_with(b"\x89PNG") {
        return Some(u32::from_be_bytes(bytes[16..20].try_into().unwrap()));
    }
    let text = String::from_utf8_lossy(&bytes);
    let root = &text[text
        .find("<svg")
        .unwrap_or_else(|| panic!("{}: an SVG has a root element", file.display()))..];
    let root = &root[..root.find('>').unwrap()];
    let value = root.split(" width=\"").nth(1)?.split('"').next()?;
    value.trim_end_matches("px").parse().ok()
}

/// The images of a page (Markdown images and `<img src>`) drawn wider than
/// the column: (target, width).
fn wide_images(page: &Path, text: &str) -> Vec<(String, u32)> {
    let mut targets: Vec<String> = text
        .match_indices("![")
        // Not a macro's `!` (`vec![0; n]` in prose).
        .filter(|(at, _)| {
            !text[..*at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
        .filter_map(|(at, _)| {
            let rest = &text[at..];
            let open = rest.find("](")?;
            let close = rest[open..].find(')')?;
            Some(rest[open + 2..open + close].to_owned())
        })
        .collect();
    targets.extend(text.match_indices("<img src=\"").map(|(at, m)| {
        let rest = &text[at + m.len()..];
        rest[..rest.find('"').unwrap()].to_owned()
    }));
    targets
        .into_iter()
        .filter(|t| !t.starts_with("http"))
        .filter_map(|target| {
            let width = image_width(&page.parent().unwrap().join(&target))?;
            (width > COLUMN_PX).then_some((target, width))
        })
        .collect()
}

/// Fails, naming the page, if `check` finds `problem` on any chapter.
fn no_chapter_has<T: std::fmt::Debug>(problem: &str, check: impl Fn(&Path, &str) -> Vec<T>) {
    for (path, text) in chapters() {
        let found = check(&path, &text);
        assert!(found.is_empty(), "{}: {problem}: {found:?}", path.display());
    }
}

#[test]
fn code_is_included_inside_code_blocks() {
    let bad =
        "Intro\n\n{{#include ../x/rules.rs:assess}}\n\n```rust\n{{#include ../x/y.rs:ok}}\n```\n";
    assert_eq!(
        includes_outside_code(bad),
        ["line 3: {{#include ../x/rules.rs:assess}}"]
    );
    assert!(includes_outside_code("{{#include ../generated/lessons/a.md}}").is_empty());
    no_chapter_has("code included outside a code block", |_, text| {
        includes_outside_code(text)
    });
}

#[test]
fn no_word_is_written_like_a_tag() {
    let bad = "One Mutex<HashMap> and a <Decimal>; `Vec<u8>` is code, a < b is not a tag,\n\
               <!-- a comment --> <a href=\"x\">a link</a> <https://example.org> \
               <code>column_<wbr>indexed</code>";
    assert_eq!(
        tag_like_words(bad),
        ["line 1: Mutex<HashMap>", "line 1: <Decimal>"]
    );
    no_chapter_has("words a browser would swallow", |_, text| {
        tag_like_words(text)
    });
}

/// Double hyphens inside raw HTML code (`<code>…--flag…</code>`), outside
/// fenced blocks: mdBook's smart punctuation turns them into a dash, so a
/// flag a reader copies would be wrong (`&#45;&#45;` stays two hyphens).
fn dashed_flags(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut fenced = false;
    for (idx, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        for piece in line.split("<code").skip(1) {
            let inside = piece.split("</code>").next().unwrap_or_default();
            if inside.contains("--") {
                found.push(format!("line {}: <code{inside}</code>", idx + 1));
            }
        }
    }
    found
}

#[test]
fn no_flag_in_html_code_becomes_a_dash() {
    let bad = "<code class=\"flag\">--seed</code> and <code class=\"flag\">&#45;&#45;budget</code>\n\
               `--replay` is markdown code\n```sh\n<code>--in-a-block</code>\n```\n";
    assert_eq!(
        dashed_flags(bad),
        ["line 1: <code class=\"flag\">--seed</code>"]
    );
    no_chapter_has(
        "flags in HTML code that smart punctuation would dash",
        |_, text| dashed_flags(text),
    );
}

#[test]
fn tables_fit_the_column() {
    let bad = "| a | b | c | d | e | f | g |\n|---|---|---|---|---|---|---|\n| 1 | 2 | 3 | 4 | 5 | 6 | 7 |\n\n\
               | a | b |\n|---|---:|\n| 1 | 2 |\n";
    assert_eq!(wide_tables(bad), [(1, 7)]);
    no_chapter_has(
        &format!("tables wider than {MAX_TABLE_COLUMNS} columns (line, columns)"),
        |_, text| wide_tables(text),
    );
}

#[test]
fn images_fit_the_column() {
    let dir = std::env::temp_dir().join(format!("mizan-book-images-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("wide.svg"), "<?xml version=\"1.0\"?>\n<svg width=\"2000\" height=\"420\" viewBox=\"0 0 2000 420\">\n</svg>\n").unwrap();
    fs::write(
        dir.join("fits.svg"),
        "<svg width=\"720\" height=\"420\"></svg>",
    )
    .unwrap();
    fs::write(
        dir.join("fluid.svg"),
        "<svg width=\"100%\" height=\"420\"></svg>",
    )
    .unwrap();
    let page = dir.join("page.md");
    let text = "![a](wide.svg) ![b](fits.svg) <img src=\"fluid.svg\">";
    assert_eq!(wide_images(&page, text), [("wide.svg".to_owned(), 2000)]);
    fs::remove_dir_all(&dir).unwrap();
    no_chapter_has(
        &format!("images wider than the {COLUMN_PX} px column"),
        wide_images,
    );
    let images: usize = chapters()
        .iter()
        .map(|(_, text)| text.matches("![").count() + text.matches("<img src=").count())
        .sum();
    assert!(images >= 20, "only {images} images");
}

/// The smallest width a chart is shown at on a phone: a 400 px screen's
/// column in mdBook's theme (`scripts/book-layout` measures it).
const PHONE_COLUMN_PX: u32 = 345;

/// The smallest text a chart may draw, in pixels as shown.
const SMALLEST_TEXT_PX: f64 = 11.0;

/// The smallest `font-size` of an SVG's text.
fn smallest_text(svg: &str) -> Option<f64> {
    svg.split("font-size=\"")
        .skip(1)
        .filter_map(|rest| rest[..rest.find('"')?].trim_end_matches("px").parse().ok())
        .reduce(f64::min)
}

/// What is wrong with the charts a page shows (the lab's charts under
/// `generated/`, not the flamegraphs): each is a link to its full-size
/// SVG around a `<picture>` that shows the narrow variant below the
/// column's width, and the text of each variant, as shown at the width it
/// gets (at most the column, at least a phone's), is at least 11 px.
fn chart_problems(page: &Path, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for (line_no, line) in text.lines().enumerate() {
        let line_no = line_no + 1;
        // Each chart once (its link and its `<img>` name it twice).
        // A chapter in a folder names them `../generated/`, one at the
        // book's root `generated/`.
        let charts: BTreeSet<&str> = line
            .match_indices("generated/")
            .map(|(at, _)| {
                let start = if line[..at].ends_with("../") {
                    at - 3
                } else {
                    at
                };
                &line[start..]
            })
            .filter(|rest| {
                !rest
                    .trim_start_matches("../")
                    .starts_with("generated/profiles/")
            })
            .filter_map(|rest| rest.find(".svg").map(|end| &rest[..end + 4]))
            .filter(|target| !target.ends_with("-narrow.svg"))
            .collect();
        for target in charts {
            let narrow = target.replace(".svg", "-narrow.svg");
            let wanted = format!(
                "<a class=\"chart\" href=\"{target}\"><picture><source media=\"(max-width: 749px)\" \
                 srcset=\"{narrow}\"><img src=\"{target}\""
            );
            if !line.contains(&wanted) {
                problems.push(format!(
                    "line {line_no}: {target} is not shown as `{wanted} alt=…></picture></a>`"
                ));
                continue;
            }
            for (file, shown_at) in [(target, COLUMN_PX), (narrow.as_str(), PHONE_COLUMN_PX)] {
                let path = page.parent().unwrap().join(file);
                let Ok(svg) = fs::read_to_string(&path) else {
                    problems.push(format!("line {line_no}: {file} does not exist"));
                    continue;
                };
                let width = image_width(&path).unwrap_or(shown_at);
                let scale = (f64::from(shown_at) / f64::from(width)).min(1.0);
                let smallest = smallest_text(&svg).unwrap_or(f64::MAX) * scale;
                if smallest < SMALLEST_TEXT_PX {
                    problems.push(format!(
                        "line {line_no}: {file}: text of {smallest:.1} px shown {shown_at} px wide"
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn charts_read_on_a_phone_and_link_to_their_full_size() {
    let dir = std::env::temp_dir().join(format!("mizan-book-charts-{}", std::process::id()));
    fs::create_dir_all(dir.join("generated")).unwrap();
    fs::create_dir_all(dir.join("chapter")).unwrap();
    let page = dir.join("chapter/page.md");
    let svg = |width: u32, size: f64| {
        format!("<svg width=\"{width}\" height=\"90\"><text font-size=\"{size}\">x</text></svg>")
    };
    fs::write(dir.join("generated/good.svg"), svg(720, 11.3)).unwrap();
    fs::write(dir.join("generated/good-narrow.svg"), svg(340, 11.3)).unwrap();
    fs::write(dir.join("generated/small.svg"), svg(720, 11.3)).unwrap();
    // The narrow variant drawn as wide as the other: squeezed on a phone.
    fs::write(dir.join("generated/small-narrow.svg"), svg(720, 11.3)).unwrap();
    let shown = |name: &str| {
        format!(
            "<a class=\"chart\" href=\"../generated/{name}.svg\"><picture><source media=\"(max-width: \
             749px)\" srcset=\"../generated/{name}-narrow.svg\"><img src=\"../generated/{name}.svg\" \
             alt=\"x\"></picture></a>"
        )
    };
    let text = format!(
        "{}\n{}\n![bare](../generated/good.svg)\n![flame](../generated/profiles/a.svg)\n{}\n",
        shown("good"),
        shown("small"),
        shown("missing"),
    );
    let problems = chart_problems(&page, &text);
    fs::remove_dir_all(&dir).unwrap();
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert!(problems[0].starts_with("line 2: ../generated/small-narrow.svg: text of 5.4 px"));
    assert!(problems[1].starts_with("line 3: ../generated/good.svg is not shown as"));
    assert!(problems[2].starts_with("line 5: ../generated/missing.svg does not exist"));
    assert!(problems[3].starts_with("line 5: ../generated/missing-narrow.svg does not exist"));
    no_chapter_has("charts a phone cannot read", chart_problems);
}

#[test]
fn every_include_resolves_with_its_anchor() {
    let mut checked = 0;
    for (path, text) in pages() {
        for (target, anchor) in includes(&text) {
            let file = path.parent().unwrap().join(&target);
            let source = fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("{}: include {target}: {e}", path.display()));
            if let Some(anchor) = anchor {
                assert!(
                    source.contains(&format!("ANCHOR: {anchor}\n"))
                        && source.contains(&format!("ANCHOR_END: {anchor}\n")),
                    "{}: {target} has no anchor {anchor}",
                    path.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} includes");
}

#[test]
fn every_internal_link_and_image_resolves() {
    let mut checked = 0;
    for (path, text) in chapters() {
        for target in link_targets(&text) {
            if target.starts_with("http") || target.starts_with('#') {
                continue;
            }
            let file_part = target.split('#').next().unwrap();
            let file = path.parent().unwrap().join(file_part);
            assert!(
                file.is_file(),
                "{}: link or image {target} points at nothing",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} links");
}

#[test]
fn every_lesson_has_its_section() {
    let techniques: Vec<(PathBuf, String)> = pages()
        .into_iter()
        .filter(|(path, _)| path.components().any(|c| c.as_os_str() == "techniques"))
        .collect();
    for lesson in mizan::lessons::lessons() {
        let heading = format!("## `{}`", lesson.id());
        let (path, text) = techniques
            .iter()
            .find(|(_, text)| text.lines().any(|line| line == heading))
            .unwrap_or_else(|| panic!("no chapter has the section {heading}"));
        let stem = lesson.id().replace('/', "-");
        let section = &text[text.find(&heading).unwrap()..];
        let section = match section[heading.len()..].find("\n## ") {
            Some(end) => &section[..heading.len() + end],
            None => section,
        };
        let (workload, technique) = lesson.id().split_once('/').unwrap();
        let source = format!(
            "workloads/lessons/{workload}/{}.rs",
            technique.replace('-', "_")
        );
        let text_of_source =
            fs::read_to_string(&source).unwrap_or_else(|e| panic!("{source}: {e}"));
        // The regions that hold the naive and the optimized form (one, for
        // a lesson about the allocator, whose two forms are one function):
        // in the lesson's file, or in the inputs it shares.
        let needed: Vec<String> = ["naive", "optimized"]
            .iter()
            .map(|form| form_function(&text_of_source, form))
            .collect::<BTreeSet<String>>()
            .into_iter()
            .map(|function| {
                let (file, anchor) = region_of(workload, &source, &function)
                    .unwrap_or_else(|| panic!("{}: no region holds `fn {function}(`", lesson.id()));
                format!("{file}:{anchor}}}}}")
            })
            .collect();
        for needed in needed.into_iter().chain([
            format!("generated/profiles/{stem}-naive.md}}}}"),
            format!("generated/profiles/{stem}-optimized.md}}}}"),
            format!("generated/lessons/{stem}.md}}}}"),
            format!("generated/lessons/{stem}.svg"),
        ]) {
            assert!(
                section.contains(&needed),
                "{}: the section of {} lacks {needed}",
                path.display(),
                lesson.id()
            );
        }
    }
}

#[test]
fn every_lesson_section_is_a_lesson() {
    // A `## \`workload/technique\`` section of a technique chapter is a
    // registered lesson's, or one with a command of its own: a lesson
    // taken out of the registry takes its section with it.
    let ids: Vec<&str> = mizan::lessons::lessons()
        .iter()
        .map(|l| l.id())
        .chain(mizan::lessons::OWN_COMMAND.iter().map(|(id, _)| *id))
        .collect();
    for (path, text) in pages() {
        if !path.components().any(|c| c.as_os_str() == "techniques") {
            continue;
        }
        for line in text.lines().filter(|l| l.starts_with("## `")) {
            for id in line
                .split('`')
                .skip(1)
                .step_by(2)
                .filter(|id| id.contains('/'))
            {
                assert!(
                    ids.contains(&id),
                    "{}: a section for {id}, which is not a lesson",
                    path.display()
                );
            }
        }
    }
}

/// The function a lesson's `naive` or `optimized` field names in its
/// `LESSON` (`naive,` names `naive`; a closure, the function it calls).
fn form_function(lesson: &str, form: &str) -> String {
    let start = lesson
        .find("pub const LESSON: LessonDef<")
        .expect("a LESSON");
    for line in lesson[start..].lines() {
        // A field of the definition, at its indent (not a line of a
        // paragraph that happens to begin with the form's name).
        if !line.starts_with("    ") || line.starts_with("     ") {
            continue;
        }
        let line = line.trim().trim_end_matches(',');
        if line == form {
            return form.to_owned();
        }
        if let Some(value) = line.strip_prefix(&format!("{form}: ")) {
            // `|p| naive(&p.input)`: the function called.
            let value = value.rsplit('|').next().unwrap().trim();
            return value.split('(').next().unwrap().to_owned();
        }
    }
    panic!("a LESSON without its {form} form")
}

/// The file and anchor of the region that holds `fn function(`: the
/// lesson's own file first, then its workload's inputs, then the shared
/// ones.
fn region_of(workload: &str, source: &str, function: &str) -> Option<(String, String)> {
    let signature = format!("fn {function}(");
    for file in [
        source.to_owned(),
        format!("workloads/lessons/{workload}/inputs.rs"),
        "workloads/lessons/inputs.rs".to_owned(),
    ] {
        let text = fs::read_to_string(&file).ok()?;
        let mut open: Option<&str> = None;
        for line in text.lines() {
            let line = line.trim();
            if let Some(name) = line.strip_prefix("// ANCHOR: ") {
                open = Some(name);
            } else if line.starts_with("// ANCHOR_END: ") {
                open = None;
            } else if line.contains(&signature)
                && let Some(anchor) = open
            {
                return Some((file, anchor.to_owned()));
            }
        }
    }
    None
}

#[test]
fn the_book_builds_with_search() {
    let out = std::env::temp_dir().join(format!("mizan-book-{}", std::process::id()));
    let _ = fs::remove_dir_all(&out);
    let mut book = mdbook_driver::MDBook::load(BOOK).expect("the book loads");
    book.config
        .set("build.build-dir", out.to_str().unwrap())
        .unwrap();
    book.build().expect("the book builds");
    for page in [
        "index.html",
        "introduction.html",
        "domain/zakat.html",
        "techniques/string-building.html",
        "techniques/pipelines.html",
        "appendix/results.html",
        "generated/profiles/zakat-string-building-naive.svg",
        "generated/profiles/zakat-string-building-naive.pb",
    ] {
        assert!(
            out.join(page).is_file(),
            "{page} is missing from the built book"
        );
    }
    // Search works: mdBook 0.5 names its index with a content hash.
    let has_search_index = fs::read_dir(&out).unwrap().any(|entry| {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        name.starts_with("searchindex") && name.ends_with(".js")
    });
    assert!(has_search_index, "the built book has no search index");
    let chapter = fs::read_to_string(out.join("techniques/string-building.html")).unwrap();
    // The code is there, not the include directive.
    assert!(chapter.contains("fn write_receipt"));
    assert!(!chapter.contains("{{#include"));
    let pipelines = fs::read_to_string(out.join("techniques/pipelines.html")).unwrap();
    assert!(pipelines.contains("fn effective_rate"));
    assert!(pipelines.contains("zakat-pipeline-fixed-point.svg"));
    fs::remove_dir_all(&out).unwrap();
}

/// The longest region the book may include, in lines: a function with the
/// helpers it calls, not the rest of a file.
const LONGEST_REGION: usize = 170;

/// Every `// ANCHOR: name` region of a source text, as `(name, first
/// line, lines)`; `Err` for an anchor that is not closed, closed twice,
/// closed before it is opened, or closed across another (the region would
/// run on to the end of the file, or hold another's code).
fn anchor_regions(text: &str) -> Result<Vec<(String, usize, usize)>, String> {
    let mut open: Vec<(String, usize)> = Vec::new();
    let mut regions = Vec::new();
    for (at, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix("// ANCHOR: ") {
            let name = name.split_whitespace().next().unwrap_or("").to_owned();
            if open.iter().any(|(n, _)| *n == name) || regions.iter().any(|(n, _, _)| *n == name) {
                return Err(format!("line {}: anchor {name} opened twice", at + 1));
            }
            open.push((name, at));
        } else if let Some(name) = line.strip_prefix("// ANCHOR_END: ") {
            let name = name.split_whitespace().next().unwrap_or("");
            match open.pop() {
                Some((top, start)) if top == name => regions.push((top, start + 1, at - start - 1)),
                Some((top, _)) => {
                    return Err(format!(
                        "line {}: ANCHOR_END {name} closes across anchor {top}, still open",
                        at + 1
                    ));
                }
                None => {
                    return Err(format!(
                        "line {}: ANCHOR_END {name} without its anchor",
                        at + 1
                    ));
                }
            }
        }
    }
    match open.pop() {
        Some((name, start)) => Err(format!("line {}: anchor {name} is never closed", start + 1)),
        None => Ok(regions),
    }
}

#[test]
fn every_anchor_closes_after_it_opens_and_no_region_runs_long() {
    let mut problems = Vec::new();
    let mut dirs = vec![PathBuf::from("workloads")];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = fs::read_to_string(&path).unwrap();
                match anchor_regions(&text) {
                    Err(e) => problems.push(format!("{}: {e}", path.display())),
                    Ok(regions) => {
                        for (name, start, len) in regions {
                            if len > LONGEST_REGION {
                                problems.push(format!(
                                    "{}:{start}: region {name} is {len} lines (at most {LONGEST_REGION})",
                                    path.display()
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_crossed_or_unclosed_anchor_is_found() {
    let crossed =
        "// ANCHOR: a\nfn a() {}\n// ANCHOR_END: b\n\n// ANCHOR: b\nfn b() {}\n// ANCHOR_END: a\n";
    assert_eq!(
        anchor_regions(crossed),
        Err("line 3: ANCHOR_END b closes across anchor a, still open".to_owned())
    );
    let across = "// ANCHOR: a\n// ANCHOR: b\nfn b() {}\n// ANCHOR_END: a\n// ANCHOR_END: b\n";
    assert_eq!(
        anchor_regions(across),
        Err("line 4: ANCHOR_END a closes across anchor b, still open".to_owned())
    );
    assert_eq!(
        anchor_regions("// ANCHOR: a\nfn a() {}\n"),
        Err("line 1: anchor a is never closed".to_owned())
    );
    let nested = "// ANCHOR: outer\n// ANCHOR: inner\nfn f() {}\n// ANCHOR_END: inner\n// ANCHOR_END: outer\n";
    assert_eq!(
        anchor_regions(nested),
        Ok(vec![("inner".to_owned(), 2, 1), ("outer".to_owned(), 1, 3)])
    );
}

/// Every generated page (a lesson's results, counters, profiles and
/// machine code; the whole run's results table; the builds, memory limits,
/// system calls and the tool's figures) names what it is about, a
/// committed tree it was made from, and the digest of the sources it is
/// about, and those sources are what the tree holds now: a page made before
/// its lesson (or the domain code the lesson names) last changed is stale,
/// and says which command makes it again. (`mizan::lab::stamp`'s unit tests
/// plant a changed source.) `whys.md` is the one page without a stamp: it
/// is made from the code alone, and `tests/lab.rs`
/// `every_why_follows_its_verdicts` holds it equal to what the code renders
/// now.
#[test]
fn every_generated_page_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let generated = root.join(BOOK).join("src/generated");
    let mut pages = Vec::new();
    markdown_files(&generated, &mut pages);
    pages.retain(|page| !page.ends_with("whys.md"));
    assert!(pages.len() > 100, "{} pages", pages.len());
    let mut problems = Vec::new();
    for page in &pages {
        let text = fs::read_to_string(page).unwrap();
        let name = page.strip_prefix(&generated).unwrap().display().to_string();
        let remake = match name.split('/').next() {
            Some("lessons" | "results.md") => "`mizan` (the run), then `mizan report`",
            Some("counters") => "`mizan counters LESSON`",
            Some("asm") => "`cargo run --release -- asm --book`",
            Some("profiles") => "`mizan profile LESSON`",
            Some("builds.md") => "`mizan builds`",
            Some("memory-limits.md") => "`mizan memory-limits`",
            Some("syscalls.md") => "`scripts/syscalls`",
            Some("tool.md") => "`scripts/bench-tool`",
            Some("zakat-core.md") => "`scripts/bench-zakat-core`",
            _ => "the command its first line names",
        };
        match mizan::lab::stamp::current(root, &text) {
            Ok(stamp) if stamp.dirty => problems.push(format!(
                "{name}: made from a tree with uncommitted changes (commit {}): commit, \
                 then make it again with {remake}",
                stamp.commit
            )),
            Ok(_) => {}
            Err(e) => problems.push(format!("{name}: {e}: make it again with {remake}")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every page the book has (everything under `src/` but the generated
/// fragments and `SUMMARY.md` itself) is in `SUMMARY.md`: mdBook builds
/// only the pages the summary lists, so a chapter left out of it is a
/// chapter no reader sees.
#[test]
fn every_page_is_in_the_summary() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(BOOK).join("src");
    let summary = fs::read_to_string(src.join("SUMMARY.md")).unwrap();
    let mut files = Vec::new();
    markdown_files(&src, &mut files);
    let missing: Vec<String> = files
        .iter()
        .map(|f| f.strip_prefix(&src).unwrap().display().to_string())
        .filter(|f| !f.starts_with("generated/") && f != "SUMMARY.md")
        .filter(|f| !summary.contains(&format!("]({f})")))
        .collect();
    assert!(files.len() > 40, "{} pages", files.len());
    assert!(missing.is_empty(), "not in SUMMARY.md: {missing:?}");
}
