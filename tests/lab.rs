//! The lab machinery: every registered lesson's forms agree; the commands
//! `list`, `run` (with its allocator choice), `run-form` and `profile`.
//! (The runner's measurements and the allocation counter are tested in
//! `alloc_count.rs`, a binary of one test.)

mod common;

use mizan::lab::lesson::Scale;
use mizan::lessons as registry;

#[test]
fn every_lesson_agrees_at_tiny_scale_over_several_seeds() {
    let lessons = registry::lessons();
    assert!(!lessons.is_empty());
    for lesson in lessons {
        for seed in [1, 2, 3, 42, 2026] {
            let prepared = lesson.prepare(Scale::Tiny, seed);
            assert!(prepared.elements() > 0, "{} builds an input", lesson.id());
            assert_eq!(prepared.check(), Ok(()), "{} seed {seed}", lesson.id());
            // A contrast that is a stage of its own is checked the same way.
            if let Some(stage) = lesson.contrast_stage() {
                let prepared = stage.prepare(Scale::Tiny, seed);
                assert!(prepared.elements() > 0, "{}'s contrast", lesson.id());
                assert_eq!(prepared.check(), Ok(()), "{}'s contrast", lesson.id());
            }
        }
    }
}

#[test]
fn lesson_ids_are_unique_and_well_formed() {
    let ids: Vec<&str> = registry::lessons().iter().map(|l| l.id()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len(), "duplicate ids in {ids:?}");
    for id in ids {
        let (workload, technique) = id.split_once('/').expect("workload/technique");
        assert!(matches!(workload, "zakat" | "murabaha"), "{id}");
        assert!(
            !technique.is_empty()
                && technique
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-'),
            "{id}"
        );
        assert!(registry::find(id).is_some());
    }
}

/// Every lesson file is a registered lesson (or one with a command of its
/// own), and lives where its id says: `zakat/string-building` is
/// `workloads/lessons/zakat/string_building.rs`.
#[test]
fn every_lesson_file_is_registered_where_its_id_says() {
    let ids: Vec<&str> = registry::lessons()
        .iter()
        .map(|l| l.id())
        .chain(registry::OWN_COMMAND.iter().map(|(id, _)| *id))
        .collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("workloads/lessons");
    let mut files = Vec::new();
    for workload in ["zakat", "murabaha"] {
        for entry in std::fs::read_dir(root.join(workload)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let technique = name.strip_suffix(".rs").unwrap().replace('_', "-");
            // `inputs.rs` and the like hold what lessons share.
            if !technique.ends_with("inputs") {
                files.push(format!("{workload}/{technique}"));
            }
        }
    }
    files.sort();
    let mut lessons: Vec<&str> = ids
        .iter()
        .copied()
        // The build settings are the lab's own builds, not a lesson file.
        .filter(|id| !id.ends_with("/build-settings"))
        .collect();
    lessons.sort_unstable();
    assert_eq!(files, lessons);
}

/// The code map of `ARCHITECTURE.md` matches the tree: every source file
/// under `workloads/` is named in the section of its folder, and every
/// `.rs` file the map names exists.
#[test]
fn the_architecture_code_map_names_every_file() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let map =
        &text[text.find("## Code map").unwrap()..text.find("## How to add a lesson").unwrap()];
    // Each section: its heading's paths, and its text.
    let sections: Vec<(Vec<String>, &str)> = map
        .split("\n### ")
        .skip(1)
        .map(|section| {
            let (heading, body) = section.split_once('\n').unwrap();
            let paths = heading
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect();
            (paths, body)
        })
        .collect();
    let mut files = Vec::new();
    let mut dirs = vec![root.join("workloads")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(
                    path.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    for file in &files {
        let named = sections.iter().any(|(paths, body)| {
            paths.iter().any(|p| {
                if p == file {
                    return true;
                }
                let Some(rest) = p
                    .strip_suffix('/')
                    .and_then(|d| file.strip_prefix(&format!("{d}/")))
                else {
                    return false;
                };
                // A lesson file is named by its workload's pattern.
                let pattern = rest
                    .split_once('/')
                    .map(|(workload, _)| format!("`{workload}/<technique>.rs`"));
                body.contains(&format!("`{rest}`"))
                    || pattern.is_some_and(|pattern| body.contains(&pattern))
            })
        });
        assert!(named, "ARCHITECTURE.md's code map does not name {file}");
    }
    // Every `.rs` file the map names exists: under its section's folder,
    // under `workloads/`, or from the checkout's root.
    for (paths, body) in &sections {
        for name in body
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|n| n.ends_with(".rs"))
        {
            if name.contains('<') {
                continue;
            }
            let exists = paths
                .iter()
                .map(|p| root.join(p.trim_end_matches('/')).join(name))
                .chain([root.join("workloads").join(name), root.join(name)])
                .any(|path| path.exists());
            assert!(
                exists,
                "ARCHITECTURE.md's code map names {name}, which is not there"
            );
        }
    }
}

#[test]
fn list_and_run_from_the_command_line() {
    let results_dir =
        std::env::temp_dir().join(format!("mizan-results-test-{}", std::process::id()));
    let out = common::mizan(&["list"], b"");
    assert!(out.status.success());
    let listed = String::from_utf8(out.stdout).unwrap();
    let expected: String = registry::lessons()
        .iter()
        .map(|l| format!("{}\n", l.id()))
        .chain(
            registry::OWN_COMMAND
                .iter()
                .map(|(id, command)| format!("{id} (not in the default run: `{command}`)\n")),
        )
        .collect();
    assert_eq!(listed, expected);
    assert!(
        listed.contains("murabaha/memory-limits (not in the default run: `mizan memory-limits`)\n")
    );

    let out = common::mizan(&["run", "zakat/no-such-lesson"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        format!(
            "error: no lesson \"zakat/no-such-lesson\"; the lessons are: {}",
            registry::lessons()
                .iter()
                .map(|l| l.id())
                .collect::<Vec<_>>()
                .join(", ")
        )
    );

    let table = common::mizan_ok(&[
        "run",
        "zakat/string-building",
        "--scale",
        "tiny",
        "--runs",
        "1",
        "--threads",
        "1",
        "--results",
        results_dir.to_str().unwrap(),
    ]);
    assert!(table.contains("| zakat/string-building | 300 |"), "{table}");
    assert!(table.contains(" counted allocator, 1 threads, "), "{table}");
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(results_dir.join("results.json")).unwrap())
            .unwrap();
    assert_eq!(results["results"][0]["id"], "zakat/string-building");
    assert_eq!(results["machine"]["threads"], 1);
    let markdown = std::fs::read_to_string(results_dir.join("results.md")).unwrap();
    assert_eq!(
        format!("{markdown}\n"),
        table.split("Results written").next().unwrap()
    );

    // `mizan report` makes the book's generated files from those results.
    let generated = results_dir.join("generated");
    common::mizan_ok(&[
        "report",
        "--results",
        results_dir.join("results.json").to_str().unwrap(),
        "--output",
        generated.to_str().unwrap(),
    ]);
    let generated_table = std::fs::read_to_string(generated.join("results.md")).unwrap();
    // Its first line is stamped with the run's commit and the digest of
    // every lesson's sources; the rest is the run's table.
    let (first, rest) = generated_table.split_once('\n').unwrap();
    assert!(
        first.starts_with(
            "<!-- generated by `mizan report` from target/mizan/results.json; do not edit; \
             every lesson, commit "
        ),
        "{first}"
    );
    assert_eq!(rest, format!("\n{markdown}"));
    for (chart, title) in [
        ("speedup.svg", "Optimized over naive: median speedup"),
        ("allocations.svg", "Allocations per record"),
        // The phone's: the title wrapped to its width.
        ("speedup-narrow.svg", "Optimized over naive: median"),
        ("allocations-narrow.svg", "Allocations per record"),
    ] {
        let svg = std::fs::read_to_string(generated.join(chart)).unwrap();
        assert!(svg.starts_with("<svg"), "{chart}");
        assert!(
            svg.contains(title) && svg.contains("zakat/string-building"),
            "{chart}"
        );
        assert!(svg.contains("1 threads"), "{chart} names the machine");
    }
    std::fs::remove_dir_all(&results_dir).unwrap();

    let out = common::mizan(&["report", "--results", "no/such/results.json"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with(
        "error: cannot read no/such/results.json (run `cargo run --release` first): "
    ));
}

/// A lesson with a contrast is timed on its contrast's input too, in the
/// same run: a row of its own in every table, its figures in results.json
/// and on the lesson's page, and none in the charts across lessons.
/// Runs `lesson` at the tiny scale, two pairs, with its results in `dir`:
/// the tables printed, and the report read back.
fn run_tiny(lesson: &str, dir: &std::path::Path) -> (String, mizan::lab::results::Report) {
    let stdout = common::mizan_ok(&[
        "run",
        lesson,
        "--scale",
        "tiny",
        "--runs",
        "2",
        "--results",
        dir.to_str().unwrap(),
    ]);
    let report = mizan::lab::results::Report::from_json(
        &std::fs::read_to_string(dir.join("results.json")).unwrap(),
    )
    .unwrap();
    (stdout, report)
}

/// The lesson page of `lesson` after a tiny run of it, written under
/// `dir`.
fn tiny_page(lesson: &str, dir: &std::path::Path) -> String {
    let (_, report) = run_tiny(lesson, dir);
    let generated = dir.join("generated");
    mizan::lab::report::write(&report, &registry::lessons(), &generated).unwrap();
    let file = format!("lessons/{}.md", lesson.replace('/', "-"));
    std::fs::read_to_string(generated.join(file)).unwrap()
}

#[test]
fn a_contrast_is_timed_beside_its_lesson() {
    let dir = std::env::temp_dir().join(format!("mizan-contrast-test-{}", std::process::id()));
    let (tables, report) = run_tiny("zakat/algorithmic", &dir);
    assert!(
        tables.contains("| zakat/algorithmic | 32 | 2 (2) |"),
        "{tables}"
    );
    assert!(
        // A figure keeps its unit on its line: `8 records` with a no-break
        // space.
        tables.contains(
            "| zakat/algorithmic (contrast: a branch's day: 8\u{a0}records) | 8 | 2 (2) |"
        ),
        "{tables}"
    );
    let contrasts: Vec<Option<&str>> = report
        .results
        .iter()
        .map(|r| r.contrast.as_deref())
        .collect();
    assert_eq!(contrasts, [None, Some("a branch's day: 8 records")]);
    let generated = dir.join("generated");
    mizan::lab::report::write(&report, &registry::lessons(), &generated).unwrap();
    let page = std::fs::read_to_string(generated.join("lessons/zakat-algorithmic.md")).unwrap();
    assert!(
        page.contains("| contrast: a branch's day: 8\u{a0}records | 8 |"),
        "{page}"
    );
    // The page names its rows by what they are, not by the lesson's id
    // again (the page is the lesson's).
    assert!(page.contains("| `zakat/algorithmic` | records |"), "{page}");
    assert!(page.contains("| this lesson | 32 | 2 (2) |"), "{page}");
    assert!(!page.contains("| zakat/algorithmic"), "{page}");
    assert!(!page.contains("(not measured)"), "{page}");
    let chart = std::fs::read_to_string(generated.join("speedup.svg")).unwrap();
    assert_eq!(
        chart.matches("zakat/algorithmic").count(),
        1,
        "one bar, the lesson's"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A page's limit and forms tables drop the lesson column where every
/// row is the lesson's own (`this lesson` in each row says nothing); the
/// tables with a contrast row keep it.
#[test]
fn a_pages_table_of_the_lessons_rows_alone_has_no_lesson_column() {
    let dir = std::env::temp_dir().join(format!("mizan-own-rows-test-{}", std::process::id()));
    let page = tiny_page("zakat/copying", &dir);
    assert!(
        page.contains(
            "\n| limit | limit's median | optimized / limit |\n|---|---:|---:|\n| speed of light | "
        ),
        "{page}"
    );
    assert!(
        page.contains(
            "\n| form | median | over naive | over the form before |\n|---|---:|---:|---:|\n| "
        ),
        "{page}"
    );
    // The times, with a contrast row, keep theirs.
    assert!(page.contains("| `zakat/copying` | records |"), "{page}");
    assert!(page.contains("| this lesson | "), "{page}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A ladder's `why` names each rung against the rung below it, for the
/// lesson and for its contrast.
#[test]
fn a_rung_is_named_against_the_rung_below_it() {
    let dir = std::env::temp_dir().join(format!("mizan-rung-test-{}", std::process::id()));
    let page = tiny_page("zakat/parsing", &dir);
    let why = page
        .lines()
        .find(|line| line.contains("Reading JSON through"))
        .unwrap_or_else(|| panic!("no why in {page}"));
    assert!(
        !why.contains("(not measured)") && !why.contains('{'),
        "{why}"
    );
    // Four rungs over the one below (three in the lesson, one in the
    // contrast) and two over naive, each a verdict with its interval.
    assert_eq!(why.matches("×)").count(), 6, "{why}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_allocator_is_chosen_per_process() {
    // Results to a directory of the test's own: the reader's last run in
    // target/mizan is not the test's to overwrite.
    let dir = std::env::temp_dir().join(format!("mizan-allocator-test-{}", std::process::id()));
    let results = dir.to_str().unwrap();
    let out = common::mizan(
        &[
            "run",
            "zakat/string-building",
            "--scale",
            "tiny",
            "--runs",
            "1",
            "--allocator",
            "mimalloc",
            "--results",
            results,
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "note: re-running under the mimalloc allocator (MIZAN_ALLOCATOR=mimalloc): the allocator is chosen per process"
        ),
        "{stderr}"
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("mimalloc, counted allocator"), "{table}");
    // Asking for the allocator already in use runs in the same process.
    let out = common::mizan(
        &[
            "run",
            "zakat/string-building",
            "--scale",
            "tiny",
            "--runs",
            "1",
            "--allocator",
            "system",
            "--results",
            results,
        ],
        b"",
    );
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("re-running"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("system, counted allocator"));
    assert!(dir.join("results.json").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn run_form_builds_the_input_and_runs_one_form() {
    for target in ["input-only", "naive", "optimized"] {
        let out = common::mizan(
            &["run-form", "zakat/string-building", "--target", target],
            b"",
        );
        assert!(
            out.status.success(),
            "{target}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty());
    }
    let out = common::mizan(&["run-form", "zakat/nothing", "--target", "naive"], b"");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn profile_writes_flamegraphs_profiles_and_the_books_sections() {
    let dir = std::env::temp_dir().join(format!("mizan-profile-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    common::mizan_ok(&[
        "profile",
        "zakat/string-building",
        "--scale",
        "tiny",
        "--samples",
        "200",
        "--output",
        dir.to_str().unwrap(),
    ]);
    for form in ["naive", "optimized"] {
        let stem = format!("zakat-string-building-{form}");
        let svg = std::fs::read_to_string(dir.join(format!("{stem}.svg"))).unwrap();
        assert!(
            svg.starts_with("<?xml") && svg.contains(&format!("zakat/string-building, {form}"))
        );
        // Drawn for the book's column, the runtime folded away.
        assert!(svg.contains("width=\"720\""), "{form}");
        for runtime in ["lang_start", "mizan::lab::profile", "__libc_start"] {
            assert!(!svg.contains(runtime), "{form} shows {runtime}");
        }
        let pb = std::fs::read(dir.join(format!("{stem}.pb"))).unwrap();
        assert!(!pb.is_empty());
        let section = std::fs::read_to_string(dir.join(format!("{stem}.md"))).unwrap();
        // Stamped with the lesson, the commit and its sources' digest.
        let stamp = mizan::lab::stamp::read(&section).expect("a stamp");
        assert_eq!(stamp.lesson, "zakat/string-building");
        assert_eq!(stamp.digest.len(), 16);
        assert!(
            section.starts_with(
                "<!-- generated by `mizan profile zakat/string-building`; do not edit; lesson \
                 zakat/string-building, commit "
            ),
            "{section}"
        );
        assert!(
            section.contains(&format!(
                " -->\n\n**Profile of `{form}`** ([interactive flamegraph](../generated/profiles/{stem}.svg), \
                 [pprof profile](../generated/profiles/{stem}.pb)): "
            )),
            "{section}"
        );
        assert!(
            section.contains(" runs of 300 records (tiny scale, seed 1), "),
            "{section}"
        );
        assert!(section.contains("| innermost function | inlined into | self samples | share |"));
        let samples: u64 = section
            .split("): ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .replace(',', "")
            .parse()
            .unwrap();
        assert!(samples >= 200, "{form}: {samples} samples");
    }
    // One allocation a run for the optimized form, for its one buffer; the
    // heap profile finds it, by the line that asked for it.
    let optimized =
        std::fs::read_to_string(dir.join("zakat-string-building-optimized.md")).unwrap();
    assert!(
        optimized.contains("; 1 allocation (76.8 kB) a run."),
        "{optimized}"
    );
    assert!(
        optimized.contains(
            "`target/mizan/heap/zakat-string-building-optimized.dhat.json` \
             opens in DHAT's viewer): 1 allocation (76.8 kB) a run"
        ),
        "{optimized}"
    );
    assert!(
        optimized.contains(
            "| allocated by | called from | allocations | bytes | share |\n|---|---|---:|---:|---:|\n\
             | <code>with_<wbr>capacity</code> | <code>optimized</code> (string_building.rs:"
        ),
        "{optimized}"
    );
    // The naive form's receipts: a String for every line (300 payers).
    let naive = std::fs::read_to_string(dir.join("zakat-string-building-naive.md")).unwrap();
    let heap = naive.split("**Heap profile of `naive`**").nth(1).unwrap();
    assert!(
        heap.contains("| <code>format</code> | <code>format_<wbr>receipt</code> (receipt.rs:"),
        "{heap}"
    );
    // No locks in string building: no lock section.
    assert!(!naive.contains("Lock waits"), "{naive}");
    std::fs::remove_dir_all(&dir).unwrap();

    // A form that takes locks has its waits, by the line that made them.
    common::mizan_ok(&[
        "profile",
        "zakat/sharding",
        "--scale",
        "tiny",
        "--samples",
        "50",
        "--output",
        dir.to_str().unwrap(),
    ]);
    let striped = std::fs::read_to_string(dir.join("zakat-sharding-striped-locks.md")).unwrap();
    let locks = striped
        .split("**Lock waits of `striped-locks`**")
        .nth(1)
        .unwrap();
    let lines = mizan::lessons::zakat::sharding::LESSON.build;
    let count = lines(mizan::lab::lesson::Scale::Tiny, 1).lines.len();
    assert!(
        locks.contains(&format!(
            "| 16 | {} | ",
            mizan::lab::measure::format_count(count as u64)
        )),
        "{locks}"
    );
    let sequential = std::fs::read_to_string(dir.join("zakat-sharding-sequential.md")).unwrap();
    assert!(!sequential.contains("Lock waits"), "{sequential}");
    std::fs::remove_dir_all(&dir).unwrap();

    let out = common::mizan(&["profile"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        "error: name the lessons to profile, or --all (see mizan list)"
    );
}

#[test]
fn an_allocator_lesson_times_each_form_in_its_own_process() {
    let results_dir =
        std::env::temp_dir().join(format!("mizan-allocator-test-{}", std::process::id()));
    let table = common::mizan_ok(&[
        "run",
        "zakat/allocator-choice",
        "--scale",
        "tiny",
        "--runs",
        "3",
        "--results",
        results_dir.to_str().unwrap(),
    ]);
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(results_dir.join("results.json")).unwrap())
            .unwrap();
    let result = &results["results"][0];
    assert_eq!(result["id"], "zakat/allocator-choice");
    assert_eq!(
        result["allocators"],
        serde_json::json!(["system", "mimalloc"])
    );
    assert!(result["failure"].is_null());
    // The same code: the same allocations under either allocator.
    let measured = &result["measured"];
    let forms = measured["forms"].as_array().unwrap();
    assert_eq!(forms[0]["name"], "naive");
    assert_eq!(forms[0]["allocations"], forms[1]["allocations"]);
    assert!(forms[0]["allocations"]["count"].as_u64().unwrap() > 300);
    // Three runs in one round of two children: three pairs, and each
    // child's peak memory.
    assert_eq!(measured["pairs"], 3);
    assert_eq!(forms[1]["over_naive"]["pairs"], 3);
    let peaks = measured["child_peak_rss"].as_array().unwrap();
    assert!(
        peaks.iter().all(|p| p.as_u64().unwrap() > 1_000_000),
        "{peaks:?}"
    );
    assert!(
        table.contains("| zakat/allocator-choice (system → mimalloc) | 100 |"),
        "{table}"
    );
    // Its contrast, another stage, is timed in processes of its own too,
    // at its own scale, and checked against its own reference.
    let contrast = &results["results"][1];
    assert_eq!(contrast["contrast"], "assessing a population");
    assert!(contrast["failure"].is_null(), "{contrast}");
    let forms = contrast["measured"]["forms"].as_array().unwrap();
    assert_eq!(forms[0]["allocations"], forms[1]["allocations"]);
    assert_eq!(contrast["measured"]["pairs"], 3);
    assert!(
        table.contains(
            "| zakat/allocator-choice (system → mimalloc, contrast: assessing a population, small \
             scale) | 5,000 |"
        ),
        "{table}"
    );
    std::fs::remove_dir_all(&results_dir).unwrap();

    // A child reports the allocator it really ran under.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mizan"))
        .args([
            "time-form",
            "zakat/allocator-choice",
            "--target",
            "optimized",
            "--runs",
            "1",
        ])
        .env("MIZAN_ALLOCATOR", "mimalloc")
        .output()
        .unwrap();
    assert!(out.status.success());
    let child: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(child["allocator"], "mimalloc");
    assert_eq!(child["ns"].as_array().unwrap().len(), 1);
    assert!(child["peak_rss_bytes"].as_u64().unwrap() > 1_000_000);
}

#[test]
fn a_lesson_about_threads_is_timed_at_each_thread_count() {
    let results_dir =
        std::env::temp_dir().join(format!("mizan-scaling-test-{}", std::process::id()));
    let table = common::mizan_ok(&[
        "run",
        "zakat/sharding",
        "--scale",
        "tiny",
        "--runs",
        "3",
        "--results",
        results_dir.to_str().unwrap(),
    ]);
    // A form a row, a thread count a column, times then speedups (`zakat/
    // sharding ⚠` when the other tests, running beside this one, hold the
    // second core).
    assert!(table.contains(" | 1 thread | 2 threads |"), "{table}");
    // Times and speedups, for the lesson and for its contrast (a village,
    // against one thread), each labelled as in the main table.
    for label in [
        "zakat/sharding",
        "zakat/sharding (contrast: a village, against one thread)",
    ] {
        assert!(
            [" ", " ⚠ "].iter().any(
                |mark| table.contains(&format!("\n| {label}{mark}| 2 threads over 1 thread |"))
            ),
            "{table}"
        );
    }
    // The lesson's forms in its two thread tables; the contrast's two (the
    // sequential loop as its naive form, the per-task maps) in its own.
    for (form, tables) in [
        ("naive", 4),
        ("striped-locks", 2),
        ("dense-per-task", 2),
        ("sequential", 2),
        ("optimized", 4),
    ] {
        assert_eq!(
            table.matches(&format!("\n| {form} | ")).count(),
            tables,
            "{form}: {table}"
        );
    }
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(results_dir.join("results.json")).unwrap())
            .unwrap();
    let measured = &results["results"][0]["measured"];
    let forms: Vec<&str> = measured["forms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        forms,
        [
            "naive",
            "striped-locks",
            "dense-per-task",
            "sequential",
            "optimized"
        ]
    );
    let scaling = measured["scaling"].as_array().unwrap();
    let threads: Vec<u64> = scaling
        .iter()
        .map(|p| p["threads"].as_u64().unwrap())
        .collect();
    assert_eq!(&threads[..2], &[1, 2]);
    // One form, one time: the main figures are the point at the run's
    // thread count, timed in the same rotation.
    let main_threads = measured["threads"].as_u64().unwrap();
    let point = scaling
        .iter()
        .find(|p| p["threads"].as_u64() == Some(main_threads))
        .unwrap();
    for (idx, form) in measured["forms"].as_array().unwrap().iter().enumerate() {
        assert_eq!(point["ns"][idx], form["ns"], "{}", form["name"]);
        assert_eq!(point["over_one_thread"][idx]["pairs"], 3);
    }
    // The parallelism was measured around the lesson.
    let parallelism = &measured["parallelism"];
    assert!(parallelism["effective"].as_f64().unwrap() > 0.0);
    assert_eq!(
        parallelism["threads"].as_u64().unwrap(),
        std::thread::available_parallelism().unwrap().get() as u64
    );
    std::fs::remove_dir_all(&results_dir).unwrap();
}

/// valgrind is on every machine of this project's kind (and CI's), so the
/// instruction counts are tested for real: a count under callgrind, of
/// each form, less the cost of building the input.
#[test]
fn instructions_are_counted_under_callgrind() {
    assert!(
        mizan::lab::instructions::valgrind_available(),
        "this test needs valgrind (apt-get install valgrind; .ci/run installs it)"
    );
    let results_dir =
        std::env::temp_dir().join(format!("mizan-instructions-test-{}", std::process::id()));
    let table = common::mizan_ok(&[
        "run",
        "zakat/pooling",
        "--instructions",
        "--scale",
        "tiny",
        "--runs",
        "1",
        "--results",
        results_dir.to_str().unwrap(),
    ]);
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(results_dir.join("results.json")).unwrap())
            .unwrap();
    let counted = &results["results"][0]["instructions"];
    let naive = counted["naive"]
        .as_u64()
        .expect("naive instructions counted");
    let optimized = counted["optimized"]
        .as_u64()
        .expect("optimized instructions counted");
    // The pooled form does the same writing with fewer allocations: fewer
    // instructions, but the same order of magnitude.
    assert!(optimized < naive, "{naive} → {optimized}");
    assert!(optimized * 10 > naive, "{naive} → {optimized}");
    assert!(
        table.contains("| lesson | instructions naive → optimized | ratio |"),
        "{table}"
    );
    std::fs::remove_dir_all(&results_dir).unwrap();
}

/// A figure in a lesson's paragraph comes from the run: no `why` carries a
/// typed count, ratio, time or size, and every placeholder is one the
/// report can fill.
#[test]
fn no_why_carries_a_typed_figure() {
    use mizan::lab::why::{PLACEHOLDERS, placeholders, typed_figures};
    for lesson in registry::lessons() {
        let why = lesson.why();
        assert_eq!(
            typed_figures(why),
            Vec::<String>::new(),
            "{}: a typed figure in its why; generate it with a placeholder or drop it",
            lesson.id()
        );
        let prepared = lesson.prepare(Scale::Tiny, 1);
        let mut forms = vec!["naive", "optimized"];
        forms.extend(prepared.variant_names());
        // A contrast that is a stage of its own has forms of its own.
        let contrast_forms: Vec<&str> = match lesson.contrast_stage() {
            Some(stage) => stage.form_names(),
            None => forms.clone(),
        };
        for (name, form) in placeholders(why) {
            let (name, forms) = match name.strip_prefix(mizan::lab::why::CONTRAST) {
                Some(name) => {
                    assert!(lesson.contrast().is_some(), "{}: no contrast", lesson.id());
                    (name.to_owned(), &contrast_forms)
                }
                None => (name, &forms),
            };
            assert!(
                PLACEHOLDERS.contains(&name.as_str()),
                "{}: unknown placeholder {name}",
                lesson.id()
            );
            if let Some(form) = form {
                assert!(
                    forms.contains(&form.as_str()),
                    "{}: no form {form}",
                    lesson.id()
                );
            }
        }
    }
}

/// One definition of the speed of light: every lesson's limit is called
/// `speed of light`, or says what domain work it includes.
#[test]
fn every_limit_is_named_as_the_speed_of_light() {
    for lesson in registry::lessons() {
        let prepared = lesson.prepare(Scale::Tiny, 1);
        if let Some(name) = prepared.limit_name() {
            assert!(
                name == "speed of light" || name.starts_with("speed of light + "),
                "{}: {name}",
                lesson.id()
            );
        }
    }
}

#[test]
fn compare_sets_two_runs_side_by_side() {
    let dir = std::env::temp_dir().join(format!("mizan-compare-test-{}", std::process::id()));
    for (name, seed) in [("a", "1"), ("b", "2")] {
        common::mizan_ok(&[
            "run",
            "zakat/pooling",
            "--scale",
            "tiny",
            "--runs",
            "15",
            "--seed",
            seed,
            "--results",
            dir.join(name).to_str().unwrap(),
        ]);
    }
    let text = common::mizan_ok(&[
        "compare",
        dir.join("a/results.json").to_str().unwrap(),
        dir.join("b/results.json").to_str().unwrap(),
    ]);
    assert!(text.starts_with("A: "), "{text}");
    assert!(
        text.contains("| lesson | ratio | A | B | verdict |"),
        "{text}"
    );
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("| zakat/pooling |"))
        .collect();
    // optimized over naive, and optimized over its limit.
    assert_eq!(rows.len(), 2, "{text}");
    // The contrast, a row of its own, labelled apart.
    let contrast = "| zakat/pooling (contrast: every receipt kept) | optimized over naive |";
    assert_eq!(text.matches(contrast).count(), 1, "{text}");
    assert!(rows[0].contains("| optimized over naive | "), "{text}");
    assert!(
        ["| agree |", "| noise: ", "| differ: "]
            .iter()
            .any(|v| rows[0].contains(v)),
        "{text}"
    );
    assert!(
        text.contains("Geometric mean of naive / optimized"),
        "{text}"
    );

    // An old or foreign file is refused by name.
    let old = dir.join("old.json");
    std::fs::write(&old, r#"{"machine": {}, "results": []}"#).unwrap();
    let out = common::mizan(
        &[
            "compare",
            old.to_str().unwrap(),
            dir.join("b/results.json").to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        format!(
            "error: {}: a results file of schema 0, and this mizan reads schema 2: run the lab again to make one",
            old.display()
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn memory_limits_runs_every_setting_in_processes_of_its_own() {
    let dir = std::env::temp_dir().join(format!("mizan-memory-test-{}", std::process::id()));
    let d = dir.to_str().unwrap();
    let out = common::mizan(
        &[
            "memory-limits",
            "--scale",
            "tiny",
            "--reports",
            "2",
            "--rounds",
            "2",
            "--results",
            d,
            "--output",
            d,
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.join("memory-limits.md")).unwrap();
    let report: mizan::lessons::murabaha::memory_limits::MemoryReport =
        serde_json::from_str(&std::fs::read_to_string(dir.join("memory-limits.json")).unwrap())
            .unwrap();
    // The section renders again from the results alone.
    assert_eq!(rendered_again("memory-limits", &dir), text);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), text);
    // Every setting, in processes of its own under its own allocator, two
    // rounds of two reports, all with the same figures.
    let names: Vec<&str> = report.settings.iter().map(|m| m.setting.name()).collect();
    assert_eq!(
        names,
        [
            "glibc",
            "glibc-trim",
            "glibc-one-arena",
            "mimalloc",
            "mimalloc-collect"
        ]
    );
    let digest = report.settings[0].rounds[0].digest;
    for m in &report.settings {
        assert_eq!(m.rounds.len(), 2, "{}", m.setting.name());
        for held in &m.rounds {
            assert_eq!(held.setting, m.setting);
            assert_eq!(held.ns.len(), 2);
            assert_eq!(held.rss_between.len(), 2);
            assert_eq!(held.digest, digest);
            assert!(held.peak_rss >= held.rss_input && held.rss_input > 0);
        }
        assert_eq!(m.over_glibc.is_none(), m.setting.name() == "glibc");
    }
    // Two rows a setting (what it changes; its figures), and the same
    // output everywhere.
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("| `")).collect();
    assert_eq!(rows.len(), 10, "{text}");
    assert!(
        text.contains("Every report of every process had the same figures"),
        "{text}"
    );
    assert!(
        text.contains("| murabaha/memory-limits (100 contracts, tiny scale) |"),
        "{text}"
    );
}

#[test]
fn builds_times_every_build_and_compares_their_outputs() {
    // The four builds take minutes to make: here every build is this
    // binary, reused, so that the timing and the digests are what is
    // tested (`mizan builds` without `--reuse` builds them).
    let dir = std::env::temp_dir().join(format!("mizan-builds-test-{}", std::process::id()));
    for build in mizan::lab::builds::BUILDS {
        let bin = mizan::lab::builds::binary(&dir, build.name);
        std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_mizan"), &bin).unwrap();
    }
    let d = dir.to_str().unwrap();
    let out = common::mizan(
        &[
            "builds",
            "--reuse",
            "--dir",
            d,
            "--scale",
            "tiny",
            "--slices",
            "2",
            "--runs",
            "3",
            "--results",
            d,
            "--output",
            d,
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.join("builds.md")).unwrap();
    let report: mizan::lab::builds::BuildsReport =
        serde_json::from_str(&std::fs::read_to_string(dir.join("builds.json")).unwrap()).unwrap();
    // The section renders again from the results alone.
    assert_eq!(rendered_again("builds", &dir), text);
    std::fs::remove_dir_all(&dir).unwrap();
    let ids: Vec<&str> = report.lessons.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["zakat/build-settings", "murabaha/build-settings"]);
    for lesson in &report.lessons {
        let names: Vec<&str> = lesson.builds.iter().map(|b| b.build.as_str()).collect();
        assert_eq!(names, ["default", "fat-lto", "native", "pgo"]);
        for build in &lesson.builds {
            assert_eq!(build.ns.len(), 2);
            assert!(build.ns.iter().all(|slice| slice.len() == 3));
            assert!(build.same_output, "{}", build.build);
            assert_eq!(build.over_default.is_none(), build.build == "default");
        }
    }
    assert_eq!(
        text.lines().filter(|l| l.starts_with("| `")).count(),
        8,
        "{text}"
    );
    assert!(report.made.is_empty());
}

/// What `mizan <command> --from <dir>/<command>.json` writes as the book's
/// section (an own-command lesson rendering an earlier run's results).
fn rendered_again(command: &str, dir: &std::path::Path) -> String {
    let again = dir.join("again");
    let json = dir.join(format!("{command}.json"));
    let out = common::mizan(
        &[
            command,
            "--from",
            json.to_str().unwrap(),
            "--output",
            again.to_str().unwrap(),
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(again.join(format!("{command}.md"))).unwrap()
}

/// No lesson's why draws a conclusion its figure does not bear out, under
/// any verdict of any ratio it cites (each varied on its own, all at once,
/// and not reported); its template is well formed; and the book's page of
/// every rendering is current (`mizan whys` writes it).
#[test]
fn every_why_follows_its_verdicts() {
    let mut problems = Vec::new();
    for lesson in registry::lessons() {
        if let Err(e) = mizan::lab::why::check_template(lesson.why()) {
            problems.push(format!("{}: {e}", lesson.id()));
            continue;
        }
        for (scenario, text) in mizan::lab::why::scenarios(lesson) {
            for found in mizan::lab::why::contradictions(&text) {
                problems.push(format!("{} ({scenario}): {found}", lesson.id()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let committed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src/generated/whys.md"),
    )
    .unwrap_or_default();
    assert!(
        committed == mizan::lab::why::renderings(&registry::lessons()),
        "book/src/generated/whys.md is not what the lessons render: run `mizan whys`"
    );
}

/// A counter's figure ends in its verdict ("568 → 213 a record, 2.67×
/// fewer", "… within 5 %"), so in a `why` its noun comes before it and
/// nothing but punctuation after it: "{instructions} instructions" reads
/// "… 2.67× fewer instructions", "({d1_misses} first-level misses)"
/// "… within 5 % first-level misses".
#[test]
fn a_counters_figure_ends_its_phrase() {
    let mut found = Vec::new();
    for lesson in mizan::lessons::lessons() {
        let why = lesson.why();
        let mut rest = why;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let Some(close) = after.find(['{', '}']) else {
                break;
            };
            let inside = &after[..close];
            let name = inside.strip_prefix("contrast.").unwrap_or(inside);
            let name = name.split(':').next().unwrap_or(name);
            if !inside.starts_with('?') && mizan::lab::why::COUNTERS.contains(&name) {
                let next = after[close + 1..].trim_start().chars().next();
                if !matches!(next, None | Some(')' | '.' | ',' | ';' | ':' | '|' | '}')) {
                    let tail: String = after[close + 1..].chars().take(30).collect();
                    found.push(format!("{}: {{{inside}}}{tail}", lesson.id()));
                }
            }
            rest = &after[close.min(after.len())..];
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

/// The default run moves a lesson to a smaller scale when its share of the
/// budget is short, but for the lessons whose point needs their own scale:
/// the two pipelines (the headlines), the two lessons about the allocator
/// and the two about sharding, and no other.
#[test]
fn the_headlines_the_allocator_and_sharding_lessons_keep_their_scale() {
    let mut kept: Vec<&str> = mizan::lessons::lessons()
        .iter()
        .filter(|lesson| lesson.keeps_scale())
        .map(|lesson| lesson.id())
        .collect();
    kept.sort_unstable();
    assert_eq!(
        kept,
        [
            "murabaha/allocator-choice",
            "murabaha/pipeline",
            "murabaha/sharding",
            "zakat/allocator-choice",
            "zakat/pipeline",
            "zakat/sharding"
        ]
    );
    // And `may_shrink`, the runner's one test before it lets a lesson's
    // first slice move down a scale, follows `keeps_scale`: in the default
    // run every other lesson may shrink, these may not, nor any contrast;
    // a named scale or forced pairs shrink nothing.
    let default_run = mizan::lab::runner::RunOptions {
        scale: mizan::lab::lesson::Scale::Default,
        fit_scale: true,
        runs: None,
        budget: mizan::lab::runner::DEFAULT_BUDGET,
        seed: 1,
        progress: false,
    };
    let named = mizan::lab::runner::RunOptions {
        fit_scale: false,
        ..default_run
    };
    let forced = mizan::lab::runner::RunOptions {
        runs: Some(15),
        ..default_run
    };
    let lessons = mizan::lessons::lessons();
    let shrinking: Vec<&str> = lessons
        .iter()
        .filter(|lesson| mizan::lab::runner::may_shrink(**lesson, false, &default_run))
        .map(|lesson| lesson.id())
        .collect();
    assert_eq!(shrinking.len(), lessons.len() - kept.len());
    assert!(kept.iter().all(|id| !shrinking.contains(id)));
    for lesson in &lessons {
        assert!(!mizan::lab::runner::may_shrink(*lesson, true, &default_run));
        assert!(!mizan::lab::runner::may_shrink(*lesson, false, &named));
        assert!(!mizan::lab::runner::may_shrink(*lesson, false, &forced));
    }
}
