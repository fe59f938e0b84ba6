//! The book builds, and nothing in it points at nothing: every
//! `{{#include}}` names a file (and an anchor) that exists, every link and
//! image inside the book resolves, and every registered lesson has its
//! section in a technique chapter. mdBook itself builds happily with a
//! missing include, image or page, so these checks are this test's own.

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

fn chapters() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    markdown_files(&Path::new(BOOK).join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path).unwrap();
            (path, text)
        })
        .collect()
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

#[test]
fn every_include_resolves_with_its_anchor() {
    let mut checked = 0;
    for (path, text) in chapters() {
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
    let techniques: Vec<(PathBuf, String)> = chapters()
        .into_iter()
        .filter(|(path, _)| path.components().any(|c| c.as_os_str() == "techniques"))
        .collect();
    for lesson in mizan::lab::registry::lessons() {
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
            "workloads/{workload}/lessons/{}.rs",
            technique.replace('-', "_")
        );
        // A lesson about the allocator runs one function in two processes:
        // it has no optimized code of its own to show.
        let has_optimized_code = fs::read_to_string(&source)
            .unwrap_or_else(|e| panic!("{source}: {e}"))
            .contains("ANCHOR: optimized");
        let mut needed = vec![format!("{source}:naive}}}}")];
        if has_optimized_code {
            needed.push(format!("{source}:optimized}}}}"));
        }
        for needed in needed.into_iter().chain([
            format!("generated/profiles/{stem}-naive.svg"),
            format!("generated/profiles/{stem}-optimized.svg"),
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
